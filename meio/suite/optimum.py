"""Compute an instance's reference optimum: the extensive form on both backends, which must agree."""

from __future__ import annotations

import math
from collections.abc import Sequence

from meio.data.instance import Instance
from meio.errors import SolverError
from meio.exact import model_size, solve_extensive
from meio.models import build_model
from meio.models.build import ModelVariant
from meio.models.variants import resolve_variants
from meio.results.result import Result
from meio.solvers import SolveOptions, Termination
from meio.suite.reference import Reference

#: The backends whose extensive solves make a reference, and how close they must agree (relative).
REFERENCE_BACKENDS = ("highs", "ortools")
AGREEMENT = 1e-9
#: Relative MIP gap of the reference MIP solves.
REFERENCE_MIP_GAP = 1e-9


def relative_difference(value: float, reference: float) -> float:
    """|value - reference| / max(1, |reference|); 0 for equal infinities."""
    if value == reference:
        return 0.0
    return abs(value - reference) / max(1.0, abs(reference))


def agreed_optimum(instance: Instance, integer: bool, variants: Sequence[ModelVariant] = ()) -> float:
    """The optimum both backends prove of the model with ``variants`` (+inf when both prove
    infeasibility); :class:`SolverError` when a backend proves neither or they differ by more than
    :data:`AGREEMENT`."""
    options = SolveOptions(mip_gap=REFERENCE_MIP_GAP)
    values = [_proven(solve_extensive(instance, backend, options, integer=integer, variants=variants))
              for backend in REFERENCE_BACKENDS]
    if relative_difference(values[0], values[1]) > AGREEMENT:
        raise SolverError(f"{instance.name}: the backends disagree on the {'MIP' if integer else 'LP'} optimum: "
                          + ", ".join(f"{b} {v!r}" for b, v in zip(REFERENCE_BACKENDS, values)))
    return values[0]


def compute_reference(instance: Instance, variants: Sequence[str] = ()) -> Reference:
    """The reference of ``instance`` with the model ``variants`` (texts such as ``budget:amount=500``,
    see :func:`meio.models.variants.parse_variant`): its LP optimum and, with ``integer_stock``, its
    MIP optimum; the texts are stored with it."""
    applied = resolve_variants(variants)
    lp = agreed_optimum(instance, integer=False, variants=applied)
    mip = (agreed_optimum(instance, integer=True, variants=applied)
           if instance.integer_stock and math.isfinite(lp) else None)
    size = model_size(build_model(instance, integer=False, variants=applied))
    return Reference(status="optimal" if math.isfinite(lp) else "infeasible", lp=lp,
                     mip=math.inf if instance.integer_stock and mip is None else mip,
                     variables=size["variables"], constraints=size["constraints"], variants=tuple(variants))


def _proven(result: Result) -> float:
    """A result's proven optimum: its objective when optimal, +inf when proven infeasible."""
    if result.termination is Termination.INFEASIBLE:
        return math.inf
    if result.termination is not Termination.OPTIMAL or result.gap > REFERENCE_MIP_GAP:
        raise SolverError(f"{result.instance}: {result.backend} proves no optimum ({result.status.value}): "
                          f"{result.message}")
    return result.objective
