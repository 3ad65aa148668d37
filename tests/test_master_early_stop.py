"""A phase-two master re-solve by warm primal simplex stops at the first of its feasible plans that
is within the run's gap of the lower bound: that plan is real (it meets every row, its weights are
convex combinations), its cost is what the run reports, and the bounds still bracket the optimum."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from support.generated import generated_with_optimum

import meio.decomposition.master as master_module
from meio.decomposition import DecompositionConfig, solve_decomposition
from meio.decomposition.lp import HighsEngine
from meio.decomposition.master import SLACK_TOLERANCE, MasterSolution, RestrictedMaster
from meio.solvers import Status
from meio.solvers.matrix import LinearModel

GAP = 1e-3


@pytest.fixture(scope="module")
def instance_and_optimum(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, float]:
    return generated_with_optimum(tmp_path_factory.mktemp("early") / "g", products=40, seed=11)


def _checked_solves(monkeypatch: pytest.MonkeyPatch) -> list[tuple[MasterSolution, float | None]]:
    """Every master solve's solution and ``enough``; a stopped one's plan is checked as it is made."""
    original, solves = RestrictedMaster.solve, []

    def solve(self: RestrictedMaster, deadline: float | None = None, enough: float | None = None) -> MasterSolution:
        solution = original(self, deadline, enough)
        solves.append((solution, enough))
        if not solution.optimal:
            weights = solution.weights
            assert enough is not None and solution.objective <= enough
            assert solution.objective == pytest.approx(self.cost(weights), rel=1e-12)
            assert weights.min() >= -1e-9
            np.testing.assert_allclose(np.bincount(self.product_of, weights, len(self.subproblems)), 1.0, atol=1e-7)
            assert np.all(self.use(weights) <= self.capacity + SLACK_TOLERANCE * self.scale)
        return solution

    monkeypatch.setattr(RestrictedMaster, "solve", solve)
    return solves


def test_a_re_solve_stops_at_a_plan_within_the_gap_and_the_bounds_bracket_the_optimum(
        instance_and_optimum: tuple[object, float], monkeypatch: pytest.MonkeyPatch) -> None:
    instance, optimum = instance_and_optimum
    monkeypatch.setattr(master_module, "CHECK_ITERATIONS", 1)  # look at the plan after every iteration
    solves = _checked_solves(monkeypatch)
    result = solve_decomposition(instance, config=DecompositionConfig(gap=GAP, progress=False))  # type: ignore[arg-type]
    stopped = [solution for solution, _ in solves if not solution.optimal]
    assert result.details["master_early_stops"] == len(stopped) == 1  # the run ends with it
    assert not solves[-1][0].optimal
    assert result.status is Status.OPTIMAL and result.gap <= GAP
    assert result.objective == pytest.approx(stopped[0].objective, rel=1e-12)
    assert result.lower_bound <= optimum + 1e-7 * abs(optimum) <= result.objective + 2e-7 * abs(optimum)
    assert sum(result.costs.values()) == pytest.approx(result.objective, rel=1e-7)
    prices = result.prices  # the best bound's prices: non-negative, zero on slack rows
    assert (prices["price"] >= 0.0).all()


def test_without_the_early_stop_every_master_solve_is_optimal(
        instance_and_optimum: tuple[object, float], monkeypatch: pytest.MonkeyPatch) -> None:
    instance, optimum = instance_and_optimum
    monkeypatch.setattr(master_module, "CHECK_ITERATIONS", 1)
    solves = _checked_solves(monkeypatch)
    config = DecompositionConfig(gap=GAP, progress=False, stop_master_within_gap=False)
    result = solve_decomposition(instance, config=config)  # type: ignore[arg-type]
    assert all(solution.optimal and enough is None for solution, enough in solves)
    assert result.details["master_early_stops"] == 0
    assert result.status is Status.OPTIMAL
    assert result.lower_bound <= optimum + 1e-7 * abs(optimum) <= result.objective + 2e-7 * abs(optimum)


def test_the_cli_solves_every_master_to_its_optimum_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "meio", "solve", "tiny", "--method", "decomposition",
                          "--master-to-optimum", "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["master_early_stops"] == 0 and summary["termination"] == "optimal"
    run = subprocess.run([sys.executable, "-m", "meio", "solve", "tiny", "--master-to-optimum", "--out",
                          str(tmp_path / "x")], capture_output=True, text=True)
    assert run.returncode == 2 and "--master-to-optimum applies only to --method decomposition" in run.stderr


def test_solving_until_an_iterate_is_taken_skips_infeasible_iterates_and_else_reaches_the_optimum() -> None:
    # after a cut the basis is dual feasible only: dual simplex's iterates are not plans, so none is
    # offered; refusing every plan gives the optimum of an uninterrupted solve
    size, rng = 200, np.random.default_rng(5)
    A = sp.csr_array(sp.random(size, size, density=0.05, random_state=6) + sp.eye(size))
    model = LinearModel(c=-rng.random(size), A=A, row_lower=np.full(size, -np.inf), row_upper=np.ones(size),
                        lower=np.zeros(size), upper=np.full(size, np.inf), integer=np.zeros(size, dtype=bool))
    cut = sp.csr_array(np.ones((1, size)))
    optima = []
    for take in (True, False):
        engine = HighsEngine(model)
        first = engine.solve()
        assert first.solved
        engine.add_rows(np.array([-np.inf]), np.array([0.5 * first.x.sum()]), cut)
        offered: list[np.ndarray] = []

        def taken(x: np.ndarray, take: bool = take, offered: list[np.ndarray] = offered) -> bool:
            offered.append(x)
            return take

        solution = engine.solve_until(None, taken, 1)
        for x in offered:  # every offered iterate is feasible
            assert x.min() >= -1e-9 and np.all(A @ x <= 1.0 + 1e-7) and x.sum() <= 0.5 * first.x.sum() + 1e-7
        if solution.partial:
            assert offered and not solution.solved
        else:
            assert solution.solved
            optima.append(solution.objective)
    engine = HighsEngine(model)
    first = engine.solve()
    engine.add_rows(np.array([-np.inf]), np.array([0.5 * first.x.sum()]), cut)
    assert optima[-1] == pytest.approx(engine.solve().objective, rel=1e-9)
