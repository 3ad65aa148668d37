"""Random but realistic meio instances on the largest US metropolitan areas.

The network has up to four echelons: distribution centers (``dc``) placed by a
population-weighted p-median, fulfillment centers (``fc``) likewise at major metros,
same-day sites (``sameday``) near the largest metros and, optionally, non-sortable
centers (``nonsort``) for the ``large`` category. Transit hours are great-circle km
times a road factor over a line-haul speed plus a dock time; lane costs grow with
distance. Demand is negative binomial over the protection interval (review period
plus a gamma lead time, see :mod:`meio.data.scenarios`) around long-tailed product
means split over zones by population.

Capacities come from a *design load*: every (zone, speed) demand class of a category
is assigned to the nearest non-DC node that accepts the category and reaches it on
time by a direct lane (else to the nearest DC); DCs back up the whole network, so their design
covers every class. A node's design storage is the volume of the expected demand of its
classes, its design throughput the units of the largest scenario's demand of its classes.
Capacity = ``tightness`` x design: storage binds for tightness < 1 where the plan stocks
about the mean or more, and throughput binds in peak scenarios; with tightness well above
1 (say 2 or more) both are slack unless the plan pools far beyond a node's own area.

Everything is drawn from one ``numpy`` generator seeded by ``seed``, so the same
configuration gives byte-identical files.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from meio.data.names import name_problem
from meio.data.scenarios import negbin_demand, protection_intervals, scenario_names
from meio.data.writer import clear_instance_files
from meio.errors import MeioError
from meio.progress import SILENT, StatusLine

METROS_CSV = Path(__file__).resolve().parent / "metros.csv"
EARTH_RADIUS_KM = 6371.0
ROAD_FACTOR = 1.2
LINE_HAUL_KMH = 80.0
DOCK_HOURS = 2.0


@dataclass(frozen=True)
class KindSpec:
    """Operating parameters of a node kind: hours, holding factor, zone reach (km), site offset (km)."""

    handling_hours: float
    cutoff_hour: float
    holding_factor: float
    zone_reach_km: float
    site_offset_km: tuple[float, float]


KINDS = {
    "dc": KindSpec(10.0, 14.0, 0.8, 5000.0, (15.0, 40.0)),
    "fc": KindSpec(6.0, 20.0, 1.0, 2200.0, (10.0, 35.0)),
    "sameday": KindSpec(1.0, 11.0, 1.3, 80.0, (3.0, 12.0)),
    "nonsort": KindSpec(8.0, 16.0, 0.9, 2200.0, (10.0, 35.0)),
}
PREFIX = {"dc": "dc", "fc": "fc", "sameday": "sd", "nonsort": "ns"}

#: promise_hours, penalty_factor and share of a product's demand per speed.
SPEEDS = {
    "same_day": (12.0, 1.2, 0.15),
    "one_day": (24.0, 1.0, 0.35),
    "two_day": (48.0, 0.9, 0.50),
    "three_day": (72.0, 0.8, 0.20),
}
CATEGORIES = ("small", "large")
#: (median litres, log-sd, clip low, clip high) of unit volume and (median $, log-sd) of unit cost.
VOLUME = {"small": (1.5, 0.9, 0.05, 25.0), "large": (60.0, 0.6, 20.0, 800.0)}
COST = {"small": (15.0, 0.9), "large": (150.0, 0.6)}
NODE_COLUMNS = ["node", "kind", "storage_capacity", "throughput_capacity", "handling_hours",
                "cutoff_hour", "holding_factor", "categories"]
WINDOWS = pd.DataFrame({"window": ["morning", "midday", "evening"], "order_hour": [8.0, 13.0, 19.0],
                        "share": [0.3, 0.45, 0.25]})


#: Largest ``tightness``: capacities far above any load are slack all the same, and beyond it they
#: would grow past what an instance may hold (:data:`meio.data.schema.MAX_MAGNITUDE`).
MAX_TIGHTNESS = 100.0


class GeneratorError(MeioError):
    """A generator configuration that cannot produce a valid instance: ``knob`` (a field of
    :class:`GeneratorConfig`, the CLI's ``--knob``) breaks ``rule`` ("must be ..., got ...")."""

    def __init__(self, knob: str, rule: str) -> None:
        super().__init__(f"{knob} {rule}")
        self.knob = knob
        self.rule = rule


@dataclass(frozen=True)
class GeneratorConfig:
    """Knobs of :func:`generate_instance`; sizes first, then network, products and demand."""

    products: int
    nodes: int
    zones: int
    scenarios: int
    seed: int
    speeds: tuple[str, ...] = ("same_day", "one_day", "two_day")
    tightness: float = 0.8
    same_day_sites: bool = True
    nonsort_sites: bool = False
    windows: bool = False
    on_hand: bool = False
    fill_rate_target: float | None = None
    large_share: float = 0.15
    daily_demand_median: float = 0.5
    demand_sigma: float = 1.5
    dispersion: float = 2.0
    review_days: float = 7.0
    lead_time_mean: float = 3.0
    lead_time_std: float = 1.0
    annual_holding_rate: tuple[float, float] = (0.20, 0.25)
    name: str = "generated"
    description: str = ""

    def check(self) -> None:
        """Raise :class:`GeneratorError` for the first knob outside what the generator supports."""
        metros = len(load_metros())
        broken = next(((knob, rule) for bad, knob, rule in self._rules(metros) if bad), None)
        if broken is not None:
            raise GeneratorError(*broken)
        self._check_nodes(metros)

    def _rules(self, metros: int) -> list[tuple[bool, str, str]]:
        """(broken, knob, rule) of every knob but ``nodes``, whose range depends on the others."""
        unknown = [speed for speed in self.speeds if speed not in SPEEDS]
        name = name_problem(self.name)
        return [
            (self.products < 1, "products", f"must be >= 1, got {self.products}"),
            (not 1 <= self.zones <= metros, "zones", f"must be in [1, {metros}], got {self.zones}"),
            (self.scenarios < 1, "scenarios", f"must be >= 1, got {self.scenarios}"),
            (not 0 < self.tightness <= MAX_TIGHTNESS, "tightness",
             f"must be > 0 and <= {MAX_TIGHTNESS:g}, got {self.tightness:g}"),
            (not self.speeds, "speeds", "must name at least one speed"),
            (len(set(self.speeds)) != len(self.speeds), "speeds",
             f"must not repeat a speed, got {','.join(self.speeds)}"),
            (bool(unknown), "speeds", f"must be among {', '.join(SPEEDS)}, got unknown speed(s) {', '.join(unknown)}"),
            (self.fill_rate_target is not None and not 0 <= self.fill_rate_target <= 1, "fill_rate_target",
             f"must be in [0, 1], got {self.fill_rate_target}"),
            (not 0 <= self.large_share <= 1, "large_share", f"must be in [0, 1], got {self.large_share}"),
            (self.dispersion < 1, "dispersion", f"(variance/mean) must be >= 1, got {self.dispersion}"),
            *((getattr(self, knob) < 0, knob, f"must be >= 0, got {getattr(self, knob)}")
              for knob in ("review_days", "lead_time_mean", "lead_time_std")),
            (name is not None, "name", name or ""),
        ]

    def _check_nodes(self, metros: int) -> None:
        """``nodes`` must leave a fulfillment center besides the DCs and sites, and fit the metros."""
        low, high = self.node_range(metros)
        if self.nodes < low:
            raise GeneratorError("nodes", f"must be >= {low} with these sites and speeds (fewer leave no "
                                          f"fulfillment center), got {self.nodes}")
        if self.nodes > high:
            raise GeneratorError("nodes", f"must be <= {high} with these sites, speeds and zones (more need more "
                                          f"than the {metros} metros, or more same-day sites than the "
                                          f"{self.zones} zones, one per zone), got {self.nodes}")

    def node_range(self, metros: int) -> tuple[int, int]:
        """The fewest and the most nodes the other knobs allow (an unbroken range): at least one
        fulfillment center, and no more fulfillment and non-sortable centers than metros without a DC."""
        fits = [n for n in range(1, 2 * metros + 1)
                if _nodes_fit(node_counts(replace(self, nodes=n)), metros, self.zones)]
        return fits[0], fits[-1]


def _nodes_fit(counts: dict[str, int], metros: int, zones: int) -> bool:
    """Whether the node counts of :func:`node_counts` can be placed on ``metros`` metros, with a
    same-day site in each of that many of the ``zones`` (one site per zone)."""
    return (counts["fc"] >= 1 and counts["fc"] + counts["nonsort"] <= metros - counts["dc"]
            and counts["sameday"] <= zones)


def generate_instance(out_dir: str | Path, *, products: int, nodes: int, zones: int, scenarios: int,
                      seed: int, **knobs: object) -> Path:
    """Write an instance directory for ``GeneratorConfig(products, nodes, ..., **knobs)``."""
    config = GeneratorConfig(products=products, nodes=nodes, zones=zones, scenarios=scenarios,
                             seed=seed, **knobs)  # type: ignore[arg-type]
    return write_instance(out_dir, config)


def write_instance(out_dir: str | Path, config: GeneratorConfig, progress: StatusLine = SILENT) -> Path:
    """Write the instance of ``config`` to ``out_dir`` (created if needed) and return its path.

    Instance files an earlier instance left in ``out_dir`` are removed first (see
    :func:`meio.data.writer.clear_instance_files`). ``progress`` shows each phase (the demand
    scenario by scenario).
    """
    config.check()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    clear_instance_files(out)
    progress.phase("placing the nodes and lanes")
    rng = np.random.default_rng(config.seed)
    zones = zone_table(config.zones)
    nodes = place_nodes(config, zones, rng)
    lanes = lane_table(nodes, zones)
    speeds = speed_table(config)
    products = product_table(config, rng)
    mean = daily_means(config, products, zones, speeds, rng)
    areas = natural_areas(config, nodes, zones, speeds)
    load = _sample_and_write_demand(out / "demand.csv", config, products, zones, speeds, mean, areas, rng, progress)
    progress.phase("writing the tables")
    nodes = sized_nodes(config, nodes, products, load)
    for name, table in [("zones", zones[["zone", "lat", "lon", "population"]]),
                        ("nodes", nodes[NODE_COLUMNS]), ("lanes", lanes), ("speeds", speeds),
                        ("products", products)]:
        table.to_csv(out / f"{name}.csv", index=False)
    if config.windows:
        WINDOWS.to_csv(out / "windows.csv", index=False)
    if config.on_hand:
        inventory_table(config, products, nodes, load, rng).to_csv(out / "inventory.csv", index=False)
    (out / "instance.toml").write_text(instance_toml(config), encoding="utf-8")
    return out


def load_metros() -> pd.DataFrame:
    """The bundled metros table (``#`` lines are comments) with a ``zone`` identifier per metro."""
    metros = pd.read_csv(METROS_CSV, comment="#")
    metros["zone"] = [slug(m) for m in metros["metro"]]
    return metros


def slug(metro: str) -> str:
    """Identifier of a metro: its first principal city in snake case (``st_louis``)."""
    city = re.split(r"[-/]", metro)[0]
    return re.sub(r"[^a-z0-9]+", "_", city.lower()).strip("_")


def zone_table(zones: int) -> pd.DataFrame:
    """The ``zones`` most populous metros as customer zones."""
    return load_metros().sort_values("population", ascending=False, kind="stable").head(zones).reset_index(drop=True)


def great_circle_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Haversine distance in km between points (broadcasting)."""
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def transit_hours(km: np.ndarray) -> np.ndarray:
    """Road km (great circle x road factor) at line-haul speed, plus the dock time."""
    return np.round(km * ROAD_FACTOR / LINE_HAUL_KMH + DOCK_HOURS, 2)


def node_counts(config: GeneratorConfig) -> dict[str, int]:
    """How many nodes of each kind: 1-2 DCs, about a fifth same-day sites, the rest FCs."""
    n = config.nodes
    sameday = max(1, n // 5) if config.same_day_sites and "same_day" in config.speeds else 0
    nonsort = max(1, n // 8) if config.nonsort_sites else 0
    dc = 1 if n < 10 else 2
    return {"dc": dc, "fc": n - dc - sameday - nonsort, "sameday": sameday, "nonsort": nonsort}


def p_median(candidates: pd.DataFrame, zones: pd.DataFrame, count: int, exclude: set[str]) -> list[int]:
    """Greedy population-weighted p-median: candidate rows that best cover the zones."""
    km = great_circle_km(candidates["lat"].to_numpy()[:, None], candidates["lon"].to_numpy()[:, None],
                         zones["lat"].to_numpy()[None, :], zones["lon"].to_numpy()[None, :])
    weight = zones["population"].to_numpy(dtype=float)
    allowed = ~candidates["zone"].isin(exclude).to_numpy()
    chosen: list[int] = []
    best = np.full(len(zones), np.inf)
    for _ in range(count):
        cost = (np.minimum(km, best[None, :]) * weight).sum(axis=1)
        cost[~allowed] = np.inf
        pick = int(np.argmin(cost))
        chosen.append(pick)
        allowed[pick] = False
        best = np.minimum(best, km[pick])
    return chosen


def place_nodes(config: GeneratorConfig, zones: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Node sites per kind at metros, offset a few km from the centre in a random direction."""
    metros, counts = load_metros(), node_counts(config)
    dcs = p_median(metros, zones, counts["dc"], set())
    fcs = p_median(metros, zones, counts["fc"], set(metros["zone"].iloc[dcs]))
    nonsort = p_median(metros, zones, counts["nonsort"], set(metros["zone"].iloc[dcs + fcs]))
    sameday = [int(i) for i in metros.index[metros["zone"].isin(zones["zone"].head(counts["sameday"]))]]
    rows = [(kind, i) for kind, picks in [("dc", dcs), ("fc", fcs), ("sameday", sameday),
                                          ("nonsort", nonsort)] for i in picks]
    nodes = pd.DataFrame({"kind": [k for k, _ in rows],
                          "metro": metros["zone"].to_numpy()[[i for _, i in rows]]})
    nodes["node"] = [f"{PREFIX[k]}_{m}" for k, m in zip(nodes["kind"], nodes["metro"])]
    low, high = np.array([KINDS[k].site_offset_km for k in nodes["kind"]]).T
    distance, bearing = rng.uniform(low, high), rng.uniform(0, 2 * np.pi, len(nodes))
    lat0 = metros["lat"].to_numpy()[[i for _, i in rows]]
    lon0 = metros["lon"].to_numpy()[[i for _, i in rows]]
    nodes["lat"] = np.round(lat0 + distance * np.cos(bearing) / 111.2, 4)
    nodes["lon"] = np.round(lon0 + distance * np.sin(bearing) / (111.2 * np.cos(np.radians(lat0))), 4)
    for column in ("handling_hours", "cutoff_hour", "holding_factor"):
        nodes[column] = [getattr(KINDS[k], column) for k in nodes["kind"]]
    nodes["categories"] = [accepted_categories(k, config) for k in nodes["kind"]]
    return nodes


def accepted_categories(kind: str, config: GeneratorConfig) -> str:
    """``;``-list of categories a kind stocks ("" = all): same-day sites small only, non-sort large only."""
    if kind == "sameday" or (kind == "fc" and config.nonsort_sites):
        return "small"
    return "large" if kind == "nonsort" else ""


def lane_table(nodes: pd.DataFrame, zones: pd.DataFrame) -> pd.DataFrame:
    """Line-haul lanes from upstream to downstream layers and parcel lanes to zones within reach."""
    kind = nodes["kind"].to_numpy()
    km = great_circle_km(nodes["lat"].to_numpy()[:, None], nodes["lon"].to_numpy()[:, None],
                         nodes["lat"].to_numpy()[None, :], nodes["lon"].to_numpy()[None, :])
    feeds = ((kind[:, None] == "dc") & (kind[None, :] != "dc")) | (
        (kind[:, None] == "fc") & (kind[None, :] == "sameday") & (km <= 600.0))
    o, d = np.nonzero(feeds)
    haul = pd.DataFrame({"origin": nodes["node"].to_numpy()[o], "destination": nodes["node"].to_numpy()[d],
                         "km": km[o, d], "unit": 0.05 + 0.0002 * km[o, d], "volume": 0.002 + 0.00003 * km[o, d]})
    km = great_circle_km(nodes["lat"].to_numpy()[:, None], nodes["lon"].to_numpy()[:, None],
                         zones["lat"].to_numpy()[None, :], zones["lon"].to_numpy()[None, :])
    reach = np.array([KINDS[k].zone_reach_km for k in kind])
    o, z = np.nonzero(km <= reach[:, None])
    courier = np.where(kind[o] == "sameday", 1.5, 1.0)
    parcel = pd.DataFrame({"origin": nodes["node"].to_numpy()[o], "destination": zones["zone"].to_numpy()[z],
                           "km": km[o, z], "unit": courier * (2.5 + 0.0015 * km[o, z]),
                           "volume": 0.02 + 0.00012 * km[o, z]})
    lanes = pd.concat([haul, parcel], ignore_index=True)
    return pd.DataFrame({"origin": lanes["origin"], "destination": lanes["destination"],
                         "transit_hours": transit_hours(lanes["km"].to_numpy()),
                         "unit_cost": lanes["unit"].round(4), "volume_cost": lanes["volume"].round(5)})


def speed_table(config: GeneratorConfig) -> pd.DataFrame:
    """speeds.csv: promise hours 12/24/48/72, penalty factors, optional fill-rate target."""
    speeds = pd.DataFrame({"speed": list(config.speeds),
                           "promise_hours": [SPEEDS[k][0] for k in config.speeds],
                           "penalty_factor": [SPEEDS[k][1] for k in config.speeds]})
    if config.fill_rate_target is not None:
        speeds["fill_rate_target"] = config.fill_rate_target
    return speeds


def product_table(config: GeneratorConfig, rng: np.random.Generator) -> pd.DataFrame:
    """products.csv: lognormal volumes and costs by category, holding over the review period."""
    n = config.products
    large = rng.random(n) < config.large_share
    category = np.where(large, "large", "small")
    v_median, v_sigma, v_low, v_high = (np.where(large, a, b) for a, b in zip(VOLUME["large"], VOLUME["small"]))
    volume = np.clip(v_median * np.exp(v_sigma * rng.standard_normal(n)), v_low, v_high)
    c_median, c_sigma = (np.where(large, a, b) for a, b in zip(COST["large"], COST["small"]))
    cost = np.maximum(0.5, c_median * np.exp(c_sigma * rng.standard_normal(n)) * (volume / v_median) ** 0.3)
    rate = rng.uniform(*config.annual_holding_rate, n)
    markup = rng.uniform(1.3, 2.0, n)
    width = len(str(n))
    return pd.DataFrame({
        "product": [f"p{i:0{width}d}" for i in range(1, n + 1)],
        "unit_volume": np.round(volume, 3),
        "unit_cost": np.round(cost, 2),
        "holding_cost": np.round(cost * rate * config.review_days / 365.0, 4),
        "lost_sale_cost": np.round(cost * markup + 5.0, 2),
        "category": category,
    })


def daily_means(config: GeneratorConfig, products: pd.DataFrame, zones: pd.DataFrame,
                speeds: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Mean daily demand (P, Z, K): long-tailed product totals split by noisy population and speed shares."""
    n = len(products)
    total = config.daily_demand_median * np.exp(config.demand_sigma * rng.standard_normal(n))
    share = zones["population"].to_numpy(dtype=float)[None, :] * np.exp(0.3 * rng.standard_normal((n, len(zones))))
    share /= share.sum(axis=1, keepdims=True)
    speed_share = np.array([SPEEDS[k][2] for k in speeds["speed"]])[None, :].repeat(n, axis=0)
    large = (products["category"] == "large").to_numpy()
    speed_share[large[:, None] & (speeds["speed"].to_numpy() == "same_day")[None, :]] = 0.0
    speed_share /= np.maximum(speed_share.sum(axis=1, keepdims=True), 1e-300)
    return total[:, None, None] * share[:, :, None] * speed_share[:, None, :]


def natural_areas(config: GeneratorConfig, nodes: pd.DataFrame, zones: pd.DataFrame,
                  speeds: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per category, a (N, Z*K) 0/1 matrix: the node each class is designed to be served from.

    That is the nearest non-DC node accepting the category with an on-time direct lane (same-day
    sites only for same-day classes); DCs' areas hold every class.
    """
    km = great_circle_km(nodes["lat"].to_numpy()[:, None], nodes["lon"].to_numpy()[:, None],
                         zones["lat"].to_numpy()[None, :], zones["lon"].to_numpy()[None, :])
    kind = nodes["kind"].to_numpy()
    reach = km <= np.array([KINDS[k].zone_reach_km for k in kind])[:, None]
    tau = nodes["handling_hours"].to_numpy()[:, None] + transit_hours(km)
    on_time = reach[:, :, None] & (tau[:, :, None] <= speeds["promise_hours"].to_numpy()[None, None, :])
    on_time[kind == "sameday"] &= (speeds["speed"].to_numpy() == "same_day")[None, :]
    dc = kind == "dc"
    areas = {}
    for category in CATEGORIES:
        accepts = np.array([c in ("", category) for c in nodes["categories"]])
        candidate = on_time & (accepts & ~dc)[:, None, None]
        distance = np.where(candidate, km[:, :, None], np.inf)
        nearest = np.argmin(distance, axis=0)
        served = np.isfinite(distance.min(axis=0))
        area = (np.arange(len(nodes))[:, None, None] == nearest[None]) & served[None]
        area[dc] = True
        areas[category] = area.reshape(len(nodes), -1).astype(float)
    return areas


def _sample_and_write_demand(path: Path, config: GeneratorConfig, products: pd.DataFrame,
                             zones: pd.DataFrame, speeds: pd.DataFrame, mean: np.ndarray,
                             areas: dict[str, np.ndarray], rng: np.random.Generator,
                             progress: StatusLine = SILENT) -> dict[str, np.ndarray]:
    """Write demand.csv scenario by scenario; return the design loads.

    ``stock`` (P, N): expected units of each product's demand in each node's area;
    ``throughput`` (N,): units of the largest scenario's demand in each node's area.
    """
    n, z, k = mean.shape
    interval = protection_intervals(rng, np.full(n, config.review_days), np.full(n, config.lead_time_mean),
                                     np.full(n, config.lead_time_std), config.scenarios, 0.0)
    flat = mean.reshape(n, z * k)
    large = (products["category"] == "large").to_numpy()
    names = {"product": products["product"].to_numpy(dtype=object),
             "zone": np.repeat(zones["zone"].to_numpy(dtype=object), k),
             "speed": np.tile(speeds["speed"].to_numpy(dtype=object), z)}
    stock = np.zeros((n, len(next(iter(areas.values())))))
    throughput = np.zeros(stock.shape[1])
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("product,zone,speed,scenario,quantity\n")
        for s, scenario in enumerate(scenario_names(config.scenarios)):
            progress.phase(f"sampling demand.csv: scenario {s + 1:,}/{config.scenarios:,}", throttle=s > 0)
            quantity = negbin_demand(rng, flat * interval[s][:, None], config.dispersion)
            load = np.where(large[:, None], quantity @ areas["large"].T, quantity @ areas["small"].T)
            stock += load / config.scenarios
            throughput = np.maximum(throughput, load.sum(axis=0))
            p, c = np.nonzero(quantity)
            pd.DataFrame({"product": names["product"][p], "zone": names["zone"][c],
                          "speed": names["speed"][c], "scenario": scenario,
                          "quantity": quantity[p, c].astype(np.int64)}).to_csv(handle, header=False, index=False)
    return {"stock": stock, "throughput": throughput}


def sized_nodes(config: GeneratorConfig, nodes: pd.DataFrame, products: pd.DataFrame,
                load: dict[str, np.ndarray]) -> pd.DataFrame:
    """Storage (volume) and throughput (units per scenario) = tightness x design load, at least 1."""
    volume = products["unit_volume"].to_numpy()
    design_storage = volume @ load["stock"]
    return nodes.assign(
        storage_capacity=np.maximum(1, np.ceil(config.tightness * design_storage)).astype(np.int64),
        throughput_capacity=np.maximum(1, np.ceil(config.tightness * load["throughput"])).astype(np.int64))


def inventory_table(config: GeneratorConfig, products: pd.DataFrame, nodes: pd.DataFrame,
                    load: dict[str, np.ndarray], rng: np.random.Generator) -> pd.DataFrame:
    """inventory.csv: on-hand stock for about 30% of pairs, at most 30% of the design stock (fits storage)."""
    stock = load["stock"]
    has = rng.random(stock.shape) < 0.3
    units = np.floor(has * rng.random(stock.shape) * 0.3 * min(config.tightness, 1.0) * stock)
    p, n = np.nonzero(units)
    return pd.DataFrame({"product": products["product"].to_numpy()[p], "node": nodes["node"].to_numpy()[n],
                         "on_hand": units[p, n].astype(np.int64)})


def instance_toml(config: GeneratorConfig) -> str:
    """instance.toml: name, description (default: the configuration that generated it), route length."""
    knobs = ", ".join(f"{k}={v}" for k, v in asdict(config).items() if k not in ("name", "description"))
    description = config.description or f"Generated by meio.data.generator with {knobs}"
    return (f"name = {json.dumps(config.name)}\n"
            f"description = {json.dumps(description)}\n"
            "max_route_lanes = 2\n")
