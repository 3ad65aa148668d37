"""A :class:`Result` for a plan that was not solved (a baseline): its in-sample cost by optimal recourse.

The objective is the objective of docs/formulation.md of the plan on the instance's own scenarios with the
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
from meio.results.tables import node_utilization
from meio.solvers import Termination


def plan_result(instance: Instance, plan: Plan, method: str, backend: str, seconds: float) -> Result:
    """Result of ``plan`` evaluated on the training scenarios (optimal recourse)."""
    scenarios = prepare(instance)
    outcome = evaluate_plan(scenarios, plan, (POLICIES[0],))[POLICIES[0]]
    summary = summarize(outcome, scenarios.network)
    pairs = scenarios.network.pairs
    y = plan.aligned(pairs)
    stock = pairs[["product", "node"]].assign(stock=y, buy=y - pairs["on_hand"].to_numpy())
    return Result(
        termination=Termination.COMPLETED, objective=outcome.objective, lower_bound=math.nan, method=method,
        backend=backend, seconds=seconds, instance=instance.name,
        costs={part: summary["costs"][part].mean for part in COST_PARTS},
        fill_rate={k: e.mean for k, e in summary["fill_rate"].items()},
        stock=stock, prices=pd.DataFrame(columns=PRICE_COLUMNS),
        utilization=_utilization(instance, stock, outcome.throughput, outcome.weights),
        message="in-sample cost of the plan with optimal recourse (no lower bound)")


def _utilization(instance: Instance, stock: pd.DataFrame, throughput: np.ndarray,
                 weights: np.ndarray) -> pd.DataFrame:
    volume = instance.products.loc[stock["product"], "unit_volume"].to_numpy()
    storage = pd.Series(volume * stock["stock"].to_numpy()).groupby(stock["node"].to_numpy()).sum()
    return node_utilization(instance, storage, stock.groupby("node")["buy"].sum(), throughput, weights)
