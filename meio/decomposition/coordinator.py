"""The coordinator's side of the pricing workers: partitions, and their answers merged.

The products are split into contiguous ranges, one per worker (one range with model
variants: a variant's row may span every product). Answers are merged in product order,
so the master sees the same columns in the same order for every engine and worker count.
The coordinator keeps only what the master needs: each product's linking rows and, per
column, its cost, linking use and key; solution vectors stay with the workers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from meio.data.instance import Instance
from meio.decomposition.chunks import add_sums
from meio.decomposition.engine import PricingEngine
from meio.decomposition.pricing import Column, PricingPass, ProductLinks
from meio.decomposition.solvers import Caps
from meio.decomposition.subproblem import sort_rows
from meio.decomposition.worker import WorkerSpec
from meio.errors import OptionError
from meio.models.build import ModelVariant
from meio.models.linking import LinkingSpec
from meio.results.tables import PlanTotals

ArrayWriter = Callable[[], dict[str, np.ndarray]]


def worker_specs(instance: Instance, partitions: int, integer: bool, backend: str, builder: str, chunk: int,
                 variants: Sequence[ModelVariant], source: str | Path | None) -> list[WorkerSpec]:
    """Contiguous ranges of products, one per partition; each worker gets its slice of
    ``instance``, or loads it from ``source`` (a path or bundled name holding ``instance``)."""
    if source is None and instance.rows_dropped:
        raise OptionError(f"instance {instance.name} holds no demand rows (Instance.without_rows): give the "
                          "path its workers load their products from (DecompositionConfig(source=...))")
    size = math.ceil(len(instance.products) / partitions)
    names = list(instance.products.index)
    firsts = range(0, len(names), size)
    # a worker that loads its products from ``source`` needs only their names: no slice is made
    data: list[Instance | str | Path] = ([source] * len(firsts) if source is not None
                                         else list(instance.in_chunks(size)) if partitions > 1 else [instance])
    return [WorkerSpec(first=first, products=names[first:first + size], data=part, integer=integer, backend=backend,
                       builder=builder, chunk_products=chunk, variants=variants)
            for first, part in zip(firsts, data, strict=True)]


def whole_instance(instance: Instance, source: str | Path | None) -> Instance:
    """``instance`` with its rows: read again from ``source`` if they were dropped (only the
    infeasibility message of a run needs them, to describe the whole model)."""
    if not instance.rows_dropped:
        return instance
    assert source is not None, "worker_specs refuses an instance without rows and without a source"
    from meio.data import load_instance

    return load_instance(source)


class Products:
    """Every product, priced by the engine's workers."""

    def __init__(self, engine: PricingEngine, specs: list[WorkerSpec]) -> None:
        self.engine = engine
        self.firsts = np.array([spec.first for spec in specs], dtype=np.int64)
        self.workers, self.backend = len(specs), specs[0].backend
        self.count = sum(len(spec.products) for spec in specs)
        engine.start(specs)

    def build(self, instance: Instance) -> tuple[list[LinkingSpec], list[ProductLinks]]:
        """The workers build their subproblems; the global linking rows (canonical order, or the one
        worker's own with variants) and each product's links."""
        found: list[list[LinkingSpec]] = self._all("build")
        if len(found) == 1:
            rows = found[0]
        else:
            rows = sort_rows(instance, {row.key for part in found for row in part})
        row_of = {row.key: i for i, row in enumerate(rows)}
        # both orders are canonical, so each map is increasing and keeps every D's rows sorted
        maps = [(np.array([row_of[row.key] for row in part], dtype=np.int32),) for part in found]
        links = self.engine.call("use_rows", maps)
        return rows, [link for part in links for link in part]  # type: ignore[attr-defined]

    def price(self, mu: np.ndarray, phase_one: bool = False) -> PricingPass:
        """Every product priced at ``mu`` (see :meth:`meio.decomposition.pricing.Pricer.price`)."""
        start = time.perf_counter()
        parts = self._all("price", mu, phase_one)
        return PricingPass(mu=mu, values=np.concatenate([values for values, _ in parts]),
                           columns=[column for _, columns in parts for column in columns],
                           seconds=time.perf_counter() - start)

    def reusable(self, mu: np.ndarray) -> int:
        """How many products :meth:`price_warm` at ``mu`` would take their terms over for."""
        return int(sum(self._all("reusable", mu)))

    def price_warm(self, mu: np.ndarray) -> PricingPass:
        """The first pass of a warm start: the products that did not change take their terms over,
        the others are priced at ``mu`` (see :meth:`meio.decomposition.worker.ProductWorker.price_warm`)."""
        start = time.perf_counter()
        parts = self._all("price_warm", mu)
        return PricingPass(mu=mu, values=np.concatenate([values for values, _, _ in parts]),
                           columns=[column for _, columns, _ in parts for column in columns],
                           seconds=time.perf_counter() - start, reused=sum(reused for _, _, reused in parts))

    def within_caps(self, caps: list[Caps | None], mu: np.ndarray) -> tuple[list[Column], list[np.ndarray]]:
        """Each capped product's column at prices ``mu`` within its caps, in product order (none for
        a product whose caps are None: its pass column meets them), and every product's marginal
        values of its caps (see :meth:`meio.decomposition.pricing.Pricer.within_caps`)."""
        bounds = [*self.firsts[1:], len(caps)]
        parts = self.engine.call("within_caps", [(caps[first:end], mu) for first, end in zip(self.firsts, bounds)])
        pairs = [pair for part in parts for pair in part]  # type: ignore[attr-defined]
        return [column for column, _ in pairs if column is not None], [marginal for _, marginal in pairs]

    def zero_stock(self) -> list[Column]:
        """Each product's zero-stock column, where its rows allow it."""
        return _present(self._all("zero_stock"))

    def forget(self, columns: list[Column]) -> None:
        """The workers drop the solution vectors of ``columns`` (declined by the master)."""
        keys: list[list[int]] = [[] for _ in range(self.workers)]
        for column in columns:
            keys[self._owner(column)].append(column.key)
        self.engine.call("forget", [(part,) for part in keys])

    def warm_start(self, directory: Path) -> int:
        """Seed the workers from a previous result; how many subproblem bases were seeded."""
        return int(sum(self._all("warm_start", directory)))

    def previous_plans(self, mu: np.ndarray) -> list[Column]:
        """A column per product from the previous result's plan (after :meth:`warm_start`)."""
        return _present(self._all("previous_plans", mu))

    def rounded_stock(self, columns: list[Column], weights: np.ndarray, mu: np.ndarray) -> list[Column]:
        """Each product's column with the plan's stock rounded down, re-solved at ``mu``."""
        return _present(self.engine.call("rounded_stock", [(c, mu) for c in self._chosen(columns, weights)]))

    def totals(self, instance: Instance, columns: list[Column], weights: np.ndarray) -> PlanTotals:
        """The plan's figures, each worker's products' partial sums added in product order."""
        totals = PlanTotals(instance)
        for sums in self.engine.call("totals", [(c,) for c in self._chosen(columns, weights)]):
            add_sums(totals, sums)  # type: ignore[arg-type]
        return totals

    def bases_writer(self) -> ArrayWriter | None:
        """bases.npz (HiGHS only, else None): read from in-process workers when the result is
        written, from remote ones now (they stop with the solve)."""
        if self.backend != "highs":
            return None
        if self.engine.local:
            return lambda: _concatenate(self._all("export_bases"))
        parts = self._all("export_bases")  # joined when written, once the master is gone (see plans_writer)
        return lambda: _concatenate(parts)

    def plans_writer(self, columns: list[Column], weights: np.ndarray, rows: list[LinkingSpec],
                     center: np.ndarray | None, terms: np.ndarray | None) -> ArrayWriter:
        """warm_start.npz: every product's plan and fingerprint, the prices ``center`` of the best
        bound by row label, and each product's term of that bound (``terms``; NaN if unknown)."""
        prices = {"row": np.array([row.label for row in rows], dtype=str),
                  "center": np.zeros(len(rows)) if center is None else np.asarray(center, dtype=float),
                  "center_value": np.full(self.count, np.nan) if terms is None else terms}
        chosen = [(c,) for c in self._chosen(columns, weights)]

        if self.engine.local:
            return lambda: {**_concatenate(self.engine.call("export_plans", chosen)), **prices}
        # remote workers stop with the solve, so their parts are gathered now, but joined only when
        # written: a joined copy made now (49 MiB at 10,000 products) would add to the coordinator's
        # peak while the master and its columns are still alive
        parts = self.engine.call("export_plans", chosen)
        return lambda: {**_concatenate(parts), **prices}

    def memory(self) -> list[int]:
        """Bytes of solution vectors each worker holds."""
        return [int(m) for m in self._all("memory")]

    def peak_mb(self) -> list[float]:
        """Each worker's peak resident memory (MiB)."""
        return [round(float(m), 1) for m in self._all("peak_mb")]

    def _all(self, method: str, *args: object) -> list:
        return self.engine.call(method, [args] * self.workers)

    def _chosen(self, columns: list[Column], weights: np.ndarray) -> list[list[tuple[int, float]]]:
        """(key, weight) of each column with positive weight, by owning worker, in column order."""
        chosen: list[list[tuple[int, float]]] = [[] for _ in range(self.workers)]
        for j in np.flatnonzero(weights > 0.0):
            chosen[self._owner(columns[j])].append((columns[j].key, float(weights[j])))
        return chosen

    def _owner(self, column: Column) -> int:
        """The worker that priced ``column``."""
        return int(np.searchsorted(self.firsts, column.product, side="right")) - 1


def _present(parts: list) -> list[Column]:
    return [column for part in parts for column in part if column is not None]


def _concatenate(parts: list) -> dict[str, np.ndarray]:
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
