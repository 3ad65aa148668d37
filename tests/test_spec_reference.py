"""The SPEC reference implementation checked against hand-computed answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.random_instance import write_instance, write_random_instance
from support.spec_reference import solve_reference

SAMPLES = [10, 20, 30, 40, 50]


def newsvendor(
    directory: Path,
    *,
    weights: list[float] | None = None,
    on_hand: float | None = None,
    node: dict[str, Any] | None = None,
    speed: dict[str, Any] | None = None,
    unit_volume: float = 1.0,
) -> Path:
    """One product, node, zone and speed; demand SAMPLES, one scenario each.

    unit_cost 10, holding 1, lost sale 40, lane cost 2: a unit shipped saves its
    holding, so the critical ratio is (40 - 2 - 10) / (40 - 2 + 1) = 28/39.
    """
    tables: dict[str, list[dict[str, Any]]] = {
        "products": [{"product": "P", "unit_volume": unit_volume, "unit_cost": 10, "holding_cost": 1,
                      "lost_sale_cost": 40}],
        "nodes": [{"node": "N", **(node or {})}],
        "zones": [{"zone": "Z"}],
        "speeds": [{"speed": "K", "promise_hours": 24, **(speed or {})}],
        "lanes": [{"origin": "N", "destination": "Z", "transit_hours": 10, "unit_cost": 2}],
        "demand": [{"product": "P", "zone": "Z", "speed": "K", "scenario": f"S{i}", "quantity": q}
                   for i, q in enumerate(SAMPLES)],
    }
    if weights is not None:
        tables["scenarios"] = [{"scenario": f"S{i}", "weight": w} for i, w in enumerate(weights)]
    if on_hand is not None:
        tables["inventory"] = [{"product": "P", "node": "N", "on_hand": on_hand}]
    return write_instance(directory, tables)


# (a) newsvendor ----------------------------------------------------------------

def test_newsvendor_equal_weights_is_critical_fractile(tmp_path: Path) -> None:
    # F(30) = 0.6 < 28/39 <= F(40) = 0.8, so y = 40.
    # buy 400 + ship 2 * 28 + lost 40 * 2 + holding (40 - 28) = 548.
    result = solve_reference(newsvendor(tmp_path))
    assert result.status == "optimal"
    assert result.stock[("P", "N")] == pytest.approx(40)
    assert result.objective == pytest.approx(548)
    assert (result.n_routes, result.n_classes, result.n_eligible) == (1, 1, 1)


def test_newsvendor_on_hand_is_a_constant(tmp_path: Path) -> None:
    # Same y = 40; the 15 units on hand are not bought: 548 - 10 * 15.
    result = solve_reference(newsvendor(tmp_path, on_hand=15))
    assert result.stock[("P", "N")] == pytest.approx(40)
    assert result.objective == pytest.approx(398)


def test_newsvendor_weights_are_normalised(tmp_path: Path) -> None:
    # Weights 1/8 x 4 and 1/2 on 50: P(D > 40) = 0.5 > 11/39, so y = 50.
    # E[min(50, D)] = 100/8 + 25 = 37.5: buy 500 + ship 75 + holding 12.5 = 587.5.
    result = solve_reference(newsvendor(tmp_path, weights=[1, 1, 1, 1, 4]))
    assert result.stock[("P", "N")] == pytest.approx(50)
    assert result.objective == pytest.approx(587.5)


def test_newsvendor_integer_matches_lp(tmp_path: Path) -> None:
    lp = solve_reference(newsvendor(tmp_path), integer=False)
    mip = solve_reference(tmp_path, integer=True)
    assert mip.objective == pytest.approx(lp.objective)
    assert mip.stock[("P", "N")] == pytest.approx(40)


def test_penalty_factor_and_lost_sales(tmp_path: Path) -> None:
    # Promise 5 < tau 10: nothing is on time, every unit is lost at 40 * 1.5.
    result = solve_reference(newsvendor(tmp_path, speed={"promise_hours": 5, "penalty_factor": 1.5}))
    assert result.n_eligible == 0
    assert result.stock[("P", "N")] == pytest.approx(0)
    assert result.objective == pytest.approx(60 * sum(SAMPLES) / 5)


# (b) cut-offs -----------------------------------------------------------------

def cutoff_instance(directory: Path, cutoff: float | None, promise: float, windows: bool = True) -> Path:
    """Order at 10, handling 2, transit 20, one scenario of 10 units, penalty factor 2."""
    tables: dict[str, list[dict[str, Any]]] = {
        "products": [{"product": "P", "unit_volume": 1, "unit_cost": 10, "holding_cost": 1,
                      "lost_sale_cost": 40}],
        "nodes": [{"node": "N", "handling_hours": 2, "cutoff_hour": cutoff}],
        "zones": [{"zone": "Z"}],
        "speeds": [{"speed": "K", "promise_hours": promise, "penalty_factor": 2}],
        "lanes": [{"origin": "N", "destination": "Z", "transit_hours": 20, "unit_cost": 2}],
        "demand": [{"product": "P", "zone": "Z", "speed": "K", "scenario": "S", "quantity": 10}],
    }
    if windows:
        tables["windows"] = [{"window": "W", "order_hour": 10, "share": 1}]
    return write_instance(directory, tables)


@pytest.mark.parametrize(
    ("cutoff", "promise", "on_time"),
    [
        (12.0, 22.0, True),  # ready at 12 = cut-off, arrives 32 = 10 + 22
        (11.5, 22.0, False),  # cut-off just missed: leaves at 35.5, arrives 55.5
        (12.0, 21.5, False),  # made the cut-off, but arrives half an hour late
        (11.5, 45.5, True),  # next day's departure, arrives 55.5 = 10 + 45.5
        (None, 22.0, True),  # no cut-off: leaves when ready
        (22.0, 22.0, False),  # waits until 22, arrives 42 > 32
    ],
)
def test_cutoff_eligibility(tmp_path: Path, cutoff: float | None, promise: float, on_time: bool) -> None:
    result = solve_reference(cutoff_instance(tmp_path, cutoff, promise))
    if on_time:
        # buy 10 * 10, ship 2 * 10, nothing held over.
        assert result.n_eligible == 1
        assert result.stock[("P", "N")] == pytest.approx(10)
        assert result.objective == pytest.approx(120)
    else:
        # every unit lost at 40 * penalty 2.
        assert result.n_eligible == 0
        assert result.stock[("P", "N")] == pytest.approx(0)
        assert result.objective == pytest.approx(800)


def test_cutoffs_ignored_without_windows(tmp_path: Path) -> None:
    # tau = 2 + 20 = 22 <= 22 whatever the cut-off.
    result = solve_reference(cutoff_instance(tmp_path, 3.0, 22.0, windows=False))
    assert result.n_eligible == 1
    assert result.objective == pytest.approx(120)


# (c) routes through a DC ------------------------------------------------------

def dc_instance(directory: Path, promise: float, *, fc_throughput: float | None = None,
                max_route_lanes: int | None = None) -> Path:
    """DC (handling 3) -> FC (handling 2) -> Z; only the DC accepts the product."""
    toml = None if max_route_lanes is None else f"max_route_lanes = {max_route_lanes}\n"
    return write_instance(directory, {
        "products": [{"product": "P", "unit_volume": 2, "unit_cost": 10, "holding_cost": 1,
                      "lost_sale_cost": 40, "category": "ambient"}],
        "nodes": [
            {"node": "DC", "handling_hours": 3, "categories": "ambient;frozen", "throughput_capacity": None},
            {"node": "FC", "handling_hours": 2, "categories": "frozen", "throughput_capacity": fc_throughput},
        ],
        "zones": [{"zone": "Z"}],
        "speeds": [{"speed": "K", "promise_hours": promise}],
        "lanes": [
            {"origin": "DC", "destination": "FC", "transit_hours": 10, "unit_cost": 1, "volume_cost": 0.5},
            {"origin": "FC", "destination": "Z", "transit_hours": 5, "unit_cost": 2, "volume_cost": 1},
        ],
        "demand": [{"product": "P", "zone": "Z", "speed": "K", "scenario": "S", "quantity": 10}],
    }, toml)


def test_two_lane_route_sums_cost_and_duration(tmp_path: Path) -> None:
    # cost (1 + 0.5 * 2) + (2 + 1 * 2) = 6 per unit; tau = 3 + 2 + 10 + 5 = 20.
    result = solve_reference(dc_instance(tmp_path, 20))
    assert (result.n_routes, result.n_eligible) == (2, 2)
    assert set(result.stock) == {("P", "DC")}
    assert result.stock[("P", "DC")] == pytest.approx(10)
    assert result.objective == pytest.approx(10 * 10 + 6 * 10)


def test_two_lane_route_too_slow(tmp_path: Path) -> None:
    result = solve_reference(dc_instance(tmp_path, 19.5))
    assert result.n_eligible == 1  # only FC -> Z, which the FC cannot stock
    assert result.objective == pytest.approx(400)


def test_throughput_counts_intermediate_nodes(tmp_path: Path) -> None:
    # 4 units pass the FC: buy 40 + ship 24 + lose 6 * 40.
    result = solve_reference(dc_instance(tmp_path, 20, fc_throughput=4))
    assert result.stock[("P", "DC")] == pytest.approx(4)
    assert result.objective == pytest.approx(304)


def test_max_route_lanes_one_drops_the_dc_route(tmp_path: Path) -> None:
    result = solve_reference(dc_instance(tmp_path, 20, max_route_lanes=1))
    assert result.n_routes == 1
    assert result.objective == pytest.approx(400)


@pytest.mark.parametrize(("max_lanes", "routes"), [(1, 2), (2, 4), (3, 4)])
def test_routes_visit_no_node_twice(tmp_path: Path, max_lanes: int, routes: int) -> None:
    # A -> Z, B -> Z, A -> B -> Z, B -> A -> Z; never A -> B -> A -> Z.
    write_instance(tmp_path, {
        "products": [{"product": "P", "unit_volume": 1, "unit_cost": 1, "holding_cost": 0, "lost_sale_cost": 5}],
        "nodes": [{"node": "A"}, {"node": "B"}],
        "zones": [{"zone": "Z"}],
        "speeds": [{"speed": "K", "promise_hours": 100}],
        "lanes": [{"origin": o, "destination": d, "transit_hours": 1}
                  for o, d in [("A", "B"), ("B", "A"), ("A", "Z"), ("B", "Z")]],
        "demand": [{"product": "P", "zone": "Z", "speed": "K", "scenario": "S", "quantity": 3}],
    }, f"max_route_lanes = {max_lanes}\n")
    result = solve_reference(tmp_path)
    assert result.n_routes == routes
    assert result.objective == pytest.approx(3)


# (d) windows ------------------------------------------------------------------

def window_instance(directory: Path, window: str | None) -> Path:
    """W1 (hour 8, share 3) is on time, W2 (hour 20, share 1) misses the 12:00 cut-off."""
    return write_instance(directory, {
        "products": [{"product": "P", "unit_volume": 1, "unit_cost": 10, "holding_cost": 1,
                      "lost_sale_cost": 40}],
        "nodes": [{"node": "N", "cutoff_hour": 12}],
        "zones": [{"zone": "Z"}],
        "speeds": [{"speed": "K", "promise_hours": 16}],
        "lanes": [{"origin": "N", "destination": "Z", "transit_hours": 10, "unit_cost": 2}],
        "windows": [{"window": "W1", "order_hour": 8, "share": 3}, {"window": "W2", "order_hour": 20, "share": 1}],
        "demand": [{"product": "P", "zone": "Z", "speed": "K", "scenario": "S", "quantity": 40, "window": window}],
    })


@pytest.mark.parametrize(
    ("window", "stock", "objective"),
    [
        (None, 30, 10 * 30 + 2 * 30 + 40 * 10),  # split 30 / 10 by share; W2 is lost
        ("W1", 40, 10 * 40 + 2 * 40),
        ("W2", 0, 40 * 40),
    ],
)
def test_windows_split_demand_by_share(tmp_path: Path, window: str | None, stock: float, objective: float) -> None:
    result = solve_reference(window_instance(tmp_path, window))
    assert (result.n_classes, result.n_eligible) == (2, 1)
    assert result.stock[("P", "N")] == pytest.approx(stock)
    assert result.objective == pytest.approx(objective)


# (e) capacities and service targets --------------------------------------------

@pytest.mark.parametrize(
    "node",
    [{"storage_capacity": 50}, {"inbound_capacity": 25}, {"throughput_capacity": 25}],
)
def test_binding_capacity(tmp_path: Path, node: dict[str, Any]) -> None:
    # y = 25 (volume 2): E[min(25, D)] = 21, E[lost] = 9.
    # buy 250 + ship 42 + lost 360 + holding 4 = 656.
    result = solve_reference(newsvendor(tmp_path, node=node, unit_volume=2))
    assert result.stock[("P", "N")] == pytest.approx(25)
    assert result.objective == pytest.approx(656)


def test_binding_service_target(tmp_path: Path) -> None:
    # E[lost] <= 0.01 * 30 = 0.3 forces (50 - y) / 5 = 0.3, so y = 48.5.
    # buy 485 + ship 2 * 29.7 + lost 40 * 0.3 + holding 18.8 = 575.2.
    result = solve_reference(newsvendor(tmp_path, speed={"fill_rate_target": 0.99}))
    assert result.stock[("P", "N")] == pytest.approx(48.5)
    assert result.objective == pytest.approx(575.2)


def test_slack_service_target_changes_nothing(tmp_path: Path) -> None:
    result = solve_reference(newsvendor(tmp_path, speed={"fill_rate_target": 0.9}))
    assert result.objective == pytest.approx(548)


# (f) infeasibility -------------------------------------------------------------

def test_on_hand_above_storage_is_infeasible(tmp_path: Path) -> None:
    result = solve_reference(newsvendor(tmp_path, on_hand=30, unit_volume=2, node={"storage_capacity": 50}))
    assert result.status == "infeasible"
    assert result.objective is None


# (g) random instances ----------------------------------------------------------

ALL_FEATURES = dict(windows=True, cutoffs=True, categories=True, on_hand=True, weights=True,
                    capacities=True, service_targets=True, integer_stock=True)


@pytest.mark.parametrize("seed", range(8))
def test_random_instances_solve(tmp_path: Path, seed: int) -> None:
    write_random_instance(tmp_path, seed, max_route_lanes=2 + seed % 2, **ALL_FEATURES)
    lp = solve_reference(tmp_path, integer=False)
    mip = solve_reference(tmp_path)
    assert lp.status == mip.status == "optimal"
    assert mip.objective >= lp.objective - 1e-6 * max(1.0, abs(lp.objective))
    assert mip.lower_bound <= mip.objective + 1e-6
    assert all(value == pytest.approx(round(value)) for value in mip.stock.values())
    assert 0 < lp.n_eligible < lp.n_routes * lp.n_classes // 3  # some routes late (3 zones)


@pytest.mark.parametrize("seed", range(4))
def test_random_instances_minimal_features(tmp_path: Path, seed: int) -> None:
    write_random_instance(tmp_path, seed)
    assert solve_reference(tmp_path).status == "optimal"


def test_random_instance_is_deterministic(tmp_path: Path) -> None:
    first = write_random_instance(tmp_path / "a", 7, **ALL_FEATURES)
    second = write_random_instance(tmp_path / "b", 7, **ALL_FEATURES)
    names = sorted(path.name for path in first.iterdir())
    assert names == sorted(path.name for path in second.iterdir())
    assert all((first / name).read_text() == (second / name).read_text() for name in names)


def test_larger_random_instance(tmp_path: Path) -> None:
    write_random_instance(tmp_path, 12, products=10, nodes=6, zones=8, scenarios=10, **ALL_FEATURES)
    lp = solve_reference(tmp_path, integer=False)
    mip = solve_reference(tmp_path, mip_gap=1e-4)
    assert lp.status == mip.status == "optimal"
    assert lp.lower_bound == lp.objective
    assert lp.objective - 1e-6 <= mip.lower_bound <= mip.objective <= mip.lower_bound * (1 + 1e-4) + 1e-6
