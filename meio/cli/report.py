"""``meio report RESULT_DIR --out report.html``: one self-contained HTML page with figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from meio.cli.common import warn
from meio.evaluation.report import write_report
from meio.progress import StatusLine


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` sub-command."""
    parser = subparsers.add_parser(
        "report", help="write an HTML report of a result directory",
        description="Write one self-contained HTML page (figures embedded) with the cost breakdown, fill rates, "
                    "stock placement, capacity use and opportunity costs, decomposition convergence, "
                    "out-of-sample evaluation, plan comparison, SAA gap and a map, from whatever the result "
                    "directory holds. Evaluation files about another plan than the directory's stock.csv "
                    "are left out, with a warning.")
    parser.add_argument("result_dir", type=Path, metavar="RESULT_DIR", help="result directory written by solve")
    parser.add_argument("--out", type=Path, default=None, help="HTML file (default: RESULT_DIR/report.html)")
    parser.add_argument("--instance", default=None,
                        help="instance directory or bundled name (default: recorded in the result files)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the report; print its warnings."""
    out = args.out if args.out is not None else args.result_dir / "report.html"
    with StatusLine() as line:  # on a terminal: reading, each figure as it is drawn, writing
        report = write_report(args.result_dir, out, args.instance, progress=line)
    for message in report.warnings:
        warn(message)
    print(f"report written to {out}")
    return 0
