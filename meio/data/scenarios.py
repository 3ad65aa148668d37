"""Demand scenarios from a forecast: compound demand over the protection interval.

A scenario is one joint draw of every product's demand per (zone, speed) over the
protection interval ``T = review_days + L`` that a stock position must cover: a lead
time ``L`` is drawn per (scenario, product), then demand is compounded over ``T`` days.

Forecast table (one CSV, one row per (product, zone, speed); see docs/scenarios.md):

- ``product``, ``zone``, ``speed``: the demand class;
- ``daily_mean`` (>= 0): mean demand per day, ``mu``;
- ``dispersion``: for ``negbin`` the variance-to-mean ratio ``r >= 1`` of daily demand
  (r = 1 is Poisson); for ``normal`` the daily standard deviation ``s >= 0``;
  not used by ``poisson`` and ``empirical``;
- ``history`` (``empirical`` only): ``;``-separated past daily demands to bootstrap;
- ``review_days``, ``lead_time_mean``, ``lead_time_std`` (>= 0, days): per product,
  repeated on every row of the product (they must agree).

Lead time ``L ~ Gamma`` with that mean and standard deviation (``L = lead_time_mean``
when the standard deviation is 0), so ``L >= 0``. With ``correlation = v > 0`` a
common shock ``G ~ Gamma(1/v, v)`` (mean 1, variance v) per (scenario, product)
stretches the interval of every zone and speed of the product, ``T* = G T``, and so
correlates them. Conditional on ``T*`` the demand of a class is

- ``poisson``: ``Poisson(mu T*)``;
- ``negbin``: ``Poisson(lambda)`` with ``lambda ~ Gamma(mu T* / (r - 1), r - 1)``,
  i.e. negative binomial with mean ``mu T*`` and variance ``r mu T*``;
- ``normal``: ``max(0, Normal(mu T*, s^2 T*))`` (clipping matters only when
  ``mu T*`` is within a few ``s sqrt(T*)`` of zero);
- ``empirical``: the sum of ``N`` days drawn with replacement from the history, where
  ``N`` rounds ``T*`` randomly to a whole number (``floor(T*) + Bernoulli(frac(T*))``).

So with ``sigma^2`` the per-day variance (``mu``, ``r mu``, ``s^2`` or the history's
population variance) and ``mu`` the daily mean (the history's mean for ``empirical``):

    E[D] = mu E[T],   Var[D] = sigma^2 E[T*] + mu^2 Var[T*],
    E[T*] = E[T],     Var[T*] = Var[L] + v E[T^2]   (+ E[f (1 - f)], f = frac(T*), for empirical)

which for ``v = 0`` is the classical ``E[T] sigma^2 + mu^2 Var[L]``; with no lead-time
variance, no shock and a whole number of days it is the plain distribution over T days.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from meio.errors import MeioError, python_value

DISTRIBUTIONS = ("poisson", "negbin", "normal", "empirical")
KEY_COLUMNS = ("product", "zone", "speed")
PRODUCT_COLUMNS = ("review_days", "lead_time_mean", "lead_time_std")
DEMAND_COLUMNS = ("product", "zone", "speed", "scenario", "quantity")


class ForecastError(MeioError):
    """A forecast table is missing a column or holds a value the distribution cannot use."""


@dataclass(frozen=True)
class Forecast:
    """A validated forecast as arrays: classes ``c`` (rows) and products ``p``.

    ``product_of[c]`` is the index of class c's product; ``history`` is a (C, H) array padded
    with zeros, ``history_length`` its valid length per class (empty unless empirical).
    """

    keys: pd.DataFrame
    product_of: np.ndarray
    daily_mean: np.ndarray
    dispersion: np.ndarray
    review_days: np.ndarray
    lead_time_mean: np.ndarray
    lead_time_std: np.ndarray
    history: np.ndarray
    history_length: np.ndarray


def read_forecast(path: str | Path) -> pd.DataFrame:
    """Read a forecast CSV (``#`` lines are comments); the file name goes into every error."""
    path = Path(path)
    if not path.is_file():
        raise ForecastError(f"{path}: no such forecast file")
    try:
        return pd.read_csv(path, comment="#", dtype={c: str for c in (*KEY_COLUMNS, "history")})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ForecastError(f"{path}: cannot parse CSV: {error}") from error


def scenarios_from_forecast(forecast: pd.DataFrame, *, scenarios: int, seed: int,
                            distribution: str = "negbin", correlation: float = 0.0,
                            source: str = "forecast") -> pd.DataFrame:
    """Sample ``scenarios`` joint demand scenarios as a demand.csv table (zero rows dropped).

    ``source`` names the forecast in error messages (the CLI passes the file name).
    """
    if scenarios < 1:
        raise ForecastError(f"scenarios must be >= 1, got {scenarios}")
    if correlation < 0:
        raise ForecastError(f"correlation (variance of the common shock) must be >= 0, got {correlation}")
    parsed = parse_forecast(forecast, distribution, source)
    rng = np.random.default_rng(seed)
    t_star = protection_intervals(rng, parsed.review_days, parsed.lead_time_mean,
                                  parsed.lead_time_std, scenarios, correlation)[:, parsed.product_of]
    quantity = compound_demand(rng, distribution, parsed, t_star)
    return demand_table(parsed.keys, quantity, scenario_names(scenarios))


def parse_forecast(forecast: pd.DataFrame, distribution: str, source: str = "forecast") -> Forecast:
    """Check a forecast table for ``distribution`` and turn it into arrays."""
    if distribution not in DISTRIBUTIONS:
        raise ForecastError(f"unknown distribution '{distribution}' (choose from {', '.join(DISTRIBUTIONS)})")
    required = [*KEY_COLUMNS, *PRODUCT_COLUMNS]
    required += ["history"] if distribution == "empirical" else ["daily_mean"]
    required += ["dispersion"] if distribution in ("negbin", "normal") else []
    missing = [c for c in required if c not in forecast.columns]
    if missing:
        raise ForecastError(f"{source}: missing column '{missing[0]}' (needed for {distribution})")
    keys = forecast[list(KEY_COLUMNS)].astype(str)
    _check_keys(keys, forecast[list(KEY_COLUMNS)], source)
    numbers = {c: _numeric(forecast, c, source) for c in required if c not in (*KEY_COLUMNS, "history")}
    _check_ranges(numbers, distribution, source)
    codes, _ = pd.factorize(keys["product"])
    per_product = {c: _per_product(numbers[c], codes, c, keys["product"], source)
                   for c in PRODUCT_COLUMNS}
    history, length = _histories(forecast, source) if distribution == "empirical" else (
        np.zeros((len(keys), 0)), np.zeros(len(keys), dtype=int))
    mean = history.sum(axis=1) / length if distribution == "empirical" else numbers["daily_mean"]
    return Forecast(keys=keys.reset_index(drop=True), product_of=codes, daily_mean=mean,
                    dispersion=numbers.get("dispersion", np.ones(len(keys))), history=history,
                    history_length=length, **per_product)


def protection_intervals(rng: np.random.Generator, review_days: np.ndarray, lead_time_mean: np.ndarray,
                         lead_time_std: np.ndarray, scenarios: int, correlation: float) -> np.ndarray:
    """``T* = G (review + L)`` per (scenario, product): gamma lead times and a mean-one gamma shock."""
    shape = (scenarios, len(review_days))
    variable = lead_time_std > 0
    k = np.divide(lead_time_mean**2, lead_time_std**2, out=np.ones_like(lead_time_mean), where=variable)
    theta = np.divide(lead_time_std**2, lead_time_mean, out=np.ones_like(lead_time_mean), where=variable)
    lead = np.where(variable, rng.gamma(k, theta, size=shape), lead_time_mean)
    shock = rng.gamma(1 / correlation, correlation, size=shape) if correlation > 0 else 1.0
    return shock * (review_days + lead)


def compound_demand(rng: np.random.Generator, distribution: str, forecast: Forecast,
                    t_star: np.ndarray) -> np.ndarray:
    """Demand per (scenario, class) over intervals ``t_star`` (shape (S, C))."""
    mu, r = forecast.daily_mean, forecast.dispersion
    if distribution == "poisson":
        return rng.poisson(mu * t_star).astype(float)
    if distribution == "negbin":
        return negbin_demand(rng, mu * t_star, r)
    if distribution == "normal":
        return np.round(np.maximum(0.0, rng.normal(mu * t_star, r * np.sqrt(t_star))), 4)
    return _bootstrap(rng, forecast.history, forecast.history_length, t_star)


def negbin_demand(rng: np.random.Generator, mean: np.ndarray, ratio: np.ndarray | float) -> np.ndarray:
    """Negative binomial draws of the given means and variance-to-mean ratio (>= 1) as gamma-Poisson."""
    ratio = np.broadcast_to(ratio, np.shape(mean))
    excess = np.maximum(ratio - 1.0, 1e-12)
    rate = np.where(ratio > 1.0, rng.gamma(mean / excess, excess), mean)
    return rng.poisson(rate).astype(float)


def scenario_names(scenarios: int) -> list[str]:
    """Scenario identifiers s01, s02, ... zero-padded so they sort in order."""
    width = max(2, len(str(scenarios)))
    return [f"s{i:0{width}d}" for i in range(1, scenarios + 1)]


def demand_table(keys: pd.DataFrame, quantity: np.ndarray, names: list[str]) -> pd.DataFrame:
    """demand.csv rows from a (scenario, class) array, scenario-major, zero quantities dropped."""
    s, c = np.nonzero(quantity)
    table = keys.iloc[c].reset_index(drop=True)
    table["scenario"] = np.asarray(names, dtype=object)[s]
    table["quantity"] = quantity[s, c]
    return table[list(DEMAND_COLUMNS)]


def _bootstrap(rng: np.random.Generator, history: np.ndarray, length: np.ndarray,
               t_star: np.ndarray) -> np.ndarray:
    """Sum of N days resampled from each class's history, N = T* randomly rounded to whole days."""
    floor = np.floor(t_star)
    days = (floor + (rng.random(t_star.shape) < t_star - floor)).astype(int)
    longest = int(days.max(initial=0))
    picks = np.floor(rng.random((*t_star.shape, longest)) * length[:, None]).astype(int)
    values = history[np.arange(len(length))[:, None], picks]
    used = np.arange(longest) < days[..., None]
    return np.where(used, values, 0.0).sum(axis=-1)


def _check_keys(keys: pd.DataFrame, raw: pd.DataFrame, source: str) -> None:
    blank = raw.isna().any(axis=1)
    if blank.any():
        row = int(np.flatnonzero(blank)[0])
        column = raw.columns[raw.iloc[row].isna()][0]
        raise ForecastError(f"{source}, line {row + 2}, column '{column}': blank identifier")
    repeated = keys.duplicated()
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        raise ForecastError(f"{source}, line {row + 2}: duplicate (product, zone, speed) "
                            f"{tuple(keys.iloc[row])}")


def _numeric(forecast: pd.DataFrame, column: str, source: str) -> np.ndarray:
    values = pd.to_numeric(forecast[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ForecastError(f"{source}, line {row + 2}, column '{column}': not a finite number: "
                            f"{python_value(forecast[column].iloc[row])!r}")
    return values


def _check_ranges(numbers: dict[str, np.ndarray], distribution: str, source: str) -> None:
    lower = {c: 0.0 for c in numbers} | ({"dispersion": 1.0} if distribution == "negbin" else {})
    for column, values in numbers.items():
        below = values < lower[column]
        if below.any():
            row = int(np.flatnonzero(below)[0])
            raise ForecastError(f"{source}, line {row + 2}, column '{column}': must be >= "
                                f"{lower[column]:g} for {distribution}, got {values[row]:g}")
    degenerate = (numbers["lead_time_mean"] == 0) & (numbers["lead_time_std"] > 0)
    if degenerate.any():
        row = int(np.flatnonzero(degenerate)[0])
        raise ForecastError(f"{source}, line {row + 2}, column 'lead_time_std': a lead time of mean 0 "
                            "cannot vary")


def _per_product(values: np.ndarray, codes: np.ndarray, column: str,
                 names: pd.Series, source: str) -> np.ndarray:
    """The one value per product of a column repeated on each of the product's rows."""
    first = pd.Series(values).groupby(codes).first().to_numpy()
    differs = values != first[codes]
    if differs.any():
        row = int(np.flatnonzero(differs)[0])
        raise ForecastError(f"{source}, line {row + 2}, column '{column}': product '{names.iloc[row]}' "
                            f"has a different {column} on another row; it must be the same on every row")
    return first


def _histories(forecast: pd.DataFrame, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse ``;``-separated histories into a zero-padded (C, H) array and lengths."""
    cells = forecast["history"].fillna("").astype(str).str.strip()
    split = cells.str.split(";")
    lists = []
    for row, parts in enumerate(split):
        try:
            values = [float(x) for x in parts if x.strip() != ""]
        except ValueError as error:
            raise ForecastError(f"{source}, line {row + 2}, column 'history': {error}") from error
        if not values or min(values) < 0 or not np.all(np.isfinite(values)):
            raise ForecastError(f"{source}, line {row + 2}, column 'history': needs one or more "
                                f"';'-separated daily demands >= 0, got {cells.iloc[row]!r}")
        lists.append(values)
    length = np.array([len(v) for v in lists], dtype=int)
    history = np.zeros((len(lists), int(length.max(initial=0))))
    for row, values in enumerate(lists):
        history[row, : len(values)] = values
    return history, length
