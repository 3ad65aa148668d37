"""Evaluation policies: the training check ties optimal recourse to the model; dynamic >= optimal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.random_instance import write_fast_and_slow, write_instance, write_random_instance

from meio.data import load_instance
from meio.data.generator import generate_instance
from meio.evaluation import evaluate_plan, prepare
from meio.evaluation.dynamic import order_sequence
from meio.evaluation.evaluate import node_table, summarize
from meio.evaluation.plan import Plan
from meio.exact import solve_extensive
from meio.models.build import build_model
from meio.solvers import SolveOptions, get_backend

FEATURES = [
    dict(),
    dict(capacities=True),
    dict(capacities=True, windows=True, cutoffs=True),
    dict(capacities=True, categories=True, on_hand=True, weights=True),
    dict(capacities=True, windows=True, on_hand=True, weights=True, max_route_lanes=3),
]


def solved_plan(instance):  # noqa: ANN001, ANN201
    result = solve_extensive(instance, "highs")
    assert result.has_plan
    return result, Plan("saa", result.stock[["product", "node", "stock"]])


@pytest.mark.parametrize("seed", range(len(FEATURES)))
def test_optimal_recourse_on_training_scenarios_reproduces_the_solve(tmp_path: Path, seed: int) -> None:
    instance = load_instance(write_random_instance(tmp_path, 100 + seed, products=4, nodes=4, zones=3, speeds=2,
                                                   scenarios=6, **FEATURES[seed]))
    result, plan = solved_plan(instance)
    scenarios = prepare(instance)
    outcome = evaluate_plan(scenarios, plan, ("optimal",))["optimal"]
    assert outcome.objective == pytest.approx(result.objective, rel=1e-6, abs=1e-6)
    summary = summarize(outcome, scenarios.network)
    for part, value in result.costs.items():
        assert summary["costs"][part].mean == pytest.approx(value, rel=1e-6, abs=1e-5)
    for speed, rate in result.fill_rate.items():
        if not np.isnan(rate):
            assert summary["fill_rate"][speed].mean == pytest.approx(rate, abs=1e-6)


def test_training_check_on_a_generated_network_with_windows(tmp_path: Path) -> None:
    instance = load_instance(generate_instance(tmp_path / "g", products=6, nodes=6, zones=6, scenarios=8, seed=11,
                                               windows=True, on_hand=True))
    result, plan = solved_plan(instance)
    outcome = evaluate_plan(prepare(instance), plan, ("optimal",))["optimal"]
    assert outcome.objective == pytest.approx(result.objective, rel=1e-6)


def test_recourse_is_a_relaxation_of_the_service_constrained_solve(tmp_path: Path) -> None:
    """With fill-rate targets the per-scenario recourse is not bound by them: never dearer than the solve."""
    instance = load_instance(write_random_instance(tmp_path, 7, products=3, nodes=3, zones=3, speeds=2,
                                                   scenarios=5, capacities=True, service_targets=True))
    result, plan = solved_plan(instance)
    outcome = evaluate_plan(prepare(instance), plan, ("optimal",))["optimal"]
    assert outcome.objective <= result.objective * (1 + 1e-7) + 1e-7


def test_recourse_matches_the_pyomo_lp_with_fixed_stock_on_fresh_scenarios(tmp_path: Path) -> None:
    """Cross-check: the block LP against the SPEC model with y fixed and first-stage rows removed."""
    instance = load_instance(write_random_instance(tmp_path, 21, products=3, nodes=3, zones=3, speeds=2,
                                                   scenarios=5, capacities=True, windows=True))
    _, plan = solved_plan(instance)
    scenarios = prepare(instance, 12, 3, "bootstrap")
    outcome = evaluate_plan(scenarios, plan, ("optimal",))["optimal"]
    built = build_model(scenarios.instance)
    y = plan.stock.set_index(["product", "node"])["stock"]
    for key in built.model.y:
        built.model.y[key].fix(float(y.get(key, built.model.on_hand[key])))
    for name in ("storage", "inbound", "service"):
        getattr(built.model.linking, name).deactivate()
    lp = get_backend("highs").solve(built, SolveOptions())
    assert lp.objective == pytest.approx(outcome.objective, rel=1e-7)
    assert pyo.value(built.model.shipping_cost) == pytest.approx(outcome.costs[:, 2] @ outcome.weights, rel=1e-6)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), windows=st.booleans(), order_size=st.sampled_from([1.0, 2.5]))
def test_dynamic_is_never_cheaper_than_optimal_recourse(tmp_path_factory: pytest.TempPathFactory, seed: int,
                                                        windows: bool, order_size: float) -> None:
    directory = tmp_path_factory.mktemp("dyn")
    instance = load_instance(write_random_instance(directory, seed, products=3, nodes=3, zones=3, speeds=2,
                                                   scenarios=4, capacities=True, windows=windows))
    _, plan = solved_plan(instance)
    scenarios = prepare(instance, 6, seed, "bootstrap")
    out = evaluate_plan(scenarios, plan, seed=seed, order_size=order_size)
    optimal, dynamic = out["optimal"], out["myopic"]
    assert np.all(dynamic.total >= optimal.total - 1e-6 * np.maximum(1.0, np.abs(optimal.total)))
    # both respect stock and throughput
    capacity = scenarios.network.throughput[:-1]
    for outcome in (optimal, dynamic):
        assert np.all(outcome.throughput <= capacity[None, :] * (1 + 1e-7) + 1e-7)
        assert np.all(outcome.unmet <= outcome.demand + 1e-9)
        assert np.all(outcome.unmet >= -1e-9)


def one_node_instance(directory: Path, throughput: float | None = None) -> Path:
    node = {"node": "N1"} if throughput is None else {"node": "N1", "throughput_capacity": throughput}
    demand = [{"product": "A", "zone": "Z", "speed": "fast", "scenario": f"s{i}", "quantity": q}
              for i, q in enumerate([3, 7, 10, 12, 0, 5])]
    return write_instance(directory, {
        "products": [{"product": "A", "unit_volume": 1.0, "unit_cost": 4.0, "holding_cost": 0.5,
                      "lost_sale_cost": 12.0}],
        "nodes": [node], "zones": [{"zone": "Z"}],
        "speeds": [{"speed": "fast", "promise_hours": 24}],
        "lanes": [{"origin": "N1", "destination": "Z", "transit_hours": 10, "unit_cost": 1.5}],
        "demand": demand,
    })


@pytest.mark.parametrize("stock", [8.0, 8.6, 20.0])
def test_one_node_one_class_ample_throughput_policies_coincide(tmp_path: Path, stock: float) -> None:
    instance = load_instance(one_node_instance(tmp_path))
    plan = Plan("hand", pd.DataFrame({"product": ["A"], "node": ["N1"], "stock": [stock]}))
    out = evaluate_plan(prepare(instance), plan)
    np.testing.assert_allclose(out["myopic"].costs, out["optimal"].costs, rtol=1e-12, atol=1e-9)
    demand = np.array([3, 7, 10, 12, 0, 5], dtype=float)
    shipped = np.minimum(demand, stock)
    expected = 4.0 * stock + 0.5 * (stock - shipped) + 1.5 * shipped + 12.0 * (demand - shipped)
    np.testing.assert_allclose(out["optimal"].total, expected, rtol=1e-9)


def test_dynamic_throughput_limits_the_units_shipped(tmp_path: Path) -> None:
    instance = load_instance(one_node_instance(tmp_path, throughput=6.0))
    plan = Plan("hand", pd.DataFrame({"product": ["A"], "node": ["N1"], "stock": [20.0]}))
    scenarios = prepare(instance)
    out = evaluate_plan(scenarios, plan)
    expected = np.minimum([3, 7, 10, 12, 0, 5], 6.0)
    for outcome in out.values():
        np.testing.assert_allclose(outcome.throughput[:, 0], expected)
    table = node_table(out["myopic"], scenarios.network)
    assert table.loc[0, "binding_share"] == pytest.approx(3 / 6)  # 7, 10 and 12 exceed 6


def test_dynamic_myopia_costs_when_a_slow_order_takes_the_stock_a_fast_one_needs(tmp_path: Path) -> None:
    """One unit at a node serving a fast (dear to lose) and a slow order: LP keeps it for the fast one."""
    directory = write_fast_and_slow(tmp_path, "fast", "slow", [("fast", "s1", 1), ("slow", "s1", 1)])
    instance = load_instance(directory)
    plan = Plan("hand", pd.DataFrame({"product": ["A"], "node": ["N1"], "stock": [1.0]}))
    scenarios = prepare(instance)
    costs = {round(evaluate_plan(scenarios, plan, seed=s)["myopic"].objective, 9) for s in range(12)}
    optimal = evaluate_plan(scenarios, plan, ("optimal",))["optimal"].objective
    assert optimal == pytest.approx(1.0 + 10.0)  # buy 1, lose the slow order
    assert costs == {11.0, 31.0}  # fast order first: as the LP; slow first: it takes the unit


def test_orders_split_quantities_and_arrive_window_by_window(tmp_path: Path) -> None:
    instance = load_instance(write_random_instance(tmp_path, 5, products=2, nodes=2, zones=2, speeds=2,
                                                   scenarios=3, windows=True))
    scenarios = prepare(instance)
    orders = order_sequence(scenarios.network, scenarios.demand, 1.0, np.random.default_rng(0))
    sizes = orders.size
    classes = len(scenarios.network.classes)
    for s in range(len(scenarios.demand.scenarios)):
        here = scenarios.demand.scenario == s
        assert sizes[s].sum() == pytest.approx(scenarios.demand.quantity[here].sum())
        assert np.all(sizes[s] <= 1.0 + 1e-12)
        live = orders.pc[s] >= 0
        windows = scenarios.network.class_window[orders.pc[s][live] % classes]
        assert np.all(np.diff(windows) >= 0)
