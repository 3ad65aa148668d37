"""The exact extensive solve against known answers: tiny, the newsvendor quantile, risk pooling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.random_instance import write_instance

from meio.data import load_instance
from meio.exact import solve_extensive
from meio.solvers import Status

BACKENDS = ["highs", "ortools"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_tiny_matches_its_hand_derivation(backend: str) -> None:
    """docs/instances.md: y* = 25 (storage binds), cost 197, storage price 1."""
    result = solve_extensive(load_instance("tiny"), backend)
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(197.0, rel=1e-9)
    assert result.costs == pytest.approx({"purchase": 100.0, "holding": 5.0, "shipping": 20.0,
                                          "lost_sales": 72.0}, rel=1e-9)
    assert result.fill_rate == pytest.approx({"same_day": 0.0, "two_day": 0.8})
    assert result.stock["stock"].tolist() == pytest.approx([25.0])
    assert result.prices.set_index("constraint").at["storage[FC1]", "price"] == pytest.approx(1.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_tiny_integer_equals_lp_when_lp_is_integral(backend: str) -> None:
    result = solve_extensive(load_instance("tiny"), backend, integer=True)
    assert result.objective == pytest.approx(197.0, rel=1e-9)
    assert result.lower_bound <= result.objective + 1e-9
    assert result.prices["price"].isna().all()  # no duals for a MIP


@pytest.mark.parametrize("backend", BACKENDS)
def test_model_variant_is_honoured(backend: str) -> None:
    """A maximum stock of 20 per node: y = 20, cost 80 + (20 + 20 + 140 + 260) / 4 + 12 = 202."""
    def max_stock(built) -> None:
        built.model.max_stock = pyo.Constraint(built.model.A, rule=lambda m, p, n: m.y[p, n] <= 20)

    result = solve_extensive(load_instance("tiny"), backend, variants=[max_stock])
    assert result.objective == pytest.approx(202.0, rel=1e-9)
    assert result.stock["stock"].tolist() == pytest.approx([20.0])


def newsvendor_instance(directory: Path, demand: list[float], unit: float, holding: float, lost: float,
                        ship: float) -> Path:
    return write_instance(directory, {
        "products": [{"product": "p", "unit_volume": 1, "unit_cost": unit, "holding_cost": holding,
                      "lost_sale_cost": lost}],
        "nodes": [{"node": "N"}], "zones": [{"zone": "Z"}], "speeds": [{"speed": "k", "promise_hours": 24}],
        "lanes": [{"origin": "N", "destination": "Z", "transit_hours": 1, "unit_cost": ship}],
        "demand": [{"product": "p", "zone": "Z", "speed": "k", "scenario": f"s{i}", "quantity": d}
                   for i, d in enumerate(demand)],
    })


def newsvendor_cost(y: float, demand: np.ndarray, unit: float, holding: float, lost: float, ship: float) -> float:
    shipped = np.minimum(demand, y)
    return float(unit * y + np.mean(holding * (y - shipped) + ship * shipped + lost * (demand - shipped)))


@settings(max_examples=25, deadline=None)
@given(demand=st.lists(st.integers(0, 60), min_size=1, max_size=12),
       unit=st.integers(1, 20), holding=st.integers(0, 5), lost=st.integers(0, 60), ship=st.integers(0, 5))
def test_single_node_optimum_is_the_newsvendor_quantile(tmp_path_factory, demand, unit, holding, lost,
                                                        ship) -> None:
    """SAA optimum = critical-fractile sample quantile with cu = L - c - v, co = v + h."""
    directory = newsvendor_instance(tmp_path_factory.mktemp("nv"), demand, unit, holding, lost, ship)
    result = solve_extensive(load_instance(directory), "highs")
    sample = np.sort(np.asarray(demand, dtype=float))
    underage, overage = lost - ship - unit, unit + holding
    if underage <= 0:
        quantile = 0.0
    else:
        ratio = underage / (underage + overage)
        position = np.searchsorted(np.arange(1, len(sample) + 1) / len(sample), ratio - 1e-12)
        quantile = float(sample[position])
    expected = newsvendor_cost(quantile, sample, unit, holding, lost, ship)
    assert result.objective == pytest.approx(expected, rel=1e-7, abs=1e-7)
    y = result.stock["stock"].iloc[0]
    assert newsvendor_cost(y, sample, unit, holding, lost, ship) == pytest.approx(expected, rel=1e-7, abs=1e-7)


def pooling_instance(directory: Path, pooled: bool) -> Path:
    """Zones A and B with independent demand 0 or 10 (four equally likely scenarios)."""
    scenarios = {"s00": (0, 0), "s01": (0, 10), "s10": (10, 0), "s11": (10, 10)}
    lanes = ([{"origin": "N", "destination": "A", "transit_hours": 1},
              {"origin": "N", "destination": "B", "transit_hours": 1}] if pooled else
             [{"origin": "NA", "destination": "A", "transit_hours": 1},
              {"origin": "NB", "destination": "B", "transit_hours": 1}])
    return write_instance(directory, {
        "products": [{"product": "p", "unit_volume": 1, "unit_cost": 1, "holding_cost": 0,
                      "lost_sale_cost": 3.5}],
        "nodes": [{"node": "N"}] if pooled else [{"node": "NA"}, {"node": "NB"}],
        "zones": [{"zone": "A"}, {"zone": "B"}], "speeds": [{"speed": "k", "promise_hours": 24}],
        "lanes": lanes,
        "demand": [{"product": "p", "zone": zone, "speed": "k", "scenario": s, "quantity": q}
                   for s, pair in scenarios.items() for zone, q in zip("AB", pair)],
    })


@pytest.mark.parametrize("backend", BACKENDS)
def test_risk_pooling(tmp_path: Path, backend: str) -> None:
    """Critical ratio 2.5/3.5: each separate node stocks 10 (cost 10 each, 20 in all); the pooled
    node faces 0/10/10/20 and stocks 10 for 10 + 3.5 * 10 / 4 = 18.75."""
    separate = solve_extensive(load_instance(pooling_instance(tmp_path / "separate", pooled=False)), backend)
    pooled = solve_extensive(load_instance(pooling_instance(tmp_path / "pooled", pooled=True)), backend)
    assert separate.objective == pytest.approx(20.0, rel=1e-9)
    assert separate.stock["stock"].sum() == pytest.approx(20.0)
    assert pooled.objective == pytest.approx(18.75, rel=1e-9)
    assert pooled.stock["stock"].sum() == pytest.approx(10.0)


def test_infeasible_storage_is_named(tmp_path: Path) -> None:
    directory = newsvendor_instance(tmp_path, [5, 10], unit=1, holding=0, lost=10, ship=0)
    (directory / "nodes.csv").write_text("node,storage_capacity\nN,3\n")
    (directory / "inventory.csv").write_text("product,node,on_hand\np,N,4\n")
    result = solve_extensive(load_instance(directory), "highs")
    assert result.status is Status.INFEASIBLE
    assert "storage[N]" in result.message
    assert "on-hand stock alone occupies 4" in result.message


@pytest.mark.parametrize("backend", BACKENDS)
def test_unreachable_fill_rate_target_is_named(tmp_path: Path, backend: str) -> None:
    directory = newsvendor_instance(tmp_path, [5, 10], unit=1, holding=0, lost=10, ship=0)
    (directory / "speeds.csv").write_text("speed,promise_hours,fill_rate_target\nk,24,0.5\nfast,0.5,0.9\n")
    with (directory / "demand.csv").open("a") as handle:
        handle.write("p,Z,fast,s0,3\n")
    result = solve_extensive(load_instance(directory), backend)
    assert result.status is Status.INFEASIBLE
    assert "service[fast]" in result.message and "service[k]" not in result.message


@pytest.mark.parametrize("backend", ["highs", "ortools"])
def test_the_solver_gets_the_time_limit_less_the_compiling_and_loading(monkeypatch: pytest.MonkeyPatch,
                                                                       backend: str) -> None:
    """On a clock where compiling the model takes 0.75 s of a 2 s limit (the build none), the
    solver is given the 1.25 s left (it was given the 2 s: a limit overshot by the loading)."""
    import time

    import meio.solvers.highs as highs_backend
    import meio.solvers.ortools as ortools_backend
    from meio.solvers import SolveOptions

    clock, given = [1000.0], []
    monkeypatch.setattr(time, "perf_counter", lambda: clock[0])
    module = highs_backend if backend == "highs" else ortools_backend
    compile_matrix = module.compile_matrix

    def slow_compile(model: pyo.ConcreteModel):  # type: ignore[no-untyped-def]
        clock[0] += 0.75
        return compile_matrix(model)

    monkeypatch.setattr(module, "compile_matrix", slow_compile)
    if backend == "highs":
        new_highs, made = highs_backend.new_highs, []

        def recorded(verbose: bool = False):  # type: ignore[no-untyped-def]
            made.append(new_highs(verbose))
            return made[-1]

        monkeypatch.setattr(highs_backend, "new_highs", recorded)
        solve_extensive(load_instance("tiny"), backend, SolveOptions(time_limit=2.0))
        given.append(made[0].getOptionValue("time_limit")[1])
    else:
        milliseconds = ortools_backend.milliseconds

        def recording(seconds: float) -> int:
            given.append(seconds)
            return milliseconds(seconds)

        monkeypatch.setattr(ortools_backend, "milliseconds", recording)
        solve_extensive(load_instance("tiny"), backend, SolveOptions(time_limit=2.0))
    assert given == [pytest.approx(1.25)]
