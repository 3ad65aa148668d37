"""HiGHS on the model compiled by Pyomo's standard-form compiler: LP with duals, MIP with a bound.

Loading the compiled matrix through ``highspy.passModel`` is an order of magnitude faster
than Pyomo's persistent APPSI interface on the demo (0.5 s against 4.7 s; docs/performance.md).
"""

from __future__ import annotations

import math
import os
import sys
import time

import highspy
import numpy as np

from meio.models.build import BuiltModel
from meio.solvers.base import BackendOutcome, SolveOptions, Status
from meio.solvers.matrix import MatrixForm, compile_matrix

_STATUS = {
    highspy.HighsModelStatus.kOptimal: Status.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: Status.UNBOUNDED,
    highspy.HighsModelStatus.kTimeLimit: Status.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: Status.ITERATION_LIMIT,
}


class HighsBackend:
    """Solve the compiled model with HiGHS (simplex for LPs, branch and cut for ``integer_stock``)."""

    name = "highs"
    supports_integer = True
    supports_duals = True

    def solve(self, built: BuiltModel, options: SolveOptions) -> BackendOutcome:
        form = compile_matrix(built.model)
        highs = new_highs(verbose=options.verbose)
        if options.time_limit is not None:
            highs.setOptionValue("time_limit", float(options.time_limit))
        if options.threads is not None:
            highs.setOptionValue("threads", int(options.threads))
        highs.setOptionValue("mip_rel_gap", float(options.mip_gap))
        highs.passModel(to_highs_lp(form, integer=built.integer))
        start = time.perf_counter()
        highs.run()
        seconds = time.perf_counter() - start
        status = _STATUS.get(highs.getModelStatus(), Status.ERROR)
        info = highs.getInfo()
        has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
        if not has_solution:
            message = highs.modelStatusToString(highs.getModelStatus())
            return BackendOutcome(status, math.nan, _bound(info, built, form), seconds, message=message)
        if status is Status.ERROR:
            status = Status.FEASIBLE
        solution = highs.getSolution()
        for pyomo_var, value in zip(form.variables, solution.col_value):
            pyomo_var.set_value(value, skip_validation=True)
        objective = info.objective_function_value + form.offset
        if built.integer:
            return BackendOutcome(status, objective, min(_bound(info, built, form), objective), seconds)
        duals = dict(zip(form.constraints, solution.row_dual))
        return BackendOutcome(status, objective, objective, seconds, duals)


def new_highs(verbose: bool = False) -> highspy.Highs:
    """A HiGHS instance without the banner its first construction prints to standard output."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highs = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    highs.setOptionValue("output_flag", verbose)
    return highs


def to_highs_lp(form: MatrixForm, integer: bool) -> highspy.HighsLp:
    """The matrix form as a HiGHS LP (column-wise), with integrality when asked."""
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(form.c), form.A.shape[0]
    lp.col_cost_ = form.c
    lp.offset_ = 0.0
    lp.col_lower_ = np.where(np.isinf(form.lower), -inf, form.lower)
    lp.col_upper_ = np.where(np.isinf(form.upper), inf, form.upper)
    lp.row_lower_ = np.where(np.isinf(form.row_lower), -inf, form.row_lower)
    lp.row_upper_ = np.where(np.isinf(form.row_upper), inf, form.row_upper)
    matrix = form.A.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    if integer and form.integer.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in form.integer]
    return lp


def _bound(info: highspy.HighsInfo, built: BuiltModel, form: MatrixForm) -> float:
    if not built.integer:
        return math.nan
    return float(info.mip_dual_bound) + form.offset
