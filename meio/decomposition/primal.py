"""Primal side: the always-feasible starting column and the stock of a master solution.

The plan of a master solution is, per product, the convex combination of its columns,
z_p = sum_k lambda_pk z_pk; it satisfies every per-product row (a convex set) and, when
the master's slacks are zero, every linking row, at cost equal to the master objective.
"""

from __future__ import annotations

import numpy as np

from meio.decomposition.pricing import Column
from meio.decomposition.subproblem import ProductLP

FEASIBILITY_TOLERANCE = 1e-9


def zero_stock_column(p: int, sub: ProductLP) -> Column | None:
    """Buy nothing, ship nothing, leave all demand unmet; None if a per-product row forbids it."""
    z = sub.lower.copy()
    ny, nx, nu = len(sub.y_rows), len(sub.x_rows), len(sub.u_rows)
    # canonical rows: availability (-inf, 0], then one demand row [d, d] per u, then any others
    first_demand = int(np.argmax(np.isfinite(sub.row_lower))) if nu else 0
    z[ny + nx:] = sub.row_lower[first_demand:first_demand + nu]
    activity = sub.A @ z
    tolerance = FEASIBILITY_TOLERANCE * np.maximum(1.0, np.abs(activity))
    if (np.any(activity < sub.row_lower - tolerance) or np.any(activity > sub.row_upper + tolerance)
            or np.any(z > sub.upper) or np.any(sub.integer & (z != np.round(z)))):
        return None
    support = np.flatnonzero(z)
    return Column(product=p, cost=float(sub.c @ z + sub.offset), usage=sub.D @ z + sub.link_const,
                  support=support, values=z[support])


def stock_of(subproblems: list[ProductLP], columns: list[Column], weights: np.ndarray) -> list[np.ndarray]:
    """Each product's stock y in the plan sum_k lambda_k z_k (in its own column order)."""
    stock = [np.zeros(len(sub.y_rows)) for sub in subproblems]
    for column, weight in zip(columns, weights):
        if weight > 0.0:
            ny = len(subproblems[column.product].y_rows)
            in_y = column.support < ny
            stock[column.product][column.support[in_y]] += weight * column.values[in_y]
    return stock
