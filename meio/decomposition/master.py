"""The restricted Dantzig-Wolfe master over generated columns, with penalised slacks.

    min  sum_{p,k} cost_pk lambda_pk + M sum_i s_i
    s.t. sum_{p,k} usage_pk[i] lambda_pk - s_i <= b_i     (linking row i, dual -mu_i)
         sum_k lambda_pk = 1                               (convexity of product p, dual sigma_p)
         lambda, s >= 0

The slacks keep the master feasible from the first iteration (phase one when service
targets make the zero-stock plan infeasible); a master solution with zero slack is a
feasible plan of the original problem and its objective an upper bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from meio.decomposition.lp import LinearModel, make_engine
from meio.decomposition.pricing import Column
from meio.decomposition.subproblem import ProductLP
from meio.models.linking import LinkingSpec

#: A slack is "zero" below this, relative to max(1, |b_i|).
SLACK_TOLERANCE = 1e-7
#: Column entries of smaller magnitude are dropped from the master.
ZERO = 1e-12
#: A column enters when its reduced cost is below -this, relative to the size of its terms.
REDUCED_COST_TOLERANCE = 1e-8


@dataclass(frozen=True, eq=False)
class MasterSolution:
    """Objective (slack penalty included), prices mu >= 0, convexity duals, weights and slacks."""

    objective: float
    mu: np.ndarray
    sigma: np.ndarray
    weights: np.ndarray
    slack: np.ndarray
    feasible: bool


class RestrictedMaster:
    """The master LP, kept loaded in one engine to which columns are added between solves."""

    def __init__(self, rows: list[LinkingSpec], subproblems: list[ProductLP], backend: str, penalty: float) -> None:
        self.rows, self.subproblems, self.backend = rows, subproblems, backend
        self.capacity = np.array([row.capacity for row in rows], dtype=float)
        self.penalty = penalty
        m, products = len(rows), len(subproblems)
        self.columns: list[Column] = []
        self.engine = make_engine(backend, LinearModel(
            c=np.full(m, penalty), A=sp.csr_array(sp.vstack([-sp.eye_array(m), sp.csr_array((products, m))])),
            row_lower=np.concatenate([np.full(m, -np.inf), np.ones(products)]),
            row_upper=np.concatenate([self.capacity, np.ones(products)]),
            lower=np.zeros(m), upper=np.full(m, np.inf), integer=np.zeros(m, dtype=bool)))
        self.seconds = 0.0

    @property
    def size(self) -> int:
        return len(self.columns)

    def add(self, columns: list[Column]) -> None:
        """Add columns (lambda variables) to the loaded master."""
        if not columns:
            return
        self.engine.add_columns(np.array([c.cost for c in columns]), self._matrix(columns))
        self.columns.extend(columns)

    def set_penalty(self, penalty: float) -> None:
        """Change the cost of the slacks (raised when a converged master still needs them)."""
        self.penalty = penalty
        self.engine.set_costs(np.concatenate([np.full(len(self.rows), penalty), [c.cost for c in self.columns]]))

    def solve(self) -> MasterSolution:
        start = time.perf_counter()
        solution = self.engine.solve()
        self.seconds += time.perf_counter() - start
        if not solution.solved:
            raise RuntimeError("the restricted master LP failed to solve")
        m = len(self.rows)
        slack = solution.x[:m]
        feasible = bool(np.all(slack <= SLACK_TOLERANCE * np.maximum(1.0, np.abs(self.capacity))))
        return MasterSolution(objective=solution.objective, mu=np.maximum(0.0, -solution.row_dual[:m]),
                              sigma=solution.row_dual[m:], weights=solution.x[m:], slack=slack, feasible=feasible)

    def entering(self, columns: list[Column], master: MasterSolution) -> list[Column]:
        """Columns whose reduced cost ``cost + mu . usage - sigma_p`` at the master's duals is
        negative, relative to the size of its terms (duals can be as large as the slack penalty)."""
        out = []
        for column in columns:
            priced = master.mu[self.subproblems[column.product].link_rows] * column.usage
            sigma = master.sigma[column.product]
            scale = max(1.0, abs(column.cost), abs(sigma), float(np.abs(priced).sum()))
            if column.cost + priced.sum() - sigma < -REDUCED_COST_TOLERANCE * scale:
                out.append(column)
        return out

    def integer_plan(self, time_limit: float | None) -> np.ndarray | None:
        """Choose one generated column per product (binary lambda, no slack); weights or None."""
        m, products = len(self.rows), len(self.subproblems)
        k = len(self.columns)
        A = sp.csr_array(sp.hstack([sp.csr_array((m + products, m)), self._matrix(self.columns)]))
        model = LinearModel(
            c=np.concatenate([np.zeros(m), [c.cost for c in self.columns]]), A=A,
            row_lower=np.concatenate([np.full(m, -np.inf), np.ones(products)]),
            row_upper=np.concatenate([self.capacity, np.ones(products)]),
            lower=np.zeros(m + k), upper=np.concatenate([np.zeros(m), np.ones(k)]),
            integer=np.concatenate([np.zeros(m, dtype=bool), np.ones(k, dtype=bool)]))
        start = time.perf_counter()
        solution = make_engine(self.backend, model, time_limit).solve()
        self.seconds += time.perf_counter() - start
        return np.round(solution.x[m:]) if solution.solved else None

    def _matrix(self, columns: list[Column]) -> sp.csc_array:
        m = len(self.rows)
        rows, cols, vals = [], [], []
        for j, column in enumerate(columns):
            link_rows = self.subproblems[column.product].link_rows
            rows += [link_rows, [m + column.product]]
            cols += [np.full(len(link_rows) + 1, j)]
            vals += [column.usage, [1.0]]
        shape = (m + len(self.subproblems), len(columns))
        values = np.concatenate(vals)
        keep = np.abs(values) > ZERO  # round-off like (y - on_hand) = 1e-16 upsets GLOP
        return sp.csc_array((values[keep], (np.concatenate(rows)[keep], np.concatenate(cols)[keep])), shape=shape)
