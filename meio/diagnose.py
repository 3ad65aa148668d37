"""Explain an infeasible instance: which linking constraints cannot be met, and by how much.

Per-product constraints can always be met (nothing bought, all demand unmet), so an
infeasible instance is one whose linking constraints conflict. The elastic model adds a
slack s_i >= 0 to every linking row and minimises the total scaled violation

    T* = min sum_i s_i / scale_i,   scale_i = max(1, |b_i|).

T* is unique, but the split of the violation among the rows usually is not (a shortfall
can often be moved between a throughput row and a service target), so two solvers, or the
two methods, would name different rows. The split reported is fixed by a rule instead:

1. by kind, in the order the rows are listed (storage, inbound, throughput, service, then
   the variants' rows), each kind's total scaled violation at its least given the kinds
   before it (so a capacity is said to be short only by what no later kind, such as a
   service target, could take instead);
2. within the kinds, the split that minimises sum_i w_i s_i / scale_i, with a weight
   w_i in [1, 2) fixed by the row's label (:func:`tie_weights`): generic, so that LP has
   a single optimum.

HiGHS computes T* and the split whatever the backend of the solve that found the instance
infeasible (a split computed from each backend's own T*, equal to 9 digits, can differ): one
LP for T*, one per kind that still has violation when its turn comes, and the last one, each
re-solved from the previous basis with the total capped at T*.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo

from meio.data.instance import Instance
from meio.decomposition.structure import variant_linking_rows
from meio.models.build import BuiltModel, ModelVariant, build_model
from meio.models.linking import LinkingKind, LinkingSpec, violation_scale
from meio.solvers.base import SolveOptions
from meio.solvers.highs import new_highs, to_highs_lp
from meio.solvers.matrix import MatrixForm, compile_matrix

VIOLATION_TOLERANCE = 1e-6
#: HiGHS's ``simplex_strategy`` for primal simplex.
PRIMAL_SIMPLEX = 4
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


def explain_infeasibility(instance: Instance, options: SolveOptions, variants: Sequence[ModelVariant] = ()) -> str:
    """A message naming each linking constraint that cannot be met and its violation in the
    canonical split of the least total violation (the same whatever the method and backend
    of the solve that found the instance infeasible), all within ``options.time_limit``."""
    start = time.perf_counter()
    elastic = elastic_model(instance, variants)
    split = canonical_split(elastic, options.remaining(time.perf_counter() - start))
    if split.violation is None:
        # the total violation is bounded below by 0, so "infeasible or unbounded" is infeasible
        if split.status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return ("the instance is infeasible even with every linking constraint relaxed: "
                    "a constraint added by a model variant cannot be met")
        return ("the instance is infeasible; finding which linking constraints fail did not finish: HiGHS ended "
                f"with status '{split.reason}'")
    message = describe_violations(instance, elastic.rows, split.violation)
    if split.status != highspy.HighsModelStatus.kOptimal:
        message += (f"\n  (HiGHS's own split among the rows: the canonical one did not finish ({split.reason}), so "
                    "this one may differ from another run's)")
    return message


@dataclass
class Split:
    """What the describer's LPs gave: ``violation`` is the canonical split when ``status`` is
    optimal, the first least-violation point HiGHS found when a later LP stopped, None when
    the first did; ``reason`` is HiGHS's word for ``status``."""

    violation: np.ndarray | None
    status: highspy.HighsModelStatus
    reason: str


def canonical_split(elastic: ElasticModel, options: SolveOptions) -> Split:
    """The least total violation T* and its split by the rule of the module's docstring: each
    kind's total, in the rows' order of kinds, at its least given the kinds before it; then the
    split within the kinds that minimises the fixed weighting :func:`tie_weights`. All LPs are
    HiGHS's (whatever the backend), re-solved from the previous basis within
    ``options.time_limit``."""
    form = compile_matrix(elastic.built.model)
    position = {id(var): j for j, var in enumerate(form.variables)}
    columns = np.array([position[id(elastic.built.model.violation[i])] for i in range(len(elastic.rows))],
                       dtype=np.int32)
    lp = _SplitLP(form, options)
    point = lp.minimise(columns, 1.0 / elastic.scale)
    if point is None:
        return Split(None, lp.status, lp.reason)
    lp.cap(columns, 1.0 / elastic.scale, float(point[columns] @ (1.0 / elastic.scale)))
    slack = FACE_TOLERANCE * elastic.scale
    kinds = np.array([row.kind.value for row in elastic.rows])
    for kind in dict.fromkeys(kinds):  # the kinds in the rows' order
        group = np.flatnonzero(kinds == kind)
        if np.all(point[columns[group]] <= slack[group]):  # its least is 0: this point has it
            lp.highs.changeColsBounds(len(group), columns[group], np.zeros(len(group)), slack[group])
            continue
        better = lp.minimise(columns[group], 1.0 / elastic.scale[group])
        if better is None:
            break
        point = better
        lp.cap(columns[group], 1.0 / elastic.scale[group], float(point[columns[group]] @ (1.0 / elastic.scale[group])))
    else:  # every kind at its least: the split within them
        final = lp.minimise(columns, tie_weights(elastic.rows) / elastic.scale)
        point = point if final is None else final
    return Split(np.maximum(0.0, point[columns]), lp.status, lp.reason)


def tie_weights(rows: Sequence[LinkingSpec]) -> np.ndarray:
    """A weight in [1, 2) per row, fixed by its label (CRC-32): generic, so the LP that splits a
    kind's violation among its rows has one optimum, the same on every machine."""
    return 1.0 + np.array([zlib.crc32(row.label.encode()) for row in rows], dtype=float) / 2.0**32


class _SplitLP:
    """The elastic model loaded in HiGHS with no objective, for a few re-solves from its basis
    within one deadline; ``status`` and ``reason`` are those of the last solve."""

    def __init__(self, form: MatrixForm, options: SolveOptions) -> None:
        self.deadline = math.inf if options.time_limit is None else time.perf_counter() + options.time_limit
        self.highs = new_highs()
        self.highs.passModel(to_highs_lp(form, integer=False))
        self._costs(np.arange(len(form.c), dtype=np.int32), np.zeros(len(form.c)))
        self.status, self.reason = highspy.HighsModelStatus.kNotset, "not solved"

    def _costs(self, columns: np.ndarray, costs: np.ndarray) -> None:
        self.highs.changeColsCost(len(columns), columns.astype(np.int32), costs)

    def cap(self, columns: np.ndarray, weights: np.ndarray, total: float) -> None:
        """Add the row weights . x[columns] <= total (plus the tolerance)."""
        self.highs.addRow(-highspy.kHighsInf, total * (1.0 + FACE_TOLERANCE) + FACE_TOLERANCE, len(columns),
                          columns.astype(np.int32), weights)

    def minimise(self, columns: np.ndarray, weights: np.ndarray) -> np.ndarray | None:
        """The point minimising weights . x[columns], or None (failure or past the deadline)."""
        if time.perf_counter() >= self.deadline:
            self.status, self.reason = highspy.HighsModelStatus.kTimeLimit, "Time limit reached"
            return None
        self.highs.setOptionValue("time_limit", min(highspy.kHighsInf, self.deadline - time.perf_counter()))
        self._costs(columns, weights)
        self.highs.run()
        # the next LPs change costs only: the basis stays primal feasible, so primal simplex re-solves
        # in a few pivots where HiGHS's default (dual) takes thousands (0.1-0.6 s against 20-40 s)
        self.highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        self.status = self.highs.getModelStatus()
        self.reason = self.highs.modelStatusToString(self.status)
        solved = self.status == highspy.HighsModelStatus.kOptimal
        point = np.asarray(self.highs.getSolution().col_value) if solved else None
        self._costs(columns, np.zeros(len(columns)))  # a change clears HiGHS's status: read it first
        return point


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
