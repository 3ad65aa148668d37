"""The benchmark's outputs: ``benchmark.csv`` (one row per run), a markdown table and a one-line summary."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from meio.errors import MeioError
from meio.suite.benchmark import FAILED, NOT_RUN, Run

#: Columns of benchmark.csv, in order (``message`` last: the solver's or method's note, if any).
COLUMNS = [f.name for f in dataclasses.fields(Run)]
MARKDOWN_COLUMNS = ("instance", "method", "backend", "status", "objective", "lower_bound", "reference",
                    "relative_error", "seconds", "iterations", "flag")


def runs_frame(runs: Sequence[Run]) -> pd.DataFrame:
    """The runs as a table with the columns of benchmark.csv."""
    return pd.DataFrame([dataclasses.asdict(run) for run in runs], columns=COLUMNS)


def markdown(runs: Sequence[Run]) -> str:
    """A markdown table of the runs (numbers as in benchmark.csv, shortened)."""
    lines = ["| " + " | ".join(MARKDOWN_COLUMNS) + " |", "|" + "---|" * len(MARKDOWN_COLUMNS)]
    for run in runs:
        lines.append("| " + " | ".join(_cell(getattr(run, column)) for column in MARKDOWN_COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def summary(runs: Sequence[Run]) -> str:
    """``N runs, F flagged, E failed`` and, when some were not run, ``, K not run (...)`` (flagged: a
    bound above or an objective below the reference; failed: the method raised an error; not run: a
    method that takes no model variants on a member with variants)."""
    flagged = sum(bool(run.flag) for run in runs)
    failed = sum(run.status == FAILED for run in runs)
    skipped = sum(run.status == NOT_RUN for run in runs)
    line = f"{len(runs)} runs, {flagged} flagged, {failed} failed"
    return line + (f", {skipped} not run (methods that take no model variants on members with variants; "
                   "see the message column of benchmark.csv)" if skipped else "")


def write_benchmark(runs: Sequence[Run], directory: Path) -> tuple[Path, Path]:
    """Write ``benchmark.csv`` and ``benchmark.md`` to ``directory``; return their paths."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        csv, table = directory / "benchmark.csv", directory / "benchmark.md"
        runs_frame(runs).to_csv(csv, index=False, lineterminator="\n")
        table.write_text(markdown(runs) + f"\n{summary(runs)}\n", encoding="utf-8")
    except OSError as error:
        raise MeioError(f"cannot write the benchmark to {directory}: {error}") from error
    return csv, table


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:.3e}" if value != 0 and abs(value) < 1e-2 else f"{value:,.4f}"
    return str(value)
