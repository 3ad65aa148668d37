"""Random instances: meio (HiGHS, OR-Tools) against the independent SPEC reference, LP and integer."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.random_instance import write_random_instance
from support.spec_reference import solve_reference

from meio.data import load_instance
from meio.data.derived import derive_sets
from meio.exact import solve_extensive
from meio.solvers import SolveOptions, Status

ALL_FEATURES = dict(windows=True, cutoffs=True, categories=True, on_hand=True, weights=True, capacities=True,
                    service_targets=True)
CASES = [
    (1, {}),
    (2, dict(windows=True, cutoffs=True)),
    (3, dict(categories=True, on_hand=True, weights=True)),
    (4, dict(capacities=True)),
    (5, dict(service_targets=True, capacities=True)),
    (6, ALL_FEATURES),
    (7, ALL_FEATURES | dict(products=6, nodes=4, zones=4, scenarios=6)),
    (8, ALL_FEATURES | dict(max_route_lanes=3, speeds=3)),
]


@pytest.mark.parametrize(("seed", "features"), CASES)
def test_lp_matches_reference_on_both_backends(tmp_path: Path, seed: int, features: dict) -> None:
    directory = write_random_instance(tmp_path, seed, **features)
    reference = solve_reference(directory, integer=False)
    instance = load_instance(directory)
    sets = derive_sets(instance)
    assert (len(sets.routes), len(sets.classes), len(sets.eligible)) == (
        reference.n_routes, reference.n_classes, reference.n_eligible)
    for backend in ("highs", "ortools"):
        result = solve_extensive(instance, backend, integer=False)
        assert result.status is Status.OPTIMAL
        assert result.objective == pytest.approx(reference.objective, rel=1e-6, abs=1e-6)
        assert sum(result.costs.values()) == pytest.approx(result.objective, rel=1e-7, abs=1e-7)


@pytest.mark.parametrize(("seed", "features"), CASES[:6])
def test_integer_matches_reference_and_is_above_lp(tmp_path: Path, seed: int, features: dict) -> None:
    directory = write_random_instance(tmp_path, seed, **features)
    reference = solve_reference(directory, integer=True, mip_gap=1e-9)
    instance = load_instance(directory)
    options = SolveOptions(mip_gap=1e-9)
    lp = solve_extensive(instance, "highs", options, integer=False).objective
    for backend in ("highs", "ortools"):
        result = solve_extensive(instance, backend, options, integer=True)
        assert result.status is Status.OPTIMAL
        assert result.objective == pytest.approx(reference.objective, rel=1e-6, abs=1e-6)
        assert result.objective >= lp - 1e-6 * max(1.0, abs(lp))
        assert (result.stock["stock"] - result.stock["stock"].round()).abs().max() < 1e-6


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_prices_are_nonnegative_and_zero_where_slack(tmp_path: Path, seed: int) -> None:
    """Both backends report opportunity costs >= 0 that vanish on slack constraints."""
    directory = write_random_instance(tmp_path, seed, capacities=True, products=3)
    instance = load_instance(directory)
    highs = solve_extensive(instance, "highs")
    ortools = solve_extensive(instance, "ortools")
    assert highs.objective == pytest.approx(ortools.objective, rel=1e-7)
    assert (highs.prices["price"] >= -1e-7).all() and (ortools.prices["price"] >= -1e-7).all()
    # complementary slackness: a price is zero where the constraint is slack
    for prices in (highs.prices, ortools.prices):
        slack = prices["slack"] > 1e-6 * prices["rhs"].abs().clip(lower=1.0)
        assert (prices.loc[slack, "price"].abs() < 1e-7).all()
