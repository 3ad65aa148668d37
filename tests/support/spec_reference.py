"""Independent reference implementation of SPEC §1–§3, used only by tests.

It reads an instance directory directly, derives routes, demand classes and
on-time eligibility exactly as SPEC §2 states, builds the SPEC §3 model as
sparse matrices and solves it with SciPy's HiGHS interface. It deliberately
shares no code with the ``meio`` package so the two can cross-check each other.
"""

from __future__ import annotations

import csv
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

TOLERANCE = 1e-9
"""Slack allowed in the time comparisons of SPEC §2 (cut-offs and promises)."""


@dataclass
class ReferenceSolution:
    """Result of :func:`solve_reference`."""

    status: str
    objective: float | None
    lower_bound: float | None
    stock: dict[tuple[str, str], float]
    n_routes: int
    n_classes: int
    n_eligible: int


@dataclass(frozen=True)
class Route:
    """A path of lanes from a node to a zone."""

    nodes: tuple[str, ...]
    zone: str
    lanes: tuple[int, ...]

    @property
    def origin(self) -> str:
        """First node of the route."""
        return self.nodes[0]


def _read_table(directory: Path, name: str, *, required: bool = True) -> list[dict[str, str]] | None:
    """Rows of a CSV file as stripped strings, or None when an optional file is absent."""
    path = directory / name
    if not path.exists():
        if required:
            raise FileNotFoundError(path)
        return None
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items() if key is not None}
            for row in csv.DictReader(handle)
        ]


def _number(row: dict[str, str], column: str, default: float | None = None) -> float:
    """A numeric cell; blank or absent means ``default`` (an error when there is none)."""
    text = row.get(column, "")
    if text == "":
        if default is None:
            raise ValueError(f"missing value for required column {column!r} in row {row}")
        return default
    return float(text)


def _optional_number(row: dict[str, str], column: str) -> float | None:
    """A numeric cell whose blank default is 'none'."""
    text = row.get(column, "")
    return None if text == "" else float(text)


def _enumerate_routes(
    node_ids: list[str], zone_ids: set[str], lanes: list[dict[str, str]], max_lanes: int
) -> list[Route]:
    """Every path node -> ... -> zone with distinct nodes and at most ``max_lanes`` lanes."""
    outgoing: dict[str, list[int]] = {node: [] for node in node_ids}
    for index, lane in enumerate(lanes):
        outgoing[lane["origin"]].append(index)
    routes: list[Route] = []

    def extend(path_nodes: tuple[str, ...], path_lanes: tuple[int, ...]) -> None:
        if len(path_lanes) == max_lanes:
            return
        for index in outgoing[path_nodes[-1]]:
            destination = lanes[index]["destination"]
            if destination in zone_ids:
                routes.append(Route(path_nodes, destination, path_lanes + (index,)))
            elif destination not in path_nodes:
                extend(path_nodes + (destination,), path_lanes + (index,))

    for node in node_ids:
        extend((node,), ())
    return routes


def _departure(ready: float, cutoff: float | None) -> float:
    """First daily departure ``cutoff + 24 j`` (j >= 0) not before ``ready``; ``ready`` without cut-off."""
    if cutoff is None:
        return ready
    departure = cutoff
    while departure < ready - TOLERANCE:
        departure += 24.0
    return departure


def _on_time(
    tau: float, origin_handling: float, cutoff: float | None, promise: float, order_hour: float | None
) -> bool:
    """SPEC §2 on-time test; ``order_hour`` is None when the instance has no windows."""
    if order_hour is None:
        return tau <= promise + TOLERANCE
    departure = _departure(order_hour + origin_handling, cutoff)
    arrival = departure + (tau - origin_handling)
    return arrival <= order_hour + promise + TOLERANCE


def _accepts(node_categories: str, product_category: str) -> bool:
    """Whether a node's ``categories`` cell admits a product category (blank = all)."""
    if node_categories == "":
        return True
    allowed = {part.strip() for part in node_categories.split(";") if part.strip()}
    return product_category in allowed


def _variant_rows(
    texts: tuple[str, ...], stocking: list[tuple[str, str]], kind: dict[str, str], category: dict[str, str],
    unit_cost: dict[str, float], volume: dict[str, float], on_hand: dict[tuple[str, str], float],
) -> list[tuple[dict[int, float], float]]:
    """Rows ``sum coef * y <= rhs`` (coefficients by stocking-pair index) of the stock-only model
    variants named by ``texts`` (``NAME:key=value,...``): budget, max_stock, min_presence, category_storage."""
    rows: list[tuple[dict[int, float], float]] = []
    for text in texts:
        name, _, rest = text.partition(":")
        given = dict(item.split("=", 1) for item in rest.split(",") if item)
        pairs = list(enumerate(stocking))
        if name == "budget":
            rows.append(({i: unit_cost[p] for i, (p, n) in pairs},
                         float(given["amount"]) + sum(unit_cost[p] * on_hand[(p, n)] for p, n in stocking)))
        elif name in ("max_stock", "min_presence"):
            sign = 1.0 if name == "max_stock" else -1.0
            for i, (p, n) in pairs:
                if all(given.get(key, value) == value for key, value in
                       (("node", n), ("kind", kind[n]), ("product", p))):
                    rows.append(({i: sign}, sign * float(given["units"])))
        elif name == "category_storage":
            for n in dict.fromkeys(n for p, n in stocking if category[p] == given["category"]):
                if given.get("node", n) == n:
                    rows.append(({i: volume[p] for i, (p, m) in pairs if m == n and category[p] == given["category"]},
                                 float(given["capacity"])))
        else:
            raise ValueError(f"the reference implementation has no variant {name!r}")
    return rows


def solve_reference(instance_dir: Path, integer: bool | None = None, *, mip_gap: float = 1e-9,
                    variants: tuple[str, ...] = ()) -> ReferenceSolution:
    """Solve the SPEC §3 model of an instance; ``integer`` overrides ``integer_stock``.

    ``mip_gap`` is the relative optimality gap of integer solves; ``lower_bound``
    of the result is the solver's proven bound (equal to ``objective`` for LPs).
    ``variants`` are stock-only model variants as ``NAME:key=value,...`` texts (see
    :func:`_variant_rows`), added as rows over the stock.
    """
    directory = Path(instance_dir)
    settings: dict = {}
    if (directory / "instance.toml").exists():
        settings = tomllib.loads((directory / "instance.toml").read_text(encoding="utf-8"))
    max_lanes = int(settings.get("max_route_lanes", 2))
    if integer is None:
        integer = bool(settings.get("integer_stock", False))

    # ---- tables -----------------------------------------------------------
    product_rows = _read_table(directory, "products.csv")
    node_rows = _read_table(directory, "nodes.csv")
    zone_rows = _read_table(directory, "zones.csv")
    speed_rows = _read_table(directory, "speeds.csv")
    lane_rows = _read_table(directory, "lanes.csv")
    demand_rows = _read_table(directory, "demand.csv")
    inventory_rows = _read_table(directory, "inventory.csv", required=False) or []
    scenario_rows = _read_table(directory, "scenarios.csv", required=False)
    window_rows = _read_table(directory, "windows.csv", required=False)

    products = [row["product"] for row in product_rows]
    volume = {row["product"]: _number(row, "unit_volume") for row in product_rows}
    unit_cost = {row["product"]: _number(row, "unit_cost") for row in product_rows}
    holding = {row["product"]: _number(row, "holding_cost") for row in product_rows}
    lost = {row["product"]: _number(row, "lost_sale_cost") for row in product_rows}
    category = {row["product"]: row.get("category", "") for row in product_rows}

    nodes = [row["node"] for row in node_rows]
    node = {row["node"]: row for row in node_rows}
    handling = {n: _number(node[n], "handling_hours", 0.0) for n in nodes}
    cutoff = {n: _optional_number(node[n], "cutoff_hour") for n in nodes}
    holding_factor = {n: _number(node[n], "holding_factor", 1.0) for n in nodes}
    storage_cap = {n: _number(node[n], "storage_capacity", math.inf) for n in nodes}
    throughput_cap = {n: _number(node[n], "throughput_capacity", math.inf) for n in nodes}
    inbound_cap = {n: _number(node[n], "inbound_capacity", math.inf) for n in nodes}

    zones = [row["zone"] for row in zone_rows]
    zone_set = set(zones)
    if zone_set & set(nodes):
        raise ValueError(f"identifiers used both as node and zone: {sorted(zone_set & set(nodes))}")

    speeds = [row["speed"] for row in speed_rows]
    promise = {row["speed"]: _number(row, "promise_hours") for row in speed_rows}
    penalty = {row["speed"]: _number(row, "penalty_factor", 1.0) for row in speed_rows}
    target = {row["speed"]: _optional_number(row, "fill_rate_target") for row in speed_rows}

    for lane in lane_rows:
        if lane["origin"] not in node or (lane["destination"] not in node and lane["destination"] not in zone_set):
            raise ValueError(f"lane with unknown endpoint: {lane}")

    # ---- scenarios and windows -------------------------------------------
    if scenario_rows is not None:
        scenarios = [row["scenario"] for row in scenario_rows]
        raw_weights = [row.get("weight", "") for row in scenario_rows]
        if all(text == "" for text in raw_weights):
            raw = np.ones(len(scenarios))
        else:
            raw = np.array([_number(row, "weight") for row in scenario_rows])
    else:
        scenarios = list(dict.fromkeys(row["scenario"] for row in demand_rows))
        raw = np.ones(len(scenarios))
    weights = raw / raw.sum()
    scenario_index = {s: i for i, s in enumerate(scenarios)}

    if window_rows is not None:
        window_names: list[str | None] = [row["window"] for row in window_rows]
        order_hour: dict[str | None, float | None] = {
            row["window"]: _number(row, "order_hour") for row in window_rows
        }
        shares = np.array([_number(row, "share") for row in window_rows])
        share = dict(zip(window_names, shares / shares.sum()))
    else:
        window_names = [None]
        order_hour = {None: None}
        share = {None: 1.0}

    # ---- derived sets (SPEC §2) -------------------------------------------
    stocking = [(p, n) for p in products for n in nodes if _accepts(node[n].get("categories", ""), category[p])]
    stocking_index = {pair: i for i, pair in enumerate(stocking)}

    on_hand = {pair: 0.0 for pair in stocking}
    seen_inventory: set[tuple[str, str]] = set()
    for row in inventory_rows:
        pair = (row["product"], row["node"])
        if pair in seen_inventory:
            raise ValueError(f"duplicate inventory row for {pair}")
        seen_inventory.add(pair)
        quantity = _number(row, "on_hand")
        if pair not in stocking_index:
            if quantity > 0:
                raise ValueError(f"on-hand stock at a node that does not accept the product: {pair}")
            continue
        on_hand[pair] = quantity

    routes = _enumerate_routes(nodes, zone_set, lane_rows, max_lanes)
    tau = [
        sum(handling[n] for n in route.nodes) + sum(_number(lane_rows[i], "transit_hours") for i in route.lanes)
        for route in routes
    ]

    def route_cost(route: Route, product: str) -> float:
        return sum(
            _number(lane_rows[i], "unit_cost", 0.0) + _number(lane_rows[i], "volume_cost", 0.0) * volume[product]
            for i in route.lanes
        )

    classes = [(z, k, win) for z in zones for k in speeds for win in window_names]
    class_index = {c: i for i, c in enumerate(classes)}
    eligible = [
        (r, c)
        for r, route in enumerate(routes)
        for c, (z, k, win) in enumerate(classes)
        if route.zone == z
        and _on_time(tau[r], handling[route.origin], cutoff[route.origin], promise[k], order_hour[win])
    ]

    # ---- demand ----------------------------------------------------------
    product_index = {p: i for i, p in enumerate(products)}
    demand = np.zeros((len(products), len(classes), len(scenarios)))
    for row in demand_rows:
        p, z, k, s = row["product"], row["zone"], row["speed"], row["scenario"]
        if p not in product_index or z not in zone_set or k not in promise or s not in scenario_index:
            raise ValueError(f"demand row with unknown identifier: {row}")
        quantity = _number(row, "quantity")
        win = row.get("window", "")
        if win == "":
            split = share.items()
        elif window_rows is None or win not in share:
            raise ValueError(f"demand row with unknown window: {row}")
        else:
            split = [(win, 1.0)]
        for w_name, fraction in split:
            demand[product_index[p], class_index[(z, k, w_name)], scenario_index[s]] += quantity * fraction

    # ---- variables: y (stocking pairs), x (product x eligible pair x scenario), u ----
    n_s = len(scenarios)
    n_y = len(stocking)
    x_keys = [
        (pi, r, c)
        for pi, p in enumerate(products)
        for r, c in eligible
        if (p, routes[r].origin) in stocking_index
    ]
    n_x = len(x_keys) * n_s
    n_u = len(products) * len(classes) * n_s
    n_var = n_y + n_x + n_u
    scen = np.arange(n_s)

    def x_cols(key: int) -> np.ndarray:
        return n_y + key * n_s + scen

    def u_cols(pi: int, ci: int) -> np.ndarray:
        return n_y + n_x + (pi * len(classes) + ci) * n_s + scen

    # ---- objective -------------------------------------------------------
    cost = np.zeros(n_var)
    constant = 0.0
    for i, (p, n) in enumerate(stocking):
        cost[i] = unit_cost[p] + holding[p] * holding_factor[n]
        constant -= unit_cost[p] * on_hand[(p, n)]
    for key, (pi, r, c) in enumerate(x_keys):
        p, route = products[pi], routes[r]
        cost[x_cols(key)] = weights * (route_cost(route, p) - holding[p] * holding_factor[route.origin])
    for pi, p in enumerate(products):
        for ci, (z, k, win) in enumerate(classes):
            cost[u_cols(pi, ci)] = weights * lost[p] * penalty[k]

    # ---- constraints -----------------------------------------------------
    ub_rows: list[np.ndarray] = []
    ub_cols: list[np.ndarray] = []
    ub_vals: list[np.ndarray] = []
    ub_rhs: list[float] = []
    eq_rows: list[np.ndarray] = []
    eq_cols: list[np.ndarray] = []
    eq_vals: list[np.ndarray] = []

    def add(rows: list, cols: list, vals: list, r: np.ndarray, c: np.ndarray, v: np.ndarray | float) -> None:
        r, c = np.atleast_1d(r), np.atleast_1d(c)
        rows.append(np.broadcast_to(r, c.shape))
        cols.append(c)
        vals.append(np.broadcast_to(np.asarray(v, dtype=float), c.shape))

    # availability: sum x over routes leaving n <= y[p,n], per scenario
    for i in range(n_y):
        add(ub_rows, ub_cols, ub_vals, i * n_s + scen, np.full(n_s, i), -1.0)
    for key, (pi, r, c) in enumerate(x_keys):
        i = stocking_index[(products[pi], routes[r].origin)]
        add(ub_rows, ub_cols, ub_vals, i * n_s + scen, x_cols(key), 1.0)
    ub_rhs.extend([0.0] * (n_y * n_s))
    next_row = n_y * n_s

    # demand: sum_r x + u = d, per product, class and scenario
    for key, (pi, r, c) in enumerate(x_keys):
        add(eq_rows, eq_cols, eq_vals, (pi * len(classes) + c) * n_s + scen, x_cols(key), 1.0)
    for pi in range(len(products)):
        for ci in range(len(classes)):
            add(eq_rows, eq_cols, eq_vals, (pi * len(classes) + ci) * n_s + scen, u_cols(pi, ci), 1.0)
    eq_rhs = demand.reshape(-1)

    for n in nodes:
        pairs = [i for i, (p, m) in enumerate(stocking) if m == n]
        if math.isfinite(storage_cap[n]):
            add(ub_rows, ub_cols, ub_vals, np.array(next_row), np.array(pairs, dtype=int),
                np.array([volume[stocking[i][0]] for i in pairs]))
            ub_rhs.append(storage_cap[n])
            next_row += 1
        if math.isfinite(inbound_cap[n]):
            add(ub_rows, ub_cols, ub_vals, np.array(next_row), np.array(pairs, dtype=int), 1.0)
            ub_rhs.append(inbound_cap[n] + sum(on_hand[stocking[i]] for i in pairs))
            next_row += 1
        if math.isfinite(throughput_cap[n]):
            for key, (pi, r, c) in enumerate(x_keys):
                if n in routes[r].nodes:
                    add(ub_rows, ub_cols, ub_vals, next_row + scen, x_cols(key), 1.0)
            ub_rhs.extend([throughput_cap[n]] * n_s)
            next_row += n_s

    for k in speeds:
        if target[k] is None:
            continue
        speed_classes = [ci for ci, (z, kk, win) in enumerate(classes) if kk == k]
        for pi in range(len(products)):
            for ci in speed_classes:
                add(ub_rows, ub_cols, ub_vals, np.array(next_row), u_cols(pi, ci), weights)
        ub_rhs.append((1.0 - target[k]) * float(demand[:, speed_classes, :].sum(axis=(0, 1)) @ weights))
        next_row += 1

    kind = {n: node[n].get("kind", "") for n in nodes}
    for coefficients, rhs in _variant_rows(variants, stocking, kind, category, unit_cost, volume, on_hand):
        add(ub_rows, ub_cols, ub_vals, np.array(next_row), np.array(list(coefficients), dtype=int),
            np.array(list(coefficients.values())))
        ub_rhs.append(rhs)
        next_row += 1

    a_ub = sp.csr_matrix(
        (np.concatenate(ub_vals), (np.concatenate(ub_rows), np.concatenate(ub_cols))), shape=(next_row, n_var)
    )
    a_eq = sp.csr_matrix(
        (np.concatenate(eq_vals), (np.concatenate(eq_rows), np.concatenate(eq_cols))), shape=(len(eq_rhs), n_var)
    )
    b_ub = np.array(ub_rhs)
    lower = np.zeros(n_var)
    lower[:n_y] = [on_hand[pair] for pair in stocking]

    # ---- solve -----------------------------------------------------------
    if integer:
        integrality = np.zeros(n_var)
        integrality[:n_y] = 1
        result = milp(
            cost,
            constraints=[LinearConstraint(a_ub, -np.inf, b_ub), LinearConstraint(a_eq, eq_rhs, eq_rhs)],
            integrality=integrality,
            bounds=Bounds(lower, np.inf),
            options={"mip_rel_gap": mip_gap},
        )
    else:
        result = linprog(
            cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=eq_rhs,
            bounds=np.column_stack([lower, np.full(n_var, np.inf)]), method="highs",
        )
    counts = {"n_routes": len(routes), "n_classes": len(classes), "n_eligible": len(eligible)}
    if result.status == 2:
        return ReferenceSolution(status="infeasible", objective=None, lower_bound=None, stock={}, **counts)
    if result.status != 0:
        raise RuntimeError(f"reference solve failed: {result.message}")
    stock = {pair: float(result.x[i]) for i, pair in enumerate(stocking)}
    bound = float(result.mip_dual_bound) if integer else float(result.fun)
    return ReferenceSolution(
        status="optimal", objective=float(result.fun) + constant, lower_bound=bound + constant, stock=stock, **counts
    )
