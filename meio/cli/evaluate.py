"""``meio evaluate RESULT_DIR INSTANCE --scenarios N --seed S``: a plan's cost on fresh demand."""

from __future__ import annotations

import argparse
from pathlib import Path

from meio.data import load_instance
from meio.evaluation import POLICIES, evaluate_plan, prepare, read_plan
from meio.evaluation.files import evaluation_record, format_evaluation, write_evaluation
from meio.evaluation.fresh import SOURCES
from meio.evaluation.plan import capacity_violations
from meio.evaluation.progress import Progress


def add_scenario_options(parser: argparse.ArgumentParser, scenarios: int = 200) -> None:
    """--scenarios, --seed, --source, --demand-file, --order-size (shared with compare)."""
    parser.add_argument("--scenarios", type=int, default=scenarios,
                        help="fresh scenarios to evaluate on (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the scenarios and order arrivals")
    parser.add_argument("--source", choices=SOURCES, default="auto",
                        help="where fresh scenarios come from: the instance's generator, a bootstrap of its "
                             "scenarios, a demand file, or its own training scenarios (default: auto = "
                             "generator when known, else bootstrap)")
    parser.add_argument("--demand-file", type=Path, default=None,
                        help="demand table in demand.csv format to evaluate on (implies --source file)")
    parser.add_argument("--order-size", type=float, default=1.0,
                        help="units per order of the dynamic policy (default: unit orders)")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="evaluate a plan out of sample under optimal and dynamic fulfillment",
        description="Fix the plan's stock (RESULT_DIR/stock.csv) and evaluate it on fresh demand scenarios "
                    "under optimal recourse and dynamic (order-by-order) fulfillment; writes "
                    "evaluation.json and evaluation_*.csv to the result directory (or --out).")
    parser.add_argument("result_dir", type=Path, metavar="RESULT_DIR")
    parser.add_argument("instance", metavar="INSTANCE", help="instance directory or bundled name")
    add_scenario_options(parser)
    parser.add_argument("--policy", choices=[*POLICIES, "both"], default="both")
    parser.add_argument("--out", type=Path, default=None, help="directory of the evaluation files "
                                                               "(default: RESULT_DIR)")
    parser.add_argument("--quiet", action="store_true")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args.instance)
    plan = read_plan(args.result_dir, instance)
    scenarios = prepare(instance, args.scenarios, args.seed, args.source, args.demand_file)
    policies = POLICIES if args.policy == "both" else (args.policy,)
    outcomes = evaluate_plan(scenarios, plan, policies, seed=args.seed, order_size=args.order_size,
                             progress=Progress())
    record = evaluation_record(scenarios, plan.name, outcomes, args.seed, args.order_size,
                               capacity_violations(instance, plan))
    out = args.out if args.out is not None else args.result_dir
    write_evaluation(out, record, scenarios, outcomes)
    if not args.quiet:
        print(format_evaluation(record))
        print(f"  evaluation written to {out}/")
    return 0
