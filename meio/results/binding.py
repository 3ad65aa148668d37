"""The binding linking constraints of a solve, one line per kind and place, from prices.csv."""

from __future__ import annotations

import pandas as pd

#: A row binds when its slack is within this fraction of its right-hand side (at least 1).
BINDING_TOLERANCE = 1e-6

BINDING_COLUMNS = ["kind", "where", "rows", "price"]

#: A binding row's price at most this fraction of the largest price (at least 1) is zero: more of
#: the row's right-hand side would not lower the cost (a degenerate, not a scarce, constraint).
ZERO_PRICE = 1e-9


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


def zero_priced(grouped: pd.DataFrame) -> pd.Series:
    """Which rows of :func:`binding_constraints` bind at a zero price (with duals; NaN is not zero)."""
    largest = float(grouped["price"].abs().max()) if len(grouped) and grouped["price"].notna().any() else 0.0
    return grouped["price"].abs() <= ZERO_PRICE * max(1.0, largest)


def zero_price_text(zero: pd.DataFrame) -> str:
    """``throughput at sd_new_york (1 scenario), storage at FC2``: binding rows with a zero price."""
    def one(kind: object, where: object, rows: int) -> str:
        scope = f" ({rows} scenario{'s' if rows != 1 else ''})" if kind == "throughput" else ""
        return f"{kind} at {where}{scope}" if kind != "service" else f"service {where}"
    return ", ".join(one(k, w, int(r)) for k, w, r in zip(zero["kind"], zero["where"], zero["rows"]))
