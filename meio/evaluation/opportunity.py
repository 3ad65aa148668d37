"""Opportunity costs of the remaining stock and throughput of each scenario (Acimovic and Graves 2015).

For each scenario the recourse LP of :mod:`meio.evaluation.recourse` is set up once over the
demand classes with a positive forecast; a re-solve replaces its right-hand sides by the
expected remaining demand D[p,c], the remaining stock and the remaining throughput of the
scenario,

    min  sum (c(r,p) - h_p f_origin) x[p,r,c] + sum penalty[p,c] u[p,c]
    s.t. sum_{r: origin(r)=n, c} x[p,r,c] <= stock[p,n]        dual -lambda[p,n]
         sum_r x[p,r,c] + u[p,c] = D[p,c]
         sum_{p,(r,c): n in nodes(r)} x[p,r,c] <= throughput_n   dual -pi[n]

and reads lambda >= 0 (what one more unit of p at n would save the rest of the period) and
pi >= 0 (the same for throughput at n). Only bounds change between re-solves, so HiGHS dual
simplex restarts from the previous optimal basis, which stays dual feasible: a re-solve
takes a few pivots. Consecutive scenarios share one block-diagonal LP of about
``BLOCK_COLUMNS`` columns, as in the recourse evaluation.
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
    """Scenarios ``first .. first + count - 1`` of the chunk as one LP and its solver."""

    first: int
    count: int
    lp: BlockLp
    highs: highspy.Highs


class RemainingDemandLp:
    """The per-scenario LPs over expected remaining demand of ``scenarios`` scenarios, and their prices.

    ``classes`` are the (p, c) ids the LP plans for (those with a positive forecast);
    ``stock_price`` (S, pairs) and ``node_price`` (S, N + 1) hold lambda and pi of the last
    re-solve of each scenario (0 before the first).
    """

    def __init__(self, network: Network, classes: np.ndarray, scenarios: int) -> None:
        self.network, self.classes = network, classes
        self.stock_price = np.zeros((scenarios, len(network.pairs)))
        self.node_price = np.zeros((scenarios, len(network.throughput)))
        columns = float(np.diff(network.pc_start)[classes].sum() + len(classes))
        per_block = int(max(1, BLOCK_COLUMNS // max(columns, 1.0)))
        self.blocks = [self._block(first, min(per_block, scenarios - first))
                       for first in range(0, scenarios if len(classes) else 0, per_block)]

    def _block(self, first: int, count: int) -> _Block:
        n = len(self.classes)
        demand = ScenarioDemand(pd.RangeIndex(count), np.ones(count), np.repeat(np.arange(count), n),
                                np.tile(self.classes, count), np.zeros(count * n))
        lp = block_lp(self.network, demand, np.zeros(len(self.network.pairs)))
        return _Block(first, count, lp, lp_solver(lp.lp))

    def solve(self, scenarios: np.ndarray, remaining: np.ndarray, state: State) -> None:
        """Re-solve the blocks holding ``scenarios`` with expected remaining demand ``remaining``.

        ``remaining`` is (S, len(classes)) for every scenario of the chunk (0 for those done).
        """
        wanted = np.zeros(len(self.stock_price), dtype=bool)
        wanted[scenarios] = True
        pairs, nodes = len(self.network.pairs), len(self.network.throughput)
        for block in self.blocks:
            if not wanted[block.first:block.first + block.count].any():
                continue
            lp = block.lp
            s_avail, pair = block.first + lp.avail_ids // pairs, lp.avail_ids % pairs
            s_thr, node = block.first + lp.thr_ids // nodes, lp.thr_ids % nodes
            demand = remaining[block.first:block.first + block.count].ravel()
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
