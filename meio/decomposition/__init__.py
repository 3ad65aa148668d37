"""Decomposition over products: Lagrangian bounds, a Dantzig-Wolfe capacity master and
per-product pricing subproblems on HiGHS or OR-Tools, in parallel (issue #3)."""

from meio.decomposition.algorithm import solve_decomposition
from meio.decomposition.config import DecompositionConfig

__all__ = ["DecompositionConfig", "solve_decomposition"]
