"""How each product's subproblem is kept between pricing passes.

- :class:`HighsBasisCache` (HiGHS, the default): one ``highspy.Highs`` per worker thread and,
  per product, only the final simplex basis. A solve passes the product's compiled
  matrices with the new costs and the stored basis, so it re-solves warm (primal simplex,
  no presolve) while memory stays at the matrices plus a few bytes per column and row; a
  persistent HiGHS instance per product costs about 2 MB, 20 GB for 10,000 products.
- :class:`PersistentEngines` (any backend; OR-Tools): one loaded engine per product whose
  costs are changed in place.

Both give the same answer for any number of worker threads: a product's solve depends
only on its matrices, its costs and its own previous basis.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import highspy
import numpy as np
import scipy.sparse as sp

from meio.decomposition.lp import (
    STATUS,
    Engine,
    LinearModel,
    LPSolution,
    finite,
    highs_instance,
    make_engine,
    read_highs,
    status_codes,
)
from meio.decomposition.subproblem import ProductLP
from meio.errors import SolverError


@dataclass(frozen=True, eq=False)
class Caps:
    """A product's caps: ``D_p z + e_p <= value`` on its linking rows at ``positions`` (in its
    ``link_rows``)."""

    positions: np.ndarray
    value: np.ndarray


#: HiGHS simplex strategies: dual, and primal (a cost change keeps a basis primal feasible).
DUAL, PRIMAL = 1, 4
#: Dual simplex edge weights of the subproblems: Devex (``simplex_dual_edge_weight_strategy`` 1).
#: HiGHS's default (steepest edge) takes fewer iterations but costs more per iteration: measured
#: at 1,000 products, each product solved by both side by side in 4 rounds, the cold pass 0.87-0.89
#: and the capacity-share pass 0.85-0.87 of the time (3% and 5% more iterations), the same optimal
#: objectives, the warm primal passes unchanged; Dantzig is slower cold (1.23).
DUAL_EDGE_WEIGHTS = 1


class SubproblemSolver(Protocol):
    """Solves product p's subproblem with given costs (and optionally other column bounds)."""

    def solve(self, p: int, costs: np.ndarray, lower: np.ndarray | None = None,
              upper: np.ndarray | None = None) -> LPSolution: ...

    def solve_capped(self, p: int, costs: np.ndarray, caps: Caps) -> LPSolution:
        """Product p's subproblem with its linking use capped, ``D z + e <= cap``, from its stored
        basis (which is left as it was); for an LP with the row duals, the caps' last."""


#: A basis as a previous result stored it: the status codes of the columns and of the rows.
Codes = tuple[np.ndarray, np.ndarray]


class HighsBasisCache:
    """Thread-local HiGHS instances and one stored basis per product (a basis loaded from a
    previous result stays as its status codes until the product is solved: the products a
    re-plan takes over never pay for the conversion, neither when loaded nor when written)."""

    def __init__(self, subproblems: list[ProductLP]) -> None:
        self.subproblems = subproblems
        self.bases: list[highspy.HighsBasis | Codes | None] = [None] * len(subproblems)
        # bases loaded from a previous result, not yet solved from: made for other row bounds
        # (a forecast change), so primal infeasible; near the previous prices, nearly dual feasible
        self.seeded = np.zeros(len(subproblems), dtype=bool)
        self.local = threading.local()

    def solve(self, p: int, costs: np.ndarray, lower: np.ndarray | None = None,
              upper: np.ndarray | None = None) -> LPSolution:
        highs = self._highs()
        sub = self.subproblems[p]
        _pass_model(highs, sub.product, sub, costs, sub.lower if lower is None else lower,
                    sub.upper if upper is None else upper)
        # a seeded basis re-solves by dual simplex (half the iterations of primal on the first pass
        # of a re-plan after a 5% change at 1,000 products), a basis of this run's own by primal
        solution = self._run(highs, p, self._basis(p), DUAL if self.seeded[p] else PRIMAL)
        self.seeded[p] = False
        if solution.solved and not sub.integer.any() and lower is None and upper is None:
            self.bases[p] = highs.getBasis()
        return solution

    def solve_capped(self, p: int, costs: np.ndarray, caps: Caps) -> LPSolution:
        highs = self._highs()
        sub = self.subproblems[p]
        _pass_model(highs, sub.product, sub, costs, sub.lower, sub.upper)
        basis = self._basis(p)
        if basis is not None and not sub.integer.any():
            highs.setBasis(basis)
        # HiGHS gives rows added to a basis basic slacks: still a basis of the capped LP (building
        # the larger basis's status lists in Python took longer than the solve)
        at = caps.positions
        cap = sub.D[at]
        highs.addRows(len(at), np.full(len(at), -highspy.kHighsInf), caps.value - sub.link_const[at], cap.nnz,
                      cap.indptr[:-1].astype(np.int32), cap.indices.astype(np.int32), np.asarray(cap.data, dtype=float))
        # at the costs of the basis's own solve it stays dual feasible, and only the caps it
        # breaks are primal infeasible: dual simplex (measured 2.3x faster than primal); with the
        # row duals, whose last rows price the caps (clearing prices, :mod:`meio.decomposition.shares`)
        return self._run(highs, p, None, DUAL, duals=True)

    def unchanged(self, p: int) -> None:
        """Product p's seeded basis is of this very subproblem (unchanged since the previous result,
        its term taken over): primal feasible, so its next re-solve is by primal simplex."""
        self.seeded[p] = False

    def _basis(self, p: int) -> highspy.HighsBasis | None:
        """Product p's basis as HiGHS takes it (converted from stored codes on first use)."""
        basis = self.bases[p]
        if isinstance(basis, tuple):
            basis = self.bases[p] = highs_basis(*basis)
        return basis

    def _highs(self) -> highspy.Highs:
        highs = getattr(self.local, "highs", None)
        if highs is None:
            highs = self.local.highs = highs_instance()
            highs.setOptionValue("simplex_dual_edge_weight_strategy", DUAL_EDGE_WEIGHTS)
        return highs

    def _run(self, highs: highspy.Highs, p: int, basis: highspy.HighsBasis | None, warm: int,
             duals: bool = False) -> LPSolution:
        """Solve from ``basis`` with simplex strategy ``warm`` (from no basis: dual simplex);
        ``duals``: read the row duals too."""
        integer = bool(self.subproblems[p].integer.any())
        if basis is not None and not integer:
            highs.setBasis(basis)
        highs.setOptionValue("simplex_strategy", DUAL if basis is None else warm)
        # presolve costs more than it saves on these small LPs (measured: 5.4 vs 8.0 ms cold)
        highs.setOptionValue("presolve", "choose" if integer else "off")
        highs.run()
        return read_highs(highs, integer, duals=duals)


    def bases_writer(self) -> Callable[[], dict[str, np.ndarray]]:
        """The stored bases as flat arrays (``bases.npz``), computed when called: reading the
        statuses out of HiGHS costs about 0.7 ms per product, paid when a result is written."""
        return partial(flat_bases, [sub.product for sub in self.subproblems], list(self.bases))

    def load(self, stored: dict[str, np.ndarray]) -> int:
        """Seed the bases of products whose subproblem has the stored shape; how many were seeded."""
        position = {sub.product: p for p, sub in enumerate(self.subproblems)}
        col_end, row_end = np.cumsum(stored["columns"]), np.cumsum(stored["rows"])
        seeded = 0
        for k, product in enumerate(stored["product"]):
            p = position.get(str(product))
            if p is None or self.subproblems[p].integer.any():
                continue
            sub = self.subproblems[p]
            if (stored["columns"][k], stored["rows"][k]) != (sub.columns, sub.A.shape[0]):
                continue
            self.bases[p] = (stored["col_status"][col_end[k] - stored["columns"][k]:col_end[k]],
                             stored["row_status"][row_end[k] - stored["rows"][k]:row_end[k]])
            self.seeded[p] = True
            seeded += 1
        return seeded


def highs_basis(col_status: np.ndarray, row_status: np.ndarray) -> highspy.HighsBasis:
    """A HiGHS basis from stored status codes."""
    basis = highspy.HighsBasis()
    basis.col_status = [STATUS[s] for s in col_status]
    basis.row_status = [STATUS[s] for s in row_status]
    basis.valid = True
    return basis


def flat_bases(products: list[str], bases: list[highspy.HighsBasis | Codes | None]) -> dict[str, np.ndarray]:
    """Per product with a basis: its name, and the status codes of its columns and rows, concatenated."""
    kept = [(product, basis if isinstance(basis, tuple) else (status_codes(basis.col_status),
                                                              status_codes(basis.row_status)))
            for product, basis in zip(products, bases) if basis is not None]
    cols = [codes[0] for _, codes in kept]
    rows = [codes[1] for _, codes in kept]
    return {"product": np.array([product for product, _ in kept], dtype=str),
            "columns": np.array([len(c) for c in cols], dtype=np.int64),
            "rows": np.array([len(r) for r in rows], dtype=np.int64),
            "col_status": np.concatenate(cols) if cols else np.zeros(0, dtype=np.int8),
            "row_status": np.concatenate(rows) if rows else np.zeros(0, dtype=np.int8)}


class PersistentEngines:
    """One engine per product, loaded on first use; costs and bounds changed in place."""

    def __init__(self, subproblems: list[ProductLP], backend: str) -> None:
        self.subproblems, self.backend = subproblems, backend
        self.engines: list[Engine | None] = [None] * len(subproblems)

    def solve(self, p: int, costs: np.ndarray, lower: np.ndarray | None = None,
              upper: np.ndarray | None = None) -> LPSolution:
        sub = self.subproblems[p]
        engine = self.engines[p]
        if engine is None:
            engine = self.engines[p] = make_engine(self.backend, LinearModel(
                sub.c, sub.A, sub.row_lower, sub.row_upper, sub.lower, sub.upper, sub.integer))
        engine.set_costs(costs)
        columns = np.arange(sub.columns)
        if lower is None and upper is None:
            return engine.solve()
        engine.set_bounds(columns, sub.lower if lower is None else lower, sub.upper if upper is None else upper)
        try:
            return engine.solve()
        finally:
            engine.set_bounds(columns, sub.lower, sub.upper)


    def solve_capped(self, p: int, costs: np.ndarray, caps: Caps) -> LPSolution:
        """A fresh engine of the capped LP (solved cold: the persistent one keeps its rows)."""
        sub = self.subproblems[p]
        engine = make_engine(self.backend, capped_model(sub, caps))
        engine.set_costs(costs)
        return engine.solve()


def capped_model(sub: ProductLP, caps: Caps) -> LinearModel:
    """The product's LP with its capped linking rows, ``D z <= cap - e``, added after its own."""
    at = caps.positions
    return LinearModel(c=sub.c, A=sp.csr_array(sp.vstack([sub.A, sub.D[at]])),
                       row_lower=np.concatenate([sub.row_lower, np.full(len(at), -np.inf)]),
                       row_upper=np.concatenate([sub.row_upper, caps.value - sub.link_const[at]]),
                       lower=sub.lower, upper=sub.upper, integer=sub.integer)


def subproblem_solver(backend: str, subproblems: list[ProductLP]) -> SubproblemSolver:
    """The memory-lean basis cache for HiGHS, persistent engines otherwise."""
    return HighsBasisCache(subproblems) if backend == "highs" else PersistentEngines(subproblems, backend)


def _pass_model(highs: highspy.Highs, product: str, sub: LinearModel, costs: np.ndarray, lower: np.ndarray,
                upper: np.ndarray) -> None:
    """Load the product's LP through highspy's array overload of ``passModel`` (numpy arrays go
    in without a per-element conversion: 0.02 ms instead of 0.6 ms for a ``HighsLp``)."""
    A = sub.A
    # this overload rejects an empty integrality array: all zeros (continuous) is an LP
    integrality = sub.integer.astype(np.int32) * int(highspy.HighsVarType.kInteger)
    status = highs.passModel(A.shape[1], A.shape[0], A.nnz, int(highspy.MatrixFormat.kRowwise),
                    int(highspy.ObjSense.kMinimize), 0.0, np.asarray(costs, dtype=float), finite(lower),
                    finite(upper), finite(sub.row_lower), finite(sub.row_upper),
                    np.asarray(A.indptr[:-1], dtype=np.int32), np.asarray(A.indices, dtype=np.int32),
                    np.asarray(A.data, dtype=float), integrality)
    if status == highspy.HighsStatus.kError:
        raise SolverError(f"HiGHS rejected the subproblem of product '{product}' (a malformed matrix: an internal "
                          "error of meio; please report it with the instance, and try --backend ortools)")

