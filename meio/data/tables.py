"""Read one CSV file of an instance and parse its columns by the schema, collecting violations.

Cells are read as text so that a bad value can be quoted back to the user with its line
number. Each column is factorised (one hash pass) so stripping, number parsing and
range checks run once per *distinct* cell text and are broadcast to the rows through
the codes: a 3.5-million-row ``demand.csv`` has a few thousand distinct texts per
column. (pandas' own ``dtype="category"`` is not used: it converts all-numeric
categories to numbers, losing the text that messages quote.) Identifier columns stay
categorical until the instance is assembled, which makes the key and reference checks
integer operations.
Nothing raises here: every problem becomes a :class:`Violation`.

Files come from a :class:`TableSource`: a directory (:class:`DirectorySource`) or a
bundle (:class:`meio.data.bundle.ZipSource`); violations name the file either way.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import numpy as np
import pandas as pd

from meio.data.schema import Column, Table
from meio.errors import Violation

#: Text accepted as an infinite capacity (besides a blank cell, which means the default).
INFINITY_WORDS = {"inf", "+inf", "infinity", "+infinity"}


class TableSource(Protocol):
    """Where the files of an instance are read from."""

    def has(self, file: str) -> bool:
        """Whether the instance contains ``file``."""
        ...

    def open(self, file: str) -> IO[bytes]:
        """``file`` opened for binary reading (a context manager)."""
        ...


@dataclass(frozen=True)
class DirectorySource:
    """An instance directory of CSV files."""

    directory: Path

    def has(self, file: str) -> bool:
        return (self.directory / file).is_file()

    def open(self, file: str) -> IO[bytes]:
        return (self.directory / file).open("rb")


@dataclass(frozen=True)
class TextColumn:
    """A column of stripped cell texts: ``values[codes]``, with ``values`` distinct."""

    codes: np.ndarray
    values: np.ndarray

    @classmethod
    def blank(cls, rows: int) -> TextColumn:
        return cls(np.zeros(rows, dtype=np.intp), np.array([""], dtype=object))

    @classmethod
    def from_cells(cls, cells: np.ndarray) -> TextColumn:
        """Factorise the raw cells, then strip the distinct texts and merge those that become equal."""
        codes, distinct = pd.factorize(cells)
        texts = np.empty(len(distinct) + 1, dtype=object)
        texts[:-1] = [str(text).strip() for text in distinct]
        texts[-1] = ""  # code -1 (a missing cell) reads as blank
        merged, values = pd.factorize(texts)
        values = np.asarray(values, dtype=object)
        if np.array_equal(merged[:-1], np.arange(len(distinct))) and codes.min(initial=0) >= 0:
            return cls(codes, values)  # stripping merged nothing: the codes stand
        return cls(merged[np.where(codes < 0, len(distinct), codes)], values)

    def is_blank(self) -> np.ndarray:
        return (self.values == "")[self.codes]

    def take(self, rows: np.ndarray) -> TextColumn:
        return TextColumn(self.codes[rows], self.values)

    def cell(self, row: int) -> str:
        return str(self.values[self.codes[row]])


def as_source(location: Path | TableSource) -> TableSource:
    """A directory path becomes a :class:`DirectorySource`; a source is returned as is."""
    return DirectorySource(location) if isinstance(location, Path) else location


def read_table(location: Path | TableSource, table: Table, violations: list[Violation]) -> pd.DataFrame | None:
    """Parse ``table.file``; ``None`` when the file is absent or unreadable.

    The returned frame has one column per schema column (defaults filled in), a
    ``line`` column with each row's line number in the file, and no unknown columns.
    Identifier columns are categorical (blank cells are missing values).
    """
    source = as_source(location)
    if not source.has(table.file):
        if table.required:
            violations.append(Violation(table.file, "required file is missing"))
        return None
    read = _read_text_frame(source, table.file, violations)
    if read is None:
        return None
    columns, lines = read
    missing = [c.name for c in table.columns if c.required and c.name not in columns]
    for name in missing:
        violations.append(Violation(table.file, "required column is missing", column=name))
    if missing:
        return None
    frame = pd.DataFrame({"line": lines})
    for column in table.columns:
        cells = columns.get(column.name) or TextColumn.blank(len(lines))
        frame[column.name] = _parse_column(cells, lines, column, table.file, violations)
    return frame


def unknown_columns(location: Path | TableSource, table: Table) -> list[str]:
    """Header names of a table that the schema does not know (they are ignored)."""
    source = as_source(location)
    if not source.has(table.file):
        return []
    with source.open(table.file) as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        header = next(csv.reader(text), [])
    known = {c.name for c in table.columns}
    return [h.strip() for h in header if h.strip() and h.strip() not in known]


def _read_text_frame(source: TableSource, file: str,
                     violations: list[Violation]) -> tuple[dict[str, TextColumn], np.ndarray] | None:
    """Columns of stripped text and the line number of each row; entirely blank rows are dropped."""
    try:
        with warnings.catch_warnings(), source.open(file) as handle:
            warnings.simplefilter("error", pd.errors.ParserWarning)
            raw = pd.read_csv(handle, dtype=object, keep_default_na=False, skip_blank_lines=False,
                              index_col=False, encoding="utf-8-sig")
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
    names = pd.Index([str(c).strip() for c in raw.columns])
    for name in names[names.duplicated()].unique():
        violations.append(Violation(file, "column appears more than once in the header", column=name))
    columns = {name: TextColumn.from_cells(raw.iloc[:, i].to_numpy())
               for i, name in enumerate(names) if not names[:i].isin([name]).any()}
    blank_rows = np.ones(len(raw), dtype=bool)
    for column in columns.values():
        blank_rows &= column.is_blank()
    if not blank_rows.any():
        return columns, np.arange(2, len(raw) + 2)
    kept = np.flatnonzero(~blank_rows)
    return {name: column.take(kept) for name, column in columns.items()}, kept + 2


def _parse_column(cells: TextColumn, lines: np.ndarray, column: Column, file: str,
                  violations: list[Violation]) -> object:
    blank = cells.is_blank()
    if column.required:
        for line in lines[blank]:
            violations.append(Violation(file, "value is missing", line=int(line), column=column.name))
    if column.kind == "text":
        return cells.values[cells.codes]
    if column.kind == "id":
        return pd.Categorical.from_codes(np.where(blank, -1, cells.codes), categories=pd.Index(cells.values))
    if column.kind == "list":
        parsed = np.empty(len(cells.values), dtype=object)
        parsed[:] = [frozenset(p.strip() for p in text.split(";") if p.strip()) or None if text else None
                     for text in cells.values]
        return parsed[cells.codes]
    return _parse_numbers(cells, lines, column, file, violations)


def _parse_numbers(cells: TextColumn, lines: np.ndarray, column: Column, file: str,
                   violations: list[Violation]) -> np.ndarray:
    """Parse each distinct text once; report every row whose text is bad, in row order per rule."""
    texts = pd.Series(cells.values, dtype=object)
    blank = (texts == "").to_numpy()
    lowered = texts.str.lower()
    infinite = lowered.isin(INFINITY_WORDS).to_numpy()
    parsed = pd.to_numeric(texts.where(~(blank | infinite), None), errors="coerce")
    values = parsed.to_numpy(dtype=float, copy=True)
    values[infinite] = math.inf
    not_number = ~blank & ~infinite & ~np.isfinite(values)
    not_number |= ~blank & lowered.isin({"nan", "-nan", "+nan"}).to_numpy()
    checked = ~blank & ~not_number & (column.allow_infinite | ~infinite)
    out_of_range = np.zeros(len(values), dtype=bool)
    if column.minimum is not None:
        low = values <= column.minimum if column.strict_minimum else values < column.minimum
        out_of_range |= checked & low
    if column.maximum is not None:
        out_of_range |= checked & (values > column.maximum)
    rules = [(not_number, "'{}' is not a finite number")]
    if not column.allow_infinite:
        rules.append((infinite, "'{}' is not a finite number"))
    rules.append((out_of_range, f"value {{}} must be {column.range_text()}"))
    for bad, message in rules:
        if bad.any():
            for row in np.flatnonzero(bad[cells.codes]):
                violations.append(Violation(file, message.format(cells.cell(row)), line=int(lines[row]),
                                            column=column.name))
    default = math.nan if column.default is None else float(column.default)  # type: ignore[arg-type]
    return np.where(blank, default, values)[cells.codes]
