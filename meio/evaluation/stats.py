"""Means and confidence intervals with Student-t quantiles (weighted when scenarios carry weights).

For values v_s with weights w_s (sum 1) the estimate is m = sum_s w_s v_s with standard error

    se^2 = n / (n - 1) * sum_s w_s^2 (v_s - m)^2,

which for equal weights is the textbook s^2 / n; the interval is m +- t_{n-1, (1+level)/2} se.
A ratio of means R = sum w a / sum w b (a fill rate: met over demand) uses the delta method:
the same formula applied to the residuals (a_s - R b_s) / (sum w b).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A mean with its standard error and two-sided confidence interval [low, high]."""

    mean: float
    std_error: float
    low: float
    high: float
    n: int
    level: float = LEVEL

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    def as_dict(self) -> dict[str, float | int | None]:
        def number(value: float) -> float | None:
            return float(value) if math.isfinite(value) else None
        return {"mean": number(self.mean), "low": number(self.low), "high": number(self.high),
                "std_error": number(self.std_error), "n": self.n}

    def __str__(self) -> str:
        if not math.isfinite(self.half_width):
            return f"{self.mean:,.2f}"
        return f"{self.mean:,.2f} ± {self.half_width:,.2f}"


def t_quantile(n: int, level: float = LEVEL, two_sided: bool = True) -> float:
    """Student-t quantile with n - 1 degrees of freedom (inf for n < 2)."""
    if n < 2:
        return math.inf
    return float(stats.t.ppf((1.0 + level) / 2.0 if two_sided else level, n - 1))


def mean_ci(values: np.ndarray, weights: np.ndarray | None = None, level: float = LEVEL) -> Estimate:
    """Weighted mean of ``values`` and its t confidence interval (weights are normalised)."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, math.nan, 0, level)
    w = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, dtype=float) / np.sum(weights)
    mean = float(w @ values)
    se = math.sqrt(n / (n - 1) * float(w**2 @ (values - mean) ** 2)) if n > 1 else math.inf
    half = t_quantile(n, level) * se if n > 1 else math.inf
    return Estimate(mean, se, mean - half, mean + half, n, level)


def ratio_ci(numerator: np.ndarray, denominator: np.ndarray, weights: np.ndarray | None = None,
             level: float = LEVEL) -> Estimate:
    """R = mean(numerator) / mean(denominator) with a delta-method interval; NaN without denominator."""
    a, b = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    n = len(a)
    w = np.full(n, 1.0 / max(n, 1)) if weights is None else np.asarray(weights, dtype=float) / np.sum(weights)
    scale = float(w @ b) if n else 0.0
    if scale <= 0:
        return Estimate(math.nan, math.nan, math.nan, math.nan, n, level)
    ratio = float(w @ a) / scale
    residual = mean_ci((a - ratio * b) / scale, w, level)
    return Estimate(ratio, residual.std_error, ratio - residual.half_width, ratio + residual.half_width, n, level)


def difference_ci(first: np.ndarray, second: np.ndarray, weights: np.ndarray | None = None,
                  level: float = LEVEL) -> Estimate:
    """Paired difference first - second on common scenarios (common random numbers)."""
    return mean_ci(np.asarray(first, dtype=float) - np.asarray(second, dtype=float), weights, level)
