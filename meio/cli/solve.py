"""``meio solve INSTANCE --method ... --backend ... --out DIR``."""

from __future__ import annotations

import argparse
from pathlib import Path

from meio.data import load_instance
from meio.decomposition import DecompositionConfig, solve_decomposition
from meio.results import write_result
from meio.results.text import format_result
from meio.solve import METHODS, solve
from meio.solvers import BACKENDS, SolveOptions


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("solve", help="solve an instance and write the result files",
                                   description="Solve an instance (directory or bundled name) and write "
                                               "summary.json, stock.csv, prices.csv and utilization.csv.")
    parser.add_argument("instance", help="instance directory or bundled instance name (tiny, demo)")
    parser.add_argument("--method", choices=sorted(METHODS), default="extensive")
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="highs")
    parser.add_argument("--out", type=Path, default=None, help="result directory (default: results/NAME)")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds")
    parser.add_argument("--mip-gap", type=float, default=1e-6, help="relative MIP gap for integer_stock")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    group = parser.add_argument_group("decomposition (--method decomposition)")
    group.add_argument("--workers", type=int, default=1, help="threads pricing subproblems (default 1)")
    group.add_argument("--gap", type=float, default=1e-4, help="relative gap to stop at (default 1e-4)")
    group.add_argument("--max-iterations", type=int, default=200, help="iteration limit (default 200)")
    group.add_argument("--warm-start", type=Path, default=None, metavar="DIR",
                       help="previous result directory whose prices and stock plan seed the run")
    group.add_argument("--no-stabilization", action="store_true", help="plain column generation")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args.instance)
    options = SolveOptions(time_limit=args.time_limit, mip_gap=args.mip_gap)
    if args.method == "decomposition":
        config = DecompositionConfig(gap=args.gap, max_iterations=args.max_iterations, workers=args.workers,
                                     stabilization=not args.no_stabilization, warm_start=args.warm_start,
                                     progress=False if args.quiet else None)
        result = solve_decomposition(instance, args.backend, options, config=config)
    else:
        result = solve(instance, method=args.method, backend=args.backend, options=options)
    out = args.out if args.out is not None else Path("results") / instance.name
    write_result(result, out)
    if not args.quiet:
        print(format_result(result))
        print(f"  results written to {out}/")
    return 0 if result.has_plan else 1
