"""Derived sets of docs/formulation.md: stocking pairs A, routes R, demand classes C, eligibility E, d[p,c,s].

Everything here is computed once per instance with pandas and is shared by the
extensive model, the decomposition and the reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from meio.data.codes import factorized, number_codes
from meio.data.instance import Instance

#: Tolerance (hours) of the on-time comparison, so 24.0000000001 is not late for 24.
HOURS_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class DerivedSets:
    """The sets and parameters the model is indexed by.

    - ``stocking``: (product, node) pairs of A with ``on_hand``.
    - ``routes``: one row per route ``r`` (index) with ``origin``, ``zone``, ``nodes``
      (tuple of nodes on the route), ``lanes`` (count), ``duration`` (tau), ``unit_cost``
      and ``volume_cost`` (sums over its lanes, so c(r,p) = unit_cost + volume_cost * v_p).
    - ``classes``: one row per demand class ``c`` (index) with ``zone``, ``speed``, ``window``.
    - ``eligible``: (route, class) pairs of E.
    - ``demand``: d[p,c,s] > 0 as rows (product, class, scenario, quantity).
    """

    stocking: pd.DataFrame
    routes: pd.DataFrame
    classes: pd.DataFrame
    eligible: pd.DataFrame
    demand: pd.DataFrame


def derive_sets(instance: Instance) -> DerivedSets:
    """Compute A, R, C, E and d for an instance."""
    routes = enumerate_routes(instance)
    classes = demand_classes(instance)
    return DerivedSets(
        stocking=stocking_pairs(instance),
        routes=routes,
        classes=classes,
        eligible=eligible_pairs(instance, routes, classes),
        demand=class_demand(instance, classes),
    )


def stocking_pairs(instance: Instance) -> pd.DataFrame:
    """A: every (product, node) where the node accepts the product's category, with on-hand stock."""
    products = instance.products.reset_index()[["product", "category"]]
    nodes = instance.nodes.reset_index()[["node", "categories"]]
    pairs = products.merge(nodes, how="cross")
    accepted = [cats is None or cat in cats for cat, cats in zip(pairs["category"], pairs["categories"])]
    pairs = pairs.loc[np.asarray(accepted, dtype=bool), ["product", "node"]].reset_index(drop=True)
    on_hand = instance.inventory.groupby(["product", "node"], as_index=False)["on_hand"].sum()
    pairs = pairs.merge(on_hand, on=["product", "node"], how="left")
    pairs["on_hand"] = pairs["on_hand"].fillna(0.0)
    return pairs


def enumerate_routes(instance: Instance) -> pd.DataFrame:
    """R: simple paths node -> ... -> zone with at most ``max_route_lanes`` lanes."""
    graph = instance.graph
    # as Series.sum of the path's hours, NaN counted as 0, without a label lookup per path
    handling = instance.nodes["handling_hours"].fillna(0.0).to_numpy(dtype=float)
    position = {node: i for i, node in enumerate(instance.nodes.index)}
    rows = []

    def extend(path: list[str], lanes: int, hours: float, unit: float, volume: float) -> None:
        for _, nxt, lane in graph.out_edges(path[-1], data=True):
            t, u, v = hours + lane["transit_hours"], unit + lane["unit_cost"], volume + lane["volume_cost"]
            if graph.nodes[nxt]["role"] == "zone":
                rows.append((">".join([*path, nxt]), path[0], nxt, tuple(path), lanes + 1,
                             t + float(handling[[position[n] for n in path]].sum()), u, v))
            elif nxt not in path and lanes + 2 <= instance.max_route_lanes:
                extend([*path, nxt], lanes + 1, t, u, v)

    for node in instance.nodes.index:
        extend([node], 0, 0.0, 0.0, 0.0)
    columns = ["route", "origin", "zone", "nodes", "lanes", "duration", "unit_cost", "volume_cost"]
    return pd.DataFrame(rows, columns=columns).set_index("route")


def demand_classes(instance: Instance) -> pd.DataFrame:
    """C: (zone, speed) classes, or (zone, speed, window) when windows.csv is present."""
    zones, speeds = list(instance.zones.index), list(instance.speeds.index)
    windows = list(instance.windows.index) if instance.windows is not None else [None]
    rows = [(class_name(z, k, w), z, k, w) for z in zones for k in speeds for w in windows]
    return pd.DataFrame(rows, columns=["class", "zone", "speed", "window"]).set_index("class")


def class_name(zone: str, speed: str, window: str | None) -> str:
    """Readable identifier of a demand class, used in result tables."""
    return f"{zone}|{speed}" if window is None else f"{zone}|{speed}|{window}"


def eligible_pairs(instance: Instance, routes: pd.DataFrame, classes: pd.DataFrame) -> pd.DataFrame:
    """E: (route, class) pairs whose delivery is on time, cut-offs and next-day departures included."""
    pairs = routes.reset_index()[["route", "origin", "zone", "duration"]].merge(
        classes.reset_index(), on="zone")
    promise = instance.speeds.loc[pairs["speed"], "promise_hours"].to_numpy()
    duration = pairs["duration"].to_numpy()
    if instance.windows is None:
        on_time = duration <= promise + HOURS_TOLERANCE
    else:
        order_hour = instance.windows.loc[pairs["window"], "order_hour"].to_numpy()
        handling = instance.nodes.loc[pairs["origin"], "handling_hours"].to_numpy()
        cutoff = instance.nodes.loc[pairs["origin"], "cutoff_hour"].to_numpy()
        departure = departure_hour(order_hour + handling, cutoff)
        arrival = departure + (duration - handling)
        on_time = arrival <= order_hour + promise + HOURS_TOLERANCE
    return pairs.loc[on_time, ["route", "class"]].reset_index(drop=True)


def departure_hour(ready: np.ndarray, cutoff: np.ndarray) -> np.ndarray:
    """First daily departure ``cutoff + 24 j >= ready`` (j = 0, 1, ...); ``ready`` where no cut-off."""
    days = np.maximum(0.0, np.ceil((ready - cutoff - HOURS_TOLERANCE) / 24.0))
    scheduled = cutoff + 24.0 * np.where(np.isnan(days), 0.0, days)
    return np.where(np.isnan(cutoff), ready, scheduled)


def class_demand(instance: Instance, classes: pd.DataFrame) -> pd.DataFrame:
    """d[p,c,s] > 0: demand rows mapped to classes, rows without a window split by window share."""
    demand = instance.demand
    if instance.windows is None:
        mapped = demand
    else:
        shares = instance.windows["share"]
        given = demand[demand["window"].notna()]
        split = demand[demand["window"].isna()].drop(columns="window").merge(
            shares.rename("share").rename_axis("window").reset_index(), how="cross")
        split["quantity"] = split["quantity"] * split.pop("share")
        mapped = pd.concat([given, split], ignore_index=True)
    # summed per (product, class, scenario) in order of first appearance, grouped on integer codes
    # (as a groupby on the names would: rows with a blank product or scenario are left out)
    product, products = factorized(mapped["product"])
    scenario, scenarios = factorized(mapped["scenario"])
    klass, names = _class_codes(mapped, instance.windows is not None)
    kept = np.flatnonzero((product >= 0) & (scenario >= 0))
    group, (product, klass, scenario) = number_codes([product[kept], klass[kept], scenario[kept]],
                                                     [len(products), len(names), len(scenarios)])
    quantity = pd.Series(mapped["quantity"].to_numpy()[kept]).groupby(group).sum()
    out = pd.DataFrame({"product": products[product], "class": names[klass], "scenario": scenarios[scenario],
                        "quantity": quantity.to_numpy()})
    return out[out["quantity"] > 0].reset_index(drop=True)


def _class_codes(mapped: pd.DataFrame, windows: bool) -> tuple[np.ndarray, np.ndarray]:
    """The class number of each demand row (one number per distinct class name) and the name of
    each number; the window is part of the class only with ``windows`` (blank: none)."""
    zone, zones = factorized(mapped["zone"])
    speed, speeds = factorized(mapped["speed"])
    window, labels = factorized(mapped["window"]) if windows else (np.full(len(mapped), -1), np.empty(0, dtype=object))
    numbers, (z, k, w) = number_codes([zone, speed, window], [len(zones), len(speeds), len(labels)])
    names = [class_name(zones[a], speeds[b], labels[c] if c >= 0 else None) for a, b, c in zip(z, k, w)]
    number_of_name, distinct = factorized(names)
    return number_of_name[numbers], distinct


def route_unit_cost(routes: pd.DataFrame, unit_volume: float) -> pd.Series:
    """c(r,p) for a product of the given unit volume, per route."""
    return routes["unit_cost"] + routes["volume_cost"] * unit_volume
