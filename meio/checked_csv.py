"""Read a CSV file meio wrote (a result's stock.csv or prices.csv, a demand table) back, checked.

The instance's own files go through :mod:`meio.data.tables`, which collects every violation. A
file read back is checked against a :class:`CsvColumns` declaration instead, and the first bad
cell stops the read with a :class:`MeioError` that names the file, the line and the column: a
user who edited such a file by hand gets that message, not a traceback from deep inside a solve.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from meio.errors import MeioError, python_value


@dataclass(frozen=True)
class CsvColumns:
    """The columns a file must have: ``text`` (kept as strings), ``numbers`` (a number, inf, or a
    blank cell read as NaN) and ``amounts`` (a finite number >= 0)."""

    text: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()


def read_checked_csv(path: Path, columns: CsvColumns, *, text: tuple[str, ...] = ()) -> pd.DataFrame:
    """The table of ``path`` with every declared column present and parsed (``text``: further
    columns to keep as strings if present, such as an optional identifier)."""
    try:
        table = pd.read_csv(path, dtype={name: str for name in (*columns.text, *text)})
    except FileNotFoundError:
        raise MeioError(f"{path}: no such file") from None
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise MeioError(f"{path}: cannot parse CSV: {error}") from None
    missing = [name for name in (*columns.text, *columns.numbers, *columns.amounts) if name not in table.columns]
    if missing:
        raise MeioError(f"{path}: missing column '{missing[0]}'")
    for name in (*columns.numbers, *columns.amounts):
        values = pd.to_numeric(table[name], errors="coerce").to_numpy(float)
        written = table[name].notna().to_numpy()
        if name in columns.amounts:
            bad = ~np.isfinite(values) | (values < 0)
            need = "a number >= 0"
        else:
            bad = np.isnan(values) & written
            need = "a number"
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise MeioError(f"{path}, line {row + 2}, column '{name}': must be {need}, got "
                            f"{python_value(table[name].iloc[row])!r}")
        table[name] = values
    return table
