"""``max_stock``: an upper limit on the stock of each chosen stocking pair."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from meio.models.build import BuiltModel
from meio.models.variants.base import BuiltinVariant, add_rows, pairs, param


@dataclass(frozen=True)
class MaxStock(BuiltinVariant):
    """y[p,n] <= units for the pairs (p, n) in A that match every filter given."""

    name: ClassVar[str] = "max_stock"
    summary: ClassVar[str] = "at most `units` in stock per stocking pair, for a node, a node kind and/or a product"
    formula: ClassVar[str] = ("y[p,n] <= units   for (p,n) in A with n = node, kind(n) = kind, p = product "
                              "(each if given)")

    units: float = param("largest stock of one product at one node")
    node: str | None = param("only this node", None)
    kind: str | None = param("only nodes of this kind (nodes.csv's kind)", None)
    product: str | None = param("only this product", None)

    def apply(self, built: BuiltModel) -> None:
        self.check_finite(units=self.units)
        table = pairs(built)
        self.check_known(self.node, table["node"], "stocking node")
        self.check_known(self.kind, table["kind"], "node kind")
        self.check_known(self.product, table["product"], "stocked product")
        for column in ("node", "kind", "product"):
            value = getattr(self, column)
            if value is not None:
                table = table[table[column] == value]
        self.require(len(table) > 0, "no stocking pair matches the filters")
        y = built.model.y
        add_rows(built, self.name, {(p, n): y[p, n] <= self.units for p, n in zip(table["product"], table["node"])})
