"""Real-time fulfillment policies (#15): dual prices are feasible, coincide where nothing is scarce, and ration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.random_instance import write_fast_and_slow, write_instance, write_random_instance

from meio.cli import main
from meio.data import load_instance
from meio.evaluation import POLICIES, evaluate_plan, prepare
from meio.evaluation.dual_price import DualPricePolicy
from meio.evaluation.dynamic import Orders, State, order_sequence, simulate
from meio.evaluation.myopic import MyopicPolicy
from meio.evaluation.network import ScenarioDemand
from meio.evaluation.plan import Plan
from meio.evaluation.recourse import optimal_recourse
from meio.exact import solve_extensive


class Recording(DualPricePolicy):
    """The dual-price policy keeping the state that the simulation draws down."""

    def start(self, demand: ScenarioDemand, orders: Orders, state: State) -> None:
        super().start(demand, orders, state)
        self.state = state


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), windows=st.booleans(), order_size=st.sampled_from([1.0, 2.5]),
       resolve_every=st.sampled_from([1, 3, 100]))
def test_dual_price_assignment_is_feasible_for_the_recourse_lp(tmp_path_factory: pytest.TempPathFactory, seed: int,
                                                               windows: bool, order_size: float,
                                                               resolve_every: int) -> None:
    instance = load_instance(write_random_instance(tmp_path_factory.mktemp("dp"), seed, products=3, nodes=3, zones=3,
                                                   speeds=2, scenarios=4, capacities=True, windows=windows))
    result = solve_extensive(instance, "highs")
    y_plan = Plan("saa", result.stock[["product", "node", "stock"]])
    scenarios = prepare(instance, 5, seed, "bootstrap")
    network, demand = scenarios.network, scenarios.demand
    y = y_plan.aligned(network.pairs)
    orders = order_sequence(network, demand, order_size, np.random.default_rng(seed))
    policy = Recording(network, scenarios.futures, resolve_every, weights=scenarios.future_weights)
    dual = simulate(network, demand, y, orders, policy)
    assert np.all(policy.state.stock >= -1e-9)  # availability: never more than the stock of a pair
    assert np.all(policy.state.throughput >= -1e-9)  # throughput at every node
    assert np.all(dual.unmet >= -1e-9) and np.all(dual.unmet <= dual.demand + 1e-9)
    optimal = optimal_recourse(network, demand, y)
    assert np.all(dual.total >= optimal.total - 1e-6 * np.maximum(1.0, np.abs(optimal.total)))


def one_class_instance(directory: Path, throughput: float | None) -> Path:
    node = {"node": "N1"} if throughput is None else {"node": "N1", "throughput_capacity": throughput}
    return write_instance(directory, {
        "products": [{"product": "A", "unit_volume": 1.0, "unit_cost": 4.0, "holding_cost": 0.5,
                      "lost_sale_cost": 12.0}],
        "nodes": [node], "zones": [{"zone": "Z"}],
        "speeds": [{"speed": "fast", "promise_hours": 24}],
        "lanes": [{"origin": "N1", "destination": "Z", "transit_hours": 10, "unit_cost": 1.5}],
        "demand": [{"product": "A", "zone": "Z", "speed": "fast", "scenario": f"s{i}", "quantity": q}
                   for i, q in enumerate([3, 7, 10, 12, 0, 5])],
    })


@pytest.mark.parametrize(("stock", "throughput"), [(8.0, None), (8.6, None), (20.0, None), (20.0, 6.0)])
def test_one_node_one_class_dual_price_equals_myopic_and_optimal(tmp_path: Path, stock: float,
                                                                 throughput: float | None) -> None:
    instance = load_instance(one_class_instance(tmp_path, throughput))
    plan = Plan("hand", pd.DataFrame({"product": ["A"], "node": ["N1"], "stock": [stock]}))
    out = evaluate_plan(prepare(instance), plan, POLICIES, resolve_every=2)
    np.testing.assert_allclose(out["dual-price"].costs, out["optimal"].costs, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(out["dual-price"].costs, out["myopic"].costs, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("resolve_every", [1, 100])
def test_dual_price_keeps_the_last_unit_for_the_dearer_same_day_order(tmp_path: Path, resolve_every: int) -> None:
    """One unit; a two-day order (penalty 10) arrives before a same-day order (penalty 30).

    Training demand: same-day 1 and 3 units, two-day 1 and 1 (forecast 2 and 1). At the first
    order (time 0.2) the mean-demand LP expects 1.6 same-day and 0.8 two-day units for one unit
    of stock: it gives the unit to same-day, whose demand row is then partly unmet, so lambda =
    30 (no shipping or holding cost). The two futures expect 0.8 + 0.8 (lambda = 10: two-day is
    short) and 2.4 + 0.8 (lambda = 30): mean 20. Either way the two-day order would cost more
    than its penalty 10: it is lost and the same-day order gets the unit. Cost 1 (purchase) + 10,
    as optimal recourse. The myopic policy ships the unit to the two-day order and loses the same-day one: 1 + 30.
    """
    directory = write_fast_and_slow(tmp_path, "same_day", "two_day", [
        (k, s, q) for s, same in (("s1", 1), ("s2", 3)) for k, q in (("same_day", same), ("two_day", 1))])
    scenarios = prepare(load_instance(directory))
    network = scenarios.network
    _, demand = scenarios.demand.subset(np.array([0]))  # s1: one order of each class
    classes = list(network.classes["speed"])
    two_day, same_day = classes.index("two_day"), classes.index("same_day")  # product 0: (p, c) id = c
    orders = Orders(pc=np.array([[two_day, same_day]]), size=np.ones((1, 2)), time=np.array([[0.2, 0.6]]))
    y = np.array([1.0])
    dual = simulate(network, demand, y, orders,
                    DualPricePolicy(network, scenarios.futures, resolve_every, weights=scenarios.future_weights))
    mean_lp = simulate(network, demand, y, orders, DualPricePolicy(network, scenarios.forecast, resolve_every))
    myopic = simulate(network, demand, y, orders, MyopicPolicy(network))
    assert dual.total[0] == pytest.approx(11.0)
    assert mean_lp.total[0] == pytest.approx(11.0)
    assert myopic.total[0] == pytest.approx(31.0)
    assert optimal_recourse(network, demand, y).total[0] == pytest.approx(11.0)
    speeds = list(network.speeds)
    assert dual.unmet[0, speeds.index("two_day")] == pytest.approx(1.0)
    assert dual.unmet[0, speeds.index("same_day")] == pytest.approx(0.0)


def test_resolve_every_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    common = ["evaluate", "tiny", str(tmp_path), "--quiet"]
    assert main([*common, "--resolve-every", "0"]) == 2
    assert "--resolve-every" in capsys.readouterr().err
    assert main([*common, "--policy", "myopic", "--resolve-every", "5"]) == 2
    assert "--resolve-every applies only to the dual-price policy" in capsys.readouterr().err


def test_dual_price_rations_only_if_the_dearer_demand_is_likely_to_come(tmp_path: Path) -> None:
    """Lumpy same-day demand: 5 units in one training scenario of four, none in the others.

    One unit; a two-day order (penalty 10) at time 0.1, no same-day order in the scenario.
    The mean-demand LP expects 1.25 x 0.9 = 1.125 same-day units for the unit: lambda = 30 > 10,
    it loses the order (cost 1 + 10). The sampled futures price the unit at 30 in one of four
    (4.5 same-day units) and 0 in the others (0.9 two-day units, nothing scarce): lambda = 7.5
    <= 10, the order is served as by the myopic policy and optimal recourse (cost 1). Littlewood:
    30 P(same-day demand >= 1) = 7.5 < 10, do not protect.
    """
    directory = write_fast_and_slow(tmp_path, "same_day", "two_day", [
        *[("two_day", f"s{i}", 1) for i in range(1, 5)], ("same_day", "s4", 5)])
    scenarios = prepare(load_instance(directory))
    network = scenarios.network
    _, demand = scenarios.demand.subset(np.array([0]))  # s1: one two-day order
    two_day = list(network.classes["speed"]).index("two_day")
    orders = Orders(pc=np.array([[two_day]]), size=np.ones((1, 1)), time=np.array([[0.1]]))
    y = np.array([1.0])
    sampled = simulate(network, demand, y, orders,
                       DualPricePolicy(network, scenarios.futures, 1, 5, scenarios.future_weights))
    mean_lp = simulate(network, demand, y, orders, DualPricePolicy(network, scenarios.forecast, 1))
    myopic = simulate(network, demand, y, orders, MyopicPolicy(network))
    assert optimal_recourse(network, demand, y).total[0] == pytest.approx(1.0)
    assert myopic.total[0] == pytest.approx(1.0)
    assert sampled.total[0] == pytest.approx(1.0)
    assert mean_lp.total[0] == pytest.approx(11.0)


def test_dual_price_reprices_within_the_period(tmp_path: Path) -> None:
    """Prices must fall as the period runs out: with them fixed at the first order the last unit is kept for
    same-day demand that can no longer come.

    One unit of A; same-day training demand 0, 3 and 3 (penalty 30), two-day 1 (penalty 10); a second
    product B with stock to spare. In scenario s1 (no same-day demand) the first order (B, time 0.01)
    prices A's unit at (0 + 30 + 30) / 3 = 20 > 10 (2.97 same-day units in two futures of three); the
    two-day order of A arrives at time 0.95, when at most 0.2 units are expected: re-solved, lambda = 0
    and the order is served (cost as optimal recourse); with the prices of the first order it is lost
    (+10).
    """
    rows = [{"product": p, "zone": "Z", "speed": k, "scenario": s, "quantity": q}
            for s, same in (("s1", 0), ("s2", 3), ("s3", 3))
            for p, k, q in (("A", "same_day", same), ("A", "two_day", 1), ("B", "two_day", 1)) if q]
    directory = write_instance(tmp_path, {
        "products": [{"product": p, "unit_volume": 1.0, "unit_cost": 1.0, "holding_cost": 0.0,
                      "lost_sale_cost": 10.0} for p in ("A", "B")],
        "nodes": [{"node": "N1"}], "zones": [{"zone": "Z"}],
        "speeds": [{"speed": "same_day", "promise_hours": 12, "penalty_factor": 3.0},
                   {"speed": "two_day", "promise_hours": 48, "penalty_factor": 1.0}],
        "lanes": [{"origin": "N1", "destination": "Z", "transit_hours": 5}],
        "demand": rows,
    })
    scenarios = prepare(load_instance(directory))
    network = scenarios.network
    _, demand = scenarios.demand.subset(np.array([0]))
    C = len(network.classes)
    two_day = list(network.classes["speed"]).index("two_day")
    a, b = list(network.products).index("A"), list(network.products).index("B")
    orders = Orders(pc=np.array([[b * C + two_day, a * C + two_day]]), size=np.ones((1, 2)),
                    time=np.array([[0.01, 0.95]]))
    pairs = network.pairs
    y = np.where(pairs["product"].to_numpy() == "A", 1.0, 5.0)
    resolved = simulate(network, demand, y, orders,
                        DualPricePolicy(network, scenarios.futures, 1, weights=scenarios.future_weights))
    fixed = simulate(network, demand, y, orders,
                     DualPricePolicy(network, scenarios.futures, 100, weights=scenarios.future_weights))
    assert resolved.total[0] == pytest.approx(optimal_recourse(network, demand, y).total[0])
    assert resolved.total[0] == pytest.approx(6.0)  # the purchase of all stock
    assert fixed.total[0] == pytest.approx(16.0)


def test_dual_price_prices_throughput_at_the_cheap_node(tmp_path: Path) -> None:
    """The cheap node N1 ships one unit a period and is the only one stocking B; A is also at N2 (dearer lane).

    An order of A (time 0.2) then one of B (0.6). Myopic sends A through N1 and loses B. The LP expects
    B demand (1 or 3 units x 0.8) for the one unit of throughput at N1, so pi[N1] is at least the saving
    of A's cheap lane and in one future B's penalty: A's cost through N1 exceeds that through N2, A goes
    to N2 and B gets N1, as optimal recourse. Without the throughput term both go as myopic.
    """
    rows = [{"product": p, "zone": "Z", "speed": "two_day", "scenario": s, "quantity": q}
            for s, qb in (("s1", 1), ("s2", 3)) for p, q in (("A", 1), ("B", qb))]
    directory = write_instance(tmp_path, {
        "products": [{"product": p, "unit_volume": 1.0, "unit_cost": 1.0, "holding_cost": 0.0,
                      "lost_sale_cost": 10.0} for p in ("A", "B")],
        "nodes": [{"node": "N1", "throughput_capacity": 1.0}, {"node": "N2"}], "zones": [{"zone": "Z"}],
        "speeds": [{"speed": "two_day", "promise_hours": 48}],
        "lanes": [{"origin": "N1", "destination": "Z", "transit_hours": 5, "unit_cost": 1.0},
                  {"origin": "N2", "destination": "Z", "transit_hours": 5, "unit_cost": 3.0}],
        "demand": rows,
    })
    scenarios = prepare(load_instance(directory))
    network = scenarios.network
    _, demand = scenarios.demand.subset(np.array([0]))  # s1: one order of each
    a, b = list(network.products).index("A"), list(network.products).index("B")
    orders = Orders(pc=np.array([[a, b]]), size=np.ones((1, 2)), time=np.array([[0.2, 0.6]]))
    pairs = network.pairs
    y = np.where((pairs["product"] == "B").to_numpy() & (pairs["node"] == "N2").to_numpy(), 0.0, 2.0)
    dual = simulate(network, demand, y, orders,
                    DualPricePolicy(network, scenarios.futures, 1, weights=scenarios.future_weights))
    myopic = simulate(network, demand, y, orders, MyopicPolicy(network))
    optimal = optimal_recourse(network, demand, y).total[0]
    assert dual.total[0] == pytest.approx(optimal)
    assert myopic.total[0] == pytest.approx(optimal - 3.0 - 1.0 + 1.0 + 10.0)  # A through N1, B lost
    assert dual.shipped[0, list(network.nodes).index("N2")] == pytest.approx(1.0)


def test_policy_list_names_the_bad_item_next_to_all(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["evaluate", "tiny", str(tmp_path), "--quiet", "--policy", "all,nonsense"]) == 2
    err = capsys.readouterr().err
    assert "unknown policy 'nonsense'" in err and "'all'" not in err
