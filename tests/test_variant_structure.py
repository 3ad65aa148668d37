"""Model variants through the decomposition: what they add is read from the model (issue #10).

Every variant here is solved by the extensive form and by the decomposition, on both
backends; the decomposition must give the same optimum (within its gap), a bound never above
it, and list the variant's rows over several products in prices.csv under their Pyomo names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.random_instance import write_random_instance

from meio.data import load_instance
from meio.data.derived import derive_sets
from meio.data.instance import Instance
from meio.decomposition import solve_decomposition
from meio.decomposition.structure import VariantError
from meio.exact import solve_extensive
from meio.models.build import COMPLETE_ONLY, BuiltModel, build_model, build_variant_skeleton
from meio.models.index import model_index
from meio.solvers import Status

BACKENDS = ["highs", "ortools"]
GAP = 1e-4


def _nodes(built: BuiltModel) -> list[str]:
    return sorted({n for _, n in built.model.A})


def node_total(limit: float) -> Callable[[BuiltModel], None]:
    """At most ``limit`` units in stock at each node, over all products (links products)."""
    def variant(built: BuiltModel) -> None:
        m = built.model
        m.node_total = pyo.Constraint(_nodes(built), rule=lambda m, n: sum(m.y[p, q] for p, q in m.A if q == n)
                                      <= limit)
    return variant


def budget(fraction: float) -> Callable[[BuiltModel], None]:
    """Total purchase spend at most ``fraction`` of what the unconstrained plan would buy at 1 per unit."""
    def variant(built: BuiltModel) -> None:
        m, cost = built.model, built.instance.products["unit_cost"]
        m.budget = pyo.Constraint(expr=sum(float(cost[p]) * (m.y[p, n] - m.on_hand[p, n]) for p, n in m.A)
                                  <= fraction)
    return variant


def minimum_total(units: float) -> Callable[[BuiltModel], None]:
    """At least ``units`` in stock over the whole network (a >= row)."""
    def variant(built: BuiltModel) -> None:
        m = built.model
        m.minimum_total = pyo.Constraint(expr=sum(m.y[k] for k in m.A) >= units)
    return variant


def exact_total(units: float) -> Callable[[BuiltModel], None]:
    """Exactly ``units`` in stock at the roomiest node (an equality: a free price)."""
    def variant(built: BuiltModel) -> None:
        m, roomiest = built.model, str(built.instance.nodes["storage_capacity"].idxmax())
        m.exact_total = pyo.Constraint(expr=sum(m.y[p, n] for p, n in m.A if n == roomiest) == units)
    return variant


def peak_stock_cost(built: BuiltModel) -> None:
    """A variable of the variant's own per product (its largest stock at any node), with a cost."""
    m = built.model
    products = sorted({p for p, _ in m.A})
    m.peak = pyo.Var(products, within=pyo.NonNegativeReals)
    m.peak_bounds = pyo.Constraint(list(m.A), rule=lambda m, p, n: m.peak[p] >= m.y[p, n])
    built.add_cost("peak_cost", sum(0.5 * m.peak[p] for p in products))


def _instance(directory: Path, seed: int) -> Instance:
    """A random network whose nodes all have a storage capacity (a bound on stock, which a ``>=``
    or ``=`` row over products needs in the decomposition)."""
    write_random_instance(directory, seed, products=4, nodes=3, zones=3, speeds=2, scenarios=3, capacities=True,
                          weights=True, on_hand=seed % 2 == 0)
    nodes = pd.read_csv(directory / "nodes.csv")
    nodes["storage_capacity"] = nodes["storage_capacity"].fillna(1000.0)
    nodes.to_csv(directory / "nodes.csv", index=False)
    return load_instance(directory)


def _plain_stock(instance: Instance) -> float:
    return float(solve_extensive(instance).stock["stock"].sum())


def _same_answer(instance: Instance, variant: Callable[[BuiltModel], None], backend: str) -> None:
    exact = solve_extensive(instance, backend, variants=[variant])
    result = solve_decomposition(instance, backend, variants=[variant])
    assert exact.status is result.status
    if exact.status is Status.INFEASIBLE:
        assert result.message == exact.message
        return
    assert exact.status is Status.OPTIMAL and result.status is Status.OPTIMAL
    scale = max(1.0, abs(exact.objective))
    assert result.lower_bound <= exact.objective + 1e-7 * scale
    assert exact.objective <= result.objective + 1e-7 * scale
    assert result.objective - exact.objective <= GAP * abs(result.objective) + 1e-9
    variant_rows = lambda r: r.prices[r.prices["kind"] == "variant"]  # noqa: E731
    assert list(variant_rows(exact)["constraint"]) == list(variant_rows(result)["constraint"])
    assert (variant_rows(result)["slack"] >= -1e-6).all()


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), kind=st.sampled_from(["node_total", "budget", "minimum", "exact", "peak"]),
       share=st.floats(0.2, 0.9))
def test_a_variant_gives_the_same_optimum_by_both_methods(tmp_path: Path, backend: str, seed: int, kind: str,
                                                          share: float) -> None:
    instance = _instance(tmp_path / f"i{seed}", seed)
    stock = _plain_stock(instance)
    variant = {"node_total": node_total(share * stock / 3), "budget": budget(share * stock),
               "minimum": minimum_total((1 + share) * stock), "exact": exact_total(share * stock / 3),
               "peak": peak_stock_cost}[kind]
    _same_answer(instance, variant, backend)


def test_rows_over_several_products_are_priced_like_capacity(tmp_path: Path) -> None:
    """The per-node total binds at a node that wants more: its price is positive and the same in both methods."""
    instance = _instance(tmp_path / "i", 3)
    variant = node_total(0.2 * _plain_stock(instance))
    exact = solve_extensive(instance, variants=[variant]).prices.set_index("constraint")
    result = solve_decomposition(instance, variants=[variant])
    assert result.details["variant_linking_constraints"] == 3
    decomposed = result.prices.set_index("constraint")
    binding = exact[(exact["kind"] == "variant") & (exact["price"] > 1e-3)]
    assert len(binding)
    for name, row in binding.iterrows():
        assert decomposed.at[name, "sense"] == "<="
        assert decomposed.at[name, "price"] == pytest.approx(row["price"], rel=1e-3)


def test_an_equality_has_a_free_price(tmp_path: Path) -> None:
    """Fixing the stock at a node below what it wants: one row of sense '=', its price the extensive dual."""
    instance = _instance(tmp_path / "i", 4)
    roomiest = instance.nodes["storage_capacity"].idxmax()
    stock = solve_extensive(instance).stock
    variant = exact_total(0.8 * float(stock.loc[stock["node"] == roomiest, "stock"].sum()))
    exact = solve_extensive(instance, variants=[variant]).prices.set_index("constraint")
    decomposed = solve_decomposition(instance, variants=[variant]).prices.set_index("constraint")
    assert exact.at["exact_total", "sense"] == decomposed.at["exact_total", "sense"] == "="
    assert abs(exact.at["exact_total", "price"]) > 1e-3
    assert decomposed.at["exact_total", "price"] == pytest.approx(exact.at["exact_total", "price"], rel=1e-3)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_infeasible_variant_row_is_named_by_both_methods(tmp_path: Path, backend: str) -> None:
    instance = _instance(tmp_path / "i", 5)
    variant = budget(-1.0)  # no purchase plan spends less than nothing
    exact = solve_extensive(instance, backend, variants=[variant])
    result = solve_decomposition(instance, backend, variants=[variant])
    assert exact.status is result.status is Status.INFEASIBLE
    assert "budget: the model variant's row (<= -1) is short by" in exact.message
    assert result.message == exact.message


def shared_variable(built: BuiltModel) -> None:
    m = built.model
    m.ceiling = pyo.Var(within=pyo.NonNegativeReals)
    m.under_ceiling = pyo.Constraint(list(m.A), rule=lambda m, p, n: m.y[p, n] <= m.ceiling)
    built.add_cost("ceiling_cost", m.ceiling)


def nonlinear(built: BuiltModel) -> None:
    m = built.model
    first, second = list(m.A)[:2]
    m.product_of_stocks = pyo.Constraint(expr=m.y[first] * m.y[second] <= 5)


def own_objective(built: BuiltModel) -> None:
    built.model.other_cost = pyo.Objective(expr=sum(built.model.y[k] for k in built.model.A))


def test_a_row_that_pushes_unbounded_stock_up_is_an_error_naming_it(tmp_path: Path) -> None:
    instance = _instance(tmp_path / "i", 2)
    instance = replace(instance, nodes=instance.nodes.assign(storage_capacity=np.inf, inbound_capacity=np.inf))
    with pytest.raises(VariantError, match=r"minimum_total \(>=\) pushes y\[.*\] up, and it has no upper bound"):
        solve_decomposition(instance, variants=[minimum_total(10.0)])


@pytest.mark.parametrize(("variant", "named"), [
    (shared_variable, "variable ceiling is shared by products"),
    (nonlinear, "product_of_stocks is not linear"),
    (own_objective, "declares the objective other_cost"),
])
def test_what_cannot_be_split_by_product_is_an_error_naming_it(tmp_path: Path, variant: Callable[[BuiltModel], None],
                                                               named: str) -> None:
    with pytest.raises(VariantError, match=named):
        solve_decomposition(_instance(tmp_path / "i", 1), variants=[variant])


def _roomiest(built: BuiltModel) -> str:
    return str(built.instance.nodes["storage_capacity"].idxmax())


def no_buying_at_the_roomiest_node(built: BuiltModel) -> None:
    """Bounds instead of rows: stock at the roomiest node at most what is on hand (``setub``), one
    pair fixed at two units above it (``fix``)."""
    m, roomiest = built.model, _roomiest(built)
    pairs = [(p, n) for p, n in m.A if n == roomiest]
    for p, n in pairs[1:]:
        m.y[p, n].setub(float(m.on_hand[p, n]))
    m.y[pairs[0]].fix(float(m.on_hand[pairs[0]]) + 2.0)


def shipments_bounded(built: BuiltModel) -> None:
    """Every shipment of the first scenario at most 0.1 unit, through the variables' upper bounds."""
    m = built.model
    first = built.instance.scenarios.index[0]
    for key in built.index.x[["product", "route", "class", "scenario"]].itertuples(index=False):
        if key[3] == first:
            m.x[tuple(key)].setub(0.1)


@pytest.mark.parametrize("variant", [no_buying_at_the_roomiest_node, shipments_bounded])
def test_bounds_and_fixes_a_variant_sets_hold_in_the_decomposition(tmp_path: Path,
                                                                   variant: Callable[[BuiltModel], None]) -> None:
    instance = _instance(tmp_path / "i", 3)
    plain = solve_extensive(instance).objective
    exact = solve_extensive(instance, variants=[variant])
    assert exact.objective > plain + 1e-3  # the bounds bind
    _same_answer(instance, variant, "highs")


def lane_limit(built: BuiltModel) -> None:
    """Every shipment out of the roomiest node at most 0.2 unit: rows built by iterating ``model.x``."""
    m, roomiest = built.model, _roomiest(built)
    origin = dict(built.index.x[["route", "origin"]].drop_duplicates().itertuples(index=False))
    m.lane_limit = pyo.ConstraintList()
    for k in m.x:
        if origin[k[1]] == roomiest:
            m.lane_limit.add(m.x[k] <= 0.2)


def lost_cap(built: BuiltModel) -> None:
    """Unmet demand of each scenario over every product at most 3/4 of its demand: iterating ``model.u``."""
    m = built.model
    m.lost_cap = pyo.Constraint(sorted({k[2] for k in m.D}), rule=lambda m, s: sum(m.u[k] for k in m.u if k[2] == s)
                                <= 0.75 * sum(m.d[k] for k in m.D if k[2] == s))


def test_the_skeleton_iterates_x_and_u_as_the_complete_model_does(tmp_path: Path) -> None:
    instance = _instance(tmp_path / "i", 3)
    sets = derive_sets(instance)
    index = model_index(instance, sets)
    skeleton, complete = build_variant_skeleton(instance, sets, index, False, []).model, build_model(instance).model
    for name in ("x", "u"):
        lazy, dense = getattr(skeleton, name), getattr(complete, name)
        assert list(lazy) == list(dense) and list(lazy.keys()) == list(dense.keys())
        assert len(lazy) == len(dense) and next(iter(dense)) in lazy and ("no", "such") not in lazy
        assert [v.name for v in lazy.values()] == [v.name for v in dense.values()]


@pytest.mark.parametrize("variant", [lane_limit, lost_cap])
def test_rows_built_by_iterating_x_or_u_are_kept(tmp_path: Path, variant: Callable[[BuiltModel], None]) -> None:
    instance = _instance(tmp_path / "i", 3)
    assert solve_extensive(instance, variants=[variant]).objective > solve_extensive(instance).objective + 1e-3
    _same_answer(instance, variant, "highs")


def soft_node_total(built: BuiltModel) -> None:
    """At most 2 units per node over every product, or more at 5 per unit over: a variable of its own
    per node, shared by the node's products (an LP the extensive form solves, the decomposition cannot split)."""
    m = built.model
    nodes = _nodes(built)
    m.over = pyo.Var(nodes, within=pyo.NonNegativeReals)
    m.soft_total = pyo.Constraint(nodes, rule=lambda m, n: sum(m.y[p, q] for p, q in m.A if q == n) <= 2 + m.over[n])
    built.add_cost("over_cost", 5 * sum(m.over[n] for n in nodes))


def purchase_budget(built: BuiltModel) -> None:
    """A budget through the documented Expression ``model.purchase_cost``."""
    built.model.purchase_budget = pyo.Constraint(expr=built.model.purchase_cost <= 20)


def half_storage(built: BuiltModel) -> None:
    """Half of every storage capacity, read from ``built.linking``."""
    m = built.model
    m.half_storage = pyo.ConstraintList()
    for row in built.linking:
        if row.kind.value == "storage":
            m.half_storage.add(row.constraint.body <= 0.5 * row.capacity)


def no_storage_rows(built: BuiltModel) -> None:
    built.model.linking.storage.deactivate()


@pytest.mark.parametrize("variant", [soft_node_total, half_storage, no_storage_rows])
def test_the_extensive_form_solves_any_linear_variant(tmp_path: Path, variant: Callable[[BuiltModel], None]) -> None:
    instance = _instance(tmp_path / "i", 3)
    result = solve_extensive(instance, variants=[variant])
    assert result.status is Status.OPTIMAL
    assert result.objective != pytest.approx(solve_extensive(instance).objective, rel=1e-6)  # the variant counts
    if variant is soft_node_total:  # its rows are over several products
        rows = result.prices[result.prices["kind"] == "variant"]["constraint"]
        assert list(rows) == [f"soft_total[{n}]" for n in sorted(instance.nodes.index)]


@pytest.mark.parametrize(("variant", "named"), [
    (soft_node_total, r"variable over\[.*\] belongs to no product.*--method extensive"),
    (half_storage, r"variant .*half_storage: it reads built.linking.*--method extensive"),
    (no_storage_rows, r"variant .*no_storage_rows: it reads model.linking.*--method extensive"),
])
def test_what_the_decomposition_cannot_read_is_an_error_naming_it(tmp_path: Path,
                                                                  variant: Callable[[BuiltModel], None],
                                                                  named: str) -> None:
    with pytest.raises(VariantError, match=named):
        solve_decomposition(_instance(tmp_path / "i", 3), variants=[variant])


def test_a_variant_over_purchase_cost_gives_the_same_optimum(tmp_path: Path) -> None:
    instance = _instance(tmp_path / "i", 4)
    assert solve_extensive(instance, variants=[purchase_budget]).objective > solve_extensive(instance).objective
    _same_answer(instance, purchase_budget, "highs")


def test_the_skeleton_names_every_component_it_leaves_out(tmp_path: Path) -> None:
    instance = _instance(tmp_path / "i", 1)
    sets = derive_sets(instance)
    skeleton = build_variant_skeleton(instance, sets, model_index(instance, sets), False, []).model
    left_out = set(build_model(instance).model.component_map()) - set(skeleton.component_map())
    assert left_out == {*COMPLETE_ONLY, "purchase_cost"}


def test_prices_show_the_right_hand_side_the_variant_wrote(tmp_path: Path) -> None:
    """A budget over purchases (y - on_hand: a constant in the row) keeps its own right-hand side in
    prices.csv by both methods, with the same use (the constant is a product's use, not moved to the rhs)."""
    instance = _instance(tmp_path / "i", 4)
    assert instance.inventory["on_hand"].sum() > 0
    variant = budget(0.5 * _plain_stock(instance))
    exact = solve_extensive(instance, variants=[variant]).prices.set_index("constraint")
    decomposed = solve_decomposition(instance, variants=[variant]).prices.set_index("constraint")
    assert exact.at["budget", "rhs"] == decomposed.at["budget", "rhs"] == pytest.approx(0.5 * _plain_stock(instance))
    assert decomposed.at["budget", "lhs"] == pytest.approx(exact.at["budget", "lhs"], rel=1e-4, abs=1e-6)
