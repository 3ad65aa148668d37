"""meio benchmark: methods x backends over a suite, the table, and flags on claims the reference refutes."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from meio.cli import main
from meio.data import load_instance
from meio.data.bundled import BUNDLED_DIR
from meio.errors import OptionError
from meio.solve import solve
from meio.suite import read_reference
from meio.suite.benchmark import BOUND_ABOVE, FLAG_TOLERANCE, NOT_RUN, OBJECTIVE_BELOW, flags
from meio.suite.table import COLUMNS

SMALL = ("storage_binds", "integer_stock", "infeasible_storage")


def small_suite(directory: Path, members: tuple[str, ...] = SMALL) -> Path:
    """A directory suite: copies of bundled members with their reference.toml."""
    for name in members:
        shutil.copytree(BUNDLED_DIR / "reference" / name, directory / name)
    return directory


def test_flags_only_what_the_reference_refutes() -> None:
    assert flags(100.0, 99.0, 100.0) == ""
    assert flags(100.0, 100.0 + 50 * FLAG_TOLERANCE, 100.0) == ""  # within the tolerance
    assert flags(100.0, 100.1, 100.0) == BOUND_ABOVE
    assert flags(99.9, 99.0, 100.0) == OBJECTIVE_BELOW
    assert flags(99.9, 100.1, 100.0) == f"{BOUND_ABOVE};{OBJECTIVE_BELOW}"
    assert flags(5.0, 1.0, math.inf) == OBJECTIVE_BELOW  # a plan for an infeasible instance
    assert flags(math.nan, math.inf, 100.0) == BOUND_ABOVE  # infeasibility claimed for a feasible one
    assert flags(math.nan, math.inf, math.inf) == ""
    assert flags(1.0, 2.0, math.nan) == ""  # no reference: nothing to compare


def test_benchmark_decomposition_rows_lie_within_the_gap_of_the_references(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    assert main(["benchmark", str(small_suite(tmp_path / "suite")), "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "12 runs, 0 flagged, 0 failed" in printed.out
    assert "[1/12]" not in printed.err  # progress only on a terminal
    table = pd.read_csv(out / "benchmark.csv")
    assert list(table.columns) == COLUMNS
    assert len(table) == len(SMALL) * 2 * 2 and table["flag"].isna().all()
    assert set(table["method"]) == {"extensive", "decomposition"} and set(table["backend"]) == {"highs", "ortools"}
    feasible = table[table["instance"] != "infeasible_storage"]
    slack = FLAG_TOLERANCE * feasible["reference"].abs()
    assert (feasible["lower_bound"] <= feasible["reference"] + slack).all()
    assert (feasible["objective"] >= feasible["reference"] - slack).all()
    extensive = feasible[feasible["method"] == "extensive"]
    assert (extensive["relative_error"].abs() <= 1e-9).all()
    decomposition = feasible[feasible["method"] == "decomposition"]
    assert decomposition["iterations"].notna().all()
    assert set(table.loc[table["instance"] == "infeasible_storage", "status"]) == {"infeasible"}
    markdown = (out / "benchmark.md").read_text()
    assert markdown.startswith("| instance | method | backend | status |") and "0 flagged" in markdown


LIAR = '''
import math
from meio.exact import solve_extensive

def solve(instance, backend, options):
    result = solve_extensive(instance, backend, options)
    result.lower_bound = result.objective * 1.01  # claims a bound above the optimum
    return result
'''


def test_a_bound_above_the_reference_is_flagged_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    method = tmp_path / "liar.py"
    method.write_text(LIAR)
    suite = small_suite(tmp_path / "suite", ("storage_binds",))
    out = tmp_path / "out"
    assert main(["benchmark", str(suite), "--methods", f"extensive,{method}:solve", "--backends", "highs",
                 "--out", str(out)]) == 1
    assert "2 runs, 1 flagged" in capsys.readouterr().out
    table = pd.read_csv(out / "benchmark.csv")
    assert table.set_index("method").loc[f"{method}:solve", "flag"] == BOUND_ABOVE


def test_a_suite_without_references_is_benchmarked_unflagged(tmp_path: Path) -> None:
    suite = small_suite(tmp_path / "suite", ("storage_binds",))
    (suite / "storage_binds" / "reference.toml").unlink()
    out = tmp_path / "out"
    assert main(["benchmark", str(suite), "--methods", "extensive", "--backends", "highs", "--time-limit", "60",
                 "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "benchmark.csv")
    assert table["reference"].isna().all() and table["flag"].isna().all() and table["status"].tolist() == ["optimal"]


@pytest.mark.parametrize("argv", [
    ["--methods", "nope"], ["--backends", "cplexx"], ["--methods", "decomposition", "--backends", "pyomo:glpk"],
    ["--methods", ""], ["--time-limit", "0"]])
def test_bad_options_exit_2(tmp_path: Path, argv: list[str]) -> None:
    suite = small_suite(tmp_path / "suite", ("storage_binds",))
    assert main(["benchmark", str(suite), *argv, "--out", str(tmp_path / "out")]) == 2


VARIANT_MEMBERS = ("budget_binds", "category_storage_binds")


def test_variant_members_are_benchmarked_with_their_variants_within_the_gap(tmp_path: Path) -> None:
    """The decomposition prices the members' cross-product rows (budget, category storage): its bound
    is above the optimum of the model without them and both methods bracket the reference."""
    suite = small_suite(tmp_path / "suite", VARIANT_MEMBERS)
    out = tmp_path / "out"
    assert main(["benchmark", str(suite), "--backends", "highs", "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "benchmark.csv").set_index(["instance", "method"])
    assert table["flag"].isna().all() and set(table["status"]) == {"optimal"}
    assert (table.xs("extensive", level="method")["relative_error"].abs() <= 1e-9).all()
    for name in VARIANT_MEMBERS:
        row = table.loc[(name, "decomposition")]
        without = solve(load_instance(f"reference/{name}")).objective  # the model without the variants
        assert without < row["lower_bound"] <= row["reference"] * (1 + FLAG_TOLERANCE)
        assert row["objective"] >= row["reference"] * (1 - FLAG_TOLERANCE)


TAKES_VARIANTS = '''
from meio.exact import solve_extensive
from meio.methods import takes_variants

def plain(instance, backend, options):
    return solve_extensive(instance, backend, options)

@takes_variants
def with_variants(instance, backend, options, variants):
    return solve_extensive(instance, backend, options, variants=variants)
'''


def test_a_pluggable_method_runs_on_variant_members_only_when_it_declares_variants(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    method = tmp_path / "methods.py"
    method.write_text(TAKES_VARIANTS)
    plain, declared = f"{method}:plain", f"{method}:with_variants"
    suite = small_suite(tmp_path / "suite", ("budget_binds", "storage_binds"))
    out = tmp_path / "out"
    assert main(["benchmark", str(suite), "--methods", f"{plain},{declared}", "--backends", "highs",
                 "--out", str(out)]) == 0
    assert "4 runs, 0 flagged, 0 failed, 1 not run" in capsys.readouterr().out
    table = pd.read_csv(out / "benchmark.csv").set_index(["instance", "method"])
    skipped = table.loc[("budget_binds", plain)]
    assert skipped["status"] == NOT_RUN and math.isnan(skipped["objective"]) and math.isnan(skipped["flag"])
    assert "carries model variants (budget:amount=500)" in skipped["message"]
    assert "takes_variants" in skipped["message"]
    assert table.loc[("storage_binds", plain), "status"] == "optimal"  # no variants: every method runs
    assert abs(table.loc[("budget_binds", declared), "relative_error"]) <= 1e-9  # solved with the budget


def test_solve_passes_variants_only_to_a_method_that_declares_them(tmp_path: Path) -> None:
    method = tmp_path / "methods.py"
    method.write_text(TAKES_VARIANTS)
    instance = load_instance("reference/budget_binds")
    reference = read_reference(BUNDLED_DIR / "reference" / "budget_binds")
    result = solve(instance, method=f"{method}:with_variants", variants=reference.variants)
    assert result.objective == pytest.approx(reference.lp, rel=1e-9)
    assert result.details["variants"] == [{"name": "budget", "parameters": {"amount": 500.0}}]
    with pytest.raises(OptionError, match="takes no model variants"):
        solve(instance, method=f"{method}:plain", variants=reference.variants)


def test_a_bad_variant_in_a_reference_exits_2_before_anything_runs(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture) -> None:
    suite = small_suite(tmp_path / "suite", ("storage_binds",))
    toml = suite / "storage_binds" / "reference.toml"
    toml.write_text(toml.read_text().replace("variants = []", 'variants = ["bugdet:amount=5000"]'))
    assert main(["benchmark", str(suite), "--out", str(tmp_path / "out")]) == 2
    assert "storage_binds: reference.toml: unknown variant 'bugdet' (did you mean budget?)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_unknown_suite_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["benchmark", "no_such_suite", "--out", str(tmp_path)]) == 2
    assert "bundled suite (reference)" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["benchmark", str(tmp_path / "empty"), "--out", str(tmp_path)]) == 2


FAILING = '''
from meio.errors import SolverError

def solve(instance, backend, options):
    raise SolverError("the solver crashed")
'''


def test_a_method_that_raises_is_a_failed_row_and_the_benchmark_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    method = tmp_path / "failing.py"
    method.write_text(FAILING)
    suite = small_suite(tmp_path / "suite", ("storage_binds", "integer_stock"))
    out = tmp_path / "out"
    assert main(["benchmark", str(suite), "--methods", f"{method}:solve", "--backends", "highs",
                 "--out", str(out)]) == 0
    assert "2 runs, 0 flagged, 2 failed" in capsys.readouterr().out
    table = pd.read_csv(out / "benchmark.csv")
    assert table["status"].tolist() == ["failed", "failed"] and set(table["message"]) == {"the solver crashed"}
