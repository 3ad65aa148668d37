"""Fuzz test of the command line (#9): mutated small instances and fuzzed option values.

Each example copies a valid small instance (the bundled ``tiny`` or a small generated one),
applies one mutation (a cell, a header, a row, a file or ``instance.toml``) or draws option
values, runs ``meio.cli.main`` in-process and checks the documented contract (docs/cli.md):
no traceback, exit code 0 (plan written), 1 (valid input, no plan) or 2 (bad input or
options); on exit 2 one message naming a file (with line and column when a cell was changed)
or an option; on a successful solve a summary.json with a finite objective and a lower bound
that is null or not above it. Mutations and options that certainly break the format or the
option rules (a duplicated or missing required column, a row of the wrong width, a missing
required table, a non-number or 1e308 in a required number column, a bad instance.toml value,
a negative limit, a decomposition option with ``--method extensive``) must give exit 2.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.random_instance import HEADERS, write_random_instance

import meio.data.bundled
from meio.cli import main

TINY = Path(meio.data.bundled.__file__).parent / "tiny"
EXIT_CODES = (0, 1, 2)
BOUND_TOLERANCE = 1e-6
BAD_CELLS = ("-1", "-0.5", "0", "abc", "1e308", "-1e308", "1e400", "", " ", "inf", "-inf", "nan", "NaN", "1,5")
NOT_NUMBERS = frozenset(BAD_CELLS) - {"0"}
"""Cell values no required number column accepts (they are negative, absurd or not numbers)."""
IDS = frozenset({"product", "node", "zone", "speed", "origin", "destination", "scenario", "window"})
REQUIRED_NUMBERS = frozenset((table, c) for table, columns in HEADERS.items() for c in columns if c not in IDS)
REQUIRED_TABLES = frozenset(HEADERS) - {"inventory", "scenarios", "windows"}
TOML_KEYS = ("name", "description", "max_route_lanes", "integer_stock", "unknown_key")
TOML_VALUES = ('3', '"two"', "-1", "0", "1.5", "1e308", "true", '"yes"', "[1, 2]", "{ a = 1 }", "", "nan")
TOML_VALID = {"name": {'"two"', '"yes"'}, "description": {'"two"', '"yes"'}, "max_route_lanes": {"3"},
              "integer_stock": {"true"}}
"""The values of TOML_VALUES each key accepts (unknown_key: not decided here)."""
ERROR_LINE = re.compile(r"^meio [\w-]+: error:", re.MULTILINE)
FILE_NAME = re.compile(r"\b[\w-]+\.(?:csv|toml)\b")
OPTION_NAME = re.compile(r"--[a-z][a-z-]+")
CELL_PLACE = re.compile(r"\b[\w-]+\.csv\b.*\bline \d+.*\bcolumn\b")

INPUT_COMMANDS = (
    ("validate",),
    ("info",),
    ("info", "--no-model"),
    ("solve", "--method", "extensive", "--backend", "highs"),
    ("solve", "--method", "extensive", "--backend", "ortools"),
    ("solve", "--method", "decomposition", "--backend", "highs", "--max-iterations", "20"),
)
OPTION_VALUES = {
    "--time-limit": ("-1", "0", "nan", "inf", "abc", "1e308", "30"),
    "--mip-gap": ("-1", "nan", "2", "0", "abc", "0.01"),
    "--workers": ("0", "-1", "2", "x"),
    "--gap": ("-1", "nan", "0", "2", "abc", "1e-4"),
    "--max-iterations": ("0", "-1", "1", "3", "x"),
    "--warm-start": ("no-such-result-dir",),
}
BAD_OPTIONS = {"--time-limit": {"-1", "nan", "abc"}, "--mip-gap": {"-1", "nan", "abc"}, "--workers": {"0", "-1", "x"},
               "--gap": {"-1", "nan", "abc"}, "--max-iterations": {"-1", "x"}, "--warm-start": {"no-such-result-dir"}}
DECOMPOSITION_ONLY = frozenset({"--workers", "--gap", "--max-iterations", "--warm-start", "--no-stabilization"})
Table = list[list[str]]


def read_table(path: Path) -> Table:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_table(path: Path, table: Table) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)


def pick_file(directory: Path, number: int, pattern: str = "*.csv") -> Path:
    """One of the instance's files (by ``number`` modulo their count)."""
    files = sorted(directory.glob(pattern))
    return files[number % len(files)]


def misspelt(name: str, position: int) -> str:
    """``name`` with two adjacent different letters swapped (``inventory`` -> ``inventroy``)."""
    pairs = [i for i in range(len(name) - 1) if name[i] != name[i + 1]]
    if not pairs:
        return name + "x"
    i = pairs[position % len(pairs)]
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


@dataclass(frozen=True)
class CellMutation:
    """One data cell of a table set to an awkward value."""

    file: int
    row: int
    column: int
    value: str
    about_cell = True

    def apply(self, directory: Path) -> bool:
        """Change the cell; whether the instance now certainly breaks the format."""
        path = pick_file(directory, self.file)
        table = read_table(path)
        if len(table) < 2:
            return False
        c = self.column % len(table[0])
        table[1 + self.row % (len(table) - 1)][c] = self.value
        write_table(path, table)
        return (path.stem, table[0][c]) in REQUIRED_NUMBERS and self.value in NOT_NUMBERS


@dataclass(frozen=True)
class HeaderMutation:
    """A column name duplicated, misspelt, upper-cased, or the column removed."""

    file: int
    column: int
    kind: str
    about_cell = False

    def apply(self, directory: Path) -> bool:
        """Change the header; whether the instance now certainly breaks the format."""
        path = pick_file(directory, self.file)
        table = read_table(path)
        header, c = table[0], self.column % len(table[0])
        required = header[c] in HEADERS[path.stem]
        duplicated = self.kind == "copy" or (self.kind == "clash" and len(header) > 1)
        if self.kind == "copy":  # the same column twice
            for row in table:
                row.insert(c + 1, row[c])
        elif self.kind == "clash":  # another column renamed to this one
            header[c - 1] = header[c]
        elif self.kind == "misspell":
            header[c] = misspelt(header[c], self.column)
        elif self.kind == "case":
            header[c] = header[c].upper()
        else:  # remove
            for row in table:
                del row[c:c + 1]
        write_table(path, table)
        return duplicated or (required and self.kind in ("misspell", "case", "remove"))


@dataclass(frozen=True)
class RowMutation:
    """A data row deleted, duplicated, cut short, given an extra cell; or all rows deleted."""

    file: int
    row: int
    kind: str
    about_cell = False

    def apply(self, directory: Path) -> bool:
        """Change the rows; whether the instance now certainly breaks the format."""
        path = pick_file(directory, self.file)
        table = read_table(path)
        if len(table) < 2:
            return False
        r = 1 + self.row % (len(table) - 1)
        if self.kind == "delete":
            del table[r]
        elif self.kind == "duplicate":
            table.insert(r, list(table[r]))
        elif self.kind == "short":
            table[r].pop()
        elif self.kind == "long":
            table[r].append("1")
        else:  # header only
            del table[1:]
        write_table(path, table)
        return self.kind in ("duplicate", "short", "long")


@dataclass(frozen=True)
class FileMutation:
    """A file (a table or instance.toml) removed, renamed with a typo, or emptied."""

    file: int
    kind: str
    about_cell = False

    def apply(self, directory: Path) -> bool:
        """Change the file; whether the instance now certainly breaks the format."""
        path = pick_file(directory, self.file, "*.*")
        if self.kind == "remove":
            path.unlink()
        elif self.kind == "rename":
            path.rename(path.with_name(misspelt(path.stem, self.file) + path.suffix))
        else:  # empty
            path.write_text("", encoding="utf-8")
        return path.stem in REQUIRED_TABLES


@dataclass(frozen=True)
class TomlMutation:
    """``key = value`` in instance.toml, replacing the key's line (or added)."""

    key: str
    value: str
    about_cell = False

    def apply(self, directory: Path) -> bool:
        """Set the key; whether the instance now certainly breaks the format."""
        path = directory / "instance.toml"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        kept = [line for line in lines if line.split("=")[0].strip() != self.key]
        path.write_text("\n".join([*kept, f"{self.key} = {self.value}"]) + "\n", encoding="utf-8")
        return self.value == "" or self.value not in TOML_VALID.get(self.key, TOML_VALUES)


Mutation = CellMutation | HeaderMutation | RowMutation | FileMutation | TomlMutation
numbers = st.integers(min_value=0, max_value=40)
mutations = st.one_of(
    st.builds(CellMutation, numbers, numbers, numbers, st.sampled_from(BAD_CELLS)),
    st.builds(HeaderMutation, numbers, numbers, st.sampled_from(["copy", "clash", "misspell", "case", "remove"])),
    st.builds(RowMutation, numbers, numbers, st.sampled_from(["delete", "duplicate", "short", "long", "empty"])),
    st.builds(FileMutation, numbers, st.sampled_from(["remove", "rename", "empty"])),
    st.builds(TomlMutation, st.sampled_from(TOML_KEYS), st.sampled_from(TOML_VALUES)),
)


@st.composite
def solve_options(draw: st.DrawFn) -> tuple[list[str], bool]:
    """Method, backend and any subset of the solve options with awkward values; and whether
    they certainly break the option rules."""
    method = draw(st.sampled_from(["extensive", "decomposition"]))
    argv = ["--method", method, "--backend", draw(st.sampled_from(["highs", "ortools"]))]
    bad = False
    for option, values in OPTION_VALUES.items():
        value = draw(st.none() | st.sampled_from(values))
        if value is not None:
            argv += [option, value]
            bad = bad or value in BAD_OPTIONS[option] or (method == "extensive" and option in DECOMPOSITION_ONLY)
    if draw(st.booleans()):
        argv.append("--no-stabilization")
        bad = bad or method == "extensive"
    return argv, bad


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The valid instances mutated: the bundled tiny one and a small generated one."""
    root = tmp_path_factory.mktemp("bases")
    generated = write_random_instance(root / "generated", 11, products=2, nodes=2, zones=2, speeds=2, scenarios=3,
                                      on_hand=True, weights=True, windows=True, capacities=True)
    return [shutil.copytree(TINY, root / "tiny"), generated]


@contextlib.contextmanager
def copy_of(base: Path) -> Iterator[Path]:
    """A scratch copy of the instance ``base`` (removed afterwards)."""
    with tempfile.TemporaryDirectory() as scratch:
        yield shutil.copytree(base, Path(scratch) / "instance")


def run_cli(argv: list[str]) -> tuple[object, str]:
    """Exit code and standard error of ``meio ARGV`` run in-process (argparse's exits included)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code: object
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(argv)
        except SystemExit as stop:
            code = stop.code
    return code, stderr.getvalue()


def check_run(argv: list[str], out: Path, about_cell: bool = False, bad: bool = False) -> None:
    """Run the command and check the exit contract; ``about_cell``: a cell was changed;
    ``bad``: the input or options certainly break the rules (exit 2 expected)."""
    code, stderr = run_cli(argv)
    assert code in EXIT_CODES, f"exit code {code!r}\n{stderr}"
    assert "Traceback" not in stderr, stderr
    assert code == 2 or not bad, f"exit {code} for input or options that break the rules\n{stderr}"
    if code == 2:
        check_message(stderr, about_cell)
    elif code == 0 and argv[0] == "solve":
        check_summary(out / "summary.json")


def check_message(stderr: str, about_cell: bool) -> None:
    """One error message, naming a file (line and column for a cell) or an option."""
    starts = [match.start() for match in ERROR_LINE.finditer(stderr)]
    assert len(starts) == 1, f"not one error message:\n{stderr}"
    message = stderr[starts[0]:]
    assert FILE_NAME.search(message) or OPTION_NAME.search(message), f"names no file or option:\n{message}"
    if about_cell and not OPTION_NAME.search(message):
        assert CELL_PLACE.search(message), f"a changed cell without file, line and column:\n{message}"


def check_summary(path: Path) -> None:
    """summary.json of a plan: finite objective, lower bound null or not above it."""
    assert path.exists(), "exit 0 without summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    objective, bound = summary.get("objective"), summary.get("lower_bound")
    assert isinstance(objective, int | float) and math.isfinite(objective), f"objective {objective!r}"
    if bound is not None:
        assert bound <= objective + BOUND_TOLERANCE * max(1.0, abs(objective)), f"bound {bound} > {objective}"


def test_the_unmutated_instances_solve(bases: list[Path], tmp_path: Path) -> None:
    for base in bases:
        code, stderr = run_cli(["solve", str(base), "--out", str(tmp_path / base.name), "--quiet"])
        assert code == 0, stderr
        check_summary(tmp_path / base.name / "summary.json")


@settings(max_examples=60, deadline=None)
@given(base=st.integers(0, 1), mutation=mutations, command=st.sampled_from(INPUT_COMMANDS))
def test_mutated_instances_keep_the_exit_contract(bases: list[Path], base: int, mutation: Mutation,
                                                  command: tuple[str, ...]) -> None:
    with copy_of(bases[base]) as directory:
        bad = mutation.apply(directory)
        out = directory.parent / "out"
        argv = [command[0], str(directory), *command[1:]]
        check_run(argv + (["--out", str(out), "--quiet"] if command[0] == "solve" else []), out,
                  mutation.about_cell, bad)


@settings(max_examples=40, deadline=None)
@given(base=st.integers(0, 1), options=solve_options())
def test_solve_options_keep_the_exit_contract(bases: list[Path], base: int, options: tuple[list[str], bool]) -> None:
    argv, bad = options
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        check_run(["solve", str(bases[base]), *argv, "--out", str(out), "--quiet"], out, bad=bad)


#: Variants that break the contract f(built) -> None, and what their message must name besides the variant.
BROKEN_VARIANTS = '''
import pyomo.environ as pyo


def wrong_sig(built, extra):
    pass


def no_arg():
    pass


def raises(built):
    raise ValueError("my bug")


def nonlinear(built):
    m = built.model
    k = next(iter(m.A))
    m.nl = pyo.Constraint(expr=m.y[k] * m.y[k] <= 4)


def quad_cost(built):
    m = built.model
    k = next(iter(m.A))
    built.add_cost("quad", m.y[k] * m.y[k])


def own_objective(built):
    m = built.model
    m.obj2 = pyo.Objective(expr=sum(m.y[k] for k in m.A))
'''
BROKEN = {"wrong_sig": "one argument", "no_arg": "one argument", "raises": "ValueError: my bug",
          "nonlinear": "nl is not linear", "quad_cost": "quad is not linear",
          "own_objective": "declares the objective obj2"}


@pytest.mark.parametrize("method", ["extensive", "decomposition"])
@pytest.mark.parametrize("name", [*BROKEN, "json:loads"])
def test_a_broken_variant_is_one_message_naming_it_and_exit_2(tmp_path: Path, method: str, name: str) -> None:
    file = tmp_path / "broken.py"
    file.write_text(BROKEN_VARIANTS, encoding="utf-8")
    spec = name if ":" in name else f"{file}:{name}"
    code, stderr = run_cli(["solve", str(TINY), "--method", method, "--variant", spec, "--out", str(tmp_path / "o"),
                            "--quiet"])
    assert code == 2, stderr
    assert "Traceback" not in stderr and len(ERROR_LINE.findall(stderr)) == 1, stderr
    message = stderr[ERROR_LINE.search(stderr).start():]  # type: ignore[union-attr]
    assert f"variant {spec}" in message and BROKEN.get(name, "TypeError") in message, message
