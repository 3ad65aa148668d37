"""Warm start for re-planning: the prices and stock plan of a previous result directory.

After a forecast update the previous columns' shipments no longer match the new demand,
but the previous opportunity costs (prices.csv) are an excellent first pricing point and
stability centre, the previous stock plan (stock.csv) gives each product a column (its
subproblem re-solved with y fixed to the previous stock, feasible for the new demand), and
the previous final simplex bases (bases.npz, HiGHS) make the first pricing pass a warm
re-solve instead of a solve from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from meio.decomposition.subproblem import ProductLP
from meio.errors import MeioError
from meio.models.linking import LinkingSpec

#: The subproblem bases of a result (HiGHS), written by the decomposition for later warm starts.
BASES_FILE = "bases.npz"
BASES_FIELDS = ("product", "columns", "rows", "col_status", "row_status")


@dataclass(frozen=True, eq=False)
class WarmStart:
    """Prices of the global rows (0 where the previous run had no such row), stock per product
    and, when the previous run wrote ``bases.npz`` (HiGHS), its subproblems' final bases."""

    mu: np.ndarray
    stock: list[np.ndarray | None]
    bases: dict[str, np.ndarray] | None


def read_warm_start(directory: Path, rows: list[LinkingSpec], subproblems: list[ProductLP]) -> WarmStart:
    """Read prices.csv and stock.csv of a previous result; rows and products may differ."""
    try:
        prices = pd.read_csv(directory / "prices.csv")
        stock = pd.read_csv(directory / "stock.csv", dtype={"product": str, "node": str})
    except (OSError, pd.errors.ParserError) as error:
        raise MeioError(f"cannot read warm start from {directory}: {error}") from None
    price = dict(zip(prices["constraint"], prices["price"].fillna(0.0)))
    mu = np.array([max(0.0, float(price.get(row.label, 0.0))) for row in rows])
    previous = pd.Series(stock["stock"].to_numpy(dtype=float),
                         index=pd.MultiIndex.from_arrays([stock["product"], stock["node"]]))
    keys = pd.MultiIndex.from_arrays([np.concatenate([np.full(len(sub.stock_nodes), sub.product, dtype=object)
                                                      for sub in subproblems]),
                                      np.concatenate([sub.stock_nodes for sub in subproblems])])
    y = np.split(previous.reindex(keys).to_numpy(), np.cumsum([len(sub.stock_nodes) for sub in subproblems])[:-1])
    per_product = [None if np.isnan(values).any() else values for values in y]
    return WarmStart(mu=mu, stock=per_product, bases=_read_bases(directory / BASES_FILE))


def _read_bases(path: Path) -> dict[str, np.ndarray] | None:
    if not path.exists():
        return None
    try:
        with np.load(path) as stored:
            return {name: stored[name] for name in BASES_FIELDS}
    except (OSError, ValueError, KeyError) as error:
        raise MeioError(f"cannot read warm-start bases {path}: {error}") from None
