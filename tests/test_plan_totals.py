"""PlanTotals: a plan read out over chunks of products equals the read-out over the whole instance."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.random_instance import write_random_instance

from meio.data import load_instance
from meio.data.derived import derive_sets
from meio.data.instance import Instance
from meio.models.index import ModelIndex, model_index
from meio.results.result import Result
from meio.results.tables import PlanTotals, PlanValues, fill_plan
from meio.solvers import Termination

ALL_FEATURES = dict(windows=True, cutoffs=True, categories=True, on_hand=True, weights=True, capacities=True,
                    service_targets=True)
KEYS = {"y": ["product", "node"], "x": ["product", "route", "class", "scenario"], "u": ["product", "class", "scenario"]}


def empty_result() -> Result:
    return Result(termination=Termination.OPTIMAL, objective=0.0, lower_bound=0.0, method="test", backend="none",
                  seconds=0.0)


def random_values(index: ModelIndex, rng: np.random.Generator) -> PlanValues:
    """Nonnegative values with about a third exact zeros (so flows are filtered)."""
    def draw(n: int) -> np.ndarray:
        return rng.random(n) * 10.0 * (rng.random(n) > 0.3)
    return PlanValues(y=draw(len(index.y)), x=draw(len(index.x)), u=draw(len(index.u)))


def chunk_values(whole: ModelIndex, values: PlanValues, chunk: ModelIndex) -> PlanValues:
    """The whole-instance values on a chunk's rows, matched by each variable's key."""
    def pick(family: str) -> np.ndarray:
        keys = KEYS[family]
        table = getattr(whole, family)[keys].assign(value=getattr(values, family))
        picked = getattr(chunk, family)[keys].merge(table, on=keys, how="left", validate="one_to_one")["value"]
        assert picked.notna().all()
        return picked.to_numpy()
    return PlanValues(y=pick("y"), x=pick("x"), u=pick("u"))


def random_instance(tmp_path: Path) -> Instance:
    return load_instance(write_random_instance(tmp_path, 6, products=7, **ALL_FEATURES))


@pytest.mark.parametrize(("make", "n_chunks", "seed"), [
    (lambda _: load_instance("demo"), 3, 0),
    (random_instance, 2, 1),
    (random_instance, 3, 2),
])
def test_chunks_add_up_to_the_whole_instance(tmp_path: Path, make, n_chunks: int, seed: int) -> None:
    instance = make(tmp_path)
    rng = np.random.default_rng(seed)
    index = model_index(instance, derive_sets(instance))
    values = random_values(index, rng)
    expected = empty_result()
    fill_plan(expected, instance, index, values)

    chunked = PlanTotals(instance)
    for products in np.array_split(rng.permutation(instance.products.index.to_numpy()), n_chunks):
        part = instance.restricted_to(list(products))
        part_index = model_index(part, derive_sets(part))
        chunked.add(part_index, chunk_values(index, values, part_index))
    result = empty_result()
    chunked.fill(result)

    assert result.costs == pytest.approx(expected.costs, rel=1e-9)
    assert list(result.fill_rate) == list(instance.speeds.index)
    assert result.fill_rate == pytest.approx(expected.fill_rate, rel=1e-9, nan_ok=True)

    def by(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        return table.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(by(result.stock, ["product", "node"]), by(expected.stock, ["product", "node"]))
    pd.testing.assert_frame_equal(result.utilization, expected.utilization, rtol=1e-9)
    pd.testing.assert_frame_equal(by(result.tables["flows"], ["origin", "zone"]),
                                  by(expected.tables["flows"], ["origin", "zone"]), rtol=1e-9)
    assert (result.tables["flows"]["units"].diff().dropna() <= 0).all()


def test_no_chunks_give_zero_costs_and_no_fill_rate() -> None:
    instance = load_instance("tiny")
    result = empty_result()
    PlanTotals(instance).fill(result)
    assert result.costs == dict.fromkeys(("purchase", "holding", "shipping", "lost_sales"), 0.0)
    assert all(math.isnan(rate) for rate in result.fill_rate.values())
    assert result.stock.empty and result.tables["flows"].empty
    assert (result.utilization["storage_used"] == 0.0).all()
