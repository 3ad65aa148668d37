"""Derived sets of SPEC §2 on hand-computed cases: routes, costs, durations, cut-offs, windows."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.random_instance import write_instance

from meio.data import load_instance
from meio.data.derived import derive_sets, route_unit_cost

PRODUCTS = [{"product": "p", "unit_volume": 2, "unit_cost": 1, "holding_cost": 0, "lost_sale_cost": 5}]


def network(directory: Path, *, nodes: list[dict], lanes: list[dict], speeds: list[dict],
            demand: list[dict] | None = None, windows: list[dict] | None = None,
            products: list[dict] | None = None, toml: str | None = None):
    tables = {
        "products": products or PRODUCTS, "nodes": nodes, "zones": [{"zone": "Z"}], "speeds": speeds,
        "lanes": lanes,
        "demand": demand or [{"product": "p", "zone": "Z", "speed": speeds[0]["speed"], "scenario": "s",
                              "quantity": 1}],
    }
    if windows is not None:
        tables["windows"] = windows
    return derive_sets(load_instance(write_instance(directory, tables, toml)))


def test_two_lane_route_through_a_dc_sums_costs_and_durations(tmp_path: Path) -> None:
    sets = network(
        tmp_path,
        nodes=[{"node": "DC", "handling_hours": 6}, {"node": "FC", "handling_hours": 2}],
        lanes=[{"origin": "DC", "destination": "FC", "transit_hours": 10, "unit_cost": 0.5, "volume_cost": 0.1},
               {"origin": "FC", "destination": "Z", "transit_hours": 3, "unit_cost": 1, "volume_cost": 0.2}],
        speeds=[{"speed": "two_day", "promise_hours": 21}],
    )
    route = sets.routes.loc["DC>FC>Z"]
    assert route["nodes"] == ("DC", "FC")
    assert route["duration"] == pytest.approx(6 + 2 + 10 + 3)
    assert route_unit_cost(sets.routes, 2.0)["DC>FC>Z"] == pytest.approx(0.5 + 1 + 2 * (0.1 + 0.2))
    assert sets.routes.loc["FC>Z", "duration"] == pytest.approx(5)
    assert set(sets.eligible["route"]) == {"DC>FC>Z", "FC>Z"}  # 21 <= 21 is on time


def test_route_one_hour_too_slow_is_not_eligible(tmp_path: Path) -> None:
    sets = network(
        tmp_path,
        nodes=[{"node": "DC", "handling_hours": 6}, {"node": "FC", "handling_hours": 2}],
        lanes=[{"origin": "DC", "destination": "FC", "transit_hours": 10},
               {"origin": "FC", "destination": "Z", "transit_hours": 3}],
        speeds=[{"speed": "fast", "promise_hours": 20}],
    )
    assert list(sets.eligible["route"]) == ["FC>Z"]


def test_max_route_lanes_limits_routes(tmp_path: Path) -> None:
    sets = network(
        tmp_path,
        nodes=[{"node": "DC"}, {"node": "FC"}],
        lanes=[{"origin": "DC", "destination": "FC", "transit_hours": 1},
               {"origin": "FC", "destination": "Z", "transit_hours": 1}],
        speeds=[{"speed": "k", "promise_hours": 10}], toml="max_route_lanes = 1\n",
    )
    assert list(sets.routes.index) == ["FC>Z"]


def test_routes_never_visit_a_node_twice(tmp_path: Path) -> None:
    sets = network(
        tmp_path,
        nodes=[{"node": "A"}, {"node": "B"}],
        lanes=[{"origin": "A", "destination": "B", "transit_hours": 1},
               {"origin": "B", "destination": "A", "transit_hours": 1},
               {"origin": "A", "destination": "Z", "transit_hours": 1},
               {"origin": "B", "destination": "Z", "transit_hours": 1}],
        speeds=[{"speed": "k", "promise_hours": 10}], toml="max_route_lanes = 4\n",
    )
    assert sorted(sets.routes.index) == ["A>B>Z", "A>Z", "B>A>Z", "B>Z"]


CUTOFF_NODES = [{"node": "FC", "handling_hours": 2, "cutoff_hour": 14}]
CUTOFF_LANES = [{"origin": "FC", "destination": "Z", "transit_hours": 3}]


@pytest.mark.parametrize(("order_hour", "promise", "on_time"), [
    (12.0, 5, True),    # ready at 14, leaves on the 14:00 truck, arrives 17 = 12 + 5
    (12.5, 5, False),   # ready at 14:30, just misses the cut-off, leaves at 38, arrives 41 > 17.5
    (12.5, 29, True),   # the next day's truck: arrives 41 <= 12.5 + 29 = 41.5
    (20.0, 24, True),   # ready at 22, leaves at 38, arrives 41 <= 44
    (20.0, 20, False),  # arrives 41 > 40
])
def test_cutoff_with_windows(tmp_path: Path, order_hour: float, promise: float, on_time: bool) -> None:
    sets = network(tmp_path, nodes=CUTOFF_NODES, lanes=CUTOFF_LANES,
                   speeds=[{"speed": "k", "promise_hours": promise}],
                   windows=[{"window": "w", "order_hour": order_hour, "share": 1}])
    assert (len(sets.eligible) == 1) is on_time


def test_cutoff_is_ignored_without_windows(tmp_path: Path) -> None:
    sets = network(tmp_path, nodes=CUTOFF_NODES, lanes=CUTOFF_LANES, speeds=[{"speed": "k", "promise_hours": 5}])
    assert len(sets.eligible) == 1


def test_no_cutoff_means_continuous_departures(tmp_path: Path) -> None:
    sets = network(tmp_path, nodes=[{"node": "FC", "handling_hours": 2}], lanes=CUTOFF_LANES,
                   speeds=[{"speed": "k", "promise_hours": 5}],
                   windows=[{"window": "w", "order_hour": 23, "share": 1}])
    assert len(sets.eligible) == 1


def test_windows_split_demand_by_share(tmp_path: Path) -> None:
    sets = network(
        tmp_path, nodes=[{"node": "FC"}], lanes=CUTOFF_LANES, speeds=[{"speed": "k", "promise_hours": 24}],
        windows=[{"window": "am", "order_hour": 9, "share": 3}, {"window": "pm", "order_hour": 18, "share": 1}],
        demand=[{"product": "p", "zone": "Z", "speed": "k", "scenario": "s", "quantity": 8},
                {"product": "p", "zone": "Z", "speed": "k", "scenario": "t", "quantity": 5, "window": "am"}],
    )
    demand = sets.demand.set_index(["class", "scenario"])["quantity"].to_dict()
    assert demand == {("Z|k|am", "s"): 6.0, ("Z|k|pm", "s"): 2.0, ("Z|k|am", "t"): 5.0}
    assert sorted(sets.classes.index) == ["Z|k|am", "Z|k|pm"]


def test_stocking_pairs_follow_categories(tmp_path: Path) -> None:
    products = [PRODUCTS[0] | {"product": "small", "category": "small"},
                PRODUCTS[0] | {"product": "big", "category": "large"}]
    sets = network(tmp_path, products=products,
                   nodes=[{"node": "SORT", "categories": "small"}, {"node": "ANY"},
                          {"node": "NONSORT", "categories": "large;bulky"}],
                   lanes=[{"origin": "SORT", "destination": "Z", "transit_hours": 1}],
                   speeds=[{"speed": "k", "promise_hours": 24}],
                   demand=[{"product": "small", "zone": "Z", "speed": "k", "scenario": "s", "quantity": 1}])
    pairs = set(zip(sets.stocking["product"], sets.stocking["node"]))
    assert pairs == {("small", "SORT"), ("small", "ANY"), ("big", "ANY"), ("big", "NONSORT")}


def test_instance_chunks_partition_the_products_with_their_own_rows(tmp_path: Path) -> None:
    from support.random_instance import write_random_instance

    instance = load_instance(write_random_instance(tmp_path / "i", 4, products=7, on_hand=True))
    chunks = list(instance.in_chunks(3))
    assert [list(c.products.index) for c in chunks] == [list(instance.products.index[i:i + 3]) for i in (0, 3, 6)]
    for chunk in chunks:
        whole = instance.restricted_to(list(chunk.products.index))
        assert chunk.demand.equals(whole.demand) and chunk.inventory.equals(whole.inventory)
    assert sum(len(c.demand) for c in chunks) == len(instance.demand)
    assert sum(len(c.inventory) for c in chunks) == len(instance.inventory) > 0
