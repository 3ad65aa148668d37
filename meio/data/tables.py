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
and every warning a note. A file is parsed in chunks of :data:`CHUNK_ROWS` rows, each checked
cell by cell and then filtered (``keep``): a load holds the text of one chunk, and a load of
some products keeps only their rows.

Files come from a :class:`TableSource`: a directory (:class:`DirectorySource`) or a
bundle (:class:`meio.data.bundle.ZipSource`); violations name the file either way.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from meio.data.names import close_match
from meio.data.schema import INSTANCE_FILES, MAX_MAGNITUDE, Column, Table
from meio.errors import Violation

#: Text accepted as an infinite capacity (besides a blank cell, which means the default).
INFINITY_WORDS = {"inf", "+inf", "infinity", "+infinity"}
#: Rows of a file parsed at once (the text of one chunk is held during a load).
CHUNK_ROWS = 1_000_000
#: Picks the rows of a parsed chunk to keep (a boolean mask).
RowFilter = Callable[[pd.DataFrame], np.ndarray]
#: Bytes read at once when a file's commas are counted.
BLOCK = 1 << 20


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


def read_table(location: Path | TableSource, table: Table, violations: list[Violation], notes: list[str],
               keep: RowFilter | None = None) -> pd.DataFrame | None:
    """Parse ``table.file``; ``None`` when the file is absent or unreadable.

    The returned frame has one column per schema column (defaults filled in), a
    ``line`` column with each row's line number in the file, and no unknown columns;
    its index numbers the non-blank data rows from 0. Identifier columns are categorical
    (blank cells are missing values). Unknown columns are reported in ``notes``.

    The file is parsed :data:`CHUNK_ROWS` rows at a time, so a load holds the text of one
    chunk, never the whole file's; ``keep`` is given each parsed chunk (every cell checked)
    and returns the rows to keep, which is how a load of some products reads only theirs.
    """
    source = as_source(location)
    if not source.has(table.file):
        if table.required:
            violations.append(Violation(table.file, "required file is missing" + _file_hint(table.file, source)))
        return None
    reader = _ChunkReader(table, notes, keep)
    scan = _scan_cells(source, table.file, violations, reader.add)
    if scan is None:
        return None
    if scan.maybe_short and not _widths_agree(source, table.file, scan.width, scan.rows, scan.blank):
        bad = _bad_widths(source, table.file, scan.width)
        violations.extend(bad)
        if bad:
            return None
    return reader.frame(violations)


@dataclass
class _Scan:
    """What one pass over a file saw: its rows (header included), the header's width, whether a row
    was blank, and whether a non-blank row ends in a blank cell (maybe a short row)."""

    rows: int = 0
    width: int = 0
    blank: bool = False
    maybe_short: bool = False


class _ChunkReader:
    """Parses the cells of one table chunk by chunk and keeps the rows ``keep`` picks.

    The header is checked on the first chunk; problems found while the file is still being read
    (the header's, the cells') are held back and reported by :meth:`frame`, after the row widths
    were checked, in the order of a whole-file read."""

    def __init__(self, table: Table, notes: list[str], keep: RowFilter | None) -> None:
        self.table, self.notes, self.keep = table, notes, keep
        self.header_problems: list[Violation] = []
        self.cell_problems: list[Violation] = []
        self.positions: dict[str, int] | None = None
        self.missing: list[str] = []
        self.parts: list[pd.DataFrame] = []
        self.rows = 0
        self.started = False

    def add(self, header: list[str], cells: list[TextColumn], lines: np.ndarray) -> None:
        table = self.table
        if not self.started:
            self.started = True
            self.positions = _known_columns(header, table, self.header_problems, self.notes)
            self.missing = [c.name for c in table.columns if c.required and c.name not in header]
            self.header_problems += [Violation(table.file, "required column is missing", column=name)
                                     for name in self.missing]
        if self.positions is None or self.missing:
            return
        frame = pd.DataFrame({"line": lines}, index=pd.RangeIndex(self.rows, self.rows + len(lines)))
        self.rows += len(lines)
        for column in table.columns:
            position = self.positions.get(column.name)
            text = cells[position] if position is not None else TextColumn.blank(len(lines))
            frame[column.name] = _parse_column(text, lines, column, table.file, self.cell_problems)
        self.parts.append(frame if self.keep is None else frame[self.keep(frame)])

    def frame(self, violations: list[Violation]) -> pd.DataFrame | None:
        """The kept rows of every chunk as one frame; ``None`` when the header is unusable."""
        violations.extend(self.header_problems)
        if self.positions is None or self.missing:
            return None
        violations.extend(self.cell_problems)
        return _concatenate(self.parts)


def _concatenate(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The chunks' frames as one; identifier columns' categories united in order of first appearance
    (as a whole-file read gives them). Each column is taken out of the chunks as it is joined, so
    the rows are held about once, not twice."""
    if len(parts) == 1:
        return parts[0]
    index = np.concatenate([part.index.to_numpy() for part in parts])
    kept_all = len(index) == 0 or (index[0] == 0 and index[-1] == len(index) - 1)
    columns: dict[str, object] = {}
    for name in list(parts[0].columns):
        pieces = [part.pop(name) for part in parts]
        columns[name] = (union_categoricals(pieces) if isinstance(pieces[0].dtype, pd.CategoricalDtype)
                         else np.concatenate([piece.to_numpy() for piece in pieces]))
    return pd.DataFrame(columns, index=pd.RangeIndex(len(index)) if kept_all else pd.Index(index))


def _file_hint(file: str, source: TableSource) -> str:
    """`` (found 'X': ...)`` when the instance holds a file whose name misspells ``file``."""
    meant = close_match(file, [f for f in source.files() if f not in INSTANCE_FILES])
    return f" (there is '{meant}': file names are case-sensitive and must be exact)" if meant else ""


def _known_columns(header: list[str], table: Table, violations: list[Violation],
                   notes: list[str]) -> dict[str, int] | None:
    """The position of each known column by name; ``None`` when the header repeats or misspells one.

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
    return None if errors else {name: header.index(name) for name in known if name in counts}


ChunkSink = Callable[[list[str], list[TextColumn], np.ndarray], None]


def _scan_cells(source: TableSource, file: str, violations: list[Violation], sink: ChunkSink) -> _Scan | None:
    """Give ``sink``, chunk by chunk, the stripped header names, the data columns as text (by
    position) and each row's line number, entirely blank rows dropped. Every cell is read as text,
    the header as the first row (so repeated names stay as written). ``None`` (with violations) if
    the CSV is malformed: a row longer than the header makes pandas fail, and the rows are then
    counted one by one so that every such row is named with its line."""
    scan, header = _Scan(), None
    try:
        with warnings.catch_warnings(), source.open(file) as handle:
            warnings.simplefilter("error", pd.errors.ParserWarning)
            for raw in pd.read_csv(handle, header=None, dtype=object, keep_default_na=False, skip_blank_lines=False,
                                   index_col=False, encoding="utf-8-sig", chunksize=CHUNK_ROWS):
                first_line = scan.rows + 1
                scan.rows += len(raw)
                if header is None:
                    header = [str(name).strip() for name in raw.iloc[0]]
                    scan.width, raw, first_line = len(header), raw.iloc[1:], 2
                cells = [TextColumn.from_cells(raw.iloc[:, i].to_numpy()) for i in range(raw.shape[1])]
                blank_rows = np.ones(len(raw), dtype=bool)
                for column in cells:
                    blank_rows &= column.is_blank()
                scan.blank |= bool(blank_rows.any())
                scan.maybe_short |= bool((~blank_rows & cells[-1].is_blank()).any())
                kept = np.flatnonzero(~blank_rows)
                sink(header, [column.take(kept) for column in cells] if blank_rows.any() else cells,
                     kept + first_line)
        return scan
    except UnicodeDecodeError as error:
        violations.append(Violation(file, f"file is not valid UTF-8 ({error.reason} at byte {error.start})"))
    except pd.errors.EmptyDataError:
        violations.append(Violation(file, "file is empty: a header row is required"))
    except (pd.errors.ParserError, pd.errors.ParserWarning) as error:
        violations.extend(_bad_widths(source, file) or [Violation(file, f"cannot parse CSV: {error}")])
    return None


def _widths_agree(source: TableSource, file: str, width: int, rows: int, any_blank: bool) -> bool:
    """Whether every row certainly has ``width`` cells, from one count of the file's commas.

    Only called when some row ends in a blank cell (a short row always does, as pandas pads
    it): with no quote (no comma inside a cell) and no blank row, ``rows`` rows of ``width``
    cells hold exactly ``(width - 1) * rows`` commas. Otherwise the rows are counted one by
    one (:func:`_bad_widths`). The file is read block by block.
    """
    if any_blank:
        return False
    commas = 0
    with source.open(file) as handle:
        while block := handle.read(BLOCK):
            if b'"' in block:
                return False
            commas += block.count(b",")
    return commas == (width - 1) * rows


def _bad_widths(source: TableSource, file: str, width: int | None = None) -> list[Violation]:
    """A violation for every non-blank row whose number of cells differs from the header's
    (``width``, or the first row's when ``None``), reading the file row by row."""
    try:
        with source.open(file) as handle:
            rows = enumerate(csv.reader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")), start=1)
            if width is None:
                width = len(next(rows, (1, []))[1])
            return [Violation(file, f"row has {len(row)} cells but the header has {width} columns", line=line)
                    for line, row in rows if len(row) != width and any(cell.strip() for cell in row)]
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
