"""Baseline plans that multi-echelon planning is compared against.

- ``single-echelon``: every zone is assigned, for each product, to its *nearest* node: the
  origin of the fastest route to the zone (least tau(r), ties: cheaper route) among nodes
  that may stock the product. Each node then stocks each product by an independent
  newsvendor on the demand assigned to it, D[p,n,s] = the zone's demand of every speed:
  with underage cost c_u = pen - c - unit_cost (pen the expected-demand-weighted lost-sale
  penalty over speeds, c the cost of that fastest route) and overage cost c_o = unit_cost + h_p f_n, the
  stock is the smallest y with F(y) >= c_u / (c_u + c_o) under the weighted empirical
  distribution of D (0 when c_u <= 0), at least on hand. This is the formulation's cost of one node
  serving its area alone. Then capacities are enforced by scaling (below).
- ``speed-blind``: the SAA plan of the instance with its speeds pooled into one speed:
  promise = the slowest promise (any route on time for some speed counts), penalty factor and
  fill-rate target = demand-weighted means over speeds (a speed without target counts 0), so
  one service level holds for all speeds. The plan is then evaluated on the real speeds.
- ``no-capacity``: the SAA plan ignoring storage, inbound and throughput capacities, repaired
  by scaling.

Scaling (repair): at a node whose stock breaks its storage or inbound capacity, the units
bought there are multiplied by the largest factor in [0, 1] that meets both (on-hand stock
is kept); with ``integer_stock`` the result is rounded down. Throughput is not a stock
limit; the fulfillment policies enforce it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from meio.data.derived import derive_sets
from meio.data.instance import Instance
from meio.errors import MeioError, SolverError
from meio.evaluation.plan import Plan, plan_from_values
from meio.exact import solve_extensive
from meio.models.build import ModelVariant
from meio.solvers import SolveOptions

BASELINES = ("single-echelon", "speed-blind", "no-capacity")


def baseline_plan(instance: Instance, policy: str, backend: str = "highs",
                  options: SolveOptions | None = None, variants: Sequence[ModelVariant] = ()) -> Plan:
    """The named baseline plan for ``instance``; the SAA-based ones solve their model with ``variants``
    (single-echelon solves no model: it ignores them)."""
    if policy == "single-echelon":
        return single_echelon(instance)
    if policy == "speed-blind":
        return speed_blind(instance, backend, options, variants)
    if policy == "no-capacity":
        return no_capacity(instance, backend, options, variants)
    raise MeioError(f"unknown baseline '{policy}' (choose from {', '.join(BASELINES)})")


def single_echelon(instance: Instance) -> Plan:
    """Nearest-node assignment and an independent newsvendor per (product, node), then scaling."""
    sets = derive_sets(instance)
    pairs = sets.stocking.reset_index(drop=True)
    products = instance.products
    routes = sets.routes.reset_index()[["route", "origin", "duration", "unit_cost", "volume_cost"]]
    routes["zone"] = sets.routes["zone"].to_numpy()
    arcs = routes.merge(pairs[["product", "node"]].rename(columns={"node": "origin"}), on="origin")
    arcs["cost"] = arcs["unit_cost"] + arcs["volume_cost"] * products.loc[arcs["product"], "unit_volume"].to_numpy()
    nearest = (arcs.sort_values(["product", "zone", "duration", "cost", "route"], kind="stable")
               .drop_duplicates(["product", "zone"])[["product", "zone", "origin", "cost"]])
    weights = instance.scenarios["weight"]
    demand = sets.demand.assign(zone=sets.classes.loc[sets.demand["class"], "zone"].to_numpy()).merge(
        nearest, on=["product", "zone"])
    demand["speed"] = sets.classes.loc[demand["class"], "speed"].to_numpy()
    demand["penalty"] = (products.loc[demand["product"], "lost_sale_cost"].to_numpy()
                         * instance.speeds.loc[demand["speed"], "penalty_factor"].to_numpy())
    demand["wq"] = demand["quantity"] * weights.loc[demand["scenario"]].to_numpy()
    weighted = demand.assign(pen=demand["penalty"] * demand["wq"], cost=demand["cost"] * demand["wq"])
    sums = weighted.groupby(["product", "origin"])[["pen", "cost", "wq"]].sum()
    per_pair = sums[["pen", "cost"]].div(sums["wq"], axis=0)  # wq-weighted means
    load = demand.groupby(["product", "origin", "scenario"])["quantity"].sum()
    y = pairs["on_hand"].to_numpy(float).copy()
    keys = pd.MultiIndex.from_arrays([pairs["product"], pairs["node"]])
    known = keys.isin(per_pair.index)
    rates = per_pair.reindex(keys)
    unit_cost = products.loc[pairs["product"], "unit_cost"].to_numpy(float)
    holding = (products.loc[pairs["product"], "holding_cost"].to_numpy(float)
               * instance.nodes.loc[pairs["node"], "holding_factor"].to_numpy(float))
    margin = rates["pen"].to_numpy(float) - rates["cost"].to_numpy(float) - unit_cost
    for i, (p, n, on_hand) in enumerate(zip(pairs["product"], pairs["node"], pairs["on_hand"])):
        if not known[i]:
            continue
        under, over = margin[i], unit_cost[i] + holding[i]
        if under <= 0:
            continue
        values = load.loc[(p, n)].reindex(weights.index, fill_value=0.0)
        y[i] = max(on_hand, weighted_quantile(values.to_numpy(float), weights.to_numpy(float),
                                              under / (under + over)))
    return plan_from_values("single-echelon", pairs, enforce_capacity(instance, pairs, y))


def weighted_quantile(values: np.ndarray, weights: np.ndarray, level: float) -> float:
    """Smallest v with sum of weights of values <= v at least ``level`` (of the total)."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order]) / weights.sum()
    position = int(np.searchsorted(cumulative, level - 1e-12))
    return float(values[order][min(position, len(values) - 1)])


def speed_blind(instance: Instance, backend: str = "highs", options: SolveOptions | None = None,
                variants: Sequence[ModelVariant] = ()) -> Plan:
    """SAA plan of the instance with all speeds pooled into one (slowest promise, one service level)."""
    pooled = pooled_speeds(instance)
    stock = _solve_stock(pooled, backend, options, "speed-blind", variants)
    return Plan("speed-blind", stock)


def pooled_speeds(instance: Instance) -> Instance:
    """The instance with one speed ``pooled`` (see the module docstring)."""
    speeds = instance.speeds
    weights = instance.scenarios["weight"]
    expected = (instance.demand["quantity"] * weights.reindex(instance.demand["scenario"]).to_numpy()).groupby(
        instance.demand["speed"].to_numpy()).sum().reindex(speeds.index, fill_value=0.0)
    share = expected / expected.sum() if expected.sum() > 0 else pd.Series(1.0 / len(speeds), index=speeds.index)
    targets = speeds["fill_rate_target"]
    table = pd.DataFrame({
        "promise_hours": [float(speeds["promise_hours"].to_numpy(float).max())],
        "penalty_factor": [float(share.to_numpy(float) @ speeds["penalty_factor"].to_numpy(float))],
        "fill_rate_target": [float(share.to_numpy(float) @ targets.fillna(0.0).to_numpy(float))
                             if targets.notna().any() else math.nan],
    }, index=pd.Index(["pooled"], name="speed"))
    demand = instance.demand.assign(speed="pooled", window=instance.demand["window"].astype(object))
    demand = demand.groupby(["product", "zone", "speed", "scenario", "window"], dropna=False,
                            sort=False)["quantity"].sum().reset_index()
    demand["window"] = demand["window"].where(demand["window"].notna(), None)
    return dataclasses.replace(instance, speeds=table, demand=demand[instance.demand.columns])


def no_capacity(instance: Instance, backend: str = "highs", options: SolveOptions | None = None,
                variants: Sequence[ModelVariant] = ()) -> Plan:
    """SAA plan without storage, inbound and throughput capacities, then scaled into capacity."""
    nodes = instance.nodes.assign(storage_capacity=math.inf, inbound_capacity=math.inf,
                                  throughput_capacity=math.inf)
    stock = _solve_stock(dataclasses.replace(instance, nodes=nodes), backend, options, "no-capacity", variants)
    pairs = derive_sets(instance).stocking.reset_index(drop=True)
    y = Plan("no-capacity", stock).aligned(pairs)
    return plan_from_values("no-capacity", pairs, enforce_capacity(instance, pairs, y))


def _solve_stock(instance: Instance, backend: str, options: SolveOptions | None, name: str,
                 variants: Sequence[ModelVariant] = ()) -> pd.DataFrame:
    result = solve_extensive(instance, backend, options or SolveOptions(), variants=variants)
    if not result.has_plan:
        raise SolverError(f"the {name} baseline model has no plan ({result.status.value}): {result.message}")
    return result.stock[["product", "node", "stock"]]


def enforce_capacity(instance: Instance, pairs: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    """Scale the units bought at each node into its storage and inbound capacity (see module docstring)."""
    on_hand = pairs["on_hand"].to_numpy(float)
    buy = np.maximum(np.asarray(y, dtype=float) - on_hand, 0.0)
    volume = instance.products.loc[pairs["product"], "unit_volume"].to_numpy(float)
    node = instance.nodes.index.get_indexer(pd.Index(pairs["node"]))
    factor = np.ones(len(instance.nodes))
    for n, (_, row) in enumerate(instance.nodes.iterrows()):
        here = node == n
        bought, bought_volume = buy[here].sum(), volume[here] @ buy[here]
        if math.isfinite(row["storage_capacity"]) and bought_volume > 0:
            room = row["storage_capacity"] - volume[here] @ on_hand[here]
            factor[n] = min(factor[n], max(0.0, room / bought_volume))
        if math.isfinite(row["inbound_capacity"]) and bought > 0:
            factor[n] = min(factor[n], max(0.0, row["inbound_capacity"] / bought))
    scaled = on_hand + buy * factor[node]
    if instance.integer_stock:
        scaled = np.maximum(on_hand, np.floor(scaled + 1e-9))
    return scaled
