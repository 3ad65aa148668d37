"""``meio gap INSTANCE --replications M --scenarios N --eval-scenarios N'``: SAA bounds (Mak-Morton-Wood)."""

from __future__ import annotations

import argparse
from pathlib import Path

from meio.cli.common import load
from meio.cli.names import BACKEND_HELP, backend_name
from meio.cli.options import at_least_two, non_negative_int, positive_int
from meio.cli.variant_option import add_variant_option, variants
from meio.evaluation.files import write_gap
from meio.evaluation.fresh import SOURCES
from meio.evaluation.mmw import format_gap, mmw_gap
from meio.evaluation.plan import read_plan
from meio.evaluation.progress import Progress
from meio.solvers import SolveOptions


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``gap`` sub-command."""
    parser = subparsers.add_parser(
        "gap", help="statistical lower/upper bounds and optimality gap of an SAA plan (MMW)",
        description="Mak-Morton-Wood: M independent SAA solves on N fresh scenarios give a lower-bound "
                    "estimate, the candidate plan on N' fresh scenarios an upper-bound estimate, and the "
                    "paired gap estimate with its 95% interval. Writes gap.json and gap_replications.csv.")
    parser.add_argument("instance", metavar="INSTANCE", help="instance directory or bundled name")
    parser.add_argument("--replications", type=at_least_two, default=10, help="M, SAA replications")
    parser.add_argument("--scenarios", type=positive_int, default=None,
                        help="N scenarios per SAA replication (default: the instance's count)")
    parser.add_argument("--eval-scenarios", type=positive_int, default=500,
                        help="N', fresh scenarios of the upper bound")
    parser.add_argument("--seed", type=non_negative_int, default=1, help="seed of the fresh scenarios")
    parser.add_argument("--source", choices=[s for s in SOURCES if s not in ("file", "training")],
                        default="auto", help="scenario source (default: generator when known, else bootstrap)")
    parser.add_argument("--candidate", type=Path, default=None,
                        help="result directory of the plan to bound (default: SAA on the instance's scenarios)")
    parser.add_argument("--backend", type=backend_name, default="highs",
                        help=f"solver of the SAA solves: {BACKEND_HELP}")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory of gap.json (default: --candidate, else results/NAME-gap)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but warnings and errors")
    add_variant_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Estimate the gap and write gap.json (with the candidate's plan digest) and gap_replications.csv."""
    instance = load(args.instance)
    candidate = read_plan(args.candidate, instance) if args.candidate is not None else None
    scenarios = args.scenarios if args.scenarios is not None else len(instance.scenarios)
    estimate = mmw_gap(instance, replications=args.replications, scenarios=scenarios,
                       eval_scenarios=args.eval_scenarios, seed=args.seed, candidate=candidate,
                       source=args.source, backend=args.backend, options=SolveOptions(), progress=Progress(),
                       variants=variants(args))
    out = args.out or args.candidate or Path("results") / f"{instance.name}-gap"
    write_gap(out, estimate, candidate.digest if candidate is not None else None)
    if not args.quiet:
        print(format_gap(estimate))
        print(f"  gap estimate written to {out}/")
    return 0
