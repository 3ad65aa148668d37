"""A pricing worker: owns a range of products, their subproblems, engines and column solutions.

The coordinator hands a worker a :class:`WorkerSpec` (which products, and how to obtain
their data: an instance directory, bundle or bundled name it loads itself, or an in-memory
slice). The worker builds its products' subproblems, keeps their bases or engines and the
solution vector z of every column it generates, and answers the calls of
its public methods; the coordinator only ever sees :class:`~meio.decomposition.pricing.Column`
(cost, linking use, key). Every call is deterministic given the calls before it, which is
what lets an engine replace a dead worker by replaying its calls
(:mod:`meio.decomposition.engine`).
"""

from __future__ import annotations

import os
import resource
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from meio.data.instance import Instance
from meio.decomposition.changes import fingerprint
from meio.decomposition.chunks import build_subproblems, partial_sums, plan_totals
from meio.decomposition.pricing import Column, Pricer, ProductLinks, Solution, SparseZ, solution_of
from meio.decomposition.primal import flat_plan, repaired_solution, stock_of, zero_stock_solution
from meio.decomposition.solvers import Caps, HighsBasisCache
from meio.decomposition.subproblem import ProductLP
from meio.decomposition.warm_start import WarmStart, read_warm_start
from meio.models.build import ModelVariant
from meio.models.linking import LinkingSpec

#: Calls a worker answers that change no state: an engine does not replay them.
READ_ONLY = frozenset({"totals", "export_bases", "export_plans", "fingerprints", "reusable", "memory", "peak_mb",
                       "pid"})


def one_blas_thread() -> threadpool_limits:
    """Limit numpy's BLAS to one thread, until the limiter is left (``with``) or restored.

    OpenBLAS keeps one thread per core that spins for a while after each call. Pricing is many
    small LP solves, not linear algebra, so those threads only take CPU from the other pricing
    workers: 2 worker processes on 2 cores priced 1.44x faster than one with them, 2.0x with
    one BLAS thread each (docs/performance.md)."""
    return threadpool_limits(limits=1, user_api="blas")


@dataclass(frozen=True, eq=False)
class WorkerSpec:
    """What a worker needs: its products (numbered from ``first`` in the whole instance), where
    their data comes from (``data``: a loaded slice, or a path or bundled name from which the worker
    loads ``products`` only) and the build and solver options."""

    first: int
    products: list[str]
    data: Instance | str | Path
    integer: bool
    backend: str
    builder: str = "numpy"
    chunk_products: int = 500
    variants: Sequence[ModelVariant] = field(default_factory=tuple)


def load_products(spec: WorkerSpec) -> Instance:
    """The worker's products as an instance: the slice it was given, or its products of the
    instance at ``spec.data``, read without the other products' rows (see
    :func:`meio.data.load_instance`)."""
    if isinstance(spec.data, Instance):
        return spec.data
    from meio.data import load_instance

    return load_instance(spec.data, products=spec.products)


class ProductWorker:
    """Subproblems, engines and column store of one range of products."""

    def __init__(self, spec: WorkerSpec, executor: Executor | None = None) -> None:
        self.spec, self.executor = spec, executor
        self.instance: Instance | None = None
        self.subproblems: list[ProductLP] = []
        self.rows: list[LinkingSpec] = []
        self.labels: dict[int, str] = {}  # the label of each global row the products touch
        self.marks: list[str] | None = None  # the products' fingerprints, once computed
        self.pricer: Pricer | None = None
        self.store: list[SparseZ | None] = []  # by column key; None once the master declined the column
        self.warm: WarmStart | None = None

    def handle(self, method: str, args: tuple) -> tuple[bool, object]:
        """Run ``method(*args)``; (True, result), or (False, error), which the coordinator raises as
        its own (a worker survives its errors: only a dead worker is replaced)."""
        try:
            return True, getattr(self, method)(*args)
        except Exception as error:
            return False, error

    @property
    def first(self) -> int:
        return self.spec.first

    def _pricer(self) -> Pricer:
        assert self.pricer is not None, "build() first"
        return self.pricer

    def _keep(self, solutions: list[Solution | None]) -> list[Column | None]:
        """Store the solutions' z and return their columns (None stays None)."""
        columns: list[Column | None] = []
        for solution in solutions:
            if solution is None:
                columns.append(None)
                continue
            columns.append(solution.column(len(self.store)))
            self.store.append(solution.kept())
        return columns

    def forget(self, keys: list[int]) -> None:
        """Drop the z of columns the master declined (it never asks for them again): most priced
        columns do not enter, and their z would hold most of a worker's memory by the end of a run."""
        for key in keys:
            self.store[key] = None

    def build(self) -> list[LinkingSpec]:
        """Load the products and build their subproblems; the linking rows they touch (canonical order)."""
        spec = self.spec
        self.instance = load_products(spec)
        self.rows, self.subproblems = build_subproblems(self.instance, spec.integer, spec.builder, spec.variants,
                                                        spec.chunk_products, self.executor)
        return self.rows

    def use_rows(self, to_global: np.ndarray) -> list[ProductLinks]:
        """Renumber the subproblems' linking rows into the coordinator's (``to_global[i]``: the
        global row of this worker's row i); each product's links for the master."""
        self.subproblems = [replace(sub, link_rows=to_global[sub.link_rows]) for sub in self.subproblems]
        self.labels = {int(g): row.label for g, row in zip(to_global, self.rows, strict=True)}
        self.marks = None
        self.pricer = Pricer(self.subproblems, self.spec.backend, self.executor, self.first)
        return [ProductLinks(sub.product, sub.link_rows, bool(sub.integer.any())) for sub in self.subproblems]

    def zero_stock(self) -> list[Column | None]:
        """Each product's zero-stock column (None where a per-product row forbids it)."""
        return self._keep([zero_stock_solution(self.first + p, sub) for p, sub in enumerate(self.subproblems)])

    def price(self, mu: np.ndarray, phase_one: bool) -> tuple[np.ndarray, list[Column]]:
        """Every product priced at ``mu``: its value v_p(mu) and its new column."""
        pairs = self._pricer().price(mu, phase_one)
        columns = self._keep([solution for _, solution in pairs])
        return np.array([value for value, _ in pairs]), [c for c in columns if c is not None]

    def price_warm(self, mu: np.ndarray) -> tuple[np.ndarray, list[Column], int]:
        """The first pass of a warm start (after :meth:`warm_start`): a product whose subproblem
        did not change, at the prices its rows had at the previous best bound, takes its term
        v_p(mu) over and is not solved (no column); every other product is priced at ``mu``. The
        values, the new columns, and how many products took their term over."""
        solver = self._pricer().solver
        values, priced = np.zeros(len(self.subproblems)), []
        for p, term in enumerate(self._terms(mu)):
            if term is not None:
                values[p] = term
                if isinstance(solver, HighsBasisCache):
                    solver.unchanged(p)
            else:
                priced.append(p)
        pairs = self._pricer().price(mu, only=priced)
        values[priced] = [value for value, _ in pairs]
        columns = self._keep([solution for _, solution in pairs])
        return values, [c for c in columns if c is not None], len(self.subproblems) - len(priced)

    def reusable(self, mu: np.ndarray) -> int:
        """How many products :meth:`price_warm` at ``mu`` would take their terms over for."""
        return sum(term is not None for term in self._terms(mu))

    def _terms(self, mu: np.ndarray) -> list[float | None]:
        """Each product's stored term where its subproblem did not change and its rows' prices in
        ``mu`` are the stored ones, else None (after :meth:`warm_start`)."""
        assert self.warm is not None, "warm_start() first"
        return [term[0] if term is not None and np.array_equal(mu[sub.link_rows], term[1]) else None
                for sub, term in zip(self.subproblems, self.warm.terms, strict=True)]

    def within_caps(self, caps: list[Caps | None], mu: np.ndarray) -> list[tuple[Column | None, np.ndarray]]:
        """Each product's solution at prices ``mu`` with its linking use within its cap (see
        :mod:`meio.decomposition.shares`; None where the capped LP has no solution or the caps are
        None), and the caps' marginal values (see :meth:`Pricer.within_caps`)."""
        solved = self._pricer().within_caps(list(caps), mu)
        return list(zip(self._keep([solution for solution, _ in solved]), [marginal for _, marginal in solved]))

    def warm_start(self, directory: Path) -> int:
        """Read this worker's share of a previous result and seed the subproblem bases from it;
        how many were seeded."""
        labels = [[self.labels[int(g)] for g in sub.link_rows] for sub in self.subproblems]
        self.warm = read_warm_start(directory, self.subproblems, self.fingerprints(), labels)
        solver = self._pricer().solver
        if self.warm.bases is None or not isinstance(solver, HighsBasisCache):
            return 0
        return solver.load(self.warm.bases)

    def previous_plans(self, mu: np.ndarray) -> list[Column | None]:
        """A column per product from the previous plan (after :meth:`warm_start`): as it was where the
        subproblem did not change, else repaired for the new demand (no solve) or, failing that,
        re-solved at ``mu`` with the previous stock fixed (None where neither exists)."""
        assert self.warm is not None, "warm_start() first"
        warm, pricer = self.warm, self._pricer()
        solutions: list[Solution | None] = []
        for p, sub in enumerate(self.subproblems):
            plan, stock = warm.plans[p], warm.stock[p]
            # the same LP: the plan as it was (integer stock: the stored plan is the LP master's mix)
            if plan is not None and warm.terms[p] is not None and not sub.integer.any():
                solutions.append(solution_of(self.first + p, sub, plan))
                continue
            solution = repaired_solution(self.first + p, sub, plan) if plan is not None else None
            if solution is None and stock is not None:
                solution = pricer.fix_stock(p, stock, mu)
            solutions.append(solution)
        self.warm = None
        return self._keep(solutions)

    def rounded_stock(self, chosen: list[tuple[int, float]], mu: np.ndarray) -> list[Column | None]:
        """Each product's column with the plan's stock rounded down (re-solved at ``mu``; None
        where infeasible): the integer repair."""
        stock = stock_of(self.subproblems, self._chosen(chosen), self.first)
        pricer = self._pricer()
        return self._keep([pricer.fix_stock(p, np.floor(y + 1e-9), mu) for p, y in enumerate(stock)])

    def totals(self, chosen: list[tuple[int, float]]) -> dict[str, object]:
        """The partial sums of the plan's figures over this worker's products (see
        :func:`meio.decomposition.chunks.partial_sums`); ``chosen``: (column key, weight > 0)."""
        assert self.instance is not None
        return partial_sums(plan_totals(self.instance, self.subproblems, self._chosen(chosen),
                                        self.spec.chunk_products, self.executor, self.first))

    def export_plans(self, chosen: list[tuple[int, float]]) -> dict[str, np.ndarray]:
        """The plan and fingerprint of every product as flat arrays (warm_start.npz without its prices)."""
        return {**flat_plan(self.subproblems, self._chosen(chosen), self.first),
                "fingerprint": np.array(self.fingerprints(), dtype=str)}

    def fingerprints(self) -> list[str]:
        """Each product's fingerprint (see :mod:`meio.decomposition.changes`), in hex; computed once
        (a warm start reads them, the result writes them)."""
        if self.marks is None:
            self.marks = [fingerprint(sub, [self.labels[int(g)] for g in sub.link_rows]).hex()
                          for sub in self.subproblems]
        return self.marks

    def export_bases(self) -> dict[str, np.ndarray] | None:
        """The subproblems' bases as flat arrays (bases.npz); None without a basis cache (OR-Tools)."""
        solver = self._pricer().solver
        if not isinstance(solver, HighsBasisCache):
            return None
        return solver.bases_writer()()

    def memory(self) -> int:
        """Bytes of the stored solution vectors (support and values)."""
        return sum(s.support.nbytes + s.values.nbytes for s in self.store if s is not None)

    def peak_mb(self) -> float:
        """This worker process's peak resident memory in MiB (the coordinator's own for threads)."""
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    def pid(self) -> int:
        return os.getpid()

    def _chosen(self, chosen: list[tuple[int, float]]) -> list[tuple[SparseZ, float]]:
        kept = []
        for key, weight in chosen:
            z = self.store[key]
            assert z is not None, f"column {key} has positive weight but was declined and forgotten"
            kept.append((z, weight))
        return kept
