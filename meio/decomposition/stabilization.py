"""Wentges dual smoothing with automatic alpha (Pessoa, Sadykov, Uchoa, Vanderbeck 2018).

Pricing is done at ``mu_sep = alpha mu_center + (1 - alpha) mu_master`` instead of the
master's prices; the centre is the point with the best Lagrangian bound so far. After each
pricing, the subgradient g = sum_p usage_p - b at ``mu_sep`` says whether the master's
prices lie uphill (g . (mu_master - mu_center) > 0): then alpha decreases, else it grows.
A mis-pricing (no column enters at the master's duals) is followed by pricing with
``alpha_k = 1 - k (1 - alpha)``, which reaches the master's prices after finitely many steps.
With ``enabled=False`` alpha stays 0: plain column generation (Kelley's cutting planes).
"""

from __future__ import annotations

import numpy as np

STEP = 0.1
MAX_ALPHA = 0.9


class WentgesSmoothing:
    """Stability centre, smoothing weight and the separation point of each pricing."""

    def __init__(self, enabled: bool, alpha: float, center: np.ndarray | None = None) -> None:
        self.enabled = enabled
        self.alpha = alpha if enabled else 0.0
        self.center = center
        self.center_values: np.ndarray | None = None  # each product's term v_p of the best bound
        self.best = -np.inf
        self.mispricings = 0

    def separation_point(self, mu_master: np.ndarray) -> tuple[np.ndarray, float]:
        """Where to price next and the alpha used; moves toward the master after each mis-pricing."""
        if self.center is None or not self.enabled:
            return mu_master, 0.0
        alpha = max(0.0, 1.0 - (self.mispricings + 1) * (1.0 - self.alpha)) if self.mispricings else self.alpha
        return alpha * self.center + (1.0 - alpha) * mu_master, alpha

    def record(self, mu_sep: np.ndarray, bound: float, values: np.ndarray, subgradient: np.ndarray,
               mu_master: np.ndarray, priced_out: bool) -> None:
        """Update the centre with a new Lagrangian bound (and its products' terms ``values``),
        adapt alpha, count mis-pricings."""
        if self.enabled and self.center is not None and not self.mispricings:
            uphill = float(subgradient @ (mu_master - self.center)) > 0.0
            self.alpha = max(0.0, self.alpha - STEP) if uphill else min(MAX_ALPHA, self.alpha + (1 - self.alpha) * STEP)
        self.offer(mu_sep, bound, values)
        self.mispricings = 0 if priced_out else self.mispricings + 1

    def offer(self, mu: np.ndarray, bound: float, values: np.ndarray) -> None:
        """The Lagrangian bound at ``mu`` (with the products' terms ``values``, which a later
        re-plan takes over): the centre if it is the best (alpha is left as it is)."""
        if bound > self.best:
            self.best, self.center, self.center_values = bound, mu.copy(), values
