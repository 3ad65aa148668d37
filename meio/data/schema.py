"""The instance format of the data format (docs/data-format.md) as data: one table drives loading, validation and docs.

Each :class:`Column` says how a CSV cell is parsed (``kind``), what it defaults to when
blank, which range it must lie in and, for identifiers, which table it must refer to.
``docs/data-format.md`` is generated from these tables (``python -m meio.data.format_doc``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "float", "text", "list"]


@dataclass(frozen=True)
class Column:
    """One column of an instance table."""

    name: str
    kind: Kind
    description: str
    required: bool = False
    default: float | str | None = None
    minimum: float | None = None
    maximum: float | None = None
    strict_minimum: bool = False
    allow_infinite: bool = False
    refers_to: tuple[str, ...] = ()
    cost: bool = False

    def range_text(self) -> str:
        """The allowed range in words, for messages and docs."""
        if self.minimum is None and self.maximum is None:
            return ""
        if self.maximum is None:
            return f"> {self.minimum:g}" if self.strict_minimum else f">= {self.minimum:g}"
        return f"in [{self.minimum:g}, {self.maximum:g}]"


@dataclass(frozen=True)
class Table:
    """One CSV file of an instance."""

    file: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.file.removesuffix(".csv")

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


INF = math.inf

#: Largest absolute value of a finite number in any numeric cell. Larger costs or quantities
#: break the LP solvers (HiGHS reads 1e20 as infinite and loses all precision well before);
#: ``inf`` stays allowed where a column allows it (capacities).
MAX_MAGNITUDE = 1e12
#: Largest ratio between the largest and the smallest nonzero cost coefficient before a warning:
#: beyond it the LP cannot scale its objective and optima may be inaccurate.
COST_SPAN_LIMIT = 1e9
#: difflib similarity (case-insensitive) from which an unknown column or file name is taken for a
#: misspelling of a known one.
CLOSE_NAME_CUTOFF = 0.8

TABLES: tuple[Table, ...] = (
    Table(
        "products.csv",
        "Products (SKUs) and their costs.",
        (
            Column("product", "id", "Product identifier.", required=True),
            Column("unit_volume", "float", "Volume of one unit (any unit, used by storage and volume costs).",
                   required=True, minimum=0, strict_minimum=True),
            Column("unit_cost", "float", "Purchase cost per unit bought.", required=True, minimum=0, cost=True),
            Column("holding_cost", "float", "Holding cost per unit left over at the end of the period.",
                   required=True, minimum=0, cost=True),
            Column("lost_sale_cost", "float", "Penalty per unit of demand not served on time.",
                   required=True, minimum=0, cost=True),
            Column("category", "text", "Product category, matched against `nodes.categories`.", default=""),
        ),
        key=("product",),
    ),
    Table(
        "nodes.csv",
        "Buildings that hold stock (distribution centers, fulfillment centers, same-day sites).",
        (
            Column("node", "id", "Node identifier (must not also be a zone).", required=True),
            Column("kind", "text", "Free label (dc, fc, sameday, ...).", default=""),
            Column("storage_capacity", "float", "Volume of stock the node can hold.", default=INF,
                   minimum=0, allow_infinite=True),
            Column("throughput_capacity", "float", "Units per scenario that may leave or pass through the node.",
                   default=INF, minimum=0, allow_infinite=True),
            Column("inbound_capacity", "float", "Units the node may receive (buy) in the period.", default=INF,
                   minimum=0, allow_infinite=True),
            Column("handling_hours", "float", "Hours to pick, pack or cross-dock an order.", default=0.0,
                   minimum=0),
            Column("cutoff_hour", "float", "Daily departure hour of outbound trucks (blank: continuous).",
                   default=None, minimum=0, maximum=24),
            Column("holding_factor", "float", "Multiplier of products' holding cost at this node.", default=1.0,
                   minimum=0),
            Column("categories", "list", "`;`-separated categories the node may stock (blank: all).",
                   default=None),
        ),
        key=("node",),
    ),
    Table(
        "zones.csv",
        "Customer zones where demand arises.",
        (
            Column("zone", "id", "Zone identifier (must not also be a node).", required=True),
            Column("lat", "float", "Latitude (degrees), informative.", default=None, minimum=-90, maximum=90),
            Column("lon", "float", "Longitude (degrees), informative.", default=None, minimum=-180, maximum=180),
            Column("population", "float", "Population, informative.", default=None, minimum=0),
        ),
        key=("zone",),
    ),
    Table(
        "speeds.csv",
        "Delivery speeds (same-day, one-day, two-day, ...).",
        (
            Column("speed", "id", "Speed identifier.", required=True),
            Column("promise_hours", "float", "Hours from order to promised delivery.", required=True, minimum=0),
            Column("penalty_factor", "float", "Multiplier of the lost-sale cost for this speed.", default=1.0,
                   minimum=0),
            Column("fill_rate_target", "float", "Minimum expected on-time fill rate (blank: none).",
                   default=None, minimum=0, maximum=1),
        ),
        key=("speed",),
    ),
    Table(
        "lanes.csv",
        "Transport lanes node -> node and node -> zone.",
        (
            Column("origin", "id", "Origin node.", required=True, refers_to=("nodes",)),
            Column("destination", "id", "Destination node or zone.", required=True, refers_to=("nodes", "zones")),
            Column("transit_hours", "float", "Hours in transit.", required=True, minimum=0),
            Column("unit_cost", "float", "Cost per unit shipped.", default=0.0, minimum=0, cost=True),
            Column("volume_cost", "float", "Cost per unit of volume shipped.", default=0.0, minimum=0,
                   cost=True),
        ),
        key=("origin", "destination"),
    ),
    Table(
        "demand.csv",
        "Demand samples; a missing (product, zone, speed, scenario) row means zero.",
        (
            Column("product", "id", "Product.", required=True, refers_to=("products",)),
            Column("zone", "id", "Zone.", required=True, refers_to=("zones",)),
            Column("speed", "id", "Speed.", required=True, refers_to=("speeds",)),
            Column("scenario", "id", "Scenario.", required=True, refers_to=("scenarios",)),
            Column("quantity", "float", "Units demanded.", required=True, minimum=0),
            Column("window", "id", "Order window (blank: split by `windows.share`).", default=None,
                   refers_to=("windows",)),
        ),
        key=("product", "zone", "speed", "scenario", "window"),
    ),
    Table(
        "inventory.csv",
        "Stock already on hand at the start (optional file).",
        (
            Column("product", "id", "Product.", required=True, refers_to=("products",)),
            Column("node", "id", "Node.", required=True, refers_to=("nodes",)),
            Column("on_hand", "float", "Units on hand.", required=True, minimum=0),
        ),
        key=("product", "node"),
        required=False,
    ),
    Table(
        "scenarios.csv",
        "Scenario weights (optional file; default equal weights).",
        (
            Column("scenario", "id", "Scenario identifier.", required=True),
            Column("weight", "float", "Weight, normalised to sum to one.", required=True, minimum=0,
                   strict_minimum=True),
        ),
        key=("scenario",),
        required=False,
    ),
    Table(
        "windows.csv",
        "Order windows within the day (optional file).",
        (
            Column("window", "id", "Window identifier.", required=True),
            Column("order_hour", "float", "Representative order hour of the window.", required=True,
                   minimum=0, maximum=24),
            Column("share", "float", "Share of daily demand, normalised to sum to one.", required=True,
                   minimum=0, strict_minimum=True),
        ),
        key=("window",),
        required=False,
    ),
)

TABLE_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
#: Every file an instance may hold; other files are ignored (with a warning for CSV files).
INSTANCE_FILES: tuple[str, ...] = (*(t.file for t in TABLES), "instance.toml")

#: Keys of ``instance.toml`` with their type and default.
TOML_KEYS: dict[str, tuple[type, object, str]] = {
    "name": (str, "", "Instance name (empty: the directory's or bundle's name). It names result directories "
                      "(`results/NAME`), so it cannot be `.` or `..` nor hold `/`, `\\`, `:` or a control "
                      "character."),
    "description": (str, "", "Free text."),
    "max_route_lanes": (int, 2, "Maximum number of lanes on a route (>= 1)."),
    "integer_stock": (bool, False, "Whether stock positions y must be integer."),
}
