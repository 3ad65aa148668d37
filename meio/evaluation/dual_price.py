"""The dual-price fulfillment policy (Acimovic and Graves 2015), with rationing.

An order of (p, c) may go to arc r at the cost

    c(r,p) - h_p f_origin(r) + lambda[p, origin(r)] + sum_{n in nodes(r)} pi[n],

its net cost plus the opportunity cost of the unit of stock and of the throughput it uses,
from the LP over the expected remaining demand of the period (:mod:`meio.evaluation.opportunity`).
Arcs are tried cheapest first. **Rationing**: an arc whose cost exceeds the order's lost-sale
penalty is not used — the stock is worth more to the orders still expected — so the order
is lost rather than served from stock another class values more.

Expected remaining demand: the forecast F[p,c] (the mean demand of the plan's training
scenarios, :mod:`meio.evaluation.forecast`) times what is left of its window, as Acimovic
and Graves use the demand rate times the time left. Orders arrive window by window, so
classes of earlier windows expect nothing more and classes of later windows their whole
forecast; in the current window, at arrival time t (fraction of the window), each class
expects ``F (1 - t)``. The policy sees the clock
and the orders that have arrived, never the scenario's demand.

The LP of every scenario is re-solved at the first order and then every ``resolve_every``
orders; in between the prices of the last re-solve are used.
"""

from __future__ import annotations

import numpy as np

from meio.evaluation.dynamic import Orders, State
from meio.evaluation.network import Network, ScenarioDemand
from meio.evaluation.opportunity import RemainingDemandLp

#: Default number of orders between two re-solves of a scenario's LP.
RESOLVE_EVERY = 25
#: Relative slack of the rationing test (LP duals are exact to about the HiGHS tolerance 1e-9).
TOLERANCE = 1e-7


class DualPricePolicy:
    """Ranks arcs by net cost plus the opportunity costs of stock and throughput; rations."""

    name = "dual-price"

    def __init__(self, network: Network, forecast: np.ndarray, resolve_every: int = RESOLVE_EVERY) -> None:
        if resolve_every < 1:
            raise ValueError(f"resolve_every must be >= 1, got {resolve_every}")
        self.network, self.resolve_every = network, resolve_every
        self.candidates = network.candidates()
        self.classes = np.flatnonzero(forecast > 0)
        self.forecast = forecast[self.classes]
        self.class_window = network.class_window[self.classes % len(network.classes)]
        self.penalty = network.penalty.ravel()

    def start(self, demand: ScenarioDemand, orders: Orders, state: State) -> None:
        """Set up the scenarios' LPs."""
        self.lp = RemainingDemandLp(self.network, self.classes, len(demand.scenarios))
        self.orders = orders

    def remaining(self, k: int, scenario: np.ndarray) -> np.ndarray:
        """(S, classes) expected remaining demand when the k-th orders of ``scenario`` arrive (0 elsewhere)."""
        pc = self.orders.pc[scenario, k]
        window = self.network.class_window[pc % len(self.network.classes)][:, None]
        left = 1.0 - self.orders.time[scenario, k][:, None]
        share = np.where(self.class_window[None, :] > window, 1.0,
                         np.where(self.class_window[None, :] == window, left, 0.0))
        remaining = np.zeros((self.orders.pc.shape[0], len(self.classes)))
        remaining[scenario] = share * self.forecast[None, :]
        return remaining

    def rank(self, k: int, scenario: np.ndarray, pc: np.ndarray, state: State) -> np.ndarray:
        """The arcs of each order's (p, c) whose priced cost is within its penalty, cheapest first."""
        if k % self.resolve_every == 0 and len(scenario):
            self.lp.solve(scenario, self.remaining(k, scenario), state)
        network = self.network
        candidates = self.candidates[pc]
        valid = candidates >= 0
        arc = np.where(valid, candidates, 0)
        s = scenario[:, None]
        cost = (network.net_cost[arc] + self.lp.stock_price[s, network.arc_pair[arc]]
                + self.lp.node_price[s[:, :, None], network.arc_nodes[arc]].sum(axis=2))
        penalty = self.penalty[pc][:, None]
        usable = valid & (cost <= penalty + TOLERANCE * (1.0 + np.abs(penalty)))
        order = np.argsort(np.where(usable, cost, np.inf), axis=1, kind="stable")
        return np.take_along_axis(np.where(usable, candidates, -1), order, axis=1)
