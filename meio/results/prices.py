"""prices.csv: one row per linking constraint with its use, bound, slack and opportunity cost."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from meio.models.linking import LinkingSpec

PRICE_COLUMNS = ["constraint", "kind", "node", "speed", "scenario", "lhs", "rhs", "slack", "price"]


def price_table(rows: Sequence[LinkingSpec], lhs: np.ndarray, price: np.ndarray) -> pd.DataFrame:
    """Tidy table of linking rows; ``price`` is the opportunity cost (>= 0, NaN when unknown).

    For storage, inbound and throughput ``lhs`` is the capacity used and ``rhs`` the
    capacity; for service ``lhs`` is sum_s w_s sum (u - (1 - target) d) and ``rhs`` is 0.
    """
    table = pd.DataFrame({
        "constraint": [r.label for r in rows],
        "kind": [r.kind.value for r in rows],
        "node": [r.node for r in rows],
        "speed": [r.speed for r in rows],
        "scenario": [r.scenario for r in rows],
        "lhs": np.asarray(lhs, dtype=float),
        "rhs": [r.capacity for r in rows],
        "price": np.asarray(price, dtype=float),
    }, columns=PRICE_COLUMNS)
    table["slack"] = table["rhs"] - table["lhs"]
    return table[PRICE_COLUMNS]
