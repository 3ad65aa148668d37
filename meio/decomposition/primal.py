"""Primal side: the always-feasible starting column, a previous plan repaired for new demand,
and the stock and stored plan of a master solution.

The plan of a master solution is, per product, the convex combination of its columns,
z_p = sum_k lambda_pk z_pk; it satisfies every per-product row (a convex set) and, when
the master's slacks are zero, every linking row, at cost equal to the master objective.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import scipy.sparse as sp

from meio.decomposition.pricing import Column
from meio.decomposition.subproblem import ProductLP
from meio.models.linking import LinkingSpec

FEASIBILITY_TOLERANCE = 1e-9


def zero_stock_column(p: int, sub: ProductLP) -> Column | None:
    """Buy nothing, ship nothing, leave all demand unmet; None if a per-product row forbids it."""
    ny, nx, nu = len(sub.y_rows), len(sub.x_rows), len(sub.u_rows)
    z = np.where(np.isfinite(sub.lower), sub.lower, 0.0)  # a variant's own columns at a finite bound
    z[ny + nx:ny + nx + nu] = _demand(sub)
    return _feasible_column(p, sub, z)


def repaired_column(p: int, sub: ProductLP, previous: np.ndarray) -> Column | None:
    """A previous plan of the product made feasible for its current demand: the same stock,
    each class's shipments scaled down to at most its demand, the rest of the demand unmet
    (so no availability, storage or throughput use grows); None if a per-product row forbids it."""
    ny, nx, nu = len(sub.y_rows), len(sub.x_rows), len(sub.u_rows)
    demand = _demand(sub)
    first = _first_demand_row(sub)
    # each x column lies in exactly one demand row (the class and scenario it serves)
    shipping = sp.csc_array(sub.A[first:first + nu, ny:ny + nx])
    row_of_x = shipping.indices[shipping.indptr[:-1]]
    z = previous.copy()
    shipped = shipping @ z[ny:ny + nx]
    scale = np.minimum(1.0, np.divide(demand, shipped, out=np.ones(nu), where=shipped > 0.0))
    z[ny:ny + nx] *= scale[row_of_x]
    z[ny + nx:ny + nx + nu] = np.maximum(0.0, demand - shipping @ z[ny:ny + nx])
    return _feasible_column(p, sub, z)


def _first_demand_row(sub: ProductLP) -> int:
    """Canonical rows: availability (-inf, 0], then one demand row [d, d] per u, then any others."""
    return int(np.argmax(np.isfinite(sub.row_lower))) if len(sub.u_rows) else 0


def _demand(sub: ProductLP) -> np.ndarray:
    first = _first_demand_row(sub)
    return sub.row_lower[first:first + len(sub.u_rows)]


def _feasible_column(p: int, sub: ProductLP, z: np.ndarray) -> Column | None:
    """The column of z if it meets every row and bound of the product, else None."""
    activity = sub.A @ z
    tolerance = FEASIBILITY_TOLERANCE * np.maximum(1.0, np.abs(activity))
    if (np.any(activity < sub.row_lower - tolerance) or np.any(activity > sub.row_upper + tolerance)
            or np.any(z < sub.lower) or np.any(z > sub.upper) or np.any(sub.integer & (z != np.round(z)))):
        return None
    support = np.flatnonzero(z).astype(np.int32)
    return Column(product=p, cost=float(sub.c @ z + sub.offset), usage=sub.D @ z + sub.link_const,
                  support=support, values=z[support])


def warm_start_writer(subproblems: list[ProductLP], columns: list[Column], weights: np.ndarray,
                      rows: list[LinkingSpec], center: np.ndarray | None) -> Callable[[], dict[str, np.ndarray]]:
    """``warm_start.npz``, computed when called: the plan z_p = sum_k lambda_pk z_pk of every
    product as flat sparse arrays, and the prices ``center`` of the best bound by row label."""
    chosen = [(column, float(weight)) for column, weight in zip(columns, weights) if weight > 0.0]
    prices = {"row": np.array([row.label for row in rows], dtype=str),
              "center": np.zeros(len(rows)) if center is None else np.asarray(center, dtype=float)}
    return partial(_flat_plan, [(sub.product, sub.columns) for sub in subproblems], chosen, prices)


def _flat_plan(products: list[tuple[str, int]], chosen: list[tuple[Column, float]],
               prices: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    plans = [np.zeros(n) for _, n in products]
    for column, weight in chosen:
        plans[column.product][column.support] += weight * column.values
    support = [np.flatnonzero(z) for z in plans]
    return {"product": np.array([name for name, _ in products], dtype=str),
            "columns": np.array([n for _, n in products], dtype=np.int64),
            "nonzeros": np.array([len(s) for s in support], dtype=np.int64),
            "index": np.concatenate(support).astype(np.int32) if support else np.zeros(0, dtype=np.int32),
            "value": np.concatenate([z[s] for z, s in zip(plans, support)]) if support else np.zeros(0),
            **prices}


def stock_of(subproblems: list[ProductLP], columns: list[Column], weights: np.ndarray) -> list[np.ndarray]:
    """Each product's stock y in the plan sum_k lambda_k z_k (in its own column order)."""
    stock = [np.zeros(len(sub.y_rows)) for sub in subproblems]
    for column, weight in zip(columns, weights):
        if weight > 0.0:
            ny = len(subproblems[column.product].y_rows)
            in_y = column.support < ny
            stock[column.product][column.support[in_y]] += weight * column.values[in_y]
    return stock
