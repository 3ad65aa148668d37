"""Read one CSV file of an instance and parse its columns by the schema, collecting violations.

Cells are read as text so that a bad value can be quoted back to the user with its line
number; numbers are then parsed column by column (vectorised) and checked against the
schema's ranges. Nothing raises here: every problem becomes a :class:`Violation`.
"""

from __future__ import annotations

import csv
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from meio.data.schema import Column, Table
from meio.errors import Violation

#: Text accepted as an infinite capacity (besides a blank cell, which means the default).
INFINITY_WORDS = {"inf", "+inf", "infinity", "+infinity"}


def read_table(directory: Path, table: Table, violations: list[Violation]) -> pd.DataFrame | None:
    """Parse ``directory/table.file``; ``None`` when the file is absent or unreadable.

    The returned frame has one column per schema column (defaults filled in), a
    ``line`` column with each row's line number in the file, and no unknown columns.
    """
    path = directory / table.file
    if not path.is_file():
        if table.required:
            violations.append(Violation(table.file, "required file is missing"))
        return None
    raw = _read_text_frame(path, table.file, violations)
    if raw is None:
        return None
    missing = [c.name for c in table.columns if c.required and c.name not in raw.columns]
    for name in missing:
        violations.append(Violation(table.file, "required column is missing", column=name))
    if missing:
        return None
    frame = pd.DataFrame({"line": raw.index.to_numpy() + 2})
    for column in table.columns:
        cells = raw[column.name] if column.name in raw.columns else pd.Series("", index=raw.index)
        frame[column.name] = _parse_column(cells, column, table.file, violations).to_numpy()
    return frame


def unknown_columns(directory: Path, table: Table) -> list[str]:
    """Header names of a table that the schema does not know (they are ignored)."""
    path = directory / table.file
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    known = {c.name for c in table.columns}
    return [h.strip() for h in header if h.strip() and h.strip() not in known]


def _read_text_frame(path: Path, file: str, violations: list[Violation]) -> pd.DataFrame | None:
    """All cells as stripped text; rows that are entirely blank are dropped, line numbers kept."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False, index_col=False,
                              encoding="utf-8-sig")
    except pd.errors.ParserWarning:
        violations.append(Violation(file, "cannot parse CSV: a row has more cells than the header has columns"))
        return None
    except UnicodeDecodeError as error:
        violations.append(Violation(file, f"file is not valid UTF-8 ({error.reason} at byte {error.start})"))
        return None
    except pd.errors.EmptyDataError:
        violations.append(Violation(file, "file is empty: a header row is required"))
        return None
    except pd.errors.ParserError as error:
        violations.append(Violation(file, f"cannot parse CSV: {error}"))
        return None
    raw.columns = [str(c).strip() for c in raw.columns]
    duplicated = raw.columns[raw.columns.duplicated()].unique()
    for name in duplicated:
        violations.append(Violation(file, "column appears more than once in the header", column=name))
    raw = raw.loc[:, ~raw.columns.duplicated()]
    raw = raw.apply(lambda col: col.str.strip())
    blank_rows = (raw == "").all(axis=1)
    return raw.loc[~blank_rows]


def _parse_column(cells: pd.Series, column: Column, file: str, violations: list[Violation]) -> pd.Series:
    blank = cells == ""
    if column.required:
        for index in cells.index[blank]:
            violations.append(Violation(file, "value is missing", line=index + 2, column=column.name))
    if column.kind == "text":
        return cells
    if column.kind == "id":
        return cells.astype(object).where(~blank, None)
    if column.kind == "list":
        return cells.map(lambda text: frozenset(p.strip() for p in text.split(";") if p.strip()) or None
                         if text else None)
    return _parse_numbers(cells, blank, column, file, violations)


def _parse_numbers(cells: pd.Series, blank: pd.Series, column: Column, file: str,
                   violations: list[Violation]) -> pd.Series:
    lowered = cells.str.lower()
    infinite = lowered.isin(INFINITY_WORDS)
    values = pd.to_numeric(cells.where(~(blank | infinite), None), errors="coerce").astype(float)
    values[infinite] = math.inf
    not_number = ~blank & ~infinite & (values.isna() | ~np.isfinite(values.fillna(0.0)))
    not_number |= ~blank & lowered.isin({"nan", "-nan", "+nan"})
    for index in cells.index[not_number]:
        violations.append(Violation(file, f"'{cells[index]}' is not a finite number", line=index + 2,
                                    column=column.name))
    if not column.allow_infinite:
        for index in cells.index[infinite]:
            violations.append(Violation(file, f"'{cells[index]}' is not a finite number", line=index + 2,
                                        column=column.name))
    checked = ~blank & ~not_number & (column.allow_infinite | ~infinite)
    out_of_range = pd.Series(False, index=cells.index)
    if column.minimum is not None:
        low = values <= column.minimum if column.strict_minimum else values < column.minimum
        out_of_range |= checked & low
    if column.maximum is not None:
        out_of_range |= checked & (values > column.maximum)
    for index in cells.index[out_of_range]:
        violations.append(Violation(file, f"value {cells[index]} must be {column.range_text()}",
                                    line=index + 2, column=column.name))
    default = math.nan if column.default is None else float(column.default)  # type: ignore[arg-type]
    return values.where(~blank, default)
