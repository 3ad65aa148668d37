"""The capacity prices of a small network read as opportunity costs.

Two nodes serve two zones; N1 ships for free but has room for only 8 units, N2 ships for 3 a unit. Its storage price in
prices.csv is what one more unit of room would save: the example re-solves with the capacity
raised by 0.01 and checks that the optimum falls by price * 0.01.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _tables import one_product, write_tables

from meio.data import load_instance
from meio.results.result import Result
from meio.solve import solve

STEP = 0.01


def network(directory: Path, room: float) -> Result:
    demand = {"s1": {"A": 6, "B": 4}, "s2": {"A": 9, "B": 7}, "s3": {"A": 4, "B": 8}}
    tables = one_product(["N1", "N2"], ["A", "B"], [("N1", "A"), ("N1", "B"), ("N2", "A"), ("N2", "B")],
                         demand, 2.0, 12.0, holding_cost=0.5)
    tables["nodes"] = [{"node": "N1", "storage_capacity": room}, {"node": "N2"}]
    for lane in tables["lanes"]:
        lane["unit_cost"] = 3.0 if lane["origin"] == "N2" else 0.0  # the far node ships dearer
    return solve(load_instance(write_tables(directory, tables)))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as temporary:
        base = network(Path(temporary) / "base", 8.0)
        more = network(Path(temporary) / "more", 8.0 + STEP)
        row = base.prices.set_index("constraint").loc["storage[N1]"]
        saved = (base.objective - more.objective) / STEP
        print(f"storage[N1]: {row['lhs']:g} of {row['rhs']:g} used, price {row['price']:.4f} per unit of room; "
              f"re-solving with {STEP} more room saves {saved:.4f} per unit")
        assert row["price"] > 0 and abs(row["price"] - saved) < 1e-6
