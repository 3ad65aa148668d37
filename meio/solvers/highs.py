"""HiGHS on the model compiled by Pyomo's standard-form compiler: LP with duals, MIP with a bound.

Loading the compiled matrix through ``highspy.passModel`` is an order of magnitude faster
than Pyomo's persistent APPSI interface on the demo (0.5 s against 4.7 s; docs/performance.md).
"""

from __future__ import annotations

import math
import os
import re
import sys
import time
from typing import Any

import highspy
import numpy as np

from meio.models.build import BuiltModel
from meio.progress import StatusLine
from meio.results import units
from meio.solvers.base import BackendOutcome, SolveOptions, Termination
from meio.solvers.check import checked_outcome
from meio.solvers.matrix import MatrixForm, compile_matrix

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
    label = "HiGHS"  # as the status line names it
    supports_integer = True
    supports_duals = True

    def solve(self, built: BuiltModel, options: SolveOptions) -> BackendOutcome:
        line = options.status_line()
        try:
            return self._solve(built, options, line)
        finally:
            if options.progress is True:  # a line of its own, not the command's
                line.close()

    def _solve(self, built: BuiltModel, options: SolveOptions, line: StatusLine) -> BackendOutcome:
        line.phase("passing the model to HiGHS")
        loading = time.perf_counter()
        form = compile_matrix(built.model)
        highs = new_highs(verbose=options.verbose)
        if options.threads is not None:
            highs.setOptionValue("threads", int(options.threads))
        highs.setOptionValue("mip_rel_gap", float(options.mip_gap))
        highs.passModel(to_highs_lp(form, integer=built.integer))
        left = options.remaining(time.perf_counter() - loading).time_limit  # compiling and loading count too
        if left is not None:
            highs.setOptionValue("time_limit", float(left))
        line.phase("solving (HiGHS)")
        if options.verbose:
            line.close()  # the solver's log on standard output takes over
        else:
            watch(highs, line, form.offset)
        start = time.perf_counter()
        highs.run()
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


#: An iteration line of HiGHS's simplex log: iterations, objective, phase (``Ph1``: no objective yet).
_ITERATION_LOG = re.compile(r"^\s*(\d+)\s+(\S+)\s+(Ph1|Pr|Du)\b")

#: Stages named by HiGHS's log messages (their first words).
_STAGES = {"Presolving": "presolve", "Using dual simplex": "dual simplex", "Using primal simplex": "primal simplex",
           "Using IPX": "interior point", "Solving MIP model": "branch and cut", "Performed postsolve": "postsolve",
           "Solving the original LP": "cleaning up the solution"}


def watch(highs: highspy.Highs, line: StatusLine, offset: float = 0.0) -> None:
    """Show HiGHS's progress on ``line``: the stage (presolve, dual simplex, ...), iterations and
    objective of an LP; primal and dual bounds and gap of a MIP, as its callbacks report them.
    ``offset`` is the objective's constant, which HiGHS does not see. The simplex objective comes
    from HiGHS's log (its interrupt callback does not carry it), read through the logging
    callback with the log kept off the console."""
    state: dict[str, Any] = {"stage": "presolve", "iterations": None, "objective": None, "mip": None}

    def lp_text() -> str:
        parts = [state["stage"]]
        if state["iterations"] is not None:
            parts.append(f"iteration {state['iterations']:,}")
        if state["objective"] is not None:
            parts.append(f"objective {units.money(state['objective'] + offset)}")
        return ", ".join(parts)

    def log(event: Any) -> None:
        message = str(event.message)
        stage = next((name for start, name in _STAGES.items() if message.startswith(start)), None)
        if stage is not None and state["mip"] is None:
            state["stage"] = stage
        found = _ITERATION_LOG.match(message)
        if found:
            state["iterations"] = int(found.group(1))
            value = float(found.group(2)) if found.group(3) != "Ph1" else math.nan
            state["objective"] = value if math.isfinite(value) else None
        line.show(state["mip"] or lp_text())

    def simplex(event: Any) -> None:
        state["iterations"] = int(event.data_out.simplex_iteration_count)
        line.show(state["mip"] or lp_text())

    def ipm(event: Any) -> None:
        state["stage"], state["iterations"] = "interior point", int(event.data_out.ipm_iteration_count)
        line.show(state["mip"] or lp_text())

    def mip(event: Any) -> None:
        data = event.data_out
        gap = units.gap(data.mip_gap) if math.isfinite(data.mip_primal_bound) else "-"  # no incumbent yet
        state["mip"] = (f"branch and cut: primal bound {units.money(data.mip_primal_bound + offset)}, dual bound "
                        f"{units.money(data.mip_dual_bound + offset)}, gap {gap}")
        line.show(state["mip"])

    highs.setOptionValue("output_flag", True)  # the log feeds the logging callback ...
    highs.setOptionValue("log_to_console", False)  # ... and stays off standard output
    highs.cbLogging.subscribe(log)
    highs.cbSimplexInterrupt.subscribe(simplex)
    highs.cbIpmInterrupt.subscribe(ipm)
    highs.cbMipInterrupt.subscribe(mip)
    line.show(lp_text())


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
