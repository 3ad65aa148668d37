"""``meio compare INSTANCE RESULT_DIR... [--baselines ...]``: plans side by side on common scenarios."""

from __future__ import annotations

import argparse
from pathlib import Path

from meio.cli.evaluate import add_scenario_options
from meio.data import load_instance
from meio.errors import MeioError
from meio.evaluation import POLICIES, evaluate_plan, prepare, read_plan
from meio.evaluation.baselines import BASELINES, baseline_plan
from meio.evaluation.files import comparison_record, format_comparison, write_comparison
from meio.evaluation.progress import Progress
from meio.solvers import BACKENDS, SolveOptions


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare", help="evaluate several plans on the same fresh scenarios",
        description="Evaluate plans (result directories and/or baselines computed on the fly) on the same "
                    "fresh scenarios and order arrivals (common random numbers); print cost parts and fill "
                    "rates side by side and the paired savings of the first plan; write comparison.json "
                    "and comparison.csv.")
    parser.add_argument("instance", metavar="INSTANCE", help="instance directory or bundled name")
    parser.add_argument("result_dirs", type=Path, nargs="*", metavar="RESULT_DIR",
                        help="plans to compare; the first is the reference")
    parser.add_argument("--baselines", default="",
                        help=f"comma-separated baselines to add ({', '.join(BASELINES)}) or 'all'")
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="highs")
    add_scenario_options(parser)
    parser.add_argument("--policy", choices=[*POLICIES, "both"], default="both")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory of comparison.json/csv (default: the first RESULT_DIR)")
    parser.add_argument("--quiet", action="store_true")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args.instance)
    plans = [read_plan(d, instance) for d in args.result_dirs]
    names = BASELINES if args.baselines.strip() == "all" else tuple(
        b.strip() for b in args.baselines.split(",") if b.strip())
    unknown = [b for b in names if b not in BASELINES]
    if unknown:
        raise MeioError(f"unknown baseline '{unknown[0]}' (choose from {', '.join(BASELINES)} or all)")
    progress = Progress()
    if names:
        progress.start("computing baselines", len(names))
        for name in names:
            plans.append(baseline_plan(instance, name, args.backend, SolveOptions()))
            progress.advance()
        progress.done()
    if len(plans) < 2:
        raise MeioError("give at least two plans (result directories and/or --baselines)")
    seen: dict[str, int] = {}
    for plan in plans:  # distinct column names
        seen[plan.name] = seen.get(plan.name, 0) + 1
    scenarios = prepare(instance, args.scenarios, args.seed, args.source, args.demand_file)
    policies = POLICIES if args.policy == "both" else (args.policy,)
    results = {}
    for i, plan in enumerate(plans):
        name = plan.name if seen[plan.name] == 1 else f"{plan.name}#{i + 1}"
        results[name] = evaluate_plan(scenarios, plan, policies, seed=args.seed, order_size=args.order_size,
                                      progress=progress)
    record = comparison_record(scenarios, results, args.seed, args.order_size)
    out = args.out if args.out is not None else (args.result_dirs[0] if args.result_dirs else Path("results"))
    write_comparison(out, record)
    if not args.quiet:
        print(format_comparison(record))
        print(f"  comparison written to {out}/")
    return 0
