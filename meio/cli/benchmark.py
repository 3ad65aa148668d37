"""``meio benchmark SUITE --methods ... --backends ...``: every method on every backend over a suite."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from meio.cli.common import load
from meio.cli.names import BACKEND_HELP, METHOD_HELP, backend_name, method_name
from meio.cli.options import positive_float
from meio.data.instance import Instance
from meio.solvers import SolveOptions
from meio.suite import suite_members
from meio.suite.benchmark import Run, run_benchmark
from meio.suite.members import Member
from meio.suite.table import write_benchmark


def listed(kind: Callable[[str], str]) -> Callable[[str], list[str]]:
    """An option type for a comma-separated list whose every item ``kind`` checks."""
    def parse(text: str) -> list[str]:
        items = [item.strip() for item in text.split(",") if item.strip()]
        if not items:
            raise argparse.ArgumentTypeError("give at least one name")
        return [kind(item) for item in items]
    parse.__name__ = "list"
    return parse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``benchmark`` sub-command."""
    parser = subparsers.add_parser(
        "benchmark", help="run methods x backends over a suite and compare with the stored references",
        description="Run every method on every backend over the instances of SUITE (a bundled suite such as "
                    "'reference', or a directory of instance directories, each optionally with a reference.toml), "
                    "write benchmark.csv and benchmark.md, and flag every run whose lower bound is above the "
                    "reference optimum or whose objective is below it (exit code 1 when a run is flagged).")
    parser.add_argument("suite", metavar="SUITE", help="bundled suite name (reference) or directory of instances")
    parser.add_argument("--methods", type=listed(method_name), default=["extensive", "decomposition"],
                        help=f"comma-separated methods: {METHOD_HELP}")
    parser.add_argument("--backends", type=listed(backend_name), default=["highs", "ortools"],
                        help=f"comma-separated backends: {BACKEND_HELP}")
    parser.add_argument("--time-limit", type=positive_float, default=None, metavar="SECONDS",
                        help="limit of each run (default: none)")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory of the tables (default: results/benchmark-SUITE)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but warnings and errors")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark, write its tables, print the summary; exit code 1 when a run is flagged."""
    members = suite_members(args.suite)
    show = not args.quiet and sys.stderr.isatty()
    runs = run_benchmark(members, args.methods, args.backends, SolveOptions(time_limit=args.time_limit),
                         progress=_progress if show else None, load=_load)
    out = args.out if args.out is not None else Path("results") / f"benchmark-{Path(args.suite).name}"
    csv, table = write_benchmark(runs, out)
    if not args.quiet:
        print(table.read_text(encoding="utf-8"), end="")
        print(f"  written to {csv} and {table}")
    return 1 if any(run.flag for run in runs) else 0


def _load(member: Member) -> Instance:
    """A member's instance; its warnings are printed as solve prints them, after the member's name."""
    return load(member.path, label=member.name)


def _progress(done: int, total: int, run: Run) -> None:
    """One line per run on stderr (shown on a terminal only)."""
    print(f"[{done}/{total}] {run.instance} {run.method} {run.backend}: {run.status} ({run.seconds:.2f} s)"
          f"{'  FLAGGED ' + run.flag if run.flag else ''}", file=sys.stderr, flush=True)
