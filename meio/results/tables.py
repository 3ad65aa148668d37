"""Costs, fill rates, stock and utilization computed from a plan's variable values (vectorised).

Shared by every method: given values of y, x and u aligned with the rows of a model index,
``PlanTotals`` sums the figures a result reports over chunks of products (each chunk with
its own index), so the extensive form and the decomposition are read out the same way and
no index over all products has to exist at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from meio.checked_csv import CsvColumns
from meio.data.instance import Instance
from meio.models.index import ModelIndex
from meio.results.result import COST_PARTS, Result
from meio.solvers.check import FEASIBILITY_TOLERANCE


@dataclass(frozen=True, eq=False)
class PlanValues:
    """Values of y, x and u, one per row of ``index.y``, ``index.x`` and ``index.u``."""

    y: np.ndarray
    x: np.ndarray
    u: np.ndarray


class PlanTotals:
    """Sums of a plan's figures over chunks of products; ``fill(result)`` gives what ``fill_plan`` gives.

    Each ``add`` keeps only additive partial sums (cost parts, weighted demand and unmet
    demand per speed, stock rows, storage, units bought and throughput per node, expected
    units per (origin, zone)); ratios and tables are finished in ``fill``.
    """

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.costs = dict.fromkeys(COST_PARTS, 0.0)
        n_speeds, n_nodes = len(instance.speeds), len(instance.nodes)
        self.demand, self.unmet = np.zeros(n_speeds), np.zeros(n_speeds)
        self.stock: list[pd.DataFrame] = []
        self.storage, self.inbound = np.zeros(n_nodes), np.zeros(n_nodes)
        self.throughput = np.zeros((len(instance.scenarios), n_nodes), order="F")  # a node's scenarios contiguous
        self.flows = np.zeros((n_nodes, len(instance.zones)))

    def add(self, index: ModelIndex, values: PlanValues) -> None:
        """Add one chunk of products: its own model index and the plan's values on it (summed by
        the index's integer codes)."""
        instance, codes = self.instance, index.codes
        for part, cost in cost_parts(index, values).items():
            self.costs[part] += cost
        n_speeds, n_nodes, n_zones = len(instance.speeds), len(instance.nodes), len(instance.zones)
        weight_u = index.u["weight"].to_numpy()
        self.demand += np.bincount(codes.u_speed, weight_u * index.u["quantity"].to_numpy(), n_speeds)
        self.unmet += np.bincount(codes.u_speed, weight_u * values.u, n_speeds)
        self.stock.append(stock_table(index, values))
        volume = instance.products.loc[index.y["product"], "unit_volume"].to_numpy()  # codes: the chunk's products
        self.storage += np.bincount(codes.y_node, volume * values.y, n_nodes)
        self.inbound += np.bincount(codes.y_node, values.y - index.y["on_hand"].to_numpy(), n_nodes)
        rows = index.x_nodes["row"].to_numpy()  # the x row of each (x row, node on its route)
        through = np.bincount(codes.x_scenario[rows] * n_nodes + codes.x_nodes_node, values.x[rows],
                              self.throughput.size)
        self.throughput += through.reshape(self.throughput.shape)
        shipped = index.x["weight"].to_numpy() * values.x
        self.flows += np.bincount(codes.x_origin * n_zones + codes.x_zone, shipped, self.flows.size).reshape(
            self.flows.shape)

    def fill(self, result: Result) -> None:
        """Costs, fill rates, stock, utilization and flows of the plan over every chunk added."""
        instance = self.instance
        result.costs = dict(self.costs)
        result.fill_rate = {k: float(1.0 - unmet / demand) if demand > 0 else math.nan
                            for k, demand, unmet in zip(instance.speeds.index, self.demand, self.unmet)}
        result.stock = (pd.concat(self.stock, ignore_index=True) if self.stock
                        else pd.DataFrame(columns=["product", "node", "stock", "buy"]))
        nodes = instance.nodes.index
        result.utilization = node_utilization(instance, pd.Series(self.storage, index=nodes),
                                              pd.Series(self.inbound, index=nodes), self.throughput,
                                              instance.scenarios["weight"].to_numpy())
        flows = pd.Series(self.flows.ravel(), index=pd.MultiIndex.from_product(
            [nodes, instance.zones.index], names=["origin", "zone"]), name="units")
        positive = flows[flows > 0].sort_index().reset_index()
        result.tables["flows"] = positive.sort_values("units", ascending=False, kind="stable").reset_index(drop=True)


def cost_parts(index: ModelIndex, values: PlanValues) -> dict[str, float]:
    """Expected purchase, holding, shipping and lost-sales cost (objective of docs/formulation.md, by part)."""
    y, x, u = index.y, index.x, index.u
    weight_x = x["weight"].to_numpy()
    return {
        "purchase": float(np.dot(y["unit_cost"], values.y - y["on_hand"])),
        "holding": float(np.dot(y["holding"], values.y) - np.dot(weight_x * x["holding"], values.x)),
        "shipping": float(np.dot(weight_x * x["cost"], values.x)),
        "lost_sales": float(np.dot(u["weight"] * u["penalty"], values.u)),
    }


#: The columns of stock.csv a reader needs (:func:`meio.checked_csv.read_checked_csv`).
STOCK_CSV = CsvColumns(text=("product", "node"), amounts=("stock",))


def stock_table(index: ModelIndex, values: PlanValues) -> pd.DataFrame:
    """stock.csv rows: product, node, stock (y), buy (y - on_hand). A stock below 0 by no more
    than the feasibility tolerance (a solver's round-off, -2e-16 from GLOP) is written as 0, so
    that the file reads back (stock is a quantity >= 0); a larger one is written as it is."""
    table = index.y[["product", "node"]].copy()
    table["stock"] = np.where((values.y < 0.0) & (values.y >= -FEASIBILITY_TOLERANCE), 0.0, values.y)
    table["buy"] = table["stock"].to_numpy() - index.y["on_hand"].to_numpy()
    return table


#: The columns of utilization.csv a reader needs (the report; the shares it draws are read leniently).
UTILIZATION_CSV = CsvColumns(text=("node",))


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


def fill_plan(result: Result, instance: Instance, index: ModelIndex, values: PlanValues) -> None:
    """Costs, fill rates, stock, utilization and flows of a plan given on one whole-instance index."""
    totals = PlanTotals(instance)
    totals.add(index, values)
    totals.fill(result)
