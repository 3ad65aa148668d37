"""The dual-price fulfillment policy (Acimovic and Graves 2015), with rationing.

An order of (p, c) may go to arc r at the cost

    c(r,p) - h_p f_origin(r) + lambda[p, origin(r)] + sum_{n in nodes(r)} pi[n],

its net cost plus the opportunity cost of the unit of stock and of the throughput it uses.
Arcs are tried cheapest first. **Rationing**: an arc whose cost exceeds the order's lost-sale
penalty is not used — the stock is worth more to the orders still expected — so the order
is lost rather than served from stock another class values more.

**Opportunity costs: the mean over sampled demand futures.** lambda and pi estimate what one
more unit of stock or throughput saves the rest of the period in expectation,

    lambda[p,n] = sum_j w_j lambda_j[p,n],    pi[n] = sum_j w_j pi_j[n],

where lambda_j, pi_j are the duals of the LP of :mod:`meio.evaluation.opportunity` over the
j-th of J demand futures D_j (given the remaining stock and throughput) and w_j their
normalised weights. The dual of one LP over the *expected* remaining demand (Acimovic and
Graves' choice, J = 1 with the mean) is not that expectation: it prices a unit at a higher
class's penalty as soon as the mean demand of the higher classes reaches the stock, although
for a low-volume, lumpy product that demand often does not come. The sampled mean weighs each
penalty by the probability that the demand needing the unit comes, as Littlewood's rule does
for one product and two classes: protect the unit for the high class iff
penalty_high P(D_high >= stock) > penalty_low. Measured (docs/evaluation.md), the mean-demand
LP rationed three-day orders away on four-speed networks and cost more than the myopic policy.

Futures: the J = min(``samples``, T) futures of scenario s are training scenarios (those the
plan was made from, never the evaluated ones), a fixed permutation of them taken in turn
from position s J, so consecutive scenarios use different ones and all are used evenly. The
remaining demand of future j is its demand d_j[p,c] times what is left of the class's
window, as Acimovic and Graves use the demand rate times the time left. Orders arrive window
by window, so classes of earlier windows expect nothing more and classes of later windows
their whole d_j; in the current window, at arrival time t (fraction of the window), a class
expects ``d_j (1 - t)``. The policy sees the clock and the orders that have arrived, never
the scenario's demand. Passing one future (the forecast, 1-D) gives the mean-demand LP.

The LPs of every scenario are re-solved at the first order and then every ``resolve_every``
orders; in between the prices of the last re-solve are used. Each future is one more block
of the block-diagonal LPs, so a re-solve costs about J times that of the mean LP.
"""

from __future__ import annotations

import numpy as np

from meio.evaluation.dynamic import Orders, State
from meio.evaluation.network import Network, ScenarioDemand
from meio.evaluation.opportunity import RemainingDemandLp

#: Default number of orders between two re-solves of a scenario's LPs.
RESOLVE_EVERY = 25
#: Default number of demand futures the opportunity costs are averaged over.
SAMPLES = 30
#: Target number of LP columns of the futures of the scenarios simulated together (bounds memory:
#: the LPs of every future of every scenario stay in memory for their warm starts).
FUTURE_COLUMNS = 1_000_000
#: Relative slack of the rationing test (LP duals are exact to about the HiGHS tolerance 1e-9).
TOLERANCE = 1e-7


class DualPricePolicy:
    """Ranks arcs by net cost plus the opportunity costs of stock and throughput; rations.

    ``futures`` (T, P*C) are demand futures (the training scenarios' demand) with ``weights``
    (T,), equal by default; a 1-D array is one future (the forecast: the mean-demand LP).
    """

    name = "dual-price"

    def __init__(self, network: Network, futures: np.ndarray, resolve_every: int = RESOLVE_EVERY,
                 samples: int = SAMPLES, weights: np.ndarray | None = None) -> None:
        if resolve_every < 1:
            raise ValueError(f"resolve_every must be >= 1, got {resolve_every}")
        if samples < 1:
            raise ValueError(f"samples must be >= 1, got {samples}")
        futures = np.atleast_2d(np.asarray(futures, dtype=float))
        self.network, self.resolve_every = network, resolve_every
        self.candidates = network.candidates()
        self.futures = futures
        self.weights = (np.full(len(futures), 1.0 / len(futures)) if weights is None
                        else np.asarray(weights, dtype=float))
        self.samples = min(samples, len(futures))
        self.future_classes = [np.flatnonzero(f > 0) for f in futures]
        self.penalty = network.penalty.ravel()

    def group_size(self) -> int:
        """How many scenarios to simulate together so that their futures' LPs have about ``FUTURE_COLUMNS`` columns."""
        arcs = np.diff(self.network.pc_start)
        mean = float(np.mean([arcs[c].sum() + len(c) for c in self.future_classes])) * self.samples
        return int(max(1, FUTURE_COLUMNS // max(mean, 1.0)))

    def start(self, demand: ScenarioDemand, orders: Orders, state: State) -> None:
        """Pick each scenario's futures and set up their LPs (one per future of each scenario)."""
        S, J, T = len(demand.scenarios), self.samples, len(self.futures)
        turn = np.random.default_rng(0).permutation(T)
        picks = turn[(np.arange(S)[:, None] * J + np.arange(J)[None, :]) % T].ravel()  # future of row s J + j
        w = self.weights[picks].reshape(S, J)
        total = w.sum(axis=1, keepdims=True)
        self.pick_weight = w / np.where(total > 0, total, 1.0)
        counts = np.array([len(self.future_classes[f]) for f in picks], dtype=np.int64)
        self.row_lp = np.repeat(np.arange(S * J), counts)  # the LP (s J + j) of each demand row
        self.row_pc = (np.concatenate([self.future_classes[f] for f in picks]) if len(picks)
                       else np.zeros(0, dtype=np.int64))
        self.row_demand = self.futures[np.repeat(picks, counts), self.row_pc]
        self.row_window = self.network.class_window[self.row_pc % len(self.network.classes)]
        self.lp = RemainingDemandLp(self.network, self.row_lp, self.row_pc, S * J)
        self.stock_price = np.zeros((S, len(self.network.pairs)))
        self.node_price = np.zeros((S, len(self.network.throughput)))
        self.orders = orders

    def remaining(self, k: int, scenario: np.ndarray) -> np.ndarray:
        """Remaining demand of each demand row of the futures' LPs when the k-th orders of ``scenario`` arrive
        (0 for rows of other scenarios)."""
        S, J = self.pick_weight.shape
        window = np.zeros(S, dtype=np.int64)
        left = np.zeros(S)
        active = np.zeros(S, dtype=bool)
        pc = self.orders.pc[scenario, k]
        window[scenario] = self.network.class_window[pc % len(self.network.classes)]
        left[scenario] = 1.0 - self.orders.time[scenario, k]
        active[scenario] = True
        s = self.row_lp // J
        share = np.where(self.row_window > window[s], 1.0, np.where(self.row_window == window[s], left[s], 0.0))
        return np.where(active[s], share * self.row_demand, 0.0)

    def resolve(self, k: int, scenario: np.ndarray, state: State) -> None:
        """Re-solve the LPs of every future of ``scenario`` and average their duals."""
        S, J = self.pick_weight.shape
        rows = (scenario[:, None] * J + np.arange(J)[None, :]).ravel()
        futures_state = State(np.repeat(state.stock, J, axis=0), np.repeat(state.throughput, J, axis=0))
        self.lp.solve(rows, self.remaining(k, scenario), futures_state)
        w = self.pick_weight[scenario][:, :, None]
        self.stock_price[scenario] = (self.lp.stock_price.reshape(S, J, -1)[scenario] * w).sum(axis=1)
        self.node_price[scenario] = (self.lp.node_price.reshape(S, J, -1)[scenario] * w).sum(axis=1)

    def rank(self, k: int, scenario: np.ndarray, pc: np.ndarray, state: State) -> np.ndarray:
        """The arcs of each order's (p, c) whose priced cost is within its penalty, cheapest first."""
        if k % self.resolve_every == 0 and len(scenario):
            self.resolve(k, scenario, state)
        network = self.network
        candidates = self.candidates[pc]
        valid = candidates >= 0
        arc = np.where(valid, candidates, 0)
        s = scenario[:, None]
        cost = (network.net_cost[arc] + self.stock_price[s, network.arc_pair[arc]]
                + self.node_price[s[:, :, None], network.arc_nodes[arc]].sum(axis=2))
        penalty = self.penalty[pc][:, None]
        usable = valid & (cost <= penalty + TOLERANCE * (1.0 + np.abs(penalty)))
        order = np.argsort(np.where(usable, cost, np.inf), axis=1, kind="stable")
        return np.take_along_axis(np.where(usable, candidates, -1), order, axis=1)
