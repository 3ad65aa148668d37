"""Write a small instance from rows (shared by the examples; not an example itself)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def write_tables(directory: Path, tables: dict[str, list[dict[str, Any]]]) -> Path:
    """Write each table (name -> rows) as ``directory/NAME.csv`` and return the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        pd.DataFrame(rows).to_csv(directory / f"{name}.csv", index=False)
    return directory


def one_product(nodes: list[str], zones: list[str], lanes: list[tuple[str, str]],
                demand: dict[str, dict[str, float]], unit_cost: float, lost_sale_cost: float,
                holding_cost: float = 0.0) -> dict[str, list[dict[str, Any]]]:
    """Tables of one product ``p`` served in one speed ``k`` (24 h) over ``lanes`` (1 h each, free),
    with ``demand[scenario][zone]`` in equally likely scenarios."""
    return {
        "products": [{"product": "p", "unit_volume": 1, "unit_cost": unit_cost, "holding_cost": holding_cost,
                      "lost_sale_cost": lost_sale_cost}],
        "nodes": [{"node": n} for n in nodes], "zones": [{"zone": z} for z in zones],
        "speeds": [{"speed": "k", "promise_hours": 24}],
        "lanes": [{"origin": o, "destination": d, "transit_hours": 1} for o, d in lanes],
        "demand": [{"product": "p", "zone": z, "speed": "k", "scenario": s, "quantity": q}
                   for s, by_zone in demand.items() for z, q in by_zone.items()],
    }
