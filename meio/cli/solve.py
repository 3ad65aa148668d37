"""``meio solve INSTANCE --method ... --backend ... --out DIR``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from meio.cli.common import load
from meio.cli.names import BACKEND_HELP, METHOD_HELP, backend_name, method_name
from meio.cli.options import gap_fraction, positive_float, positive_int, reject
from meio.cli.variant_option import add_variant_option, variants
from meio.decomposition import DecompositionConfig
from meio.decomposition.config import MASTER_SOLVERS
from meio.decomposition.engine import ENGINES, make_engine
from meio.errors import OptionError, SolverError
from meio.progress import StatusLine
from meio.results import Result, write_result
from meio.results.text import format_result
from meio.solve import check_method_backend, solve
from meio.solvers import SolveOptions, Termination

#: Options of --method decomposition only (destinations).
DECOMPOSITION_ONLY = ("workers", "engine", "address", "gap", "max_iterations", "warm_start", "no_stabilization",
                      "no_capacity_shares", "no_clearing_prices", "master_solver", "master_to_optimum")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``solve`` sub-command."""
    parser = subparsers.add_parser("solve", help="solve an instance and write the result files",
                                   description="Solve an instance (directory or bundled name) and write "
                                               "summary.json, stock.csv, flows.csv, prices.csv and utilization.csv "
                                               "(the decomposition also convergence.csv, warm_start.npz and "
                                               "bases.npz) to a result directory, after removing what an earlier "
                                               "plan left there.")
    parser.add_argument("instance", help="instance directory or bundled instance name (tiny, demo)")
    parser.add_argument("--method", type=method_name, default="extensive",
                        help=f"extensive: the whole model, solved exactly; decomposition: by products; {METHOD_HELP}")
    parser.add_argument("--backend", type=backend_name, default="highs", help=f"solver: {BACKEND_HELP}")
    parser.add_argument("--out", type=Path, default=None, help="result directory (default: results/NAME)")
    parser.add_argument("--time-limit", type=positive_float, default=None, metavar="SECONDS",
                        help="wall-clock limit of the solve; with --method extensive it counts from the start of "
                             "the solve, model build included, and the solver gets what the build and loading left "
                             "(default: none)")
    parser.add_argument("--mip-gap", type=gap_fraction, default=1e-6,
                        help="relative MIP gap, for integer_stock instances only")
    parser.add_argument("--quiet", action="store_true", help="print nothing but warnings and errors")
    add_variant_option(parser)
    parser.add_argument("--verbose", action="store_true", help="pass the solver's log through to standard output")
    defaults = DecompositionConfig()
    group = parser.add_argument_group("decomposition (--method decomposition only)")
    group.add_argument("--workers", type=positive_int, default=defaults.workers,
                       help="pricing workers (threads of one process with --engine threads)")
    group.add_argument("--engine", default=None, help=f"where pricing workers run: {', '.join(ENGINES)} "
                       "(default: threads for one worker, processes for more)")
    group.add_argument("--address", default=None, metavar="ADDR",
                       help="address of a running Ray cluster (--engine ray; default: start a local Ray)")
    group.add_argument("--gap", type=gap_fraction, default=defaults.gap, help="relative gap to stop at")
    group.add_argument("--max-iterations", type=positive_int, default=defaults.max_iterations,
                       help="iteration limit")
    group.add_argument("--warm-start", type=Path, default=None, metavar="DIR",
                       help="previous result directory whose prices and stock plan seed the run")
    group.add_argument("--no-stabilization", action="store_true", help="plain column generation")
    group.add_argument("--no-capacity-shares", action="store_true",
                       help="no capacity-share pass after the first pricing pass, and so no clearing-price pass "
                            "(its first plan comes earlier, its later plans later; see docs/decomposition.md)")
    group.add_argument("--no-clearing-prices", action="store_true",
                       help="no pricing pass at the clearing prices of the capacity shares (the lower bound "
                            "comes later; see docs/decomposition.md)")
    group.add_argument("--master-solver", choices=MASTER_SOLVERS, default=defaults.master_solver,
                       help="the restricted master's LP algorithm: simplex (warm re-solves), barrier (HiGHS's "
                            "interior point method and crossover, every solve; for very large masters) or hybrid "
                            "(the first phase-two solve by interior point, then warm simplex); default: hybrid on "
                            "highs, simplex on the other backends (barrier and hybrid: highs only)")
    group.add_argument("--master-to-optimum", action="store_true",
                       help="solve every restricted master LP to its optimum; by default a warm re-solve stops "
                            "at the first of its (feasible) plans within --gap of the lower bound, and the run "
                            "ends with that plan (see docs/decomposition.md)")
    parser.set_defaults(run=run)


def failed_result(instance: str, args: argparse.Namespace, message: str, seconds: float) -> Result:
    """The result of a solve a solver error stopped: no plan, no bound, the error as its message."""
    return Result.without_plan(Termination.SOLVER_ERROR, args.method, args.backend, instance, message, seconds)


def run(args: argparse.Namespace) -> int:
    """Solve, write the result directory, print the summary; exit code 1 when there is no plan."""
    if args.method != "decomposition":
        reject(args, DECOMPOSITION_ONLY, "applies only to --method decomposition")
    else:  # its integer master solves to 1e-9; it prints its own progress, not a solver's log
        reject(args, ["mip_gap"], "does not apply to --method decomposition (its gap is --gap)")
        reject(args, ["verbose"], "does not apply to --method decomposition (it prints its progress unless --quiet)")
    check_method_backend(args.method, args.backend)
    if args.warm_start is not None and not args.warm_start.is_dir():
        raise OptionError(f"--warm-start {args.warm_start}: no such directory (give the directory of a result "
                          "written by 'meio solve')")
    with StatusLine(enabled=not args.quiet and sys.stderr.isatty()) as line:
        line.phase(f"loading {args.instance}")
        instance = load(args.instance)
        if not instance.integer_stock:
            reject(args, ["mip_gap"], f"applies only to integer_stock instances, and {instance.name} is not one")
        if args.method == "decomposition":  # its workers load their products' rows from args.instance
            instance = instance.without_rows()
        if args.method != "extensive":
            line.close()  # the decomposition shows its own line (iterations, bounds, gap)
        options = SolveOptions(time_limit=args.time_limit, mip_gap=args.mip_gap, verbose=args.verbose,
                               progress=line if args.method == "extensive" else False)
        config = DecompositionConfig(gap=args.gap, max_iterations=args.max_iterations, workers=args.workers,
                                     stabilization=not args.no_stabilization,
                                     capacity_shares=not args.no_capacity_shares,
                                     clearing_prices=not args.no_clearing_prices, warm_start=args.warm_start,
                                     master_solver=args.master_solver,
                                     stop_master_within_gap=not args.master_to_optimum,
                                     progress=False if args.quiet else None, source=args.instance,
                                     engine=make_engine(args.engine or ("threads" if args.workers == 1
                                                                        else "processes"),
                                                        args.workers, args.address)
                                     ) if args.method == "decomposition" else None
        out = args.out if args.out is not None else Path("results") / instance.name
        start = time.perf_counter()
        try:
            result = solve(instance, method=args.method, backend=args.backend, options=options,
                           variants=variants(args), config=config)
        except SolverError as error:
            # the directory must not keep an earlier plan as if it were this run's
            write_result(failed_result(instance.name, args, str(error), time.perf_counter() - start), out)
            raise SolverError(f"{error} (summary.json of the failed solve written to {out}/)") from None
        line.phase(f"writing {out}/")
        write_result(result, out)
    if not args.quiet:
        print(format_result(result))
        print(f"  results written to {out}/")
    return 0 if result.has_plan else 1
