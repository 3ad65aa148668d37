"""Run methods x backends over a suite and compare every run with the member's stored reference.

A run is *flagged* when it claims more than is true: a lower bound above the reference optimum
or a plan cheaper than it (beyond :data:`FLAG_TOLERANCE`); a plan for an instance whose
reference is infeasible is a plan cheaper than +inf, and a proof of infeasibility of a feasible
one a bound above it.

A member whose reference carries model variants (``variants`` of its ``reference.toml``) is
solved with them by every method: the built-in ones through :func:`meio.solve.solve`, a
pluggable one only when it declares that it takes variants (:func:`meio.methods.takes_variants`);
any other method is not run on that member, and its row has status :data:`NOT_RUN` and says why
(it is never run on the model without the variants, whose optimum is not the reference).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from meio.data import load_instance
from meio.data.instance import Instance
from meio.decomposition import DecompositionConfig
from meio.errors import MeioError, OptionError
from meio.models.build import ModelVariant
from meio.models.variants import resolve_variants
from meio.solve import check_method_backend, method_takes_variants, solve
from meio.solvers import SolveOptions
from meio.suite.members import Member

#: Relative tolerance (of max(1, |reference|)) before a bound or an objective is flagged.
FLAG_TOLERANCE = 1e-6
BOUND_ABOVE = "bound_above_reference"
OBJECTIVE_BELOW = "objective_below_reference"
#: Status of a run whose method raised a meio error (a solver failure), unlike a result's own statuses.
FAILED = "failed"
#: Status of a run not made: a method that takes no model variants on a member whose reference carries some.
NOT_RUN = "not_run"
#: The decomposition's configuration in a benchmark: no live progress line (the benchmark shows its own).
QUIET_DECOMPOSITION = DecompositionConfig(progress=False)


@dataclass(frozen=True)
class Run:
    """One method on one backend on one member: what it reports, and how it compares."""

    instance: str
    method: str
    backend: str
    status: str
    objective: float
    lower_bound: float
    reference: float
    relative_error: float
    seconds: float
    iterations: int | None
    flag: str
    message: str = ""


def relative_error(objective: float, reference: float) -> float:
    """(objective - reference) / max(1, |reference|): positive for a plan dearer than the optimum."""
    return (objective - reference) / max(1.0, abs(reference))


def flags(objective: float, lower_bound: float, reference: float) -> str:
    """The claims of a run that the reference refutes, ``;``-separated ("" when none or no reference)."""
    if math.isnan(reference):
        return ""
    slack = FLAG_TOLERANCE * max(1.0, abs(reference)) if math.isfinite(reference) else 0.0
    found = []
    if not math.isnan(lower_bound) and lower_bound > reference + slack:
        found.append(BOUND_ABOVE)
    if math.isfinite(objective) and objective < reference - slack:
        found.append(OBJECTIVE_BELOW)
    return ";".join(found)


def member_variants(member: Member) -> list[ModelVariant]:
    """The model variants of a member's reference, parsed (:class:`OptionError` naming the member)."""
    if member.reference is None or not member.reference.variants:
        return []
    try:
        return resolve_variants(member.reference.variants)
    except OptionError as error:
        raise OptionError(f"{member.name}: reference.toml: {error}") from error


def load_member(member: Member) -> Instance:
    """A member's instance, loaded without a word (its warnings are its ``notes``)."""
    return load_instance(member.path)


def run_benchmark(members: Sequence[Member], methods: Sequence[str], backends: Sequence[str],
                  options: SolveOptions, progress: Callable[[int, int, Run], None] | None = None,
                  load: Callable[[Member], Instance] = load_member) -> list[Run]:
    """Every method on every backend over ``members`` (methods, backends and the members' variants
    are checked before anything runs); ``progress`` is called after each run with its position,
    the total and the run; ``load`` loads each member's instance (the CLI's prints its warnings)."""
    for method in methods:
        for backend in backends:
            check_method_backend(method, backend)
    variants = {member.name: member_variants(member) for member in members}
    takes = {method: method_takes_variants(method) for method in methods}
    total, runs = len(members) * len(methods) * len(backends), []
    for member in members:
        instance = load(member)
        reference = member.reference.value if member.reference is not None else math.nan
        for method in methods:
            for backend in backends:
                if variants[member.name] and not takes[method]:
                    run = _not_run(member, method, backend, reference)
                else:
                    run = _run(member.name, instance, method, backend, options, variants[member.name], reference)
                runs.append(run)
                if progress is not None:
                    progress(len(runs), total, run)
    return runs


def _not_run(member: Member, method: str, backend: str, reference: float) -> Run:
    texts = ", ".join(member.reference.variants) if member.reference is not None else ""
    return Run(member.name, method, backend, NOT_RUN, math.nan, math.nan, reference, math.nan, 0.0, None, "",
               f"not run: the reference carries model variants ({texts}) and the method does not declare that "
               "it takes them (meio.methods.takes_variants)")


def _run(name: str, instance: Instance, method: str, backend: str, options: SolveOptions,
         variants: list[ModelVariant], reference: float) -> Run:
    start = time.perf_counter()
    try:
        result = solve(instance, method, backend, options, variants=variants, config=QUIET_DECOMPOSITION)
    except MeioError as error:  # a failed solve is a row of the table, not the end of the benchmark
        return Run(name, method, backend, FAILED, math.nan, math.nan, reference, math.nan,
                   time.perf_counter() - start, None, "", str(error))
    seconds = time.perf_counter() - start
    iterations = result.details.get("iterations")
    deviation = (relative_error(result.objective, reference)
                 if math.isfinite(result.objective) and math.isfinite(reference) else math.nan)
    return Run(name, method, backend, result.status.value, result.objective, result.lower_bound, reference, deviation,
               seconds, iterations if isinstance(iterations, int) else None,
               flags(result.objective, result.lower_bound, reference), result.message)
