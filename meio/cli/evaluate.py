"""``meio evaluate RESULT_DIR INSTANCE --scenarios N --seed S``: a plan's cost on fresh demand."""

from __future__ import annotations

import argparse
from pathlib import Path

from meio.cli.common import load
from meio.cli.paths import split_instance_and_results
from meio.cli.scenario_options import add_scenario_options, check_scenario_options, policies
from meio.cli.variant_evaluation import record_variants, warn_unapplied
from meio.cli.variant_option import add_variant_option, variants
from meio.evaluation import evaluate_plan, prepare, read_plan
from meio.evaluation.files import evaluation_record, format_evaluation, write_evaluation
from meio.evaluation.plan import capacity_violations
from meio.evaluation.progress import Progress


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``evaluate`` sub-command."""
    parser = subparsers.add_parser(
        "evaluate", help="evaluate a plan out of sample under optimal recourse and real-time fulfillment",
        description="Fix the plan's stock (RESULT_DIR/stock.csv) and evaluate it on fresh demand scenarios "
                    "under optimal recourse and real-time (order-by-order) fulfillment, myopic and (with "
                    "--policy) dual-price, on the same order arrivals; report what each real-time policy loses to "
                    "optimal recourse; writes evaluation.json and evaluation_*.csv to the result directory "
                    "(or --out). RESULT_DIR and INSTANCE may come in either order.")
    parser.add_argument("first", metavar="RESULT_DIR", help="result directory (holding summary.json or stock.csv)")
    parser.add_argument("second", metavar="INSTANCE", help="instance directory or bundled name (or the other way "
                                                           "round: the order does not matter)")
    add_scenario_options(parser)
    parser.add_argument("--out", type=Path, default=None, help="directory of the evaluation files "
                                                               "(default: RESULT_DIR)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but warnings and errors")
    add_variant_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate the plan and write the evaluation files."""
    check_scenario_options(args)
    name, results = split_instance_and_results([args.first, args.second])  # two arguments: one of each
    instance = load(name)
    plan = read_plan(results[0], instance)
    applied = variants(args)
    warn_unapplied(results[0], applied)
    scenarios = prepare(instance, args.scenarios, args.seed, args.source, args.demand_file)
    outcomes = evaluate_plan(scenarios, plan, policies(args), seed=args.seed, order_size=args.order_size,
                             resolve_every=args.resolve_every,
                             progress=Progress(), variants=applied)
    record = evaluation_record(scenarios, plan.name, outcomes, args.seed, args.order_size,
                               capacity_violations(instance, plan), plan.digest,
                               args.resolve_every if "dual-price" in outcomes else None)
    record_variants(record, scenarios, applied, list(outcomes), plan)
    out = args.out if args.out is not None else results[0]
    write_evaluation(out, record, scenarios, outcomes)
    if not args.quiet:
        print(format_evaluation(record))
        print(f"  evaluation written to {out}/")
    return 0
