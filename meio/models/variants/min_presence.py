"""``min_presence``: every product a node of a kind may stock is there with at least k units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from meio.models.build import BuiltModel
from meio.models.variants.base import BuiltinVariant, add_rows, pairs, param


@dataclass(frozen=True)
class MinPresence(BuiltinVariant):
    """y[p,n] >= units for every pair (p, n) in A whose node is of ``kind``."""

    name: ClassVar[str] = "min_presence"
    summary: ClassVar[str] = ("at least `units` of every product at the nodes of a kind, for the products "
                              "each node may stock")
    formula: ClassVar[str] = "y[p,n] >= units   for (p,n) in A with kind(n) = kind"

    units: float = param("least stock of each product a node of the kind may stock")
    kind: str = param("node kind (nodes.csv's kind)")

    def apply(self, built: BuiltModel) -> None:
        self.check_finite(units=self.units)
        table = pairs(built)
        self.check_known(self.kind, table["kind"], "node kind with stocking pairs")
        table = table[table["kind"] == self.kind]
        y = built.model.y
        add_rows(built, self.name, {(p, n): y[p, n] >= self.units for p, n in zip(table["product"], table["node"])})
