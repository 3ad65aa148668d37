"""Optimal recourse: per scenario, the cheapest on-time assignment of demand given the stock.

With the stock y fixed, the model of docs/formulation.md minus its first-stage rows is, for each scenario s,

    min  sum (c(r,p) - h_p f_origin(r)) x[p,r,c]  +  sum lost_sale_cost_p penalty_k u[p,c]
    s.t. sum_{r: origin(r)=n, c} x[p,r,c] <= y[p,n]                  availability
         sum_r x[p,r,c] + u[p,c] = d[p,c,s]                          demand
         sum_{p, (r,c): n in nodes(r)} x[p,r,c] <= throughput_n      throughput
         x, u >= 0

(the constant purchase and sum h f y are added back by :mod:`meio.evaluation.outcome`).
Scenarios are independent, so consecutive scenarios are grouped into block-diagonal LPs of
about ``BLOCK_COLUMNS`` columns (usually one to a few scenarios; the optimum of each block
is that scenario's optimum) and solved by HiGHS dual simplex without presolve, which is the
fastest of the options measured (presolve, primal simplex, interior point, PDLP; larger
blocks solve superlinearly slower). Throughput couples the products of a scenario, so a per-product
transportation or min-cost-flow shortcut is exact only without throughput capacities;
the block LP is exact in every case and fast (see docs/evaluation.md for timings).

The service constraint of the formulation is a target on the expectation over scenarios; the
evaluation does not enforce it but reports the fill rate it achieves.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from meio.errors import MeioError
from meio.evaluation.network import Network, ScenarioDemand
from meio.evaluation.outcome import Outcome, accumulate
from meio.solvers.highs import new_highs

POLICY = "optimal"
#: Target number of columns of one block LP.
BLOCK_COLUMNS = 5000


def optimal_recourse(network: Network, demand: ScenarioDemand, y: np.ndarray) -> Outcome:
    """Solve the recourse LP of every scenario in ``demand`` for stock ``y`` (one value per pair)."""
    columns = np.bincount(demand.scenario, np.diff(network.pc_start)[demand.pc] + 1.0,
                          minlength=len(demand.scenarios))
    block = np.floor(np.cumsum(columns) / BLOCK_COLUMNS).astype(np.int64)
    ships, losts = [], []
    for b in np.unique(block):
        chosen = np.flatnonzero(block == b)
        rows, part = demand.subset(chosen)
        (s, arc, q), u = _solve_block(network, part, y)
        ships.append((chosen[s], arc, q))
        losts.append((chosen[part.scenario], part.pc, u))
    ship = tuple(np.concatenate([t[i] for t in ships]) for i in range(3)) if ships else _empty()
    lost = tuple(np.concatenate([t[i] for t in losts]) for i in range(3)) if losts else _empty()
    return accumulate(POLICY, network, demand, y, ship, lost)  # type: ignore[arg-type]


def _empty() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)


@dataclass(frozen=True, eq=False)
class BlockLp:
    """The recourse LP of a block of scenarios and what its columns and rows stand for.

    Columns: one shipment ``x`` per (demand row, arc), then one ``u`` per demand row. Rows:
    one demand row per demand row of ``demand``, then availability rows ``avail_ids`` (keys
    scenario * pairs + pair), then throughput rows ``thr_ids`` (keys scenario * (N + 1) + node).
    """

    lp: highspy.HighsLp
    x_s: np.ndarray
    x_arc: np.ndarray
    avail_ids: np.ndarray
    thr_ids: np.ndarray


def block_lp(network: Network, demand: ScenarioDemand, y: np.ndarray) -> BlockLp:
    """Assemble the recourse LP of the scenarios of ``demand`` in sparse column form (no Pyomo)."""
    rows = len(demand.quantity)
    counts = np.diff(network.pc_start)[demand.pc]
    x_row = np.repeat(np.arange(rows), counts)
    x_arc = (network.pc_start[demand.pc][x_row] + np.arange(len(x_row))
             - np.repeat(np.cumsum(counts) - counts, counts)).astype(np.int64)
    x_s = demand.scenario[x_row]
    n_x, n_u = len(x_row), rows

    # availability rows: one per (scenario, pair) that some shipment draws on
    avail_key = x_s * len(network.pairs) + network.arc_pair[x_arc]
    avail_ids, avail_row = np.unique(avail_key, return_inverse=True)
    # throughput rows: one per (scenario, capacitated node) that some shipment passes
    capacitated = np.isfinite(network.throughput)
    t_cols, t_keys = [], []
    for m in range(network.arc_nodes.shape[1]):
        node = network.arc_nodes[x_arc, m]
        keep = capacitated[node]
        t_cols.append(np.flatnonzero(keep))
        t_keys.append(x_s[keep] * (len(network.throughput)) + node[keep])
    t_col, t_key = np.concatenate(t_cols), np.concatenate(t_keys)
    thr_ids, thr_row = np.unique(t_key, return_inverse=True)

    n_avail, n_thr = len(avail_ids), len(thr_ids)
    col = np.concatenate([np.arange(n_x), np.arange(n_x), n_x + np.arange(n_u), t_col])
    row = np.concatenate([x_row, rows + avail_row, np.arange(n_u), rows + n_avail + thr_row])
    order = np.lexsort((row, col))
    col, row = col[order], row[order]
    start = np.searchsorted(col, np.arange(n_x + n_u + 1))

    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_x + n_u, rows + n_avail + n_thr
    lp.col_cost_ = np.concatenate([network.net_cost[x_arc], network.penalty.ravel()[demand.pc]])
    lp.col_lower_ = np.zeros(n_x + n_u)
    lp.col_upper_ = np.full(n_x + n_u, inf)
    stock = y[avail_ids % len(network.pairs)]
    lp.row_lower_ = np.concatenate([demand.quantity, np.full(n_avail + n_thr, -inf)])
    lp.row_upper_ = np.concatenate([demand.quantity, stock, network.throughput[thr_ids % len(network.throughput)]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = row
    lp.a_matrix_.value_ = np.ones(len(row))
    return BlockLp(lp, x_s, x_arc, avail_ids, thr_ids)


def lp_solver(lp: highspy.HighsLp) -> highspy.Highs:
    """A HiGHS instance holding ``lp``, set up as measured fastest (dual simplex, no presolve)."""
    highs = new_highs()
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("primal_feasibility_tolerance", 1e-9)
    highs.setOptionValue("dual_feasibility_tolerance", 1e-9)
    highs.passModel(lp)
    return highs


def run_to_optimum(highs: highspy.Highs, what: str) -> None:
    """Solve (warm from the current basis if any); an error unless the LP is solved to optimality."""
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise MeioError(f"{what} not solved to optimality: {highs.modelStatusToString(highs.getModelStatus())}")


def _solve_block(network: Network, demand: ScenarioDemand,
                 y: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Shipments (s, arc, x) and unmet u per demand row of one block LP."""
    if len(demand.quantity) == 0:
        return _empty(), np.zeros(0)
    block = block_lp(network, demand, y)
    highs = lp_solver(block.lp)
    run_to_optimum(highs, "recourse LP")
    n_x = len(block.x_arc)
    value = np.maximum(np.asarray(highs.getSolution().col_value), 0.0)
    return (block.x_s, block.x_arc, value[:n_x]), value[n_x:]
