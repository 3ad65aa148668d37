"""Fingerprints of the subproblems: what a re-plan takes over from a previous result unsolved."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from support.random_instance import write_random_instance

from meio.data import load_instance
from meio.decomposition.changes import fingerprint
from meio.decomposition.chunks import build_subproblems
from meio.decomposition.subproblem import ProductLP


def fingerprints(directory: Path, chunk: int) -> dict[str, bytes]:
    rows, subproblems = build_subproblems(load_instance(directory), False, "numpy", chunk=chunk)
    return {sub.product: fingerprint(sub, [rows[i].label for i in sub.link_rows]) for sub in subproblems}


def linked_subproblem(directory: Path) -> tuple[ProductLP, list[str]]:
    """The subproblem with the most linking rows of a small random instance, and their labels."""
    written = write_random_instance(directory / "i", 6, products=2, nodes=3, zones=2, speeds=1, scenarios=2,
                                    capacities=True)
    rows, subproblems = build_subproblems(load_instance(written), False, "numpy")
    sub = max(subproblems, key=lambda s: len(s.link_rows))
    return sub, [rows[i].label for i in sub.link_rows]


def test_a_fingerprint_changes_with_the_products_demand_and_with_nothing_else(tmp_path: Path) -> None:
    directory = write_random_instance(tmp_path / "i", 5, products=6, nodes=3, zones=3, speeds=2, scenarios=3,
                                      capacities=True)
    # built in chunks of one product or all together: a product's subproblem is its own
    before = fingerprints(directory, chunk=1)
    assert fingerprints(directory, chunk=500) == before
    assert len(set(before.values())) == len(before)
    demand = pd.read_csv(directory / "demand.csv", dtype={"product": str, "quantity": float})
    changed = demand["product"].unique()[2]
    row = demand.index[demand["product"] == changed][0]
    demand.loc[row, "quantity"] = demand.loc[row, "quantity"] * 1.01 + 0.5
    demand.to_csv(directory / "demand.csv", index=False)
    after = fingerprints(directory, chunk=500)
    assert [p for p in before if before[p] != after[p]] == [changed]


def test_a_fingerprint_covers_the_labels_of_the_linking_rows(tmp_path: Path) -> None:
    sub, labels = linked_subproblem(tmp_path)
    assert len(set(labels)) > 1
    assert fingerprint(sub, labels) == fingerprint(sub, list(labels))
    assert fingerprint(sub, labels[::-1]) != fingerprint(sub, labels)
    costs = sub.c.copy()
    costs[np.argmax(costs)] += 1e-12 * max(1.0, float(costs.max()))
    assert fingerprint(type(sub)(**{**sub.__dict__, "c": costs}), labels) != fingerprint(sub, labels)


def test_a_fingerprint_covers_every_field_of_the_subproblem(tmp_path: Path) -> None:
    sub, labels = linked_subproblem(tmp_path)
    D = sub.D.copy()
    D.data[0] += 1.0
    changed = {"upper": np.full(sub.columns, 1e6), "lower": np.full(sub.columns, -1.0),
               "integer": np.ones(sub.columns, dtype=bool), "D": D, "link_const": sub.link_const + 1.0,
               "row_upper": sub.row_upper + 1.0, "offset": sub.offset + 1.0}
    for field, value in changed.items():
        assert fingerprint(type(sub)(**{**sub.__dict__, field: value}), labels) != fingerprint(sub, labels), field
