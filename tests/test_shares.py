"""Capacity shares (the decomposition's primal heuristic): the caps add up to each capped row's
capacity, and the products' solutions within their caps meet those rows together."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from support.random_instance import write_random_instance

from meio.cli import main
from meio.data import load_instance
from meio.data.generator import generate_instance
from meio.decomposition import DecompositionConfig, solve_decomposition
from meio.decomposition.chunks import build_subproblems
from meio.decomposition.lp import LPSolution
from meio.decomposition.master import MasterSolution, MasterStopped, RestrictedMaster
from meio.decomposition.pricing import Column, Pricer, ProductLinks
from meio.decomposition.shares import capacity_shares, clearing_prices
from meio.decomposition.solvers import Caps
from meio.solvers import Termination


def _links(rows: list[list[int]]) -> list[ProductLinks]:
    return [ProductLinks(f"p{k}", np.array(r), False) for k, r in enumerate(rows)]


def test_caps_split_the_excess_pro_rata_and_leave_slack_rows_alone() -> None:
    # row 0: storage 10 used 6 + 6 (over); row 1: 100 used 1 + 1 + 1 (far from full);
    # row 2: a service row (>= 6 served, kept as -served <= -6) served 2 + 1 (short)
    links = _links([[0, 1, 2], [0, 1, 2], [1]])
    columns = [Column(0, 0.0, np.array([6.0, 1.0, -2.0]), 0), Column(1, 0.0, np.array([6.0, 1.0, -1.0]), 1),
               Column(2, 0.0, np.array([1.0]), 2)]
    caps = capacity_shares(columns, links, np.array([10.0, 100.0, -6.0]))
    assert caps[0] is not None and caps[1] is not None
    assert caps[0].positions.tolist() == [0, 2]
    assert caps[0].value == pytest.approx([5.0, -4.0])
    assert caps[1].value == pytest.approx([5.0, -2.0])
    assert caps[2] is None  # on no capped row: its column is its capped optimum


def test_caps_share_a_nearly_full_rows_slack_evenly_and_spare_the_products_within_them() -> None:
    # row 0 nearly full (9 of 9.5), row 1 over (4 + 4 of 6); product 2 uses neither
    links = _links([[0, 1], [0, 1], [0]])
    columns = [Column(0, 0.0, np.array([9.0, 4.0]), 0), Column(1, 0.0, np.array([0.0, 4.0]), 1),
               Column(2, 0.0, np.array([0.0]), 2)]
    caps = capacity_shares(columns, links, np.array([9.5, 6.0]))
    assert caps[0] is not None and caps[1] is not None
    assert caps[0].value == pytest.approx([9.0 + 0.5 / 3, 3.0])
    assert caps[1].value == pytest.approx([0.5 / 3, 3.0])
    assert caps[2] is None


@pytest.mark.parametrize("family", ["random", "generated"])
def test_solutions_within_their_caps_meet_every_capped_row_and_their_own_rows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, family: str) -> None:
    # random: service rows, every product capped; generated: 5 of 12 products already within their caps
    if family == "random":
        instance = load_instance(write_random_instance(tmp_path / "i", 5, products=6, nodes=3, zones=3, speeds=2,
                                                       scenarios=3, capacities=True, weights=True))
    else:
        instance = load_instance(generate_instance(tmp_path / "g", products=12, nodes=4, zones=6, scenarios=4,
                                                   seed=5, tightness=0.7))
    rows, subproblems = build_subproblems(instance, False, "numpy")
    capacity = np.array([row.capacity for row in rows])
    pricer = Pricer(subproblems, "highs", None)
    priced = [solution.column(k) for k, (_, solution) in enumerate(pricer.price(np.zeros(len(rows))))]
    links = [ProductLinks(sub.product, sub.link_rows, False) for sub in subproblems]
    caps = capacity_shares(priced, links, capacity)
    capped = np.zeros(len(rows), dtype=bool)
    for link, cap in zip(links, caps):
        if cap is not None:
            capped[link.link_rows[cap.positions]] = True
    use_before = np.zeros(len(rows))
    for column in priced:
        np.add.at(use_before, links[column.product].link_rows, column.usage)
    assert (use_before[capped] > capacity[capped]).any()  # the unconstrained responses do not fit
    solve_capped = pricer.solver.solve_capped
    solved: list[int] = []

    def counted(p: int, costs: np.ndarray, cap: Caps) -> LPSolution:
        solved.append(p)
        return solve_capped(p, costs, cap)

    monkeypatch.setattr(pricer.solver, "solve_capped", counted)
    solutions = [solution for solution, _ in pricer.within_caps(caps, np.zeros(len(rows)))]
    assert solved == [p for p, cap in enumerate(caps) if cap is not None]  # the others are not solved again
    assert 0 < len(solved) <= len(caps) if family == "random" else 0 < len(solved) < len(caps)
    use = np.zeros(len(rows))
    for sub, column, cap, solution in zip(subproblems, priced, caps, solutions):
        if cap is None:  # its pass column meets its caps
            assert solution is None
            np.add.at(use, sub.link_rows, column.usage)
            continue
        assert solution is not None
        z = np.zeros(sub.columns)
        z[solution.support] = solution.values
        activity = sub.A @ z
        assert (activity >= sub.row_lower - 1e-7).all() and (activity <= sub.row_upper + 1e-7).all()
        np.add.at(use, sub.link_rows, solution.usage)
    assert (use[capped] <= capacity[capped] + 1e-7 * np.maximum(1.0, np.abs(capacity[capped]))).all()


def test_the_cli_runs_the_share_pass_unless_told_not_to(tmp_path: Path) -> None:
    seconds = []
    for flags in ([], ["--no-capacity-shares"]):
        out = tmp_path / str(len(flags))
        assert main(["solve", "tiny", "--method", "decomposition", *flags, "--out", str(out), "--quiet"]) == 0
        seconds.append(json.loads((out / "summary.json").read_text(encoding="utf-8"))["share_seconds"])
    assert seconds[0] > 0.0 and seconds[1] == 0.0


@pytest.mark.parametrize("backend", ["highs", "ortools"])
def test_a_share_plan_that_meets_every_row_is_the_plan_before_the_first_master_solve(
        monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    # tiny's share plan meets its rows and costs 197, the optimum; stopping the first master
    # solve leaves it as the plan, with the prices of the best bound: without the clearing pass
    # the first pass's (0); with it (the default), the clearing price of FC1's storage, which is
    # its optimal price, 1 (the extensive solve's dual, tests/test_cli.py), and its bound 197
    def stopped(self: RestrictedMaster, deadline: float | None = None,
                enough: float | None = None) -> MasterSolution:
        raise MasterStopped

    for shares in (True, False):
        result = solve_decomposition(load_instance("tiny"), backend,
                                     config=DecompositionConfig(capacity_shares=shares, progress=False))
        assert np.isfinite(result.tables["convergence"]["upper_bound"].iloc[0]) == shares
    monkeypatch.setattr(RestrictedMaster, "solve", stopped)
    result = solve_decomposition(load_instance("tiny"), backend,
                                 config=DecompositionConfig(clearing_prices=False, progress=False))
    assert result.termination is Termination.TIME_LIMIT and result.objective == pytest.approx(197.0)
    assert result.lower_bound <= 197.0 + 1e-9
    assert (result.prices["slack"] >= -1e-7).all() and (result.prices["price"] == 0.0).all()  # prices of L(0)
    result = solve_decomposition(load_instance("tiny"), backend, config=DecompositionConfig(progress=False))
    assert result.termination is Termination.TIME_LIMIT and result.details["pricing_passes"] == 2
    assert result.details["clearing_pass"] is True
    assert result.objective == pytest.approx(197.0) and result.lower_bound == pytest.approx(197.0)
    assert result.prices["price"].tolist() == pytest.approx([1.0])


def test_clearing_prices_meet_the_capacity_with_the_demand_lines_through_the_caps() -> None:
    # row 0: capacity 10, responses 6 + 6 (over), caps 5 + 5 of marginal values 1 and 3: the
    # demand lines 6 - t and 6 - t / 3 add up to 10 at t = 1.5; row 1 is not over: its price
    # stays; row 2: capacity 4, responses 4 + 2 + 2 (over), caps 2 + 1 + 1; product 0 gives up
    # its excess for nothing (value 0: it uses its cap, 2), product 1's line 2 - t / 2 and
    # product 2's 2 - t add up to 2 at t = 4/3
    links = _links([[0, 1, 2], [0, 2], [2]])
    columns = [Column(0, 0.0, np.array([6.0, 1.0, 4.0]), 0), Column(1, 0.0, np.array([6.0, 2.0]), 1),
               Column(2, 0.0, np.array([2.0]), 2)]
    caps: list[Caps | None] = [Caps(np.array([0, 2]), np.array([5.0, 2.0])),
                               Caps(np.array([0, 1]), np.array([5.0, 1.0])), Caps(np.array([0]), np.array([1.0]))]
    marginal = [np.array([1.0, 0.0]), np.array([3.0, 2.0]), np.array([1.0])]
    mu = np.array([0.5, 0.25, 0.0])
    prices = clearing_prices(columns, caps, marginal, links, np.array([10.0, 100.0, 4.0]), mu)
    assert prices == pytest.approx([0.5 + 1.5, 0.25, 4.0 / 3.0])


def test_clearing_prices_floor_a_demand_line_at_zero_and_keep_a_product_without_duals() -> None:
    # capacity 4, responses 4 + 4; product 0's line 4 - 4 t reaches 0 at t = 1, product 1's
    # capped LP gave no duals (it keeps its 4): the row clears at t = 1, where product 0 uses 0
    links = _links([[0], [0]])
    columns = [Column(0, 0.0, np.array([4.0]), 0), Column(1, 0.0, np.array([4.0]), 1)]
    caps: list[Caps | None] = [Caps(np.array([0]), np.array([2.0])), Caps(np.array([0]), np.array([2.0]))]
    prices = clearing_prices(columns, caps, [np.array([0.5]), np.zeros(0)], links, np.array([4.0]), np.zeros(1))
    assert prices == pytest.approx([1.0])


@pytest.mark.parametrize("backend", ["highs", "ortools"])
def test_the_marginal_value_of_a_cap_is_a_subgradient_of_the_capped_cost(tmp_path: Path, backend: str) -> None:
    # V(cap) is convex in the cap and -v its subgradient: V(cap + d e_k) >= V(cap) - v_k d for
    # every step d of either sign (a wrong sign or size of v breaks it for some d)
    instance = load_instance(generate_instance(tmp_path / "g", products=12, nodes=4, zones=6, scenarios=4, seed=5,
                                               tightness=0.7))
    rows, subproblems = build_subproblems(instance, False, "numpy")
    capacity = np.array([row.capacity for row in rows])
    pricer = Pricer(subproblems, backend, None)
    mu = np.zeros(len(rows))
    priced = [solution.column(k) for k, (_, solution) in enumerate(pricer.price(mu))]
    links = [ProductLinks(sub.product, sub.link_rows, False) for sub in subproblems]
    caps = capacity_shares(priced, links, capacity)
    solved = pricer.within_caps(caps, mu)
    checked = 0
    for p, ((solution, marginal), cap) in enumerate(zip(solved, caps)):
        if cap is None or solution is None:
            continue
        assert len(marginal) == len(cap.positions) and (marginal >= 0.0).all()
        for k in range(len(cap.positions)):
            for step in (-0.3, 0.3):
                moved = Caps(cap.positions, cap.value + step * (np.arange(len(cap.positions)) == k))
                other, _ = pricer.within_caps([moved if q == p else None for q in range(len(caps))], mu)[p]
                if other is None:  # the moved cap leaves no solution
                    continue
                assert other.cost >= solution.cost - marginal[k] * step - 1e-6 * max(1.0, abs(solution.cost))
                checked += 1
    assert checked > 0 and any((marginal > 0).any() for _, marginal in solved)


def test_the_clearing_pass_raises_the_first_bound_and_can_be_turned_off(tmp_path: Path) -> None:
    instance = load_instance(generate_instance(tmp_path / "g", products=40, nodes=4, zones=8, scenarios=6, seed=3,
                                               tightness=0.8))
    first = {}
    for clearing in (True, False):
        result = solve_decomposition(instance, config=DecompositionConfig(clearing_prices=clearing, progress=False))
        first[clearing] = result.tables["convergence"]["lower_bound"].iloc[0]
        assert result.details["pricing_passes"] >= 2
    assert first[True] > first[False]
