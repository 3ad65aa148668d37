"""Scenario sampling from forecasts: compound-demand moments, reproducibility, errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from meio.cli import main
from meio.data.scenarios import ForecastError, scenarios_from_forecast

N = 20_000
HISTORY = [0.0, 2.0, 3.0, 1.0, 6.0, 0.0, 4.0]


def forecast(distribution: str, lead_time_std: float = 1.5, review: float = 4.0) -> pd.DataFrame:
    """Two products, three classes; dispersion is a variance/mean ratio (negbin) or a std (normal)."""
    dispersion = {"negbin": [2.5, 1.0, 4.0], "normal": [1.0, 3.0, 0.5]}.get(distribution, [1.0] * 3)
    return pd.DataFrame({
        "product": ["a", "a", "b"], "zone": ["z1", "z2", "z1"], "speed": ["one_day"] * 3,
        "daily_mean": [3.0, 8.0, 2.0], "dispersion": dispersion,
        "review_days": [review, review, 2.0], "lead_time_mean": [5.0, 5.0, 3.0],
        "lead_time_std": [lead_time_std, lead_time_std, 0.0],
        "history": [";".join(f"{h:g}" for h in HISTORY), "5;9;10;8", "2"],
    })


def sampled(table: pd.DataFrame, scenarios: int) -> pd.DataFrame:
    """Quantities as a (scenario x class) matrix, zeros restored."""
    wide = table.pivot_table(index="scenario", columns=["product", "zone"], values="quantity", fill_value=0.0)
    names = sorted(table["scenario"].unique())
    assert len(names) <= scenarios
    width = len(names[0]) - 1
    full = [f"s{i:0{width}d}" for i in range(1, scenarios + 1)]
    columns = pd.MultiIndex.from_tuples([("a", "z1"), ("a", "z2"), ("b", "z1")])
    return wide.reindex(index=full, columns=columns, fill_value=0.0)


def rounding_variance(review: float, mean: float, std: float, rng: np.random.Generator) -> float:
    """E[f (1 - f)] of T = review + Gamma lead time, f = frac(T): the empirical sampler's extra day variance."""
    t = review + (rng.gamma(mean**2 / std**2, std**2 / mean, 2_000_000) if std > 0 else np.full(1, mean))
    f = t - np.floor(t)
    return float(np.mean(f * (1 - f)))


def expected_moments(distribution: str, table: pd.DataFrame, v: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """E[D] = mu E[T]; Var[D] = sigma^2 E[T] + mu^2 Var[T*], Var[T*] = Var[L] + v E[T^2] (+ rounding)."""
    mu = table["daily_mean"].to_numpy()
    if distribution == "empirical":
        histories = [np.array([float(x) for x in h.split(";")]) for h in table["history"]]
        mu = np.array([h.mean() for h in histories])
        per_day = np.array([h.var() for h in histories])
    else:
        per_day = {"poisson": mu, "negbin": table["dispersion"].to_numpy() * mu,
                   "normal": table["dispersion"].to_numpy() ** 2}[distribution]
    t_mean = (table["review_days"] + table["lead_time_mean"]).to_numpy()
    t_var = table["lead_time_std"].to_numpy() ** 2
    t_star_var = t_var + v * (t_var + t_mean**2)
    if distribution == "empirical":
        rng = np.random.default_rng(99)
        t_star_var = t_star_var + np.array([rounding_variance(r, m, s, rng) for r, m, s in zip(
            table["review_days"], table["lead_time_mean"], table["lead_time_std"])])
    return mu * t_mean, per_day * t_mean + mu**2 * t_star_var


@pytest.mark.parametrize("distribution", ["poisson", "negbin", "normal", "empirical"])
def test_compound_moments_match_the_formula(distribution: str) -> None:
    table = forecast(distribution)
    draws = sampled(scenarios_from_forecast(table, scenarios=N, seed=11, distribution=distribution), N)
    mean, var = expected_moments(distribution, table)
    assert np.all(np.abs(draws.mean().to_numpy() - mean) <= 4 * np.sqrt(var / N))
    np.testing.assert_allclose(draws.var().to_numpy(), var, rtol=0.06)


def test_lead_time_variance_adds_mu_squared_var_l() -> None:
    """The lead-time term is what makes the variance exceed the plain Poisson variance."""
    table = forecast("poisson", lead_time_std=3.0)
    draws = sampled(scenarios_from_forecast(table, scenarios=N, seed=5, distribution="poisson"), N)
    plain = table["daily_mean"] * (table["review_days"] + table["lead_time_mean"])
    assert draws.var().iloc[1] > 1.5 * plain.iloc[1]
    _, var = expected_moments("poisson", table)
    np.testing.assert_allclose(draws.var().to_numpy(), var, rtol=0.06)


@pytest.mark.parametrize("distribution", ["poisson", "negbin", "normal", "empirical"])
def test_common_shock_moments(distribution: str) -> None:
    table = forecast(distribution)
    draws = sampled(scenarios_from_forecast(table, scenarios=N, seed=3, distribution=distribution,
                                            correlation=0.3), N)
    mean, var = expected_moments(distribution, table, v=0.3)
    assert np.all(np.abs(draws.mean().to_numpy() - mean) <= 4 * np.sqrt(var / N))
    np.testing.assert_allclose(draws.var().to_numpy(), var, rtol=0.08)


def test_common_shock_correlates_zones_of_a_product() -> None:
    table = forecast("poisson", lead_time_std=0.0)
    independent = sampled(scenarios_from_forecast(table, scenarios=N, seed=1, distribution="poisson"), N)
    shocked = sampled(scenarios_from_forecast(table, scenarios=N, seed=1, distribution="poisson",
                                              correlation=0.5), N)
    assert abs(np.corrcoef(independent.iloc[:, 0], independent.iloc[:, 1])[0, 1]) < 0.03
    assert np.corrcoef(shocked.iloc[:, 0], shocked.iloc[:, 1])[0, 1] > 0.5
    assert abs(np.corrcoef(shocked.iloc[:, 0], shocked.iloc[:, 2])[0, 1]) < 0.03


def test_zero_lead_time_variance_is_the_plain_distribution() -> None:
    """T = 4 + 5 = 9 days exactly: Poisson(9 mu), and empirical sums of 9 history days."""
    table = forecast("poisson", lead_time_std=0.0)
    draws = sampled(scenarios_from_forecast(table, scenarios=N, seed=8, distribution="poisson"), N)
    rate = 9 * 3.0
    for k in (20, 27, 33):
        pmf = np.exp(-rate + k * np.log(rate) - np.sum(np.log(np.arange(1, k + 1))))
        assert abs((draws.iloc[:, 0] == k).mean() - pmf) < 4 * np.sqrt(pmf / N)
    table = forecast("empirical", lead_time_std=0.0)
    draws = sampled(scenarios_from_forecast(table, scenarios=2000, seed=8, distribution="empirical"), 2000)
    assert set(draws.iloc[:, 2]) == {2.0 * 5}
    assert draws.iloc[:, 1].min() >= 9 * 5 and draws.iloc[:, 1].max() <= 9 * 10


def test_same_seed_same_scenarios_and_spec_columns() -> None:
    table = forecast("negbin")
    first = scenarios_from_forecast(table, scenarios=50, seed=4, distribution="negbin")
    again = scenarios_from_forecast(table, scenarios=50, seed=4, distribution="negbin")
    other = scenarios_from_forecast(table, scenarios=50, seed=5, distribution="negbin")
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)
    assert list(first.columns) == ["product", "zone", "speed", "scenario", "quantity"]
    assert (first["quantity"] > 0).all()
    assert first["scenario"].iloc[0] == "s01"


@pytest.mark.parametrize("change, message", [
    (lambda f: f.drop(columns="dispersion"), "missing column 'dispersion'"),
    (lambda f: f.assign(dispersion=[0.5, 1.0, 2.0]), "column 'dispersion': must be >= 1"),
    (lambda f: f.assign(review_days=[4.0, 5.0, 2.0]), "line 3, column 'review_days'"),
    (lambda f: f.assign(daily_mean=["x", 1, 2]), "line 2, column 'daily_mean': not a finite number"),
    (lambda f: f.assign(daily_mean=[1.0, math.inf, 2.0]), "line 3, column 'daily_mean': not a finite number: inf$"),
    (lambda f: pd.concat([f, f.iloc[[0]]]), "duplicate (product, zone, speed)"),
])
def test_bad_forecast_names_the_problem(change, message: str) -> None:
    with pytest.raises(ForecastError, match=message.replace("(", r"\(").replace(")", r"\)")):
        scenarios_from_forecast(change(forecast("negbin")), scenarios=3, seed=1, distribution="negbin")


def test_cli_writes_demand_and_reports_a_bad_forecast(tmp_path, capsys) -> None:
    good = tmp_path / "forecast.csv"
    forecast("negbin").to_csv(good, index=False)
    out = tmp_path / "demand.csv"
    assert main(["scenarios", str(good), "--out", str(out), "--scenarios", "5", "--seed", "1"]) == 0
    assert pd.read_csv(out).columns.tolist() == ["product", "zone", "speed", "scenario", "quantity"]
    bad = tmp_path / "bad.csv"
    forecast("negbin").drop(columns="lead_time_std").to_csv(bad, index=False)
    code = main(["scenarios", str(bad), "--out", str(out), "--scenarios", "5", "--seed", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "bad.csv" in err and "'lead_time_std'" in err and "Traceback" not in err
