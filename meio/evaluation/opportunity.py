"""Opportunity costs of the remaining stock and throughput of each scenario (Acimovic and Graves 2015).

For each scenario (of the dual-price policy: each demand future of each scenario) the recourse
LP of :mod:`meio.evaluation.recourse` is set up once over its demand classes (those of the
future with positive demand); a re-solve replaces its right-hand sides by the remaining
demand D[p,c], the remaining stock and the remaining throughput of the scenario,

    min  sum (c(r,p) - h_p f_origin) x[p,r,c] + sum penalty[p,c] u[p,c]
    s.t. sum_{r: origin(r)=n, c} x[p,r,c] <= stock[p,n]        dual -lambda[p,n]
         sum_r x[p,r,c] + u[p,c] = D[p,c]
         sum_{p,(r,c): n in nodes(r)} x[p,r,c] <= throughput_n   dual -pi[n]

and reads lambda >= 0 (what one more unit of p at n would save the rest of the period) and
pi >= 0 (the same for throughput at n). Only bounds change between re-solves, so HiGHS dual
simplex restarts from the previous optimal basis, which stays dual feasible: a re-solve
takes a few pivots. Consecutive scenarios share one block-diagonal LP of about
``BLOCK_COLUMNS`` columns, as in the recourse evaluation; a future's LP has the columns of
its own classes only (a lumpy future has demand in few of them), a few times fewer than the
LP over every class with a positive forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from meio.evaluation.dynamic import State
from meio.evaluation.network import Network, ScenarioDemand
from meio.evaluation.recourse import BLOCK_COLUMNS, BlockLp, block_lp, lp_solver, run_to_optimum


@dataclass(frozen=True, eq=False)
class _Block:
    """Scenarios ``first .. first + count - 1`` (demand rows ``rows``) as one LP and its solver."""

    first: int
    count: int
    rows: slice
    lp: BlockLp
    highs: highspy.Highs


class RemainingDemandLp:
    """The per-scenario LPs over remaining demand of ``scenarios`` scenarios, and their prices.

    The LP of scenario s plans for the demand rows ``row_scenario == s`` (sorted by scenario),
    of (p, c) ids ``row_pc``; ``stock_price`` (S, pairs) and ``node_price`` (S, N + 1) hold
    lambda and pi of the last re-solve of each scenario (0 before the first, and for pairs
    and nodes no row of the scenario uses).
    """

    def __init__(self, network: Network, row_scenario: np.ndarray, row_pc: np.ndarray, scenarios: int) -> None:
        self.network = network
        self.stock_price = np.zeros((scenarios, len(network.pairs)))
        self.node_price = np.zeros((scenarios, len(network.throughput)))
        columns = np.bincount(row_scenario, np.diff(network.pc_start)[row_pc] + 1.0, minlength=scenarios)
        block = np.floor((np.cumsum(columns) - columns) / BLOCK_COLUMNS).astype(np.int64)
        starts = np.searchsorted(row_scenario, np.arange(scenarios + 1))
        self.blocks = []
        for b in np.unique(block):
            chosen = np.flatnonzero(block == b)
            first, count = int(chosen[0]), len(chosen)
            rows = slice(int(starts[first]), int(starts[first + count]))
            if rows.stop > rows.start:
                self.blocks.append(self._block(first, count, rows, row_scenario[rows] - first, row_pc[rows]))

    def _block(self, first: int, count: int, rows: slice, scenario: np.ndarray, pc: np.ndarray) -> _Block:
        demand = ScenarioDemand(pd.RangeIndex(count), np.ones(count), scenario, pc, np.zeros(len(pc)))
        lp = block_lp(self.network, demand, np.zeros(len(self.network.pairs)))
        return _Block(first, count, rows, lp, lp_solver(lp.lp))

    def solve(self, scenarios: np.ndarray, remaining: np.ndarray, state: State) -> None:
        """Re-solve the blocks holding ``scenarios`` with remaining demand ``remaining`` (one per row)."""
        wanted = np.zeros(len(self.stock_price), dtype=bool)
        wanted[scenarios] = True
        pairs, nodes = len(self.network.pairs), len(self.network.throughput)
        for block in self.blocks:
            if not wanted[block.first:block.first + block.count].any():
                continue
            lp = block.lp
            s_avail, pair = block.first + lp.avail_ids // pairs, lp.avail_ids % pairs
            s_thr, node = block.first + lp.thr_ids // nodes, lp.thr_ids % nodes
            demand = remaining[block.rows]
            upper = np.concatenate([demand, np.maximum(state.stock[s_avail, pair], 0.0),
                                    np.maximum(state.throughput[s_thr, node], 0.0)])
            lower = np.concatenate([demand, np.full(len(upper) - len(demand), -highspy.kHighsInf)])
            rows = len(upper)
            indices = np.arange(rows, dtype=np.int32)
            block.highs.changeRowsBounds(rows, indices, lower, upper)  # type: ignore[attr-defined]  # not in the stubs
            run_to_optimum(block.highs, "opportunity-cost LP")
            dual = -np.asarray(block.highs.getSolution().row_dual)
            self.stock_price[s_avail, pair] = np.maximum(dual[len(demand):len(demand) + len(pair)], 0.0)
            self.node_price[s_thr, node] = np.maximum(dual[len(demand) + len(pair):], 0.0)
