"""Load an instance (directory, bundle or bundled name) and check every rule of the data format (docs/data-format.md).

All violations found are collected and raised together as one :class:`InstanceError`,
each naming the file, the line and the column.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from meio.data.bundle import instance_name, open_instance
from meio.data.instance import Instance
from meio.data.magnitudes import cost_span_notes
from meio.data.names import close_match, name_problem, unknown_file_notes
from meio.data.product_rows import PRODUCT_TABLES, ProductRows
from meio.data.reachability import unreachable_notes
from meio.data.references import known_ids, reference_violations
from meio.data.schema import TABLE_BY_NAME, TABLES, TOML_KEYS
from meio.data.tables import TableSource, read_table
from meio.errors import InstanceError, MeioError, Violation

#: Largest key space (bytes of a transient bitmap) for the fast duplicate-key check.
BITMAP_LIMIT = 2**27


def load_instance(path_or_name: str | Path, products: Sequence[str] | None = None) -> Instance:
    """Read and validate an instance; raise :class:`InstanceError` listing every violation.

    ``path_or_name`` is an instance directory, a bundle file (see :mod:`meio.data.bundle`)
    or the name of a bundled instance. Warnings (ignored columns, keys and files, costs the
    LP cannot scale, demand no route serves on time) are the instance's ``notes``.

    ``products`` loads only those products (in that order) with their demand and on-hand rows:
    the instance ``load_instance(path_or_name).restricted_to(products)``, read without ever
    holding the other products' rows (a pricing worker's load). Every row is still checked cell
    by cell and against the other tables, and the warnings are the whole instance's; duplicate
    rows are looked for among the loaded products' rows (a duplicate repeats its product).
    """
    source, location = open_instance(path_or_name)
    found: dict[str, tuple[pd.DataFrame | None, list[Violation], list[str]]] = {}
    small: dict[str, pd.DataFrame | None] = {}
    rows = ProductRows(products, small)
    for table in sorted(TABLES, key=lambda t: t.name in PRODUCT_TABLES):  # the others first: rows are checked
        table_violations: list[Violation] = []                            # against them as they are read
        table_notes: list[str] = []
        keep = rows.keep(table) if table.name in PRODUCT_TABLES else None
        frame = read_table(source, table, table_violations, table_notes, keep)
        found[table.name] = frame, table_violations, table_notes
        if table.name not in PRODUCT_TABLES:
            small[table.name] = frame
    violations = [v for t in TABLES for v in found[t.name][1]]
    notes = [n for t in TABLES for n in found[t.name][2]]
    settings = _read_toml(source, violations, notes)
    if violations:
        raise InstanceError(violations, str(location))
    raw = {name: frame for name, (frame, _, _) in found.items() if frame is not None}  # every required table
    _check_not_empty(raw, violations)
    _check_keys(raw, violations)
    if violations:
        raise InstanceError(violations, str(location))
    _check_references(raw, rows, violations)
    if violations:
        raise InstanceError(violations, str(location))
    notes += unknown_file_notes(source.files()) + cost_span_notes(raw)
    instance = _assemble(raw, settings, location, tuple(notes), rows.scenario_order())
    if products is not None:
        instance = _only(instance, products, location)
    return replace(instance, notes=instance.notes + tuple(unreachable_notes(instance, rows.pooled())))


def _only(instance: Instance, products: Sequence[str], location: Path) -> Instance:
    """``instance`` (read with only ``products``' rows) with only ``products`` in its products table."""
    missing = [name for name in products if name not in instance.products.index]
    if missing:
        raise MeioError(f"{location}: products.csv has no product {', '.join(map(repr, missing[:5]))}"
                        f"{f' and {len(missing) - 5} more' if len(missing) > 5 else ''} of the "
                        f"{len(products)} asked for")
    return replace(instance, products=instance.products.loc[list(products)])


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
                                        key=key))
        elif key == "max_route_lanes" and isinstance(value, int) and value < 1:
            violations.append(Violation("instance.toml", f"must be >= 1, got {value}", key=key))
        elif key == "name" and value != "" and (problem := name_problem(str(value))):
            violations.append(Violation("instance.toml", problem, key=key))
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
                                    "(keys are case-sensitive)", key=key))


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


def _check_references(raw: dict[str, pd.DataFrame], rows: ProductRows, violations: list[Violation]) -> None:
    """Identifiers must refer to rows that exist; nodes and zones must not share names (the per-product
    tables were checked chunk by chunk as they were read: ``rows``)."""
    node_ids = set(raw["nodes"]["node"].dropna().unique())
    for line, zone in zip(raw["zones"]["line"], raw["zones"]["zone"]):
        if zone in node_ids:
            violations.append(Violation("zones.csv", f"'{zone}' is used both as a node and as a zone",
                                        line=int(line), column="zone"))
    violations += reference_violations(raw["lanes"], TABLE_BY_NAME["lanes"], known_ids(raw), raw)
    for name in PRODUCT_TABLES:
        violations += rows.references[name]
    lanes = raw["lanes"]
    loops = lanes["origin"].astype(object) == lanes["destination"].astype(object)
    for line in lanes.loc[loops, "line"]:
        violations.append(Violation("lanes.csv", "a lane cannot go from a node to itself", line=int(line),
                                    column="destination"))
    violations += rows.categories
    if "scenarios" not in raw and not rows.demand_rows:
        violations.append(Violation("demand.csv", "no scenario is defined: demand.csv has no rows and "
                                    "there is no scenarios.csv"))


def _assemble(raw: dict[str, pd.DataFrame], settings: dict[str, object], location: Path,
              notes: tuple[str, ...], scenario_order: list[str]) -> Instance:
    """The :class:`Instance` of validated tables: indexed, defaults applied, weights and shares normalised
    (the per-product tables keep the row numbers of the read: a load of some products numbers its
    rows as a whole load does)."""
    plain = {name: _plain(frame).drop(columns="line") for name, frame in raw.items()}

    def indexed(name: str, key: str) -> pd.DataFrame:
        return plain[name].set_index(key)

    scenarios = (indexed("scenarios", "scenario") if "scenarios" in plain
                 else pd.DataFrame({"weight": 1.0}, index=pd.Index(scenario_order, name="scenario")))
    scenarios["weight"] = scenarios["weight"] / scenarios["weight"].sum()
    windows = indexed("windows", "window") if "windows" in plain else None
    if windows is not None:
        windows["share"] = windows["share"] / windows["share"].sum()
    inventory = (plain["inventory"] if "inventory" in plain
                 else pd.DataFrame({"product": pd.Series(dtype=object), "node": pd.Series(dtype=object),
                                    "on_hand": pd.Series(dtype=float)}))
    return Instance(
        name=str(settings["name"]) or instance_name(location), description=str(settings["description"]),
        products=indexed("products", "product"), nodes=indexed("nodes", "node"), zones=indexed("zones", "zone"),
        speeds=indexed("speeds", "speed"), lanes=plain["lanes"].reset_index(drop=True),
        demand=plain["demand"], inventory=inventory, scenarios=scenarios, windows=windows,
        max_route_lanes=int(str(settings["max_route_lanes"])), integer_stock=bool(settings["integer_stock"]),
        source=location, notes=notes,
    )


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical identifier columns (used for fast checks) as plain columns, blanks as ``None``."""
    for name in frame.columns:
        values = frame[name]
        if not isinstance(values.dtype, pd.CategoricalDtype):
            continue
        if not (values.cat.categories != "").any():  # all blank in the whole file (not just in the rows kept):
            # like an all-blank optional column read as text, None throughout
            frame[name] = np.full(len(values), None, dtype=object)
        else:
            frame[name] = values.astype(values.cat.categories.dtype)
    return frame
