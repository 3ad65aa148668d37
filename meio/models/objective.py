"""The SAA objective of docs/formulation.md, as four named cost expressions and their sum.

With weights normalised (sum_s w_s = 1) the expected holding cost
sum_s w_s sum_{p,n} h_p f_n (y[p,n] - shipped[p,n,s]) equals
sum h_p f_n y[p,n] - sum w_s h_p f_origin(r) x[p,r,c,s], which is how it is written here.
"""

from __future__ import annotations

import pyomo.environ as pyo

from meio.models.index import ModelIndex


def declare_purchase_cost(model: pyo.ConcreteModel, index: ModelIndex) -> None:
    """Expression purchase_cost = sum unit_cost_p (y[p,n] - on_hand[p,n])."""
    y = index.y
    y_keys = list(zip(y["product"], y["node"]))
    model.purchase_cost = pyo.Expression(expr=pyo.quicksum(
        float(c) * (model.y[k] - model.on_hand[k]) for k, c in zip(y_keys, y["unit_cost"])),
        doc="sum unit_cost_p (y[p,n] - on_hand[p,n])")


def declare_costs(model: pyo.ConcreteModel, index: ModelIndex) -> None:
    """Expressions purchase_cost, holding_cost, shipping_cost, lost_sales_cost and objective cost."""
    y, x, u = index.y, index.x, index.u
    y_keys = list(zip(y["product"], y["node"]))
    x_keys = list(zip(x["product"], x["route"], x["class"], x["scenario"]))
    u_keys = list(zip(u["product"], u["class"], u["scenario"]))
    declare_purchase_cost(model, index)
    model.holding_cost = pyo.Expression(expr=pyo.quicksum(
        float(h) * model.y[k] for k, h in zip(y_keys, y["holding"]) if h)
        - pyo.quicksum(float(w * h) * model.x[k] for k, w, h in zip(x_keys, x["weight"], x["holding"]) if h),
        doc="sum_s w_s sum h_p f_n (y[p,n] - shipped from n in s)")
    model.shipping_cost = pyo.Expression(expr=pyo.quicksum(
        float(w * c) * model.x[k] for k, w, c in zip(x_keys, x["weight"], x["cost"]) if c),
        doc="sum_s w_s sum c(r,p) x[p,r,c,s]")
    model.lost_sales_cost = pyo.Expression(expr=pyo.quicksum(
        float(w * q) * model.u[k] for k, w, q in zip(u_keys, u["weight"], u["penalty"]) if q),
        doc="sum_s w_s sum lost_sale_cost_p penalty_factor_k u[p,c,s]")
    model.cost = pyo.Objective(
        expr=model.purchase_cost + model.holding_cost + model.shipping_cost + model.lost_sales_cost,
        sense=pyo.minimize, doc="expected total cost")
