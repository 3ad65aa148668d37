"""``salvage``: leftover units are worth a fraction of their unit cost (an objective variant)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pyomo.environ as pyo

from meio.models.build import BuiltModel
from meio.models.variants.base import BuiltinVariant, component_name, param


@dataclass(frozen=True)
class Salvage(BuiltinVariant):
    """Adds -sum_s w_s f unit_cost_p (y[p,n] - shipped from n in s) to the objective.

    With weights summing to 1 this is -f sum_A unit_cost_p y[p,n] + f sum w_s unit_cost_p x[p,r,c,s].
    """

    name: ClassVar[str] = "salvage"
    summary: ClassVar[str] = "leftover units are worth `fraction` of their unit cost (an objective term)"
    formula: ClassVar[str] = ("cost += - sum_s w_s sum_{(p,n) in A} fraction unit_cost_p (y[p,n] - sum_{(r,c): "
                              "origin(r) = n} x[p,r,c,s])")

    fraction: float = param("value of a leftover unit as a fraction f of its unit cost, in [0, 1]")

    def apply(self, built: BuiltModel) -> None:
        self.require(0 <= self.fraction <= 1, f"fraction must be in [0, 1], got {self.fraction}")
        m, index = built.model, built.index
        cost = built.instance.products["unit_cost"]
        y, x = index.y, index.x
        x_cost = cost.loc[x["product"]].to_numpy(float) * x["weight"].to_numpy(float)
        value = (pyo.quicksum(float(c) * m.y[p, n] for p, n, c in zip(y["product"], y["node"], y["unit_cost"]) if c)
                 - pyo.quicksum(float(c) * m.x[k] for k, c in
                                zip(zip(x["product"], x["route"], x["class"], x["scenario"]), x_cost) if c))
        built.add_cost(component_name(built, self.name), -self.fraction * value)
