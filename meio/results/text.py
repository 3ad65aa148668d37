"""A readable plain-text summary of a result, for the terminal."""

from __future__ import annotations

import math

from meio.results.result import COST_PARTS, Result

BINDING_TOLERANCE = 1e-6


def format_result(result: Result, top: int = 8) -> str:
    """Status, bounds, cost breakdown, fill rates, stock by node and binding capacities."""
    lines = [f"{result.instance}: {result.status.value} ({result.method}, {result.backend}, "
             f"{result.seconds:.2f} s)"]
    if result.message:
        lines.append(result.message)
    if not result.costs:
        return "\n".join(lines)
    lines.append(f"  expected cost {result.objective:,.2f}   lower bound {result.lower_bound:,.2f}   "
                 f"gap {result.gap:.2e}")
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


def _binding_lines(result: Result, top: int) -> list[str]:
    prices = result.prices
    if prices.empty:
        return ["  no capacity or service constraint in this instance"]
    binding = prices[prices["slack"].abs() <= BINDING_TOLERANCE * prices["rhs"].abs().clip(lower=1.0)]
    if binding.empty:
        return ["  no capacity or service constraint binds"]
    grouped = binding.assign(price=binding["price"].fillna(0.0)).groupby(
        ["kind", binding["node"].fillna(binding["speed"]).fillna("").rename("where")]).agg(
        rows=("constraint", "size"), price=("price", "sum")).sort_values("price", ascending=False).reset_index()
    width = max(len(str(where)) for where in grouped["where"])
    lines = ["  binding constraints and opportunity costs (summed over scenarios):"]
    shown = grouped.head(top)
    for kind, where, rows, price in zip(shown["kind"], shown["where"], shown["rows"], shown["price"]):
        scope = f" in {int(rows)} scenario(s)" if kind == "throughput" else ""
        lines.append(f"    {kind:<10} {where:<{width}}  price {price:>10,.4f}{scope}")
    if len(grouped) > top:
        lines.append(f"    ... and {len(grouped) - top} more (see prices.csv)")
    return lines
