"""The exact reference: build the extensive-form model and solve it with one backend."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
import pyomo.environ as pyo

from meio.data.instance import Instance
from meio.diagnose import explain_infeasibility
from meio.models.build import BuiltModel, ModelVariant, build_model
from meio.results.prices import price_table
from meio.results.result import Result
from meio.results.tables import PlanValues, fill_plan
from meio.solvers import SolveOptions, Status, get_backend


def solve_extensive(instance: Instance, backend: str = "highs", options: SolveOptions | None = None,
                    integer: bool | None = None, variants: Sequence[ModelVariant] = ()) -> Result:
    """Solve SPEC §3 (with any model ``variants``) exactly.

    On infeasibility the result's message names the linking constraints that fail.
    """
    options = options or SolveOptions()
    solver = get_backend(backend)
    start = time.perf_counter()
    built = build_model(instance, integer=integer, variants=variants)
    build_seconds = time.perf_counter() - start
    outcome = solver.solve(built, options)
    details = {"build_seconds": round(build_seconds, 6), "solve_seconds": round(outcome.seconds, 6),
               **model_size(built)}
    result = Result(status=outcome.status, objective=outcome.objective, lower_bound=outcome.bound,
                    method="extensive", backend=backend, seconds=0.0, instance=instance.name,
                    details=details, message=outcome.message)
    if outcome.status.has_solution:
        fill_result(result, built, outcome.duals)
    elif outcome.status is Status.INFEASIBLE:
        result.message = explain_infeasibility(instance, solver, options, variants)
    result.seconds = time.perf_counter() - start
    return result


def fill_result(result: Result, built: BuiltModel, duals: dict[pyo.ConstraintData, float]) -> None:
    """Read the solved model's values into the result's costs, fill rates and tables."""
    model, index = built.model, built.index
    values = PlanValues(
        y=np.array([model.y[k].value for k in zip(index.y["product"], index.y["node"])], dtype=float),
        x=np.array([model.x[k].value for k in model.X], dtype=float),
        u=np.array([model.u[k].value for k in model.D], dtype=float),
    )
    values = PlanValues(*(np.nan_to_num(v) for v in (values.y, values.x, values.u)))
    fill_plan(result, built.instance, index, values)
    lhs = np.array([pyo.value(row.constraint.body) for row in built.linking], dtype=float)
    price = np.array([-duals[row.constraint] if row.constraint in duals else math.nan for row in built.linking])
    result.prices = price_table(built.linking, lhs, price + 0.0)


def model_size(built: BuiltModel) -> dict[str, int]:
    """Counts of the model's variables and constraints, by family."""
    model = built.model
    return {
        "variables": len(model.y) + len(model.x) + len(model.u),
        "constraints": len(model.availability) + len(model.demand) + len(built.linking),
        "linking_constraints": len(built.linking),
    }
