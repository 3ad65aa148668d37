"""One self-contained HTML page about a result directory, figures embedded as base64 PNG.

It reads what is there: summary.json, stock.csv, prices.csv and utilization.csv (from
``meio solve``), convergence.csv (decomposition), evaluation.json and evaluation_*.csv
(``meio evaluate``), comparison.json (``meio compare``) and gap.json (``meio gap``). The
instance (for the map and product categories) is given, or found from the evaluation or
comparison records or the summary's bundled instance name.

Evaluation files about another plan than the directory's stock.csv (their recorded plan
digest differs, or they record none) are left out, with a warning and a note on the page.

Node coordinates: ``lat``/``lon`` columns of nodes.csv when present; otherwise a node is
drawn at the zone its fastest direct lane reaches (generated nodes sit a few km from their
metro), nudged so nodes at one metro do not overlap.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from meio.checked_csv import CsvColumns, read_checked_csv
from meio.data import load_instance
from meio.data.instance import Instance
from meio.errors import MeioError
from meio.evaluation import figures
from meio.evaluation.files import Record, not_evaluated, stale_reason
from meio.progress import SILENT, StatusLine
from meio.results import units
from meio.results.binding import binding_constraints, has_duals, zero_price_text, zero_priced
from meio.results.prices import PRICES_CSV
from meio.results.tables import STOCK_CSV, UTILIZATION_CSV
from meio.results.units import NO_DUALS, PRICE_UNITS, price_kinds, unconverged_prices
from meio.results.writer import plan_digest


@dataclass
class Report:
    """The HTML text of a report and the warnings met while writing it (stale files, instance notes)."""

    html: str
    warnings: list[str] = field(default_factory=list)


def _read_json(path: Path) -> Record | None:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MeioError(f"{path}: cannot parse JSON: {error}") from None


def _read_csv(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise MeioError(f"{path}: cannot parse CSV: {error}") from None


def _read_table(path: Path, columns: CsvColumns) -> pd.DataFrame | None:
    """A result table the report draws from, checked (None where the result has no such file)."""
    return read_checked_csv(path, columns) if path.is_file() else None


def find_instance(result_dir: Path, given: str | None, records: list[Record | None]) -> Instance | None:
    """The instance named on the command line, else recorded by evaluate/compare, else bundled by name."""
    candidates: list[str] = [given] if given else []
    candidates += [str(r["instance_path"]) for r in records if r and r.get("instance_path")]
    candidates += [str(r["instance"]) for r in records if r and r.get("instance")]
    for candidate in candidates:
        try:
            return load_instance(candidate)
        except MeioError:
            if candidate == given:
                raise
    return None


def node_positions(instance: Instance) -> pd.DataFrame | None:
    """Latitude and longitude per node (see the module docstring); None without zone coordinates."""
    zones = instance.zones
    if "lat" not in zones.columns or zones["lat"].isna().all():
        return None
    nodes = pd.DataFrame(index=instance.nodes.index)
    nodes["kind"] = instance.nodes["kind"] if "kind" in instance.nodes.columns else ""
    raw = instance.source / "nodes.csv" if instance.source is not None else None
    if raw is not None and raw.is_file():
        table = pd.read_csv(raw, dtype={"node": str})
        if {"lat", "lon"} <= set(table.columns):
            located = table.set_index("node")[["lat", "lon"]]
            return nodes.join(located)
    placed = _generated_positions(instance)
    if placed is not None:
        return nodes.join(placed)
    lanes = instance.lanes[instance.lanes["destination"].isin(zones.index)]
    nearest = lanes.sort_values("transit_hours", kind="stable").drop_duplicates("origin").set_index("origin")
    lat: list[float] = []
    lon: list[float] = []
    seen: dict[str, int] = {}
    for node in nodes.index:
        zone = nearest["destination"].get(node)
        if zone is None:
            lat.append(float(zones["lat"].mean()))
            lon.append(float(zones["lon"].mean()))
            continue
        k = seen[zone] = seen.get(zone, -1) + 1
        angle = 2.2 * k
        lat.append(_number(zones.at[zone, "lat"]) + 0.35 * k * math.sin(angle))
        lon.append(_number(zones.at[zone, "lon"]) + 0.35 * k * math.cos(angle) + (0.35 if k == 0 else 0.0))
    nodes["lat"], nodes["lon"] = lat, lon
    return nodes


def _number(value: Any) -> float:
    return float(value)


def _generated_positions(instance: Instance) -> pd.DataFrame | None:
    """Node sites of a generated instance, by replaying the generator's placement."""
    from meio.data import generator as gen
    from meio.evaluation.fresh import generator_config

    config = generator_config(instance)
    if config is None:
        return None
    rng = np.random.default_rng(config.seed)
    sites = gen.place_nodes(config, gen.zone_table(config.zones), rng).set_index("node")
    if set(sites.index) != set(instance.nodes.index):
        return None
    return sites[["lat", "lon"]]


def _current(directory: Path, name: str, warnings: list[str]) -> Record | None:
    """The JSON file ``name`` of the directory if it is about the directory's plan; else None and a warning."""
    record = _read_json(directory / name)
    if record is None:
        return None
    reason = stale_reason(name, record, plan_digest(directory))
    if reason is None:
        return record
    warnings.append(f"{directory}: {reason}; left out of the report (run the command again to update it)")
    return None


def build_report(result_dir: str | Path, instance_name: str | None = None, progress: StatusLine = SILENT) -> Report:
    """The report of ``result_dir``; evaluation files about another plan are left out with a warning.
    ``progress`` shows each phase (each figure as it is drawn)."""

    def figure(caption: str, draw: Callable[[], Figure]) -> str:
        progress.phase(f"drawing the figures: {caption.lower()}")
        return _figure(caption, draw())

    progress.phase("reading the result files")
    directory = Path(result_dir)
    summary = _read_json(directory / "summary.json")
    if summary is None:
        raise MeioError(f"{directory}: no summary.json (is it a result directory written by 'meio solve'?)")
    warnings: list[str] = []
    stock, prices = _read_table(directory / "stock.csv", STOCK_CSV), _read_table(directory / "prices.csv", PRICES_CSV)
    utilization = _read_table(directory / "utilization.csv", UTILIZATION_CSV)
    evaluation = _current(directory, "evaluation.json", warnings)
    comparison = _current(directory, "comparison.json", warnings)
    gap = _current(directory, "gap.json", warnings)
    evaluation_nodes = _read_csv(directory / "evaluation_nodes.csv") if evaluation else None
    progress.phase("loading the instance")
    instance = find_instance(directory, instance_name, [evaluation, comparison, summary])
    if instance is not None:
        warnings += list(instance.notes)
    title = f"meio report: {summary.get('instance', directory.name)}"
    body = [f"<h1>{html.escape(title)}</h1>", _summary_section(summary, directory)]
    body += [f"<p class='note'>{html.escape(w)}</p>" for w in warnings if w.startswith(str(directory))]
    if comparison:
        body.append(_savings_section(comparison))
    body.append(_capacity_section(prices, evaluation_nodes, summary.get("termination")))
    in_sample = {"costs": {k: {"mean": v} for k, v in summary.get("costs", {}).items()},
                 "total": {"mean": summary.get("objective")},
                 "fill_rate": {k: {"mean": v} for k, v in summary.get("fill_rate", {}).items()}}
    columns: dict[str, Record] = {"in sample (solve)": in_sample}
    out_of_sample = ""
    if evaluation:
        columns.update({f"{p} (out of sample)": s for p, s in evaluation["policies"].items()})
        out_of_sample = f"and out of sample (evaluate, {evaluation.get('scenarios', '?')} scenarios)"
        body.append(_evaluation_section(evaluation))
    elif comparison and comparison.get("reference") in comparison.get("results", {}):
        by_policy = comparison["results"][comparison["reference"]]
        columns.update({f"{p} (out of sample)": s for p, s in by_policy.items()})
        out_of_sample = f"and out of sample (compare, {comparison.get('scenarios', '?')} scenarios)"
    body.append("<h2>Figures</h2>")
    if summary.get("costs"):
        title = " ".join(["Expected cost per period and its parts, in sample (solve)", out_of_sample]).strip()
        body.append(figure("Cost breakdown", lambda: figures.cost_breakdown(columns, title)))
    if comparison:
        policy = next(iter(next(iter(comparison["results"].values()))))
        plans = {plan: by_policy[policy] for plan, by_policy in comparison["results"].items()}
        body.append(figure("Plans compared", lambda: figures.plan_totals(
            plans, f"Expected cost of each plan ({policy} fulfillment, {comparison['scenarios']} common "
                   f"{comparison['source']} scenarios)")))
    if summary.get("fill_rate"):
        targets: dict[str, float] = {}
        if instance is not None and "fill_rate_target" in instance.speeds.columns:
            targets = {str(k): float(v) for k, v in instance.speeds["fill_rate_target"].dropna().items()}
        body.append(figure("Fill rate per speed", lambda: figures.fill_rates(columns, targets)))
    policies = ((evaluation["policies"], evaluation["policy_gap"]) if evaluation and evaluation.get("policy_gap")
                else _compared_policies(comparison))
    if policies:
        body.append(figure("Fulfillment policies", lambda: figures.policy_comparison(*policies)))
    if stock is not None and utilization is not None and len(utilization):
        categories = instance.products["category"] if instance is not None else pd.Series(dtype=str)
        body.append(figure("Stock placement", lambda: figures.stock_by_node(stock, categories,
                                                                            list(utilization["node"]))))
        body.append(figure("Capacity use", lambda: figures.capacity_use(utilization, evaluation_nodes)))
    if prices is not None:
        progress.phase("drawing the figures: opportunity costs")
        for kind, image in figures.price_figures(prices).items():
            body.append(_figure(f"Opportunity cost: {kind}", image))
    convergence = _read_csv(directory / "convergence.csv")
    if convergence is not None and len(convergence):
        progress.phase("drawing the figures: decomposition convergence")
        plot = figures.convergence(convergence)
        if plot is not None:
            body.append(_figure("Decomposition convergence", plot))
    if gap:
        body.append(_gap_section(gap))
    if instance is not None:
        progress.phase("drawing the map")
        flows = _read_csv(directory / "evaluation_flows.csv") if evaluation else None
        body.append(_map_section(instance, flows if flows is not None else _read_csv(directory / "flows.csv")))
    return Report(_page(title, "\n".join(body)), warnings)


def _page(title: str, body: str) -> str:
    style = ("body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222;"
             "line-height:1.4}table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;"
             "padding:3px 8px;text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}"
             "td:first-child,th:first-child{text-align:left}img{max-width:100%;display:block}"
             "figure{margin:1em 0}.note{color:#666;font-size:90%}")
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>\n{body}\n</body></html>\n")


def _figure(caption: str, figure: Figure) -> str:
    return (f"<figure><h3>{html.escape(caption)}</h3>\n"
            f"<img alt='{html.escape(caption)}' src='data:image/png;base64,{figures.png(figure)}'></figure>")


def _ci(estimate: dict | None, percent: bool = False) -> str:
    """``mean ± half-width`` of a 95% interval, money or (``percent``) a share in points."""
    if not estimate or estimate.get("mean") is None:
        return "-"
    low, high = estimate.get("low"), estimate.get("high")
    half = (high - low) / 2 if low is not None and high is not None else None
    if percent:
        text = units.percent(estimate["mean"])
        return text if half is None else f"{text} ± {100 * half:.1f} pt"
    return units.plus_minus(estimate["mean"], half)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _summary_section(summary: dict, directory: Path) -> str:
    """Status, method, cost, bound, gap, time and model size, each in its unit."""
    number = lambda key: summary.get(key) if isinstance(summary.get(key), (int, float)) else None  # noqa: E731
    rows = [["status", str(summary.get("status", "-"))],
            ["method", f"{summary.get('method', '-')} ({summary.get('backend', '-')})"],
            ["expected cost per period", units.money(number("objective"))],
            ["lower bound", units.money(number("lower_bound"))],
            ["relative gap", units.gap(number("gap"))],
            ["solve time", units.seconds(number("seconds"))]]
    if number("variables") is not None:
        rows.append(["model", f"{summary['variables']:,} variables, {summary.get('constraints', 0):,} constraints"])
    return f"<p class='note'>Result directory {html.escape(str(directory))}</p>" + _table(["", "value"], rows)


def _savings_section(comparison: dict) -> str:
    reference = comparison["reference"]
    parts = [f"<h2>What multi-echelon planning saves</h2><p>{html.escape(reference)} against each other plan, "
             f"evaluated on the same {comparison['scenarios']} fresh {html.escape(comparison['source'])} "
             "scenarios (common random numbers): paired mean saving per period ± the half-width of its 95% "
             "confidence interval (positive: the reference is cheaper).</p>"]
    parts.append(_policies_note(list(comparison["savings_of_reference"])))
    first = next(iter(comparison["savings_of_reference"]))
    sentences = []
    for plan, diff in comparison["savings_of_reference"][first].items():
        total, pct = diff["total"], diff["percent_of_other"]
        if total["mean"] is None or total["low"] is None:
            continue
        sentences.append(f"{units.money(total['mean'])} per period against {plan} ({pct['mean']:.1f}% of its "
                         f"cost; 95% CI {units.money(total['low'])} to {units.money(total['high'])})")
    if sentences:
        parts.append(f"<p><b>With {html.escape(first)} fulfillment, {html.escape(reference)} saves "
                     + "; ".join(html.escape(s) for s in sentences) + ".</b></p>")
    parts.append(_figure("Paired savings", figures.savings(comparison["savings_of_reference"], reference)))
    rows = []
    for policy, savings in comparison["savings_of_reference"].items():
        for plan, diff in savings.items():
            pct = diff["percent_of_other"]
            pct_text = "-" if pct["mean"] is None else f"{pct['mean']:.1f}% ± {(pct['high'] - pct['low']) / 2:.1f} pt"
            rows.append([policy, plan, _ci(diff["total"]), pct_text, _ci(diff["costs"]["shipping"]),
                         _ci(diff["costs"]["lost_sales"]), _ci(diff["costs"]["purchase"])])
    parts.append(_table(["policy", "against", "total saving", "% of its cost", "shipping saving",
                         "lost-sales saving", "purchase saving"], rows))
    rows = []
    for plan, by_policy in comparison["results"].items():
        for policy, s in by_policy.items():
            rows.append([plan, policy, _ci(s["total"])] + [_ci(e, percent=True) for e in s["fill_rate"].values()])
    speeds = list(next(iter(next(iter(comparison["results"].values())).values()))["fill_rate"])
    parts.append(_table(["plan", "policy", "expected cost per period"] + [f"fill rate {k}" for k in speeds], rows))
    return "\n".join(parts)


def _capacity_section(prices: pd.DataFrame | None, nodes_oos: pd.DataFrame | None, termination: str | None) -> str:
    """Binding constraints by kind, each price in its kind's unit; no prices without duals, and
    prices of a solve that did not close its gap said to be so."""
    parts = ["<h2>Which capacities hold it back</h2>"]
    if prices is None or not len(prices):
        parts.append("<p>No capacity or service constraint in this result.</p>")
        return "\n".join(parts)
    grouped = binding_constraints(prices)
    duals = has_duals(prices)
    if grouped.empty:
        parts.append("<p>No capacity or service constraint binds.</p>")
    elif not duals:
        parts.append(f"<p>Binding constraints of the solve ({NO_DUALS}: no opportunity costs):</p>")
        parts.append(_table(["kind", "node / speed", "binding rows"],
                            [[str(r["kind"]), str(r["where"]), str(int(r["rows"]))]
                             for r in grouped.to_dict("records")]))
    else:
        caveat = unconverged_prices(termination)
        parts += [f"<p class='note'>Note: {html.escape(caveat)}.</p>"] if caveat else []
        zero = zero_priced(grouped)
        priced = grouped[~zero]
        if priced.empty:
            parts.append("<p>Every binding constraint of the solve has a zero price: one more unit of any of "
                         "them would not lower the expected cost.</p>")
        else:
            best = priced.iloc[0]
            unit = PRICE_UNITS.get(str(best["kind"]), "per unit")
            parts.append(f"<p><b>The capacity that holds the plan back most is {html.escape(str(best['kind']))} at "
                         f"{html.escape(str(best['where']))}: one more unit of it ({html.escape(unit)}) would lower "
                         f"the expected cost by {units.price(float(best['price']))}.</b></p>")
            parts.append("<p>Binding constraints of the solve and their opportunity costs (decrease of the expected "
                         "cost per unit more of the constraint's right-hand side; throughput summed over the "
                         "scenarios where it binds). Prices of different kinds are in different units and are not "
                         "comparable with each other.</p>")
        for kind in price_kinds(priced["kind"]):
            records = priced[priced["kind"] == kind].head(12).to_dict("records")
            parts.append(_table([kind, "binding rows", f"opportunity cost {PRICE_UNITS.get(kind, '')}"],
                                [[str(r["where"]), str(int(r["rows"])), units.price(r["price"])] for r in records]))
        if zero.any() and not priced.empty:
            parts.append("<p>Binding at a zero price (one more unit would not lower the expected cost): "
                         f"{html.escape(zero_price_text(grouped[zero]))}.</p>")
    if nodes_oos is not None and len(nodes_oos):
        oos = nodes_oos[nodes_oos["throughput_capacity"].replace([np.inf], np.nan).notna()]
        rows = [[r["policy"], r["node"], f"{r['throughput_mean']:,.1f}", f"{r['throughput_capacity']:,.0f}",
                 units.percent(r["utilization_mean"]), units.percent(r["binding_share"])]
                for r in oos.to_dict("records")]
        parts.append("<p>Throughput out of sample: mean units through the node per period, and the share of "
                     "scenarios in which its capacity is used up.</p>")
        parts.append(_table(["policy", "node", "mean throughput (units)", "capacity (units)", "mean use",
                             "binding in"], rows))
    return "\n".join(parts)


def _evaluation_section(evaluation: dict) -> str:
    policies = evaluation["policies"]
    rows = [["total"] + [_ci(s["total"]) for s in policies.values()]]
    for part in figures.PARTS:
        rows.append([part.replace("_", " ")] + [_ci(s["costs"][part]) for s in policies.values()])
    for speed in next(iter(policies.values()))["fill_rate"]:
        rows.append([f"fill rate {speed}"] + [_ci(s["fill_rate"][speed], percent=True) for s in policies.values()])
    text = (f"<h2>Out-of-sample evaluation</h2><p>Plan {html.escape(str(evaluation['plan']))} on "
            f"{evaluation['scenarios']} fresh {html.escape(str(evaluation['source']))} scenarios "
            "(cost per period: mean ± 95% half-width); optimal: cheapest recourse per scenario; myopic and dual-price: "
            "orders assigned one by one on arrival.</p>")
    notes = "".join(f"<p class='note'>The plan breaks {html.escape(v)}</p>"
                    for v in evaluation.get("plan_violations", []))
    return text + _policies_note(list(policies)) + _table([""] + list(policies), rows) + notes


def _compared_policies(comparison: Record | None) -> tuple[Record, Record] | None:
    """The policies of the reference plan of ``meio compare`` and their gap, if it evaluated them (None else)."""
    reference = comparison.get("reference") if comparison else None
    gap = comparison.get("policy_gap", {}).get(reference) if comparison and reference else None
    return (comparison["results"][reference], gap) if comparison and gap else None


def _policies_note(evaluated: list[str]) -> str:
    """The fulfillment policies a record holds, and those it does not (the CLI evaluates dual-price when asked)."""
    missing = not_evaluated(evaluated)
    text = f"Fulfillment policies evaluated: {', '.join(evaluated)}" + (f"; {missing.strip()}" if missing else "")
    return f"<p class='note'>{html.escape(text)}.</p>"


def _gap_section(gap: dict) -> str:
    one_sided = gap.get("gap_one_sided_95")
    rows = [["lower bound (SAA optima)", _ci(gap["lower_bound"])], ["upper bound (candidate)", _ci(gap["upper_bound"])],
            ["gap (MMW, paired)", _ci(gap["gap"])],
            ["gap, one-sided 95% bound", units.money(one_sided)],
            ["gap (U - L)", _ci(gap["gap_independent"])]]
    return (f"<h2>SAA optimality gap (Mak-Morton-Wood)</h2><p>{gap['replications']} replications of "
            f"{gap['scenarios']} {html.escape(gap['source'])} scenarios; upper bound on {gap['eval_scenarios']} "
            "scenarios; cost per period, mean ± 95% half-width.</p>" + _table(["", "estimate"], rows))


def _map_section(instance: Instance, flows: pd.DataFrame | None) -> str:
    nodes = node_positions(instance)
    if nodes is None:
        return "<p class='note'>No map: the zones have no coordinates.</p>"
    zones = instance.zones.copy()
    demand = instance.demand.groupby("zone")["quantity"].sum()
    zones["size"] = (zones["population"] if "population" in zones.columns and zones["population"].notna().all()
                     else demand.reindex(zones.index).fillna(0.0))
    if flows is not None and len(flows) and "policy" in flows.columns:
        flows = flows[flows["policy"] == flows["policy"].iloc[0]]
    return _figure("Map of nodes, zones and main flows", figures.network_map(zones, nodes, flows))


def write_report(result_dir: str | Path, out: str | Path, instance_name: str | None = None,
                 progress: StatusLine = SILENT) -> Report:
    """Write the report of ``result_dir`` to ``out``; return it (with its warnings)."""
    report = build_report(result_dir, instance_name, progress)
    progress.phase(f"writing {out}")
    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report.html, encoding="utf-8")
    except OSError as error:
        raise MeioError(f"cannot write {path}: {error.strerror}") from None
    return report
