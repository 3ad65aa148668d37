"""Write a :class:`Result` to a result directory (SPEC §4) and read one back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from meio.errors import MeioError
from meio.results.result import Result


def write_result(result: Result, directory: Path) -> list[Path]:
    """Write summary.json, stock.csv, prices.csv, utilization.csv and any method tables and arrays."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MeioError(f"cannot create result directory {directory}: {error.strerror}") from None
    written = [directory / "summary.json"]
    written[0].write_text(json.dumps(result.summary(), indent=2) + "\n", encoding="utf-8")
    tables = {"stock": result.stock, "prices": result.prices, "utilization": result.utilization,
              **result.tables}
    for name, table in tables.items():
        path = directory / f"{name}.csv"
        table.to_csv(path, index=False, float_format="%.10g")
        written.append(path)
    for name, arrays in result.arrays.items():
        path = directory / f"{name}.npz"
        np.savez_compressed(path, **arrays())
        written.append(path)
    return written
