"""``meio gap INSTANCE --replications M --scenarios N --eval-scenarios N'``: SAA bounds (Mak-Morton-Wood)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from meio.data import load_instance
from meio.errors import MeioError
from meio.evaluation.fresh import SOURCES
from meio.evaluation.mmw import format_gap, mmw_gap
from meio.evaluation.plan import read_plan
from meio.evaluation.progress import Progress
from meio.solvers import BACKENDS, SolveOptions


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gap", help="statistical lower/upper bounds and optimality gap of an SAA plan (MMW)",
        description="Mak-Morton-Wood: M independent SAA solves on N fresh scenarios give a lower-bound "
                    "estimate, the candidate plan on N' fresh scenarios an upper-bound estimate, and the "
                    "paired gap estimate with its 95% interval. Writes gap.json and gap_replications.csv.")
    parser.add_argument("instance", metavar="INSTANCE", help="instance directory or bundled name")
    parser.add_argument("--replications", type=int, default=10, help="M (default: %(default)s)")
    parser.add_argument("--scenarios", type=int, default=None,
                        help="N scenarios per SAA replication (default: the instance's count)")
    parser.add_argument("--eval-scenarios", type=int, default=500, help="N' (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--source", choices=[s for s in SOURCES if s not in ("file", "training")],
                        default="auto", help="scenario source (default: generator when known, else bootstrap)")
    parser.add_argument("--candidate", type=Path, default=None,
                        help="result directory of the plan to bound (default: SAA on the instance's scenarios)")
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="highs")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory of gap.json (default: --candidate, else results/NAME-gap)")
    parser.add_argument("--quiet", action="store_true")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args.instance)
    candidate = read_plan(args.candidate, instance) if args.candidate is not None else None
    scenarios = args.scenarios if args.scenarios is not None else len(instance.scenarios)
    estimate = mmw_gap(instance, replications=args.replications, scenarios=scenarios,
                       eval_scenarios=args.eval_scenarios, seed=args.seed, candidate=candidate,
                       source=args.source, backend=args.backend, options=SolveOptions(), progress=Progress())
    out = args.out or args.candidate or Path("results") / f"{instance.name}-gap"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MeioError(f"cannot create directory {out}: {error.strerror}") from None
    (out / "gap.json").write_text(json.dumps(estimate.as_dict(), indent=2) + "\n", encoding="utf-8")
    estimate.replications.to_csv(out / "gap_replications.csv", index=False, float_format="%.10g")
    if not args.quiet:
        print(format_gap(estimate))
        print(f"  gap estimate written to {out}/")
    return 0
