"""Mak-Morton-Wood bounds on a small instance: L below U, and the gap interval shrinks as N grows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.random_instance import write_random_instance
from test_evaluation import one_node_instance

from meio.data import load_instance
from meio.errors import MeioError
from meio.evaluation.files import write_gap
from meio.evaluation.mmw import format_gap, mmw_gap
from meio.exact import solve_extensive
from meio.models.variants import parse_variant


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    directory = tmp_path_factory.mktemp("mmw")
    return load_instance(write_random_instance(directory, 3, products=3, nodes=3, zones=3, speeds=2,
                                               scenarios=10, capacities=True))


def test_lower_bound_interval_lies_below_the_upper_bound_interval(tmp_path: Path) -> None:
    """A newsvendor (one node, one class, six scenarios): v_1 is the cost of perfect information, far below z*."""
    newsvendor = load_instance(one_node_instance(tmp_path))
    optimum = solve_extensive(newsvendor, "highs").objective
    estimate = mmw_gap(newsvendor, replications=20, scenarios=1, eval_scenarios=300, seed=4, source="bootstrap")
    assert estimate.lower.high < estimate.upper.low
    assert estimate.lower.mean < optimum < estimate.upper.high
    assert (estimate.replications["gap"] >= -1e-9).all() and estimate.gap.low > 0
    assert "MMW optimality gap" in format_gap(estimate)


def test_gap_interval_shrinks_as_n_grows(instance) -> None:  # noqa: ANN001
    small = mmw_gap(instance, replications=8, scenarios=4, eval_scenarios=100, seed=5, source="bootstrap")
    large = mmw_gap(instance, replications=8, scenarios=40, eval_scenarios=100, seed=5, source="bootstrap")
    assert large.gap.high < small.gap.high
    assert large.gap_one_sided < small.gap_one_sided
    assert large.gap.half_width < small.gap.half_width


def test_mmw_needs_two_replications(instance) -> None:  # noqa: ANN001
    with pytest.raises(MeioError, match="replications must be >= 2"):
        mmw_gap(instance, replications=1, scenarios=3, eval_scenarios=10)


def test_gap_json_records_the_variants_as_summary_json_does(instance, tmp_path: Path) -> None:  # noqa: ANN001
    estimate = mmw_gap(instance, replications=2, scenarios=2, eval_scenarios=10, seed=5, source="bootstrap",
                       variants=[parse_variant("salvage:fraction=0.5")])
    write_gap(tmp_path, estimate, None)
    record = json.loads((tmp_path / "gap.json").read_text())
    assert record["variants"] == [{"name": "salvage", "parameters": {"fraction": 0.5}}]
