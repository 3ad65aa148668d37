"""A pluggable meio method: subgradient optimization of the Lagrangian over the linking rows.

The linking rows (storage, inbound, throughput, service) are priced by multipliers and moved
into the objective, so the model splits into the same per-product subproblems the
decomposition prices; the Lagrangian dual is maximised by subgradient steps (Polyak's step
towards the best plan's cost, halved when the bound stalls). It is honest about what it has:

- ``lower_bound`` is the best Lagrangian value, each one a proven optimum (an LP's objective,
  a MIP's dual bound) of the relaxed model, so a proven lower bound on the optimum;
- the plan is feasible: the stock of a Lagrangian solution is scaled down per node into its
  storage and inbound capacity, fixed, and the whole model (linking rows included) is solved
  for the rest; the best such plan is kept, and when none is feasible there is no plan.

It solves the model of formulation.md alone and does not declare that it takes model variants
(``meio.methods.takes_variants``), so ``meio benchmark`` does not run it on the suite members whose
reference carries variants (their rows say ``not_run``) and ``meio solve --variant`` refuses it.

Run it like a built-in method::

    meio solve reference/storage_binds --method examples/subgradient_method.py:solve_subgradient
    python examples/subgradient_method.py      # benchmarks it against the extensive form
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException

from meio.data.instance import Instance
from meio.exact import fill_result
from meio.models import build_model
from meio.models.build import BuiltModel
from meio.results.result import Result
from meio.solvers import Backend, SolveOptions, Termination, get_backend

ITERATIONS = 10
REPAIR_EVERY = 5
GAP = 1e-4


def solve_subgradient(instance: Instance, backend: str, options: SolveOptions) -> Result:
    """Maximise the Lagrangian by subgradient steps; return its best bound and the best repaired plan."""
    start = time.perf_counter()
    built = build_model(instance)
    solver = get_backend(backend)
    model, cost = built.model, built.model.cost.expr
    violations = _violations(built)
    model.multiplier = pyo.Param(range(len(violations)), mutable=True, initialize=0.0, within=pyo.NonNegativeReals)
    lagrangian = cost + sum(model.multiplier[i] * v for i, v in enumerate(violations))
    bound, best_cost, best_stock, step, stalled = -math.inf, math.inf, None, 2.0, 0
    termination, iteration = Termination.COMPLETED, 0
    for iteration in range(1, ITERATIONS + 1):
        if options.time_limit is not None and time.perf_counter() - start > options.time_limit:
            termination = Termination.TIME_LIMIT
            break
        model.linking.deactivate()
        model.cost.set_value(lagrangian)
        outcome = solver.solve(built, options)
        if outcome.termination is Termination.INFEASIBLE:  # a product's own rows cannot be met
            termination, bound = Termination.INFEASIBLE, math.inf
            break
        if not math.isfinite(outcome.bound):
            termination = outcome.termination
            break
        stalled = 0 if outcome.bound > bound + 1e-9 * max(1.0, abs(bound)) else stalled + 1
        bound = max(bound, outcome.bound)
        if stalled >= 3:
            step, stalled = step / 2, 0
        gradient = np.array([pyo.value(v) for v in violations])
        if iteration == 1 or iteration % REPAIR_EVERY == 0:
            stock = _scaled_stock(built)
            plan_cost = _plan_cost(built, solver, options, cost, stock)
            if plan_cost < best_cost:
                best_cost, best_stock = plan_cost, stock
        if math.isfinite(best_cost) and best_cost - bound <= GAP * max(1.0, abs(best_cost)):
            termination = Termination.OPTIMAL
            break
        target = best_cost if math.isfinite(best_cost) else bound + 0.05 * abs(bound) + 1.0
        length = float(gradient @ gradient)
        if length == 0:  # the relaxed solution meets every linking row: it is optimal
            termination = Termination.OPTIMAL if math.isfinite(best_cost) else termination
            break
        moved = _values(model) + step * (target - outcome.bound) / length * gradient
        for i, value in enumerate(np.maximum(0.0, moved)):
            model.multiplier[i] = float(value)
    result = Result(termination=termination, objective=math.nan, lower_bound=bound if bound > -math.inf else math.nan,
                    method="subgradient", backend=backend, seconds=0.0, instance=instance.name,
                    details={"iterations": iteration})
    plan_cost = _plan_cost(built, solver, options, cost, best_stock) if best_stock is not None else math.inf
    if math.isfinite(plan_cost):  # the best plan, solved again so that its values are in the model
        result.objective = plan_cost
        fill_result(result, built, {})
    result.seconds = time.perf_counter() - start
    return result


def _violations(built: BuiltModel) -> list[Any]:
    """Each linking row as an expression that is <= 0 when the row holds (two for an equality)."""
    rows = []
    for row in built.linking:
        constraint = row.constraint
        if constraint.has_ub():
            rows.append(constraint.body - constraint.upper)
        if constraint.has_lb():
            rows.append(constraint.lower - constraint.body)
    return rows


def _values(model: pyo.ConcreteModel) -> np.ndarray:
    return np.array([pyo.value(model.multiplier[i]) for i in model.multiplier])


def _scaled_stock(built: BuiltModel) -> dict[tuple[str, str], float]:
    """The current stock, its purchases scaled down per node into storage and inbound capacity."""
    model, instance = built.model, built.instance
    volume = instance.products["unit_volume"]
    bought: dict[str, float] = {}
    occupied: dict[str, float] = {}
    held: dict[str, float] = {}
    for (p, n) in model.A:
        extra = max(0.0, (model.y[p, n].value or 0.0) - model.on_hand[p, n])
        bought[n] = bought.get(n, 0.0) + extra
        occupied[n] = occupied.get(n, 0.0) + volume[p] * extra
        held[n] = held.get(n, 0.0) + volume[p] * model.on_hand[p, n]
    scale = {}
    for n, units in bought.items():
        storage, inbound = instance.nodes.at[n, "storage_capacity"], instance.nodes.at[n, "inbound_capacity"]
        room = [1.0, (storage - held[n]) / occupied[n] if occupied[n] > 0 else 1.0,
                inbound / units if units > 0 else 1.0]
        scale[n] = max(0.0, min(room) * (1 - 1e-9))  # a hair inside, against round-off
    stock: dict[tuple[str, str], float] = {}
    for (p, n) in model.A:
        extra = max(0.0, (model.y[p, n].value or 0.0) - model.on_hand[p, n]) * scale[n]
        stock[p, n] = model.on_hand[p, n] + (math.floor(extra + 1e-9) if built.integer else extra)
    return stock


def _plan_cost(built: BuiltModel, solver: Backend, options: SolveOptions, cost: Any,
               stock: dict[tuple[str, str], float]) -> float:
    """The cost of the plan with ``stock`` fixed (every row enforced, checked by the backend); inf if none."""
    model = built.model
    model.linking.activate()
    model.cost.set_value(cost)
    for key, value in stock.items():
        model.y[key].fix(value)
    try:
        outcome = solver.solve(built, options)
    except InfeasibleConstraintException:  # a row over fixed stock only that the stock breaks
        return math.inf
    finally:
        model.y.unfix()
    return outcome.objective if math.isfinite(outcome.objective) else math.inf


if __name__ == "__main__":
    import pandas as pd

    from meio.cli import main
    from meio.data import load_instance

    suite = sys.argv[1] if len(sys.argv) > 1 else "reference"  # a bundled suite or a directory of instances
    code = main(["benchmark", suite, "--methods", f"extensive,{__file__}:solve_subgradient",
                 "--backends", "highs", "--out", "results/benchmark-subgradient"])
    # self-check: the bound is never above the reference optimum, a plan never below it
    runs = pd.read_csv("results/benchmark-subgradient/benchmark.csv")
    ours = runs[runs["method"].str.endswith("solve_subgradient") & runs["reference"].notna()]
    slack = 1e-6 * ours["reference"].abs().clip(lower=1.0)
    assert not (ours["lower_bound"] > ours["reference"] + slack).any(), ours
    assert not (ours["objective"] < ours["reference"] - slack).any(), ours
    # and its plan is feasible: every linking row holds at the plan it returns
    result = solve_subgradient(load_instance("reference/storage_binds"), "highs", SolveOptions())
    assert result.has_plan and (result.prices["slack"] >= -1e-6 * result.prices["rhs"].abs().clip(lower=1.0)).all()
    print(f"checked: {len(ours)} subgradient runs, no bound above and no plan below the reference optimum; "
          f"storage_binds' plan meets its {len(result.prices)} linking rows")
    sys.exit(code)
