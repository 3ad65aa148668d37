"""Per-product subproblems in matrix form, compiled from the Pyomo model (the source of truth).

A product's subproblem is its slice of the extensive model: the columns y, x, u of the
product, its local rows (availability, demand and any per-product constraint added to
the model) and its terms in the linking rows, ``D_p z + e_p``. Columns are laid out
canonically as the product's rows of ``index.y``, then ``index.x``, then ``index.u``;
local rows as availability (in order of first appearance in ``index.x``), demand (in
``index.u`` order), then any other constraint in model order.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import scipy.sparse as sp

from meio.data.instance import Instance
from meio.models.build import BuiltModel, build_model
from meio.models.index import ModelIndex
from meio.models.linking import LinkingKey, LinkingKind, LinkingSpec
from meio.solvers.matrix import LinearModel, MatrixForm, compile_matrix

KIND_ORDER = {kind: i for i, kind in enumerate(LinkingKind)}


@dataclass(frozen=True, eq=False)
class ProductLP(LinearModel):
    """A product's subproblem: the :class:`LinearModel` of its own rows, plus objective constant
    ``offset`` and its linking use ``D z + link_const`` on global rows ``link_rows``.

    ``y_rows``, ``x_rows``, ``u_rows`` are the positions of the product's columns (in that
    order) in the model index the product was built with (its chunk's, see
    :mod:`meio.decomposition.chunks`); ``stock_nodes`` names the node of each y column.
    """

    product: str
    offset: float
    link_rows: np.ndarray
    D: sp.csr_array
    link_const: np.ndarray
    y_rows: np.ndarray
    x_rows: np.ndarray
    u_rows: np.ndarray
    stock_nodes: np.ndarray

    @property
    def columns(self) -> int:
        return len(self.c)


def uniform(value: float, n: int) -> np.ndarray:
    """A read-only length-``n`` array of ``value`` that holds one number: the column bounds of most
    subproblems (lower 0 and upper +inf on every column) without 16 bytes per column and product."""
    return np.broadcast_to(np.float64(value), (n,))


def sort_rows(instance: Instance, keys: set[LinkingKey]) -> list[LinkingSpec]:
    """The global linking rows of ``keys`` in canonical order, with their capacities."""
    tables = (instance.nodes, instance.speeds, instance.scenarios)
    positions = [{name: i for i, name in enumerate(table.index)} for table in tables]

    def order(key: LinkingKey) -> tuple[int, ...]:
        return (KIND_ORDER[key[0]], *(-1 if v is None else p[v] for v, p in zip(key[1:], positions)))

    column = {LinkingKind.STORAGE: "storage_capacity", LinkingKind.INBOUND: "inbound_capacity",
              LinkingKind.THROUGHPUT: "throughput_capacity"}
    capacities = {kind: instance.nodes[name].to_numpy(float) for kind, name in column.items()}  # read once

    def capacity(key: LinkingKey) -> float:
        if key[0] is LinkingKind.SERVICE:
            return 0.0
        return float(capacities[key[0]][positions[0][key[1]]])

    return [LinkingSpec(*key, capacity=capacity(key), dormant=key[0] is LinkingKind.THROUGHPUT)
            for key in sorted(keys, key=order)]


def index_positions(index: ModelIndex) -> dict[str, dict[tuple, int]]:
    """Global position of each y, x and u key of the model index."""
    return {
        "y": {k: i for i, k in enumerate(zip(index.y["product"], index.y["node"]))},
        "x": {k: i for i, k in enumerate(zip(index.x["product"], index.x["route"], index.x["class"],
                                               index.x["scenario"]))},
        "u": {k: i for i, k in enumerate(zip(index.u["product"], index.u["class"], index.u["scenario"]))},
    }


def pyomo_subproblems(instance: Instance, index: ModelIndex,
                      integer: bool) -> tuple[list[LinkingSpec], list[ProductLP]]:
    """The linking rows and every product's subproblem, each compiled from its own Pyomo model of
    docs/formulation.md: an independent path to the numpy builder's matrices (tests compare the two)."""
    positions = index_positions(index)
    compiled = []
    for product in instance.products.index:
        built = build_model(instance.restricted_to([product]), integer=integer)
        compiled.append((product, built, compile_matrix(built.model)))
    rows = sort_rows(instance, {(r.kind, r.node, r.speed, r.scenario) for _, built, _ in compiled
                                for r in built.linking})
    row_of = {row.key: i for i, row in enumerate(rows)}
    return rows, [_split(product, built, form, positions, row_of) for product, built, form in compiled]


def _split(product: str, built: BuiltModel, form: MatrixForm, positions: dict[str, dict[tuple, int]],
           row_of: dict[LinkingKey, int]) -> ProductLP:
    """Reorder the compiled form canonically and split its rows into local and linking."""
    model = built.model
    keys = _column_keys(model, built.index)
    y_rows = np.array([positions["y"][k] for k in keys["y"]], dtype=np.int64)
    x_rows = np.array([positions["x"][k] for k in keys["x"]], dtype=np.int64)
    u_rows = np.array([positions["u"][k] for k in keys["u"]], dtype=np.int64)
    variables = [model.y[k] for k in keys["y"]] + [model.x[k] for k in keys["x"]] + [model.u[k] for k in keys["u"]]
    column = {id(v): j for j, v in enumerate(variables)}
    permutation = np.array([column[id(v)] for v in form.variables], dtype=np.int64)
    n = len(variables)
    A = sp.csr_array(form.A)
    A = sp.csr_array((A.data, permutation[A.indices], A.indptr), shape=(A.shape[0], n))
    A.sort_indices()
    c = np.zeros(n)
    c[permutation] = form.c
    linking = {id(r.constraint): r for r in built.linking}
    local = _local_row_order(model, built.index, form.constraints, linking)
    link = [i for i, con in enumerate(form.constraints) if id(con) in linking]
    link_keys = [linking[id(form.constraints[i])] for i in link]
    global_ids = np.array([row_of[(r.kind, r.node, r.speed, r.scenario)] for r in link_keys], dtype=np.int64)
    order = np.argsort(global_ids)
    link = [link[i] for i in order]
    capacity = np.array([link_keys[i].capacity for i in order], dtype=float)
    return ProductLP(
        product=product, c=c, offset=form.offset,
        A=sp.csr_array(A[local]), row_lower=form.row_lower[local], row_upper=form.row_upper[local],
        lower=np.array([_bound(v.lb, -np.inf) for v in variables]),
        upper=np.array([_bound(v.ub, np.inf) for v in variables]),
        integer=np.array([v.is_integer() for v in variables], dtype=bool),
        link_rows=global_ids[order], D=sp.csr_array(A[link]),
        link_const=capacity - form.row_upper[link],
        y_rows=y_rows, x_rows=x_rows, u_rows=u_rows, stock_nodes=np.array([k[1] for k in keys["y"]], dtype=object),
    )


def _bound(value: float | None, default: float) -> float:
    return default if value is None else float(value)


def _column_keys(model: pyo.ConcreteModel, index: ModelIndex) -> dict[str, list[tuple]]:
    return {
        "y": list(zip(index.y["product"], index.y["node"])),
        "x": list(model.X),
        "u": list(model.D),
    }


def _local_row_order(model: pyo.ConcreteModel, index: ModelIndex, constraints: list,
                     linking: Container[int]) -> np.ndarray:
    """Positions of the local rows of the compiled form in canonical order."""
    x = index.x
    availability = pd.unique(pd.Series(list(zip(x["product"], x["origin"], x["scenario"])), dtype=object))
    canonical = [model.availability[k] for k in availability] + [model.demand[k] for k in model.D]
    rank = {id(con): i for i, con in enumerate(canonical)}
    local = [i for i, con in enumerate(constraints) if id(con) not in linking]
    # rows not in the canonical families (a researcher's constraints) follow, in model order
    return np.array(sorted(local, key=lambda i: (rank.get(id(constraints[i]), len(rank)), i)), dtype=np.int64)
