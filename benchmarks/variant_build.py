"""Build time of the decomposition's subproblems with a model variant against the fast builder (issue #10).

    python benchmarks/variant_build.py [--products 1000] [--repeat 3] [--out DIR]

Generates ``meio generate g1000 --products 1000 --nodes 10 --zones 30 --scenarios 50 --seed 3``
(into ``--out``, reused when there), then times ``build_subproblems`` in one process, side by
side: SPEC's numpy builder without variants, and with a variant over several products
(``category_storage`` at every node, which the decomposition reads from the whole model and
prices as linking rows). Prints the best of ``--repeat`` runs of each and their ratio.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from meio.data import load_instance
from meio.data.generator import generate_instance
from meio.data.instance import Instance
from meio.decomposition.chunks import build_subproblems
from meio.models.build import ModelVariant
from meio.models.variants import parse_variant


def best_seconds(instance: Instance, variants: list[ModelVariant], repeat: int) -> float:
    """Fastest of ``repeat`` builds of every subproblem (with ``variants``)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        build_subproblems(instance, False, "numpy", variants)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out"))
    args = parser.parse_args()
    directory = args.out / f"g{args.products}"
    if not (directory / "products.csv").is_file():
        generate_instance(directory, products=args.products, nodes=10, zones=30, scenarios=50, seed=3)
    instance = load_instance(directory)
    category = str(instance.products["category"].mode()[0])
    variant = parse_variant(f"category_storage:category={category},capacity=500")
    plain = best_seconds(instance, [], args.repeat)
    with_variant = best_seconds(instance, [variant], args.repeat)
    print(f"{args.products} products, best of {args.repeat}: fast builder {plain:.2f} s, with {variant} "
          f"{with_variant:.2f} s, ratio {with_variant / plain:.2f}")


if __name__ == "__main__":
    main()
