"""``category_storage``: storage capacity for one category of products at a node (links products)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pyomo.environ as pyo

from meio.models.build import BuiltModel
from meio.models.variants.base import BuiltinVariant, add_rows, pairs, param


@dataclass(frozen=True)
class CategoryStorage(BuiltinVariant):
    """sum over products p of ``category`` of unit_volume_p y[p,n] <= capacity, per node."""

    name: ClassVar[str] = "category_storage"
    summary: ClassVar[str] = ("storage volume `capacity` for the products of `category` at each node (or one "
                              "node): links the products of the category")
    formula: ClassVar[str] = ("sum_{p: category(p) = category, (p,n) in A} unit_volume_p y[p,n] <= capacity"
                              "   for each node n (or n = node)")

    category: str = param("product category (products.csv's category)")
    capacity: float = param("storage volume of the category's products at one node")
    node: str | None = param("only this node (default: every node stocking the category)", None)

    def apply(self, built: BuiltModel) -> None:
        self.check_finite(capacity=self.capacity)
        table = pairs(built)
        self.check_known(self.category, table["category"], "stocked category")
        table = table[table["category"] == self.category]
        self.check_known(self.node, table["node"], f"node stocking category '{self.category}'")
        if self.node is not None:
            table = table[table["node"] == self.node]
        y = built.model.y
        rows = {node: pyo.quicksum(float(v) * y[p, node] for p, v in zip(group["product"], group["unit_volume"]))
                <= self.capacity for node, group in table.groupby("node", sort=True)}
        add_rows(built, self.name, rows)
