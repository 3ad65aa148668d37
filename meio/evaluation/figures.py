"""Figures of the report, drawn with matplotlib (Agg backend).

Each figure function takes plain tables (pandas) and returns one ``Figure`` that measures
one kind of thing (money, units, % of capacity, a price of one kind), or None when the data
it needs is absent; :func:`png` turns it into the base64 PNG the page embeds. Legends sit
outside the axes and names sit on the category axis of horizontal bars, so neither covers data.
"""

from __future__ import annotations

import base64
import io
import math
from importlib import resources

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

from meio.evaluation.labels import place_labels, spread_points  # noqa: E402
from meio.results.binding import binding_constraints  # noqa: E402
from meio.results.units import PRICE_UNITS  # noqa: E402

PARTS = ("purchase", "holding", "shipping", "lost_sales")
COLORS = {"purchase": "#4c72b0", "holding": "#dd8452", "shipping": "#55a868", "lost_sales": "#c44e52",
          "storage": "#4c72b0", "inbound": "#8172b3", "throughput": "#c44e52", "service": "#937860"}
MONEY = FuncFormatter(lambda value, _: f"{value:,.0f}")
WIDTH = 9.0


def png(figure: Figure) -> str:
    """The figure as base64 PNG text; the figure is closed."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _new(rows: int = 4, height_per_row: float = 0.0, base: float = 3.2) -> tuple[Figure, Axes]:
    """A figure with one axes, as tall as its ``rows`` of horizontal bars need."""
    figure, axis = plt.subplots(figsize=(WIDTH, max(base, 1.4 + height_per_row * rows)), layout="constrained")
    return figure, axis


def _legend_below(figure: Figure, axis: Axes, columns: int = 4) -> None:
    """The legend under the plot, outside every axes."""
    handles, labels = axis.get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="outside lower center", ncols=min(columns, len(handles)),
                      frameon=False, fontsize=8)


def _mean_half(estimate: dict | None) -> tuple[float, float]:
    """Mean and 95% half-width of an estimate record (NaN, 0 when absent)."""
    if not estimate or estimate.get("mean") is None:
        return math.nan, 0.0
    low, high = estimate.get("low"), estimate.get("high")
    half = (high - low) / 2 if low is not None and high is not None else 0.0
    return float(estimate["mean"]), float(half)


#: A cost part below this share of every column's total would be an invisible bar: no legend entry.
VISIBLE_SHARE = 0.0005


def cost_breakdown(columns: dict[str, dict[str, dict]], title: str) -> Figure:
    """Cost parts per column (a plan or a policy) stacked into the expected cost, with its 95% interval.

    A part that is (nearly) zero in every column gets no legend entry; the axis label names it."""
    names = list(columns)[::-1]
    figure, axis = _new(len(names), 0.5, base=2.2)
    left = np.zeros(len(names))
    totals = [_mean_half(columns[n].get("total")) for n in names]
    scale = np.array([abs(t[0]) if math.isfinite(t[0]) and t[0] else 1.0 for t in totals])
    hidden = []
    for part in PARTS:
        values = np.nan_to_num([_mean_half(columns[n]["costs"].get(part))[0] for n in names])
        shown = bool((np.abs(values) / scale >= VISIBLE_SHARE).any())
        if not shown:
            hidden.append(part.replace("_", " "))
        axis.barh(names, values, left=left, color=COLORS[part], height=0.6,
                  label=part.replace("_", " ") if shown else None)
        left += values
    axis.errorbar([t[0] for t in totals], names, xerr=[t[1] for t in totals], fmt="none", ecolor="black",
                  capsize=5, label="95% interval of the total")
    axis.xaxis.set_major_formatter(MONEY)
    below = f" ({' and '.join(hidden)}: below {100 * VISIBLE_SHARE:g}% of the total)" if hidden else ""
    axis.set_xlabel(f"expected cost per period{below}")
    axis.set_title(title, fontsize=10)
    _legend_below(figure, axis, 5)
    return figure


def plan_totals(plans: dict[str, dict[str, dict]], title: str) -> Figure:
    """Expected cost of each plan with its 95% interval, on an axis that zooms on their range."""
    names = list(plans)[::-1]
    figure, axis = _new(len(names), 0.45, base=2.2)
    values = [_mean_half(plans[n].get("total")) for n in names]
    axis.errorbar([v[0] for v in values], names, xerr=[v[1] for v in values], fmt="o", capsize=5, color="#4c72b0")
    axis.xaxis.set_major_formatter(MONEY)
    axis.set_xlabel("expected cost per period, 95% interval (the axis does not start at 0)")
    axis.set_title(title, fontsize=10)
    return figure


def savings(savings_by_policy: dict[str, dict[str, dict]], reference: str) -> Figure:
    """Paired saving of ``reference`` against each other plan, per policy, with 95% intervals."""
    plans = list(next(iter(savings_by_policy.values())))[::-1]
    policies = list(savings_by_policy)
    figure, axis = _new(len(plans) * len(policies), 0.35)
    step = 0.7 / len(policies)
    for i, policy in enumerate(policies):
        y = np.arange(len(plans)) + (i - (len(policies) - 1) / 2) * step
        values = [_mean_half(savings_by_policy[policy][plan]["total"]) for plan in plans]
        axis.errorbar([v[0] for v in values], y, xerr=[v[1] for v in values], fmt="o", capsize=4,
                      label=f"{policy} fulfillment")
    axis.axvline(0, color="black", linewidth=0.8)
    axis.set_yticks(np.arange(len(plans)), [f"against {p}" for p in plans])
    axis.xaxis.set_major_formatter(MONEY)
    axis.set_xlabel(f"saving of {reference} per period (paired, 95% interval; > 0: {reference} is cheaper)")
    axis.set_title("What the plan saves against each other plan", fontsize=10)
    _legend_below(figure, axis)
    return figure


def fill_rates(columns: dict[str, dict[str, dict]], targets: dict[str, float]) -> Figure:
    """On-time fill rate per speed for each column, with 95% intervals and the targets that exist."""
    speeds = list(next(iter(columns.values()))["fill_rate"])
    figure, axis = _new(base=3.6)
    width = 0.8 / len(columns)
    for i, (name, summary) in enumerate(columns.items()):
        values = [_mean_half(summary["fill_rate"].get(k)) for k in speeds]
        x = np.arange(len(speeds)) + (i - (len(columns) - 1) / 2) * width
        axis.bar(x, [100 * v[0] for v in values], width, yerr=[100 * v[1] for v in values], capsize=3, label=name)
    drawn = [j for j, speed in enumerate(speeds) if not math.isnan(targets.get(speed, math.nan))]
    for n, j in enumerate(drawn):
        axis.hlines(100 * targets[speeds[j]], j - 0.45, j + 0.45, colors="black", linestyles="--",
                    label="target" if n == 0 else "_nolegend_")
    axis.set_xticks(np.arange(len(speeds)), [s.replace("_", " ") for s in speeds])
    axis.set_ylim(0, 100)
    axis.yaxis.set_major_formatter(PercentFormatter())
    axis.set_ylabel("on-time fill rate")
    axis.set_title("Fill rate per speed" + ("" if drawn else " (no fill-rate targets in this instance)"),
                   fontsize=10)
    _legend_below(figure, axis)
    return figure


def stock_by_node(stock: pd.DataFrame, categories: pd.Series, nodes: list[str]) -> Figure:
    """Units in stock per node, stacked by product category."""
    table = stock.assign(category=categories.reindex(stock["product"]).fillna("(none)").to_numpy())
    units = table.pivot_table(index="node", columns="category", values="stock", aggfunc="sum", fill_value=0.0)
    units = units.reindex(nodes[::-1]).fillna(0.0)
    figure, axis = _new(len(units), 0.4)
    left = np.zeros(len(units))
    for category in units.columns:
        axis.barh(units.index, units[category], left=left, label=str(category), height=0.6)
        left += units[category].to_numpy()
    axis.xaxis.set_major_formatter(MONEY)
    axis.set_xlabel("units in stock (stock position y)")
    axis.set_title("Stock placed per node, by product category", fontsize=10)
    _legend_below(figure, axis, 6)
    return figure


def capacity_use(utilization: pd.DataFrame, nodes_oos: pd.DataFrame | None) -> Figure:
    """Share of each capacity used per node; only capacities some node has (finite)."""
    used = utilization.set_index("node").iloc[::-1]
    series = {"storage (volume stocked)": used.get("storage_utilization"),
              "inbound (units bought)": used.get("inbound_utilization"),
              "throughput, peak scenario (in sample)": used.get("throughput_utilization")}
    if nodes_oos is not None and len(nodes_oos):
        first = nodes_oos[nodes_oos["policy"] == nodes_oos["policy"].iloc[0]]
        series[f"throughput, mean ({first['policy'].iloc[0]}, out of sample)"] = (
            first.set_index("node")["utilization_mean"].reindex(used.index))
    present = {k: pd.to_numeric(v, errors="coerce") for k, v in series.items() if v is not None}
    present = {k: v for k, v in present.items() if v.notna().any()}
    figure, axis = _new(len(used) * max(1, len(present)), 0.16)
    step = 0.8 / max(1, len(present))
    for i, (label, values) in enumerate(present.items()):
        y = np.arange(len(used)) + (i - (len(present) - 1) / 2) * step
        axis.barh(y, 100 * values.fillna(0.0).to_numpy(), step, label=label)
    axis.axvline(100, color="black", linewidth=0.8)
    axis.set_yticks(np.arange(len(used)), used.index)
    axis.xaxis.set_major_formatter(PercentFormatter())
    axis.set_xlabel("share of the node's capacity used (nodes without a capacity of a kind: no bar)")
    axis.set_title("Capacity use per node", fontsize=10)
    _legend_below(figure, axis, 2)
    return figure


def price_figures(prices: pd.DataFrame) -> dict[str, Figure]:
    """One figure per kind of binding linking row: its opportunity costs, in that kind's unit."""
    grouped = binding_constraints(prices).dropna(subset=["price"])
    grouped = grouped[grouped["price"] > 0]
    out: dict[str, Figure] = {}
    for kind in PRICE_UNITS:
        rows = grouped[grouped["kind"] == kind].iloc[::-1]
        if rows.empty:
            continue
        figure, axis = _new(len(rows), 0.35, base=2.2)
        axis.barh(rows["where"].astype(str), rows["price"], color=COLORS.get(kind, "#777777"), height=0.6)
        summed = ", summed over the scenarios where it binds" if kind == "throughput" else ""
        axis.set_xlabel(f"decrease of the expected cost {PRICE_UNITS[kind]} more{summed}")
        axis.set_title(f"Opportunity cost of {kind} capacity" if kind != "service" else
                       "Opportunity cost of the fill-rate targets", fontsize=10)
        out[kind] = figure
    return out


def convergence(table: pd.DataFrame) -> Figure | None:
    """Relative gap (log scale) and the bounds against the decomposition's iterations."""
    if not {"iteration", "lower_bound", "upper_bound"} <= set(table.columns):
        return None
    bounds = table[["lower_bound", "upper_bound"]].apply(pd.to_numeric, errors="coerce")
    bounds = bounds.replace([np.inf, -np.inf], np.nan)
    relative = (bounds["upper_bound"] - bounds["lower_bound"]) / bounds["upper_bound"].abs()
    figure, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 3.4), layout="constrained")
    positive = relative > 0
    left.semilogy(table["iteration"][positive], 100 * relative[positive], "o-", markersize=3, color="#4c72b0")
    left.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%"))
    left.set_xlabel("iteration")
    left.set_ylabel("relative gap (upper - lower) / upper")
    left.set_title("Gap" + ("" if positive.all() else " (closed where no point is drawn)"), fontsize=10)
    for column, style in (("lower_bound", "-"), ("upper_bound", "--")):
        right.plot(table["iteration"], bounds[column], style, label=column.replace("_", " "))
    right.yaxis.set_major_formatter(MONEY)
    right.set_xlabel("iteration")
    right.set_ylabel("expected cost per period")
    right.set_title("Bounds", fontsize=10)
    _legend_below(figure, right)
    return figure


def us_outline() -> pd.DataFrame:
    """The outline of the contiguous United States shipped with meio (lon, lat; meio/data/us_outline.csv)."""
    with resources.files("meio.data").joinpath("us_outline.csv").open(encoding="utf-8") as handle:
        return pd.read_csv(handle, comment="#")


def network_map(zones: pd.DataFrame, nodes: pd.DataFrame, flows: pd.DataFrame | None, top: int = 40) -> Figure:
    """Zones (area: population or demand), nodes with legible labels, the largest expected flows
    (width: units), on the country's outline when the zones lie within it."""
    figure, axis = plt.subplots(figsize=(WIDTH, 5.4))
    figure.subplots_adjust(left=0.02, right=0.78, top=0.93, bottom=0.02)
    outline = us_outline()
    inside = (zones["lon"].between(outline["lon"].min() - 2, outline["lon"].max() + 2)
              & zones["lat"].between(outline["lat"].min() - 2, outline["lat"].max() + 2))
    if inside.all():
        axis.fill(outline["lon"], outline["lat"], facecolor="#f2f2ee", edgecolor="#9a9a90", linewidth=0.8, zorder=0)
        axis.set_xlim(outline["lon"].min() - 1, outline["lon"].max() + 1)
        axis.set_ylim(outline["lat"].min() - 1, outline["lat"].max() + 1)
    else:  # the limits autoscaling would give (5% margins), fixed before the markers are placed
        for limits, values in ((axis.set_xlim, pd.concat([zones["lon"], nodes["lon"]])),
                               (axis.set_ylim, pd.concat([zones["lat"], nodes["lat"]]))):
            margin = 0.05 * (values.max() - values.min()) or 1.0
            limits(values.min() - margin, values.max() + margin)
    axis.set_aspect(1.25)
    axis.set_axis_off()
    # markers where they are drawn: sites of one metro spread apart so that none hides another
    lon, lat = spread_points(axis, nodes["lon"].to_numpy(float), nodes["lat"].to_numpy(float))
    drawn = pd.DataFrame({"lon": lon, "lat": lat}, index=nodes.index)
    size = zones["size"].to_numpy(float)
    size = 20 + 300 * size / size.max() if size.max() > 0 else np.full(len(size), 50.0)
    if flows is not None and len(flows):
        flows = flows.head(top)
        widest = flows["units"].max()
        for origin, zone, units in zip(flows["origin"], flows["zone"], flows["units"]):
            if origin in drawn.index and zone in zones.index:
                a, b = drawn.loc[origin], zones.loc[zone]
                axis.plot([a["lon"], b["lon"]], [a["lat"], b["lat"]], color="#55a868", alpha=0.6,
                          linewidth=0.5 + 4 * units / widest, zorder=1)
    axis.scatter(zones["lon"], zones["lat"], s=size, color="#4c72b0", alpha=0.35, linewidth=0,
                 label="customer zones (area: size)", zorder=2)
    kinds = nodes["kind"].fillna("").replace("", "node")
    for kind, marker in zip(sorted(kinds.unique()), "s^Dvo*"):
        here = drawn[(kinds == kind).to_numpy()]
        axis.scatter(here["lon"], here["lat"], marker=marker, s=60, edgecolor="black", label=kind, zorder=3)
    axis.set_title(f"Network and its {top} largest expected flows (line width: units)", fontsize=10)
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    place_labels(axis, lon, lat, [str(n) for n in nodes.index])
    return figure


def policy_comparison(policies: dict[str, dict], gap: dict[str, dict]) -> Figure:
    """The fulfillment policies on common scenarios: each real-time policy's paired loss to optimal
    recourse, and every policy's fill rate per speed, with 95% intervals."""
    speeds = list(next(iter(policies.values()))["fill_rate"])
    figure, (loss_axis, fill_axis) = plt.subplots(1, 2, figsize=(WIDTH, 3.6), layout="constrained",
                                                  gridspec_kw={"width_ratios": [1, 2]})
    names = list(gap)
    losses = [_mean_half(gap[name]["loss"]) for name in names]
    loss_axis.barh(np.arange(len(names)), [v[0] for v in losses], xerr=[v[1] for v in losses], capsize=3,
                   color="#c44e52")
    loss_axis.set_yticks(np.arange(len(names)), names)
    loss_axis.invert_yaxis()
    loss_axis.xaxis.set_major_formatter(MONEY)
    loss_axis.set_xlabel("cost above optimal recourse (paired)")
    loss_axis.set_title("Loss to optimal recourse", fontsize=10)
    width = 0.8 / len(policies)
    for i, (name, summary) in enumerate(policies.items()):
        values = [_mean_half(summary["fill_rate"].get(k)) for k in speeds]
        x = np.arange(len(speeds)) + (i - (len(policies) - 1) / 2) * width
        fill_axis.bar(x, [100 * v[0] for v in values], width, yerr=[100 * v[1] for v in values], capsize=3,
                      label=name)
    fill_axis.set_xticks(np.arange(len(speeds)), [s.replace("_", " ") for s in speeds])
    fill_axis.set_ylim(0, 100)
    fill_axis.yaxis.set_major_formatter(PercentFormatter())
    fill_axis.set_ylabel("on-time fill rate")
    fill_axis.set_title("Fill rate per speed and policy", fontsize=10)
    _legend_below(figure, fill_axis)
    return figure
