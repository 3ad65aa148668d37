"""Dynamic (real-time) fulfillment: orders assigned one by one on arrival by a fulfillment policy.

Orders: the demand d[p,c,s] of a class becomes ``ceil(d / order_size)`` orders of
``order_size`` units (default 1: unit orders), the last one holding the remainder, so
fractional quantities (window shares) become a final fractional order. Orders of one
scenario arrive window by window (by ``order_hour``; one window without windows.csv) and
in a uniformly random order within a window.

A :class:`FulfillmentPolicy` sees each order with the remaining stock and throughput of its
scenario and ranks the on-time routes (arcs) it may use; :func:`simulate` sends the order to
the first of them with stock of the product and throughput left at all its nodes. If that
route can take only part of the order (fractional stock of an LP plan, or throughput
nearly used up), the rest goes to the next one; what no ranked route can take is lost
(a policy loses an order on purpose by ranking no route). Any such assignment is feasible
for the recourse LP, so no policy is cheaper than optimal recourse.

Vectorised across scenarios: step k handles the k-th order of every scenario at once
(scenarios are independent), so the Python loop runs over order positions and ranked
routes, not over scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from meio.evaluation.network import Network, ScenarioDemand
from meio.evaluation.outcome import Outcome, accumulate

EPSILON = 1e-12


@dataclass(frozen=True, eq=False)
class Orders:
    """(S, K) arrays: the (p, c) id of each scenario's k-th order (-1 past its last), its size and its
    arrival time as a fraction of its window (uniform in [0, 1), increasing within a window)."""

    pc: np.ndarray
    size: np.ndarray
    time: np.ndarray


@dataclass(frozen=True, eq=False)
class State:
    """What is left in each scenario: ``stock`` (S, pairs) and ``throughput`` (S, N + 1)."""

    stock: np.ndarray
    throughput: np.ndarray


class FulfillmentPolicy(Protocol):
    """Assigns the orders of a chunk of scenarios, one order position at a time."""

    #: The policy's name in outcomes and files.
    name: str

    def start(self, demand: ScenarioDemand, orders: Orders, state: State) -> None:
        """Called once before the first order of the scenarios of ``demand``."""

    def rank(self, k: int, scenario: np.ndarray, pc: np.ndarray, state: State) -> np.ndarray:
        """Arcs to try, best first, for the k-th order of each of ``scenario`` (its (p, c) id ``pc``).

        Returns (len(scenario), L) arc ids, -1 for none; ranking no arc loses the order.
        """
        ...


def order_sequence(network: Network, demand: ScenarioDemand, order_size: float,
                   rng: np.random.Generator) -> Orders:
    """The orders of every scenario of ``demand`` in arrival order."""
    q = demand.quantity
    count = np.ceil(q / order_size - 1e-9).astype(np.int64)
    row = np.repeat(np.arange(len(q)), count)
    k = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    size = np.minimum(order_size, q[row] - k * order_size)
    scenario, pc = demand.scenario[row], demand.pc[row]
    window = network.class_window[pc % len(network.classes)]
    arrival = rng.random(len(row))
    order = np.lexsort((arrival, window, scenario))
    scenario, pc, size, arrival = scenario[order], pc[order], size[order], arrival[order]
    S = len(demand.scenarios)
    per = np.bincount(scenario, minlength=S)
    position = np.arange(len(scenario)) - np.repeat(np.cumsum(per) - per, per)
    width = int(per.max(initial=0))
    orders = np.full((S, width), -1, dtype=np.int64)
    sizes, times = np.zeros((S, width)), np.ones((S, width))
    orders[scenario, position] = pc
    sizes[scenario, position] = size
    times[scenario, position] = arrival
    return Orders(orders, sizes, times)


def simulate(network: Network, demand: ScenarioDemand, y: np.ndarray, orders: Orders,
             policy: FulfillmentPolicy) -> Outcome:
    """Run ``policy`` on every scenario of ``demand`` for stock ``y`` and the given orders."""
    S = len(demand.scenarios)
    state = State(np.tile(y, (S, 1)), np.tile(network.throughput, (S, 1)))
    policy.start(demand, orders, state)
    stock, throughput = state.stock, state.throughput
    ship_s, ship_arc, ship_q, lost_s, lost_pc, lost_q = [], [], [], [], [], []
    for k in range(orders.pc.shape[1]):
        scenario = np.flatnonzero(orders.pc[:, k] >= 0)
        pc = orders.pc[scenario, k]
        remaining = orders.size[scenario, k].copy()
        ranked = policy.rank(k, scenario, pc, state)
        for j in range(ranked.shape[1]):
            arc = ranked[:, j]
            live = np.flatnonzero((arc >= 0) & (remaining > EPSILON))
            if len(live) == 0:
                break
            s, a = scenario[live], arc[live]
            pair, nodes = network.arc_pair[a], network.arc_nodes[a]
            room = throughput[s[:, None], nodes].min(axis=1)
            take = np.maximum(0.0, np.minimum(remaining[live], np.minimum(stock[s, pair], room)))
            stock[s, pair] -= take
            for m in range(nodes.shape[1]):
                throughput[s, nodes[:, m]] -= take
            remaining[live] -= take
            moved = take > 0
            ship_s.append(s[moved])
            ship_arc.append(a[moved])
            ship_q.append(take[moved])
        short = remaining > EPSILON
        lost_s.append(scenario[short])
        lost_pc.append(pc[short])
        lost_q.append(remaining[short])

    def joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    return accumulate(policy.name, network, demand, y,
                      (joined(ship_s, np.int64), joined(ship_arc, np.int64), joined(ship_q, float)),
                      (joined(lost_s, np.int64), joined(lost_pc, np.int64), joined(lost_q, float)))
