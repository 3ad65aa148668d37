"""Out-of-sample evaluation of stock plans: fulfillment policies, baselines, SAA bounds, reports.

See docs/evaluation.md. Main entry points: :func:`prepare` (scenarios to evaluate on),
:func:`evaluate_plan` (optimal recourse and dynamic fulfillment), :func:`read_plan`.
"""

from meio.evaluation.evaluate import DEFAULT_POLICIES, POLICIES, Scenarios, evaluate_plan, prepare, summarize
from meio.evaluation.plan import Plan, read_plan

__all__ = ["DEFAULT_POLICIES", "POLICIES", "Plan", "Scenarios", "evaluate_plan", "prepare", "read_plan", "summarize"]
