"""HiGHS on the model compiled by Pyomo's standard-form compiler: LP with duals, MIP with a bound.

Loading the compiled matrix through ``highspy.passModel`` is an order of magnitude faster
than Pyomo's persistent APPSI interface on the demo (0.5 s against 4.7 s; docs/performance.md).
"""

from __future__ import annotations

import math
import os
import sys
import time
from typing import Any

import highspy
import numpy as np

from meio.models.build import BuiltModel
from meio.results import units
from meio.solvers.base import BackendOutcome, SolveOptions, Termination
from meio.solvers.check import checked_outcome
from meio.solvers.matrix import MatrixForm, compile_matrix
from meio.solvers.progress import SolverProgress

_TERMINATION = {
    highspy.HighsModelStatus.kOptimal: Termination.OPTIMAL,
    highspy.HighsModelStatus.kModelEmpty: Termination.OPTIMAL,  # no columns: the check decides
    highspy.HighsModelStatus.kInfeasible: Termination.INFEASIBLE,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: Termination.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: Termination.UNBOUNDED,
    highspy.HighsModelStatus.kTimeLimit: Termination.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: Termination.ITERATION_LIMIT,
    highspy.HighsModelStatus.kUnknown: Termination.NUMERICAL_FAILURE,
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
        progress = SolverProgress("HiGHS") if options.progress and not options.verbose else None
        if progress is not None:
            watch(highs, progress)
        start = time.perf_counter()
        try:
            highs.run()
        finally:
            if progress is not None:
                progress.close()
        seconds = time.perf_counter() - start
        model_status = highs.getModelStatus()
        termination = _TERMINATION.get(model_status, Termination.SOLVER_ERROR)
        info, solution = highs.getInfo(), highs.getSolution()
        has_point = info.primal_solution_status == 2 or (built.integer and solution.value_valid)
        x = np.asarray(solution.col_value, dtype=float) if has_point or not form.variables else None
        message = "" if termination in (Termination.OPTIMAL, Termination.INFEASIBLE) else (
            f"HiGHS ended with status '{highs.modelStatusToString(model_status)}'")
        bound = float(info.mip_dual_bound) + form.offset if built.integer else math.nan
        duals = list(solution.row_dual) if termination is Termination.OPTIMAL and not built.integer else None
        outcome = checked_outcome(built, form, termination, x, bound, seconds, duals)
        if message:
            outcome.message = f"{message}: {outcome.message}" if outcome.message else message
        return outcome


def watch(highs: highspy.Highs, progress: SolverProgress) -> None:
    """Show HiGHS's progress: simplex iterations of an LP; primal and dual bounds and gap of a MIP."""

    def simplex(event: Any) -> None:
        progress.show(f"simplex iteration {event.data_out.simplex_iteration_count:,}")

    def mip(event: Any) -> None:
        data = event.data_out
        progress.show(f"branch and cut: primal bound {units.money(data.mip_primal_bound)}, dual bound "
                      f"{units.money(data.mip_dual_bound)}, gap {units.gap(data.mip_gap)}")

    highs.cbSimplexInterrupt.subscribe(simplex)
    highs.cbMipInterrupt.subscribe(mip)
    progress.show("presolve")


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
