"""What real-time fulfillment loses to optimal recourse, and how much of the myopic loss dual prices recover.

For a plan evaluated on common scenarios and order arrivals, per real-time policy P:

- ``loss``: the paired difference cost_P - cost_optimal per scenario, mean and 95% interval
  (never negative per scenario: optimal recourse is clairvoyant), and in % of the optimal cost;
- ``recovered`` (dual-price with myopic and optimal present): the share of the myopic loss
  the dual-price policy recovers, ``E[myopic - dual] / E[myopic - optimal]``, with the
  delta-method interval of a ratio of means.
"""

from __future__ import annotations

from typing import Any

from meio.evaluation.outcome import Outcome
from meio.evaluation.stats import difference_ci, ratio_ci


def policy_gap(outcomes: dict[str, Outcome]) -> dict[str, Any]:
    """The loss of each real-time policy to optimal recourse and the dual-price recovery (JSON-ready)."""
    optimal = outcomes.get("optimal")
    if optimal is None:
        return {}
    gap: dict[str, Any] = {}
    for name, outcome in outcomes.items():
        if name == "optimal":
            continue
        loss = difference_ci(outcome.total, optimal.total, optimal.weights)
        scale = 100.0 / optimal.objective if optimal.objective else float("nan")
        gap[name] = {"loss": loss.as_dict(), "percent_of_optimal": loss.mean * scale}
    if "myopic" in outcomes and "dual-price" in outcomes:
        myopic, dual = outcomes["myopic"].total, outcomes["dual-price"].total
        recovered = ratio_ci(myopic - dual, myopic - optimal.total, optimal.weights)
        gap["dual-price"]["recovered_of_myopic_loss"] = recovered.as_dict()
    return gap


def format_gap(gap: dict[str, Any]) -> str:
    """Lines of text: each policy's loss to optimal recourse and the dual-price recovery."""
    lines = []
    for name, entry in gap.items():
        loss = entry["loss"]
        half = (loss["high"] - loss["low"]) / 2 if loss["low"] is not None else float("nan")
        line = (f"  {name} loses {loss['mean']:,.2f} ± {half:,.2f} to optimal recourse "
                f"({entry['percent_of_optimal']:.2f}% of its cost)")
        recovered = entry.get("recovered_of_myopic_loss")
        if recovered is not None and recovered["mean"] is not None:
            low = "-" if recovered["low"] is None else f"{100 * recovered['low']:.1f}%"
            high = "-" if recovered["high"] is None else f"{100 * recovered['high']:.1f}%"
            line += f"; it recovers {100 * recovered['mean']:.1f}% of the myopic loss (95% CI {low} to {high})"
        lines.append(line)
    return "\n".join(lines)
