"""Write a :class:`Result` to a result directory (docs/cli.md); the files meio writes there, in one place.

A result directory holds one plan and only what was computed from that plan:

- :data:`PLAN_FILES`, written by ``meio solve`` and ``meio baseline`` (:func:`write_result`);
- :data:`EVALUATION_FILES`, written beside a plan by ``meio evaluate``, ``compare``, ``gap`` and
  ``report``. The JSON ones record the :func:`plan_digest` of the plan they evaluated, so that
  a report leaves out the ones about another plan.

:func:`write_result` removes every file of both lists first, so a new plan never sits beside
what an earlier plan left. Other files in the directory are left alone.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from meio.errors import MeioError
from meio.results.result import Result

PLAN_FILES = ("summary.json", "stock.csv", "prices.csv", "utilization.csv", "flows.csv", "convergence.csv",
              "warm_start.npz", "bases.npz")
EVALUATION_FILES = ("evaluation.json", "evaluation_nodes.csv", "evaluation_flows.csv", "evaluation_scenarios.csv",
                    "comparison.json", "comparison.csv", "gap.json", "gap_replications.csv", "report.html")
#: Key of the plan digest in evaluation.json, comparison.json and gap.json.
DIGEST_KEY = "plan_sha256"


def is_result_dir(path: Path) -> bool:
    """A directory holding summary.json or stock.csv."""
    return (path / "summary.json").is_file() or (path / "stock.csv").is_file()


def read_summary(directory: Path) -> dict[str, Any] | None:
    """The directory's summary.json, or None where it is missing or unreadable (for what it
    only adds to: a plan's name, its instance, why it has no plan)."""
    try:
        summary = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None


def missing_plan_file(directory: Path, name: str) -> str:
    """Why ``directory`` has no plan file ``name``: its solve ended without a plan (as its
    summary.json says), or it is no result directory of 'meio solve'."""
    summary = read_summary(directory)
    if summary is not None and summary.get("has_plan") is False:
        why = f": {summary['message']}" if summary.get("message") else ""
        return (f"{directory}: no {name}: the solve that wrote it ended without a plan (termination "
                f"'{summary.get('termination')}'{why})")
    return f"{directory}: no {name} (is it a result directory written by 'meio solve'?)"


def plan_digest(directory: Path) -> str | None:
    """SHA-256 of the directory's stock.csv (the plan), or None without one."""
    path = directory / "stock.csv"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def clear_result_dir(directory: Path) -> list[Path]:
    """Remove the files meio writes into a result directory (both lists); return the removed ones."""
    removed = [directory / name for name in PLAN_FILES + EVALUATION_FILES if (directory / name).is_file()]
    for path in removed:
        path.unlink()
    return removed


def write_result(result: Result, directory: Path) -> list[Path]:
    """Clear the directory of an earlier plan's files, then write summary.json, the plan's stock.csv,
    prices.csv and utilization.csv (only when there is a plan: no empty plan files) and any method
    tables and arrays."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        clear_result_dir(directory)
    except OSError as error:
        raise MeioError(f"cannot prepare result directory {directory}: {error.strerror}") from None
    written = [directory / "summary.json"]
    written[0].write_text(json.dumps(result.summary(), indent=2) + "\n", encoding="utf-8")
    plan = {"stock": result.stock, "prices": result.prices, "utilization": result.utilization}
    tables = {**(plan if result.has_plan else {}), **result.tables}
    for name, table in tables.items():
        path = directory / f"{name}.csv"
        table.to_csv(path, index=False, float_format="%.10g")
        written.append(path)
    for name, arrays in result.arrays.items():
        path = directory / f"{name}.npz"
        contents: dict[str, Any] = arrays()  # Any: numpy's stubs type the keywords as allow_pickle's bool
        np.savez_compressed(path, **contents)
        written.append(path)
    return written
