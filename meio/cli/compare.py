"""``meio compare INSTANCE RESULT_DIR... [--baselines ...]``: plans side by side on common scenarios."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from meio.cli.common import load
from meio.cli.names import BACKEND_HELP, backend_name
from meio.cli.options import name_list, reject
from meio.cli.paths import split_instance_and_results
from meio.cli.scenario_options import add_scenario_options, check_scenario_options, policies
from meio.cli.variant_evaluation import plan_breaks, record_variants, warn_breaks
from meio.cli.variant_option import add_variant_option, variants
from meio.data.instance import Instance
from meio.errors import OptionError
from meio.evaluation import Plan, evaluate_plan, prepare, read_plan
from meio.evaluation.baselines import BASELINES, baseline_plan
from meio.evaluation.files import comparison_record, format_comparison, write_comparison
from meio.evaluation.progress import Progress
from meio.models.build import ModelVariant
from meio.progress import StatusLine
from meio.solvers import SolveOptions


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``compare`` sub-command."""
    parser = subparsers.add_parser(
        "compare", help="evaluate several plans on the same fresh scenarios",
        usage="%(prog)s INSTANCE [RESULT_DIR ...] [options]",
        description="Evaluate plans (result directories and/or baselines computed on the fly) on the same "
                    "fresh scenarios and order arrivals (common random numbers); print cost parts and fill "
                    "rates side by side and the paired savings of the first plan; write comparison.json "
                    "and comparison.csv. The instance and the result directories may come in any order.")
    parser.add_argument("arguments", nargs="+", metavar="PATH",
                        help="the instance (directory or bundled name) and the result directories (holding "
                             "summary.json or stock.csv); the first result directory is the reference")
    parser.add_argument("--baselines", default=None,
                        help=f"comma-separated baselines to add ({', '.join(BASELINES)}) or 'all' "
                             "(default: all when one RESULT_DIR is given, else none)")
    parser.add_argument("--backend", type=backend_name, default="highs",
                        help=f"solver of the speed-blind and no-capacity baselines: {BACKEND_HELP}")
    add_scenario_options(parser)
    parser.add_argument("--out", type=Path, default=None,
                        help="directory of comparison.json/csv (default: the first RESULT_DIR)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but warnings and errors")
    add_variant_option(parser)
    parser.set_defaults(run=run)


def baseline_names(text: str | None, result_dirs: int) -> tuple[str, ...]:
    """The baselines of ``--baselines`` (all of them by default when there is one result directory)."""
    if text is None:
        text = "all" if result_dirs == 1 else ""
    return name_list("--baselines", text, BASELINES, "baseline")


def _baselines(instance: Instance, names: tuple[str, ...], backend: str,
               applied: list[ModelVariant], progress: Progress) -> list[Plan]:
    """The baselines' plans; the status line names the one being computed and shows its own phases
    (building and solving its model)."""
    if not names:
        return []
    progress.start("computing baselines", len(names))
    plans = []
    for name in names:
        with progress.step(name) as line:
            plans.append(baseline_plan(instance, name, backend, SolveOptions(progress=line), applied))
        progress.advance()
    return plans


def _column_names(plans: list[Plan]) -> list[str]:
    """Distinct column names: a name that repeats gets ``#position``."""
    names = [plan.name for plan in plans]
    return [name if names.count(name) == 1 else f"{name}#{i + 1}" for i, name in enumerate(names)]


def run(args: argparse.Namespace) -> int:
    """Evaluate every plan on common scenarios and write the comparison."""
    check_scenario_options(args)
    instance_name, result_dirs = split_instance_and_results(args.arguments)
    names = baseline_names(args.baselines, len(result_dirs))
    if not any(name in ("speed-blind", "no-capacity") for name in names):
        reject(args, ["backend"], "applies only to the speed-blind and no-capacity baselines")
    with StatusLine(enabled=not args.quiet and sys.stderr.isatty()) as line:
        line.phase(f"loading {instance_name}")
        instance = load(instance_name)
        applied = variants(args)
        progress = Progress(line=line)
        plans = [read_plan(d, instance) for d in result_dirs] + _baselines(instance, names, args.backend, applied,
                                                                           progress)
        if len(plans) < 2:
            raise OptionError("give at least two plans (result directories and/or --baselines)")
        line.phase("sampling the scenarios")
        scenarios = prepare(instance, args.scenarios, args.seed, args.source, args.demand_file)
        results = {name: evaluate_plan(scenarios, plan, policies(args), seed=args.seed, order_size=args.order_size,
                                       resolve_every=args.resolve_every,
                                       progress=progress, variants=applied)
                   for name, plan in zip(_column_names(plans), plans)}
    record = comparison_record(scenarios, results, args.seed, args.order_size, plans[0].digest, args.resolve_every)
    record_variants(record, scenarios, applied, record["policies"])
    breaks = {name: plan_breaks(instance, plan, applied) for name, plan in zip(_column_names(plans), plans)}
    record["plan_violations"] = {name: rows for name, rows in breaks.items() if rows}  # variant rows, per plan
    for name, rows in record["plan_violations"].items():
        warn_breaks(name, rows, "comparison.json")
    out = args.out if args.out is not None else (result_dirs[0] if result_dirs else Path("results"))
    write_comparison(out, record)
    if not args.quiet:
        print(format_comparison(record))
        print(f"  comparison written to {out}/")
    return 0
