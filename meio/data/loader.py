"""Load an instance directory (or a bundled instance by name) and check every rule of SPEC §1.

All violations found are collected and raised together as one :class:`InstanceError`,
each naming the file, the line and the column.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from meio.data.bundled import resolve_instance_path
from meio.data.instance import Instance
from meio.data.schema import TABLE_BY_NAME, TABLES, TOML_KEYS
from meio.data.tables import read_table, unknown_columns
from meio.errors import InstanceError, Violation


def load_instance(path_or_name: str | Path) -> Instance:
    """Read and validate an instance; raise :class:`InstanceError` listing every violation."""
    directory = resolve_instance_path(path_or_name)
    violations: list[Violation] = []
    raw = {t.name: read_table(directory, t, violations) for t in TABLES}
    settings = _read_toml(directory, violations)
    if violations:
        raise InstanceError(violations, str(directory))
    _check_keys(raw, violations)
    if violations:
        raise InstanceError(violations, str(directory))
    _check_references(raw, violations)
    if violations:
        raise InstanceError(violations, str(directory))
    notes = tuple(f"{t.file}: column '{c}' is not part of the format and is ignored"
                  for t in TABLES for c in unknown_columns(directory, t))
    return _assemble(raw, settings, directory, notes)


def _read_toml(directory: Path, violations: list[Violation]) -> dict[str, object]:
    settings = {key: default for key, (_, default, _) in TOML_KEYS.items()}
    path = directory / "instance.toml"
    if not path.is_file():
        return settings
    try:
        given = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        violations.append(Violation("instance.toml", f"cannot parse TOML: {error}"))
        return settings
    for key, value in given.items():
        if key not in TOML_KEYS:
            continue
        kind = TOML_KEYS[key][0]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            violations.append(Violation("instance.toml", f"must be of type {kind.__name__}, got {value!r}",
                                        column=key))
        elif key == "max_route_lanes" and value < 1:
            violations.append(Violation("instance.toml", f"must be >= 1, got {value}", column=key))
        else:
            settings[key] = value
    return settings


def _check_keys(raw: dict[str, pd.DataFrame | None], violations: list[Violation]) -> None:
    """Identifiers and composite keys must be unique within their table."""
    for table in TABLES:
        frame = raw[table.name]
        if frame is None or not table.key:
            continue
        key = frame[list(table.key)].astype(object).where(frame[list(table.key)].notna(), "")
        repeated = key.duplicated(keep="first")
        for line, values in zip(frame.loc[repeated, "line"], key[repeated].itertuples(index=False)):
            shown = ", ".join(f"{k}={v!r}" for k, v in zip(table.key, values) if v != "")
            violations.append(Violation(table.file, f"duplicate row ({shown})", line=int(line),
                                        column=table.key[0] if len(table.key) == 1 else None))


def _check_references(raw: dict[str, pd.DataFrame | None], violations: list[Violation]) -> None:
    """Identifiers must refer to rows that exist; nodes and zones must not share names."""
    products, nodes, zones = raw["products"], raw["nodes"], raw["zones"]
    node_ids, zone_ids = set(nodes["node"]), set(zones["zone"])
    for line, zone in zip(zones["line"], zones["zone"]):
        if zone in node_ids:
            violations.append(Violation("zones.csv", f"'{zone}' is used both as a node and as a zone",
                                        line=int(line), column="zone"))
    scenario_table = raw["scenarios"]
    window_table = raw["windows"]
    known = {
        "products": set(products["product"]), "nodes": node_ids, "zones": zone_ids,
        "speeds": set(raw["speeds"]["speed"]),
        "scenarios": set(scenario_table["scenario"]) if scenario_table is not None else None,
        "windows": set(window_table["window"]) if window_table is not None else set(),
    }
    for name in ("lanes", "demand", "inventory"):
        frame, table = raw[name], TABLE_BY_NAME[name]
        if frame is None:
            continue
        for column in (c for c in table.columns if c.refers_to):
            allowed = [known[t] for t in column.refers_to]
            if any(a is None for a in allowed):
                continue  # scenarios are defined by demand.csv itself when scenarios.csv is absent
            valid = set().union(*allowed)
            values = frame[column.name]
            bad = values.notna() & ~values.isin(valid)
            for line, value in zip(frame.loc[bad, "line"], values[bad]):
                violations.append(Violation(table.file, _unknown_message(value, column.refers_to, raw),
                                            line=int(line), column=column.name))
    lanes = raw["lanes"]
    for line in lanes.loc[lanes["origin"] == lanes["destination"], "line"]:
        violations.append(Violation("lanes.csv", "a lane cannot go from a node to itself", line=int(line),
                                    column="destination"))
    _check_inventory_categories(raw, violations)
    if scenario_table is None and raw["demand"].empty:
        violations.append(Violation("demand.csv", "no scenario is defined: demand.csv has no rows and "
                                    "there is no scenarios.csv"))


def _unknown_message(value: str, refers_to: tuple[str, ...], raw: dict[str, pd.DataFrame | None]) -> str:
    if refers_to == ("windows",) and raw["windows"] is None:
        return f"window '{value}' is given but there is no windows.csv"
    if refers_to == ("nodes",) and value in set(raw["zones"]["zone"]):
        return f"'{value}' is a zone; lanes must start at a node"
    return f"'{value}' is not defined in {' or '.join(f'{t}.csv' for t in refers_to)}"


def _check_inventory_categories(raw: dict[str, pd.DataFrame | None], violations: list[Violation]) -> None:
    inventory = raw["inventory"]
    if inventory is None:
        return
    category = raw["products"].set_index("product")["category"]
    accepted = raw["nodes"].set_index("node")["categories"]
    for row in inventory.itertuples(index=False):
        allowed = accepted.get(row.node)
        if allowed is None or row.product not in category.index:
            continue
        if row.on_hand > 0 and category[row.product] not in allowed:
            violations.append(Violation(
                "inventory.csv", f"node '{row.node}' does not accept category '{category[row.product]}' "
                f"of product '{row.product}', so it cannot hold stock of it", line=int(row.line), column="node"))


def _assemble(raw: dict[str, pd.DataFrame | None], settings: dict[str, object], directory: Path,
              notes: tuple[str, ...]) -> Instance:
    def indexed(name: str, key: str) -> pd.DataFrame:
        return raw[name].drop(columns="line").set_index(key)  # type: ignore[union-attr]

    demand = raw["demand"].drop(columns="line").reset_index(drop=True)  # type: ignore[union-attr]
    scenarios = (indexed("scenarios", "scenario") if raw["scenarios"] is not None
                 else pd.DataFrame({"weight": 1.0}, index=pd.Index(pd.unique(demand["scenario"]), name="scenario")))
    scenarios["weight"] = scenarios["weight"] / scenarios["weight"].sum()
    windows = indexed("windows", "window") if raw["windows"] is not None else None
    if windows is not None:
        windows["share"] = windows["share"] / windows["share"].sum()
    inventory = (raw["inventory"].drop(columns="line").reset_index(drop=True) if raw["inventory"] is not None
                 else pd.DataFrame({"product": pd.Series(dtype=object), "node": pd.Series(dtype=object),
                                    "on_hand": pd.Series(dtype=float)}))
    return Instance(
        name=str(settings["name"]) or directory.name, description=str(settings["description"]),
        products=indexed("products", "product"), nodes=indexed("nodes", "node"), zones=indexed("zones", "zone"),
        speeds=indexed("speeds", "speed"), lanes=raw["lanes"].drop(columns="line").reset_index(drop=True),
        demand=demand, inventory=inventory, scenarios=scenarios, windows=windows,
        max_route_lanes=int(settings["max_route_lanes"]), integer_stock=bool(settings["integer_stock"]),
        source=directory, notes=notes,
    )
