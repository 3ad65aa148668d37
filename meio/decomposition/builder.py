"""Vectorised numpy builder of every product's subproblem, the same matrices as the Pyomo path.

Building one Pyomo model per product takes a fraction of a second each, too slow for
thousands of products. This builder reads the global model index once and writes the
objective, availability, demand and linking coefficients of docs/formulation.md for all products
with array operations, in the canonical layout of :mod:`meio.decomposition.subproblem`.
``tests/test_decomposition_builder.py`` proves it equal to the Pyomo-compiled matrices.
It knows only the model of docs/formulation.md: a model with variants uses the Pyomo path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from meio.data.derived import number_tuples
from meio.data.instance import Instance
from meio.decomposition.subproblem import ProductLP, sort_rows
from meio.models.index import ModelIndex
from meio.models.linking import LinkingKey, LinkingKind, LinkingSpec


def numpy_subproblems(instance: Instance, index: ModelIndex,
                      integer: bool) -> tuple[list[LinkingSpec], list[ProductLP]]:
    """The linking rows and every product's subproblem, built with array operations."""
    products = instance.products.index
    y, x, u = index.y, index.x, index.u
    py = _codes(y["product"], products)
    px = _codes(x["product"], products)
    pu = _codes(u["product"], products)
    ny, nx, nu = (np.bincount(p, minlength=len(products)) for p in (py, px, pu))
    col_start = np.concatenate([[0], np.cumsum(ny + nx + nu)])
    ycol = col_start[py] + _rank(py)
    xcol = col_start[px] + ny[px] + _rank(px)
    ucol = col_start[pu] + ny[pu] + nx[pu] + _rank(pu)
    ncol = int(col_start[-1])

    # availability rows (p, origin, s), numbered within each product in order of first appearance
    # in index.x (whose products need not come in the instance's order)
    avail = number_tuples([x["product"].to_numpy(), x["origin"].to_numpy(), x["scenario"].to_numpy()])[0]
    first = np.unique(avail, return_index=True)[1]
    na = np.bincount(px[first], minlength=len(products))
    row_start = np.concatenate([[0], np.cumsum(na + nu)])
    arow = row_start[px] + _rank(px[first])[avail]
    drow = row_start[pu] + na[pu] + _rank(pu)
    y_of = pd.Series(ycol, index=pd.MultiIndex.from_arrays([y["product"], y["node"]]))
    u_of = pd.Series(drow, index=pd.MultiIndex.from_arrays([u["product"], u["class"], u["scenario"]]))
    origin_y = y_of.reindex(pd.MultiIndex.from_arrays([x["product"].to_numpy()[first],
                                                       x["origin"].to_numpy()[first]])).to_numpy()
    x_demand = u_of.reindex(pd.MultiIndex.from_arrays([x["product"], x["class"], x["scenario"]])).to_numpy()
    rows = np.concatenate([arow, arow[first], x_demand, drow])
    cols = np.concatenate([xcol, origin_y, xcol, ucol])
    vals = np.concatenate([np.ones(len(x)), -np.ones(len(first)), np.ones(len(x)), np.ones(len(u))])
    A = sp.csr_array((vals, (rows, cols)), shape=(int(row_start[-1]), ncol))
    A.sort_indices()
    lower_row = np.zeros(int(row_start[-1]))
    upper_row = np.zeros(int(row_start[-1]))
    lower_row[arow] = -np.inf
    lower_row[drow] = upper_row[drow] = u["quantity"].to_numpy(dtype=float)

    c = np.zeros(ncol)
    weight_x = x["weight"].to_numpy(dtype=float)
    c[ycol] = y["unit_cost"].to_numpy(dtype=float) + y["holding"].to_numpy(dtype=float)
    c[xcol] = -(weight_x * x["holding"].to_numpy(dtype=float)) + weight_x * x["cost"].to_numpy(dtype=float)
    c[ucol] = u["weight"].to_numpy(dtype=float) * u["penalty"].to_numpy(dtype=float)
    offset = np.bincount(py, weights=-(y["unit_cost"].to_numpy(dtype=float) * y["on_hand"].to_numpy(dtype=float)),
                         minlength=len(products))
    lower = np.zeros(ncol)
    lower[ycol] = y["on_hand"].to_numpy(dtype=float)
    is_integer = np.zeros(ncol, dtype=bool)
    is_integer[ycol] = integer

    terms, keys = _linking_terms(instance, index, ycol, xcol, ucol, py, px, pu)
    global_rows = sort_rows(instance, set(keys))
    row_id = {row.key: i for i, row in enumerate(global_rows)}
    terms["row"] = np.array([row_id[k] for k in keys], dtype=np.int64)[terms["key"].to_numpy()]
    link = _linking_matrices(terms, len(products), len(global_rows), ncol)

    y_rows, x_rows, u_rows = (_rows_by_product(codes, len(products)) for codes in (py, px, pu))
    stock_nodes = y["node"].to_numpy()
    result = []
    for p, product in enumerate(products):
        c0, c1, r0, r1 = col_start[p], col_start[p + 1], row_start[p], row_start[p + 1]
        link_rows, D, const = link[p]
        result.append(ProductLP(
            product=product, c=c[c0:c1], offset=float(offset[p]),
            A=_block(A, r0, r1, c0, c1), row_lower=lower_row[r0:r1], row_upper=upper_row[r0:r1],
            lower=lower[c0:c1], upper=np.full(c1 - c0, np.inf), integer=is_integer[c0:c1],
            link_rows=link_rows, D=_block(D, 0, D.shape[0], c0, c1), link_const=const,
            y_rows=y_rows[p], x_rows=x_rows[p], u_rows=u_rows[p], stock_nodes=stock_nodes[y_rows[p]],
        ))
    return global_rows, result


def _rows_by_product(codes: np.ndarray, products: int) -> list[np.ndarray]:
    """For each product code, the table rows with that code, in table order."""
    order = np.argsort(codes, kind="stable").astype(np.int32)
    return np.split(order, np.cumsum(np.bincount(codes, minlength=products))[:-1])


def _codes(values: pd.Series, categories: pd.Index) -> np.ndarray:
    return pd.Categorical(values, categories=categories).codes.astype(np.int64)


def _rank(codes: np.ndarray) -> np.ndarray:
    """Position of each entry among the entries with the same code (in table order)."""
    return pd.Series(codes).groupby(codes).cumcount().to_numpy()


def _block(matrix: sp.csr_array, r0: int, r1: int, c0: int, c1: int) -> sp.csr_array:
    """Rows r0:r1 of a block-diagonal CSR whose columns of those rows lie in c0:c1."""
    start, end = matrix.indptr[r0], matrix.indptr[r1]
    return sp.csr_array((matrix.data[start:end], matrix.indices[start:end] - c0,
                         matrix.indptr[r0:r1 + 1] - start), shape=(r1 - r0, c1 - c0))


def _linking_terms(instance: Instance, index: ModelIndex, ycol: np.ndarray, xcol: np.ndarray, ucol: np.ndarray,
                   py: np.ndarray, px: np.ndarray, pu: np.ndarray) -> tuple[pd.DataFrame, list[LinkingKey]]:
    """One row per linking coefficient (product, key number, column, value, constant) and the keys."""
    nodes, y, x, u = instance.nodes, index.y, index.x, index.u
    parts: list[pd.DataFrame] = []
    keys: list[LinkingKey] = []

    def add(kind: LinkingKind, mask: np.ndarray, product: np.ndarray, col: np.ndarray, value: np.ndarray,
            const: np.ndarray, node: np.ndarray | None = None, speed: np.ndarray | None = None,
            scenario: np.ndarray | None = None) -> None:
        parts_of_key = [np.full(int(mask.sum()), "") if v is None else np.asarray(v)[mask]
                        for v in (node, speed, scenario)]
        codes, uniques = number_tuples(parts_of_key)
        parts.append(pd.DataFrame({"product": product[mask], "key": codes + len(keys),
                                   "col": col[mask], "value": value[mask], "const": const[mask]}))
        keys.extend(_linking_key(kind, *key) for key in uniques)

    ynode = y["node"].to_numpy()
    for kind, column in ((LinkingKind.STORAGE, "storage_capacity"), (LinkingKind.INBOUND, "inbound_capacity")):
        finite = np.isfinite(nodes.loc[ynode, column].to_numpy(dtype=float))
        if kind is LinkingKind.STORAGE:
            value = instance.products.loc[y["product"], "unit_volume"].to_numpy(dtype=float)
            const = np.zeros(len(y))
        else:
            value, const = np.ones(len(y)), -y["on_hand"].to_numpy(dtype=float)
        add(kind, finite, py, ycol, value, const, node=ynode)
    row, node = index.x_nodes["row"].to_numpy(), index.x_nodes["node"].to_numpy()
    finite = np.isfinite(nodes.loc[node, "throughput_capacity"].to_numpy(dtype=float))
    add(LinkingKind.THROUGHPUT, finite, px[row], xcol[row], np.ones(len(row)), np.zeros(len(row)),
        node=node, scenario=x["scenario"].to_numpy()[row])
    target = instance.speeds["fill_rate_target"].reindex(u["speed"]).to_numpy(dtype=float)
    weight = u["weight"].to_numpy(dtype=float)
    add(LinkingKind.SERVICE, ~np.isnan(target), pu, ucol, weight,
        -(weight * ((1.0 - np.nan_to_num(target)) * u["quantity"].to_numpy(dtype=float))), speed=u["speed"].to_numpy())
    return pd.concat(parts, ignore_index=True), keys


def _linking_key(kind: LinkingKind, node: str, speed: str, scenario: str) -> LinkingKey:
    """The key of a linking row from its coded parts ("" for a part the kind does not have)."""
    node_, speed_, scenario_ = (None if v == "" else v for v in (node, speed, scenario))
    return kind, node_, speed_, scenario_


def _linking_matrices(terms: pd.DataFrame, products: int, rows: int, ncol: int
                      ) -> list[tuple[np.ndarray, sp.csr_array, np.ndarray]]:
    """Per product: its global linking rows, D (rows x global columns) and constants e."""
    code = terms["product"].to_numpy() * max(rows, 1) + terms["row"].to_numpy()
    unique, pair = np.unique(code, return_inverse=True)
    pairs = np.stack([unique // max(rows, 1), unique % max(rows, 1)])
    D = sp.csr_array((terms["value"].to_numpy(), (pair, terms["col"].to_numpy())), shape=(len(unique), ncol))
    D.sort_indices()
    const = np.bincount(pair, weights=terms["const"].to_numpy(), minlength=len(unique))
    bounds = np.searchsorted(pairs[0], np.arange(products + 1))
    out = []
    for p in range(products):
        a, b = bounds[p], bounds[p + 1]
        block = sp.csr_array((D.data[D.indptr[a]:D.indptr[b]], D.indices[D.indptr[a]:D.indptr[b]],
                              D.indptr[a:b + 1] - D.indptr[a]), shape=(b - a, ncol))
        out.append((pairs[1, a:b].astype(np.int64), block, const[a:b]))
    return out
