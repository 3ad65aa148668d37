"""The myopic fulfillment policy: every order to its cheapest on-time route with stock left.

Routes are ranked by net cost c(r,p) - h_p f_origin, the same per-unit cost optimal
recourse sees (ties by route name), so the two differ only by myopia. Nothing is reserved
for later, more valuable orders: an order is lost only when no route can serve it.
"""

from __future__ import annotations

import numpy as np

from meio.evaluation.dynamic import Orders, State
from meio.evaluation.network import Network, ScenarioDemand


class MyopicPolicy:
    """Ranks the arcs of an order's (p, c) by net cost (the order :class:`Network` stores them in)."""

    name = "myopic"

    def __init__(self, network: Network) -> None:
        self.candidates = network.candidates()

    def start(self, demand: ScenarioDemand, orders: Orders, state: State) -> None:
        """Nothing to prepare: the ranking does not depend on the state."""

    def rank(self, k: int, scenario: np.ndarray, pc: np.ndarray, state: State) -> np.ndarray:
        """The arcs of each order's (p, c), cheapest first."""
        return self.candidates[pc]
