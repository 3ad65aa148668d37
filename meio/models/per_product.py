"""Constraints that involve one product only: availability and demand (docs/formulation.md)."""

from __future__ import annotations

import pyomo.environ as pyo

from meio.models.index import ModelIndex


def declare_availability(model: pyo.ConcreteModel, index: ModelIndex) -> None:
    """availability[p,n,s]:  sum_{r: origin(r)=n} sum_c x[p,r,c,s] <= y[p,n].

    Only (p,n,s) with at least one shipment variable get a row (others read 0 <= y).
    """
    x = index.x
    keys = list(zip(x["product"], x["route"], x["class"], x["scenario"]))
    groups: dict[tuple[str, str, str], list[tuple[str, str, str, str]]] = {}
    for key, origin in zip(keys, x["origin"]):
        groups.setdefault((key[0], origin, key[3]), []).append(key)
    model.availability = pyo.Constraint(
        list(groups), rule=lambda m, p, n, s: pyo.quicksum(m.x[k] for k in groups[p, n, s]) <= m.y[p, n],
        doc="availability: shipments from a node within its stock, per scenario")


def declare_demand(model: pyo.ConcreteModel, index: ModelIndex) -> None:
    """demand[p,c,s]:  sum_r x[p,r,c,s] + u[p,c,s] = d[p,c,s]."""
    x = index.x
    served: dict[tuple[str, str, str], list[tuple[str, str, str, str]]] = {}
    for key in zip(x["product"], x["route"], x["class"], x["scenario"]):
        served.setdefault((key[0], key[2], key[3]), []).append(key)
    model.demand = pyo.Constraint(
        model.D,
        rule=lambda m, p, c, s: pyo.quicksum(m.x[k] for k in served.get((p, c, s), ())) + m.u[p, c, s]
        == m.d[p, c, s],
        doc="demand: every unit of demand is shipped on time or unmet")
