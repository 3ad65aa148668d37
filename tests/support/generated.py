"""A small instance of the benchmark generator's family with its extensive optimum (the reference
the decomposition's bounds must bracket)."""

from __future__ import annotations

from pathlib import Path

from meio.data import load_instance
from meio.data.generator import generate_instance
from meio.data.instance import Instance
from meio.exact import solve_extensive


def generated_with_optimum(directory: Path, products: int, seed: int) -> tuple[Instance, float]:
    """A generated instance (4 nodes, 6 zones, 5 scenarios, tightness 0.7) and its extensive optimum."""
    instance = load_instance(generate_instance(directory, products=products, nodes=4, zones=6, scenarios=5,
                                               seed=seed, tightness=0.7))
    return instance, solve_extensive(instance).objective
