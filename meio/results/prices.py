"""prices.csv: one row per linking constraint with its use, bound, slack and opportunity cost."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from meio.checked_csv import CsvColumns
from meio.models.linking import LinkingSpec, Sense

PRICE_COLUMNS = ["constraint", "kind", "sense", "node", "speed", "scenario", "lhs", "rhs", "slack", "price"]
#: The columns of prices.csv a reader needs (:func:`meio.checked_csv.read_checked_csv`).
PRICES_CSV = CsvColumns(text=("constraint", "kind", "sense", "node", "speed", "scenario"),
                        numbers=("lhs", "rhs", "slack", "price"))


def price_table(rows: Sequence[LinkingSpec], use: np.ndarray, price: np.ndarray) -> pd.DataFrame:
    """Tidy table of linking rows as the model states them; ``use`` and ``price`` are those of the
    ``<=`` rows the methods keep (:class:`LinkingSpec`), ``price`` the opportunity cost (>= 0, NaN
    when unknown).

    For storage, inbound and throughput ``lhs`` is the capacity used and ``rhs`` the
    capacity; for service ``lhs`` is sum_s w_s sum (u - (1 - target) d) and ``rhs`` is 0; a
    variant's row shows its own sides, ``slack`` is how far it is from binding (>= 0 when
    met), and an equality's two halves are one row whose price is free (the difference of
    theirs: the decrease of the optimum per unit more right-hand side).
    """
    sign = np.array([r.sign for r in rows], dtype=float)
    capacity = np.array([r.capacity for r in rows], dtype=float)
    use, price = np.asarray(use, dtype=float), np.asarray(price, dtype=float)
    table = pd.DataFrame({
        "constraint": [r.label for r in rows],
        "kind": [r.kind.value for r in rows],
        "sense": [r.sense.value for r in rows],
        "node": [r.node for r in rows],
        "speed": [r.speed for r in rows],
        "scenario": [r.scenario for r in rows],
        "lhs": sign * use,
        "rhs": sign * capacity,
        "slack": capacity - use,
        "price": price,
    }, columns=PRICE_COLUMNS)
    lower_half = np.array([r.sense is Sense.EQ and r.sign < 0 for r in rows], dtype=bool)
    if lower_half.any():
        # each equality's >= half directly follows its <= half
        upper_half = np.flatnonzero(lower_half) - 1
        table.loc[upper_half, "price"] = price[upper_half] - price[lower_half]
        table = table[~lower_half].reset_index(drop=True)
    return table
