"""Writers of SPEC instances for tests: hand-written tables and seeded random instances."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np

HEADERS = {
    "products": ["product", "unit_volume", "unit_cost", "holding_cost", "lost_sale_cost"],
    "nodes": ["node"],
    "zones": ["zone"],
    "speeds": ["speed", "promise_hours"],
    "lanes": ["origin", "destination", "transit_hours"],
    "demand": ["product", "zone", "speed", "scenario", "quantity"],
    "inventory": ["product", "node", "on_hand"],
    "scenarios": ["scenario", "weight"],
    "windows": ["window", "order_hour", "share"],
}
"""Required columns of each table, used as the header of a table given without rows."""

CATEGORIES = ("ambient", "chilled", "bulky")


def _cell(value: Any) -> str:
    """CSV text of a value; None is a blank cell."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "inf"
    return str(value)


def write_fast_and_slow(directory: Path, fast: str, slow: str, demand: list[tuple[str, str, float]]) -> Path:
    """One product (cost 1, lost sale 10, no holding cost) at one node serving one zone at a fast
    speed (12 h, penalty x3) and a slow one (48 h); ``demand``: (speed, scenario, quantity)."""
    return write_instance(directory, {
        "products": [{"product": "A", "unit_volume": 1.0, "unit_cost": 1.0, "holding_cost": 0.0,
                      "lost_sale_cost": 10.0}],
        "nodes": [{"node": "N1"}], "zones": [{"zone": "Z"}],
        "speeds": [{"speed": fast, "promise_hours": 12, "penalty_factor": 3.0},
                   {"speed": slow, "promise_hours": 48, "penalty_factor": 1.0}],
        "lanes": [{"origin": "N1", "destination": "Z", "transit_hours": 5}],
        "demand": [{"product": "A", "zone": "Z", "speed": k, "scenario": s, "quantity": q} for k, s, q in demand],
    })


def write_instance(directory: Path, tables: dict[str, list[dict[str, Any]]], toml: str | None = None) -> Path:
    """Write tables (name -> rows; ``.csv`` suffix optional) and an optional instance.toml."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        stem = name.removesuffix(".csv")
        columns = list(dict.fromkeys(key for row in rows for key in row)) if rows else HEADERS[stem]
        with (directory / f"{stem}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_cell(row.get(column)) for column in columns])
    if toml is not None:
        (directory / "instance.toml").write_text(toml, encoding="utf-8")
    return directory


def _shuffled_columns(rng: np.random.Generator, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Same rows with their keys (hence CSV columns) in a random order."""
    if not rows:
        return rows
    keys = list(rows[0])
    order = [keys[i] for i in rng.permutation(len(keys))]
    return [{key: row.get(key) for key in order} for row in rows]


def _ceil(value: float) -> float:
    """Round up to one decimal."""
    return math.ceil(value * 10.0 - 1e-9) / 10.0


def _departure(ready: float, cutoff: float | None) -> float:
    """First daily departure at or after ``ready`` (SPEC §2)."""
    if cutoff is None:
        return ready
    departure = cutoff
    while departure < ready:
        departure += 24.0
    return departure


def write_random_instance(
    directory: Path,
    seed: int,
    *,
    products: int = 4,
    nodes: int = 3,
    zones: int = 3,
    speeds: int = 2,
    scenarios: int = 4,
    windows: bool = False,
    cutoffs: bool = False,
    categories: bool = False,
    on_hand: bool = False,
    weights: bool = False,
    capacities: bool = False,
    service_targets: bool = False,
    integer_stock: bool = False,
    max_route_lanes: int = 2,
) -> Path:
    """Write a valid, feasible random SPEC instance, deterministic for ``seed``.

    The network has an optional upstream DC (``DC0``) with lanes to every
    fulfilment centre, and fulfilment centres ``FC*`` with lanes to most zones.
    The first fulfilment centre is a hub: it accepts every category, reaches
    every zone quickly and is sized so that any service targets can be met.
    """
    rng = np.random.default_rng(seed)
    directory = Path(directory)

    def blank(probability: float, value: Any) -> Any:
        return None if rng.random() < probability else value

    # ---- products ----------------------------------------------------------
    product_ids = [f"P{i + 1:02d}" for i in range(products)]
    product_rows = []
    for p in product_ids:
        cost = round(float(rng.uniform(2.0, 20.0)), 2)
        if categories:
            product_category: str | None = str(rng.choice(CATEGORIES))
        else:
            product_category = blank(0.5, str(rng.choice(CATEGORIES)))
        product_rows.append({
            "product": p,
            "unit_volume": round(float(rng.uniform(0.5, 3.0)), 2),
            "unit_cost": cost,
            "holding_cost": round(cost * float(rng.uniform(0.02, 0.1)), 3),
            "lost_sale_cost": round(cost * float(rng.uniform(1.5, 3.0)) + 10.0, 2),
            "category": product_category,
        })
    volume = {row["product"]: row["unit_volume"] for row in product_rows}

    # ---- nodes -------------------------------------------------------------
    has_dc = nodes >= 2 and rng.random() < 0.7
    node_ids = (["DC0"] if has_dc else []) + [f"FC{i + 1}" for i in range(nodes - int(has_dc))]
    fcs = [n for n in node_ids if n.startswith("FC")]
    hub = fcs[0]
    node_rows = []
    for n in node_ids:
        row: dict[str, Any] = {
            "node": n,
            "kind": blank(0.2, "dc" if n == "DC0" else "fc"),
            "handling_hours": blank(0.2, float(rng.integers(0, 9)) / 2.0),
            "holding_factor": blank(0.3, round(float(rng.uniform(0.5, 0.8 if n == "DC0" else 1.4)), 2)),
            "note": f"random node {n}",
        }
        if cutoffs:
            row["cutoff_hour"] = blank(0.2, float(rng.choice([10.0, 12.0, 14.5, 16.0, 18.0, 20.0, 22.0])))
        if categories:
            if n == hub:
                row["categories"] = blank(0.5, ";".join(CATEGORIES))
            else:
                subset = rng.choice(CATEGORIES, size=int(rng.integers(1, 3)), replace=False)
                row["categories"] = blank(0.25, ";".join(str(c) for c in subset))
        node_rows.append(row)
    handling = {row["node"]: row["handling_hours"] or 0.0 for row in node_rows}
    cutoff = {row["node"]: row.get("cutoff_hour") for row in node_rows}

    def accepts(n: str, p: str) -> bool:
        allowed = next(row for row in node_rows if row["node"] == n).get("categories")
        product_category = next(row for row in product_rows if row["product"] == p)["category"] or ""
        return allowed is None or product_category in allowed.split(";")

    # ---- zones and lanes ---------------------------------------------------
    zone_ids = [f"Z{i + 1}" for i in range(zones)]
    zone_rows = [
        {
            "zone": z,
            "lat": blank(0.2, round(float(rng.uniform(40.0, 50.0)), 3)),
            "lon": blank(0.2, round(float(rng.uniform(-5.0, 10.0)), 3)),
            "population": blank(0.3, int(rng.integers(1_000, 500_000))),
        }
        for z in zone_ids
    ]
    lane_rows: list[dict[str, Any]] = []

    def lane(origin: str, destination: str, low: float, high: float) -> None:
        lane_rows.append({
            "origin": origin,
            "destination": destination,
            "transit_hours": round(float(rng.uniform(low, high)), 1),
            "unit_cost": blank(0.15, round(float(rng.uniform(0.1, 2.0)), 2)),
            "volume_cost": blank(0.3, round(float(rng.uniform(0.0, 0.5)), 2)),
        })

    for n in fcs:
        if has_dc:
            lane("DC0", n, 6.0, 30.0)
        for z in zone_ids:
            if n == hub:
                lane(n, z, 2.0, 10.0)
            elif rng.random() < 0.65:
                lane(n, z, 4.0, 40.0)
        for m in fcs:
            if m != n and rng.random() < 0.2:
                lane(n, m, 4.0, 20.0)
    if has_dc:
        for z in zone_ids:
            if rng.random() < 0.25:
                lane("DC0", z, 12.0, 48.0)

    # ---- windows and speeds ------------------------------------------------
    window_rows: list[dict[str, Any]] = []
    if windows:
        hours = np.sort(rng.choice(np.arange(0.0, 24.5, 0.5), size=int(rng.integers(2, 4)), replace=False))
        window_rows = [
            {"window": f"W{i + 1}", "order_hour": float(h), "share": round(float(rng.uniform(0.5, 3.0)), 2)}
            for i, h in enumerate(hours)
        ]
    order_hours = [row["order_hour"] for row in window_rows] or [0.0]

    direct = [
        handling[row["origin"]] + row["transit_hours"]
        for row in lane_rows
        if row["destination"] in zone_ids
    ]
    hub_needs = [  # hours after the order at which the hub's direct lane delivers, per zone and window
        _departure(h + handling[hub], cutoff[hub] if windows else None) + row["transit_hours"] - h
        for row in lane_rows
        if row["origin"] == hub and row["destination"] in zone_ids
        for h in order_hours
    ]
    wait = 12.0 if windows and cutoffs else 0.0
    targeted = set()
    if service_targets:
        targeted = {k for k in range(speeds) if rng.random() < 0.6} or {int(rng.integers(speeds))}
    speed_ids = [f"K{k + 1}" for k in range(speeds)]
    speed_rows = []
    for k, level in enumerate(np.linspace(0.3, 0.9, speeds)):
        hours_needed = float(np.quantile(direct, level)) + wait
        if k in targeted:
            hours_needed = max(hours_needed, max(hub_needs))
        row = {
            "speed": speed_ids[k],
            "promise_hours": math.ceil(hours_needed * 2.0) / 2.0,
            "penalty_factor": blank(0.3, round(float(rng.uniform(1.0, 2.5)), 2)),
        }
        if k in targeted and rng.random() < 0.5:  # lost sales cheap enough for the target to bind
            row["penalty_factor"] = round(float(rng.uniform(0.2, 0.6)), 2)
        if service_targets:
            row["fill_rate_target"] = round(float(rng.uniform(0.3, 0.6)), 2) if k in targeted else None
        speed_rows.append(row)

    # ---- scenarios and demand ----------------------------------------------
    scenario_ids = [f"S{s + 1}" for s in range(scenarios)]
    scenario_rows = [{"scenario": s, "weight": round(float(rng.uniform(0.2, 3.0)), 2)} for s in scenario_ids]
    silent = scenario_ids[-1] if weights and scenarios >= 2 and rng.random() < 0.3 else None
    mean = rng.gamma(2.0, 3.0, size=(products, zones, speeds)) * (rng.random((products, zones, speeds)) > 0.15)
    level_of = rng.uniform(0.6, 1.4, size=scenarios)
    total = np.zeros((products, speeds, scenarios))
    demand_rows: list[dict[str, Any]] = []
    for pi, p in enumerate(product_ids):
        for zi, z in enumerate(zone_ids):
            for k, speed in enumerate(speed_ids):
                for si, s in enumerate(scenario_ids):
                    if s == silent:
                        continue
                    key = {"product": p, "zone": z, "speed": speed, "scenario": s}
                    rate = mean[pi, zi, k] * level_of[si]
                    if windows and rng.random() < 0.5:
                        for window in window_rows:
                            if rng.random() < 0.8:
                                quantity = int(rng.poisson(rate * 0.5))
                                demand_rows.append({**key, "quantity": quantity, "window": window["window"]})
                                total[pi, k, si] += quantity
                    elif rng.random() >= 0.12:
                        quantity = int(rng.poisson(rate))
                        demand_rows.append({**key, "quantity": quantity, "window": None} if windows
                                           else {**key, "quantity": quantity})
                        total[pi, k, si] += quantity

    # ---- inventory ---------------------------------------------------------
    stock_rows = []
    if on_hand:
        for pi, p in enumerate(product_ids):
            for n in node_ids:
                if accepts(n, p) and rng.random() < 0.4:
                    typical = total[pi].sum(axis=0).mean() / len(node_ids)
                    stock_rows.append({"product": p, "node": n, "on_hand": int(rng.integers(0, int(typical) + 2))})
    on_hand_volume = {n: sum(volume[r["product"]] * r["on_hand"] for r in stock_rows if r["node"] == n)
                      for n in node_ids}

    # ---- capacities ---------------------------------------------------------
    if capacities:
        units = total.sum(axis=(0, 1)).mean()
        cube = float((total.sum(axis=1).mean(axis=1) * np.array([volume[p] for p in product_ids])).sum())
        need = total[:, sorted(targeted), :].sum(axis=1).max(axis=1)  # per product, worst scenario
        for row in node_rows:
            n = row["node"]
            storage = on_hand_volume[n] + rng.uniform(0.25, 0.6) * cube / len(node_ids)
            inbound = rng.uniform(0.3, 0.8) * units / len(node_ids)
            throughput = rng.uniform(0.3, 0.7) * units / len(node_ids)
            if n == hub:
                storage += float(need @ np.array([volume[p] for p in product_ids]))
                inbound += float(need.sum())
                throughput += float(total[:, sorted(targeted), :].sum(axis=(0, 1)).max(initial=0.0))
            row["storage_capacity"] = blank(0.2, _ceil(storage))
            row["inbound_capacity"] = blank(0.2, _ceil(inbound))
            row["throughput_capacity"] = blank(0.2, _ceil(throughput))

    # ---- write ---------------------------------------------------------------
    tables: dict[str, list[dict[str, Any]]] = {
        "products": _shuffled_columns(rng, product_rows),
        "nodes": _shuffled_columns(rng, node_rows),
        "zones": _shuffled_columns(rng, zone_rows),
        "speeds": _shuffled_columns(rng, speed_rows),
        "lanes": _shuffled_columns(rng, lane_rows),
        "demand": _shuffled_columns(rng, demand_rows) if demand_rows else [],
    }
    if on_hand:
        tables["inventory"] = stock_rows
    if weights:
        tables["scenarios"] = scenario_rows
    if windows:
        tables["windows"] = window_rows
    toml = f'name = "random-{seed}"\ndescription = "seeded random instance"\n'
    if max_route_lanes != 2 or rng.random() < 0.5:
        toml += f"max_route_lanes = {max_route_lanes}\n"
    if integer_stock or rng.random() < 0.3:
        toml += f"integer_stock = {'true' if integer_stock else 'false'}\n"
    return write_instance(directory, tables, toml)
