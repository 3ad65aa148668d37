"""Identifiers that must refer to rows of other tables, checked one table (or one chunk of one) at a time.

The checks are row by row against the small tables (products, nodes, zones, speeds, scenarios,
windows), so the per-product tables can be checked chunk by chunk as they are read
(:mod:`meio.data.product_rows`) and never need to be held whole.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from meio.data.schema import Table
from meio.errors import Violation


def known_ids(raw: Mapping[str, pd.DataFrame]) -> dict[str, set[str]]:
    """The identifiers each reference may name, by the table that defines them (scenarios only
    when scenarios.csv is given: otherwise demand.csv itself defines them)."""
    window_table, scenario_table = raw.get("windows"), raw.get("scenarios")
    known = {
        "products": _ids(raw["products"]["product"]), "nodes": _ids(raw["nodes"]["node"]),
        "zones": _ids(raw["zones"]["zone"]), "speeds": _ids(raw["speeds"]["speed"]),
        "windows": _ids(window_table["window"]) if window_table is not None else set(),
    }
    if scenario_table is not None:
        known["scenarios"] = _ids(scenario_table["scenario"])
    return known


def reference_violations(frame: pd.DataFrame, table: Table, known: dict[str, set[str]],
                         raw: Mapping[str, pd.DataFrame]) -> list[Violation]:
    """Every cell of ``frame`` (rows of ``table``) naming an identifier its column's tables do not define."""
    violations = []
    for column in (c for c in table.columns if c.refers_to):
        if not all(t in known for t in column.refers_to):
            continue
        valid = set().union(*(known[t] for t in column.refers_to))
        values = frame[column.name]
        bad = _not_in(values, valid)
        for line, value in zip(frame.loc[bad, "line"], values[bad].astype(object)):
            violations.append(Violation(table.file, _unknown_message(value, column.refers_to, raw),
                                        line=int(line), column=column.name))
    return violations


def category_violations(inventory: pd.DataFrame, raw: Mapping[str, pd.DataFrame]) -> list[Violation]:
    """On-hand stock only at nodes that accept the product's category (checked per distinct pair)."""
    products, nodes = raw["products"], raw["nodes"]
    category = dict(zip(products["product"].astype(object), products["category"]))
    accepted = dict(zip(nodes["node"].astype(object), nodes["categories"]))
    rows = pd.DataFrame({"product": inventory["product"].astype(object), "node": inventory["node"].astype(object),
                         "line": inventory["line"]})
    rows = rows[(inventory["on_hand"] > 0).to_numpy()]
    rows["category"] = rows["product"].map(category)
    refused = set()
    for node, product_category in rows[["node", "category"]].drop_duplicates().itertuples(index=False):
        allowed = accepted.get(node)
        if allowed is not None and isinstance(product_category, str) and product_category not in allowed:
            refused.add((node, product_category))
    if not refused:
        return []
    bad = pd.MultiIndex.from_frame(rows[["node", "category"]]).isin(list(refused))
    refusing = rows[bad]
    return [Violation("inventory.csv", f"node '{node}' does not accept category '{product_category}' "
                      f"of product '{product}', so it cannot hold stock of it", line=int(line), column="node")
            for product, node, line, product_category in zip(refusing["product"], refusing["node"],
                                                             refusing["line"].to_numpy(), refusing["category"])]


def _unknown_message(value: str, refers_to: tuple[str, ...], raw: Mapping[str, pd.DataFrame]) -> str:
    if refers_to == ("windows",) and "windows" not in raw:
        return f"window '{value}' is given but there is no windows.csv"
    if refers_to == ("nodes",) and value in _ids(raw["zones"]["zone"]):
        return f"'{value}' is a zone; lanes must start at a node"
    return f"'{value}' is not defined in {' or '.join(f'{t}.csv' for t in refers_to)}"


def _not_in(values: pd.Series, valid: set[str]) -> np.ndarray:
    """Rows whose identifier is given but not in ``valid`` (checked once per distinct identifier)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        unknown = ~values.cat.categories.isin(list(valid))
        return (codes >= 0) & unknown[codes]
    return (values.notna() & ~values.isin(valid)).to_numpy()


def _ids(values: pd.Series) -> set[str]:
    """The distinct identifiers of a column."""
    return set(values.dropna().unique())
