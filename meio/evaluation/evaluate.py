"""Evaluate stock plans on a set of scenarios under optimal recourse and real-time fulfillment policies.

``prepare`` codes an instance (usually with fresh scenarios, see :mod:`meio.evaluation.fresh`)
once; ``evaluate_plan`` runs the policies on it chunk by chunk of scenarios. Plans and
policies evaluated on the same prepared set with the same seed see the same demand and the
same order arrival sequences (common random numbers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import numpy as np
import pandas as pd

from meio.data.derived import derive_sets
from meio.data.instance import Instance
from meio.errors import MeioError
from meio.evaluation.dual_price import RESOLVE_EVERY, SAMPLES, DualPricePolicy
from meio.evaluation.dynamic import FulfillmentPolicy, Orders, order_sequence, simulate
from meio.evaluation.forecast import training_futures
from meio.evaluation.fresh import fresh_instance
from meio.evaluation.myopic import MyopicPolicy
from meio.evaluation.network import Network, ScenarioDemand, build_network, scenario_demand
from meio.evaluation.outcome import COST_PARTS, Outcome, concat
from meio.evaluation.plan import Plan
from meio.evaluation.progress import SILENT, Progress
from meio.evaluation.recourse import optimal_recourse
from meio.evaluation.stats import Estimate, mean_ci, ratio_ci
from meio.evaluation.variant_recourse import variant_recourse
from meio.models.build import ModelVariant

#: Optimal recourse (the clairvoyant reference) and the real-time policies.
POLICIES = ("optimal", "myopic", "dual-price")
#: The policies evaluated unless others are named: dual-price costs 100-300x myopic per order.
DEFAULT_POLICIES = ("optimal", "myopic")
#: Target number of shipment columns of one chunk of scenarios (bounds memory).
CHUNK_COLUMNS = 2_000_000


@dataclass(frozen=True, eq=False)
class Scenarios:
    """An instance with its scenarios coded for evaluation, and where the scenarios came from.

    ``forecast`` (P*C,) is the expected demand per (p, c) that real-time policies may know:
    the mean of the training scenarios (those the plan was made from), see
    :mod:`meio.evaluation.forecast`; ``futures`` (T, P*C) the training scenarios' demand and
    ``future_weights`` (T,) their weights (summing to 1), the futures the dual-price policy samples.
    """

    instance: Instance
    network: Network
    demand: ScenarioDemand
    source: str
    forecast: np.ndarray
    futures: np.ndarray
    future_weights: np.ndarray

    def chunks(self, limit: int = 256) -> list[np.ndarray]:
        """Scenario ids in consecutive chunks of bounded LP size."""
        columns = np.diff(self.network.pc_start)[self.demand.pc].sum()
        per = max(1.0, columns / max(1, len(self.demand.scenarios)))
        size = int(max(1, min(limit, CHUNK_COLUMNS // per)))
        ids = np.arange(len(self.demand.scenarios))
        return [ids[i:i + size] for i in range(0, len(ids), size)]


def prepare(instance: Instance, scenarios: int = 0, seed: int | tuple[int, ...] = 0, source: str | None = None,
            demand_file: str | Path | None = None) -> Scenarios:
    """Code ``instance`` with fresh scenarios (``source`` as in :func:`fresh_instance`).

    Without ``source``: the instance's own scenarios when ``scenarios`` is 0, else ``auto``.
    """
    source = source or ("training" if scenarios == 0 and demand_file is None else "auto")
    fresh, used = fresh_instance(instance, scenarios, seed, source, demand_file)
    return code_instance(fresh, used, training=instance)


def code_instance(instance: Instance, source: str = "training", training: Instance | None = None) -> Scenarios:
    """Code an instance and its own scenarios for evaluation; the forecast from ``training``'s (default: its own)."""
    sets = derive_sets(instance)
    network = build_network(instance, sets)
    futures, weights = training_futures(training if training is not None else instance, sets, network)
    return Scenarios(instance, network, scenario_demand(instance, sets, network), source, weights @ futures,
                     futures, weights)


def evaluate_plan(scenarios: Scenarios, plan: Plan, policies: tuple[str, ...] = DEFAULT_POLICIES, seed: int = 0,
                  order_size: float = 1.0, resolve_every: int = RESOLVE_EVERY, samples: int = SAMPLES,
                  progress: Progress = SILENT, variants: Sequence[ModelVariant] = ()) -> dict[str, Outcome]:
    """Outcome of ``plan`` under each policy on every scenario (by default optimal recourse and
    myopic; name ``"dual-price"`` in ``policies`` for it, or pass :data:`POLICIES` for all three).

    The real-time policies of one call see the same order arrivals; ``resolve_every`` is the
    number of orders between re-solves of the dual-price policy's LPs and ``samples`` the number
    of demand futures it averages the opportunity costs over. Optimal recourse honours
    model ``variants`` that touch the second stage (:mod:`meio.evaluation.variant_recourse`).
    """
    unknown = [p for p in policies if p not in POLICIES]
    if unknown:
        raise MeioError(f"unknown policy '{unknown[0]}' (choose from {', '.join(POLICIES)})")
    if order_size <= 0:
        raise MeioError(f"order size must be > 0, got {order_size}")
    if resolve_every < 1:
        raise MeioError(f"resolve_every must be >= 1, got {resolve_every}")
    if samples < 1:
        raise MeioError(f"samples must be >= 1, got {samples}")
    y = plan.aligned(scenarios.network.pairs)
    chunks = scenarios.chunks()
    recourse = (variant_recourse(scenarios.instance, scenarios.network, scenarios.demand, y, variants)
                if "optimal" in policies else None)
    parts: dict[str, list[Outcome]] = {p: [recourse] if p == "optimal" and recourse else [] for p in policies}
    progress.start(f"evaluating {plan.name}", len(scenarios.demand.scenarios) * len(policies))
    for number, chosen in enumerate(chunks):
        _, demand = scenarios.demand.subset(chosen)
        rng = np.random.default_rng(np.random.SeedSequence((seed, 7, number)))
        orders = order_sequence(scenarios.network, demand, order_size, rng)
        for policy in policies:
            if policy == "optimal":
                if recourse is None:
                    parts[policy].append(optimal_recourse(scenarios.network, demand, y))
            else:
                real_time = real_time_policy(policy, scenarios, resolve_every, samples)
                parts[policy].extend(_simulate_groups(scenarios.network, demand, y, orders, real_time))
            progress.advance(len(chosen))
    progress.done()
    return {policy: concat(outcomes) for policy, outcomes in parts.items()}


def _simulate_groups(network: Network, demand: ScenarioDemand, y: np.ndarray, orders: Orders,
                     policy: FulfillmentPolicy) -> list[Outcome]:
    """Simulate ``policy`` on consecutive groups of the chunk's scenarios with their orders, as many at once as
    its ``group_size()`` says (all if it has none): the dual-price policy keeps LPs for every scenario."""
    size = getattr(policy, "group_size", lambda: len(demand.scenarios))()
    outcomes = []
    for first in range(0, len(demand.scenarios), max(1, size)):
        ids = np.arange(first, min(first + size, len(demand.scenarios)))
        group = demand if len(ids) == len(demand.scenarios) else demand.subset(ids)[1]
        part = Orders(orders.pc[ids], orders.size[ids], orders.time[ids])
        outcomes.append(simulate(network, group, y, part, policy))
    return outcomes


def real_time_policy(name: str, scenarios: Scenarios, resolve_every: int = RESOLVE_EVERY,
                     samples: int = SAMPLES) -> FulfillmentPolicy:
    """The real-time policy ``name`` ("myopic" or "dual-price") for the network of ``scenarios``."""
    if name == "myopic":
        return MyopicPolicy(scenarios.network)
    return DualPricePolicy(scenarios.network, scenarios.futures, resolve_every, samples, scenarios.future_weights)


class Summary(TypedDict):
    """What :func:`summarize` returns: estimates of the total, each cost part and fill rate."""

    total: Estimate
    costs: dict[str, Estimate]
    fill_rate: dict[str, Estimate]
    overall_fill_rate: Estimate
    shipping_per_unit: Estimate


def summarize(outcome: Outcome, network: Network) -> Summary:
    """Mean and 95% interval of the total cost, its parts and the fill rate per speed."""
    w = outcome.weights
    costs = {part: mean_ci(outcome.costs[:, i], w) for i, part in enumerate(COST_PARTS)}
    fill = {speed: ratio_ci(outcome.demand[:, k] - outcome.unmet[:, k], outcome.demand[:, k], w)
            for k, speed in enumerate(network.speeds)}
    return {"total": mean_ci(outcome.total, w), "costs": costs, "fill_rate": fill,
            "overall_fill_rate": ratio_ci(outcome.demand.sum(1) - outcome.unmet.sum(1), outcome.demand.sum(1), w),
            "shipping_per_unit": ratio_ci(outcome.costs[:, 2], outcome.shipped.sum(1), w)}


def node_table(outcome: Outcome, network: Network) -> pd.DataFrame:
    """Per node: expected units shipped from it, throughput mean/max, capacity, use and binding share."""
    w = outcome.weights / outcome.weights.sum()
    capacity = network.throughput[:-1]
    through = outcome.throughput
    binding = through >= capacity[None, :] * (1 - 1e-6) - 1e-9
    table = pd.DataFrame({
        "node": network.nodes, "policy": outcome.policy,
        "shipped_mean": w @ outcome.shipped, "throughput_mean": w @ through,
        "throughput_max": through.max(axis=0) if len(through) else 0.0,
        "throughput_capacity": capacity,
    })
    finite = np.isfinite(capacity) & (capacity > 0)
    safe = np.where(finite, capacity, 1.0)
    table["utilization_mean"] = np.where(finite, table["throughput_mean"] / safe, np.nan)
    table["utilization_max"] = np.where(finite, table["throughput_max"] / safe, np.nan)
    table["binding_share"] = np.where(finite, w @ binding, np.nan)
    return table


def flow_table(outcome: Outcome, network: Network, top: int | None = None) -> pd.DataFrame:
    """Expected units per (origin, zone), largest first."""
    origin, zone = np.nonzero(outcome.flows > 1e-9)
    table = pd.DataFrame({"policy": outcome.policy, "origin": network.nodes[origin], "zone": network.zones[zone],
                          "units": outcome.flows[origin, zone]})
    table = table.sort_values("units", ascending=False, kind="stable").reset_index(drop=True)
    return table if top is None else table.head(top)


def estimate_dict(estimate: object) -> object:
    """An estimate, or mappings of them (a :class:`Summary`), as plain dicts for JSON."""
    if isinstance(estimate, Estimate):
        return estimate.as_dict()
    if isinstance(estimate, Mapping):
        return {k: estimate_dict(v) for k, v in estimate.items()}
    raise TypeError(f"not an estimate: {estimate!r}")
