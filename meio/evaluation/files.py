"""Evaluation and comparison files in a result directory, and their plain-text tables.

- ``evaluation.json``: where the scenarios came from and, per policy, mean and 95% interval
  of the total cost, its parts and the fill rate per speed; ``policy_gap``: what each
  real-time policy loses to optimal recourse (:mod:`meio.evaluation.policy_gap`);
- ``evaluation_nodes.csv``: per policy and node, units shipped, throughput and its use;
- ``evaluation_flows.csv``: per policy, expected units from each origin to each zone;
- ``evaluation_scenarios.csv``: per policy and scenario, the cost parts and total;
- ``comparison.json`` / ``comparison.csv``: several plans on common scenarios, with paired
  differences against the reference plan;
- ``gap.json`` / ``gap_replications.csv``: the Mak-Morton-Wood estimate (``meio gap``).

Every JSON file records the digest of the plan it is about (``plan_sha256``, see
:func:`meio.results.writer.plan_digest`; in comparison.json the reference plan's), so that a
report leaves out files about another plan (:func:`stale_reason`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from meio.errors import MeioError
from meio.evaluation.evaluate import POLICIES, Scenarios, estimate_dict, flow_table, node_table, summarize
from meio.evaluation.outcome import COST_PARTS, Outcome
from meio.evaluation.policy_gap import format_gap, policy_gap
from meio.evaluation.stats import Estimate, difference_ci
from meio.results.writer import DIGEST_KEY

#: Rows a plan breaks that the printed evaluation names (evaluation.json keeps them all).
SHOWN_BREACHES = 10

if TYPE_CHECKING:  # mmw imports the exact solve (Pyomo); writing gap.json does not need it
    from meio.evaluation.mmw import GapEstimate

#: A JSON record (evaluation.json, comparison.json, gap.json) as read or written.
Record = dict[str, Any]


def _directory(directory: Path) -> Path:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MeioError(f"cannot create directory {directory}: {error.strerror}") from None
    return directory


def evaluation_record(scenarios: Scenarios, plan_name: str, outcomes: dict[str, Outcome],
                      seed: int, order_size: float, violations: list[str], digest: str | None = None,
                      resolve_every: int | None = None) -> Record:
    """The content of evaluation.json; ``digest`` identifies the evaluated plan."""
    instance = scenarios.instance
    return {
        "instance": instance.name, "instance_path": str(instance.source) if instance.source else None,
        "plan": plan_name, DIGEST_KEY: digest, "source": scenarios.source, "scenarios": len(scenarios.demand.scenarios),
        "seed": seed, "order_size": order_size, "resolve_every": resolve_every, "plan_violations": violations,
        "policies": {policy: estimate_dict(summarize(o, scenarios.network)) for policy, o in outcomes.items()},
        "policy_gap": policy_gap(outcomes),
        "nodes": [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
                  for o in outcomes.values() for row in node_table(o, scenarios.network).to_dict("records")],
    }


def write_evaluation(directory: Path, record: Record, scenarios: Scenarios,
                     outcomes: dict[str, Outcome]) -> list[Path]:
    """Write evaluation.json and the three evaluation tables."""
    directory = _directory(directory)
    network = scenarios.network
    tables = {
        "evaluation_nodes": pd.concat([node_table(o, network) for o in outcomes.values()], ignore_index=True),
        "evaluation_flows": pd.concat([flow_table(o, network) for o in outcomes.values()], ignore_index=True),
        "evaluation_scenarios": pd.concat([o.table().assign(policy=p) for p, o in outcomes.items()],
                                          ignore_index=True),
    }
    written = [directory / "evaluation.json"]
    written[0].write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    for name, table in tables.items():
        path = directory / f"{name}.csv"
        table.to_csv(path, index=False, float_format="%.10g")
        written.append(path)
    return written


def comparison_record(scenarios: Scenarios, results: dict[str, dict[str, Outcome]], seed: int,
                      order_size: float, digest: str | None = None, resolve_every: int | None = None) -> Record:
    """The content of comparison.json: the policies evaluated, summaries per plan and policy, paired
    differences to the first plan (the reference, whose plan ``digest`` is recorded)."""
    names = list(results)
    reference = names[0]
    network = scenarios.network
    evaluated = list(next(iter(results.values())))
    differences: dict[str, dict[str, object]] = {}
    for policy in evaluated:
        base = results[reference][policy]
        differences[policy] = {}
        for name in names[1:]:
            other = results[name][policy]
            parts = {part: difference_ci(other.costs[:, i], base.costs[:, i], base.weights)
                     for i, part in enumerate(COST_PARTS)}
            total = difference_ci(other.total, base.total, base.weights)
            differences[policy][name] = {"total": total.as_dict(), "costs": estimate_dict(parts),
                                         "percent_of_other": _percent(total, other.objective)}
    return {
        "instance": scenarios.instance.name,
        "instance_path": str(scenarios.instance.source) if scenarios.instance.source else None,
        "source": scenarios.source, "scenarios": len(scenarios.demand.scenarios), "seed": seed,
        "order_size": order_size, "resolve_every": resolve_every if "dual-price" in evaluated else None,
        "reference": reference, DIGEST_KEY: digest, "plans": names, "policies": evaluated,
        "results": {name: {policy: estimate_dict(summarize(o, network)) for policy, o in by_policy.items()}
                    for name, by_policy in results.items()},
        "savings_of_reference": differences,
        "policy_gap": {name: policy_gap(by_policy) for name, by_policy in results.items()},
    }


def _percent(difference: Estimate, other: float) -> dict[str, float | None]:
    scale = 100.0 / other if other else math.nan
    return {k: (v * scale if v is not None else None)
            for k, v in {"mean": difference.mean, "low": difference.low, "high": difference.high}.items()}


def comparison_table(record: Record) -> pd.DataFrame:
    """comparison.csv: plan, policy, metric, mean, low, high."""
    rows = []
    for plan, by_policy in record["results"].items():
        for policy, summary in by_policy.items():
            rows.append((plan, policy, "total", *_triple(summary["total"])))
            rows += [(plan, policy, part, *_triple(e)) for part, e in summary["costs"].items()]
            rows += [(plan, policy, f"fill_rate_{k}", *_triple(e)) for k, e in summary["fill_rate"].items()]
    return pd.DataFrame(rows, columns=["plan", "policy", "metric", "mean", "low", "high"])


def _triple(estimate: dict[str, object]) -> tuple[object, object, object]:
    return estimate["mean"], estimate["low"], estimate["high"]


def write_comparison(directory: Path, record: Record) -> list[Path]:
    """Write comparison.json and comparison.csv."""
    directory = _directory(directory)
    json_path, csv_path = directory / "comparison.json", directory / "comparison.csv"
    json_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    comparison_table(record).to_csv(csv_path, index=False, float_format="%.10g")
    return [json_path, csv_path]


def write_gap(directory: Path, estimate: GapEstimate, digest: str | None) -> list[Path]:
    """Write gap.json (with the candidate plan's ``digest``) and gap_replications.csv."""
    directory = _directory(directory)
    json_path, csv_path = directory / "gap.json", directory / "gap_replications.csv"
    json_path.write_text(json.dumps({**estimate.as_dict(), DIGEST_KEY: digest}, indent=2) + "\n", encoding="utf-8")
    estimate.replications.to_csv(csv_path, index=False, float_format="%.10g")
    return [json_path, csv_path]


def stale_reason(name: str, record: Record, digest: str | None) -> str | None:
    """Why ``record`` (the content of file ``name``) is not about the plan with ``digest``; None if it is."""
    recorded = record.get(DIGEST_KEY)
    if recorded is None:
        return f"{name} does not record which plan it is about"
    if recorded != digest:
        return f"{name} is about another plan than this directory's stock.csv"
    return None


# ---- text -----------------------------------------------------------------------------------------

def _cell(estimate: Record | None, percent: bool = False) -> str:
    if not estimate or estimate.get("mean") is None:
        return "-"
    scale = 100.0 if percent else 1.0
    mean = float(estimate["mean"]) * scale
    low, high = estimate.get("low"), estimate.get("high")
    text = f"{mean:,.1f}%" if percent else f"{mean:,.2f}"
    if low is not None and high is not None:
        half = (float(high) - float(low)) / 2 * scale
        text += f" ± {half:,.1f}" if percent else f" ± {half:,.2f}"
    return text


def summary_rows(summary: Record) -> list[tuple[str, str]]:
    """(label, cell) rows of one summary: total cost, its parts, shipping per unit, fill rates."""
    rows = [("total cost", _cell(summary["total"]))]
    rows += [(f"  {part}", _cell(summary["costs"][part])) for part in COST_PARTS]
    if "shipping_per_unit" in summary:
        rows.append(("shipping per unit shipped", _cell(summary["shipping_per_unit"])))
    rows += [(f"fill rate {k}", _cell(e, percent=True)) for k, e in summary["fill_rate"].items()]
    return rows


def format_columns(title: str, columns: dict[str, Record]) -> str:
    """A table with one column per summary (policy or plan), rows of cost parts and fill rates."""
    labels = [label for label, _ in summary_rows(next(iter(columns.values())))]
    cells = {name: [cell for _, cell in summary_rows(s)] for name, s in columns.items()}
    first = max(len(x) for x in labels + [""])
    widths = {name: max(len(name), *(len(c) for c in col)) for name, col in cells.items()}
    lines = [title, "  " + " " * first + "  " + "  ".join(f"{n:>{widths[n]}}" for n in cells)]
    for i, label in enumerate(labels):
        lines.append("  " + f"{label:<{first}}" + "  " + "  ".join(f"{cells[n][i]:>{widths[n]}}" for n in cells))
    return "\n".join(lines)


def not_evaluated(evaluated: list[str]) -> str | None:
    """A line naming the policies of :data:`POLICIES` that were not evaluated (None when none is missing)."""
    missing = [policy for policy in POLICIES if policy not in evaluated]
    if not missing:
        return None
    cost = "; dual-price takes 100-300 times as long per order as myopic" if "dual-price" in missing else ""
    return f"  not evaluated: {', '.join(missing)} (name it in --policy, or --policy all{cost})"


def _share(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{100 * value:5.1f}%"


def format_evaluation(record: Record) -> str:
    """The text of an evaluation: one column per policy, then the per-node table."""
    head = (f"{record['plan']} on {record['scenarios']} {record['source']} scenarios of {record['instance']} "
            f"(mean ± 95% CI half-width):")
    text = format_columns(head, record["policies"])
    if record.get("policy_gap"):
        text += "\n" + format_gap(record["policy_gap"])
    nodes = record.get("nodes", [])
    if nodes:
        text += "\n  per node (units per scenario: shipped from it, through it; throughput use, share binding):"
        for row in nodes:
            use, bind = _share(row["utilization_mean"]), _share(row["binding_share"])
            text += (f"\n    {row['policy']:<10} {row['node']:<18} shipped {row['shipped_mean']:>10,.1f}  through "
                     f"{row['throughput_mean']:>10,.1f}  use {use:>6}  binding {bind:>6}")
    breaches = record.get("plan_violations") or []
    if breaches:
        shown = "; ".join(breaches[:SHOWN_BREACHES])
        hidden = len(breaches) - SHOWN_BREACHES
        more = f"; and {hidden} more (all in evaluation.json)" if hidden > 0 else ""
        text += f"\n  the plan breaks {len(breaches)} row(s): {shown}{more}"
    missing = not_evaluated(list(record["policies"]))
    return text if missing is None else text + "\n" + missing


def format_comparison(record: Record) -> str:
    """The text of a comparison: one table per policy, then the reference's paired savings."""
    blocks = []
    results = record["results"]
    evaluated = list(next(iter(results.values())))
    for policy in evaluated:
        columns = {plan: by_policy[policy] for plan, by_policy in results.items()}
        blocks.append(format_columns(
            f"{policy} fulfillment, {record['scenarios']} {record['source']} scenarios of {record['instance']} "
            "(mean ± 95% CI half-width):", columns))
        savings = record["savings_of_reference"][policy]
        for name, diff in savings.items():
            total, pct = diff["total"], diff["percent_of_other"]
            if total["mean"] is None:
                continue
            low = "-" if pct["low"] is None else f"{pct['low']:.1f}"
            high = "-" if pct["high"] is None else f"{pct['high']:.1f}"
            shipping = diff["costs"]["shipping"]
            verb = "saves" if (shipping["mean"] or 0.0) >= 0 else "costs"
            shipping_text = _cell({**shipping, "mean": abs(shipping["mean"] or 0.0)})
            blocks.append(f"  {record['reference']} saves {_cell(total)} against {name} "
                          f"({pct['mean']:.1f}% of its cost, 95% CI {low}% to {high}%); "
                          f"in shipping it {verb} {shipping_text}")
    missing = not_evaluated(evaluated)
    return "\n".join(blocks if missing is None else [*blocks, missing])
