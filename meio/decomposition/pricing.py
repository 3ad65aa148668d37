"""Pricing: solve every product's subproblem at given linking prices, in parallel, warm.

Between passes only the costs of a product's subproblem change, to ``c + D^T mu``; each
re-solve starts from the product's previous basis (see :mod:`meio.decomposition.solvers`).
A worker prices its products in fixed chunks through an optional thread pool; a product's
engine sees the same sequence of costs whatever the worker count or engine, so results do
not depend on them.

Two views of a subproblem solution: the worker keeps z itself, sparse (:class:`SparseZ`), of
the columns the master took; the coordinator's master gets only the :class:`Column` (cost,
linking use, and a key by which the owning worker finds the solution again).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from meio.decomposition.solvers import Caps, subproblem_solver
from meio.decomposition.subproblem import ProductLP
from meio.errors import InfeasibleError, SolverError

CHUNK = 64
T = TypeVar("T")
#: Subproblem costs below this (relative to max(1, largest cost)) are round-off and set to zero.
ROUND_OFF = 1e-13


@dataclass(frozen=True, eq=False)
class Column:
    """What the master knows of a subproblem solution: its cost ``c z + offset``, its linking
    use ``D z + e`` (on the product's rows) and ``key``, its number in the owning worker's store."""

    product: int
    cost: float
    usage: np.ndarray
    key: int


@dataclass(frozen=True, eq=False)
class SparseZ:
    """A subproblem solution z as its worker keeps it, sparse: what a plan is read out of."""

    product: int
    support: np.ndarray
    values: np.ndarray


@dataclass(frozen=True, eq=False)
class Solution(SparseZ):
    """A subproblem solution as pricing returns it: z, its cost and its linking use."""

    cost: float
    usage: np.ndarray

    def column(self, key: int) -> Column:
        return Column(product=self.product, cost=self.cost, usage=self.usage, key=key)

    def kept(self) -> SparseZ:
        """z alone: the cost and linking use live in the master's column."""
        return SparseZ(self.product, self.support, self.values)


@dataclass(frozen=True, eq=False)
class ProductLinks:
    """The coordinator's view of a product's subproblem: its global linking rows and whether it
    has integer columns."""

    product: str
    link_rows: np.ndarray
    integer: bool


@dataclass(frozen=True, eq=False)
class PricingPass:
    """One pass over all products at prices ``mu``: v_p(mu) (a lower bound of each product's
    Lagrangian term) and the solution columns; ``reused`` products (the first pass of a warm
    start, see :mod:`meio.decomposition.changes`) took their term over from the previous result
    and have no column."""

    mu: np.ndarray
    values: np.ndarray
    columns: list[Column]
    seconds: float
    reused: int = 0


def linking_use(columns: list[Column], links: list[ProductLinks], rows: int,
                weights: np.ndarray | None = None) -> np.ndarray:
    """sum_k w_k (D_p z_k + e_p) on every linking row over ``columns`` (weights 1 by default)."""
    use = np.zeros(rows)
    for k, column in enumerate(columns):
        usage = column.usage if weights is None else weights[k] * column.usage
        np.add.at(use, links[column.product].link_rows, usage)
    return use


def solution_of(p: int, sub: ProductLP, z: np.ndarray) -> Solution:
    """The solution z of product p (global number) with its cost and linking use."""
    support = np.flatnonzero(z).astype(np.int32)  # half the memory of the column store
    return Solution(product=p, cost=float(sub.c @ z + sub.offset), usage=sub.D @ z + sub.link_const,
                    support=support, values=z[support])


class Pricer:
    """Holds a worker's subproblems (products ``first``, ``first + 1``, ...) and their engines;
    prices them all at a vector of linking prices."""

    def __init__(self, subproblems: list[ProductLP], backend: str, executor: Executor | None,
                 first: int = 0) -> None:
        self.subproblems, self.first = subproblems, first
        self.solver = subproblem_solver(backend, subproblems)
        self.executor = executor

    def price(self, mu: np.ndarray, phase_one: bool = False,
              only: Sequence[int] | None = None) -> list[tuple[float, Solution]]:
        """Solve every subproblem (or the local products ``only``) at prices ``mu`` (opportunity
        costs >= 0 of the global rows); ``phase_one``: at the linking prices alone (the products'
        costs left out), which gives v_p(mu) = min_z mu . (D_p z + e_p), the terms of the
        phase-one Lagrangian."""
        weight = 0.0 if phase_one else 1.0
        return self._by_chunk(lambda chunk: self._price_chunk(chunk, mu, weight), only)

    def fix_stock(self, p: int, stock: np.ndarray, mu: np.ndarray) -> Solution | None:
        """Local product p's best solution with its stock y fixed (a previous plan); None if infeasible."""
        sub = self.subproblems[p]
        ny = len(sub.y_rows)
        lower = np.where(sub.integer[:ny], np.ceil(sub.lower[:ny]), sub.lower[:ny])
        stock = np.maximum(stock, lower)
        bounds = (np.concatenate([stock, sub.lower[ny:]]), np.concatenate([stock, sub.upper[ny:]]))
        return self._solve(p, mu, required=False, bounds=bounds)[1]

    def within_caps(self, caps: list[Caps | None], mu: np.ndarray) -> list[tuple[Solution | None, np.ndarray]]:
        """Each product's cheapest solution at prices ``mu`` (those of its last pricing, so its
        basis starts dual feasible) with its linking use capped, ``D_p z + e_p <= caps[p]``
        (None where the capped LP has no solution, and unsolved where ``caps[p]`` is None), and
        the caps' marginal values, ``-d(cost)/d(cap) >= 0`` at ``caps[p].positions`` (empty where
        unsolved, and for integer stock, whose MIP has no duals)."""
        return self._by_chunk(lambda chunk: self._capped_chunk(chunk, caps, mu))

    def _by_chunk(self, solve: Callable[[Sequence[int]], list[T]], only: Sequence[int] | None = None) -> list[T]:
        """``solve`` on fixed chunks of the products (or of those ``only``; through the executor,
        if any), concatenated in product order."""
        products: Sequence[int] = range(len(self.subproblems)) if only is None else only
        chunks = [products[i:i + CHUNK] for i in range(0, len(products), CHUNK)]
        results = map(solve, chunks) if self.executor is None else self.executor.map(solve, chunks)
        return [item for chunk in results for item in chunk]

    def _capped_chunk(self, chunk: Sequence[int], caps: list[Caps | None],
                      mu: np.ndarray) -> list[tuple[Solution | None, np.ndarray]]:
        out: list[tuple[Solution | None, np.ndarray]] = []
        for p in chunk:
            sub, cap = self.subproblems[p], caps[p]
            if cap is None:
                out.append((None, np.zeros(0)))
                continue
            solved = self.solver.solve_capped(p, self._costs(sub, mu[sub.link_rows], 1.0), cap)
            if not solved.solved:
                out.append((None, np.zeros(0)))
                continue
            # the cap rows come last; round-off can leave a dual of the wrong sign
            marginal = np.maximum(-solved.row_dual[len(solved.row_dual) - len(cap.positions):], 0.0) \
                if len(solved.row_dual) else np.zeros(0)
            out.append((solution_of(self.first + p, sub, solved.x), marginal))
        return out

    def _price_chunk(self, chunk: Sequence[int], mu: np.ndarray, cost_weight: float) -> list[tuple[float, Solution]]:
        out = []
        for p in chunk:
            value, solution = self._solve(p, mu, required=True, cost_weight=cost_weight)
            assert solution is not None
            out.append((value, solution))
        return out

    @staticmethod
    def _costs(sub: ProductLP, price: np.ndarray, cost_weight: float) -> np.ndarray:
        """The subproblem's costs at the prices of its linking rows: ``cost_weight c + D^T price``
        (D^T price as a bincount over D's entries: scipy's transposed product costs more than the
        sum itself on these small matrices, and adds in the same order)."""
        D = sub.D
        linked = np.bincount(D.indices, weights=D.data * np.repeat(price, np.diff(D.indptr)), minlength=D.shape[1])
        costs = cost_weight * sub.c + linked
        # round-off of mu . D (1e-18 where prices cancel) makes GLOP end ABNORMAL: it is zero
        costs[np.abs(costs) < ROUND_OFF * max(1.0, float(np.abs(costs).max(initial=0.0)))] = 0.0
        return costs

    def _solve(self, p: int, mu: np.ndarray, required: bool, bounds: tuple[np.ndarray, np.ndarray] | None = None,
               cost_weight: float = 1.0) -> tuple[float, Solution | None]:
        sub = self.subproblems[p]
        price = mu[sub.link_rows]
        costs = self._costs(sub, price, cost_weight)
        solved = self.solver.solve(p, costs) if bounds is None else self.solver.solve(p, costs, *bounds)
        if not solved.solved:
            if not required:
                return float("nan"), None
            if solved.infeasible:
                raise InfeasibleError(f"the per-product constraints of product '{sub.product}' cannot be met "
                                      "(a model variant's constraint on that product alone)")
            raise SolverError(f"the solver failed on the subproblem of product '{sub.product}' (no solution, "
                              "not proven infeasible); try the other backend or --method extensive")
        value = solved.bound + cost_weight * sub.offset + float(price @ sub.link_const)
        return value, solution_of(self.first + p, sub, solved.x)
