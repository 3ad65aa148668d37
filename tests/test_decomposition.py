"""Decomposition against the extensive form: optimum, bounds, prices, variants, workers, integers."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.random_instance import write_instance, write_random_instance
from support.same_answer import assert_same

from meio.cli import main
from meio.data import load_instance
from meio.decomposition import DecompositionConfig, solve_decomposition
from meio.decomposition.chunks import build_subproblems
from meio.decomposition.lp import HighsEngine
from meio.decomposition.master import RestrictedMaster
from meio.decomposition.solvers import DUAL, DUAL_EDGE_WEIGHTS, PRIMAL, HighsBasisCache
from meio.errors import OptionError
from meio.exact import solve_extensive
from meio.solvers import Status
from meio.solvers.matrix import LinearModel

BACKENDS = ["highs", "ortools"]
GAP = 1e-4


def random_instance(directory: Path, seed: int, **flags: bool) -> Path:
    return write_random_instance(directory, seed, products=4, nodes=3, zones=3, speeds=2, scenarios=3,
                                 capacities=True, weights=True, **flags)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), windows=st.booleans(), categories=st.booleans(), service=st.booleans(),
       on_hand=st.booleans(), shares=st.booleans())
def test_objective_within_gap_and_bound_below_optimum(tmp_path: Path, backend: str, seed: int, windows: bool,
                                                       categories: bool, service: bool, on_hand: bool,
                                                       shares: bool) -> None:
    # hypothesis reuses tmp_path across examples: one directory per example
    directory = tmp_path / f"i{seed}-{windows:d}{categories:d}{service:d}{on_hand:d}"
    instance = load_instance(random_instance(directory, seed, windows=windows, cutoffs=windows,
                                             categories=categories, service_targets=service, on_hand=on_hand))
    exact = solve_extensive(instance, backend)
    result = solve_decomposition(instance, backend, config=DecompositionConfig(gap=GAP, capacity_shares=shares))
    assert result.status is Status.OPTIMAL
    assert result.lower_bound <= exact.objective + 1e-7 * max(1.0, abs(exact.objective))
    assert exact.objective <= result.objective + 1e-7 * max(1.0, abs(exact.objective))
    assert result.objective - exact.objective <= GAP * abs(result.objective) + 1e-9
    assert result.gap <= GAP
    # the reported costs are those of the recovered plan, which is feasible
    assert sum(result.costs.values()) == pytest.approx(result.objective, rel=1e-7, abs=1e-7)
    prices = result.prices
    assert (prices["slack"] >= -1e-6 * np.maximum(1.0, prices["rhs"].abs())).all()
    assert (prices["price"] >= 0).all()


def test_the_barrier_master_re_solves_a_stalled_master_by_simplex_and_closes_the_gap(tmp_path: Path) -> None:
    # found by the test below: its interior point re-solves chose other optimal duals every time,
    # the columns they priced out stayed at zero, and after 200 iterations the bound was 7.7e-4 short
    instance = load_instance(random_instance(tmp_path / "stalled", 357, service_targets=False, on_hand=True))
    exact = solve_extensive(instance)
    result = solve_decomposition(instance, config=DecompositionConfig(gap=GAP, master_solver="barrier",
                                                                      max_iterations=50))
    assert result.status is Status.OPTIMAL and result.gap <= GAP
    tolerance = 1e-7 * max(1.0, abs(exact.objective))
    assert result.lower_bound <= exact.objective + tolerance and exact.objective <= result.objective + tolerance


@pytest.mark.parametrize("master_solver", ["barrier", "hybrid", "simplex"])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), service=st.booleans(), on_hand=st.booleans())
def test_each_master_solver_keeps_the_objective_within_the_gap_and_the_bound_below_the_optimum(
        tmp_path: Path, master_solver: str, seed: int, service: bool, on_hand: bool) -> None:
    directory = tmp_path / f"i{seed}-{service:d}{on_hand:d}-{master_solver}"
    instance = load_instance(random_instance(directory, seed, service_targets=service, on_hand=on_hand))
    exact = solve_extensive(instance)
    result = solve_decomposition(instance, config=DecompositionConfig(gap=GAP, master_solver=master_solver))
    assert result.status is Status.OPTIMAL and result.gap <= GAP and result.details["master_solver"] == master_solver
    tolerance = 1e-7 * max(1.0, abs(exact.objective))
    assert result.lower_bound <= exact.objective + tolerance and exact.objective <= result.objective + tolerance
    prices = result.prices
    assert (prices["slack"] >= -1e-6 * np.maximum(1.0, prices["rhs"].abs())).all()


@pytest.mark.parametrize("master_solver", ["barrier", "hybrid"])
def test_the_interior_point_masters_are_refused_off_highs_and_unknown_solvers_are_named(
        tmp_path: Path, master_solver: str) -> None:
    with pytest.raises(OptionError, match=f"{master_solver} master solver needs the highs backend"):
        solve_decomposition(load_instance("tiny"), "ortools", config=DecompositionConfig(master_solver=master_solver))
    with pytest.raises(OptionError, match="unknown master solver 'dual'"):
        DecompositionConfig(master_solver="dual")
    assert main(["solve", "tiny", "--method", "decomposition", "--master-solver", master_solver, "--backend",
                 "ortools", "--out", str(tmp_path), "--quiet"]) == 2


def test_the_default_master_solver_is_hybrid_on_highs_and_simplex_on_ortools() -> None:
    for backend, expected in (("highs", "hybrid"), ("ortools", "simplex")):
        result = solve_decomposition(load_instance("demo"), backend, config=DecompositionConfig(progress=False))
        assert result.details["master_solver"] == expected


def test_a_highs_engine_solves_once_by_interior_point_when_told_then_by_simplex_from_its_basis() -> None:
    size, rng = 300, np.random.default_rng(2)
    A = sp.csr_array(sp.random(size, size, density=0.05, random_state=3) + sp.eye(size))
    engine = HighsEngine(LinearModel(c=-rng.random(size), A=A, row_lower=np.full(size, -np.inf),
                                     row_upper=np.ones(size), lower=np.zeros(size), upper=np.full(size, np.inf),
                                     integer=np.zeros(size, dtype=bool)))
    engine.barrier_next()
    first = engine.solve()
    info = engine.highs.getInfo()
    assert first.solved and info.ipm_iteration_count > 0 and engine.highs.getBasis().valid  # crossover's basis
    engine.set_costs(-rng.random(size))
    second = engine.solve()
    info = engine.highs.getInfo()
    assert second.solved and info.ipm_iteration_count == 0 and info.simplex_iteration_count > 0


def test_the_hybrid_master_re_solves_its_first_phase_two_lp_by_interior_point_after_rows_wake(
        monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[tuple[str, int]] = []  # ("wake", rows) or ("solve", interior point iterations)
    solve, wake = HighsEngine.solve, RestrictedMaster._wake

    def logged_solve(engine: HighsEngine, seconds: float | None = None, iterations: int | None = None) -> object:
        solution = solve(engine, seconds, iterations)
        events.append(("solve", engine.highs.getInfo().ipm_iteration_count))
        return solution

    def logged_wake(master: RestrictedMaster, rows: np.ndarray) -> None:
        events.append(("wake", int(rows.sum())))
        wake(master, rows)

    monkeypatch.setattr(HighsEngine, "solve", logged_solve)
    monkeypatch.setattr(RestrictedMaster, "_wake", logged_wake)
    solve_decomposition(load_instance("demo"), config=DecompositionConfig(progress=False))
    # phase one by simplex; phase two's first LP, solved again after each wake, by interior point
    assert events[0] == ("solve", 0) and events[2][0] == "wake", "the demo's first phase-two LP wakes rows"
    end = next(i for i in range(1, len(events))
               if events[i][0] == "solve" and (i + 1 == len(events) or events[i + 1][0] != "wake"))
    first = [ipm for kind, ipm in events[1:end + 1] if kind == "solve"]
    later = [ipm for kind, ipm in events[end + 1:] if kind == "solve"]
    assert len(first) >= 2 and all(ipm > 0 for ipm in first)
    assert later and all(ipm == 0 for ipm in later)


def test_plain_column_generation_gives_the_same_answer(tmp_path: Path) -> None:
    instance = load_instance(random_instance(tmp_path / "i", 11, service_targets=True))
    exact = solve_extensive(instance)
    for stabilization in (True, False):
        result = solve_decomposition(instance, config=DecompositionConfig(stabilization=stabilization))
        assert result.objective == pytest.approx(exact.objective, rel=GAP)


def capacity_instance(directory: Path, storage_a: float, storage_b: float) -> Path:
    """Two nodes, each the only one reaching its zone; one product; storage caps per node."""
    return write_instance(directory, {
        "products": [{"product": "p", "unit_volume": 2.0, "unit_cost": 4.0, "holding_cost": 1.0,
                      "lost_sale_cost": 20.0}],
        "nodes": [{"node": "A", "storage_capacity": storage_a}, {"node": "B", "storage_capacity": storage_b}],
        "zones": [{"zone": "ZA"}, {"zone": "ZB"}],
        "speeds": [{"speed": "k", "promise_hours": 24}],
        "lanes": [{"origin": "A", "destination": "ZA", "transit_hours": 5, "unit_cost": 1.0},
                  {"origin": "B", "destination": "ZB", "transit_hours": 5, "unit_cost": 1.0}],
        "demand": [{"product": "p", "zone": z, "speed": "k", "scenario": s, "quantity": q}
                   for z, qs in (("ZA", (10, 20)), ("ZB", (10, 20))) for s, q in zip(("s1", "s2"), qs)],
    })


@pytest.mark.parametrize("backend", BACKENDS)
def test_storage_price_positive_where_binding_zero_where_slack_and_equal_to_extensive(
        tmp_path: Path, backend: str) -> None:
    """Node A holds at most 15 units (30 litres): binding, unique dual; node B has room to spare."""
    instance = load_instance(capacity_instance(tmp_path / "i", 30.0, 1000.0))
    exact = solve_extensive(instance, backend).prices.set_index("constraint")["price"]
    prices = solve_decomposition(instance, backend).prices.set_index("constraint")
    assert prices.at["storage[A]", "price"] > 0.1
    assert prices.at["storage[A]", "slack"] == pytest.approx(0.0, abs=1e-7)
    assert prices.at["storage[B]", "price"] == 0.0
    assert prices.at["storage[B]", "slack"] > 1.0
    # one more unit at A (2 litres) costs 4 + 1 and, when d = 20 (probability 1/2), is shipped
    # (cost 1, holding 1 refunded) instead of lost (20): 0.5 * 20 - 5 = 5 per unit, 2.5 per litre
    assert prices.at["storage[A]", "price"] == pytest.approx(exact["storage[A]"], rel=1e-6)
    assert prices.at["storage[A]", "price"] == pytest.approx(2.5, rel=1e-6)


def test_tiny_matches_its_hand_derivation() -> None:
    result = solve_decomposition(load_instance("tiny"))
    assert result.objective == pytest.approx(197.0, rel=1e-9)
    assert result.prices.set_index("constraint").at["storage[FC1]", "price"] == pytest.approx(1.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_model_variant_changes_both_methods_identically(tmp_path: Path, backend: str) -> None:
    instance = load_instance(random_instance(tmp_path / "i", 5, service_targets=True))
    plain = solve_extensive(instance, backend)
    cap = 0.5 * float(plain.stock["stock"].max())

    def max_stock(built) -> None:
        built.model.max_stock = pyo.Constraint(
            built.model.A, rule=lambda m, p, n: m.y[p, n] <= max(cap, m.on_hand[p, n]))

    exact = solve_extensive(instance, backend, variants=[max_stock])
    result = solve_decomposition(instance, backend, variants=[max_stock])
    assert result.details["subproblem_builder"] == "numpy" and result.details["variant_linking_constraints"] == 0
    assert exact.objective > plain.objective + 1e-6
    assert result.objective == pytest.approx(exact.objective, rel=GAP)
    assert result.lower_bound <= exact.objective + 1e-7
    assert (result.stock["stock"] <= np.maximum(cap, result.stock["stock"] - result.stock["buy"]) + 1e-7).all()


def test_purging_idle_master_columns_keeps_the_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # purge after one idle solve: columns leave and come back; bounds and plan stay right
    import meio.decomposition.master as master_module

    monkeypatch.setattr(master_module, "PURGE_AGE", 1)
    loaded: list[tuple[int, int]] = []
    original = RestrictedMaster.solve

    def solve(self: RestrictedMaster, deadline: float | None = None, enough: float | None = None) -> object:
        solution = original(self, deadline, enough)
        assert len(solution.weights) == len(self.columns)
        loaded.append((len(self.active), len(self.columns)))
        return solution

    monkeypatch.setattr(RestrictedMaster, "solve", solve)
    instance = load_instance(write_random_instance(tmp_path / "i", 8, products=70, nodes=3, zones=3, speeds=2,
                                                   scenarios=2, capacities=True, service_targets=True))
    exact = solve_extensive(instance)
    result = solve_decomposition(instance, config=DecompositionConfig(gap=GAP))
    assert any(active < total for active, total in loaded)
    assert result.status is Status.OPTIMAL
    assert result.lower_bound <= exact.objective + 1e-7 * abs(exact.objective)
    assert exact.objective <= result.objective + 1e-7 * abs(exact.objective)
    assert result.gap <= GAP
    assert sum(result.costs.values()) == pytest.approx(result.objective, rel=1e-7)


def test_worker_count_chunk_size_and_user_executor_do_not_change_the_result(tmp_path: Path) -> None:
    instance = load_instance(write_random_instance(tmp_path / "i", 8, products=30, nodes=3, zones=3, speeds=2,
                                                   scenarios=2, capacities=True, service_targets=True))
    results = [solve_decomposition(instance, config=DecompositionConfig(workers=w)) for w in (1, 3)]
    results += [solve_decomposition(instance, config=DecompositionConfig(chunk_products=8, workers=w)) for w in (1, 2)]
    with ThreadPoolExecutor(2) as pool:
        results.append(solve_decomposition(instance, config=DecompositionConfig(executor=pool)))
    assert_same(results)


@pytest.mark.parametrize("backend", BACKENDS)
def test_integer_stock_bound_and_plan_against_the_exact_mip(tmp_path: Path, backend: str) -> None:
    instance = load_instance(random_instance(tmp_path / "i", 21, integer_stock=True, service_targets=True))
    exact = solve_extensive(instance, backend)
    result = solve_decomposition(instance, backend)
    assert result.has_plan
    assert result.lower_bound <= exact.objective + 1e-6 * abs(exact.objective)
    assert result.objective >= exact.lower_bound - 1e-6 * abs(exact.objective)
    stock = result.stock["stock"].to_numpy()
    np.testing.assert_allclose(stock, np.round(stock), atol=1e-6)
    assert sum(result.costs.values()) == pytest.approx(result.objective, rel=1e-7)
    assert result.gap == pytest.approx((result.objective - result.lower_bound) / result.objective)
    assert result.gap < 0.05


def test_integer_repair_when_the_integer_master_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The repair step (LP plan's stock rounded down, re-solved) gives a feasible integer plan."""
    calls: list[int] = []
    original = RestrictedMaster.integer_plan

    def first_fails(self: RestrictedMaster, time_limit: float | None) -> np.ndarray | None:
        calls.append(self.size)
        return None if len(calls) == 1 else original(self, time_limit)

    monkeypatch.setattr(RestrictedMaster, "integer_plan", first_fails)
    instance = load_instance(random_instance(tmp_path / "i", 4, integer_stock=True))
    exact = solve_extensive(instance)
    result = solve_decomposition(instance)
    assert len(calls) == 2 and calls[1] > calls[0]  # repair columns were added
    assert result.has_plan
    assert result.lower_bound <= exact.objective + 1e-6 * abs(exact.objective) <= result.objective + 1e-6
    np.testing.assert_allclose(result.stock["stock"], np.round(result.stock["stock"]), atol=1e-6)


def infeasible_instance(directory: Path) -> Path:
    """Node N stores nothing, so no demand of speed k can be served: a 50% fill-rate target cannot be met."""
    return write_instance(directory, {
        "products": [{"product": "p", "unit_volume": 1.0, "unit_cost": 1.0, "holding_cost": 0.1,
                      "lost_sale_cost": 5.0}],
        "nodes": [{"node": "N", "storage_capacity": 0.0}],
        "zones": [{"zone": "Z"}],
        "speeds": [{"speed": "k", "promise_hours": 24, "fill_rate_target": 0.5}],
        "lanes": [{"origin": "N", "destination": "Z", "transit_hours": 5}],
        "demand": [{"product": "p", "zone": "Z", "speed": "k", "scenario": "s", "quantity": 10}],
    })


@pytest.mark.parametrize("backend", BACKENDS)
def test_infeasible_instance_is_detected_with_a_clear_message(tmp_path: Path, backend: str) -> None:
    result = solve_decomposition(load_instance(infeasible_instance(tmp_path / "i")), backend)
    assert result.status is Status.INFEASIBLE
    assert "cannot all be met" in result.message
    assert "service[k]" in result.message or "storage[N]" in result.message


def test_on_hand_stock_above_storage_capacity_is_infeasible_by_the_same_amount(tmp_path: Path) -> None:
    directory = write_random_instance(tmp_path / "i", 3, products=3, nodes=2, zones=2, speeds=1, scenarios=2,
                                      on_hand=True)
    nodes = pd.read_csv(directory / "nodes.csv")
    inventory = pd.read_csv(directory / "inventory.csv")
    products = pd.read_csv(directory / "products.csv").set_index("product")
    node = inventory["node"].iloc[0]
    at_node = inventory[inventory["node"] == node]
    volume = float((at_node["on_hand"] * products.loc[at_node["product"], "unit_volume"].to_numpy()).sum())
    nodes["storage_capacity"] = np.where(nodes["node"] == node, volume - 1.0, np.inf)
    nodes.to_csv(directory / "nodes.csv", index=False)
    result = solve_decomposition(load_instance(directory))
    assert result.status is Status.INFEASIBLE
    assert (f"storage[{node}]: storage capacity {volume - 1.0:g} at node '{node}' is short by 1 "
            f"(on-hand stock alone occupies {volume:g})") in result.message


def test_warm_start_after_a_forecast_change(tmp_path: Path) -> None:
    directory = random_instance(tmp_path / "i", 13, service_targets=True)
    cold = solve_decomposition(load_instance(directory))
    from meio.results import write_result
    write_result(cold, tmp_path / "cold")
    demand = pd.read_csv(directory / "demand.csv", dtype={"product": str})
    # every product's forecast but the first's
    moved = (demand["product"] != demand["product"].iloc[0]).to_numpy()
    demand["quantity"] = demand["quantity"] * np.where(moved, np.random.default_rng(0).uniform(0.95, 1.05,
                                                                                              len(demand)), 1.0)
    demand.to_csv(directory / "demand.csv", index=False)
    changed = load_instance(directory)
    exact = solve_extensive(changed)
    warm = solve_decomposition(changed, config=DecompositionConfig(warm_start=tmp_path / "cold"))
    assert warm.status is Status.OPTIMAL
    assert warm.objective == pytest.approx(exact.objective, rel=GAP)
    assert warm.lower_bound <= exact.objective + 1e-7
    assert warm.details["warm_start_bases"] == len(changed.products)  # same shapes: every basis reused
    # most products changed: all are priced (the one unchanged too), so the share pass can run
    assert warm.details["warm_start_reused_products"] == 0
    assert warm.details["share_seconds"] > 0.0  # the repaired previous plan does not close the gap


@pytest.mark.parametrize("backend", ["highs", "ortools"])
def test_a_warm_start_solves_again_only_the_products_that_changed(tmp_path: Path, backend: str) -> None:
    directory = random_instance(tmp_path / "i", 13, service_targets=True)
    from meio.results import write_result
    write_result(solve_decomposition(load_instance(directory), backend), tmp_path / "cold")
    demand = pd.read_csv(directory / "demand.csv", dtype={"product": str, "quantity": float})
    changed = demand["product"].unique()[1]
    demand.loc[demand["product"] == changed, "quantity"] *= 1.5
    demand.to_csv(directory / "demand.csv", index=False)
    instance = load_instance(directory)
    exact = solve_extensive(instance, backend)
    warm = solve_decomposition(instance, backend, config=DecompositionConfig(warm_start=tmp_path / "cold"))
    # the other products' terms of the previous best bound are taken over: one product re-solved
    assert warm.details["warm_start_reused_products"] == len(instance.products) - 1
    assert warm.status is Status.OPTIMAL
    assert warm.objective == pytest.approx(exact.objective, rel=GAP)
    assert warm.lower_bound <= exact.objective + 1e-7 * abs(exact.objective)


def test_warm_start_on_an_unchanged_instance_proves_the_gap_at_once(tmp_path: Path) -> None:
    # seed 25: three linking rows have a positive price
    instance = load_instance(random_instance(tmp_path / "i", 25, service_targets=True))
    cold = solve_decomposition(instance, config=DecompositionConfig(gap=1e-6))
    from meio.results import write_result
    written = write_result(cold, tmp_path / "cold")
    assert tmp_path / "cold" / "warm_start.npz" in written
    # the previous plan is a column per product and the best-bound prices price it: one pass, one master solve
    warm = solve_decomposition(instance, config=DecompositionConfig(gap=1e-6, warm_start=tmp_path / "cold"))
    assert warm.status is Status.OPTIMAL and warm.details["iterations"] == 1 and warm.details["pricing_passes"] == 1
    assert warm.details["share_seconds"] == 0.0  # the previous plan closes the gap: no share pass
    assert warm.details["warm_start_reused_products"] == len(instance.products)  # and nothing is solved again
    assert warm.lower_bound == cold.lower_bound
    assert warm.objective <= cold.objective + 1e-9 * abs(cold.objective)
    # its master held only the previous plans, whose duals say nothing: prices.csv has the proven bound's prices
    with np.load(tmp_path / "cold" / "warm_start.npz") as stored:
        center = dict(zip(stored["row"], stored["center"], strict=True))
    assert (warm.prices["price"] > 0.0).any()
    assert warm.prices["price"].to_numpy() == pytest.approx([center[row] for row in warm.prices["constraint"]])


def test_a_warm_start_from_a_result_without_terms_solves_every_product(tmp_path: Path) -> None:
    instance = load_instance(random_instance(tmp_path / "i", 21, service_targets=True))
    from meio.results import write_result
    write_result(solve_decomposition(instance), tmp_path / "cold")
    path = tmp_path / "cold" / "warm_start.npz"
    with np.load(path) as stored:  # as written before the fingerprints and terms were
        kept = {name: stored[name] for name in stored.files if name not in ("fingerprint", "center_value")}
    np.savez(path, **kept)
    warm = solve_decomposition(instance, config=DecompositionConfig(warm_start=tmp_path / "cold"))
    assert warm.status is Status.OPTIMAL and warm.details["warm_start_reused_products"] == 0


@pytest.mark.parametrize("factor", [0.7, 1.0, 1.3])
def test_a_previous_plan_repaired_for_new_demand_is_feasible_and_keeps_its_stock(tmp_path: Path,
                                                                                  factor: float) -> None:
    from meio.decomposition.primal import repaired_solution

    instance = load_instance(random_instance(tmp_path / "i", 2, on_hand=True))
    _, before = build_subproblems(instance, False, "numpy")
    demand = pd.read_csv(tmp_path / "i" / "demand.csv")
    demand["quantity"] *= np.random.default_rng(1).uniform(factor - 0.2, factor + 0.2, len(demand))
    demand.to_csv(tmp_path / "i" / "demand.csv", index=False)
    _, after = build_subproblems(load_instance(tmp_path / "i"), False, "numpy")
    for p, (old, new) in enumerate(zip(before, after)):
        z = HighsBasisCache(before).solve(p, old.c).x  # the old optimum ships as much as it can
        column = repaired_solution(p, new, z)
        assert column is not None
        repaired = np.zeros(new.columns)
        repaired[column.support] = column.values
        assert np.allclose(new.A @ repaired, np.clip(new.A @ repaired, new.row_lower, new.row_upper))
        ny = len(new.y_rows)
        np.testing.assert_array_equal(repaired[:ny], z[:ny])  # the same stock
        assert np.all(repaired[ny:ny + len(new.x_rows)] <= z[ny:ny + len(new.x_rows)] + 1e-12)  # never ships more
        if factor == 1.0 and p == 0:
            assert repaired_solution(p, old, z).cost == pytest.approx(float(old.c @ z + old.offset))


def test_stored_bases_reload_only_where_the_subproblem_keeps_its_shape(tmp_path: Path) -> None:
    instance = load_instance(random_instance(tmp_path / "i", 5))
    _, subproblems = build_subproblems(instance, False, "numpy")
    cold = HighsBasisCache(subproblems)
    costs = [sub.c + 0.1 for sub in subproblems]
    values = [cold.solve(p, costs[p]).objective for p in range(len(subproblems))]
    stored = cold.bases_writer()()
    assert list(stored["product"]) == list(instance.products.index)
    warm = HighsBasisCache(subproblems)
    assert warm.load(stored) == len(subproblems)
    strategy = warm._highs().getOptionValue
    assert strategy("simplex_dual_edge_weight_strategy")[1] == DUAL_EDGE_WEIGHTS  # Devex: measured faster
    for p, sub in enumerate(subproblems):
        assert warm.solve(p, costs[p]).objective == pytest.approx(values[p], rel=1e-9)
        assert strategy("simplex_strategy")[1] == DUAL  # a loaded basis: made for other row bounds
        assert warm.solve(p, costs[p]).objective == pytest.approx(values[p], rel=1e-9)
        assert strategy("simplex_strategy")[1] == PRIMAL  # this run's own basis: only costs change
    stored["columns"][0] += 1  # product 0's subproblem has changed shape: its basis is skipped
    stored["col_status"] = np.insert(stored["col_status"], 0, 0)
    assert HighsBasisCache(subproblems).load(stored) == len(subproblems) - 1


def test_cli_writes_summary_convergence_and_prices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(["solve", "tiny", "--method", "decomposition", "--workers", "2", "--gap", "1e-6",
                 "--out", str(out), "--quiet"])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["method"] == "decomposition" and summary["status"] == "optimal"
    for key in ("iterations", "columns", "master_seconds", "subproblem_seconds", "lower_bound", "gap"):
        assert key in summary
    # the parts of the solve's wall clock do not add up to more than the solve
    assert 0 < summary["build_seconds"] + summary["read_out_seconds"] + summary["master_seconds"] <= summary["seconds"]
    assert summary["read_out_seconds"] > 0
    convergence = pd.read_csv(out / "convergence.csv")
    assert list(convergence.columns[:5]) == ["iteration", "lower_bound", "upper_bound", "gap", "seconds"]
    assert convergence["lower_bound"].is_monotonic_increasing
    prices = pd.read_csv(out / "prices.csv")
    assert prices.loc[prices["constraint"] == "storage[FC1]", "price"].item() == pytest.approx(1.0)
    code = main(["solve", "tiny", "--method", "decomposition", "--warm-start", str(out), "--no-stabilization",
                 "--out", str(tmp_path / "warm")])
    assert code == 0
    # the same instance: every product takes its term over, and the summary says so
    line = "warm start: 1 of 1 products' terms taken over (unchanged, not solved again; pricing passes: 1)"
    assert line in capsys.readouterr().out


def test_the_convergence_history_ends_with_the_reported_bounds(tmp_path: Path) -> None:
    # here the last master solve closes the gap: its plan must be the history's last row too
    assert main(["solve", "reference/storage_binds", "--method", "decomposition", "--out", str(tmp_path),
                 "--quiet"]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    last = pd.read_csv(tmp_path / "convergence.csv").iloc[-1]
    assert (last["lower_bound"], last["upper_bound"], last["gap"]) == pytest.approx(
        (summary["lower_bound"], summary["objective"], summary["gap"]), rel=1e-9)


def test_the_convergence_history_stamps_each_plan_when_the_master_finds_it() -> None:
    # the plan of the master over the first pass's columns exists before the second pass (on the
    # demo the capacity-share plan misses a throughput row, so the first plan is the master's)
    result = solve_decomposition(load_instance("demo"), "highs", config=DecompositionConfig(progress=False,
                                                                                          max_iterations=4))
    table = result.tables["convergence"]
    assert np.isinf(table["upper_bound"].iloc[0])
    assert table[np.isfinite(table["upper_bound"])]["iteration"].iloc[0] == 0
    assert table["seconds"].is_monotonic_increasing and table["upper_bound"].is_monotonic_decreasing
    improved = table.index[1:][np.diff(table["upper_bound"].to_numpy()) < 0]
    # a master's row: the plan changes, the lower bound (from pricing) does not
    assert len(improved) and (table.loc[improved, "lower_bound"].to_numpy()
                               == table.loc[improved - 1, "lower_bound"].to_numpy()).all()


def test_progress_is_live_on_a_terminal_and_quiet_otherwise() -> None:
    import io

    from meio.decomposition.progress import ProgressReporter

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        reporter = ProgressReporter(stream=stream)
        reporter.phase("first pricing pass over 5 products", 0.1)
        reporter.update(3, 10.0, 12.0, 1 / 6, 1.5)
        reporter.close()
    assert "first pricing pass" in terminal.getvalue()
    assert "iteration    3" in terminal.getvalue() and "gap 1.67e-01" in terminal.getvalue()
    assert pipe.getvalue() == ""  # a short run leaves a log clean


def test_progress_of_a_long_run_goes_to_a_log_at_most_once_an_interval() -> None:
    import io

    from meio.decomposition.progress import ProgressReporter

    log = io.StringIO()
    reporter = ProgressReporter(stream=log, workers="2 processes", log_interval=60.0)
    reporter.phase("building 100,000 subproblems", 0.0)  # before the first interval: not logged
    reporter.phase("first pricing pass over 100,000 products", 150.0)
    reporter.update(1, 10.0, 12.0, 1 / 6, 170.0, 20.0)  # within 60 s of the last line
    reporter.update(2, 11.0, 12.0, 1 / 12, 215.0, 20.0)
    reporter.close()
    lines = log.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in log.getvalue()
    assert "first pricing pass" in lines[0] and lines[0].endswith("150.0 s")
    assert "iteration    2" in lines[1] and "pricing 20.00 s on 2 processes" in lines[1]
    quiet = io.StringIO()
    ProgressReporter(False, stream=quiet).update(9, 1.0, 2.0, 0.5, 1e6)
    assert quiet.getvalue() == ""


def test_dormant_throughput_rows_wake_when_violated_and_bounds_stay_exact(tmp_path: Path) -> None:
    from meio.data.generator import generate_instance

    instance = load_instance(generate_instance(tmp_path / "g", products=25, nodes=4, zones=6, scenarios=5, seed=3,
                                               tightness=0.7))
    result = solve_decomposition(instance, config=DecompositionConfig(gap=1e-6))
    exact = solve_extensive(instance)
    assert result.objective == pytest.approx(exact.objective, rel=1e-6)
    assert result.lower_bound <= exact.objective + 1e-7 * abs(exact.objective)
    prices = result.prices
    throughput = prices["kind"] == "throughput"
    live = result.details["live_linking_constraints"]
    assert (~throughput).sum() < live < len(prices)  # some throughput rows woke, not all
    # cost(plan) >= optimum + sum_i mu*_i slack_i for the optimal prices mu*: slack only where mu* ~ 0
    optimal_prices = exact.prices.set_index("constraint")["price"].reindex(prices["constraint"]).to_numpy()
    assert float(optimal_prices @ prices["slack"]) <= result.objective - exact.objective + 1e-6
    assert (prices["slack"] >= -1e-6 * np.maximum(1.0, prices["rhs"].abs())).all()  # every row is met


def test_a_warm_start_of_integer_stock_keeps_the_stock_integer(tmp_path: Path) -> None:
    instance = load_instance(write_random_instance(tmp_path / "i", 21, products=4, nodes=3, zones=3, speeds=2,
                                                   scenarios=3, capacities=True, weights=True, integer_stock=True))
    from meio.results import write_result
    write_result(solve_decomposition(instance), tmp_path / "cold")
    # warm_start.npz holds the LP master's mix (fractional stock): it must not become an integer column
    warm = solve_decomposition(instance, config=DecompositionConfig(warm_start=tmp_path / "cold"))
    stock = warm.stock["stock"].to_numpy()
    np.testing.assert_allclose(stock, np.round(stock), atol=1e-9)


def test_a_warm_start_takes_nothing_over_when_rows_share_a_label(tmp_path: Path) -> None:
    directory = write_random_instance(tmp_path / "i", 3, products=4, nodes=3, zones=3, speeds=2, scenarios=3,
                                      capacities=True, weights=True, categories=True)
    nodes = pd.read_csv(directory / "nodes.csv")
    nodes["storage_capacity"] = nodes["storage_capacity"].fillna(1000.0)
    nodes.to_csv(directory / "nodes.csv", index=False)
    instance = load_instance(directory)
    free = solve_extensive(instance).stock.groupby("node")["stock"].sum()

    def ranged(built: object) -> None:  # a ranged row per node: two linking rows of one label
        model = built.model  # type: ignore[attr-defined]
        limit = {n: 0.5 * float(free.get(n, 0.0)) for n in sorted({n for _, n in model.A})}
        model.ranged_total = pyo.Constraint(
            [n for n in limit if limit[n] > 1],
            rule=lambda m, n: pyo.inequality(0.1, sum(m.y[p, q] for p, q in m.A if q == n), limit[n]))

    exact = solve_extensive(instance, variants=[ranged])
    from meio.results import write_result
    write_result(solve_decomposition(instance, variants=[ranged]), tmp_path / "cold")
    warm = solve_decomposition(instance, variants=[ranged], config=DecompositionConfig(warm_start=tmp_path / "cold"))
    assert warm.details["warm_start_reused_products"] == 0
    assert warm.lower_bound <= exact.objective + 1e-7 * abs(exact.objective)
    assert warm.objective == pytest.approx(exact.objective, rel=GAP)
