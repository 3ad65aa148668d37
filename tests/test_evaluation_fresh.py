"""Fresh scenarios (generator replay, bootstrap, demand file) and the statistics of the estimates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from support.random_instance import write_random_instance

from meio.data import load_instance
from meio.data.generator import generate_instance
from meio.errors import MeioError
from meio.evaluation.fresh import fresh_instance, generator_config, replay_generator, sample_like_generator
from meio.evaluation.stats import difference_ci, mean_ci, ratio_ci


def test_generator_replay_reproduces_the_training_demand(tmp_path: Path) -> None:
    """Continuing the replayed stream gives demand.csv exactly: fresh draws come from the same law."""
    instance = load_instance(generate_instance(tmp_path / "g", products=7, nodes=6, zones=5, scenarios=6, seed=17,
                                               tightness=1.3, windows=True))
    config = generator_config(instance)
    assert config is not None and config.seed == 17 and config.windows and config.tightness == 1.3
    mean, rng = replay_generator(instance, config)
    again = sample_like_generator(instance, config, mean, config.scenarios, rng, list(instance.scenarios.index))
    key = ["scenario", "product", "zone", "speed"]
    left = again.sort_values(key).reset_index(drop=True)
    right = instance.demand.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left[key], right[key])
    np.testing.assert_array_equal(left["quantity"].to_numpy(), right["quantity"].to_numpy())


def test_bundled_demo_records_its_generator() -> None:
    assert generator_config(load_instance("demo")) is not None
    assert generator_config(load_instance("tiny")) is None


def test_fresh_generator_scenarios_differ_by_seed_and_repeat_with_it(tmp_path: Path) -> None:
    instance = load_instance(generate_instance(tmp_path / "g", products=4, nodes=5, zones=4, scenarios=3, seed=2))
    a, source = fresh_instance(instance, 20, 5)
    b, _ = fresh_instance(instance, 20, 5)
    c, _ = fresh_instance(instance, 20, 6)
    assert source == "generator" and len(a.scenarios) == 20
    pd.testing.assert_frame_equal(a.demand, b.demand)
    assert not a.demand.equals(c.demand)
    assert a.scenarios["weight"].to_numpy() == pytest.approx(np.full(20, 0.05))


def test_bootstrap_draws_whole_training_scenarios(tmp_path: Path) -> None:
    instance = load_instance(write_random_instance(tmp_path, 3, scenarios=5, weights=True))
    fresh, source = fresh_instance(instance, 30, 1)
    assert source == "bootstrap" and len(fresh.scenarios) == 30
    training = {s: g.drop(columns="scenario").sort_values(["product", "zone", "speed"]).reset_index(drop=True)
                for s, g in instance.demand.groupby("scenario")}
    for _, group in fresh.demand.groupby("scenario"):
        rows = group.drop(columns="scenario").sort_values(["product", "zone", "speed"]).reset_index(drop=True)
        assert any(len(rows) == len(t) and np.allclose(rows["quantity"], t["quantity"]) for t in training.values())


def test_demand_file_is_checked_against_the_instance(tmp_path: Path) -> None:
    instance = load_instance(write_random_instance(tmp_path / "i", 3, scenarios=4))
    good = instance.demand.assign(scenario=instance.demand["scenario"] + "x")
    good.to_csv(tmp_path / "d.csv", index=False)
    fresh, source = fresh_instance(instance, 2, 0, demand_file=tmp_path / "d.csv")
    assert source.startswith("file") and len(fresh.scenarios) == 2
    bad = good.copy()
    bad.loc[3, "zone"] = "Atlantis"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(MeioError, match=r"bad.csv, line 5, column 'zone': 'Atlantis'"):
        fresh_instance(instance, 2, 0, demand_file=tmp_path / "bad.csv")
    with pytest.raises(MeioError, match="does not record how it was generated"):
        fresh_instance(instance, 2, 0, source="generator")


def test_mean_ci_is_the_textbook_t_interval() -> None:
    values = np.array([1.0, 2.0, 4.0, 7.0])
    estimate = mean_ci(values)
    half = stats.t.ppf(0.975, 3) * values.std(ddof=1) / 2.0
    assert estimate.mean == pytest.approx(3.5)
    assert (estimate.low, estimate.high) == pytest.approx((3.5 - half, 3.5 + half))
    weighted = mean_ci(np.repeat(values, [1, 1, 1, 1]), np.full(4, 7.0))
    assert weighted.half_width == pytest.approx(half)


def test_intervals_cover_the_mean_about_95_percent() -> None:
    rng = np.random.default_rng(0)
    cover = [(lambda e: e.low <= 2.0 <= e.high)(mean_ci(rng.exponential(2.0, 30))) for _ in range(2000)]
    assert 0.92 <= np.mean(cover) <= 0.97
    ratio = [(lambda e: e.low <= 0.5 <= e.high)(ratio_ci(rng.binomial(20, 0.5, 200), np.full(200, 20)))
             for _ in range(500)]
    assert 0.92 <= np.mean(ratio) <= 0.98


def test_paired_difference_is_tighter_than_independent_intervals() -> None:
    rng = np.random.default_rng(1)
    common = rng.normal(100, 20, 50)
    a, b = common + rng.normal(0, 1, 50), common + 3 + rng.normal(0, 1, 50)
    paired = difference_ci(b, a)
    assert paired.low > 0 and paired.half_width < mean_ci(a).half_width / 5
