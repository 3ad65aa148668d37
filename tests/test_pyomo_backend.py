"""--backend pyomo:NAME: the extensive form on any solver Pyomo drives, tested with GLPK (installed by
`make test` from Debian's packages): optima, duals, MIP bounds, infeasibility, and option errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from meio.cli import main
from meio.data import load_instance
from meio.data.bundled import BUNDLED_DIR
from meio.errors import MeioError, OptionError
from meio.exact import solve_extensive
from meio.solvers import SolveOptions, Termination, get_backend
from meio.suite import read_reference
from meio.suite.optimum import relative_difference

GLPK = "pyomo:glpk"


def test_glpk_is_installed() -> None:
    assert shutil.which("glpsol"), "GLPK (glpsol) is missing: `make test` installs it (apt-get install glpk-utils)"


def test_tiny_on_glpk_matches_its_hand_derivation_with_its_storage_price(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["solve", "tiny", "--backend", GLPK, "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["backend"] == GLPK and summary["status"] == "optimal"
    assert summary["objective"] == pytest.approx(197) and summary["lower_bound"] == pytest.approx(197)
    prices = pd.read_csv(out / "prices.csv").set_index("constraint")
    assert prices.loc["storage[FC1]", "price"] == pytest.approx(1.0)


def test_glpk_stopped_at_its_mip_gap_is_a_plan_without_a_bound_and_gap_zero_proves_it(tmp_path: Path) -> None:
    """GLPK reports 'feasible', and Pyomo no bound, when it stops at the MIP gap (it was called a
    solver error); --mip-gap 0 makes it prove the optimum."""
    reference = read_reference(BUNDLED_DIR / "reference" / "integer_capacities").value
    assert main(["solve", "reference/integer_capacities", "--backend", GLPK, "--out", str(tmp_path), "--quiet"]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert (summary["status"], summary["termination"], summary["lower_bound"]) == ("feasible", "completed", None)
    assert "--mip-gap 0 makes it prove the optimum" in summary["message"]
    assert summary["objective"] >= reference * (1 - 1e-9)
    proven = solve_extensive(load_instance("reference/integer_capacities"), GLPK, SolveOptions(mip_gap=0.0))
    assert proven.termination is Termination.OPTIMAL and proven.lower_bound == pytest.approx(reference, rel=1e-9)


def test_the_evaluation_commands_take_any_backend_the_solve_takes(tmp_path: Path) -> None:
    assert main(["baseline", "tiny", "--policy", "speed-blind", "--backend", GLPK, "--out", str(tmp_path / "b"),
                 "--quiet"]) == 0
    assert json.loads((tmp_path / "b" / "summary.json").read_text(encoding="utf-8"))["backend"] == GLPK


@pytest.mark.parametrize("member", ["on_hand", "fill_rate_target", "all_capacities_bind", "integer_stock"])
def test_glpk_reproduces_the_reference_optimum(member: str) -> None:
    reference = read_reference(BUNDLED_DIR / "reference" / member)
    result = solve_extensive(load_instance(f"reference/{member}"), GLPK, SolveOptions(mip_gap=1e-9))
    assert result.termination is Termination.OPTIMAL
    assert relative_difference(result.objective, reference.value) <= 1e-6
    assert result.lower_bound <= result.objective
    if reference.mip is None:  # LP: a dual for every linking row (degenerate LPs have many: check optimality)
        prices = result.prices
        assert prices["price"].notna().all() and (prices["price"] >= 0).all()
        slack = prices["slack"] / prices["rhs"].abs().clip(lower=1.0)
        assert (prices["price"] * slack).abs().max() <= 1e-6  # complementary slackness


def test_glpk_proves_the_infeasible_member_infeasible(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["solve", "reference/infeasible_storage", "--backend", GLPK, "--out", str(tmp_path)]) == 1
    assert "storage" in capsys.readouterr().out
    assert json.loads((tmp_path / "summary.json").read_text())["status"] == "infeasible"


def test_a_time_limit_reaches_the_solver_and_unknown_ones_are_refused() -> None:
    instance = load_instance("tiny")
    assert solve_extensive(instance, GLPK, SolveOptions(time_limit=30)).objective == pytest.approx(197)
    with pytest.raises(OptionError, match="time-limit option"):
        backend = get_backend(GLPK)
        backend.solver = "exotic"  # a solver whose option name meio does not know
        backend._options(SolveOptions(time_limit=1), integer=False)


@pytest.mark.parametrize("name, message", [("pyomo:", "needs a solver name"), ("pyomo:no_such", "cannot run"),
                                           ("pyomo", "unknown backend"), ("highs:x", "unknown backend")])
def test_bad_backend_names(name: str, message: str) -> None:
    with pytest.raises(MeioError, match=message):
        get_backend(name)


def test_decomposition_refuses_a_pyomo_backend(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["solve", "tiny", "--method", "decomposition", "--backend", GLPK, "--out", str(tmp_path)]) == 2
    assert "runs on highs or ortools" in capsys.readouterr().err


def test_benchmark_runs_on_glpk(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    shutil.copytree(BUNDLED_DIR / "reference" / "storage_binds", suite / "storage_binds")
    assert main(["benchmark", str(suite), "--methods", "extensive", "--backends", f"highs,{GLPK}",
                 "--out", str(tmp_path / "out"), "--quiet"]) == 0
    table = pd.read_csv(tmp_path / "out" / "benchmark.csv")
    assert table["backend"].tolist() == ["highs", GLPK] and table["flag"].isna().all()
    assert table["lower_bound"].notna().all()
