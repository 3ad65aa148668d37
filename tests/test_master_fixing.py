"""The restricted master takes settled products out of its LP (fixed at their column) and brings
them back when they get a column: the LP's solution, the bounds and the plan stay exact."""

from __future__ import annotations

import numpy as np
import pytest
from support.generated import generated_with_optimum

from meio.decomposition import DecompositionConfig, solve_decomposition
from meio.decomposition.master import MasterSolution, RestrictedMaster
from meio.solvers import Status

GAP = 1e-6


@pytest.fixture(scope="module")
def instance_and_optimum(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, float]:
    return generated_with_optimum(tmp_path_factory.mktemp("fixing") / "g", products=40, seed=11)


def test_fixing_a_product_keeps_the_master_solution_and_its_basis(
        instance_and_optimum: tuple[object, float], monkeypatch: pytest.MonkeyPatch) -> None:
    # every settled master solve is repeated at once: with no new column every product whose plan is
    # one column is fixed, and the LP must give the same solution without a simplex iteration
    instance, optimum = instance_and_optimum
    original = RestrictedMaster.solve
    fixed_counts: list[int] = []

    def solve_twice(self: RestrictedMaster, deadline: float | None = None,
                    enough: float | None = None) -> MasterSolution:
        first = original(self, deadline, enough)
        if not self.settled:
            return first
        again = original(self, deadline)
        fixed_counts.append(int(self.fixed.sum()))
        assert self.highs is not None
        assert self.highs.highs.getInfo().simplex_iteration_count == 0
        assert again.objective == pytest.approx(first.objective, rel=1e-10)
        np.testing.assert_allclose(again.weights, first.weights, atol=1e-9)
        np.testing.assert_allclose(again.mu, first.mu, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(again.sigma, first.sigma, rtol=1e-7, atol=1e-7)
        return again

    monkeypatch.setattr(RestrictedMaster, "solve", solve_twice)
    result = solve_decomposition(instance, config=DecompositionConfig(gap=GAP))  # type: ignore[arg-type]
    assert max(fixed_counts) > 0 and min(fixed_counts) < len(instance.products)  # type: ignore[attr-defined]
    assert result.status is Status.OPTIMAL
    assert result.lower_bound <= optimum + 1e-7 * abs(optimum)
    assert optimum <= result.objective + 1e-7 * abs(optimum)
    assert sum(result.costs.values()) == pytest.approx(result.objective, rel=1e-7)


def test_with_and_without_fixing_the_bounds_bracket_the_same_optimum(
        instance_and_optimum: tuple[object, float], monkeypatch: pytest.MonkeyPatch) -> None:
    instance, optimum = instance_and_optimum
    released: list[int] = []
    original_release = RestrictedMaster._release

    def release(self: RestrictedMaster, products: np.ndarray) -> None:
        released.append(int(self.fixed[products].sum()))
        original_release(self, products)

    monkeypatch.setattr(RestrictedMaster, "_release", release)
    fixing = solve_decomposition(instance, config=DecompositionConfig(gap=GAP))  # type: ignore[arg-type]
    assert sum(released) > 0  # fixed products came back into the LP
    monkeypatch.setattr(RestrictedMaster, "_fix", lambda self, engine: None)
    plain = solve_decomposition(instance, config=DecompositionConfig(gap=GAP))  # type: ignore[arg-type]
    for result in (fixing, plain):
        assert result.status is Status.OPTIMAL
        assert result.lower_bound <= optimum + 1e-7 * abs(optimum)
        assert result.objective == pytest.approx(optimum, rel=GAP)
        assert sum(result.costs.values()) == pytest.approx(result.objective, rel=1e-7)
        prices = result.prices
        assert (prices["slack"] >= -1e-6 * np.maximum(1.0, prices["rhs"].abs())).all()
