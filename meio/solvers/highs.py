"""HiGHS through Pyomo's persistent APPSI interface: LP with duals, MIP with a proven bound."""

from __future__ import annotations

import math
import time

from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs

from meio.models.build import BuiltModel
from meio.solvers.base import BackendOutcome, SolveOptions, Status

_STATUS = {
    TerminationCondition.optimal: Status.OPTIMAL,
    TerminationCondition.infeasible: Status.INFEASIBLE,
    TerminationCondition.infeasibleOrUnbounded: Status.INFEASIBLE,
    TerminationCondition.unbounded: Status.UNBOUNDED,
    TerminationCondition.maxTimeLimit: Status.TIME_LIMIT,
    TerminationCondition.maxIterations: Status.ITERATION_LIMIT,
}


class HighsBackend:
    """Solve the Pyomo model with HiGHS (simplex for LPs, branch and cut for ``integer_stock``)."""

    name = "highs"
    supports_integer = True
    supports_duals = True

    def solve(self, built: BuiltModel, options: SolveOptions) -> BackendOutcome:
        solver = Highs()
        solver.config.load_solution = False
        solver.config.stream_solver = options.verbose
        if options.time_limit is not None:
            solver.config.time_limit = options.time_limit
        if built.integer:
            solver.config.mip_gap = options.mip_gap
        if options.threads is not None:
            solver.highs_options["threads"] = options.threads
        start = time.perf_counter()
        result = solver.solve(built.model)
        seconds = time.perf_counter() - start
        status = _STATUS.get(result.termination_condition, Status.ERROR)
        has_solution = result.best_feasible_objective is not None
        if status is Status.TIME_LIMIT and not has_solution:
            return BackendOutcome(status, math.nan, _bound(result), seconds, message="no solution found in time")
        if not has_solution:
            return BackendOutcome(status, math.nan, math.nan, seconds, message=str(result.termination_condition))
        result.solution_loader.load_vars()
        objective = float(result.best_feasible_objective)
        duals = {} if built.integer else dict(result.solution_loader.get_duals())
        bound = objective if not built.integer else _bound(result)
        return BackendOutcome(status, objective, bound, seconds, duals)


def _bound(result: object) -> float:
    bound = getattr(result, "best_objective_bound", None)
    return float(bound) if bound is not None else -math.inf
