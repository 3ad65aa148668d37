"""The per-product tables (demand.csv, inventory.csv) checked, summed up and filtered as they are read.

They are the big tables: 3.6 million demand rows at 10,000 products. Each chunk the reader
parses (:func:`meio.data.tables.read_table`) is checked here against the small tables, which
are read first, adds to what the whole instance needs from every row (the demand pooled over
products, for the unreachable-demand warning; the scenarios in order of first appearance;
the row count), and then only the rows of the products being loaded are kept. So a load of
some products checks every row like a whole load, gives the whole instance's warnings, and
never holds the other products' rows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from meio.data.reachability import POOLED_KEYS, pooled_demand
from meio.data.references import category_violations, known_ids, reference_violations
from meio.data.schema import Table
from meio.data.tables import RowFilter
from meio.errors import Violation

#: Tables with rows per product, read after the others.
PRODUCT_TABLES = ("demand", "inventory")


class ProductRows:
    """What the chunks of the per-product tables gave: reference problems, pooled demand, scenario
    order; ``products`` (``None``: all) are the products whose rows are kept."""

    def __init__(self, products: Collection[str] | None, small: Mapping[str, pd.DataFrame | None]) -> None:
        self.products = None if products is None else list(set(products))
        self.small = small
        self.references: dict[str, list[Violation]] = {name: [] for name in PRODUCT_TABLES}
        self.categories: list[Violation] = []
        self.pooled_parts: list[pd.DataFrame] = []
        self.orders: dict[str, dict[str, None]] = {key: {} for key in POOLED_KEYS}
        self.scenarios: dict[str, None] = {}
        self.demand_rows = 0

    def keep(self, table: Table) -> RowFilter:
        """The filter of ``table``'s chunks: check and sum each one, keep the loaded products' rows."""
        def chunk(frame: pd.DataFrame) -> np.ndarray:
            self._add(table, frame)
            if self.products is None:
                return np.ones(len(frame), dtype=bool)
            codes = frame["product"].cat.codes.to_numpy()
            return (codes >= 0) & frame["product"].cat.categories.isin(self.products)[codes]
        return chunk

    def pooled(self) -> pd.DataFrame:
        """The demand of every row pooled over products (see :func:`meio.data.reachability.pooled_demand`),
        the chunks' totals added and in the order one pass over the whole file gives (by the keys'
        order of first appearance, blank first), so the warnings do not depend on the chunk size."""
        if len(self.pooled_parts) == 1:
            return self.pooled_parts[0]
        parts = pd.concat(self.pooled_parts, ignore_index=True)
        summed = parts.groupby(list(POOLED_KEYS), sort=False, dropna=False)["quantity"].sum().reset_index()
        ranks = [summed[key].map({name: rank for rank, name in enumerate(self.orders[key])}).fillna(-1).to_numpy()
                 for key in POOLED_KEYS]
        order = np.lexsort(ranks[::-1])
        return summed.iloc[order].assign(product="*")[["product", *POOLED_KEYS, "quantity"]].reset_index(drop=True)

    def scenario_order(self) -> list[str]:
        """The scenarios of demand.csv in order of first appearance."""
        return list(self.scenarios)

    def _add(self, table: Table, frame: pd.DataFrame) -> None:
        small = {name: part for name, part in self.small.items() if part is not None}
        if all(name in small for name in ("products", "nodes", "zones", "speeds")):  # else already refused
            self.references[table.name] += reference_violations(frame, table, known_ids(small), small)
            if table.name == "inventory":
                self.categories += category_violations(frame, small)
        if table.name == "demand":
            self.pooled_parts.append(pooled_demand(frame))
            for key, order in self.orders.items():
                order.update(dict.fromkeys(frame[key].cat.categories))
            self.scenarios.update(dict.fromkeys(_first_seen(frame["scenario"])))
            self.demand_rows += len(frame)


def _first_seen(values: pd.Series) -> list[str]:
    """Distinct identifiers in order of first appearance."""
    codes = pd.unique(values.cat.codes.to_numpy())
    return [values.cat.categories[int(c)] for c in codes if c >= 0]
