"""Capacity shares: a feasible plan from one pricing pass (the primal heuristic).

Given each product's column of a pricing pass (linking use u_p = D_p z_p + e_p), every
linking row's capacity b_i is split among the products that touch it:

    cap_pi = u_pi + (b_i - U_i) u_pi / U_i     where U_i = sum_p u_pi > b_i  (the excess, pro rata)
    cap_pi = u_pi + (b_i - U_i) / n_i          where U_i <= b_i              (the slack, evenly)

with n_i the number of products with row i, so that sum_p cap_pi = b_i on every row. Only
rows used above ``TIGHT`` of their capacity (and service rows, b_i <= 0) are capped: the
others keep a slack that the products' new solutions rarely use up, and each capped row
costs every product an LP row. A product whose pass solution already meets its caps (it uses
no row over capacity) keeps it: that solution is optimal within the caps too, so it is not
solved again. Every other product solves its own LP at the pass's prices with
``D_p z + e_p <= cap_p`` (:meth:`meio.decomposition.pricing.Pricer.within_caps`: from the
pass's basis, which stays dual feasible, by dual simplex); the
solutions, one per product, meet every capped row together: usually a feasible plan from
the first iteration, and columns close to the optimum that use the capacity exactly, for
the restricted master (which checks every row; if the columns do not fit, they are just
columns). At prices close to optimal the responses u_p nearly fit (complementary
slackness), so the shares bind them little.

**Clearing prices** (a heuristic price estimate; the bound it gives is exact). The capped
solves also price the capacity: the dual of product p's cap on row i is its marginal value
v_pi >= 0 there. :func:`clearing_prices` takes the product's use of row i as u_pi at the
extra price t = 0 and cap_pi at t = v_pi (exact for a product capped on row i alone; with
several caps, all of its capped rows are priced at once), joins them by a line (floored at
min(0, cap_pi)) and, on every row the responses overfill (U_i > b_i), finds by bisection the
least t_i at which the products' demands add up to b_i (the top of the bracket if none does).
A product with v_pi = 0 gives up its excess for nothing and uses cap_pi; a product without
a cap there, or whose capped LP failed or has no duals (integer stock), keeps u_pi. Pricing
at mu + t is one more pass from bases close by (docs/decomposition.md).
"""

from __future__ import annotations

import numpy as np

from meio.decomposition.pricing import Column, ProductLinks, linking_use
from meio.decomposition.solvers import Caps

#: Only rows used above this share of their capacity are capped (the others keep their slack).
TIGHT = 0.9
#: Bisection steps of :func:`clearing_prices`: each halves every row's interval of prices.
BISECTIONS = 50


def capacity_shares(columns: list[Column], links: list[ProductLinks], capacity: np.ndarray) -> list[Caps | None]:
    """Each product's caps on its linking rows (in the order of its ``link_rows``) from the
    columns of one pricing pass, one per product in product order; None where the column
    already meets them (its solution is the capped optimum)."""
    use = linking_use(columns, links, len(capacity))
    touching = np.zeros(len(capacity))
    for column in columns:
        np.add.at(touching, links[column.product].link_rows, 1.0)
    excess = use > capacity
    ratio = np.divide(capacity - use, use, out=np.zeros(len(capacity)), where=excess & (use != 0.0))
    even = np.divide(capacity - use, touching, out=np.zeros(len(capacity)), where=~excess & (touching > 0.0))
    tight = (use > TIGHT * capacity) | (capacity <= 0.0)
    caps: list[Caps | None] = []
    for column in columns:
        rows = links[column.product].link_rows
        kept = np.flatnonzero(tight[rows])
        value = (column.usage + ratio[rows] * column.usage + even[rows])[kept]
        caps.append(None if (column.usage[kept] <= value).all() else Caps(kept, value))
    return caps


def clearing_prices(columns: list[Column], caps: list[Caps | None], marginal: list[np.ndarray],
                    links: list[ProductLinks], capacity: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Prices at which the products' linear demands (see above) fit every overfilled row, from the
    pass ``columns`` at ``mu`` (one per product, in product order), their ``caps`` and the caps'
    ``marginal`` values; ``mu`` on the other rows."""
    use = linking_use(columns, links, len(capacity))
    solved = [(p, cap) for p, (cap, values) in enumerate(zip(caps, marginal)) if cap is not None and len(values)]
    if not solved:
        return mu.copy()
    row = np.concatenate([links[p].link_rows[cap.positions] for p, cap in solved])
    u = np.concatenate([columns[p].usage[cap.positions] for p, cap in solved])
    cap = np.concatenate([cap.value for _, cap in solved])
    value = np.concatenate([marginal[p] for p, _ in solved])
    over = use > capacity
    at = over[row]
    row, u, cap, value = row[at], u[at], cap[at], value[at]
    others = use - np.bincount(row, weights=u, minlength=len(capacity))  # use of products without a demand line
    # a cap above the use (possible on rows capped but not overfilled by others) gives a flat line
    slope = np.divide(np.maximum(u - cap, 0.0), value, out=np.zeros(len(value)), where=value > 0.0)
    floor = np.minimum(0.0, cap)
    lower = np.zeros(len(capacity))
    upper = np.zeros(len(capacity))
    # beyond the price where every line is at its floor the demand stays put
    np.maximum.at(upper, row, np.maximum(value, np.divide(u - floor, slope, out=np.zeros(len(u)), where=slope > 0.0)))
    for _ in range(BISECTIONS):
        middle = (lower + upper) / 2
        demand = np.where(value > 0.0, np.maximum(u - slope * middle[row], floor), cap)
        overfilled = others + np.bincount(row, weights=demand, minlength=len(capacity)) > capacity
        lower, upper = np.where(overfilled, middle, lower), np.where(overfilled, upper, middle)
    return mu + np.where(over, upper, 0.0)
