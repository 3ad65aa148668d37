"""Baselines: the single-echelon newsvendor by hand, repairs within capacity, and meio beating them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.random_instance import write_instance, write_random_instance
from test_evaluation import one_node_instance

from meio.data import load_instance
from meio.data.generator import generate_instance
from meio.evaluation import evaluate_plan, prepare
from meio.evaluation.baselines import baseline_plan, enforce_capacity, pooled_speeds, weighted_quantile
from meio.evaluation.files import comparison_record, format_comparison
from meio.evaluation.plan import Plan, capacity_violations
from meio.exact import solve_extensive


def test_single_echelon_is_the_newsvendor_quantile_by_hand(tmp_path: Path) -> None:
    """c_u = 12 - 1.5 - 4 = 6.5, c_o = 4 + 0.5: ratio 0.591; demands 0,3,5,7,10,12 -> 7 (the SAA optimum too)."""
    instance = load_instance(one_node_instance(tmp_path))
    plan = baseline_plan(instance, "single-echelon")
    assert plan.stock["stock"].tolist() == pytest.approx([7.0])
    assert solve_extensive(instance, "highs").stock["stock"].tolist() == pytest.approx([7.0])


def test_weighted_quantile() -> None:
    values, weights = np.array([5.0, 1.0, 3.0]), np.array([0.2, 0.5, 0.3])
    assert weighted_quantile(values, weights, 0.5) == 1.0
    assert weighted_quantile(values, weights, 0.51) == 3.0
    assert weighted_quantile(values, weights, 0.81) == 5.0


def test_single_echelon_stocks_each_zone_at_its_nearest_node(tmp_path: Path) -> None:
    product = {"product": "A", "unit_volume": 1.0, "unit_cost": 1.0, "holding_cost": 0.1, "lost_sale_cost": 20.0}
    lanes = [{"origin": "N1", "destination": "Z1", "transit_hours": 5, "unit_cost": 1},
             {"origin": "N1", "destination": "Z2", "transit_hours": 30, "unit_cost": 1},
             {"origin": "N2", "destination": "Z2", "transit_hours": 6, "unit_cost": 1}]
    demand = [{"product": "A", "zone": z, "speed": "k", "scenario": f"s{i}", "quantity": q}
              for i in range(4) for z, q in (("Z1", 4 + i), ("Z2", 10 + 2 * i))]
    instance = load_instance(write_instance(tmp_path, {
        "products": [product], "nodes": [{"node": "N1"}, {"node": "N2"}], "zones": [{"zone": "Z1"}, {"zone": "Z2"}],
        "speeds": [{"speed": "k", "promise_hours": 48}], "lanes": lanes, "demand": demand}))
    stock = baseline_plan(instance, "single-echelon").stock.set_index("node")["stock"]
    assert stock["N1"] == pytest.approx(7.0) and stock["N2"] == pytest.approx(16.0)


def test_scaling_repairs_storage_and_inbound(tmp_path: Path) -> None:
    instance = load_instance(write_random_instance(tmp_path, 8, products=4, nodes=3, zones=3, capacities=True,
                                                   on_hand=True))
    for name in ("single-echelon", "no-capacity"):
        plan = baseline_plan(instance, name)
        assert capacity_violations(instance, plan) == []
    pairs = prepare(instance).network.pairs
    y = enforce_capacity(instance, pairs, pairs["on_hand"].to_numpy() + 1e6)
    assert capacity_violations(instance, Plan("x", pairs.assign(stock=y))) == []
    assert np.all(y >= pairs["on_hand"].to_numpy())


def test_speed_blind_pools_speeds(tmp_path: Path) -> None:
    instance = load_instance(write_random_instance(tmp_path, 4, speeds=3, service_targets=True))
    pooled = pooled_speeds(instance)
    assert list(pooled.speeds.index) == ["pooled"]
    assert pooled.speeds.at["pooled", "promise_hours"] == instance.speeds["promise_hours"].max()
    assert pooled.demand["quantity"].sum() == pytest.approx(instance.demand["quantity"].sum())
    assert 0 < pooled.speeds.at["pooled", "fill_rate_target"] < instance.speeds["fill_rate_target"].max()
    plan = baseline_plan(instance, "speed-blind")
    assert len(plan.aligned(prepare(instance).network.pairs)) == len(prepare(instance).network.pairs)


def test_meio_beats_single_echelon_out_of_sample_in_shipping_and_total(tmp_path: Path) -> None:
    """A generated network with 5 nodes and 3 speeds, 150 fresh scenarios with common random numbers."""
    instance = load_instance(generate_instance(tmp_path / "g", products=8, nodes=5, zones=10, scenarios=20, seed=5,
                                               tightness=2.0, daily_demand_median=3.0, demand_sigma=1.0))
    meio = Plan("meio", solve_extensive(instance, "highs").stock)
    single = baseline_plan(instance, "single-echelon")
    scenarios = prepare(instance, 150, 9)
    assert scenarios.source == "generator"
    results = {plan.name: evaluate_plan(scenarios, plan, ("optimal", "myopic"), seed=9) for plan in (meio, single)}
    record = comparison_record(scenarios, results, 9, 1.0)
    for policy in ("optimal", "myopic"):
        saving = record["savings_of_reference"][policy]["single-echelon"]
        assert saving["total"]["low"] > 0, policy  # the whole 95% interval of the paired saving
        assert saving["costs"]["shipping"]["low"] > 0, policy
    text = format_comparison(record)
    total = record["savings_of_reference"]["optimal"]["single-echelon"]["total"]["mean"]
    assert f"meio saves {total:,.2f}" in text and "against single-echelon" in text
