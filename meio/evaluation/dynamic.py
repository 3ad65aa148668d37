"""Dynamic (real-time) fulfillment: orders assigned one by one on arrival, myopically.

Orders: the demand d[p,c,s] of a class becomes ``ceil(d / order_size)`` orders of
``order_size`` units (default 1: unit orders), the last one holding the remainder, so
fractional quantities (window shares) become a final fractional order. Orders of one
scenario arrive window by window (by ``order_hour``; one window without windows.csv) and
in a uniformly random order within a window.

On arrival an order goes to the cheapest on-time route (net cost c(r,p) - h_p f_origin,
the same per-unit cost the optimal recourse sees, so the two policies differ only by
myopia) whose origin still has stock of the product and whose nodes all still have
throughput left in the scenario. If that route can take only part of the order
(fractional stock of an LP plan, or throughput nearly used up), the rest goes to the next
route in cost order; what no route can take is lost. Any such assignment is feasible for
the recourse LP, so this policy is never cheaper than optimal recourse.

Vectorised across scenarios: step k handles the k-th order of every scenario at once
(scenarios are independent), so the Python loop runs over order positions and candidate
routes, not over scenarios.
"""

from __future__ import annotations

import numpy as np

from meio.evaluation.network import Network, ScenarioDemand
from meio.evaluation.outcome import Outcome, accumulate

POLICY = "dynamic"
EPSILON = 1e-12


def order_sequence(network: Network, demand: ScenarioDemand, order_size: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(S, K) arrays of the (p, c) id (-1 past the last order) and size of each scenario's k-th order."""
    q = demand.quantity
    count = np.ceil(q / order_size - 1e-9).astype(np.int64)
    row = np.repeat(np.arange(len(q)), count)
    k = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    size = np.minimum(order_size, q[row] - k * order_size)
    scenario, pc = demand.scenario[row], demand.pc[row]
    window = network.class_window[pc % len(network.classes)]
    order = np.lexsort((rng.random(len(row)), window, scenario))
    scenario, pc, size = scenario[order], pc[order], size[order]
    S = len(demand.scenarios)
    per = np.bincount(scenario, minlength=S)
    position = np.arange(len(scenario)) - np.repeat(np.cumsum(per) - per, per)
    width = int(per.max(initial=0))
    orders = np.full((S, width), -1, dtype=np.int64)
    sizes = np.zeros((S, width))
    orders[scenario, position] = pc
    sizes[scenario, position] = size
    return orders, sizes


def dynamic_fulfillment(network: Network, demand: ScenarioDemand, y: np.ndarray,
                        orders: tuple[np.ndarray, np.ndarray]) -> Outcome:
    """Run the myopic policy on every scenario of ``demand`` for stock ``y`` and the given orders."""
    order_pc, order_size = orders
    S = len(demand.scenarios)
    candidates = network.candidates()
    stock = np.tile(y, (S, 1))
    throughput = np.tile(network.throughput, (S, 1))
    ship_s, ship_arc, ship_q, lost_s, lost_pc, lost_q = [], [], [], [], [], []
    for k in range(order_pc.shape[1]):
        scenario = np.flatnonzero(order_pc[:, k] >= 0)
        pc = order_pc[scenario, k]
        remaining = order_size[scenario, k].copy()
        for j in range(candidates.shape[1]):
            arc = candidates[pc, j]
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

    return accumulate(POLICY, network, demand, y,
                      (joined(ship_s, np.int64), joined(ship_arc, np.int64), joined(ship_q, float)),
                      (joined(lost_s, np.int64), joined(lost_pc, np.int64), joined(lost_q, float)))
