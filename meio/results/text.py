"""A readable plain-text summary of a result, for the terminal."""

from __future__ import annotations

import math

import pandas as pd

from meio.results import units
from meio.results.binding import binding_constraints, has_duals, zero_price_text, zero_priced
from meio.results.result import COST_PARTS, Result
from meio.results.units import NO_DUALS, PRICE_UNITS, price_kinds, unconverged_prices


def format_result(result: Result, top: int = 8) -> str:
    """Status, bounds, cost breakdown, fill rates, stock by node and binding capacities."""
    lines = [f"{result.instance}: {result.status.value} ({result.method}, {result.backend}, "
             f"{result.seconds:.2f} s)"]
    if result.message:
        lines.append(result.message)
    if not result.costs:
        return "\n".join(lines)
    lines.append(f"  expected cost {result.objective:,.2f}   lower bound {_cost(result.lower_bound)}   "
                 f"gap {units.gap(result.gap)}")
    reused = result.details.get("warm_start_reused_products")
    if reused is not None:
        lines.append(f"  warm start: {reused:,} of {result.details['products']:,} products' terms taken over "
                     f"(unchanged, not solved again; pricing passes: {result.details['pricing_passes']})")
        previous = result.details.get("warm_start_instance")
        if previous is not None and previous != result.instance:
            lines.append(f"  warning: the warm start is a result of instance '{previous}', not '{result.instance}': "
                         f"only what has the same names was used ({result.details['warm_start_matched_rows']:,} "
                         f"of {result.details['linking_constraints']:,} linking rows' prices, "
                         f"{result.details['warm_start_bases']:,} products' bases)")
    total = sum(result.costs.values()) or 1.0
    lines.append("  cost breakdown:")
    lines += [f"    {part:<11} {result.costs[part]:>14,.2f}  {100 * result.costs[part] / total:5.1f}%"
              for part in COST_PARTS]
    lines.append("  on-time fill rate by speed:")
    lines += [f"    {speed:<11} {'-' if math.isnan(rate) else f'{100 * rate:5.1f}%'}"
              for speed, rate in result.fill_rate.items()]
    by_node = result.stock.groupby("node")[["stock", "buy"]].sum()
    by_node = by_node[by_node["stock"] > 0].sort_values("stock", ascending=False)
    width = max([11, *(len(str(node)) for node in by_node.index)])
    lines.append("  stock placed by node (units):")
    lines += [f"    {node:<{width}} {row.stock:>12,.1f}  (bought {row.buy:,.1f})" for node, row in by_node.iterrows()]
    lines += _binding_lines(result, top)
    return "\n".join(lines)


def _cost(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.2f}"


def _binding_lines(result: Result, top: int) -> list[str]:
    """Binding constraints grouped by kind, each kind with the unit of its price; no price
    where no dual exists."""
    if result.prices.empty:
        return ["  no capacity or service constraint in this instance"]
    grouped = binding_constraints(result.prices)
    if grouped.empty:
        return ["  no capacity or service constraint binds"]
    duals = has_duals(result.prices)
    lines = ["  binding constraints and opportunity costs (decrease of the expected cost per unit more):"
             if duals else f"  binding constraints ({NO_DUALS}):"]
    caveat = unconverged_prices(result.termination.value) if duals else None
    lines += [f"  ({caveat})"] if caveat else []
    zero = zero_priced(grouped) if duals else pd.Series(False, index=grouped.index)
    shown = grouped[~zero].head(top)
    width = max([0, *(len(str(where)) for where in shown["where"])])
    for kind in price_kinds(shown["kind"]):
        rows = shown[shown["kind"] == kind]
        unit = f", {PRICE_UNITS[kind]}" if duals and kind in PRICE_UNITS else ""
        summed = ", summed over scenarios" if duals and kind == "throughput" else ""
        lines.append(f"    {kind}{unit}{summed}:")
        for where, count, value in zip(rows["where"], rows["rows"], rows["price"]):
            scope = f"  binding in {int(count)} scenario(s)" if kind == "throughput" else ""
            shown_price = f"{units.price(value):>10}" if duals else ""
            lines.append(f"      {str(where):<{width}}{shown_price}{scope}".rstrip())
    if int((~zero).sum()) > top:
        lines.append(f"    ... and {int((~zero).sum()) - top} more (see prices.csv)")
    if zero.any():
        lines.append(f"    binding at a zero price (one more unit would not lower the cost): "
                     f"{zero_price_text(grouped[zero])}")
    return lines
