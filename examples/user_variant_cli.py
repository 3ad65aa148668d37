"""A user variant file used from the CLI: ``meio solve INSTANCE --variant examples/my_variant.py:node_cap``.

Solves the bundled ``reference/all_capacities_bind`` (12 products, 5 nodes: small enough to
solve in a second, and its optimum stocks 99 units at a node) with and without the variant
through ``meio.cli.main`` (what the ``meio`` command runs), reads both result directories and
checks that every node holds at most 50 units with the variant, that summary.json names the
variant, and that the cap costs money.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
from my_variant import LIMIT

from meio.cli import main

VARIANT = f"{Path(__file__).with_name('my_variant.py')}:node_cap"
INSTANCE = "reference/all_capacities_bind"

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as temporary:
        plain, capped = Path(temporary) / "plain", Path(temporary) / "capped"
        assert main(["solve", INSTANCE, "--out", str(plain), "--quiet"]) == 0
        assert main(["solve", INSTANCE, "--variant", VARIANT, "--out", str(capped), "--quiet"]) == 0
        summary = json.loads((capped / "summary.json").read_text())
        before = json.loads((plain / "summary.json").read_text())["objective"]
        per_node = pd.read_csv(capped / "stock.csv").groupby("node")["stock"].sum()
        print(f"meio solve {INSTANCE}: {before:,.2f}; "
              f"with --variant my_variant.py:node_cap: {summary['objective']:,.2f}, "
              f"largest node stock {per_node.max():g} (cap {LIMIT:g}); summary.json records "
              f"{summary['variants'][0]['name'].rsplit('/', 1)[-1]}")
        assert summary["variants"] == [{"name": VARIANT, "parameters": {}}]
        assert (per_node <= LIMIT + 1e-6).all() and summary["objective"] > before
        assert pd.read_csv(plain / "stock.csv").groupby("node")["stock"].sum().max() > LIMIT  # the cap binds
