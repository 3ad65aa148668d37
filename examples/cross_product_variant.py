"""A variant over several products, solved by both methods on both backends: the same optimum.

``category_storage`` limits the volume of one category's products at every node, a row the
decomposition cannot split by product: it reads it from the model and prices it in its master
like a storage capacity. The four solves must agree within the decomposition's gap (1e-4), and
the decomposition's lower bound never lies above the exact optimum.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from meio.data import load_instance
from meio.data.generator import generate_instance
from meio.models.variants import parse_variant
from meio.solve import solve

GAP = 1e-4

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as temporary:
        instance = load_instance(generate_instance(Path(temporary) / "small", products=8, nodes=4, zones=6,
                                                   scenarios=6, seed=1))
    category = str(instance.products["category"].mode()[0])
    stock = solve(instance).stock
    products = instance.products.loc[stock["product"]]
    mine = products["category"].to_numpy() == category
    volume = (stock["stock"].to_numpy() * products["unit_volume"].to_numpy())[mine]
    nodes = stock["node"].to_numpy()[mine]
    room = 0.5 * float(max(volume[nodes == n].sum() for n in set(nodes)))  # half what the fullest node holds
    variant = parse_variant(f"category_storage:category={category},capacity={room:.1f}")
    exact = solve(instance, "extensive", "highs", variants=[variant]).objective
    for method in ("extensive", "decomposition"):
        for backend in ("highs", "ortools"):
            result = solve(instance, method, backend, variants=[variant])
            print(f"{instance.name} with {variant}: {method:13} on {backend:7} {result.objective:,.2f} "
                  f"(bound {result.lower_bound:,.2f})")
            assert result.lower_bound <= exact * (1 + 1e-9)
            assert abs(result.objective - exact) <= GAP * abs(exact)
    rows = solve(instance, "decomposition", variants=[variant]).prices
    binding = rows[(rows["kind"] == "variant") & (rows["price"] > 1e-6)]
    print(f"binding category_storage rows priced by the decomposition: {', '.join(binding['constraint'])}")
    assert len(binding)
