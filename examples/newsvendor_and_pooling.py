"""The newsvendor critical fractile and risk pooling, solved by meio next to their closed forms.

One node, one product: the SAA optimum stocks the critical-fractile quantile of demand,
F(y) >= cu / (cu + co) with underage cu = lost_sale_cost - unit_cost and overage co = unit_cost.
Two zones with independent demand 0 or 10: two nodes each stock 10 (ratio 2.5/3.5 > 1/2), one
pooled node serving both faces 0/10/10/20 and stocks only 10, saving 1.25.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from _tables import one_product, write_tables

from meio.data import load_instance
from meio.solve import solve


def newsvendor(directory: Path) -> None:
    demand = [3, 8, 12, 5, 9, 14, 7, 10]
    unit, lost = 4.0, 10.0
    tables = one_product(["N"], ["Z"], [("N", "Z")], {f"s{i}": {"Z": d} for i, d in enumerate(demand)}, unit, lost)
    result = solve(load_instance(write_tables(directory / "newsvendor", tables)))
    ratio = (lost - unit) / lost
    quantile = float(np.sort(demand)[int(np.ceil(ratio * len(demand))) - 1])
    stock = float(result.stock["stock"].iloc[0])
    print(f"newsvendor: critical ratio {ratio:.2f}, closed-form quantile {quantile:g}, meio stocks {stock:g}")
    assert abs(stock - quantile) < 1e-6


def pooling(directory: Path) -> None:
    demand = {"s00": {"A": 0, "B": 0}, "s01": {"A": 0, "B": 10}, "s10": {"A": 10, "B": 0}, "s11": {"A": 10, "B": 10}}
    separate = one_product(["NA", "NB"], ["A", "B"], [("NA", "A"), ("NB", "B")], demand, 1.0, 3.5)
    pooled = one_product(["N"], ["A", "B"], [("N", "A"), ("N", "B")], demand, 1.0, 3.5)
    apart = solve(load_instance(write_tables(directory / "separate", separate)))
    together = solve(load_instance(write_tables(directory / "pooled", pooled)))
    print(f"risk pooling: two nodes stock {apart.stock['stock'].sum():g} at cost {apart.objective:.2f} "
          f"(closed form 20.00); one pooled node stocks {together.stock['stock'].sum():g} at cost "
          f"{together.objective:.2f} (closed form 10 + 3.5 * 10 / 4 = 18.75)")
    assert abs(apart.objective - 20.0) < 1e-7 and abs(together.objective - 18.75) < 1e-7
    assert abs(together.stock["stock"].sum() - 10.0) < 1e-7


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as temporary:
        newsvendor(Path(temporary))
        pooling(Path(temporary))
