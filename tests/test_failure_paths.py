"""Every reported number proven, every failure a clear outcome (issue #9): stopped solves,
infeasible instances through both methods, solver failures, option values."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
from support.random_instance import write_random_instance

from meio.cli import main
from meio.data import load_instance
from meio.decomposition import DecompositionConfig, solve_decomposition
from meio.decomposition.lp import LPSolution
from meio.errors import OptionError, SolverError
from meio.exact import solve_extensive
from meio.solvers import SolveOptions, Status, Termination
from meio.solvers.check import violation
from meio.solvers.matrix import compile_matrix

BACKENDS = ["highs", "ortools"]
#: The demo's optimum (docs/instances.md; HiGHS and OR-Tools agree).
DEMO_OPTIMUM = 89_525.9946560661


@pytest.mark.parametrize(("termination", "plan", "bound", "status"), [
    (Termination.OPTIMAL, True, True, Status.OPTIMAL),
    (Termination.OPTIMAL, True, False, Status.FEASIBLE),
    (Termination.COMPLETED, True, True, Status.FEASIBLE),
    (Termination.TIME_LIMIT, True, False, Status.TIME_LIMIT),
    (Termination.TIME_LIMIT, False, False, Status.TIME_LIMIT),
    (Termination.ITERATION_LIMIT, False, True, Status.ITERATION_LIMIT),
    (Termination.INFEASIBLE, False, True, Status.INFEASIBLE),
    (Termination.NUMERICAL_FAILURE, False, False, Status.ERROR),
    (Termination.SOLVER_ERROR, True, False, Status.FEASIBLE),
])
def test_status_is_optimal_only_with_a_plan_and_a_proven_bound(termination: Termination, plan: bool, bound: bool,
                                                               status: Status) -> None:
    assert Status.of(termination, plan, bound) is status


def test_the_plan_check_names_what_a_point_breaks() -> None:
    model = pyo.ConcreteModel()
    model.a = pyo.Var(bounds=(0, 4))
    model.b = pyo.Var(within=pyo.NonNegativeIntegers)
    model.row = pyo.Constraint(expr=model.a + model.b <= 5)
    model.cost = pyo.Objective(expr=model.a + 2 * model.b)
    form = compile_matrix(model)
    order = [v.name for v in form.variables]

    def point(a: float, b: float) -> np.ndarray:
        return np.array([{"a": a, "b": b}[name] for name in order])

    assert violation(form, point(3.0, 2.0)) is None
    assert "row is violated" in str(violation(form, point(4.0, 2.0)))
    assert "a is outside its bounds" in str(violation(form, point(4.5, 0.0)))
    assert "b is not integer" in str(violation(form, point(1.0, 0.5)))
    assert "no complete finite point" in str(violation(form, point(math.nan, 0.0)))


def _summary(directory: Path) -> dict[str, object]:
    return dict(json.loads((directory / "summary.json").read_text()))


def _assert_proven(summary: dict[str, object], optimum: float) -> None:
    """A reported objective is a plan's cost (never below the optimum); a bound never above it."""
    objective, bound = summary["objective"], summary["lower_bound"]
    assert summary["has_plan"] is (objective is not None)
    if objective is not None:
        assert float(objective) >= optimum * (1 - 1e-7)  # type: ignore[arg-type]
    if bound is not None:
        assert float(bound) <= optimum * (1 + 1e-7)  # type: ignore[arg-type]
    if summary["status"] == "optimal":
        assert objective is not None and bound is not None


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("method", "limit"), [("extensive", "0.05"), ("decomposition", "2")])
def test_a_time_limited_solve_writes_a_summary_with_only_proven_numbers(tmp_path: Path, backend: str, method: str,
                                                                        limit: str) -> None:
    out = tmp_path / "out"
    code = main(["solve", "demo", "--method", method, "--backend", backend, "--time-limit", limit,
                 "--out", str(out), "--quiet"])
    summary = _summary(out)
    assert code == (0 if summary["has_plan"] else 1)
    assert summary["termination"] in ("time_limit", "optimal")
    _assert_proven(summary, DEMO_OPTIMUM)
    if not summary["has_plan"]:
        assert summary["message"]
        assert not (out / "stock.csv").exists()


def _infeasible(directory: Path, seed: int) -> Path:
    """A random network whose fastest speed must fill 99.9% while the stock that could serve it is capped."""
    write_random_instance(directory, seed, products=5, nodes=3, zones=3, speeds=2, scenarios=3, capacities=True,
                          service_targets=True)
    speeds = pd.read_csv(directory / "speeds.csv")
    speeds["fill_rate_target"] = [0.999] + [math.nan] * (len(speeds) - 1)
    speeds.to_csv(directory / "speeds.csv", index=False)
    nodes = pd.read_csv(directory / "nodes.csv")
    nodes["storage_capacity"] = 1.0
    nodes.to_csv(directory / "nodes.csv", index=False)
    return directory


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_infeasible_instances_are_proven_infeasible_by_both_methods_with_one_message(tmp_path: Path,
                                                                                      seed: int) -> None:
    instance = load_instance(_infeasible(tmp_path / "i", seed))
    messages = set()
    for backend in BACKENDS:
        exact = solve_extensive(instance, backend)
        start = time.perf_counter()
        decomposed = solve_decomposition(instance, backend)
        assert time.perf_counter() - start < 60
        for result in (exact, decomposed):
            assert result.status is Status.INFEASIBLE and not result.has_plan
            assert not math.isfinite(result.objective)
            messages.add(result.message)
    assert len(messages) == 1, messages
    assert "cannot all be met" in messages.pop()


def test_a_subproblem_solver_failure_is_a_solver_error_not_bad_input(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from meio.decomposition import solvers

    def failing(self: object, p: int, costs: np.ndarray, lower: object = None, upper: object = None) -> LPSolution:
        return LPSolution(False, False, math.nan, math.nan, np.empty(0), np.empty(0))

    monkeypatch.setattr(solvers.HighsBasisCache, "solve", failing)
    with pytest.raises(SolverError, match="subproblem of product"):
        solve_decomposition(load_instance("tiny"))
    assert main(["solve", "tiny", "--method", "decomposition", "--out", str(tmp_path / "o"), "--quiet"]) == 1


def test_a_failing_master_is_a_solver_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from meio.decomposition import lp

    def failing(self: object, seconds: float | None = None) -> LPSolution:
        return LPSolution(False, False, math.nan, math.nan, np.empty(0), np.empty(0))

    monkeypatch.setattr(lp.HighsEngine, "solve", failing)
    with pytest.raises(SolverError, match="restricted master"):
        solve_decomposition(load_instance("tiny"))


@pytest.mark.parametrize("options", [
    dict(time_limit=-1.0), dict(time_limit=0.0), dict(mip_gap=-1e-3), dict(mip_gap=1.0), dict(threads=0)])
def test_bad_solve_options_are_rejected(options: dict[str, float]) -> None:
    with pytest.raises(OptionError):
        SolveOptions(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize("options", [
    dict(gap=-1.0), dict(max_iterations=0), dict(workers=0), dict(time_limit=-5.0), dict(alpha=1.0),
    dict(chunk_products=0), dict(builder="cplex")])
def test_bad_decomposition_options_are_rejected(options: dict[str, object]) -> None:
    with pytest.raises(OptionError):
        DecompositionConfig(**options)  # type: ignore[arg-type]
