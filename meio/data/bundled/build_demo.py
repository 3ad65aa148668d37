"""Rebuild the bundled ``demo`` instance: ``python -m meio.data.bundled.build_demo``.

One DC (Louisville), four fulfillment centers (Indianapolis, Los Angeles, New York,
Houston) and a same-day site in New York serving the 13 largest US metros at same-day,
one-day and two-day speeds; 40 products, 30 scenarios; storage and throughput at 70% of
the design load, so both bind and their dual prices are informative. The extensive LP
solves in seconds. The output is deterministic: rerunning rewrites identical files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from meio.data.generator import GeneratorConfig, write_instance

DEMO_DIR = Path(__file__).resolve().parent / "demo"

DEMO = GeneratorConfig(
    products=40, nodes=6, zones=13, scenarios=30, seed=2026, tightness=0.7,
    daily_demand_median=3.0, demand_sigma=1.0, name="demo",
    description=("1 DC, 4 fulfillment centers and 1 same-day site at US metros serving the 13 largest "
                 "metros same-day/one-day/two-day; 40 products, 30 scenarios; capacities at 70% of the "
                 "design load (built by meio.data.bundled.build_demo, seed 2026)"),
)


def build(directory: Path = DEMO_DIR) -> Path:
    """Write the demo instance to ``directory``, replacing what is there."""
    if directory.exists():
        shutil.rmtree(directory)
    return write_instance(directory, DEMO)


if __name__ == "__main__":
    print(f"wrote {build()}")
