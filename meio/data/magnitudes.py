"""Cost coefficients the LP cannot scale: a warning when they span more than COST_SPAN_LIMIT.

Each value is already at most :data:`~meio.data.schema.MAX_MAGNITUDE` (checked cell by cell
when read). Together they can still span too many orders of magnitude: with costs of 1e10 and
1e-3 in one objective, the solvers' optimality tolerances drown the small ones. The rule: over
the nonzero cells of every cost column of the schema (``Column.cost``), the largest divided
by the smallest must not exceed :data:`~meio.data.schema.COST_SPAN_LIMIT`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from meio.data.schema import COST_SPAN_LIMIT, TABLES


class Cell(NamedTuple):
    """A value and where it was read."""

    value: float
    file: str
    line: int
    column: str

    def __str__(self) -> str:
        return f"{self.value:g} ({self.file}, line {self.line}, column '{self.column}')"


def cost_span_notes(raw: Mapping[str, pd.DataFrame]) -> list[str]:
    """A warning naming the largest and smallest nonzero cost when their ratio is beyond the limit."""
    extremes = [cell for pair in map(_extremes, _cost_columns(raw)) if pair for cell in pair]
    if not extremes:
        return []
    largest, smallest = max(extremes), min(extremes)
    if largest.value <= COST_SPAN_LIMIT * smallest.value:
        return []
    return [f"cost coefficients span a ratio of {largest.value / smallest.value:.3g}, more than the "
            f"{COST_SPAN_LIMIT:g} the LP can scale: largest {largest}, smallest {smallest}; results may be "
            "inaccurate (express costs in another unit, or set negligible ones to 0)"]


def _cost_columns(raw: Mapping[str, pd.DataFrame]) -> list[tuple[pd.DataFrame, str, str]]:
    """(frame, file, column) of every cost column of the tables read."""
    return [(frame, table.file, column.name) for table in TABLES
            if (frame := raw.get(table.name)) is not None for column in table.columns if column.cost]


def _extremes(source: tuple[pd.DataFrame, str, str]) -> tuple[Cell, Cell] | None:
    """The largest and the smallest nonzero value of one column, with their lines."""
    frame, file, column = source
    values = np.abs(frame[column].to_numpy(dtype=float))
    rows = np.flatnonzero(np.isfinite(values) & (values > 0))
    if not len(rows):
        return None
    lines = frame["line"].to_numpy()
    high, low = rows[np.argmax(values[rows])], rows[np.argmin(values[rows])]
    return (Cell(float(values[high]), file, int(lines[high]), column),
            Cell(float(values[low]), file, int(lines[low]), column))
