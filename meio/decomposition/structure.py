"""The block structure of what model variants add, read from the model, not trusted.

The variants are applied once to the variant skeleton of the whole instance
(:func:`meio.models.build.build_variant_skeleton`: the formulation's variables without its
constraints, so everything on it is a variant's). Then:

- every variable gets its product: ``y``, ``x`` and ``u`` by their index; a variable of a
  variant's own by the per-product rows it appears in (a variable tied to no product, or to
  two, is shared by products and cannot be decomposed: an error naming it);
- every constraint whose variables belong to one product becomes a row of that product's
  subproblem; a constraint over several products becomes a linking row, priced by the master
  like storage or throughput, with its own sense and right-hand side and its Pyomo name as
  its label (a ``>=`` row is kept as ``-a z <= -b``; an equality as both halves);
- every cost term added with :meth:`~meio.models.build.BuiltModel.add_cost` is split into its
  products' objective coefficients.

A nonlinear constraint or cost term, or a changed objective, is an error naming the
component: never a silent change of the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.repn import generate_standard_repn

from meio.data.derived import DerivedSets
from meio.data.instance import Instance
from meio.decomposition.subproblem import ProductLP
from meio.errors import VariantError
from meio.models.build import BuiltModel, ModelVariant, build_variant_skeleton
from meio.models.index import ModelIndex
from meio.models.linking import LinkingKind, LinkingRow, LinkingSpec, Sense

SPEC_VARIABLES = ("y", "x", "u")
__all__ = ["VariantError", "apply_variants", "read_variants", "variant_linking_rows"]


@dataclass(frozen=True)
class Term:
    """A linear row or cost of the variants: coefficients on (product, column) and its bounds."""

    name: str
    product: np.ndarray
    column: np.ndarray
    value: np.ndarray
    lower: float
    upper: float
    constant: float = 0.0
    stated: tuple[float, float] = (-np.inf, np.inf)  # the bounds as written (lower, upper: with the constant)


@dataclass(frozen=True, eq=False)
class VariantTerms:
    """What the variants add, located: one-product rows, multi-product rows and cost terms."""

    columns: _ColumnMap
    local: list[Term]
    linking: list[Term]
    costs: list[Term]
    bounds: list[Bound]


@dataclass(frozen=True)
class Bound:
    """A formulation variable whose bounds a variant set: its (product, column) and new bounds."""

    name: str
    product: int
    column: int
    lower: float
    upper: float
    fixed: bool
    integer: bool


def read_variants(instance: Instance, sets: DerivedSets, index: ModelIndex, integer: bool,
                  variants: Sequence[ModelVariant], subproblems: list[ProductLP] | None = None) -> VariantTerms:
    """Apply ``variants`` to the skeleton and locate every row and cost term they add (the
    columns within each product's subproblem only when ``subproblems`` are given), and every
    bound, fix or domain they set on the formulation's variables."""
    built = build_variant_skeleton(instance, sets, index, integer, variants)
    _check_objective(built)
    columns = _ColumnMap(built, subproblems)
    terms = [_named(built, con, con.body, con.lower, con.upper, columns)
             for con in built.model.component_data_objects(pyo.Constraint, active=True)]
    for term in terms:
        if len(term.product) == 0:
            raise VariantError(f"constraint {term.name} has no variables")
    columns.assign_own_variables(terms)
    costs = [_named(built, cost, cost.expr, None, None, columns) for cost in built.costs]
    for term in costs:
        if (term.product < 0).any():
            raise VariantError(f"cost term {term.name} uses a variable that appears in no constraint: "
                               "the decomposition cannot tell its product")
    return VariantTerms(columns, local=[t for t in terms if len(np.unique(t.product)) == 1],
                        linking=[t for t in terms if len(np.unique(t.product)) > 1], costs=costs,
                        bounds=_variable_bounds(built, columns))


def _named(built: BuiltModel, component: pyo.Component, expression: object, lower: object, upper: object,
           columns: _ColumnMap) -> Term:
    """:func:`_term` of ``component``, its :class:`VariantError` naming the variant that added it."""
    try:
        return _term(component.name, expression, lower, upper, columns)
    except VariantError as error:
        origin = built.origins.get(component.parent_component().local_name)
        raise (VariantError(f"variant {origin}: {error}") if origin else error) from None


def _variable_bounds(built: BuiltModel, columns: _ColumnMap) -> list[Bound]:
    """The formulation's variables whose bounds, fixed value or domain the variants changed
    (``setub``, ``fix``, ``domain = ...``): each as the bounds its subproblem column must get."""
    model, on_hand = built.model, dict(zip(zip(built.index.y["product"], built.index.y["node"]),
                                           built.index.y["on_hand"]))
    changed = []
    for family, var in (("y", model.y), ("x", model.x), ("u", model.u)):
        integer = built.integer and family == "y"
        for key, data in var._data.items():  # x and u: only the variables the variants created
            default = float(on_hand[key]) if family == "y" else 0.0
            if data.fixed:
                if data.value is None:
                    raise VariantError(f"variable {data.name} is fixed without a value")
                lower = upper = float(data.value)
            else:
                lower = -np.inf if data.lb is None else float(data.lb)
                upper = np.inf if data.ub is None else float(data.ub)
            if data.fixed or lower != default or upper != np.inf or data.is_integer() != integer:
                product, column = columns.position[id(data)]
                changed.append(Bound(data.name, product, column, lower, upper, data.fixed, data.is_integer()))
    return changed


def _add_bounds(subproblems: list[ProductLP], bounds: list[Bound]) -> list[ProductLP]:
    """Each changed variable's bounds in its column: a fixed one's value as both bounds; an upper
    bound within the one the storage and inbound rows imply."""
    out = list(subproblems)
    by_product: dict[int, list[Bound]] = {}
    for bound in bounds:
        by_product.setdefault(bound.product, []).append(bound)
    for p, changed in by_product.items():
        sub = out[p]
        lower, upper, integer = sub.lower.copy(), sub.upper.copy(), sub.integer.copy()
        for bound in changed:
            j = bound.column
            lower[j] = bound.lower
            upper[j] = bound.upper if bound.fixed else min(upper[j], bound.upper)
            integer[j] = bound.integer
        out[p] = replace(sub, lower=lower, upper=upper, integer=integer)
    return out


def apply_variants(instance: Instance, sets: DerivedSets, index: ModelIndex, subproblems: list[ProductLP],
                   rows: list[LinkingSpec], integer: bool, variants: Sequence[ModelVariant]
                   ) -> tuple[list[LinkingSpec], list[ProductLP]]:
    """The linking rows and subproblems of the model with ``variants``: the formulation's (from the numpy
    builder, over ``index``, one chunk holding every product) extended with what the variants add."""
    read = read_variants(instance, sets, index, integer, variants, subproblems)
    subproblems = _add_bounds(_implied_stock_bounds(instance, subproblems), read.bounds)
    subproblems = _add_costs(read.columns.extend(subproblems), read.costs)
    subproblems = _add_local_rows(subproblems, read.local)
    rows, subproblems = _add_linking_rows(rows, subproblems, read.linking)
    _check_bounded(rows, subproblems)
    return rows, subproblems


def _implied_stock_bounds(instance: Instance, subproblems: list[ProductLP]) -> list[ProductLP]:
    """y[p,n] <= min(storage_n / unit_volume_p, on_hand[p,n] + inbound_n): implied by the storage and
    inbound rows (every product's term in them is >= 0), so every bound stays valid; a variant's
    ``>=`` or ``=`` row over several products would otherwise make a pricing subproblem unbounded."""
    nodes, volume = instance.nodes, instance.products["unit_volume"]
    out = []
    for sub in subproblems:
        ny = len(sub.y_rows)
        storage = nodes["storage_capacity"].reindex(sub.stock_nodes).to_numpy(float) / float(volume[sub.product])
        inbound = sub.lower[:ny] + nodes["inbound_capacity"].reindex(sub.stock_nodes).to_numpy(float)
        upper = sub.upper.copy()
        upper[:ny] = np.minimum(upper[:ny], np.maximum(sub.lower[:ny], np.minimum(storage, inbound)))
        out.append(replace(sub, upper=upper))
    return out


def _check_bounded(rows: list[LinkingSpec], subproblems: list[ProductLP]) -> None:
    """A linking row whose price pushes a variable without an upper bound up (a negative coefficient
    in its ``<=`` form) makes that product's pricing problem unbounded: an error naming both."""
    for sub in subproblems:
        D = sp.coo_array(sub.D)
        risky = (D.data < 0) & ~np.isfinite(sub.upper[D.col])
        if risky.any():
            k = int(np.flatnonzero(risky)[0])
            row, column = rows[int(sub.link_rows[D.row[k]])], int(D.col[k])
            what = (f"y[{sub.product},{sub.stock_nodes[column]}]" if column < len(sub.y_rows)
                    else f"a variable of product '{sub.product}'")
            raise VariantError(f"{row.label} ({row.sense.value}) pushes {what} up, and it has no upper bound: the "
                               "decomposition's pricing problem would be unbounded; bound the variable (a finite "
                               "storage or inbound capacity at its node bounds stock)")


def variant_linking_rows(built: BuiltModel, variants: Sequence[ModelVariant] = ()) -> list[LinkingRow]:
    """The constraints of a complete model that variants added over several products, as linking
    rows (``<=`` halves, like :class:`LinkingSpec`): what the extensive form lists in prices.csv
    and relaxes to explain an infeasible instance, the same rows the decomposition prices.

    Read from ``built`` itself (the variants are not applied again): a row's products are those of
    the formulation's variables in it and of the variants' own variables tied to one product by
    rows over that product's variables only (as the decomposition assigns them; here an own
    variable tied to several products only makes its rows linking)."""
    if not variants:
        return []
    model = built.model
    spec = {id(model.y), id(model.x), id(model.u)}
    located: list[tuple[pyo.ConstraintData, set[object], list[int]]] = []
    own: dict[int, int] = {}
    for con in _added_constraints(built):
        repn = generate_standard_repn(con.body, compute_values=True, quadratic=False)
        known: set[object] = set()
        owns = []
        for var in repn.linear_vars:
            if id(var.parent_component()) in spec:
                known.add(var.index()[0])
            else:
                owns.append(own.setdefault(id(var), len(own)))
        located.append((con, known, owns))
    parent = list(range(len(own)))
    group_products: list[set[object]] = [set() for _ in own]

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for _, known, owns in located:
        if owns and len(known) <= 1:
            first = root(owns[0])
            for k in owns[1:]:
                other = root(k)
                if other != first:
                    parent[other] = first
                    group_products[first] |= group_products[other]
            group_products[first] |= known
    rows = []
    for con, known, owns in located:
        products = known.union(*(group_products[root(k)] for k in owns))
        if len(products) <= 1:
            continue
        lower = None if con.lower is None else float(pyo.value(con.lower))
        upper = None if con.upper is None else float(pyo.value(con.upper))
        for sense, sign, capacity in _sides(lower, upper):
            rows.append(LinkingRow(LinkingKind.VARIANT, None, None, None, capacity, name=con.name, sense=sense,
                                   sign=sign, constraint=con))
    return rows


def _added_constraints(built: BuiltModel) -> list[pyo.ConstraintData]:
    """The active constraints of a complete model that are not the formulation's (every variant row), in
    model order: those the decomposition reads from the skeleton, in the same order."""
    model = built.model
    formulation = {id(getattr(model, name, None)) for name in ("availability", "demand")}
    linking = getattr(model, "linking", None)
    rows = []
    for component in model.component_objects(pyo.Constraint, active=True, descend_into=True):
        if id(component) in formulation or (linking is not None and component.parent_block() is linking):
            continue
        rows += [row for row in component.values() if row.active]
    return rows


def _check_objective(built: BuiltModel) -> None:
    objectives = [obj.name for obj in built.model.component_data_objects(pyo.Objective)]
    if objectives:
        raise VariantError(f"a model variant declares the objective {objectives[0]}: change the objective "
                           "with built.add_cost(name, expression), which every method honours")


class _ColumnMap:
    """Where each variable of the skeleton lives: (product, column of its subproblem)."""

    def __init__(self, built: BuiltModel, subproblems: list[ProductLP] | None) -> None:
        self.built, self.index = built, built.index
        self.position: dict[int, tuple[int, int]] = {}
        self.own: list[pyo.VarData] = []  # the variants' own variables, in order of first use
        self.own_number: dict[int, int] = {}
        products = len(built.instance.products)
        self.sizes = [sub.columns for sub in subproblems] if subproblems is not None else [0] * products
        self._spec_positions(subproblems)

    def _spec_positions(self, subproblems: list[ProductLP] | None) -> None:
        """(product, column) of each the formulation variable the variants use (column -1 without subproblems)."""
        model, index = self.built.model, self.index
        tables = {"y": (index.y, ["product", "node"], model.y),
                  "x": (index.x, ["product", "route", "class", "scenario"], model.x),
                  "u": (index.u, ["product", "class", "scenario"], model.u)}
        product_of = {name: i for i, name in enumerate(self.built.instance.products.index)}
        for family, (table, keys, var) in tables.items():
            used = list(var._data)  # the variables the variants created (x and u are lazy)
            if not used:
                continue
            rows = pd.MultiIndex.from_frame(table[keys]).get_indexer(pd.MultiIndex.from_tuples(used))
            for key, row in zip(used, rows):
                p = product_of[key[0]]
                if subproblems is None:
                    self.position[id(var[key])] = (p, -1)
                    continue
                sub = subproblems[p]
                offset = {"y": 0, "x": len(sub.y_rows), "u": len(sub.y_rows) + len(sub.x_rows)}[family]
                within = {"y": sub.y_rows, "x": sub.x_rows, "u": sub.u_rows}[family]
                self.position[id(var[key])] = (p, offset + int(np.searchsorted(within, row)))

    def locate(self, var: pyo.VarData) -> tuple[int, int]:
        """(product, column) of a the formulation variable; (-1, k) for the k-th own variable of the variants."""
        if id(var) in self.position:
            return self.position[id(var)]
        if var.parent_component().local_name in SPEC_VARIABLES:
            raise VariantError(f"{var.name} is not a variable of the model (no such index)")
        if id(var) not in self.own_number:
            self.own_number[id(var)] = len(self.own)
            self.own.append(var)
        return -1, self.own_number[id(var)]

    def assign_own_variables(self, terms: list[Term]) -> None:
        """Give each own variable the one product of the rows it shares with the formulation variables
        (through chains of own variables); error if none or two."""
        if not self.own:
            return
        parent = list(range(len(self.own)))
        product = [-1] * len(self.own)

        def root(k: int) -> int:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for term in terms:
            owns = term.column[term.product < 0]
            known = np.unique(term.product[term.product >= 0])
            if len(owns) == 0 or len(known) > 1:
                continue
            first = root(int(owns[0]))
            for k in owns[1:]:
                other = root(int(k))
                if other != first:
                    if product[other] >= 0 and product[first] >= 0 and product[other] != product[first]:
                        raise VariantError(f"variable {self.own[int(k)].name} is shared by products "
                                           f"(constraint {term.name}): the decomposition cannot split it; "
                                           "--method extensive solves it")
                    product[first] = max(product[first], product[other])
                    parent[other] = first
            if len(known) == 1:
                if product[first] >= 0 and product[first] != known[0]:
                    raise VariantError(f"variable {self.own[int(owns[0])].name} is shared by products "
                                       f"(constraint {term.name}): the decomposition cannot split it; "
                                       "--method extensive solves it")
                product[first] = int(known[0])
        for k, var in enumerate(self.own):
            p = product[root(k)]
            if p < 0:
                raise VariantError(f"variable {var.name} belongs to no product (it appears in no constraint with "
                                   "one product's variables): the decomposition cannot split it; "
                                   "--method extensive solves it")
            self.position[id(var)] = (p, self.sizes[p])
            self.sizes[p] += 1
        for term in terms:
            _resolve(term, self)

    def extend(self, subproblems: list[ProductLP]) -> list[ProductLP]:
        """Each subproblem with the own variables of its product as extra columns (bounds, integrality)."""
        added: dict[int, list[pyo.VarData]] = {}
        for var in self.own:
            added.setdefault(self.position[id(var)][0], []).append(var)
        out = list(subproblems)
        for p, variables in added.items():
            sub = out[p]
            k = len(variables)
            lower = np.array([-np.inf if v.lb is None else float(v.lb) for v in variables])
            upper = np.array([np.inf if v.ub is None else float(v.ub) for v in variables])
            out[p] = replace(sub, c=np.concatenate([sub.c, np.zeros(k)]),
                             A=sp.csr_array(sp.hstack([sub.A, sp.csr_array((sub.A.shape[0], k))])),
                             lower=np.concatenate([sub.lower, lower]), upper=np.concatenate([sub.upper, upper]),
                             integer=np.concatenate([sub.integer, [v.is_integer() for v in variables]]),
                             D=sp.csr_array(sp.hstack([sub.D, sp.csr_array((sub.D.shape[0], k))])))
        return out


def _resolve(term: Term, columns: _ColumnMap) -> None:
    """Replace the (-1, k) entries of ``term`` by the own variables' (product, column)."""
    for i in np.flatnonzero(term.product < 0):
        p, j = columns.position[id(columns.own[int(term.column[i])])]
        term.product[i], term.column[i] = p, j


def _term(name: str, expression: object, lower: object, upper: object, columns: _ColumnMap) -> Term:
    """A linear expression as coefficients on (product, column); an error naming ``name`` otherwise."""
    repn = generate_standard_repn(expression, compute_values=True, quadratic=False)
    if not repn.is_linear():
        raise VariantError(f"{name} is not linear: the decomposition (and the LP solvers) need linear "
                           "constraints and costs")
    located = [columns.locate(var) for var in repn.linear_vars]
    constant = float(pyo.value(repn.constant))
    return Term(name=name, product=np.array([p for p, _ in located], dtype=np.int64),
                column=np.array([j for _, j in located], dtype=np.int64),
                value=np.array([float(c) for c in repn.linear_coefs], dtype=float),
                lower=-np.inf if lower is None else float(pyo.value(lower)) - constant,
                upper=np.inf if upper is None else float(pyo.value(upper)) - constant, constant=constant,
                stated=(-np.inf if lower is None else float(pyo.value(lower)),
                        np.inf if upper is None else float(pyo.value(upper))))


def _add_costs(subproblems: list[ProductLP], costs: list[Term]) -> list[ProductLP]:
    """Objective coefficients of the cost terms added to their products (constants to product 0)."""
    out = list(subproblems)
    for term in costs:
        for p in np.unique(term.product):
            mask = term.product == p
            c = out[p].c.copy()
            np.add.at(c, term.column[mask], term.value[mask])
            out[p] = replace(out[p], c=c)
        out[0] = replace(out[0], offset=out[0].offset + term.constant)
    return out


def _add_local_rows(subproblems: list[ProductLP], terms: list[Term]) -> list[ProductLP]:
    """Each one-product constraint appended to its product's local rows."""
    out = list(subproblems)
    by_product: dict[int, list[Term]] = {}
    for term in terms:
        by_product.setdefault(int(term.product[0]), []).append(term)
    for p, rows in by_product.items():
        sub = out[p]
        matrix = sp.csr_array((np.concatenate([t.value for t in rows]),
                               (np.concatenate([np.full(len(t.value), i) for i, t in enumerate(rows)]),
                                np.concatenate([t.column for t in rows]))), shape=(len(rows), sub.columns))
        out[p] = replace(sub, A=sp.csr_array(sp.vstack([sub.A, matrix])),
                         row_lower=np.concatenate([sub.row_lower, [t.lower for t in rows]]),
                         row_upper=np.concatenate([sub.row_upper, [t.upper for t in rows]]))
    return out


def _sides(lower: float | None, upper: float | None) -> list[tuple[Sense, float, float]]:
    """(sense, sign, capacity) of the ``<=`` rows a constraint ``lower <= a z <= upper`` is kept as."""
    if lower is not None and lower == upper:
        return [(Sense.EQ, 1.0, upper), (Sense.EQ, -1.0, -lower)]
    halves = []
    if upper is not None and np.isfinite(upper):
        halves.append((Sense.LE, 1.0, upper))
    if lower is not None and np.isfinite(lower):
        halves.append((Sense.GE, -1.0, -lower))
    return halves


def _add_linking_rows(rows: list[LinkingSpec], subproblems: list[ProductLP],
                      terms: list[Term]) -> tuple[list[LinkingSpec], list[ProductLP]]:
    """The multi-product constraints as new global linking rows (after the formulation's, in model order)."""
    new_rows = list(rows)
    # product -> (global row, columns, values, constant)
    extra: dict[int, list[tuple[int, np.ndarray, np.ndarray, float]]] = {}
    for term in terms:
        # the right-hand side as the user wrote it; the row's constant is the first product's use
        for sense, sign, capacity in _sides(*term.stated):
            row = len(new_rows)
            new_rows.append(LinkingSpec(LinkingKind.VARIANT, None, None, None, capacity, name=term.name,
                                        sense=sense, sign=sign))
            for k, p in enumerate(np.unique(term.product)):
                mask = term.product == p
                extra.setdefault(int(p), []).append((row, term.column[mask], sign * term.value[mask],
                                                     sign * term.constant if k == 0 else 0.0))
    out = list(subproblems)
    for p, entries in extra.items():
        sub = out[p]
        matrix = sp.csr_array((np.concatenate([v for _, _, v, _ in entries]),
                               (np.concatenate([np.full(len(v), i) for i, (_, _, v, _) in enumerate(entries)]),
                                np.concatenate([c for _, c, _, _ in entries]))), shape=(len(entries), sub.columns))
        out[p] = replace(sub, link_rows=np.concatenate([sub.link_rows, [e[0] for e in entries]]).astype(np.int64),
                         D=sp.csr_array(sp.vstack([sub.D, matrix])),
                         link_const=np.concatenate([sub.link_const, [e[3] for e in entries]]))
    return new_rows, out
