"""Anytime decomposition (issue #12): a run stopped by an iteration or time limit writes a plan
that meets every linking row and a lower bound that lies below the optimum."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from test_failure_paths import DEMO_OPTIMUM

from meio.cli import main
from meio.data import load_instance
from meio.decomposition.coordinator import Products, worker_specs
from meio.decomposition.engine import ThreadsEngine
from meio.decomposition.lp import HighsEngine, OrtoolsEngine
from meio.decomposition.master import MasterSolution, MasterStopped, RestrictedMaster
from meio.decomposition.pricing import PricingPass
from meio.solvers.matrix import LinearModel

BACKENDS = ["highs", "ortools"]


def _stopped(out: Path, *limit: str, backend: str = "highs") -> dict[str, object]:
    code = main(["solve", "demo", "--method", "decomposition", "--backend", backend, *limit, "--out", str(out),
                 "--quiet"])
    assert code == 0
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def _assert_plan_and_bound(summary: dict[str, object], out: Path) -> None:
    """A plan that meets every linking row, a bound below the optimum and the gap between them."""
    assert summary["has_plan"] is True
    objective, bound = float(summary["objective"]), float(summary["lower_bound"])  # type: ignore[arg-type]
    assert bound <= DEMO_OPTIMUM * (1 + 1e-9) <= objective * (1 + 1e-9)
    assert summary["gap"] == pytest.approx((objective - bound) / objective)
    prices = pd.read_csv(out / "prices.csv")
    assert (prices["slack"] >= -1e-6 * prices["rhs"].abs().clip(lower=1.0)).all()  # every linking row met
    stock = pd.read_csv(out / "stock.csv")
    assert not stock.empty and (stock["stock"] >= -1e-9).all()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("iterations", ["1", "2"])
def test_an_iteration_limit_writes_a_feasible_plan_and_a_valid_bound(tmp_path: Path, backend: str,
                                                                    iterations: str) -> None:
    summary = _stopped(tmp_path, "--max-iterations", iterations, backend=backend)
    assert summary["termination"] == "iteration_limit"
    _assert_plan_and_bound(summary, tmp_path)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("stopped_solve", [2, 3, 5])
def test_a_master_solve_stopped_by_the_time_limit_leaves_the_best_plan_and_bound(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str, stopped_solve: int) -> None:
    """The time limit ends the ``stopped_solve``-th master solve (the 2nd: phase two's first, so
    the plan is phase one's feasible combination of columns)."""
    solve, calls = RestrictedMaster.solve, []

    def stopping(self: RestrictedMaster, deadline: float | None = None,
                 enough: float | None = None) -> MasterSolution:
        calls.append(deadline)
        if len(calls) == stopped_solve:
            raise MasterStopped
        return solve(self, deadline, enough)

    monkeypatch.setattr(RestrictedMaster, "solve", stopping)
    summary = _stopped(tmp_path, "--time-limit", "3600", backend=backend)
    assert len(calls) == stopped_solve and summary["termination"] == "time_limit"
    assert all(deadline is not None for deadline in calls)  # every master solve is given the deadline
    _assert_plan_and_bound(summary, tmp_path)
    history = pd.read_csv(tmp_path / "convergence.csv")
    assert history["upper_bound"].iloc[-1] == pytest.approx(float(summary["objective"]))  # type: ignore[arg-type]


def test_a_time_limit_before_the_first_master_solve_ends_writes_the_bound_without_a_plan(tmp_path: Path) -> None:
    code = main(["solve", "demo", "--method", "decomposition", "--time-limit", "0.01", "--out", str(tmp_path),
                 "--quiet"])
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert code == 1 and summary["termination"] == "time_limit" and summary["has_plan"] is False
    assert float(summary["lower_bound"]) <= DEMO_OPTIMUM * (1 + 1e-9)
    assert "before the first restricted master solve ended" in summary["message"]


@pytest.mark.parametrize("engine", [HighsEngine, OrtoolsEngine])
def test_an_engine_solve_stops_at_its_own_time_limit(engine: type[HighsEngine] | type[OrtoolsEngine]) -> None:
    size, rng = 600, np.random.default_rng(0)
    A = sp.csr_array(sp.random(size, size, density=0.02, random_state=1) + sp.eye(size))
    lp = engine(LinearModel(c=-rng.random(size), A=A, row_lower=np.full(size, -np.inf), row_upper=np.ones(size),
                            lower=np.zeros(size), upper=np.full(size, np.inf), integer=np.zeros(size, dtype=bool)))
    stopped = lp.solve(0.001)
    assert stopped.stopped and not stopped.solved
    solved = lp.solve(3600.0)  # a limit per solve: the first solve's time is not counted again
    assert solved.solved and not solved.stopped


def test_a_master_solve_past_its_deadline_raises(tmp_path: Path) -> None:
    instance = load_instance("tiny")
    products = Products(ThreadsEngine(1), worker_specs(instance, 1, False, "highs", "numpy", 10, (), None))
    rows, links = products.build(instance)
    master = RestrictedMaster(rows, links, "highs")
    master.add(products.zero_stock())
    with pytest.raises(MasterStopped):
        master.solve(time.perf_counter())
    assert master.solve(time.perf_counter() + 3600.0).phase_one


@pytest.mark.parametrize("limit, passes", [(25.0, 2), (45.0, 4)])
def test_a_pricing_pass_that_would_end_past_the_time_limit_is_not_started(
        monkeypatch: pytest.MonkeyPatch, limit: float, passes: int) -> None:
    """On a clock where every pricing pass takes 10 s and nothing else takes time: the first pass
    (to 10 s), the clearing pass (to 20 s) and further passes while one more would end before the
    limit; none ends past it."""
    from meio.decomposition import DecompositionConfig, solve_decomposition

    clock = [1000.0]
    ends: list[float] = []
    price = Products.price

    def ten_seconds(self: Products, mu: np.ndarray, phase_one: bool = False) -> PricingPass:
        clock[0] += 10.0
        ends.append(clock[0])
        return dataclasses.replace(price(self, mu, phase_one), seconds=10.0)

    monkeypatch.setattr(time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(Products, "price", ten_seconds)
    result = solve_decomposition(load_instance("demo"), config=DecompositionConfig(time_limit=limit, progress=False))
    assert result.termination.value == "time_limit" and result.has_plan
    assert len(ends) == passes == result.details["pricing_passes"] and max(ends) <= 1000.0 + limit
