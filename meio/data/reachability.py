"""Demand no route can deliver on time: a warning per speed, naming the zones and the units lost.

Eligibility (docs/formulation.md, :func:`meio.data.derived.eligible_pairs`) depends on zones, speeds,
windows and the network only, never on the product, so the check runs on demand pooled over
products: the expected quantity (scenario-weighted) of every demand class, against the
classes that some route serves on time. Of the routes from one origin to one zone only the
fastest matters (the arrival time grows with the duration, cut-offs included), so instead of
enumerating every route the fastest one per (origin, zone) is found by a hop-limited
shortest-path pass over the lanes, then judged by ``eligible_pairs`` itself. Node categories
are not considered (a route may serve some products only): the warning is about demand that
no stock anywhere could serve.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from meio.data.derived import class_demand, demand_classes, eligible_pairs
from meio.data.instance import Instance
from meio.results import units

#: Columns of the pooled demand, as in ``Instance.demand``.
POOLED_KEYS = ("zone", "speed", "window", "scenario")


def pooled_demand(demand: pd.DataFrame) -> pd.DataFrame:
    """Total quantity per (zone, speed, window, scenario) over all products.

    ``demand`` is the table as read, with categorical identifier columns: the totals come from
    one ``bincount`` over the combined codes, a few milliseconds for millions of rows.
    """
    categories = [demand[key].cat for key in POOLED_KEYS]
    sizes = [len(c.categories) + 1 for c in categories]  # + 1: code -1, a blank cell
    combined: np.ndarray = np.zeros(len(demand), dtype=np.int32 if math.prod(sizes) < 2**31 else np.int64)
    for values, size in zip(categories, sizes):
        combined *= size
        combined += values.codes
        combined += 1
    totals = np.bincount(combined, weights=demand["quantity"].to_numpy(), minlength=math.prod(sizes))
    cells = np.flatnonzero(totals > 0)
    positions = np.unravel_index(cells, sizes)
    pooled = {key: np.array([None, *values.categories], dtype=object)[position]
              for key, values, position in zip(POOLED_KEYS, categories, positions)}
    return pd.DataFrame({"product": "*", **pooled, "quantity": totals[cells]})


def unreachable_notes(instance: Instance, pooled: pd.DataFrame) -> list[str]:
    """A warning for every speed with expected demand in zones (or windows) no route serves on
    time: one line per speed, naming each such zone with its expected units."""
    lost = unserved_demand(instance, pooled)
    promise = instance.speeds["promise_hours"]
    notes = []
    for speed, rows in lost.groupby(level="speed", sort=False):
        zones = [f"{zone} {units.quantity(expected)}{_windows_text(windows, instance)}"
                 for (zone, _), expected, windows in zip(rows.index, rows["quantity"], rows["window"])]
        total = units.quantity(rows["quantity"].sum())
        notes.append(f"demand.csv: no route delivers within the {promise[str(speed)]:g} h of speed '{speed}' to "
                     f"{len(zones)} zone(s), so their expected demand ({total} units) is lost: "
                     f"{', '.join(zones)} (check lanes.csv, handling_hours and cutoff_hour)")
    return notes


def unserved_demand(instance: Instance, pooled: pd.DataFrame) -> pd.DataFrame:
    """Expected units per (zone, speed) in classes without an on-time route, with those classes' windows."""
    classes = demand_classes(instance)
    served = set(eligible_pairs(instance, fastest_routes(instance), classes)["class"])
    demand = class_demand(replace(instance, demand=pooled), classes)
    demand = demand[~demand["class"].isin(served)]
    weight = instance.scenarios["weight"].reindex(demand["scenario"]).to_numpy()
    unserved = classes.loc[demand["class"]].assign(quantity=demand["quantity"].to_numpy() * weight)
    return unserved.groupby(["zone", "speed"], sort=False).agg(
        quantity=("quantity", "sum"), window=("window", lambda w: sorted(set(w.dropna()))))


def fastest_routes(instance: Instance) -> pd.DataFrame:
    """The fastest route of every (origin node, zone) pair with at most ``max_route_lanes`` lanes.

    One row per pair that has a route, indexed by ``route`` (``origin>zone``), with ``origin``,
    ``zone`` and ``duration`` (transit plus the handling of every node on the route) as in
    :func:`meio.data.derived.enumerate_routes`. A walk through a node twice is never faster
    than the route without the loop (hours are >= 0), so the minimum over walks is the
    minimum over routes.
    """
    nodes, zones = instance.nodes.index, instance.zones.index
    handling = instance.nodes["handling_hours"].to_numpy(dtype=float)
    lanes = instance.lanes
    destination = pd.Index(lanes["destination"])
    origin_at = nodes.get_indexer(pd.Index(lanes["origin"]))
    to_node, to_zone = nodes.get_indexer(destination), zones.get_indexer(destination)
    hours = lanes["transit_hours"].to_numpy(dtype=float)
    onward = np.full((len(nodes), len(nodes)), np.inf)  # node -> node, with the next node's handling
    inner = to_node >= 0
    np.minimum.at(onward, (origin_at[inner], to_node[inner]), hours[inner] + handling[to_node[inner]])
    last = np.full((len(nodes), len(zones)), np.inf)  # node -> zone
    np.minimum.at(last, (origin_at[~inner], to_zone[~inner]), hours[~inner])
    reach = np.where(np.eye(len(nodes), dtype=bool), handling[:, None], np.inf)  # origin -> node
    duration = np.full((len(nodes), len(zones)), np.inf)
    # a route visits a node at most once, so it has at most len(nodes) lanes whatever the setting says
    for _ in range(min(instance.max_route_lanes, len(nodes))):
        duration = np.minimum(duration, (reach[:, :, None] + last[None, :, :]).min(axis=1))
        reach = (reach[:, :, None] + onward[None, :, :]).min(axis=1)
    o, z = np.nonzero(np.isfinite(duration))
    return pd.DataFrame({"origin": nodes[o], "zone": zones[z], "duration": duration[o, z]},
                        index=pd.Index([f"{a}>{b}" for a, b in zip(nodes[o], zones[z])], name="route"))


def _windows_text(windows: list[str], instance: Instance) -> str:
    """`` (window(s) ...)`` when only some of the windows are missed."""
    if instance.windows is None or len(windows) == len(instance.windows):
        return ""
    return f" (window(s) {', '.join(windows)})"
