"""Read one CSV file of an instance and parse its columns by the schema, collecting violations.

Cells are read as text so that a bad value can be quoted back to the user with its line
number. Each column is factorised (one hash pass) so stripping, number parsing and
range checks run once per *distinct* cell text and are broadcast to the rows through
the codes: a 3.5-million-row ``demand.csv`` has a few thousand distinct texts per
column. (pandas' own ``dtype="category"`` is not used: it converts all-numeric
categories to numbers, losing the text that messages quote.) Identifier columns stay
categorical until the instance is assembled, which makes the key and reference checks
integer operations.
The header is read as the first row, as written (pandas would rename a repeated name), so
repeated and misspelt names are errors (:func:`_known_columns`); rows of the wrong width are
named by line, and checked at the cost of one comma count only when some row ends in a blank
cell (:func:`_widths_agree`). Nothing raises here: every problem becomes a :class:`Violation`
and every warning a note.

Files come from a :class:`TableSource`: a directory (:class:`DirectorySource`) or a
bundle (:class:`meio.data.bundle.ZipSource`); violations name the file either way.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import numpy as np
import pandas as pd

from meio.data.names import close_match
from meio.data.schema import INSTANCE_FILES, MAX_MAGNITUDE, Column, Table
from meio.errors import Violation

#: Text accepted as an infinite capacity (besides a blank cell, which means the default).
INFINITY_WORDS = {"inf", "+inf", "infinity", "+infinity"}


class TableSource(Protocol):
    """Where the files of an instance are read from."""

    def has(self, file: str) -> bool:
        """Whether the instance contains ``file`` (names are case-sensitive on every platform)."""
        ...

    def open(self, file: str) -> IO[bytes]:
        """``file`` opened for binary reading (a context manager)."""
        ...

    def files(self) -> list[str]:
        """Names of every file of the instance, instance files or not."""
        ...


@dataclass(frozen=True)
class DirectorySource:
    """An instance directory of CSV files."""

    directory: Path

    def has(self, file: str) -> bool:
        return file in self.files()

    def open(self, file: str) -> IO[bytes]:
        return (self.directory / file).open("rb")

    def files(self) -> list[str]:
        return sorted(path.name for path in self.directory.iterdir() if path.is_file())


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


def read_table(location: Path | TableSource, table: Table, violations: list[Violation],
               notes: list[str]) -> pd.DataFrame | None:
    """Parse ``table.file``; ``None`` when the file is absent or unreadable.

    The returned frame has one column per schema column (defaults filled in), a
    ``line`` column with each row's line number in the file, and no unknown columns.
    Identifier columns are categorical (blank cells are missing values). Unknown columns
    are reported in ``notes``.
    """
    source = as_source(location)
    if not source.has(table.file):
        if table.required:
            violations.append(Violation(table.file, "required file is missing" + _file_hint(table.file, source)))
        return None
    read = _read_cells(source, table.file, violations)
    if read is None:
        return None
    header, cells, lines = read
    columns = _known_columns(header, cells, table, violations, notes)
    missing = [c.name for c in table.columns if c.required and c.name not in header]
    for name in missing:
        violations.append(Violation(table.file, "required column is missing", column=name))
    if missing or columns is None:
        return None
    frame = pd.DataFrame({"line": lines})
    for column in table.columns:
        text = columns.get(column.name) or TextColumn.blank(len(lines))
        frame[column.name] = _parse_column(text, lines, column, table.file, violations)
    return frame


def _file_hint(file: str, source: TableSource) -> str:
    """`` (found 'X': ...)`` when the instance holds a file whose name misspells ``file``."""
    meant = close_match(file, [f for f in source.files() if f not in INSTANCE_FILES])
    return f" (there is '{meant}': file names are case-sensitive and must be exact)" if meant else ""


def _known_columns(header: list[str], cells: list[TextColumn], table: Table, violations: list[Violation],
                   notes: list[str]) -> dict[str, TextColumn] | None:
    """The cells of each known column by name; ``None`` when the header repeats or misspells one.

    A name given twice, or an unknown name that misspells a known column (other case, or
    close and the known column absent), is an error: the intended values would otherwise be
    dropped for the default. Other unknown names are ignored with a note.
    """
    known = [c.name for c in table.columns]
    counts = Counter(name for name in header if name)
    errors = [Violation(table.file, "column appears more than once in the header", column=name)
              for name, count in counts.items() if count > 1]
    for name in (n for n in counts if n not in known):
        meant = close_match(name, [k for k in known if k.lower() == name.lower() or k not in counts])
        if meant is None:
            notes.append(f"{table.file}: column '{name}' is not part of the format and is ignored")
        else:
            errors.append(Violation(table.file, f"unknown column; did you mean '{meant}'? "
                                    "(column names are case-sensitive)", column=name))
    violations.extend(errors)
    return None if errors else {name: cells[header.index(name)] for name in known if name in counts}


def _read_cells(source: TableSource, file: str,
                violations: list[Violation]) -> tuple[list[str], list[TextColumn], np.ndarray] | None:
    """The stripped header names, the data columns as text (by position) and each row's line
    number; entirely blank rows are dropped. ``None`` (with violations) if the CSV is malformed."""
    raw = _parse_csv(source, file, violations)
    if raw is None:
        return None
    header = [str(name).strip() for name in raw.iloc[0]]
    cells = [TextColumn.from_cells(raw.iloc[1:, i].to_numpy()) for i in range(raw.shape[1])]
    blank_rows = np.ones(len(raw) - 1, dtype=bool)
    for column in cells:
        blank_rows &= column.is_blank()
    if (~blank_rows & cells[-1].is_blank()).any():  # maybe short rows (pandas pads them with blanks)
        data = _read_bytes(source, file)
        if not _widths_agree(data, len(header), len(raw), bool(blank_rows.any())):
            bad = _bad_widths(data, len(header), file)
            violations.extend(bad)
            if bad:
                return None
    if not blank_rows.any():
        return header, cells, np.arange(2, len(raw) + 1)
    kept = np.flatnonzero(~blank_rows)
    return header, [column.take(kept) for column in cells], kept + 2


def _read_bytes(source: TableSource, file: str) -> bytes:
    with source.open(file) as handle:
        return handle.read()


def _parse_csv(source: TableSource, file: str, violations: list[Violation]) -> pd.DataFrame | None:
    """Every cell as text, the header as the first row (so repeated names stay as written).

    A row longer than the header makes pandas fail; its rows are then counted one by one so
    that every such row is named with its line.
    """
    try:
        with warnings.catch_warnings(), source.open(file) as handle:
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(handle, header=None, dtype=object, keep_default_na=False,
                               skip_blank_lines=False, index_col=False, encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        violations.append(Violation(file, f"file is not valid UTF-8 ({error.reason} at byte {error.start})"))
    except pd.errors.EmptyDataError:
        violations.append(Violation(file, "file is empty: a header row is required"))
    except (pd.errors.ParserError, pd.errors.ParserWarning) as error:
        data = _read_bytes(source, file)
        width = len(next(csv.reader(io.StringIO(data.decode("utf-8-sig", "replace"))), []))
        violations.extend(_bad_widths(data, width, file) or [Violation(file, f"cannot parse CSV: {error}")])
    return None


def _widths_agree(data: bytes, width: int, rows: int, any_blank: bool) -> bool:
    """Whether every row certainly has ``width`` cells, from one count of the file's commas.

    Only called when some row ends in a blank cell (a short row always does, as pandas pads
    it): with no quote (no comma inside a cell) and no blank row, ``rows`` rows of ``width``
    cells hold exactly ``(width - 1) * rows`` commas. Otherwise the rows are counted one by
    one (:func:`_bad_widths`).
    """
    if any_blank or b'"' in data:
        return False
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == ord(","))) == (width - 1) * rows


def _bad_widths(data: bytes, width: int, file: str) -> list[Violation]:
    """A violation for every non-blank row whose number of cells differs from the header's."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    try:
        return [Violation(file, f"row has {len(row)} cells but the header has {width} columns", line=line)
                for line, row in enumerate(csv.reader(text), start=1)
                if len(row) != width and any(cell.strip() for cell in row)]
    except (csv.Error, UnicodeDecodeError) as error:
        return [Violation(file, f"cannot parse CSV: {error}")]


def _parse_column(cells: TextColumn, lines: np.ndarray, column: Column, file: str,
                  violations: list[Violation]) -> np.ndarray | pd.Categorical:
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
    too_large = checked & ~out_of_range & np.isfinite(values) & (np.abs(values) > MAX_MAGNITUDE)
    rules.append((too_large, _too_large_message(column)))
    for bad, message in rules:
        if bad.any():
            for row in np.flatnonzero(bad[cells.codes]):
                violations.append(Violation(file, message.format(cells.cell(int(row))), line=int(lines[row]),
                                            column=column.name))
    default = math.nan if column.default is None else float(column.default)
    return np.where(blank, default, values)[cells.codes]


def _too_large_message(column: Column) -> str:
    """Why a finite number beyond :data:`MAX_MAGNITUDE` is refused, and what to write instead."""
    instead = " (write 'inf' for no limit)" if column.allow_infinite else ""
    return (f"value {{}} is too large: numbers must be at most {MAX_MAGNITUDE:g} in absolute value, "
            f"beyond which the solvers lose precision{instead}")
