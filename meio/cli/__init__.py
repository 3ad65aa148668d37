"""The ``meio`` command line: one module per sub-command, each with ``register``.

Exit codes: 0 when the command's output (a plan, a report, ...) is written, 1 when valid
input gives no plan, 2 for bad input or options (including argparse's usage errors).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from meio import progress
from meio.cli.options import DefaultsFormatter, given_options
from meio.errors import MeioError

#: Sub-commands: name -> (module, one-line help). Each module defines ``register(subparsers)``
#: that adds its parser and sets ``run`` (a function of the parsed arguments returning an
#: exit code). Only the module of the command being run is imported, so that ``meio
#: validate`` does not pay for importing Pyomo, the solvers and matplotlib.
COMMANDS: dict[str, tuple[str, str]] = {
    "solve": ("meio.cli.solve", "solve an instance and write the result files"),
    "validate": ("meio.cli.validate", "check an instance against the data format"),
    "info": ("meio.cli.info", "print the sizes of an instance and its model"),
    "generate": ("meio.cli.generate", "write a realistic generated instance"),
    "scenarios": ("meio.cli.scenarios", "sample demand scenarios from a forecast"),
    "convert": ("meio.cli.convert", "convert an instance between a directory and a zip bundle"),
    "evaluate": ("meio.cli.evaluate", "evaluate a plan on fresh scenarios under two fulfillment policies"),
    "baseline": ("meio.cli.baseline", "build a baseline plan (single-echelon, speed-blind, no-capacity)"),
    "compare": ("meio.cli.compare", "compare plans and baselines on common fresh scenarios"),
    "gap": ("meio.cli.gap", "estimate the SAA optimality gap (Mak-Morton-Wood)"),
    "report": ("meio.cli.report", "write a self-contained HTML report of a result"),
    "benchmark": ("meio.cli.benchmark", "run methods x backends over a suite and compare with its references"),
    "export": ("meio.cli.export", "write the extensive form as MPS or LP, and a GCG .dec file"),
    "instances": ("meio.cli.instances", "list the bundled instances and suites with sizes and references"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser; ``command`` gets its full parser, the others a one-line entry.

    With ``command=None`` every sub-command is registered in full.
    """
    parser = argparse.ArgumentParser(
        prog="meio", description="Multi-echelon inventory optimization (SAA) toolkit."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, summary) in COMMANDS.items():
        if command is None or name == command:
            importlib.import_module(module).register(subparsers)
        else:
            subparsers.add_parser(name, help=summary)
    for subparser in subparsers.choices.values():
        subparser.formatter_class = DefaultsFormatter
    return parser


def _version() -> str:
    """The installed package's version (package metadata)."""
    try:
        return version("meio")
    except PackageNotFoundError:  # pragma: no cover - running from a tree that is not installed
        return "unknown"


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parse ``argv``; ``given`` holds the sub-command options given on the command line."""
    argv = list(argv)
    command = _command_of(argv)
    parser = build_parser(command)
    args = parser.parse_args(argv)
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    args.given = given_options(subparsers.choices[command], argv[argv.index(command) + 1:])
    return args


def _command_of(argv: Sequence[str]) -> str:
    """The sub-command named on the command line ("" when there is none)."""
    return next((arg for arg in argv if not arg.startswith("-")), "")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script: errors become one message and their exit code
    (2 for bad input or options, 1 when valid input gives no plan)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    progress.command_started()  # the status line's clock (imported before Pyomo and the solvers)
    try:
        args = parse(argv)
    except SystemExit as stop:  # usage errors (2), --help and --version (0): argparse printed them
        return stop.code if isinstance(stop.code, int) else 2
    try:
        return int(args.run(args) or 0)
    except MeioError as error:
        progress.close_all()
        print(f"meio {args.command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:  # output piped into a command that stopped reading (e.g. head)
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        progress.close_all()
        print(f"meio {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        progress.close_all()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
