"""The restricted Dantzig-Wolfe master over generated columns, in two phases.

    phase one:  min  sum_i s_i / scale_i                   (total scaled violation)
    phase two:  min  sum_{p,k} cost_pk lambda_pk           (s = 0)
    s.t. sum_{p,k} usage_pk[i] lambda_pk - s_i <= b_i     (linking row i, dual -mu_i)
         sum_k lambda_pk = 1                               (convexity of product p, dual sigma_p)
         lambda, s >= 0,   scale_i = max(1, |b_i|)

Phase one keeps the master feasible from the first iteration (service targets can make
the zero-stock plan infeasible) without a big-M penalty: its prices are at most
1 / scale_i, so the LPs stay well scaled on both backends. Once a combination of columns
meets every row, phase two optimises cost with the slacks capped at the feasibility
tolerance; the last phase-one solution stays feasible for it, so the phase-two master
always has a plan and its objective is an upper bound.

Throughput rows (one per node and scenario: 500 of the 510 rows of a 10-node,
50-scenario network) mostly stay slack, yet would carry most of the master's nonzeros.
They start *dormant*: out of the LP. After each solve the plan's use of every dormant row
is computed; violated rows are added to the LP (with the loaded columns' coefficients and
their slack) and it is solved again. A solution that violates no dormant row, with prices 0
on them, is optimal for the master with every row (it is a relaxation whose optimum is
feasible, and complementary slackness holds), so bounds and prices are exact.

LP layout: columns are the m slacks (a dormant row's slack has no entry) then the loaded
lambdas; rows are the linking rows live at the start, the convexity rows, then rows in the
order they woke (``lp_row`` maps a linking row to its LP row, -1 while dormant).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from meio.decomposition.lp import HighsEngine, LinearModel, make_engine
from meio.decomposition.pricing import Column, ProductLinks, linking_use
from meio.errors import SolverError
from meio.models.linking import LinkingSpec, violation_scale

#: A slack is "zero" below this, relative to max(1, |b_i|).
SLACK_TOLERANCE = 1e-7
#: Column entries of smaller magnitude are dropped from the master.
ZERO = 1e-12
#: A column enters when its reduced cost is below -this, relative to the size of its terms.
REDUCED_COST_TOLERANCE = 1e-8
#: A column leaves the loaded master after this many consecutive solves nonbasic at zero
#: weight (HiGHS only; it stays in ``columns``, and pricing brings it back if it is needed).
PURGE_AGE = 2
#: Returns from an infeasible phase-two master to phase one before the master is declared failed.
MAX_RETURNS = 3


@dataclass(frozen=True, eq=False)
class MasterSolution:
    """Objective (of the current phase), prices mu >= 0, convexity duals, weights and slacks."""

    objective: float
    mu: np.ndarray
    sigma: np.ndarray
    weights: np.ndarray
    slack: np.ndarray
    feasible: bool


class RestrictedMaster:
    """The master LP, kept loaded in one engine to which columns are added between solves."""

    def __init__(self, rows: list[LinkingSpec], subproblems: list[ProductLinks], backend: str) -> None:
        self.rows, self.subproblems, self.backend = rows, subproblems, backend
        self.capacity = np.array([row.capacity for row in rows], dtype=float)
        self.scale = violation_scale(self.capacity)
        self.phase_one = True
        self.returns = 0  # returns from phase two to phase one
        m, products = len(rows), len(subproblems)
        self.columns: list[Column] = []
        # the loaded columns: positions in ``columns``, solves spent nonbasic at zero, never purged
        self.active = np.zeros(0, dtype=np.int64)
        self.idle = np.zeros(0, dtype=np.int64)
        self.kept = np.zeros(0, dtype=bool)
        live = np.flatnonzero([not row.dormant for row in rows])
        self.lp_row = np.full(m, -1, dtype=np.int64)
        self.lp_row[live] = np.arange(len(live))
        self.convexity = len(live)  # LP row of product 0's convexity row
        self.lp_rows = len(live) + products
        slack = sp.csr_array((-np.ones(len(live)), (np.arange(len(live)), live)), shape=(len(live), m))
        self.engine = make_engine(backend, LinearModel(
            c=1.0 / self.scale, A=sp.csr_array(sp.vstack([slack, sp.csr_array((products, m))])),
            row_lower=np.concatenate([np.full(len(live), -np.inf), np.ones(products)]),
            row_upper=np.concatenate([self.capacity[live], np.ones(products)]),
            lower=np.zeros(m), upper=np.full(m, np.inf), integer=np.zeros(m, dtype=bool)))
        # column purging needs to delete columns and read the basis: HiGHS only
        self.purging = self.engine if isinstance(self.engine, HighsEngine) else None
        self.seconds = 0.0

    @property
    def live(self) -> np.ndarray:
        """Which linking rows are in the LP."""
        return self.lp_row >= 0

    @property
    def size(self) -> int:
        return len(self.columns)

    def add(self, columns: list[Column], keep: bool = False) -> None:
        """Add columns (lambda variables) to the loaded master; ``keep``: never purge them."""
        if not columns:
            return
        self.engine.add_columns(self._costs(columns), self._loaded(columns))
        self.active = np.concatenate([self.active, np.arange(len(self.columns), len(self.columns) + len(columns))])
        self.idle = np.concatenate([self.idle, np.zeros(len(columns), dtype=np.int64)])
        self.kept = np.concatenate([self.kept, np.full(len(columns), keep)])
        self.columns.extend(columns)

    def start_phase_two(self) -> None:
        """From violation to cost: the columns get their costs and the slacks are fixed at zero."""
        self._set_phase(False)

    def _set_phase(self, one: bool) -> None:
        self.phase_one = one
        m = len(self.rows)
        slack_cost, slack_upper = (1.0 / self.scale, np.full(m, np.inf)) if one else (np.zeros(m), np.zeros(m))
        self.engine.set_costs(np.concatenate([slack_cost, self._costs([self.columns[j] for j in self.active])]))
        self.engine.set_bounds(np.arange(m), np.zeros(m), slack_upper)

    def _costs(self, columns: list[Column]) -> np.ndarray:
        """The columns' costs in the current phase (zero in phase one)."""
        return np.zeros(len(columns)) if self.phase_one else np.array([c.cost for c in columns], dtype=float)

    def solve(self) -> MasterSolution:
        """Solve the loaded master from the last basis, after purging columns idle for
        ``PURGE_AGE`` solves, and again while the plan violates dormant rows; the weights
        cover all generated columns (zero when not loaded)."""
        start = time.perf_counter()
        m = len(self.rows)
        if self.purging is not None:
            stale = (self.idle >= PURGE_AGE) & ~self.kept
            if stale.any():
                self.purging.delete_columns(m + np.flatnonzero(stale))
                self.active, self.idle, self.kept = self.active[~stale], self.idle[~stale], self.kept[~stale]
        while True:
            solution = self.engine.solve()
            if not solution.solved and solution.infeasible and not self.phase_one and self.returns < MAX_RETURNS:
                self.returns += 1
                self._set_phase(True)
                continue
            if not solution.solved:
                self.seconds += time.perf_counter() - start
                raise SolverError(f"the restricted master LP of the decomposition failed in phase "
                                  f"{'one' if self.phase_one else 'two'} ({self.backend}: "
                                  f"{'infeasible' if solution.infeasible else 'no solution'}); "
                                  "try the other backend or --method extensive")
            weights = np.zeros(len(self.columns))
            weights[self.active] = solution.x[m:]
            tolerance = SLACK_TOLERANCE * self.scale
            violated = ~self.live & (self.use(weights) > self.capacity + tolerance)
            if not violated.any():
                break
            self._wake(violated)
        if self.purging is not None:
            used = self.purging.basic()[m:] | (solution.x[m:] > 0.0)
            self.idle = np.where(used, 0, self.idle + 1)
        self.seconds += time.perf_counter() - start
        slack = solution.x[:m]
        feasible = bool(np.all(slack <= tolerance * (1.0 + 1e-9)))
        live = self.live
        mu = np.zeros(m)
        mu[live] = np.maximum(0.0, -solution.row_dual[self.lp_row[live]])
        sigma = solution.row_dual[self.convexity:self.convexity + len(self.subproblems)]
        return MasterSolution(objective=solution.objective, mu=mu, sigma=sigma, weights=weights, slack=slack,
                              feasible=feasible)

    def _loaded(self, columns: list[Column]) -> sp.csc_array:
        """The columns' coefficients in the loaded LP's rows."""
        return self._matrix(columns, self.lp_row, self.convexity, self.lp_rows)

    def use(self, weights: np.ndarray) -> np.ndarray:
        """sum_k lambda_k usage_k on every linking row."""
        chosen = np.flatnonzero(weights > 0.0)
        return linking_use([self.columns[j] for j in chosen], self.subproblems, len(self.rows), weights[chosen])

    def _wake(self, rows: np.ndarray) -> None:
        """Add dormant ``rows`` (a boolean mask) to the LP with the loaded columns' coefficients."""
        m = len(self.rows)
        woken = np.flatnonzero(rows)
        new_row = np.full(m, -1, dtype=np.int64)
        new_row[woken] = np.arange(len(woken))
        loaded = self._matrix([self.columns[j] for j in self.active], new_row, None, len(woken))
        slack = sp.csc_array((-np.ones(len(woken)), (np.arange(len(woken)), woken)), shape=(len(woken), m))
        matrix = sp.csr_array(sp.hstack([slack, loaded]))
        self.engine.add_rows(np.full(len(woken), -np.inf), self.capacity[woken], matrix)
        self.lp_row[woken] = self.lp_rows + np.arange(len(woken))
        self.lp_rows += len(woken)

    def entering(self, columns: list[Column], master: MasterSolution) -> list[Column]:
        """Columns whose reduced cost ``cost + mu . usage - sigma_p`` at the master's duals is
        negative (cost 0 in phase one), relative to the size of its terms."""
        return [column for column in columns if self._negative(column, master)]

    def reentering(self, master: MasterSolution) -> np.ndarray:
        """Positions of purged columns that price out negative at the master's duals."""
        purged = np.setdiff1d(np.arange(len(self.columns)), self.active)
        return np.array([j for j in purged if self._negative(self.columns[j], master)], dtype=np.int64)

    def restore(self, positions: np.ndarray) -> None:
        """Load purged columns (positions in ``columns``) back into the master."""
        if len(positions) == 0:
            return
        columns = [self.columns[j] for j in positions]
        self.engine.add_columns(self._costs(columns), self._loaded(columns))
        self.active = np.concatenate([self.active, positions])
        self.idle = np.concatenate([self.idle, np.zeros(len(positions), dtype=np.int64)])
        self.kept = np.concatenate([self.kept, np.zeros(len(positions), dtype=bool)])

    def _negative(self, column: Column, master: MasterSolution) -> bool:
        priced = master.mu[self.subproblems[column.product].link_rows] * column.usage
        sigma = master.sigma[column.product]
        cost = 0.0 if self.phase_one else column.cost
        scale = max(1.0, abs(cost), abs(sigma), float(np.abs(priced).sum()))
        return cost + priced.sum() - sigma < -REDUCED_COST_TOLERANCE * scale

    def integer_plan(self, time_limit: float | None) -> np.ndarray | None:
        """Choose one generated column per product (binary lambda, no slack); weights or None."""
        m, products = len(self.rows), len(self.subproblems)
        k = len(self.columns)
        lambdas = self._matrix(self.columns, np.arange(m), m, m + products)
        A = sp.csr_array(sp.hstack([sp.csr_array((m + products, m)), lambdas]))
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

    def _matrix(self, columns: list[Column], row_of: np.ndarray, convexity: int | None, height: int) -> sp.csc_array:
        """The columns' coefficients: linking row i at row ``row_of[i]`` (left out where -1) and,
        unless ``convexity`` is None, 1 on row ``convexity + product``."""
        rows, cols, vals = [], [], []
        for j, column in enumerate(columns):
            link_rows = self.subproblems[column.product].link_rows
            rows.append(row_of[link_rows])
            vals.append(column.usage)
            if convexity is not None:
                rows.append(np.array([convexity + column.product]))
                vals.append(np.ones(1))
            cols.append(np.full(len(link_rows) + (convexity is not None), j))
        at = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        values = np.concatenate(vals) if vals else np.zeros(0)
        keep = (np.abs(values) > ZERO) & (at >= 0)  # round-off like (y - on_hand) = 1e-16 upsets GLOP
        where = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        return sp.csc_array((values[keep], (at[keep], where[keep])), shape=(height, len(columns)))
