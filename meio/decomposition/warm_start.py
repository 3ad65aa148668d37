"""Warm start for re-planning: the prices and stock plan of a previous result directory.

After a forecast update the previous columns' shipments no longer match the new demand,
but the previous opportunity costs (prices.csv) are an excellent first pricing point and
stability centre, and the previous stock plan (stock.csv) gives each product a column:
its subproblem re-solved with y fixed to the previous stock, feasible for the new demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from meio.decomposition.subproblem import ProductLP
from meio.errors import MeioError
from meio.models.index import ModelIndex
from meio.models.linking import LinkingSpec


@dataclass(frozen=True, eq=False)
class WarmStart:
    """Prices of the global rows (0 where the previous run had no such row) and stock per product."""

    mu: np.ndarray
    stock: list[np.ndarray | None]


def read_warm_start(directory: Path, rows: list[LinkingSpec], subproblems: list[ProductLP],
                    index: ModelIndex) -> WarmStart:
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
    keys = pd.MultiIndex.from_arrays([index.y["product"], index.y["node"]])
    y = previous.reindex(keys).to_numpy()
    per_product = []
    for sub in subproblems:
        values = y[sub.y_rows]
        per_product.append(None if np.isnan(values).any() else values)
    return WarmStart(mu=mu, stock=per_product)
