"""Per-scenario outcome of a fulfillment policy, computed the same way for every policy.

A policy reports what it shipped as triples (scenario, arc, units) and what it lost as
triples (scenario, (p, c), units); :func:`accumulate` turns them into the formulation's cost
parts per scenario,

    purchase   = sum_{p,n} unit_cost_p (y[p,n] - on_hand[p,n])                 (first stage)
    holding_s  = sum_{p,n} h_p f_n (y[p,n] - shipped from n in s)
    shipping_s = sum c(r,p) x[p,r,c,s]
    lost_s     = sum lost_sale_cost_p penalty_factor_k u[p,c,s]

so that sum_s w_s (purchase + holding_s + shipping_s + lost_s) is the objective (docs/formulation.md) of
the plan with that recourse, plus fill rates, units shipped and throughput per node.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from meio.evaluation.network import Network, ScenarioDemand

COST_PARTS = ("purchase", "holding", "shipping", "lost_sales")


@dataclass(frozen=True, eq=False)
class Outcome:
    """What a policy did in each scenario (rows) for one plan.

    ``costs`` (S, 4) by part; ``demand``/``unmet`` (S, K) units per speed; ``shipped`` (S, N)
    units leaving each origin; ``throughput`` (S, N) units leaving or passing each node;
    ``flows`` (N, Z) expected units from each origin to each zone.
    """

    policy: str
    scenarios: pd.Index
    weights: np.ndarray
    costs: np.ndarray
    demand: np.ndarray
    unmet: np.ndarray
    shipped: np.ndarray
    throughput: np.ndarray
    flows: np.ndarray

    @property
    def total(self) -> np.ndarray:
        """Total cost per scenario."""
        return self.costs.sum(axis=1)

    @property
    def objective(self) -> float:
        """Expected total cost sum_s w_s cost_s."""
        return float(self.weights @ self.total / self.weights.sum())

    def table(self) -> pd.DataFrame:
        """One row per scenario: weight, cost parts, total, demand and unmet per speed."""
        frame = pd.DataFrame(self.costs, columns=list(COST_PARTS))
        frame.insert(0, "scenario", self.scenarios)
        frame.insert(1, "weight", self.weights)
        frame["total"] = self.total
        return frame


def concat(outcomes: list[Outcome]) -> Outcome:
    """Outcomes of consecutive scenario chunks as one (their weights are already global)."""
    first = outcomes[0]
    return Outcome(
        policy=first.policy, scenarios=first.scenarios.append([o.scenarios for o in outcomes[1:]]),
        weights=np.concatenate([o.weights for o in outcomes]),
        costs=np.vstack([o.costs for o in outcomes]), demand=np.vstack([o.demand for o in outcomes]),
        unmet=np.vstack([o.unmet for o in outcomes]), shipped=np.vstack([o.shipped for o in outcomes]),
        throughput=np.vstack([o.throughput for o in outcomes]),
        flows=np.sum([o.flows for o in outcomes], axis=0))


def accumulate(policy: str, network: Network, demand: ScenarioDemand, y: np.ndarray,
               ship: tuple[np.ndarray, np.ndarray, np.ndarray],
               lost: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Outcome:
    """Cost parts and figures per scenario from shipments (s, arc, q) and lost sales (s, pc, q).

    ``y`` is the stock per stocking pair; ``demand`` gives the scenarios (local ids) and weights.
    """
    S, N, Z, K = len(demand.scenarios), len(network.nodes), len(network.zones), len(network.speeds)
    C = len(network.classes)
    s_x, arc, q_x = ship
    s_u, pc_u, q_u = lost
    pairs = network.pairs
    purchase = float(pairs["unit_cost"].to_numpy() @ (y - pairs["on_hand"].to_numpy()))
    held = float(pairs["holding"].to_numpy() @ y)
    costs = np.empty((S, 4))
    costs[:, 0] = purchase
    costs[:, 1] = held - np.bincount(s_x, q_x * network.arc_holding[arc], minlength=S)
    costs[:, 2] = np.bincount(s_x, q_x * network.arc_cost[arc], minlength=S)
    costs[:, 3] = np.bincount(s_u, q_u * network.penalty.ravel()[pc_u], minlength=S)

    def per_speed(s: np.ndarray, pc: np.ndarray, q: np.ndarray) -> np.ndarray:
        return np.bincount(s * K + network.class_speed[pc % C], q, minlength=S * K).reshape(S, K)

    through = np.zeros(S * (N + 1))
    for m in range(network.arc_nodes.shape[1]):
        through += np.bincount(s_x * (N + 1) + network.arc_nodes[arc, m], q_x, minlength=S * (N + 1))
    origin = network.arc_origin[arc]
    weight = demand.weights[s_x]
    return Outcome(
        policy=policy, scenarios=demand.scenarios, weights=demand.weights.copy(), costs=costs,
        demand=per_speed(demand.scenario, demand.pc, demand.quantity), unmet=per_speed(s_u, pc_u, q_u),
        shipped=np.bincount(s_x * N + origin, q_x, minlength=S * N).reshape(S, N),
        throughput=through.reshape(S, N + 1)[:, :N],
        flows=np.bincount(origin * Z + network.arc_zone[arc], q_x * weight, minlength=N * Z).reshape(N, Z),
    )
