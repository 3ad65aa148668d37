"""Figures of the report, drawn with matplotlib (Agg backend) and returned as base64 PNG data.

Each function takes plain tables (pandas) and returns the PNG of one figure, or None when
the data it needs is absent.
"""

from __future__ import annotations

import base64
import io
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

PARTS = ("purchase", "holding", "shipping", "lost_sales")
COLORS = {"purchase": "#4c72b0", "holding": "#dd8452", "shipping": "#55a868", "lost_sales": "#c44e52",
          "storage": "#4c72b0", "inbound": "#8172b3", "throughput": "#c44e52", "service": "#937860"}


def png(figure: plt.Figure) -> str:
    """The figure as base64 PNG text; the figure is closed."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _value(estimate: dict | None) -> tuple[float, float]:
    if not estimate or estimate.get("mean") is None:
        return math.nan, 0.0
    low, high = estimate.get("low"), estimate.get("high")
    half = (high - low) / 2 if low is not None and high is not None else 0.0
    return float(estimate["mean"]), float(half)


def cost_breakdown(columns: dict[str, dict[str, dict]]) -> str:
    """Stacked cost parts per column (plan or policy) with the 95% interval of the total."""
    names = list(columns)
    figure, axis = plt.subplots(figsize=(max(6.0, 1.4 * len(names) + 2), 4.2))
    bottom = np.zeros(len(names))
    for part in PARTS:
        values = np.array([_value(columns[n]["costs"].get(part))[0] for n in names])
        values = np.nan_to_num(values)
        axis.bar(names, values, bottom=bottom, color=COLORS[part], label=part.replace("_", " "))
        bottom += values
    totals = [_value(columns[n].get("total")) for n in names]
    axis.errorbar(names, [t[0] for t in totals], yerr=[t[1] for t in totals], fmt="none", ecolor="black",
                  capsize=6, label="95% CI of total")
    axis.set_ylabel("expected cost per period")
    axis.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    axis.tick_params(axis="x", labelrotation=20)
    axis.set_title("Cost breakdown")
    return png(figure)


def fill_rates(columns: dict[str, dict[str, dict]], targets: dict[str, float]) -> str:
    """Fill rate per speed for each column, with intervals and targets."""
    speeds = list(next(iter(columns.values()))["fill_rate"])
    figure, axis = plt.subplots(figsize=(7.0, 3.8))
    width = 0.8 / len(columns)
    for i, (name, summary) in enumerate(columns.items()):
        values = [_value(summary["fill_rate"].get(k)) for k in speeds]
        x = np.arange(len(speeds)) + (i - (len(columns) - 1) / 2) * width
        axis.bar(x, [100 * v[0] for v in values], width, yerr=[100 * v[1] for v in values], capsize=3, label=name)
    for j, speed in enumerate(speeds):
        if speed in targets and not math.isnan(targets[speed]):
            axis.hlines(100 * targets[speed], j - 0.45, j + 0.45, colors="black", linestyles="--")
    axis.set_xticks(np.arange(len(speeds)), speeds)
    axis.set_ylim(0, 105)
    axis.set_ylabel("on-time fill rate (%)")
    axis.legend(fontsize=8, loc="lower right")
    axis.set_title("Fill rate per speed (dashed: target)")
    return png(figure)


def stock_placement(stock: pd.DataFrame, categories: pd.Series, volume: pd.Series,
                    utilization: pd.DataFrame) -> str:
    """Units stocked per node by category, and storage volume used against capacity."""
    table = stock.assign(category=categories.reindex(stock["product"]).fillna("").to_numpy())
    units = table.pivot_table(index="node", columns="category", values="stock", aggfunc="sum", fill_value=0.0)
    units = units.reindex(utilization["node"]).fillna(0.0)
    figure, (left, right) = plt.subplots(1, 2, figsize=(11.0, 3.8))
    bottom = np.zeros(len(units))
    for category in units.columns:
        left.bar(units.index, units[category], bottom=bottom, label=category or "(none)")
        bottom += units[category].to_numpy()
    left.set_ylabel("units in stock")
    left.set_title("Stock placement per node")
    left.tick_params(axis="x", labelrotation=30)
    left.legend(fontsize=8)
    used = utilization.set_index("node")
    x = np.arange(len(used))
    right.bar(x - 0.2, used["storage_used"], 0.4, label="volume stocked", color=COLORS["storage"])
    capacity = used["storage_capacity"].replace([np.inf], np.nan)
    right.bar(x + 0.2, capacity, 0.4, label="storage capacity", color="#bbbbbb")
    right.set_xticks(x, used.index, rotation=30)
    right.set_title("Storage: volume against capacity")
    right.legend(fontsize=8)
    return png(figure)


def capacity_figure(utilization: pd.DataFrame, prices: pd.DataFrame, nodes_oos: pd.DataFrame | None) -> str:
    """Utilization per node (storage, inbound, throughput) and opportunity costs per node and kind."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(11.0, 3.8))
    used = utilization.set_index("node")
    x = np.arange(len(used))
    series = [("storage", used.get("storage_utilization")), ("inbound", used.get("inbound_utilization")),
              ("throughput (peak, in sample)", used.get("throughput_utilization"))]
    if nodes_oos is not None and len(nodes_oos):
        oos = nodes_oos[nodes_oos["policy"] == nodes_oos["policy"].iloc[0]].set_index("node").reindex(used.index)
        series.append(("throughput (mean, out of sample)", oos["utilization_mean"]))
    width = 0.8 / len(series)
    for i, (label, values) in enumerate(series):
        if values is None:
            continue
        left.bar(x + (i - (len(series) - 1) / 2) * width, 100 * values.astype(float).fillna(0.0).to_numpy(),
                 width, label=label)
    left.axhline(100, color="black", linewidth=0.8)
    left.set_xticks(x, used.index, rotation=30)
    left.set_ylabel("% of capacity")
    left.set_title("Capacity utilization")
    left.legend(fontsize=7)
    priced = prices.assign(price=prices["price"].fillna(0.0))
    priced = priced[priced["node"].notna()]
    table = priced.pivot_table(index="node", columns="kind", values="price", aggfunc="sum", fill_value=0.0)
    table = table.reindex(used.index).fillna(0.0)
    bottom = np.zeros(len(table))
    for kind in table.columns:
        right.bar(table.index, table[kind], bottom=bottom, label=kind, color=COLORS.get(kind))
        bottom += table[kind].to_numpy()
    right.tick_params(axis="x", labelrotation=30)
    right.set_ylabel("cost decrease per unit of capacity")
    right.set_title("Opportunity cost of capacity (dual prices, summed over scenarios)")
    if len(table.columns):
        right.legend(fontsize=8)
    return png(figure)


def convergence(table: pd.DataFrame) -> str | None:
    """Lower and upper bounds against iterations of the decomposition."""
    if "iteration" not in table.columns:
        return None
    figure, axis = plt.subplots(figsize=(7.0, 3.6))
    for column, style in (("lower_bound", "-"), ("upper_bound", "--")):
        if column in table.columns:
            values = pd.to_numeric(table[column], errors="coerce").replace([np.inf, -np.inf], np.nan)
            axis.plot(table["iteration"], values, style, label=column.replace("_", " "))
    axis.set_xlabel("iteration")
    axis.set_ylabel("cost")
    axis.set_title("Decomposition convergence")
    axis.legend()
    return png(figure)


def network_map(zones: pd.DataFrame, nodes: pd.DataFrame, flows: pd.DataFrame | None, top: int = 40) -> str:
    """Zones (size: population or demand), nodes, and the largest expected flows (width: units)."""
    figure, axis = plt.subplots(figsize=(9.0, 5.6))
    size = zones["size"].to_numpy(float)
    size = 30 + 400 * size / size.max() if size.max() > 0 else np.full(len(size), 60.0)
    if flows is not None and len(flows):
        flows = flows.head(top)
        widest = flows["units"].max()
        for origin, zone, units in zip(flows["origin"], flows["zone"], flows["units"]):
            if origin in nodes.index and zone in zones.index:
                a, b = nodes.loc[origin], zones.loc[zone]
                axis.plot([a["lon"], b["lon"]], [a["lat"], b["lat"]], color="#55a868", alpha=0.6,
                          linewidth=0.5 + 5 * units / widest, zorder=1)
    axis.scatter(zones["lon"], zones["lat"], s=size, color="#4c72b0", alpha=0.45, label="zones", zorder=2)
    kinds = nodes["kind"].fillna("").replace("", "node")
    for kind, marker in zip(sorted(kinds.unique()), "s^Dvo*"):
        here = nodes[kinds == kind]
        axis.scatter(here["lon"], here["lat"], marker=marker, s=90, edgecolor="black", label=kind, zorder=3)
        for name, row in here.iterrows():
            axis.annotate(name, (row["lon"], row["lat"]), fontsize=7, xytext=(4, 4), textcoords="offset points")
    axis.set_xlabel("longitude")
    axis.set_ylabel("latitude")
    axis.set_title(f"Network and main flows (top {top}, width = expected units)")
    axis.legend(fontsize=8, loc="lower left")
    axis.set_aspect(1.25)
    return png(figure)
