"""The exact reference: build the extensive-form model and solve it with one backend."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence

import numpy as np
import pyomo.environ as pyo

from meio.data.instance import Instance
from meio.decomposition.structure import variant_linking_rows
from meio.diagnose import explain_infeasibility
from meio.models.build import BuiltModel, ModelVariant, build_model
from meio.models.linking import LinkingRow, Sense
from meio.results.prices import price_table
from meio.results.result import Result
from meio.results.tables import PlanValues, fill_plan
from meio.solvers import SolveOptions, Termination, get_backend


def solve_extensive(instance: Instance, backend: str = "highs", options: SolveOptions | None = None,
                    integer: bool | None = None, variants: Sequence[ModelVariant] = ()) -> Result:
    """Solve the model of docs/formulation.md (with any model ``variants``) exactly.

    On infeasibility the result's message names the linking constraints that fail.
    """
    options = options or SolveOptions()
    solver = get_backend(backend)
    line, owned = options.status_line(), options.progress is True
    if owned:  # a line of this solve's own, which the backend shows its phases on too
        options = dataclasses.replace(options, progress=line)
    try:
        start = time.perf_counter()
        line.phase("building the model")
        built = build_model(instance, integer=integer, variants=variants)
        build_seconds = time.perf_counter() - start
        line.phase(f"solving ({getattr(solver, 'label', backend)})")
        if options.verbose:
            line.close()  # the solver's log on standard output takes over
        outcome = solver.solve(built, options.remaining(build_seconds))
        details: dict[str, object] = {"build_seconds": round(build_seconds, 6),
                                      "solve_seconds": round(outcome.seconds, 6), **model_size(built)}
        result = Result(termination=outcome.termination, objective=outcome.objective, lower_bound=outcome.bound,
                        method="extensive", backend=backend, seconds=0.0, instance=instance.name,
                        details=details, message=outcome.message)
        if result.has_plan:
            line.phase("reading the solution")
            fill_result(result, built, outcome.duals, variant_linking_rows(built, variants))
        elif outcome.termination is Termination.INFEASIBLE:
            result.lower_bound = math.inf  # proven: no plan, the optimum is +inf (as the decomposition says)
            line.phase("")
            with line.step("infeasible: finding the constraints that conflict"):
                left = options.remaining(time.perf_counter() - start)
                result.message = explain_infeasibility(instance, left, variants)
    finally:
        if owned:
            line.close()
    result.seconds = time.perf_counter() - start
    return result


def fill_result(result: Result, built: BuiltModel, duals: dict[pyo.ConstraintData, float],
                variant_rows: Sequence[LinkingRow] = ()) -> None:
    """Read the solved model's values into the result's costs, fill rates and tables; prices.csv
    lists the formulation's linking rows and ``variant_rows`` (those variants added over several products)."""
    model, index = built.model, built.index
    values = PlanValues(
        y=np.array([model.y[k].value for k in zip(index.y["product"], index.y["node"])], dtype=float),
        x=np.array([model.x[k].value for k in model.X], dtype=float),
        u=np.array([model.u[k].value for k in model.D], dtype=float),
    )
    values = PlanValues(*(np.nan_to_num(v) for v in (values.y, values.x, values.u)))
    fill_plan(result, built.instance, index, values)
    rows = [*built.linking, *variant_rows]
    sign = np.array([row.sign for row in rows], dtype=float)
    use = sign * np.array([pyo.value(row.constraint.body) for row in rows], dtype=float)
    price = -sign * np.array([duals.get(row.constraint, math.nan) for row in rows], dtype=float)
    halves = np.array([row.sense is Sense.EQ for row in rows], dtype=bool)
    price[halves] = np.maximum(price[halves], 0.0)  # an equality's free price split into its halves
    result.prices = price_table(rows, use, opportunity_costs(price))


def opportunity_costs(price: np.ndarray) -> np.ndarray:
    """Prices of ``<=`` rows at an optimum are >= 0: round-off below zero (down to -1e-9 of the
    largest price) becomes 0; a value further below zero, which no optimum gives, becomes NaN
    (not reported) rather than a wrong opportunity cost."""
    tolerance = 1e-9 * max(1.0, float(np.nanmax(np.abs(price), initial=0.0)))
    return np.where(price < -tolerance, math.nan, np.maximum(price, 0.0)) + 0.0


def model_size(built: BuiltModel) -> dict[str, int]:
    """Counts of the model's variables and constraints, by family."""
    model = built.model
    return {
        "variables": len(model.y) + len(model.x) + len(model.u),
        "constraints": len(model.availability) + len(model.demand) + len(built.linking),
        "linking_constraints": len(built.linking),
    }
