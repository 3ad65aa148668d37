"""OR-Tools: GLOP for the LP (with duals), SCIP for ``integer_stock``; fed from the compiled matrix."""

from __future__ import annotations

import math
import time

import numpy as np
from ortools.linear_solver import pywraplp

from meio.models.build import BuiltModel
from meio.solvers.base import BackendOutcome, SolveOptions, Status
from meio.solvers.matrix import MatrixForm, compile_matrix

_STATUS = {
    pywraplp.Solver.OPTIMAL: Status.OPTIMAL,
    pywraplp.Solver.FEASIBLE: Status.FEASIBLE,
    pywraplp.Solver.INFEASIBLE: Status.INFEASIBLE,
    pywraplp.Solver.UNBOUNDED: Status.UNBOUNDED,
}


class OrtoolsBackend:
    """Solve the compiled model with OR-Tools' GLOP (LP) or SCIP (MIP)."""

    name = "ortools"
    supports_integer = True
    supports_duals = True

    def solve(self, built: BuiltModel, options: SolveOptions) -> BackendOutcome:
        form = compile_matrix(built.model)
        solver = pywraplp.Solver.CreateSolver("SCIP" if built.integer else "GLOP")
        if options.time_limit is not None:
            solver.SetTimeLimit(int(options.time_limit * 1000))
        if options.verbose:
            solver.EnableOutput()
        variables, rows = _load(solver, form)
        parameters = pywraplp.MPSolverParameters()
        if built.integer:
            parameters.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, options.mip_gap)
        start = time.perf_counter()
        code = solver.Solve(parameters)
        seconds = time.perf_counter() - start
        status = _STATUS.get(code, Status.ERROR)
        if not status.has_solution:
            return BackendOutcome(status, math.nan, math.nan, seconds, message=f"OR-Tools status {code}")
        if status is Status.FEASIBLE and options.time_limit is not None and seconds >= options.time_limit * 0.99:
            status = Status.TIME_LIMIT
        for pyomo_var, var in zip(form.variables, variables):
            pyomo_var.set_value(var.solution_value(), skip_validation=True)
        objective = solver.Objective().Value() + form.offset
        if built.integer:
            bound = solver.Objective().BestBound() + form.offset
            return BackendOutcome(status, objective, min(bound, objective), seconds)
        duals = {con: row.dual_value() for con, row in zip(form.constraints, rows)}
        return BackendOutcome(status, objective, objective, seconds, duals)


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
