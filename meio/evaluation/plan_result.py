"""A :class:`Result` for a plan that was not solved (a baseline): its in-sample cost by optimal recourse.

The objective is the SPEC §3 objective of the plan on the instance's own scenarios with the
best recourse; there is no lower bound and no dual price.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from meio.data.instance import Instance
from meio.evaluation.evaluate import POLICIES, evaluate_plan, prepare, summarize
from meio.evaluation.outcome import COST_PARTS
from meio.evaluation.plan import Plan
from meio.results.prices import PRICE_COLUMNS
from meio.results.result import Result
from meio.solvers import Status


def plan_result(instance: Instance, plan: Plan, method: str, backend: str, seconds: float) -> Result:
    """Result of ``plan`` evaluated on the training scenarios (optimal recourse)."""
    scenarios = prepare(instance)
    outcome = evaluate_plan(scenarios, plan, (POLICIES[0],))[POLICIES[0]]
    summary = summarize(outcome, scenarios.network)
    pairs = scenarios.network.pairs
    y = plan.aligned(pairs)
    stock = pairs[["product", "node"]].assign(stock=y, buy=y - pairs["on_hand"].to_numpy())
    return Result(
        status=Status.FEASIBLE, objective=outcome.objective, lower_bound=math.nan, method=method,
        backend=backend, seconds=seconds, instance=instance.name,
        costs={part: summary["costs"][part].mean for part in COST_PARTS},  # type: ignore[index]
        fill_rate={k: e.mean for k, e in summary["fill_rate"].items()},  # type: ignore[union-attr]
        stock=stock, prices=pd.DataFrame(columns=PRICE_COLUMNS),
        utilization=_utilization(instance, stock, outcome.throughput, outcome.weights),
        message="in-sample cost of the plan with optimal recourse (no lower bound)")


def _utilization(instance: Instance, stock: pd.DataFrame, throughput: np.ndarray,
                 weights: np.ndarray) -> pd.DataFrame:
    nodes = instance.nodes
    volume = instance.products.loc[stock["product"], "unit_volume"].to_numpy()
    table = pd.DataFrame(index=nodes.index)
    table["storage_used"] = pd.Series(volume * stock["stock"].to_numpy()).groupby(
        stock["node"].to_numpy()).sum().reindex(nodes.index, fill_value=0.0)
    table["storage_capacity"] = nodes["storage_capacity"]
    table["inbound_used"] = stock.groupby("node")["buy"].sum().reindex(nodes.index, fill_value=0.0)
    table["inbound_capacity"] = nodes["inbound_capacity"]
    table["throughput_mean"] = weights @ throughput / weights.sum()
    table["throughput_max"] = throughput.max(axis=0)
    table["throughput_capacity"] = nodes["throughput_capacity"]
    for part, used in (("storage", "storage_used"), ("inbound", "inbound_used"), ("throughput", "throughput_max")):
        capacity = table[f"{part}_capacity"]
        table[f"{part}_utilization"] = np.where(np.isfinite(capacity) & (capacity > 0),
                                                table[used] / capacity.where(capacity > 0, 1.0), np.nan)
    return table.rename_axis("node").reset_index()
