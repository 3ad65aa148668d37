"""OR-Tools: GLOP for the LP (with duals), SCIP for ``integer_stock``; fed from the compiled matrix."""

from __future__ import annotations

import math
import time

import numpy as np
from ortools.linear_solver import pywraplp

from meio.models.build import BuiltModel
from meio.solvers.base import BackendOutcome, SolveOptions, Termination
from meio.solvers.check import checked_outcome
from meio.solvers.matrix import MatrixForm, compile_matrix

_TERMINATION = {
    pywraplp.Solver.OPTIMAL: Termination.OPTIMAL,
    pywraplp.Solver.INFEASIBLE: Termination.INFEASIBLE,
    pywraplp.Solver.UNBOUNDED: Termination.UNBOUNDED,
    pywraplp.Solver.ABNORMAL: Termination.NUMERICAL_FAILURE,
}
#: MPSolver's FEASIBLE and NOT_SOLVED mean "stopped by a limit" (the time limit is the only one set).
_STOPPED = (pywraplp.Solver.FEASIBLE, pywraplp.Solver.NOT_SOLVED)
_NAMES = {getattr(pywraplp.Solver, name): name for name in
          ("OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNBOUNDED", "ABNORMAL", "MODEL_INVALID", "NOT_SOLVED")}


#: Longest time limit passed to OR-Tools (its limit is an int64 of milliseconds): about 31 years.
MAX_SECONDS = 1e9


def milliseconds(seconds: float) -> int:
    """A time limit in OR-Tools' unit, capped so that a huge limit means "none" instead of overflowing,
    and at least 1 (OR-Tools reads 0 as no limit)."""
    return max(1, int(min(seconds, MAX_SECONDS) * 1000))


class OrtoolsBackend:
    """Solve the compiled model with OR-Tools' GLOP (LP) or SCIP (MIP)."""

    name = "ortools"
    supports_integer = True
    supports_duals = True

    def solve(self, built: BuiltModel, options: SolveOptions) -> BackendOutcome:
        loading = time.perf_counter()
        form = compile_matrix(built.model)
        solver = pywraplp.Solver.CreateSolver("SCIP" if built.integer else "GLOP")
        if options.verbose:
            solver.EnableOutput()
        variables, rows = _load(solver, form)
        left = options.remaining(time.perf_counter() - loading).time_limit  # compiling and loading count too
        if left is not None:
            solver.SetTimeLimit(milliseconds(left))
        parameters = pywraplp.MPSolverParameters()
        if built.integer:
            parameters.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, options.mip_gap)
        start = time.perf_counter()
        code = solver.Solve(parameters)
        seconds = time.perf_counter() - start
        if code in _STOPPED:
            termination = Termination.TIME_LIMIT if options.time_limit is not None else Termination.SOLVER_ERROR
        else:
            termination = _TERMINATION.get(code, Termination.SOLVER_ERROR)
        has_point = code in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE)
        x = np.array([var.solution_value() for var in variables], dtype=float) if has_point else None
        bound = solver.Objective().BestBound() + form.offset if built.integer and has_point else math.nan
        duals = [row.dual_value() for row in rows] if code == pywraplp.Solver.OPTIMAL and not built.integer else None
        outcome = checked_outcome(built, form, termination, x, bound, seconds, duals)
        if termination not in (Termination.OPTIMAL, Termination.INFEASIBLE):
            status = f"OR-Tools ({'SCIP' if built.integer else 'GLOP'}) ended with status {_NAMES.get(code, code)}"
            outcome.message = f"{status}: {outcome.message}" if outcome.message else status
        return outcome


def _load(solver: pywraplp.Solver, form: MatrixForm) -> tuple[list, list]:
    """Create the columns, rows and objective of ``form`` in an OR-Tools solver."""
    infinity = solver.infinity()

    def finite(value: float) -> float:
        return value if np.isfinite(value) else math.copysign(infinity, value)

    variables = [
        (solver.IntVar if is_int else solver.NumVar)(finite(lo), finite(hi), f"v{j}")
        for j, (lo, hi, is_int) in enumerate(zip(form.lower, form.upper, form.integer))
    ]
    rows = []
    A = form.A
    for i in range(A.shape[0]):
        row = solver.RowConstraint(finite(form.row_lower[i]), finite(form.row_upper[i]), f"r{i}")
        for j, value in zip(A.indices[A.indptr[i]:A.indptr[i + 1]], A.data[A.indptr[i]:A.indptr[i + 1]]):
            row.SetCoefficient(variables[j], float(value))
        rows.append(row)
    objective = solver.Objective()
    for j in np.flatnonzero(form.c):
        objective.SetCoefficient(variables[j], float(form.c[j]))
    objective.SetMinimization()
    return variables, rows
