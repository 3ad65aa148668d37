"""What ``evaluate`` and ``compare`` record and say about the model variants of an evaluation."""

from __future__ import annotations

from collections.abc import Sequence

from meio.cli.common import warn
from meio.evaluation.evaluate import Scenarios
from meio.evaluation.files import Record
from meio.evaluation.plan import Plan
from meio.evaluation.variant_recourse import broken_rows, dynamic_notes
from meio.models.build import ModelVariant
from meio.models.variants import variant_record


def record_variants(record: Record, scenarios: Scenarios, applied: list[ModelVariant], policies: Sequence[str],
                    plan: Plan | None = None) -> None:
    """Record the variants in an evaluation or comparison ``record``, add the variant rows ``plan``
    breaks to its ``plan_violations`` and warn about what the real-time policies cannot honour."""
    record["variants"] = [variant_record(v) for v in applied]
    if plan is not None:
        pairs = scenarios.network.pairs
        record["plan_violations"] = [*record.get("plan_violations", []),
                                     *broken_rows(scenarios.instance, pairs, plan.aligned(pairs), applied)]
    record["variant_notes"] = dynamic_notes(scenarios.instance, applied, policies)
    for note in record["variant_notes"]:
        warn(note)
