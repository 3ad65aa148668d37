"""Explain an infeasible instance: which linking constraints cannot be met, and by how much.

Per-product constraints can always be met (nothing bought, all demand unmet), so an
infeasible instance is one whose linking constraints conflict. The elastic model adds a
slack to every linking row and minimises the total (scaled) violation; rows left with a
positive slack are the ones that cannot be met.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyomo.environ as pyo

from meio.data.instance import Instance
from meio.models.build import ModelVariant, build_model
from meio.models.linking import LinkingKind, LinkingRow
from meio.solvers.base import Backend, SolveOptions

VIOLATION_TOLERANCE = 1e-6


def explain_infeasibility(instance: Instance, backend: Backend, options: SolveOptions,
                          variants: Sequence[ModelVariant] = ()) -> str:
    """A message naming each linking constraint that cannot be met and its minimum violation."""
    built = build_model(instance, integer=False, variants=variants)
    model, rows = built.model, built.linking
    model.violation = pyo.Var(range(len(rows)), within=pyo.NonNegativeReals)
    model.elastic = pyo.ConstraintList()
    for i, row in enumerate(rows):
        row.constraint.deactivate()
        model.elastic.add(row.constraint.body - model.violation[i] <= row.constraint.upper)
    model.cost.deactivate()
    scale = [max(1.0, abs(row.capacity)) for row in rows]
    model.total_violation = pyo.Objective(expr=pyo.quicksum(model.violation[i] / scale[i] for i in range(len(rows))))
    outcome = backend.solve(built, options)
    if not outcome.status.has_solution:
        return ("the instance is infeasible even with every linking constraint relaxed: "
                "a constraint added by a model variant cannot be met")
    broken = [(row, pyo.value(model.violation[i])) for i, row in enumerate(rows)
              if pyo.value(model.violation[i]) > VIOLATION_TOLERANCE * scale[i]]
    lines = [_describe(instance, row, amount) for row, amount in broken]
    return "the linking constraints cannot all be met:\n" + "\n".join(f"  - {line}" for line in lines)


def _describe(instance: Instance, row: LinkingRow, amount: float) -> str:
    if row.kind is LinkingKind.STORAGE:
        on_hand = instance.inventory[instance.inventory["node"] == row.node]
        volume = float((on_hand["on_hand"].to_numpy()
                        * instance.products.loc[on_hand["product"], "unit_volume"].to_numpy()).sum())
        reason = (f" (on-hand stock alone occupies {volume:g})" if volume > row.capacity else "")
        return f"{row.label}: storage capacity {row.capacity:g} at node '{row.node}' is short by {amount:g}{reason}"
    if row.kind is LinkingKind.SERVICE:
        target = instance.speeds.at[row.speed, "fill_rate_target"]
        return (f"{row.label}: fill-rate target {target:g} of speed '{row.speed}' is above what the network "
                f"can serve on time (short by {amount:g} expected units)")
    return f"{row.label}: {row.kind.value} capacity {row.capacity:g} is short by {amount:g}"
