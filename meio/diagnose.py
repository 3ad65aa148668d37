"""Explain an infeasible instance: which linking constraints cannot be met, and by how much.

Per-product constraints can always be met (nothing bought, all demand unmet), so an
infeasible instance is one whose linking constraints conflict. The elastic model adds a
slack to every linking row and minimises the total (scaled) violation; rows left with a
positive slack are the ones that cannot be met.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyomo.environ as pyo

from meio.data.instance import Instance
from meio.decomposition.structure import variant_linking_rows
from meio.models.build import ModelVariant, build_model
from meio.models.linking import LinkingKind, LinkingSpec
from meio.solvers.base import Backend, SolveOptions, Termination

VIOLATION_TOLERANCE = 1e-6


def explain_infeasibility(instance: Instance, backend: Backend, options: SolveOptions,
                          variants: Sequence[ModelVariant] = ()) -> str:
    """A message naming each linking constraint that cannot be met and its minimum violation."""
    built = build_model(instance, integer=False, variants=variants)
    model, rows = built.model, [*built.linking, *variant_linking_rows(built, variants)]
    model.violation = pyo.Var(range(len(rows)), within=pyo.NonNegativeReals)
    model.elastic = pyo.ConstraintList()
    for i, row in enumerate(rows):
        row.constraint.deactivate()
        model.elastic.add(row.sign * row.constraint.body - model.violation[i] <= row.capacity)
    model.cost.deactivate()
    scale = violation_scale(np.array([row.capacity for row in rows], dtype=float))
    model.total_violation = pyo.Objective(expr=pyo.quicksum(model.violation[i] / scale[i] for i in range(len(rows))))
    outcome = backend.solve(built, options)
    if outcome.termination is not Termination.OPTIMAL:
        if outcome.termination is Termination.INFEASIBLE:
            return ("the instance is infeasible even with every linking constraint relaxed: "
                    "a constraint added by a model variant cannot be met")
        return f"the instance is infeasible; finding which linking constraints fail did not finish: {outcome.message}"
    return describe_violations(instance, rows, np.array([pyo.value(model.violation[i]) for i in range(len(rows))]))


def violation_scale(capacity: np.ndarray) -> np.ndarray:
    """The size max(1, |b_i|) a row's violation is measured against: the weights of the least
    total violation that both methods minimise (the elastic model here, phase one of the
    decomposition), so that they name the same rows with the same shortfalls."""
    return np.maximum(1.0, np.abs(capacity))


def describe_violations(instance: Instance, rows: Sequence[LinkingSpec], violation: np.ndarray) -> str:
    """The message of an infeasible instance: each linking row whose least violation is positive."""
    scale = violation_scale(np.array([row.capacity for row in rows], dtype=float))
    lines = [_describe(instance, row, float(amount)) for row, amount, size in zip(rows, violation, scale)
             if amount > VIOLATION_TOLERANCE * size]
    return "the linking constraints cannot all be met:\n" + "\n".join(f"  - {line}" for line in lines)


def _describe(instance: Instance, row: LinkingSpec, amount: float) -> str:
    if row.kind is LinkingKind.STORAGE:
        on_hand = instance.inventory[instance.inventory["node"] == row.node]
        volume = float((on_hand["on_hand"].to_numpy()
                        * instance.products.loc[on_hand["product"], "unit_volume"].to_numpy()).sum())
        reason = (f" (on-hand stock alone occupies {volume:.6g})" if volume > row.capacity else "")
        return (f"{row.label}: storage capacity {row.capacity:.6g} at node '{row.node}' is short by "
                f"{amount:.6g}{reason}")
    if row.kind is LinkingKind.SERVICE:
        target = float(instance.speeds["fill_rate_target"].loc[str(row.speed)])
        return (f"{row.label}: fill-rate target {target:g} of speed '{row.speed}' is above what the network "
                f"can serve on time (short by {amount:.6g} expected units)")
    if row.kind is LinkingKind.VARIANT:
        return f"{row.label}: the model variant's row ({row.sense.value} {row.rhs:.6g}) is short by {amount:.6g}"
    return f"{row.label}: {row.kind.value} capacity {row.capacity:.6g} is short by {amount:.6g}"
