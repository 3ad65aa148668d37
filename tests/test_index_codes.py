"""The model index built on integer codes equals the index computed the straightforward way, on
the names (merges and a sort on strings, as it was built before the codes), and the codes helpers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.random_instance import write_random_instance

from meio.data import load_instance
from meio.data.codes import number_codes, positions, ranges, string_rank
from meio.data.derived import DerivedSets, class_name, derive_sets
from meio.data.instance import Instance
from meio.models.index import model_index


def reference_demand(instance: Instance) -> pd.DataFrame:
    """d[p,c,s] > 0 grouped on the class names, row by row."""
    demand = instance.demand
    if instance.windows is not None:
        split = demand[demand["window"].isna()].drop(columns="window").merge(
            instance.windows["share"].rename_axis("window").reset_index(), how="cross")
        split["quantity"] = split["quantity"] * split.pop("share")
        demand = pd.concat([demand[demand["window"].notna()], split], ignore_index=True)
    windows = demand["window"] if instance.windows is not None else [None] * len(demand)
    names = [class_name(z, k, w if isinstance(w, str) else None) for z, k, w in zip(demand["zone"], demand["speed"],
                                                                                   windows)]
    table = pd.DataFrame({"product": demand["product"].to_numpy(), "class": np.array(names, dtype=object),
                          "scenario": demand["scenario"].to_numpy(), "quantity": demand["quantity"].to_numpy()})
    out = table.groupby(["product", "class", "scenario"], sort=False)["quantity"].sum().reset_index()
    return out[out["quantity"] > 0].reset_index(drop=True)


def reference_index(instance: Instance, sets: DerivedSets) -> dict[str, pd.DataFrame]:
    """y, x, u and x_nodes joined on the names, x sorted on them."""
    products = instance.products
    y = sets.stocking.copy()
    y["unit_cost"] = products.loc[y["product"], "unit_cost"].to_numpy()
    y["holding"] = (products.loc[y["product"], "holding_cost"].to_numpy()
                    * instance.nodes.loc[y["node"], "holding_factor"].to_numpy())
    u = sets.demand.merge(sets.classes[["speed"]], left_on="class", right_index=True)
    u["penalty"] = (products.loc[u["product"], "lost_sale_cost"].to_numpy()
                    * instance.speeds.loc[u["speed"], "penalty_factor"].to_numpy())
    u["weight"] = instance.scenarios["weight"].loc[u["scenario"]].to_numpy()
    u = u.reset_index(drop=True)
    routes = sets.routes.reset_index()[["route", "origin", "unit_cost", "volume_cost"]]
    x = (u[["product", "class", "scenario", "speed", "weight"]].merge(sets.eligible, on="class")
         .merge(routes, on="route")
         .merge(y[["product", "node", "holding"]].rename(columns={"node": "origin"}), on=["product", "origin"]))
    x["cost"] = x.pop("unit_cost") + x.pop("volume_cost") * products.loc[x["product"], "unit_volume"].to_numpy()
    x = x[["product", "route", "class", "scenario", "origin", "speed", "cost", "holding", "weight"]]
    x = x.sort_values(["product", "scenario", "class", "route"], kind="stable").reset_index(drop=True)
    route_nodes = sets.routes["nodes"].explode().rename("node").rename_axis("route").reset_index()
    x_nodes = pd.DataFrame({"row": np.arange(len(x)), "route": x["route"].to_numpy()}).merge(
        route_nodes, on="route")[["row", "node"]]
    return {"y": y, "x": x, "u": u, "x_nodes": x_nodes}


def reversed_tables(instance: Instance) -> Instance:
    """The instance with its tables listed backwards: codes (and the classes) no longer in name order."""
    windows = None if instance.windows is None else instance.windows.iloc[::-1]
    return replace(instance, products=instance.products.iloc[::-1], nodes=instance.nodes.iloc[::-1],
                   zones=instance.zones.iloc[::-1], speeds=instance.speeds.iloc[::-1],
                   scenarios=instance.scenarios.iloc[::-1], windows=windows)


@pytest.mark.parametrize(("seed", "features"), [
    (1, {}),
    (2, {"windows": True, "cutoffs": True, "categories": True}),
    (3, {"on_hand": True, "capacities": True, "service_targets": True, "weights": True}),
    (4, {"windows": True, "categories": True, "on_hand": True, "max_route_lanes": 3}),
])
def test_the_coded_index_equals_the_index_joined_on_names(tmp_path: Path, seed: int, features: dict) -> None:
    loaded = load_instance(write_random_instance(tmp_path, seed, products=9, scenarios=7, **features))
    for instance in (loaded, reversed_tables(loaded)):
        sets = derive_sets(instance)
        pd.testing.assert_frame_equal(sets.demand, reference_demand(instance))
        index = model_index(instance, sets)
        for name, expected in reference_index(instance, sets).items():
            pd.testing.assert_frame_equal(getattr(index, name), expected, check_exact=True)
        codes = index.codes
        assert (instance.products.index[codes.x_product] == index.x["product"].to_numpy()).all()
        assert (instance.nodes.index[codes.x_origin] == index.x["origin"].to_numpy()).all()
        assert (instance.scenarios.index[codes.x_scenario] == index.x["scenario"].to_numpy()).all()
        assert (index.u["class"].to_numpy()[codes.x_demand] == index.x["class"].to_numpy()).all()
        assert (instance.speeds.index[codes.u_speed] == index.u["speed"].to_numpy()).all()
        assert (instance.nodes.index[codes.x_nodes_node] == index.x_nodes["node"].to_numpy()).all()


def test_number_codes_numbers_distinct_rows_in_order_of_first_appearance() -> None:
    rng = np.random.default_rng(0)
    columns = [rng.integers(-1, size, 500) for size in (3, 1, 7)]
    numbers, distinct = number_codes(columns, [3, 1, 7])
    rows = list(zip(*(c.tolist() for c in columns)))
    expected, firsts = pd.factorize(pd.Series(rows, dtype=object))
    np.testing.assert_array_equal(numbers, expected)
    assert list(zip(*(c.tolist() for c in distinct))) == list(firsts)
    with pytest.raises(OverflowError):
        number_codes([np.zeros(2, dtype=np.int64)] * 3, [2 ** 22] * 3)


def test_positions_ranks_and_ranges() -> None:
    labels = pd.Index(["b", "a10", "a2", "c"])
    np.testing.assert_array_equal(positions(pd.Series(["c", "a2", "c", "b"]), labels), [3, 2, 3, 0])
    np.testing.assert_array_equal(positions(pd.Series(["x", "b", None]), labels, missing=True), [-1, 0, -1])
    with pytest.raises(KeyError):
        positions(pd.Series(["b", "x"]), labels)
    np.testing.assert_array_equal(string_rank(labels), [2, 0, 1, 3])  # "a10" < "a2" < "b" < "c"
    np.testing.assert_array_equal(ranges(np.array([5, 0, 9]), np.array([2, 0, 3])), [5, 6, 9, 10, 11])
    assert len(ranges(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))) == 0
