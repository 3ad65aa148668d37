"""Pluggable methods: module:function, path/to/file.py:function and entry points, through solve and
benchmark; the subgradient method of examples/ is honest about its bound and plan."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pandas as pd
import pytest

import meio.methods
from meio.cli import main
from meio.data import load_instance
from meio.data.bundled import BUNDLED_DIR
from meio.errors import OptionError
from meio.solve import solve
from meio.suite import read_reference

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "subgradient_method.py"
SUBGRADIENT = f"{EXAMPLE}:solve_subgradient"


@pytest.mark.parametrize("member", ["storage_binds", "integer_stock", "all_capacities_bind"])
def test_the_example_runs_through_solve_with_a_proven_bound_and_a_feasible_plan(
        member: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    assert main(["solve", f"reference/{member}", "--method", SUBGRADIENT, "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    optimum = read_reference(BUNDLED_DIR / "reference" / member).value
    assert summary["method"] == "subgradient" and summary["iterations"] >= 1
    assert summary["lower_bound"] <= optimum * (1 + 1e-9) <= summary["objective"] * (1 + 2e-9)
    assert summary["objective"] <= optimum * 1.1
    stock = pd.read_csv(out / "stock.csv")
    assert len(stock) > 0 and (stock["buy"] >= -1e-9).all()


def test_the_example_finds_no_plan_for_the_infeasible_member(tmp_path: Path) -> None:
    result = solve(load_instance("reference/infeasible_storage"), method=SUBGRADIENT)
    assert not result.has_plan and math.isnan(result.objective)


def test_the_example_benchmarks_itself(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    for name in ("storage_binds", "inbound_binds"):
        shutil.copytree(BUNDLED_DIR / "reference" / name, suite / name)
    done = subprocess.run([sys.executable, str(EXAMPLE), str(suite)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "results" / "benchmark-subgradient" / "benchmark.csv")
    assert set(table["method"]) == {"extensive", SUBGRADIENT}
    assert table["flag"].isna().all() and "4 runs, 0 flagged" in done.stdout
    runs = table[table["method"] != "extensive"]
    assert (runs["lower_bound"] <= runs["reference"]).all() and (runs["objective"] >= runs["reference"]).all()


def test_module_function_and_entry_point_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = load_instance("tiny")
    assert solve(tiny, method="meio.exact:solve_extensive").objective == pytest.approx(197)
    point = EntryPoint(name="my-exact", value="meio.exact:solve_extensive", group=meio.methods.ENTRY_POINT_GROUP)
    monkeypatch.setattr(meio.methods, "entry_points", lambda group: [point] if group == point.group else [])
    meio.methods.load_method.cache_clear()
    try:
        assert meio.methods.registered_methods() == {"my-exact": "meio.exact:solve_extensive"}
        assert solve(tiny, method="my-exact").objective == pytest.approx(197)
    finally:
        meio.methods.load_method.cache_clear()


@pytest.mark.parametrize("spec, message", [
    ("nope", "unknown method 'nope'"), ("meio.nothing:f", "cannot be imported"),
    ("meio.exact:nothing", "has no attribute"), ("meio.exact:math", "is not a function"),
    ("missing.py:f", "does not exist")])
def test_bad_method_specs_are_option_errors(spec: str, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        solve(load_instance("tiny"), method=spec)


def test_a_method_file_that_fails_to_load_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def solve(:\n")
    assert main(["solve", "tiny", "--method", f"{broken}:solve", "--out", str(tmp_path / "out")]) == 2
    assert "fails to load: SyntaxError" in capsys.readouterr().err
