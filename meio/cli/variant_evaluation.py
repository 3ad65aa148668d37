"""What ``evaluate`` and ``compare`` record and say about the model variants of an evaluation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from meio.cli.common import warn
from meio.data.derived import derive_sets
from meio.data.instance import Instance
from meio.evaluation.evaluate import Scenarios
from meio.evaluation.files import Record
from meio.evaluation.plan import Plan
from meio.evaluation.variant_recourse import broken_rows, dynamic_notes
from meio.models.build import ModelVariant
from meio.models.index import model_index
from meio.models.variants import variant_record

#: How many broken rows a warning names (the record lists them all).
SHOWN = 10


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


def plan_breaks(instance: Instance, plan: Plan, applied: Sequence[ModelVariant]) -> list[str]:
    """The variants' rows over stock only that ``plan`` breaks (none without variants)."""
    if not applied:
        return []
    pairs = model_index(instance, derive_sets(instance)).y
    return broken_rows(instance, pairs, plan.aligned(pairs), applied)


def warn_breaks(plan: str, broken: Sequence[str], where: str) -> None:
    """Warn that ``plan`` breaks ``broken`` rows of the variants (at most :data:`SHOWN` named)."""
    if broken:
        more = f" and {len(broken) - SHOWN} more (all in {where})" if len(broken) > SHOWN else ""
        warn(f"plan {plan} breaks {len(broken)} row(s) of the model variants: {'; '.join(broken[:SHOWN])}{more}")


def warn_unapplied(directory: Path, applied: Sequence[ModelVariant]) -> None:
    """Warn when the plan in ``directory`` was solved with variants (its summary.json) and none are given."""
    if applied:
        return
    try:
        solved = json.loads((directory / "summary.json").read_text(encoding="utf-8")).get("variants") or []
    except (OSError, ValueError, AttributeError):
        return
    texts = [_text(v) for v in solved if isinstance(v, dict)]
    if texts:
        options = " ".join(f"--variant {t}" for t in texts)
        warn(f"the plan was solved with model variants ({', '.join(texts)}, summary.json), but this evaluates "
             f"the model without them; give {options} to evaluate the model it was solved for")


def _text(record: dict[str, object]) -> str:
    """A variant's --variant text from its summary.json record."""
    parameters = record.get("parameters") or {}
    given = ",".join(f"{k}={v}" for k, v in parameters.items() if v is not None) if isinstance(parameters, dict) else ""
    return f"{record.get('name')}:{given}" if given else str(record.get("name"))
