"""Costs, fill rates, stock and utilization computed from a plan's variable values (vectorised).

Shared by every method: given values of y, x and u aligned with the rows of the model
index, these functions compute the figures a result reports, so the extensive form and
the decomposition are read out the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from meio.data.instance import Instance
from meio.models.index import ModelIndex
from meio.results.result import Result


@dataclass(frozen=True, eq=False)
class PlanValues:
    """Values of y, x and u, one per row of ``index.y``, ``index.x`` and ``index.u``."""

    y: np.ndarray
    x: np.ndarray
    u: np.ndarray


def cost_parts(index: ModelIndex, values: PlanValues) -> dict[str, float]:
    """Expected purchase, holding, shipping and lost-sales cost (SPEC §3 objective, by part)."""
    y, x, u = index.y, index.x, index.u
    weight_x = x["weight"].to_numpy()
    return {
        "purchase": float(np.dot(y["unit_cost"], values.y - y["on_hand"])),
        "holding": float(np.dot(y["holding"], values.y) - np.dot(weight_x * x["holding"], values.x)),
        "shipping": float(np.dot(weight_x * x["cost"], values.x)),
        "lost_sales": float(np.dot(u["weight"] * u["penalty"], values.u)),
    }


def fill_rates(instance: Instance, index: ModelIndex, values: PlanValues) -> dict[str, float]:
    """Expected on-time fill rate per speed; NaN for a speed without demand."""
    u = index.u
    demand = (u["weight"] * u["quantity"]).groupby(u["speed"]).sum()
    unmet = (u["weight"] * values.u).groupby(u["speed"]).sum()
    return {k: float(1.0 - unmet[k] / demand[k]) if demand.get(k, 0.0) > 0 else float("nan")
            for k in instance.speeds.index}


def stock_table(index: ModelIndex, values: PlanValues) -> pd.DataFrame:
    """stock.csv: product, node, stock (y), buy (y - on_hand)."""
    table = index.y[["product", "node"]].copy()
    table["stock"] = values.y
    table["buy"] = values.y - index.y["on_hand"].to_numpy()
    return table


def utilization_table(instance: Instance, index: ModelIndex, values: PlanValues) -> pd.DataFrame:
    """Per node: storage volume, units bought and throughput (mean and max over scenarios) vs capacity."""
    nodes = instance.nodes
    volume = instance.products.loc[index.y["product"], "unit_volume"].to_numpy()
    storage = pd.Series(volume * values.y).groupby(index.y["node"].to_numpy()).sum()
    inbound = pd.Series(values.y - index.y["on_hand"].to_numpy()).groupby(index.y["node"].to_numpy()).sum()
    rows, through = index.x_nodes["row"].to_numpy(), index.x_nodes["node"].to_numpy()
    per_scenario = pd.DataFrame({"node": through, "scenario": index.x["scenario"].to_numpy()[rows],
                                 "units": values.x[rows]}).groupby(["node", "scenario"])["units"].sum()
    per_scenario = per_scenario.unstack("scenario").reindex(columns=instance.scenarios.index, fill_value=0.0)
    filled = per_scenario.reindex(nodes.index, fill_value=0.0).fillna(0.0).to_numpy()
    return node_utilization(instance, storage, inbound, filled.T, instance.scenarios["weight"].to_numpy())


def node_utilization(instance: Instance, storage: pd.Series, inbound: pd.Series, throughput: np.ndarray,
                     weights: np.ndarray) -> pd.DataFrame:
    """utilization.csv from the volume stored and units bought per node and the throughput per
    (scenario, node) (rows: scenarios with ``weights``; columns: ``instance.nodes`` order)."""
    nodes = instance.nodes
    table = pd.DataFrame(index=nodes.index)
    table["storage_used"] = storage.reindex(nodes.index, fill_value=0.0)
    table["storage_capacity"] = nodes["storage_capacity"]
    table["inbound_used"] = inbound.reindex(nodes.index, fill_value=0.0)
    table["inbound_capacity"] = nodes["inbound_capacity"]
    has_scenarios = throughput.shape[0] > 0
    table["throughput_mean"] = weights @ throughput / weights.sum() if has_scenarios else 0.0
    table["throughput_max"] = throughput.max(axis=0) if has_scenarios else 0.0
    table["throughput_capacity"] = nodes["throughput_capacity"]
    for part, used in (("storage", "storage_used"), ("inbound", "inbound_used"), ("throughput", "throughput_max")):
        capacity = table[f"{part}_capacity"]
        table[f"{part}_utilization"] = np.where(np.isfinite(capacity) & (capacity > 0),
                                                table[used] / capacity.where(capacity > 0, 1.0), np.nan)
    return table.rename_axis("node").reset_index()


def flow_table(index: ModelIndex, values: PlanValues) -> pd.DataFrame:
    """flows.csv: expected units shipped per scenario from each origin node to each zone."""
    x = index.x
    per_route = pd.DataFrame({"origin": x["origin"].to_numpy(), "route": x["route"].to_numpy(),
                              "units": x["weight"].to_numpy() * values.x}).groupby(
        ["origin", "route"], as_index=False, observed=True)["units"].sum()
    per_route["zone"] = per_route["route"].map(index.route_zone)
    flows = per_route.groupby(["origin", "zone"], as_index=False)["units"].sum()
    flows = flows[flows["units"] > 0]
    return flows.sort_values("units", ascending=False, kind="stable").reset_index(drop=True)


def fill_plan(result: Result, instance: Instance, index: ModelIndex, values: PlanValues) -> None:
    """Costs, fill rates, stock, utilization and flows of a plan: one read-out for every method."""
    result.costs = cost_parts(index, values)
    result.fill_rate = fill_rates(instance, index, values)
    result.stock = stock_table(index, values)
    result.utilization = utilization_table(instance, index, values)
    result.tables["flows"] = flow_table(index, values)
