"""Check a solver's point against the model before calling it a plan, and turn it into an outcome.

A solver's "feasible" is a claim made at its own tolerances (and, for a solve stopped by a
limit, sometimes about a point it never verified). meio reports an objective only for a
point that meets every row, bound and integrality of the compiled model within
:data:`FEASIBILITY_TOLERANCE` (relative to the size of each row's terms), and computes that
objective itself as ``c x + offset``.
"""

from __future__ import annotations

import math

import numpy as np

from meio.models.build import BuiltModel
from meio.solvers.base import BackendOutcome, Termination
from meio.solvers.matrix import MatrixForm

#: Largest violation of a row, bound or integrality accepted, relative to max(1, size of its terms).
FEASIBILITY_TOLERANCE = 1e-6

#: What the user can change when a solve ends without an answer, by termination.
ADVICE = {
    Termination.TIME_LIMIT: "no plan was found within the time limit; raise --time-limit, "
                            "or use --method decomposition, which has a plan and a bound at every iteration",
    Termination.ITERATION_LIMIT: "no plan was found within the iteration limit; raise it",
    Termination.NUMERICAL_FAILURE: "the solver lost numerical accuracy; look for very large or very small values "
                                   "(costs, capacities, demand: `meio validate` warns about them), or try the "
                                   "other backend",
    Termination.SOLVER_ERROR: "the solver ended without an answer meio can use; try the other backend, and "
                              "check the instance's magnitudes with `meio validate`",
    Termination.UNBOUNDED: "the model is unbounded: a model variant makes cost decrease without limit",
}


def violation(form: MatrixForm, x: np.ndarray) -> str | None:
    """What ``x`` breaks in ``form`` (the worst row, bound or integrality), or None if nothing."""
    if len(x) != len(form.c) or not np.all(np.isfinite(x)):
        return "the solver returned no complete finite point"
    scale = np.maximum(1.0, np.abs(x))
    bound = np.maximum(_excess(form.lower, x, -1.0), _excess(form.upper, x, 1.0))
    if bound.size and bound.max() > FEASIBILITY_TOLERANCE:
        return f"column {form.variables[int(bound.argmax())].name} is outside its bounds"
    fractional = np.where(form.integer, np.abs(x - np.round(x)) / scale, 0.0)
    if fractional.size and fractional.max() > FEASIBILITY_TOLERANCE:
        return f"column {form.variables[int(fractional.argmax())].name} is not integer"
    activity = form.A @ x
    size = np.maximum(1.0, abs(form.A) @ np.abs(x))
    with np.errstate(invalid="ignore"):  # infinite row bounds give -inf, never NaN, but inf - inf warns
        excess = np.maximum(form.row_lower - activity, activity - form.row_upper) / size
    if excess.size and excess.max() > FEASIBILITY_TOLERANCE:
        return f"row {form.constraints[int(excess.argmax())].name} is violated"
    return None


def checked_outcome(built: BuiltModel, form: MatrixForm, termination: Termination, x: np.ndarray | None,
                    bound: float, seconds: float, duals: list[float] | None, message: str = "") -> BackendOutcome:
    """The outcome of a backend's solve: the point ``x`` becomes the plan (loaded into the Pyomo
    variables) only if it checks; the LP bound is the objective only at a checked optimum;
    ``bound`` (a MIP's dual bound) is kept when finite; duals only at an LP optimum."""
    broken = None if x is None else violation(form, x)
    if x is None or broken is not None:
        if termination is Termination.OPTIMAL:
            termination, message = Termination.NUMERICAL_FAILURE, f"the solver's optimum fails meio's check: {broken}"
        proven = bound if built.integer and math.isfinite(bound) else math.nan
        return BackendOutcome(termination, math.nan, proven, seconds,
                              message=message or ADVICE.get(termination, ""))
    for pyomo_var, value in zip(form.variables, x):
        pyomo_var.set_value(float(value), skip_validation=True)
    objective = float(form.c @ x) + form.offset
    if built.integer:
        proven = min(bound, objective) if math.isfinite(bound) else math.nan
        return BackendOutcome(termination, objective, proven, seconds, message=message)
    if termination is not Termination.OPTIMAL:
        return BackendOutcome(termination, objective, math.nan, seconds,
                              message=message or "the LP solver stopped before optimality: the plan is "
                                                 "feasible but no lower bound is proven")
    dual_map = dict(zip(form.constraints, duals)) if duals is not None else {}
    return BackendOutcome(termination, objective, objective, seconds, dual_map, message)


def _excess(limit: np.ndarray, x: np.ndarray, side: float) -> np.ndarray:
    """How far x lies beyond a column bound (``side`` 1: above upper, -1: below lower), relative to
    max(1, |bound|); -inf where the bound is infinite."""
    finite = np.isfinite(limit)
    at = np.where(finite, limit, 0.0)
    return np.where(finite, side * (x - at) / np.maximum(1.0, np.abs(at)), -np.inf)
