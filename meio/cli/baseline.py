"""``meio baseline INSTANCE --policy ... --out DIR``: a baseline plan written as a result directory."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from meio.cli.common import load
from meio.cli.names import BACKEND_HELP, backend_name
from meio.cli.options import reject
from meio.cli.variant_evaluation import plan_breaks, warn_breaks
from meio.cli.variant_option import add_variant_option, variants
from meio.evaluation.baselines import BASELINES, baseline_plan
from meio.evaluation.plan_result import plan_result
from meio.models.variants import variant_record
from meio.progress import StatusLine
from meio.results import write_result
from meio.results.text import format_result
from meio.solvers import SolveOptions


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``baseline`` sub-command."""
    parser = subparsers.add_parser(
        "baseline", help="write a baseline plan (single-echelon, speed-blind, no-capacity)",
        description="Compute a baseline stock plan and write it as a result directory (summary.json with its "
                    "in-sample cost under optimal recourse, stock.csv, utilization.csv), ready for "
                    "'meio evaluate' and 'meio compare'. See docs/evaluation.md for the definitions.")
    parser.add_argument("instance", metavar="INSTANCE", help="instance directory or bundled name")
    parser.add_argument("--policy", choices=BASELINES, required=True, help="the baseline (required)")
    parser.add_argument("--backend", type=backend_name, default="highs",
                        help=f"solver of the SAA-based baselines (speed-blind, no-capacity): {BACKEND_HELP}")
    parser.add_argument("--out", type=Path, default=None,
                        help="result directory (default: results/NAME-POLICY)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but warnings and errors")
    add_variant_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Compute the baseline plan and write it as a result directory."""
    if args.policy == "single-echelon":
        reject(args, ["backend"], "does not apply to --policy single-echelon (it solves no model)")
    with StatusLine(enabled=not args.quiet and sys.stderr.isatty()) as line:
        line.phase(f"loading {args.instance}")
        instance = load(args.instance)
        start = time.perf_counter()
        applied = variants(args)
        with line.step(f"baseline {args.policy}"):
            plan = baseline_plan(instance, args.policy, args.backend, SolveOptions(progress=line), applied)
            line.phase("evaluating the plan in sample")
            result = plan_result(instance, plan, f"baseline-{args.policy}", args.backend, time.perf_counter() - start)
        result.details["variants"] = [variant_record(v) for v in applied]
        broken = plan_breaks(instance, plan, applied)
        if broken:
            result.details["plan_violations"] = broken
        out = args.out if args.out is not None else Path("results") / f"{instance.name}-{args.policy}"
        line.phase(f"writing {out}/")
        write_result(result, out)
    warn_breaks(f"baseline-{args.policy}", broken, f"{out}/summary.json")
    if not args.quiet:
        print(format_result(result).replace("  no capacity or service constraint in this instance",
                                            "  (a baseline plan has no dual prices)"))
        print(f"  results written to {out}/")
    return 0
