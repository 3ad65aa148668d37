"""Which columns enter the restricted master: reduced cost below -least (the entry threshold of
phase two, see ``ENTRY_SHARE``) and below round-off; the vectorised test agrees column by column
with the definition, and a run with the threshold still brackets the extensive optimum."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from support.generated import generated_with_optimum

from meio.decomposition import DecompositionConfig, algorithm, solve_decomposition
from meio.decomposition import master as master_module
from meio.decomposition.master import REDUCED_COST_TOLERANCE, MasterSolution, RestrictedMaster
from meio.decomposition.pricing import Column
from meio.solvers import Status


def reduced_cost(master: RestrictedMaster, column: Column, solution: MasterSolution) -> tuple[float, float]:
    """The column's reduced cost and the size of its terms, one column at a time."""
    priced = solution.mu[master.subproblems[column.product].link_rows] * column.usage
    cost = 0.0 if master.phase_one else column.cost
    sigma = solution.sigma[column.product]
    return cost + priced.sum() - sigma, max(1.0, abs(cost), abs(sigma), float(np.abs(priced).sum()))


def enters(master: RestrictedMaster, column: Column, solution: MasterSolution, least: float) -> bool:
    reduced, size = reduced_cost(master, column, solution)
    return reduced < -max(REDUCED_COST_TOLERANCE * size, least)


@pytest.fixture(scope="module")
def instance_and_optimum(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, float]:
    return generated_with_optimum(tmp_path_factory.mktemp("entry") / "g", products=30, seed=5)


def test_entry_matches_the_definition_and_the_threshold_holds_out_small_improvements(
        instance_and_optimum: tuple[object, float], monkeypatch: pytest.MonkeyPatch) -> None:
    instance, optimum = instance_and_optimum
    monkeypatch.setattr(master_module, "PRICED_TOGETHER", 3)  # the columns priced in several blocks
    entering, reentering = RestrictedMaster.entering, RestrictedMaster.reentering
    calls: list[float] = []
    reentry: list[tuple[float, int, int]] = []  # threshold, purged columns, fixed products
    seen: list[tuple[RestrictedMaster, MasterSolution]] = []

    def checked_entering(self: RestrictedMaster, columns: list[Column], solution: MasterSolution,
                         least: float = 0.0) -> list[Column]:
        chosen = entering(self, columns, solution, least)
        assert [id(c) for c in chosen] == [id(c) for c in columns if enters(self, c, solution, least)]
        calls.append(least)
        seen.append((self, solution))
        return chosen

    def checked_reentering(self: RestrictedMaster, solution: MasterSolution, least: float = 0.0) -> np.ndarray:
        back = reentering(self, solution, least)
        purged = np.setdiff1d(np.arange(len(self.columns)), self.active)
        expected = [j for j in purged if enters(self, self.columns[j], solution, least)]
        assert list(back) == expected
        reentry.append((least, len(purged), int(self.fixed.sum())))
        return back

    monkeypatch.setattr(RestrictedMaster, "entering", checked_entering)
    monkeypatch.setattr(RestrictedMaster, "reentering", checked_reentering)
    result = solve_decomposition(instance, config=DecompositionConfig(gap=1e-3))  # type: ignore[arg-type]
    assert result.status is Status.OPTIMAL
    assert result.lower_bound <= optimum + 1e-7 * abs(optimum) <= result.objective + 2e-7 * abs(optimum)
    positive = [least for least in calls if least > 0.0]
    assert positive, "phase two never set an entry threshold"
    assert positive[0] == pytest.approx(algorithm.ENTRY_SHARE * 1e-3 * result.objective / 30, rel=0.05)
    assert any(least > 0.0 for least, _, _ in reentry)  # deleted columns face the threshold too
    assert any(purged > 0 for _, purged, _ in reentry) and any(fixed > 0 for _, _, fixed in reentry)

    # columns made to price out by half the threshold and by twice it, at a phase-two solution
    master, solution = seen[-1]
    least = positive[-1]
    template = next(c for c in master.columns if c.product == 0)
    reduced, _ = reduced_cost(master, template, solution)
    small = dataclasses.replace(template, cost=template.cost - reduced - least / 2)
    large = dataclasses.replace(template, cost=template.cost - reduced - 2 * least)
    assert entering(master, [small, large], solution, 0.0) == [small, large]
    assert entering(master, [small, large], solution, least) == [large]


def test_gap_zero_sets_no_threshold() -> None:
    assert algorithm._entry_threshold(0.0, 1e6, 10, False) == 0.0
    assert algorithm._entry_threshold(1e-4, 1e6, 10, True) == 0.0
    assert algorithm._entry_threshold(1e-4, float("inf"), 10, False) == 0.0
    assert algorithm._entry_threshold(1e-4, -1e6, 10, False) == pytest.approx(algorithm.ENTRY_SHARE * 10.0)
