"""Load an instance (directory, bundle or bundled name) and check every rule of the data format (docs/data-format.md).

All violations found are collected and raised together as one :class:`InstanceError`,
each naming the file, the line and the column.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from meio.data.bundle import instance_name, open_instance
from meio.data.instance import Instance
from meio.data.magnitudes import cost_span_notes
from meio.data.names import close_match, name_problem, unknown_file_notes
from meio.data.reachability import pooled_demand, unreachable_notes
from meio.data.schema import TABLE_BY_NAME, TABLES, TOML_KEYS
from meio.data.tables import TableSource, read_table
from meio.errors import InstanceError, Violation

#: Largest key space (bytes of a transient bitmap) for the fast duplicate-key check.
BITMAP_LIMIT = 2**27


def load_instance(path_or_name: str | Path) -> Instance:
    """Read and validate an instance; raise :class:`InstanceError` listing every violation.

    ``path_or_name`` is an instance directory, a bundle file (see :mod:`meio.data.bundle`)
    or the name of a bundled instance. Warnings (ignored columns, keys and files, costs the
    LP cannot scale, demand no route serves on time) are the instance's ``notes``.
    """
    source, location = open_instance(path_or_name)
    violations: list[Violation] = []
    notes: list[str] = []
    read = {t.name: read_table(source, t, violations, notes) for t in TABLES}
    settings = _read_toml(source, violations, notes)
    if violations:
        raise InstanceError(violations, str(location))
    raw = {name: frame for name, frame in read.items() if frame is not None}  # every required table
    _check_not_empty(raw, violations)
    _check_keys(raw, violations)
    if violations:
        raise InstanceError(violations, str(location))
    _check_references(raw, violations)
    if violations:
        raise InstanceError(violations, str(location))
    notes += unknown_file_notes(source.files()) + cost_span_notes(raw)
    pooled = pooled_demand(raw["demand"])  # before _assemble turns the categorical columns plain
    instance = _assemble(raw, settings, location, tuple(notes))
    return replace(instance, notes=instance.notes + tuple(unreachable_notes(instance, pooled)))


def _read_toml(source: TableSource, violations: list[Violation], notes: list[str]) -> dict[str, object]:
    """The settings of ``instance.toml`` (defaults for absent keys); unknown keys become notes."""
    settings = {key: default for key, (_, default, _) in TOML_KEYS.items()}
    if not source.has("instance.toml"):
        return settings
    try:
        with source.open("instance.toml") as handle:
            given = tomllib.loads(handle.read().decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        violations.append(Violation("instance.toml", f"cannot parse TOML: {error}"))
        return settings
    for key, value in given.items():
        if key not in TOML_KEYS:
            _unknown_key(key, violations, notes)
            continue
        kind = TOML_KEYS[key][0]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            violations.append(Violation("instance.toml", f"must be of type {kind.__name__}, got {value!r}",
                                        column=key))
        elif key == "max_route_lanes" and isinstance(value, int) and value < 1:
            violations.append(Violation("instance.toml", f"must be >= 1, got {value}", column=key))
        elif key == "name" and value != "" and (problem := name_problem(str(value))):
            violations.append(Violation("instance.toml", problem, column=key))
        else:
            settings[key] = value
    return settings


def _unknown_key(key: str, violations: list[Violation], notes: list[str]) -> None:
    """A key misspelling a known one is an error (its value would silently be the default); others a note."""
    meant = close_match(key, TOML_KEYS)
    if meant is None:
        notes.append(f"instance.toml: key '{key}' is not part of the format and is ignored")
    else:
        violations.append(Violation("instance.toml", f"unknown key; did you mean '{meant}'? "
                                    "(keys are case-sensitive)", column=key))


#: Tables that must have at least one row for the instance to mean anything.
NON_EMPTY = ("products", "nodes", "zones", "speeds")


def _check_not_empty(raw: dict[str, pd.DataFrame], violations: list[Violation]) -> None:
    for name in NON_EMPTY:
        if raw[name].empty:
            violations.append(Violation(TABLE_BY_NAME[name].file, "the file has a header but no rows"))


def _check_keys(raw: dict[str, pd.DataFrame], violations: list[Violation]) -> None:
    """Identifiers and composite keys must be unique within their table."""
    for table in TABLES:
        frame = raw.get(table.name)
        if frame is None or not table.key:
            continue
        repeated = _repeated([_codes(frame[name]) for name in table.key])
        if not repeated.any():
            continue
        key = frame.loc[repeated, list(table.key)].astype(object)
        key = key.where(key.notna(), "")
        for line, values in zip(frame.loc[repeated, "line"], key.itertuples(index=False)):
            shown = ", ".join(f"{k}={v!r}" for k, v in zip(table.key, values) if v != "")
            violations.append(Violation(table.file, f"duplicate row ({shown})", line=int(line),
                                        column=table.key[0] if len(table.key) == 1 else None))


def _repeated(codes: list[np.ndarray]) -> np.ndarray:
    """Rows whose combination of codes appeared on an earlier row.

    The codes are packed into one integer per row (mixed radix) when that cannot
    overflow. When the packed keys span a modest range, a bitmap shows in one pass
    that all are distinct (the usual case); otherwise, or to find the repeats, one
    hash pass over the packed keys.
    """
    radices = [int(c.max(initial=-1)) + 2 for c in codes]
    space = math.prod(radices)
    if space >= 2**62:
        return pd.DataFrame(dict(enumerate(codes))).duplicated(keep="first").to_numpy()
    packed = np.zeros(len(codes[0]), dtype=np.int64)
    for column, radix in zip(codes, radices):
        packed = packed * radix + (column.astype(np.int64) + 1)
    if space <= BITMAP_LIMIT:
        seen = np.zeros(space, dtype=bool)
        seen[packed] = True
        if np.count_nonzero(seen) == len(packed):
            return np.zeros(len(packed), dtype=bool)
    return pd.Series(packed).duplicated(keep="first").to_numpy()


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of an identifier column (-1 for a blank cell)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy()
    return pd.factorize(values)[0]


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


def _check_references(raw: dict[str, pd.DataFrame], violations: list[Violation]) -> None:
    """Identifiers must refer to rows that exist; nodes and zones must not share names."""
    products, nodes, zones = raw["products"], raw["nodes"], raw["zones"]
    node_ids, zone_ids = _ids(nodes["node"]), _ids(zones["zone"])
    for line, zone in zip(zones["line"], zones["zone"]):
        if zone in node_ids:
            violations.append(Violation("zones.csv", f"'{zone}' is used both as a node and as a zone",
                                        line=int(line), column="zone"))
    scenario_table = raw.get("scenarios")
    window_table = raw.get("windows")
    known = {
        "products": _ids(products["product"]), "nodes": node_ids, "zones": zone_ids,
        "speeds": _ids(raw["speeds"]["speed"]),
        "windows": _ids(window_table["window"]) if window_table is not None else set(),
    }
    if scenario_table is not None:  # else scenarios are defined by demand.csv itself
        known["scenarios"] = _ids(scenario_table["scenario"])
    for name in ("lanes", "demand", "inventory"):
        frame, table = raw.get(name), TABLE_BY_NAME[name]
        if frame is None:
            continue
        for column in (c for c in table.columns if c.refers_to):
            if not all(t in known for t in column.refers_to):
                continue
            valid = set().union(*(known[t] for t in column.refers_to))
            values = frame[column.name]
            bad = _not_in(values, valid)
            for line, value in zip(frame.loc[bad, "line"], values[bad].astype(object)):
                violations.append(Violation(table.file, _unknown_message(value, column.refers_to, raw),
                                            line=int(line), column=column.name))
    lanes = raw["lanes"]
    loops = lanes["origin"].astype(object) == lanes["destination"].astype(object)
    for line in lanes.loc[loops, "line"]:
        violations.append(Violation("lanes.csv", "a lane cannot go from a node to itself", line=int(line),
                                    column="destination"))
    _check_inventory_categories(raw, violations)
    if scenario_table is None and raw["demand"].empty:
        violations.append(Violation("demand.csv", "no scenario is defined: demand.csv has no rows and "
                                    "there is no scenarios.csv"))


def _unknown_message(value: str, refers_to: tuple[str, ...], raw: dict[str, pd.DataFrame]) -> str:
    if refers_to == ("windows",) and "windows" not in raw:
        return f"window '{value}' is given but there is no windows.csv"
    if refers_to == ("nodes",) and value in _ids(raw["zones"]["zone"]):
        return f"'{value}' is a zone; lanes must start at a node"
    return f"'{value}' is not defined in {' or '.join(f'{t}.csv' for t in refers_to)}"


def _check_inventory_categories(raw: dict[str, pd.DataFrame], violations: list[Violation]) -> None:
    """On-hand stock only at nodes that accept the product's category (checked per distinct pair)."""
    inventory = raw.get("inventory")
    if inventory is None:
        return
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
        return
    bad = pd.MultiIndex.from_frame(rows[["node", "category"]]).isin(list(refused))
    refusing = rows[bad]
    for product, node, line, product_category in zip(refusing["product"], refusing["node"],
                                                     refusing["line"].to_numpy(), refusing["category"]):
        violations.append(Violation(
            "inventory.csv", f"node '{node}' does not accept category '{product_category}' "
            f"of product '{product}', so it cannot hold stock of it", line=int(line), column="node"))


def _assemble(raw: dict[str, pd.DataFrame], settings: dict[str, object], location: Path,
              notes: tuple[str, ...]) -> Instance:
    """The :class:`Instance` of validated tables: indexed, defaults applied, weights and shares normalised."""
    scenario_order = _first_seen(raw["demand"]["scenario"])
    plain = {name: _plain(frame).drop(columns="line") for name, frame in raw.items()}

    def indexed(name: str, key: str) -> pd.DataFrame:
        return plain[name].set_index(key)

    scenarios = (indexed("scenarios", "scenario") if "scenarios" in plain
                 else pd.DataFrame({"weight": 1.0}, index=pd.Index(scenario_order, name="scenario")))
    scenarios["weight"] = scenarios["weight"] / scenarios["weight"].sum()
    windows = indexed("windows", "window") if "windows" in plain else None
    if windows is not None:
        windows["share"] = windows["share"] / windows["share"].sum()
    inventory = (plain["inventory"].reset_index(drop=True) if "inventory" in plain
                 else pd.DataFrame({"product": pd.Series(dtype=object), "node": pd.Series(dtype=object),
                                    "on_hand": pd.Series(dtype=float)}))
    return Instance(
        name=str(settings["name"]) or instance_name(location), description=str(settings["description"]),
        products=indexed("products", "product"), nodes=indexed("nodes", "node"), zones=indexed("zones", "zone"),
        speeds=indexed("speeds", "speed"), lanes=plain["lanes"].reset_index(drop=True),
        demand=plain["demand"].reset_index(drop=True), inventory=inventory, scenarios=scenarios, windows=windows,
        max_route_lanes=int(str(settings["max_route_lanes"])), integer_stock=bool(settings["integer_stock"]),
        source=location, notes=notes,
    )


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical identifier columns (used for fast checks) as plain columns, blanks as ``None``."""
    for name in frame.columns:
        values = frame[name]
        if not isinstance(values.dtype, pd.CategoricalDtype):
            continue
        if values.isna().all():  # like an all-blank optional column read as text: None throughout
            frame[name] = np.full(len(values), None, dtype=object)
        else:
            frame[name] = values.astype(values.cat.categories.dtype)
    return frame


def _first_seen(values: pd.Series) -> list[str]:
    """Distinct identifiers in order of first appearance."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = pd.unique(values.cat.codes.to_numpy())
        return [values.cat.categories[int(c)] for c in codes if c >= 0]
    return list(pd.unique(values))
