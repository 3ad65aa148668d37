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

from meio.data.codes import number_codes
from meio.data.instance import Instance
from meio.decomposition.subproblem import ProductLP, sort_rows, uniform
from meio.models.index import ModelIndex
from meio.models.linking import LinkingKey, LinkingKind, LinkingSpec


def numpy_subproblems(instance: Instance, index: ModelIndex,
                      integer: bool) -> tuple[list[LinkingSpec], list[ProductLP]]:
    """The linking rows and every product's subproblem, built with array operations."""
    products, codes = instance.products.index, index.codes
    y, x, u = index.y, index.x, index.u
    py, px, pu = codes.y_product, codes.x_product, codes.u_product
    ny, nx, nu = (np.bincount(p, minlength=len(products)) for p in (py, px, pu))
    (y_rank, y_rows), (x_rank, x_rows), (u_rank, u_rows) = (_by_product(p, len(products)) for p in (py, px, pu))
    col_start = np.concatenate([[0], np.cumsum(ny + nx + nu)])
    ycol = col_start[py] + y_rank
    xcol = col_start[px] + ny[px] + x_rank
    ucol = col_start[pu] + ny[pu] + nx[pu] + u_rank
    ncol = int(col_start[-1])

    # availability rows (p, origin, s), numbered within each product in order of first appearance
    # in index.x (whose products need not come in the instance's order)
    avail, (a_product, a_origin, _) = number_codes([px, codes.x_origin, codes.x_scenario],
                                                   [len(products), len(instance.nodes), len(instance.scenarios)])
    na = np.bincount(a_product, minlength=len(products))
    row_start = np.concatenate([[0], np.cumsum(na + nu)])
    a_row = row_start[a_product] + _by_product(a_product, len(products))[0]
    arow = a_row[avail]
    drow = row_start[pu] + na[pu] + u_rank
    y_column = np.full((len(products), len(instance.nodes)), -1, dtype=np.int64)
    y_column[py, codes.y_node] = ycol
    rows = np.concatenate([arow, a_row, drow[codes.x_demand], drow])
    cols = np.concatenate([xcol, y_column[a_product, a_origin], xcol, ucol])
    # every coefficient of these rows is +-1: held as int8, an eighth of float64's memory (about
    # 25 KB a product on the benchmark family; HiGHS gets float64 at each solve, see solvers.py)
    vals = np.concatenate([np.ones(len(x)), -np.ones(len(a_row)), np.ones(len(x)), np.ones(len(u))]).astype(np.int8)
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
    any_on_hand = np.bincount(py, weights=y["on_hand"].to_numpy(dtype=float) != 0.0, minlength=len(products)) > 0
    is_integer = np.zeros(ncol, dtype=bool)
    is_integer[ycol] = integer

    terms, keys = _linking_terms(instance, index, ycol, xcol, ucol)
    global_rows = sort_rows(instance, set(keys))
    row_id = {row.key: i for i, row in enumerate(global_rows)}
    terms["row"] = np.array([row_id[k] for k in keys], dtype=np.int64)[terms["key"]]
    link = _linking_matrices(terms, len(global_rows), col_start)

    stock_nodes = y["node"].to_numpy()
    result = []
    for p, product in enumerate(products):
        c0, c1, r0, r1 = col_start[p], col_start[p + 1], row_start[p], row_start[p + 1]
        link_rows, D, const = link[p]
        result.append(ProductLP(
            product=product, c=c[c0:c1], offset=float(offset[p]),
            A=_block(A, r0, r1, c0, c1), row_lower=lower_row[r0:r1], row_upper=upper_row[r0:r1],
            lower=lower[c0:c1].copy() if any_on_hand[p] else uniform(0.0, c1 - c0), upper=uniform(np.inf, c1 - c0),
            integer=is_integer[c0:c1],
            link_rows=link_rows, D=D, link_const=const,
            y_rows=y_rows[p], x_rows=x_rows[p], u_rows=u_rows[p], stock_nodes=stock_nodes[y_rows[p]],
        ))
    return global_rows, result


def _by_product(codes: np.ndarray, products: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """For a table's product codes: each row's position among its product's rows, and each
    product's rows (int32), both in table order."""
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=products)
    rank = np.empty(len(codes), dtype=np.int64)
    rank[order] = np.arange(len(codes)) - np.repeat(np.cumsum(counts) - counts, counts)
    return rank, np.split(order.astype(np.int32), np.cumsum(counts)[:-1])


def _block(matrix: sp.csr_array, r0: int, r1: int, c0: int, c1: int) -> sp.csr_array:
    """Rows r0:r1 of a block-diagonal CSR whose columns of those rows lie in c0:c1, with int32
    indices (what HiGHS takes; a third less memory per nonzero than scipy's int64)."""
    start, end = matrix.indptr[r0], matrix.indptr[r1]
    return sp.csr_array((matrix.data[start:end], (matrix.indices[start:end] - c0).astype(np.int32),
                         (matrix.indptr[r0:r1 + 1] - start).astype(np.int32)), shape=(r1 - r0, c1 - c0))


def _linking_terms(instance: Instance, index: ModelIndex, ycol: np.ndarray, xcol: np.ndarray,
                   ucol: np.ndarray) -> tuple[dict[str, np.ndarray], list[LinkingKey]]:
    """One entry per linking coefficient (product, key number, column, value, constant) and the keys."""
    nodes, codes, y, u = instance.nodes, index.codes, index.y, index.u
    labels = (nodes.index, instance.speeds.index, instance.scenarios.index)
    parts: list[dict[str, np.ndarray]] = []
    keys: list[LinkingKey] = []

    def add(kind: LinkingKind, mask: np.ndarray, product: np.ndarray, col: np.ndarray, value: np.ndarray,
            const: np.ndarray, node: np.ndarray | None = None, speed: np.ndarray | None = None,
            scenario: np.ndarray | None = None) -> None:
        # a key's parts as codes (-1 for a part the kind does not have), numbered in order of first appearance
        parts_of_key = [np.full(int(mask.sum()), -1) if v is None else v[mask] for v in (node, speed, scenario)]
        numbers, distinct = number_codes(parts_of_key, [len(names) for names in labels])
        parts.append({"product": product[mask], "key": numbers + len(keys), "col": col[mask], "value": value[mask],
                      "const": const[mask]})
        keys.extend(_linking_key(kind, key, labels) for key in zip(*(part.tolist() for part in distinct)))

    for kind, column in ((LinkingKind.STORAGE, "storage_capacity"), (LinkingKind.INBOUND, "inbound_capacity")):
        finite = np.isfinite(nodes[column].to_numpy(dtype=float)[codes.y_node])
        if kind is LinkingKind.STORAGE:
            value = instance.products["unit_volume"].to_numpy(dtype=float)[codes.y_product]
            const = np.zeros(len(y))
        else:
            value, const = np.ones(len(y)), -y["on_hand"].to_numpy(dtype=float)
        add(kind, finite, codes.y_product, ycol, value, const, node=codes.y_node)
    row, node = index.x_nodes["row"].to_numpy(), codes.x_nodes_node
    finite = np.isfinite(nodes["throughput_capacity"].to_numpy(dtype=float)[node])
    add(LinkingKind.THROUGHPUT, finite, codes.x_product[row], xcol[row], np.ones(len(row)), np.zeros(len(row)),
        node=node, scenario=codes.x_scenario[row])
    target = instance.speeds["fill_rate_target"].to_numpy(dtype=float)[codes.u_speed]
    weight = u["weight"].to_numpy(dtype=float)
    add(LinkingKind.SERVICE, ~np.isnan(target), codes.u_product, ucol, weight,
        -(weight * ((1.0 - np.nan_to_num(target)) * u["quantity"].to_numpy(dtype=float))), speed=codes.u_speed)
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}, keys


def _linking_key(kind: LinkingKind, codes: tuple[int, ...], labels: tuple[pd.Index, ...]) -> LinkingKey:
    """The key of a linking row from the codes of its node, speed and scenario (-1: the kind has none)."""
    node, speed, scenario = (None if code < 0 else str(names[code]) for code, names in zip(codes, labels))
    return kind, node, speed, scenario


def _linking_matrices(terms: dict[str, np.ndarray], rows: int, col_start: np.ndarray
                      ) -> list[tuple[np.ndarray, sp.csr_array, np.ndarray]]:
    """Per product (its columns: ``col_start[p]:col_start[p + 1]``): its global linking rows,
    D (rows x its columns) and constants e."""
    products, ncol = len(col_start) - 1, int(col_start[-1])
    code = terms["product"] * max(rows, 1) + terms["row"]
    unique, pair = np.unique(code, return_inverse=True)
    pairs = np.stack([unique // max(rows, 1), unique % max(rows, 1)])
    D = sp.csr_array((terms["value"], (pair, terms["col"])), shape=(len(unique), ncol))
    D.sort_indices()
    const = np.bincount(pair, weights=terms["const"], minlength=len(unique))
    bounds = np.searchsorted(pairs[0], np.arange(products + 1))
    out = []
    for p in range(products):
        a, b = bounds[p], bounds[p + 1]
        out.append((pairs[1, a:b].astype(np.int32), _block(D, a, b, col_start[p], col_start[p + 1]), const[a:b]))
    return out
