"""Primal side: the always-feasible starting solution, a previous plan repaired for new demand,
and the stock and stored plan of a master solution (a worker's share: its products).

The plan of a master solution is, per product, the convex combination of its columns,
z_p = sum_k lambda_pk z_pk; it satisfies every per-product row (a convex set) and, when
the master's slacks are zero, every linking row, at cost equal to the master objective.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from meio.decomposition.pricing import Solution, SparseZ, solution_of
from meio.decomposition.subproblem import ProductLP

FEASIBILITY_TOLERANCE = 1e-9


def zero_stock_solution(p: int, sub: ProductLP) -> Solution | None:
    """Buy nothing, ship nothing, leave all demand unmet; None if a per-product row forbids it."""
    ny, nx, nu = len(sub.y_rows), len(sub.x_rows), len(sub.u_rows)
    z = np.where(np.isfinite(sub.lower), sub.lower, 0.0)  # a variant's own columns at a finite bound
    z[ny + nx:ny + nx + nu] = _demand(sub)
    return _feasible_solution(p, sub, z)


def repaired_solution(p: int, sub: ProductLP, previous: np.ndarray) -> Solution | None:
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
    return _feasible_solution(p, sub, z)


def _first_demand_row(sub: ProductLP) -> int:
    """Canonical rows: availability (-inf, 0], then one demand row [d, d] per u, then any others."""
    return int(np.argmax(np.isfinite(sub.row_lower))) if len(sub.u_rows) else 0


def _demand(sub: ProductLP) -> np.ndarray:
    first = _first_demand_row(sub)
    return sub.row_lower[first:first + len(sub.u_rows)]


def _feasible_solution(p: int, sub: ProductLP, z: np.ndarray) -> Solution | None:
    """The solution z of product p (global number) if it meets every row and bound of the product, else None."""
    activity = sub.A @ z
    tolerance = FEASIBILITY_TOLERANCE * np.maximum(1.0, np.abs(activity))
    if (np.any(activity < sub.row_lower - tolerance) or np.any(activity > sub.row_upper + tolerance)
            or np.any(z < sub.lower) or np.any(z > sub.upper) or np.any(sub.integer & (z != np.round(z)))):
        return None
    return solution_of(p, sub, z)


def flat_plan(subproblems: list[ProductLP], chosen: list[tuple[SparseZ, float]],
              first: int = 0) -> dict[str, np.ndarray]:
    """The plan z_p = sum_k lambda_pk z_pk of every product (``chosen``: solutions of products
    ``first``, ``first + 1``, ... with their master weights) as flat sparse arrays (warm_start.npz)."""
    plans = [np.zeros(sub.columns) for sub in subproblems]
    for solution, weight in chosen:
        plans[solution.product - first][solution.support] += weight * solution.values
    support = [np.flatnonzero(z) for z in plans]
    return {"product": np.array([sub.product for sub in subproblems], dtype=str),
            "columns": np.array([sub.columns for sub in subproblems], dtype=np.int64),
            "nonzeros": np.array([len(s) for s in support], dtype=np.int64),
            "index": np.concatenate(support).astype(np.int32) if support else np.zeros(0, dtype=np.int32),
            "value": np.concatenate([z[s] for z, s in zip(plans, support)]) if support else np.zeros(0)}


def stock_of(subproblems: list[ProductLP], chosen: list[tuple[SparseZ, float]], first: int = 0) -> list[np.ndarray]:
    """Each product's stock y in the plan sum_k lambda_k z_k (in its own column order)."""
    stock = [np.zeros(len(sub.y_rows)) for sub in subproblems]
    for solution, weight in chosen:
        p = solution.product - first
        in_y = solution.support < len(subproblems[p].y_rows)
        stock[p][solution.support[in_y]] += weight * solution.values[in_y]
    return stock
