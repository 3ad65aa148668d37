"""The binding linking constraints of a solve, one line per kind and place, from prices.csv."""

from __future__ import annotations

import pandas as pd

#: A row binds when its slack is within this fraction of its right-hand side (at least 1).
BINDING_TOLERANCE = 1e-6

BINDING_COLUMNS = ["kind", "where", "rows", "price"]


def binding_constraints(prices: pd.DataFrame) -> pd.DataFrame:
    """Binding rows grouped by kind and place (node, speed or the row's name), most valuable first.

    ``rows`` counts the binding rows (scenarios, for throughput) and ``price`` sums their
    opportunity costs, NaN when none of them has a dual price (an integer solve).
    """
    if prices.empty:
        return pd.DataFrame(columns=BINDING_COLUMNS)
    binds = prices["slack"].abs() <= BINDING_TOLERANCE * prices["rhs"].abs().clip(lower=1.0)
    binding = prices[binds]
    where = binding["node"].fillna(binding["speed"]).fillna(binding["constraint"]).rename("where")
    grouped = binding.groupby(["kind", where]).agg(rows=("constraint", "size"),
                                                   price=("price", lambda p: p.sum(min_count=1)))
    return grouped.sort_values("price", ascending=False, na_position="last").reset_index()[BINDING_COLUMNS]


def has_duals(prices: pd.DataFrame) -> bool:
    """Whether any linking row has a dual price (integer solves have none)."""
    return not prices.empty and bool(prices["price"].notna().any())
