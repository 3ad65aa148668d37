"""Explain an infeasible instance: which linking constraints cannot be met, and by how much.

Per-product constraints can always be met (nothing bought, all demand unmet), so an
infeasible instance is one whose linking constraints conflict. The elastic model adds a
slack s_i >= 0 to every linking row and minimises the total scaled violation

    T* = min sum_i s_i / scale_i,   scale_i = max(1, |b_i|).

T* is unique, but the split of the violation among the rows usually is not (a shortfall
can often be moved between a throughput row and a service target), so two solvers, or the
two methods, would name different rows. The split reported is the *lexicographically least*
one among those of total T*, in the order the rows are listed (storage, inbound,
throughput, service, then the variants' rows): the least violation of the first row,
then, with that fixed, of the second, and so on. It is unique, so every backend and both
methods report the same rows with the same shortfalls; read in that order, a capacity is
said to be short only by what no service target could take instead. It is computed by
HiGHS whatever the backend (one LP re-solved from its basis for each row that is still
violated when its turn comes; the others keep the 0 they have), on the elastic model with
its total bounded by T*.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo

from meio.data.instance import Instance
from meio.decomposition.structure import variant_linking_rows
from meio.models.build import BuiltModel, ModelVariant, build_model
from meio.models.linking import LinkingKind, LinkingSpec, violation_scale
from meio.solvers.base import Backend, SolveOptions, Termination
from meio.solvers.highs import new_highs, to_highs_lp
from meio.solvers.matrix import compile_matrix

VIOLATION_TOLERANCE = 1e-6
#: Slack of the canonical split's LPs: its total may exceed T*, and a row its least, by this (relative).
FACE_TOLERANCE = 1e-7


@dataclass
class ElasticModel:
    """The model with every linking row relaxed by a slack ``violation[i]`` and the total
    scaled violation as its objective."""

    built: BuiltModel
    rows: Sequence[LinkingSpec]
    scale: np.ndarray

    def violation(self) -> np.ndarray:
        return np.array([pyo.value(self.built.model.violation[i]) for i in range(len(self.rows))])


def elastic_model(instance: Instance, variants: Sequence[ModelVariant] = ()) -> ElasticModel:
    """Build the elastic model of ``instance`` (with the model ``variants``)."""
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
    return ElasticModel(built, rows, scale)


def explain_infeasibility(instance: Instance, backend: Backend, options: SolveOptions,
                          variants: Sequence[ModelVariant] = ()) -> str:
    """A message naming each linking constraint that cannot be met and its violation in the
    canonical split of the least total violation (the same for every backend and method), all
    within ``options.time_limit``."""
    start = time.perf_counter()
    elastic = elastic_model(instance, variants)
    outcome = backend.solve(elastic.built, options.remaining(time.perf_counter() - start))
    if outcome.termination is not Termination.OPTIMAL:
        if outcome.termination is Termination.INFEASIBLE:
            return ("the instance is infeasible even with every linking constraint relaxed: "
                    "a constraint added by a model variant cannot be met")
        return f"the instance is infeasible; finding which linking constraints fail did not finish: {outcome.message}"
    violation = lexicographic_split(elastic, float(elastic.violation() @ (1.0 / elastic.scale)),
                                    options.remaining(time.perf_counter() - start))
    if violation is None:
        return (describe_violations(instance, elastic.rows, elastic.violation())
                + "\n  (the canonical split did not finish, at the time limit or by a HiGHS failure: this split "
                "among the rows is the solver's own and may differ between backends)")
    return describe_violations(instance, elastic.rows, violation)


def lexicographic_split(elastic: ElasticModel, least_total: float, options: SolveOptions) -> np.ndarray | None:
    """The violation vector, among those of total ``least_total``, that is lexicographically
    least in the rows' order (see the module's docstring); None if HiGHS fails on the way or
    ``options.time_limit`` (for the whole split) runs out."""
    form = compile_matrix(elastic.built.model)
    position = {id(var): j for j, var in enumerate(form.variables)}
    columns = np.array([position[id(elastic.built.model.violation[i])] for i in range(len(elastic.rows))],
                       dtype=np.int32)
    deadline = math.inf if options.time_limit is None else time.perf_counter() + options.time_limit
    highs = new_highs()
    highs.passModel(to_highs_lp(form, integer=False))
    highs.addRow(-highspy.kHighsInf, least_total * (1.0 + FACE_TOLERANCE) + FACE_TOLERANCE, len(columns), columns,
                 1.0 / elastic.scale)
    highs.changeColsCost(len(form.c), np.arange(len(form.c), dtype=np.int32), np.zeros(len(form.c)))
    slack = FACE_TOLERANCE * elastic.scale
    point: np.ndarray | None = None
    for i, column in enumerate(columns):
        if point is not None and point[column] <= slack[i]:  # its least is 0: this point has it
            highs.changeColBounds(column, 0.0, slack[i])
            continue
        if time.perf_counter() >= deadline:
            return None
        highs.setOptionValue("time_limit", min(highspy.kHighsInf, deadline - time.perf_counter()))
        highs.changeColCost(column, 1.0)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        point = np.asarray(highs.getSolution().col_value)
        highs.changeColCost(column, 0.0)
        highs.changeColBounds(column, 0.0, max(0.0, point[column]) + slack[i])
    return np.maximum(0.0, point[columns]) if point is not None else np.zeros(len(columns))


def describe_violations(instance: Instance, rows: Sequence[LinkingSpec], violation: np.ndarray) -> str:
    """The message of an infeasible instance: the least total scaled violation and each linking
    row with a positive share of it."""
    scale = violation_scale(np.array([row.capacity for row in rows], dtype=float))
    lines = [_describe(instance, row, float(amount)) for row, amount, size in zip(rows, violation, scale)
             if amount > VIOLATION_TOLERANCE * size]
    total = float(violation @ (1.0 / scale))
    return (f"the linking constraints cannot all be met (least total violation {total:.6g}, each row's "
            "counted against max(1, |capacity|)):\n" + "\n".join(f"  - {line}" for line in lines))


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
