"""Any solver Pyomo can drive (``--backend pyomo:NAME``: glpk, cbc, gurobi, cplex, scip, ...).

The extensive form is handed to ``pyomo.environ.SolverFactory(NAME)``; the point it returns
is checked against the compiled model like every other backend's (:func:`checked_outcome`),
duals are read from Pyomo's ``dual`` suffix where the solver gives them (LPs), and a MIP's
bound is the ``lower_bound`` the solver reports, kept only when finite.
"""

from __future__ import annotations

import io
import math
import time

import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import ApplicationError
from pyomo.common.log import LoggingIntercept
from pyomo.opt import SolverStatus, TerminationCondition

from meio.errors import OptionError, SolverError
from meio.models.build import BuiltModel
from meio.solvers.base import BackendOutcome, SolveOptions, Termination
from meio.solvers.check import checked_outcome
from meio.solvers.matrix import compile_matrix

#: Pyomo's termination conditions that meio names; any other is a solver error.
_TERMINATION = {
    TerminationCondition.optimal: Termination.OPTIMAL,
    TerminationCondition.locallyOptimal: Termination.OPTIMAL,
    TerminationCondition.globallyOptimal: Termination.OPTIMAL,
    TerminationCondition.infeasible: Termination.INFEASIBLE,
    TerminationCondition.unbounded: Termination.UNBOUNDED,
    TerminationCondition.maxTimeLimit: Termination.TIME_LIMIT,
    TerminationCondition.maxIterations: Termination.ITERATION_LIMIT,
    TerminationCondition.feasible: Termination.COMPLETED,  # a plan, no proof (GLPK stopped at its MIP gap)
}

#: Said of a solver that ended at a feasible plan without a proven bound.
FEASIBLE_ONLY = ("the solver stopped at a feasible plan and reported no lower bound (GLPK does so when it stops "
                 "at the MIP gap); --mip-gap 0 makes it prove the optimum")

#: Option names of a time limit (seconds) and a relative MIP gap, for the solvers meio knows.
TIME_LIMIT_OPTION = {"glpk": "tmlim", "cbc": "sec", "gurobi": "TimeLimit", "cplex": "timelimit",
                     "scip": "limits/time", "highs": "time_limit"}
#: Solvers whose time limit is a whole number of seconds (rounded up).
WHOLE_SECONDS = ("glpk",)
MIP_GAP_OPTION = {"glpk": "mipgap", "cbc": "ratioGap", "gurobi": "MIPGap", "cplex": "mipgap",
                  "scip": "limits/gap", "highs": "mip_rel_gap"}


class PyomoBackend:
    """Solve the extensive form with the solver Pyomo knows as ``solver``."""

    supports_integer = True
    supports_duals = True

    def __init__(self, solver: str) -> None:
        if not solver:
            raise OptionError("--backend pyomo:NAME needs a solver name, e.g. pyomo:glpk")
        with LoggingIntercept(io.StringIO(), "pyomo"):  # Pyomo logs a traceback for an unknown name
            factory = pyo.SolverFactory(solver)
        if factory is None or not factory.available(exception_flag=False):
            raise OptionError(f"Pyomo cannot run the solver '{solver}' (not installed, or not on PATH)")
        self.solver, self.name = solver, f"pyomo:{solver}"

    def solve(self, built: BuiltModel, options: SolveOptions) -> BackendOutcome:
        loading = time.perf_counter()
        form = compile_matrix(built.model)
        model = built.model
        if not built.integer and model.component("dual") is None:
            model.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
        solver = pyo.SolverFactory(self.solver)  # compiling counts; Pyomo's writing of the file cannot
        solver.options.update(self._options(options.remaining(time.perf_counter() - loading), built.integer))
        start = time.perf_counter()
        try:
            results = solver.solve(model, load_solutions=False, tee=options.verbose)
        except ApplicationError as error:
            raise SolverError(f"{self.name} failed: {error} (run with verbose output for its log)") from error
        seconds = time.perf_counter() - start
        condition = results.solver.termination_condition
        termination = _TERMINATION.get(condition, Termination.SOLVER_ERROR)
        has_point = len(results.solution) > 0 and results.solver.status in (SolverStatus.ok, SolverStatus.warning,
                                                                             SolverStatus.aborted)
        x = None
        if has_point:
            model.solutions.load_from(results)
            x = np.array([math.nan if v.value is None else v.value for v in form.variables], dtype=float)
        dual_suffix = model.component("dual")
        duals = ([dual_suffix.get(row, math.nan) for row in form.constraints]
                 if dual_suffix is not None and termination is Termination.OPTIMAL and not built.integer else None)
        if duals is not None and any(math.isnan(d) for d in duals):
            duals = None  # the solver gave no (complete) duals
        outcome = checked_outcome(built, form, termination, x, self._bound(results), seconds, duals,
                                  FEASIBLE_ONLY if termination is Termination.COMPLETED else "")
        if termination not in (Termination.OPTIMAL, Termination.INFEASIBLE):
            status = f"{self.name} ended with termination condition '{condition}'"
            outcome.message = f"{status}: {outcome.message}" if outcome.message else status
        return outcome

    def _options(self, options: SolveOptions, integer: bool) -> dict[str, float]:
        """The solver options for meio's limits; a limit this solver's option name is unknown for is refused."""
        chosen: dict[str, float] = {}
        if options.time_limit is not None:
            if self.solver not in TIME_LIMIT_OPTION:
                raise OptionError(f"meio does not know the time-limit option of '{self.solver}'")
            whole = self.solver in WHOLE_SECONDS
            chosen[TIME_LIMIT_OPTION[self.solver]] = math.ceil(options.time_limit) if whole else options.time_limit
        if integer and self.solver in MIP_GAP_OPTION:
            chosen[MIP_GAP_OPTION[self.solver]] = options.mip_gap
        return chosen

    @staticmethod
    def _bound(results: object) -> float:
        """The lower bound the solver reports (a MIP's dual bound), NaN when it reports none."""
        bound = getattr(getattr(results, "problem", None), "lower_bound", None)
        try:
            value = float(bound)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return math.nan
        return value if math.isfinite(value) else math.nan
