"""``budget``: the total purchase spend is limited (a row over every product)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pyomo.environ as pyo

from meio.models.build import BuiltModel
from meio.models.variants.base import BuiltinVariant, component_name, param


@dataclass(frozen=True)
class Budget(BuiltinVariant):
    """sum over A of unit_cost_p (y[p,n] - on_hand[p,n]) <= amount."""

    name: ClassVar[str] = "budget"
    summary: ClassVar[str] = "total purchase spend at most `amount` (links every product)"
    formula: ClassVar[str] = "sum_{(p,n) in A} unit_cost_p (y[p,n] - on_hand[p,n]) <= amount"

    amount: float = param("largest total purchase spend B")

    def apply(self, built: BuiltModel) -> None:
        self.check_finite(amount=self.amount)
        m, y = built.model, built.index.y
        spend = pyo.quicksum(float(c) * (m.y[p, n] - m.on_hand[p, n])
                             for p, n, c in zip(y["product"], y["node"], y["unit_cost"]) if c)
        m.add_component(component_name(built, self.name), pyo.Constraint(expr=spend <= self.amount))
