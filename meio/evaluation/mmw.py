"""Statistical bounds on the optimality of an SAA plan: the Mak-Morton-Wood (1999) procedure.

Let z* = min_y E[f(y, D)] be the optimum of the true problem (expectation over the demand
distribution of the scenario source), and y^ a candidate plan.

- Lower bound. For m = 1..M draw N scenarios independently and solve the SAA:
  v_N^m = min_y (1/N) sum_s f(y, d_s^m). Since E[v_N] <= z*, the mean
  L = (1/M) sum_m v_N^m estimates a lower bound, with interval L +- t_{M-1} s_L / sqrt(M).
  (With ``integer_stock`` the solver's proven lower bound of each SAA is used.)
- Upper bound. Evaluate y^ with optimal recourse on N' fresh scenarios:
  U = (1/N') sum_s f(y^, d_s) estimates E f(y^, D) >= z*, interval U +- t_{N'-1} s_U / sqrt(N').
- Gap (MMW, paired). On each replication's own scenarios, G^m = f_N^m(y^) - v_N^m >= 0 (the
  candidate is one feasible plan of that SAA); G = mean G^m estimates E f_N(y^) - E v_N >=
  E f(y^, D) - z*, the optimality gap of y^, with interval G +- t_{M-1} s_G / sqrt(M) and the
  one-sided 95% bound G + t_{M-1, 0.95} s_G / sqrt(M). Pairing removes the common noise, so
  this interval is much narrower than U - L's; both shrink as N grows (the SAA bias
  E[v_N] - z* falls with N).
- Gap (two independent estimates): U - L +- t sqrt(s_U^2/N' + s_L^2/M), reported as well.

Service targets (docs/formulation.md) are expectations over scenarios and are not enforced when a fixed
plan is evaluated, so for instances with targets these bounds are for the problem without them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from meio.data.instance import Instance
from meio.errors import MeioError, SolverError
from meio.evaluation.evaluate import code_instance, evaluate_plan, prepare
from meio.evaluation.fresh import fresh_instance
from meio.evaluation.plan import Plan
from meio.evaluation.progress import SILENT, Progress
from meio.evaluation.stats import Estimate, mean_ci, t_quantile
from meio.exact import solve_extensive
from meio.models.build import ModelVariant
from meio.models.variants import variant_record
from meio.solvers import SolveOptions


@dataclass(frozen=True, eq=False)
class GapEstimate:
    """Lower bound, upper bound and gap estimates with 95% intervals, and the replications."""

    lower: Estimate
    upper: Estimate
    gap: Estimate
    gap_one_sided: float
    gap_independent: Estimate
    replications: pd.DataFrame
    candidate: str
    source: str
    scenarios: int
    eval_scenarios: int
    notes: tuple[str, ...] = ()
    variants: tuple[dict[str, object], ...] = ()  # each variant's name and parameters, as summary.json records them

    def as_dict(self) -> dict[str, object]:
        return {
            "candidate": self.candidate, "source": self.source, "replications": len(self.replications),
            "scenarios": self.scenarios, "eval_scenarios": self.eval_scenarios,
            "lower_bound": self.lower.as_dict(), "upper_bound": self.upper.as_dict(),
            "gap": self.gap.as_dict(), "gap_one_sided_95": _number(self.gap_one_sided),
            "gap_relative": _number(self.gap.mean / abs(self.upper.mean)) if self.upper.mean else None,
            "gap_independent": self.gap_independent.as_dict(), "variants": list(self.variants),
            "notes": list(self.notes),
        }


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def mmw_gap(instance: Instance, *, replications: int, scenarios: int, eval_scenarios: int, seed: int = 1,
            candidate: Plan | None = None, source: str = "auto", backend: str = "highs",
            options: SolveOptions | None = None, progress: Progress = SILENT,
            variants: Sequence[ModelVariant] = ()) -> GapEstimate:
    """Run the MMW procedure; the candidate defaults to the SAA plan of the instance's own scenarios.
    Every SAA and every evaluation is of the model with ``variants`` applied."""
    if replications < 2:
        raise MeioError(f"replications must be >= 2 for a confidence interval, got {replications}")
    if scenarios < 1 or eval_scenarios < 2:
        raise MeioError("scenarios must be >= 1 and eval-scenarios >= 2")
    options = options or SolveOptions()
    notes = []
    if instance.speeds["fill_rate_target"].notna().any():
        notes.append("service targets are not enforced when a fixed plan is evaluated; the bounds are for the "
                     "problem without them")
    if variants:
        notes.append(f"model variants: {', '.join(map(str, variants))}")
    progress.start("gap: solving", replications + 2)
    if candidate is None:
        candidate = _solve(instance, backend, options, "candidate", variants)[1]
    progress.advance()
    rows = []
    used = source
    for m in range(1, replications + 1):
        fresh, used = fresh_instance(instance, scenarios, (seed, 1, m), source)
        bound, _ = _solve(fresh, backend, options, f"replication {m}", variants)
        value = evaluate_plan(code_instance(fresh, used), candidate, ("optimal",),
                              variants=variants)["optimal"].objective
        rows.append((m, bound, value, value - bound))
        progress.advance()
    table = pd.DataFrame(rows, columns=["replication", "saa_optimum", "candidate_cost", "gap"])
    evaluation = prepare(instance, eval_scenarios, (seed, 2), source)
    outcome = evaluate_plan(evaluation, candidate, ("optimal",), variants=variants)["optimal"]
    progress.advance()
    progress.done()
    lower = mean_ci(table["saa_optimum"].to_numpy())
    upper = mean_ci(outcome.total, outcome.weights)
    gap = mean_ci(table["gap"].to_numpy())
    one_sided = gap.mean + t_quantile(replications, 0.95, two_sided=False) * gap.std_error
    difference = upper.mean - lower.mean
    se = math.sqrt(upper.std_error**2 + lower.std_error**2)
    half = t_quantile(min(replications, eval_scenarios)) * se
    independent = Estimate(difference, se, difference - half, difference + half, replications)
    return GapEstimate(lower, upper, gap, one_sided, independent, table, candidate.name, used, scenarios,
                       eval_scenarios, tuple(notes), tuple(variant_record(v) for v in variants))


def _solve(instance: Instance, backend: str, options: SolveOptions, what: str,
           variants: Sequence[ModelVariant]) -> tuple[float, Plan]:
    result = solve_extensive(instance, backend, options, variants=variants)
    if not result.has_plan or not np.isfinite(result.lower_bound):
        raise SolverError(f"the SAA of the {what} was not solved to a plan with a proven bound "
                          f"({result.status.value}): {result.message}")
    return float(result.lower_bound), Plan("saa", result.stock[["product", "node", "stock"]])


def format_gap(estimate: GapEstimate) -> str:
    """Plain-text summary of the bounds and the gap."""
    lines = [f"MMW optimality gap of {estimate.candidate}: {len(estimate.replications)} replications of "
             f"{estimate.scenarios} {estimate.source} scenarios, upper bound on {estimate.eval_scenarios}",
             f"  lower bound  {estimate.lower}   (95% CI {estimate.lower.low:,.2f} to {estimate.lower.high:,.2f})",
             f"  upper bound  {estimate.upper}   (95% CI {estimate.upper.low:,.2f} to {estimate.upper.high:,.2f})",
             f"  gap (MMW)    {estimate.gap}   (95% CI {estimate.gap.low:,.2f} to {estimate.gap.high:,.2f}; "
             f"gap <= {estimate.gap_one_sided:,.2f} with 95% confidence"
             + (f", {100 * estimate.gap_one_sided / abs(estimate.upper.mean):.2f}% of the upper bound)"
                if estimate.upper.mean else ")"),
             f"  gap (U - L)  {estimate.gap_independent}"]
    lines += [f"  note: {note}" for note in estimate.notes]
    return "\n".join(lines)
