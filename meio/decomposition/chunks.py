"""Subproblems built, and plans read out, one chunk of products at a time.

The whole-instance model index (one row per shipment variable: 14 million rows at 10,000
products) and the builders' temporaries would dominate the decomposition's memory. Each
chunk of ``CHUNK_PRODUCTS`` products is an instance of its own (``Instance.in_chunks``)
with its own model index, built, used and dropped; only the subproblems are kept. The
plan is read out the same way, chunk by chunk, into :class:`PlanTotals`; a worker sends
its products' partial sums (:func:`partial_sums`) and the coordinator adds them up
(:func:`add_sums`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import replace
from functools import partial
from itertools import islice
from typing import Any, TypeVar

import numpy as np

from meio.data.derived import derive_sets
from meio.data.instance import Instance
from meio.decomposition.builder import numpy_subproblems
from meio.decomposition.pricing import SparseZ
from meio.decomposition.structure import apply_variants
from meio.decomposition.subproblem import ProductLP, pyomo_subproblems, sort_rows
from meio.models.build import ModelVariant
from meio.models.index import ModelIndex, model_index
from meio.models.linking import LinkingSpec
from meio.results.tables import PlanTotals, PlanValues

#: Products per chunk: bounds the build's temporaries (about 0.5 MB per product).
CHUNK_PRODUCTS = 500
#: Chunks built or read out at once through an executor (bounds memory).
READ_AHEAD = 2
T = TypeVar("T")
R = TypeVar("R")


def chunk_index(part: Instance) -> ModelIndex:
    """The model index of one chunk's instance."""
    return model_index(part, derive_sets(part))


def build_subproblems(instance: Instance, integer: bool, builder: str, variants: Sequence[ModelVariant] = (),
                      chunk: int = CHUNK_PRODUCTS, executor: Executor | None = None
                      ) -> tuple[list[LinkingSpec], list[ProductLP]]:
    """The global linking rows and every product's subproblem (``builder``: numpy or pyomo),
    built chunk by chunk (numpy chunks through ``executor`` when given: pandas and numpy release
    the GIL often enough for two threads to build 1.1-1.4x faster, measured at 3,000 products);
    each subproblem's ``link_rows`` refer to the global rows.

    With model ``variants`` the instance is one chunk: what the variants add is read from the
    whole model (:mod:`meio.decomposition.structure`), since a row may span every product."""
    if variants:
        sets = derive_sets(instance)
        index = model_index(instance, sets)
        rows, subs = numpy_subproblems(instance, index, integer)
        return apply_variants(instance, sets, index, subs, rows, integer, variants)
    build = partial(_build_chunk, integer=integer, builder=builder)
    parts = list(_in_order(build, instance.in_chunks(chunk), executor if builder == "numpy" else None))
    rows = sort_rows(instance, {row.key for chunk_rows, _ in parts for row in chunk_rows})
    row_of = {row.key: i for i, row in enumerate(rows)}
    subproblems = []
    for chunk_rows, subs in parts:
        # both orders are canonical, so the map is increasing and keeps each D's rows sorted
        to_global = np.array([row_of[row.key] for row in chunk_rows], dtype=np.int32)
        subproblems += [replace(sub, link_rows=to_global[sub.link_rows]) for sub in subs]
    return rows, subproblems


def _build_chunk(part: Instance, integer: bool, builder: str) -> tuple[list[LinkingSpec], list[ProductLP]]:
    index = chunk_index(part)
    if builder == "numpy":
        return numpy_subproblems(part, index, integer)
    return pyomo_subproblems(part, index, integer)


def plan_totals(instance: Instance, subproblems: list[ProductLP], chosen: list[tuple[SparseZ, float]],
                chunk: int = CHUNK_PRODUCTS, executor: Executor | None = None, first: int = 0) -> PlanTotals:
    """The figures of the plan sum_k lambda_k z_k over the products of ``instance`` (numbered
    ``first``, ``first + 1``, ...; ``chosen``: their solutions with positive weight), read out chunk
    by chunk (the same chunks as :func:`build_subproblems`; each chunk's index and values through
    ``executor`` when given, added in chunk order)."""
    by_chunk: list[list[tuple[SparseZ, float]]] = [[] for _ in range(-(-len(subproblems) // chunk))]
    for solution, weight in chosen:
        by_chunk[(solution.product - first) // chunk].append((solution, weight))
    read = partial(_chunk_values, subproblems=subproblems, first=first)
    totals = PlanTotals(instance)
    for index, values in _in_order(read, zip(instance.in_chunks(chunk), by_chunk), executor):
        totals.add(index, values)
    return totals


def partial_sums(totals: PlanTotals) -> dict[str, object]:
    """The additive partial sums of ``totals`` without its instance (what a worker sends back)."""
    return {name: value for name, value in vars(totals).items() if name != "instance"}


def add_sums(totals: PlanTotals, sums: dict[str, Any]) -> None:
    """Add a worker's :func:`partial_sums` to ``totals`` (workers' products in product order)."""
    for name, value in sums.items():
        mine = getattr(totals, name)
        if isinstance(mine, dict):
            for key, amount in value.items():
                mine[key] += amount
        elif isinstance(mine, list):
            mine.extend(value)
        else:
            mine += value


def _in_order(function: Callable[[T], R], items: Iterable[T], executor: Executor | None) -> Iterator[R]:
    """``map(function, items)``, through ``executor`` when given with at most ``READ_AHEAD``
    items in flight (``Executor.map`` would take every chunk, and hold every result, at once)."""
    items = iter(items)
    while batch := list(islice(items, READ_AHEAD if executor is not None else 1)):
        yield from (executor.map(function, batch) if executor is not None else map(function, batch))


def _chunk_values(pair: tuple[Instance, list[tuple[SparseZ, float]]], subproblems: list[ProductLP],
                  first: int) -> tuple[ModelIndex, PlanValues]:
    """One chunk's index, and its y, x and u from its products' weighted solutions."""
    part, chosen = pair
    index = chunk_index(part)
    y, x, u = np.zeros(len(index.y)), np.zeros(len(index.x)), np.zeros(len(index.u))
    for solution, weight in chosen:
        sub = subproblems[solution.product - first]
        ny, nx, nu = len(sub.y_rows), len(sub.x_rows), len(sub.u_rows)
        s, v = solution.support, weight * solution.values
        in_y, in_x = s < ny, (s >= ny) & (s < ny + nx)
        in_u = (s >= ny + nx) & (s < ny + nx + nu)  # a variant's own columns come after u
        np.add.at(y, sub.y_rows[s[in_y]], v[in_y])
        np.add.at(x, sub.x_rows[s[in_x] - ny], v[in_x])
        np.add.at(u, sub.u_rows[s[in_u] - ny - nx], v[in_u])
    return index, PlanValues(y=y, x=x, u=u)

