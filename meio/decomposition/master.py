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

Products out of the LP (HiGHS only): in phase two a product whose plan is a single column and
that was given no new column since the last solve is *fixed*: its columns leave the LP, the
column's linking use moves into the right-hand side ``b - sum_fixed usage``, its convexity
row is freed and its logical takes the column's place in the basis, so the basis stays
optimal. A product given a column (by pricing or re-entry) comes back with its fixed column
basic. Most products settle after a few passes, so the LP that is re-solved holds only the
products still changing (at 10,000 products about half the columns stay loaded). The duals of a fixed
product, sigma_p = c_k + mu . usage_k of its column k, make the solution optimal for the
master with every product as soon as no column prices out (in phase two: below the caller's
entry threshold, within which the duals are feasible), so bounds and prices stay proven.

LP layout: columns are the m slacks (a dormant row's slack has no entry) then the loaded
lambdas; rows are the linking rows live at the start, the convexity rows, then rows in the
order they woke (``lp_row`` maps a linking row to its LP row, -1 while dormant).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from meio.decomposition.lp import BASIC, LOWER, HighsEngine, LinearModel, LPSolution, make_engine
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
#: Columns whose reduced costs (or woken rows' coefficients) are computed in one block: bounds the memory
#: of pricing every purged column and of waking rows over every loaded column.
PRICED_TOGETHER = 2_000
#: Returns from an infeasible phase-two master to phase one before the master is declared failed.
MAX_RETURNS = 3
#: Two phase-two optima closer than this (relative) are the same: the master's solve stalled.
STALL_TOLERANCE = 1e-9
#: Simplex iterations between two looks at a phase-two re-solve's plan when the caller gave ``enough``.
CHECK_ITERATIONS = 500


@dataclass(frozen=True, eq=False)
class MasterSolution:
    """Objective (of its phase), prices mu >= 0, convexity duals, weights and slacks; ``optimal``
    False: the solve stopped at a feasible plan within the caller's ``enough``, with no prices
    (mu and sigma are zero)."""

    objective: float
    mu: np.ndarray
    sigma: np.ndarray
    weights: np.ndarray
    slack: np.ndarray
    feasible: bool
    phase_one: bool
    optimal: bool = True


class MasterStopped(Exception):
    """The deadline ended a master solve before its optimum (or came before it started)."""


class RestrictedMaster:
    """The master LP, kept loaded in one engine to which columns are added between solves."""

    def __init__(self, rows: list[LinkingSpec], subproblems: list[ProductLinks], backend: str,
                 algorithm: str = "simplex") -> None:
        """``algorithm``: ``simplex``, ``barrier`` (every solve by HiGHS's interior point method
        and crossover) or ``hybrid`` (the first phase-two solve so); the last two on highs only."""
        self.rows, self.subproblems, self.backend = rows, subproblems, backend
        self.capacity = np.array([row.capacity for row in rows], dtype=float)
        self.scale = violation_scale(self.capacity)
        self.phase_one = True
        self.returns = 0  # returns from phase two to phase one
        m, products = len(rows), len(subproblems)
        self.columns: list[Column] = []
        self.product_of = np.zeros(0, dtype=np.int64)  # each column's product
        self.kept = np.zeros(0, dtype=bool)  # each column: never purged
        # the loaded columns: positions in ``columns``, and solves spent nonbasic at zero
        self.active = np.zeros(0, dtype=np.int64)
        self.idle = np.zeros(0, dtype=np.int64)
        # fixed products: out of the LP at their column ``key``; their linking use, and who got columns
        self.fixed = np.zeros(products, dtype=bool)
        self.key = np.full(products, -1, dtype=np.int64)
        self.fixed_use = np.zeros(m)
        self.touched = np.ones(products, dtype=bool)
        self.settled = False  # a phase-two solve has been made: its plans can be fixed
        live = np.flatnonzero([not row.dormant for row in rows])
        self.lp_row = np.full(m, -1, dtype=np.int64)
        self.lp_row[live] = np.arange(len(live))
        self.convexity = len(live)  # LP row of product 0's convexity row
        self.lp_rows = len(live) + products
        slack = sp.csr_array((-np.ones(len(live)), (np.arange(len(live)), live)), shape=(len(live), m))
        model = LinearModel(
            c=1.0 / self.scale, A=sp.csr_array(sp.vstack([slack, sp.csr_array((products, m))])),
            row_lower=np.concatenate([np.full(len(live), -np.inf), np.ones(products)]),
            row_upper=np.concatenate([self.capacity[live], np.ones(products)]),
            lower=np.zeros(m), upper=np.full(m, np.inf), integer=np.zeros(m, dtype=bool))
        self.engine = HighsEngine(model, barrier=True) if algorithm == "barrier" else make_engine(backend, model)
        self.hybrid = algorithm == "hybrid"
        self.interior_point = False  # hybrid: the solve under way is phase two's first (by interior point)
        # the engine again where it is HiGHS's, whose extra abilities the master uses: columns
        # deleted (purging), the basis read and set (fixed products), solves watched, made in
        # steps (early stops) or by interior point; None on the other backends
        self.highs: HighsEngine | None = self.engine if isinstance(self.engine, HighsEngine) else None
        self.barrier = algorithm == "barrier"
        self.last_objective = math.nan  # of the last optimal phase-two solve
        self.stalled = False  # whether that solve found the optimum of the one before
        self.seconds = 0.0
        self.early_stops = 0  # solves that stopped at a plan within the caller's ``enough``

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
        products = np.array([column.product for column in columns], dtype=np.int64)
        self._release(products)
        self.engine.add_columns(self._costs(columns), self._loaded(columns))
        self._load(np.arange(len(self.columns), len(self.columns) + len(columns)))
        self.kept = np.concatenate([self.kept, np.full(len(columns), keep)])
        self.product_of = np.concatenate([self.product_of, products])
        self.columns.extend(columns)
        self.touched[products] = True

    def _load(self, positions: np.ndarray) -> None:
        """Record columns (positions in ``columns``) as appended to the LP."""
        self.active = np.concatenate([self.active, positions])
        self.idle = np.concatenate([self.idle, np.zeros(len(positions), dtype=np.int64)])

    def start_phase_two(self) -> None:
        """From violation to cost: the columns get their costs and the slacks are fixed at zero.
        Hybrid: phase one's basis knows nothing of the costs, so the first phase-two solve goes by
        interior point and crossover, its re-solves after dormant rows woke too (docs/decomposition.md,
        "The master's LP algorithm")."""
        self._set_phase(False)
        self.interior_point = self.hybrid  # the solve loop checks the engine is HiGHS's

    def _set_phase(self, one: bool) -> None:
        if one:
            self._release(np.flatnonzero(self.fixed))
            self.interior_point = False
        self.phase_one, self.settled = one, False
        m = len(self.rows)
        slack_cost, slack_upper = (1.0 / self.scale, np.full(m, np.inf)) if one else (np.zeros(m), np.zeros(m))
        self.engine.set_costs(np.concatenate([slack_cost, self._costs([self.columns[j] for j in self.active])]))
        self.engine.set_bounds(np.arange(m), np.zeros(m), slack_upper)

    def _costs(self, columns: list[Column]) -> np.ndarray:
        """The columns' costs in the current phase (zero in phase one)."""
        return np.zeros(len(columns)) if self.phase_one else np.array([c.cost for c in columns], dtype=float)

    def solve(self, deadline: float | None = None, enough: float | None = None) -> MasterSolution:
        """Solve the loaded master from the last basis, after purging columns idle for
        ``PURGE_AGE`` solves, and again while the plan violates dormant rows; the weights
        cover all generated columns (zero when not loaded). Raises :class:`MasterStopped` when
        ``deadline`` (a ``time.perf_counter()`` value) comes before the optimum.

        ``enough``: a phase-two re-solve by warm primal simplex (HiGHS), whose every iterate is a
        feasible plan, may stop at the first plan that costs at most this and meets every row (a
        plan within the run's gap): the solution is then not optimal and has no prices."""
        start = time.perf_counter()
        if deadline is not None and start >= deadline:
            raise MasterStopped
        if self.highs is not None:
            self.highs.quiet()  # a watched solve reports once it has taken a second
            if self.barrier and not self.phase_one and self.stalled:
                # the last two solves found the same optimum: the columns that entered stayed at
                # zero, and interior point and crossover may choose other optimal duals every time,
                # under which new columns price out again without a move (a random 4-product instance
                # took 200 iterations so, its bound stuck 7.7e-4 below the optimum); a warm simplex
                # re-solve from crossover's basis changes the duals no more than it must
                self.highs.simplex_next()
        m = len(self.rows)
        if self.highs is not None:
            stale = (self.idle >= PURGE_AGE) & ~self.kept[self.active]
            if stale.any():
                self.highs.delete_columns(m + np.flatnonzero(stale))
                self.active, self.idle = self.active[~stale], self.idle[~stale]
            if self.settled:
                self._fix(self.highs)
        while True:
            left = None if deadline is None else deadline - time.perf_counter()
            if self.interior_point and self.highs is not None:
                # from crossover's basis, simplex after woken rows took 2x the interior point's time
                # (10,000 products: 16.6 s, 12,952 iterations, against 8.0 s)
                self.highs.barrier_next()
            solution = self._lp_solve(left, enough) if left is None or left > 0.0 else None
            if solution is None or solution.stopped:
                self.seconds += time.perf_counter() - start
                raise MasterStopped
            if not solution.solved and solution.infeasible and not self.phase_one and self.returns < MAX_RETURNS:
                self.returns += 1
                self._set_phase(True)
                continue
            if not solution.solved and not solution.partial:
                self.seconds += time.perf_counter() - start
                raise SolverError(f"the restricted master LP of the decomposition failed in phase "
                                  f"{'one' if self.phase_one else 'two'} ({self.backend}: "
                                  f"{'infeasible' if solution.infeasible else 'no solution'}); "
                                  "try the other backend or --method extensive")
            weights = self._weights(solution.x)
            tolerance = SLACK_TOLERANCE * self.scale
            violated = ~self.live & (self.use(weights) > self.capacity + tolerance)
            if not violated.any():
                break
            self._wake(violated)
        if self.highs is not None and not solution.partial:
            statuses = self.highs.statuses()
            basic = statuses[0][m:] == BASIC if statuses is not None else np.zeros(len(self.active), dtype=bool)
            self.idle = np.where(basic | (solution.x[m:] > 0.0), 0, self.idle + 1)
        self.touched[:] = False
        # a plan within ``enough`` has no prices, and its basis is not optimal to fix products from
        self.settled = not self.phase_one and not solution.partial
        self.interior_point = False
        self.seconds += time.perf_counter() - start
        if solution.partial:
            self.early_stops += 1
            return MasterSolution(objective=self.cost(weights), mu=np.zeros(m), sigma=np.zeros(len(self.subproblems)),
                                  weights=weights, slack=solution.x[:m], feasible=True, phase_one=False,
                                  optimal=False)
        slack = solution.x[:m]
        feasible = bool(np.all(slack <= tolerance * (1.0 + 1e-9)))
        live = self.live
        mu = np.zeros(m)
        mu[live] = np.maximum(0.0, -solution.row_dual[self.lp_row[live]])
        sigma = solution.row_dual[self.convexity:self.convexity + len(self.subproblems)].copy()
        fixed = np.flatnonzero(self.fixed)
        keys = self.key[fixed]
        # a fixed product's convexity dual: its column's reduced cost is zero
        key_costs = self._costs([self.columns[j] for j in keys])  # zero in phase one
        sigma[fixed] = key_costs + self._usage(keys).T @ mu
        objective = solution.objective + float(key_costs.sum())
        if not self.phase_one:
            self.stalled = abs(objective - self.last_objective) <= STALL_TOLERANCE * max(1.0, abs(objective))
            self.last_objective = objective
        return MasterSolution(objective=objective, mu=mu, sigma=sigma, weights=weights, slack=slack,
                              feasible=feasible, phase_one=self.phase_one)

    def _weights(self, x: np.ndarray) -> np.ndarray:
        """Every generated column's weight in the LP's solution ``x`` (a fixed product's column: 1)."""
        weights = np.zeros(len(self.columns))
        weights[self.active] = x[len(self.rows):]
        weights[self.key[self.fixed]] = 1.0
        return weights

    def watch(self, report: Callable[[str], None]) -> None:
        """Report the progress of long solves (HiGHS only; see :meth:`HighsEngine.watch`)."""
        if self.highs is not None:
            self.highs.watch(report)

    def _lp_solve(self, seconds: float | None, enough: float | None) -> LPSolution:
        """One solve of the LP; with ``enough``, a phase-two warm simplex solve (HiGHS) is made
        ``CHECK_ITERATIONS`` at a time and stops (``partial``) at the first plan that costs at most
        ``enough`` and meets every live row (the dormant ones are checked by the caller)."""
        if enough is None or self.phase_one or self.interior_point or self.barrier or self.highs is None:
            return self.engine.solve(seconds)
        tolerance, most = SLACK_TOLERANCE * self.scale, enough

        def within(x: np.ndarray) -> bool:
            weights = self._weights(x)
            if self.cost(weights) > most:
                return False
            return not np.any(self.live & (self.use(weights) > self.capacity + tolerance))

        return self.highs.solve_until(seconds, within, CHECK_ITERATIONS)

    def _fix(self, engine: HighsEngine) -> None:
        """Take out of the LP every product not given a column since the last solve whose plan
        is one basic column: the column's use moves to the right-hand side and the product's
        freed convexity row keeps its place in the basis (the solution stays optimal)."""
        statuses = engine.statuses()
        if statuses is None:
            return
        m, products = len(self.rows), len(self.subproblems)
        columns, rows = statuses
        loaded = self.product_of[self.active]
        basic = columns[m:] == BASIC
        one_basic = np.bincount(loaded[basic], minlength=products) == 1
        convexity = self.convexity + np.arange(products)
        chosen = ~self.fixed & ~self.touched & one_basic & (rows[convexity] != BASIC)
        if not chosen.any():
            return
        leaving = chosen[loaded]
        keys = self.active[leaving & basic]
        self.key[self.product_of[keys]] = keys
        self.fixed_use += self._usage(keys) @ np.ones(len(keys))
        rows[convexity[chosen]] = BASIC
        engine.delete_columns(m + np.flatnonzero(leaving))
        self.active, self.idle = self.active[~leaving], self.idle[~leaving]
        freed = convexity[chosen]
        engine.set_row_bounds(freed, np.full(len(freed), -np.inf), np.full(len(freed), np.inf))
        self.fixed |= chosen
        self._set_right_hand_side(engine)
        engine.set_statuses(np.concatenate([columns[:m], columns[m:][~leaving]]), rows)

    def _release(self, products: np.ndarray) -> None:
        """Bring fixed ``products`` back into the LP: their fixed column basic, then their kept
        columns (the solution stays the same)."""
        back = np.unique(products[self.fixed[products]])
        if len(back) == 0:
            return
        assert self.highs is not None, "only HiGHS fixes products"
        statuses = self.highs.statuses()
        keys = self.key[back]
        kept = self.kept & np.isin(self.product_of, back)
        kept[keys] = False
        others = np.flatnonzero(kept)
        reload = np.concatenate([keys, others])
        self.fixed[back] = False
        self.fixed_use -= self._usage(keys) @ np.ones(len(keys))
        columns = [self.columns[j] for j in reload]
        self.highs.add_columns(self._costs(columns), self._loaded(columns))
        self._load(reload)
        convexity = self.convexity + back
        self.highs.set_row_bounds(convexity, np.ones(len(back)), np.ones(len(back)))
        self._set_right_hand_side(self.highs)
        if statuses is not None:
            column_status, row_status = statuses
            row_status[convexity] = LOWER
            added = np.concatenate([np.full(len(keys), BASIC), np.full(len(others), LOWER)]).astype(np.int8)
            self.highs.set_statuses(np.concatenate([column_status, added]), row_status)

    def _set_right_hand_side(self, engine: HighsEngine) -> None:
        """Live linking rows: b - (use of the fixed products)."""
        live = np.flatnonzero(self.live)
        engine.set_row_bounds(self.lp_row[live], np.full(len(live), -np.inf),
                              self.capacity[live] - self.fixed_use[live])

    def _usage(self, positions: np.ndarray) -> sp.csc_array:
        """The linking use of columns (positions in ``columns``), one column each (m rows)."""
        m = len(self.rows)
        return self._matrix([self.columns[j] for j in positions], np.arange(m), None, m)

    def _loaded(self, columns: list[Column]) -> sp.csc_array:
        """The columns' coefficients in the loaded LP's rows."""
        return self._matrix(columns, self.lp_row, self.convexity, self.lp_rows)

    def plan_weights(self, plan: list[Column]) -> np.ndarray | None:
        """The weights that choose ``plan``, one generated column per product, if it meets every
        linking row (within the slack tolerance); else None."""
        if sorted(column.product for column in plan) != list(range(len(self.subproblems))):
            return None
        use = linking_use(plan, self.subproblems, len(self.rows))
        if np.any(use > self.capacity + SLACK_TOLERANCE * self.scale):
            return None
        position = {id(column): j for j, column in enumerate(self.columns)}
        weights = np.zeros(len(self.columns))
        weights[[position[id(column)] for column in plan]] = 1.0
        return weights

    def cost(self, weights: np.ndarray) -> float:
        """sum_k lambda_k cost_k."""
        chosen = np.flatnonzero(weights > 0.0)
        return float(weights[chosen] @ np.array([self.columns[j].cost for j in chosen], dtype=float))

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
        blocks = [self._matrix([self.columns[j] for j in self.active[first:first + PRICED_TOGETHER]], new_row, None,
                               len(woken)) for first in range(0, len(self.active), PRICED_TOGETHER)]
        loaded = sp.csc_array(sp.hstack(blocks, format="csc")) if blocks else sp.csc_array((len(woken), 0))
        slack = sp.csc_array((-np.ones(len(woken)), (np.arange(len(woken)), woken)), shape=(len(woken), m))
        matrix = sp.csr_array(sp.hstack([slack, loaded]))
        self.engine.add_rows(np.full(len(woken), -np.inf), self.capacity[woken] - self.fixed_use[woken], matrix)
        self.lp_row[woken] = self.lp_rows + np.arange(len(woken))
        self.lp_rows += len(woken)

    def entering(self, columns: list[Column], master: MasterSolution, least: float = 0.0) -> list[Column]:
        """Columns whose reduced cost ``cost + mu . usage - sigma_p`` at the master's duals is
        below ``-least`` and negative beyond round-off (cost 0 in phase one)."""
        return [column for column, enters in zip(columns, self._prices_out(columns, master, least)) if enters]

    def reentering(self, master: MasterSolution, least: float = 0.0) -> np.ndarray:
        """Positions of purged columns that price out below ``-least`` at the master's duals (a
        fixed product's own column is left out: its reduced cost is zero by its sigma)."""
        purged = np.setdiff1d(np.arange(len(self.columns)), np.concatenate([self.active, self.key[self.fixed]]))
        return purged[self._prices_out([self.columns[j] for j in purged], master, least)]

    def restore(self, positions: np.ndarray) -> None:
        """Load purged columns (positions in ``columns``) back into the master."""
        if len(positions) == 0:
            return
        self._release(self.product_of[positions])
        positions = positions[~np.isin(positions, self.active)]  # a released product's column is back already
        self.touched[self.product_of[positions]] = True
        columns = [self.columns[j] for j in positions]
        self.engine.add_columns(self._costs(columns), self._loaded(columns))
        self._load(positions)

    def _prices_out(self, columns: list[Column], master: MasterSolution, least: float) -> np.ndarray:
        """Which columns have a reduced cost below ``-least`` and below ``-REDUCED_COST_TOLERANCE``
        times the size of its terms (max of 1, |cost|, |sigma_p| and sum_i |mu_i usage_i|)."""
        enters = np.zeros(len(columns), dtype=bool)
        m = len(self.rows)
        for first in range(0, len(columns), PRICED_TOGETHER):  # bounded memory: every purged column is priced
            block = columns[first:first + PRICED_TOGETHER]
            usage = self._matrix(block, np.arange(m), None, m)
            cost = self._costs(block)
            sigma = master.sigma[[column.product for column in block]]
            reduced = cost + usage.T @ master.mu - sigma
            size = np.maximum.reduce([np.ones(len(block)), np.abs(cost), np.abs(sigma), abs(usage).T @ master.mu])
            enters[first:first + len(block)] = reduced < -np.maximum(REDUCED_COST_TOLERANCE * size, least)
        return enters

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
        if not columns:
            return sp.csc_array((height, 0))
        link_rows = [self.subproblems[column.product].link_rows for column in columns]
        at = row_of[np.concatenate(link_rows)]
        values = np.concatenate([column.usage for column in columns])
        where = np.repeat(np.arange(len(columns)), [len(rows) for rows in link_rows])
        if convexity is not None:
            at = np.concatenate([at, convexity + np.array([column.product for column in columns])])
            values = np.concatenate([values, np.ones(len(columns))])
            where = np.concatenate([where, np.arange(len(columns))])
        keep = (np.abs(values) > ZERO) & (at >= 0)  # round-off like (y - on_hand) = 1e-16 upsets GLOP
        return sp.csc_array((values[keep], (at[keep], where[keep])), shape=(height, len(columns)))
