"""A user's model variant, written against the documented signature ``f(built: BuiltModel) -> None``.

``node_cap`` allows at most 50 units in stock at each node over every product: a row over
several products, which the decomposition reads from the model and prices like a capacity.
Use it from the CLI as ``meio solve demo --variant examples/my_variant.py:node_cap`` (see
user_variant_cli.py). Run as a script, it checks itself on the bundled ``tiny`` instance.
"""

from __future__ import annotations

import pyomo.environ as pyo

from meio.models.build import BuiltModel

LIMIT = 50.0


def node_cap(built: BuiltModel) -> None:
    """sum_p y[p,n] <= LIMIT at every node n."""
    m = built.model
    nodes = sorted({n for _, n in m.A})
    m.node_cap = pyo.Constraint(nodes, rule=lambda m, n: pyo.quicksum(m.y[p, q] for p, q in m.A if q == n) <= LIMIT)


if __name__ == "__main__":
    from meio.data import load_instance
    from meio.solve import solve

    result = solve(load_instance("tiny"), variants=[node_cap])
    print(f"tiny with node_cap: {result.stock['stock'].sum():g} units in stock, at most {LIMIT:g} per node")
    assert (result.stock.groupby("node")["stock"].sum() <= LIMIT + 1e-6).all()
