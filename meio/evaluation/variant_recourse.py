"""Optimal recourse under model variants that touch the second stage (x, u, own variables or costs).

the formulation's recourse LP (:mod:`meio.evaluation.recourse`) knows only the formulation's rows. When a variant adds
rows over shipments or unmet demand, variables of its own or cost terms, the recourse is solved
through the Pyomo model itself: the extensive form of the evaluation scenarios with every
variant applied and the stock fixed at the plan. First-stage rows are left out (storage,
inbound, and variant rows over stock only: the plan either meets them or not, see
:func:`broken_rows`), as are the service targets, which a fixed plan is not held to.

Costs are read per scenario as for every policy (:func:`~meio.evaluation.outcome.accumulate`);
a variant's cost terms are added to the ``holding`` part: a term on a scenario's x or u to that
scenario (divided by its weight), the rest (stock, the variant's own variables) to every
scenario, so that the expected total is the model's objective at the fixed plan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables
from pyomo.repn import generate_standard_repn

from meio.data.instance import Instance
from meio.errors import MeioError, SolverError
from meio.evaluation.network import Network, ScenarioDemand
from meio.evaluation.outcome import Outcome, accumulate
from meio.models.build import BuiltModel, ModelVariant, build_model
from meio.models.linking import LinkingKind
from meio.solvers import SolveOptions, Termination, get_backend

#: Triples (scenario, arc or (p, c), units) as :func:`~meio.evaluation.outcome.accumulate` takes them.
Triple = tuple[np.ndarray, np.ndarray, np.ndarray]
#: the formulation's own components, which are never a variant's.
SPEC_COMPONENTS = ("y", "x", "u", "availability", "demand")
#: What the real-time policies do not honour, said in the evaluation's output.
DYNAMIC_NOTE = ("the real-time policies (myopic, dual-price) assign orders by the base model's rows and costs "
                "only: they do not honour the variant rows over shipments or unmet demand, nor the variants' "
                "cost terms, of {names}")


def touches_recourse(instance: Instance, variants: Sequence[ModelVariant]) -> bool:
    """Whether a variant adds anything beyond rows over stock: rows over x or u, its own variables
    or costs (read on the model of one scenario, the one with the most demand rows: cheap)."""
    if not variants:
        return False
    built = build_model(_one_scenario(instance), integer=False, variants=variants)
    m = built.model
    own = [v for v in m.component_objects(pyo.Var) if v.local_name not in SPEC_COMPONENTS]
    second = {id(m.x), id(m.u)}
    return bool(own or built.costs or any(id(v.parent_component()) in second for row in _variant_rows(built)
                                          for v in identify_variables(row.body)))


def broken_rows(instance: Instance, pairs: pd.DataFrame, y: np.ndarray, variants: Sequence[ModelVariant]) -> list[str]:
    """The variants' rows over stock only that the plan ``y`` (aligned with ``pairs``) breaks."""
    if not variants:
        return []
    built = build_model(_one_scenario(instance), integer=False, variants=variants)
    _fix_stock(built, pairs, y)
    return [problem for problem in map(_broken, _stock_rows(built)) if problem]


def _one_scenario(instance: Instance) -> Instance:
    """The instance with only its scenario of the most demand rows (the first of them)."""
    demand = instance.demand
    scenario = demand["scenario"].value_counts(sort=True).index[0] if len(demand) else instance.scenarios.index[0]
    return dataclasses.replace(instance, demand=demand[demand["scenario"] == scenario],
                               scenarios=instance.scenarios.loc[[scenario]])


def variant_recourse(instance: Instance, network: Network, demand: ScenarioDemand, y: np.ndarray,
                     variants: Sequence[ModelVariant], backend: str = "highs") -> Outcome | None:
    """Optimal recourse of stock ``y`` on every scenario with the variants applied; None when
    no variant touches the recourse (the formulation's fast recourse LP is then exact)."""
    if not touches_recourse(instance, variants):
        return None
    built = build_model(instance, integer=False, variants=variants)
    _fix_stock(built, network.pairs, y)
    for row in built.linking:
        if row.kind is not LinkingKind.THROUGHPUT:
            row.constraint.deactivate()
    for row in _stock_rows(built):
        row.deactivate()
    outcome = get_backend(backend).solve(built, SolveOptions())
    if outcome.termination is not Termination.OPTIMAL:
        raise SolverError(f"the recourse with model variants was not solved to optimality "
                          f"({outcome.termination.value}): {outcome.message}")
    ship, lost = _flows(built, network, demand)
    result = accumulate("optimal", network, demand, y, ship, lost)
    result.costs[:, 1] += _variant_costs(built, demand)
    return result


def _fix_stock(built: BuiltModel, pairs: pd.DataFrame, y: np.ndarray) -> None:
    for p, n, value in zip(pairs["product"], pairs["node"], y):
        built.model.y[p, n].fix(float(value))


def _variant_rows(built: BuiltModel) -> list[pyo.ConstraintData]:
    """Active rows that variants added (every constraint but the formulation's)."""
    m = built.model
    rows = []
    for component in m.component_objects(pyo.Constraint, active=True, descend_into=True):
        spec = component.parent_block() is m and component.local_name in SPEC_COMPONENTS
        if not spec and component.parent_block() is not getattr(m, "linking", None):
            rows += [row for row in component.values() if row.active]
    return rows


def _stock_rows(built: BuiltModel) -> list[pyo.ConstraintData]:
    """Active variant rows whose variables are all fixed (stock only)."""
    return [row for row in _variant_rows(built)
            if all(v.fixed for v in identify_variables(row.body, include_fixed=True))]


def _broken(row: pyo.ConstraintData) -> str | None:
    value = float(pyo.value(row.body))
    lower = -np.inf if row.lower is None else float(pyo.value(row.lower))
    upper = np.inf if row.upper is None else float(pyo.value(row.upper))
    tolerance = 1e-6 * max(1.0, abs(value))
    if lower - tolerance <= value <= upper + tolerance:
        return None
    bound = f">= {lower:,.2f}" if value < lower else f"<= {upper:,.2f}"
    return f"{row.name}: {value:,.2f}, not {bound}"


def _flows(built: BuiltModel, network: Network,
           demand: ScenarioDemand) -> tuple[Triple, Triple]:
    """Shipments (s, arc, q) and lost sales (s, pc, q) from the solved model's x and u."""
    m, index = built.model, built.index
    x, u = index.x, index.u
    C = len(network.classes)
    scenario = demand.scenarios.get_indexer(pd.Index(x["scenario"]))
    p = network.products.get_indexer(pd.Index(x["product"]))
    c = network.classes.index.get_indexer(pd.Index(x["class"]))
    arcs = pd.DataFrame({"pc": p * C + c, "net": x["cost"] - x["holding"], "route": x["route"]})
    routes = arcs.drop_duplicates(["pc", "route"]).sort_values(["pc", "net", "route"], kind="stable")
    routes["arc"] = network.pc_start[routes["pc"]] + routes.groupby("pc").cumcount().to_numpy()
    arc = arcs.merge(routes[["pc", "route", "arc"]], on=["pc", "route"], how="left")["arc"].to_numpy(np.int64)
    if not np.allclose(network.arc_cost[arc], x["cost"].to_numpy(float)):
        raise MeioError("internal: the model's shipments do not match the evaluation network's arcs")
    q_x = np.array([m.x[k].value or 0.0 for k in m.X], dtype=float)
    u_pc = (network.products.get_indexer(pd.Index(u["product"])) * C
            + network.classes.index.get_indexer(pd.Index(u["class"])))
    q_u = np.array([m.u[k].value or 0.0 for k in m.D], dtype=float)
    s_u = demand.scenarios.get_indexer(pd.Index(u["scenario"]))
    return (scenario.astype(np.int64), arc, np.maximum(q_x, 0.0)), (s_u.astype(np.int64), u_pc, np.maximum(q_u, 0.0))


def _variant_costs(built: BuiltModel, demand: ScenarioDemand) -> np.ndarray:
    """Per scenario, the variants' cost terms at the solution (see the module docstring)."""
    m = built.model
    weights = demand.weights
    position = {s: i for i, s in enumerate(demand.scenarios)}
    per, shared = np.zeros(len(weights)), 0.0
    for term in built.costs:
        repn = generate_standard_repn(term.expr, compute_values=True)
        shared += float(repn.constant)
        for coefficient, var in zip(repn.linear_coefs, repn.linear_vars):
            value = float(coefficient) * float(var.value or 0.0)
            if var.parent_component() in (m.x, m.u):
                s = position[var.index()[-1]]
                per[s] += value * weights.sum() / weights[s]
            else:
                shared += value
    return per + shared


def dynamic_notes(instance: Instance, variants: Sequence[ModelVariant], policies: Sequence[str]) -> list[str]:
    """What the real-time policies among ``policies`` cannot honour of ``variants`` (empty when nothing)."""
    if not any(p != "optimal" for p in policies) or not touches_recourse(instance, variants):
        return []
    return [DYNAMIC_NOTE.format(names=", ".join(map(str, variants)))]
