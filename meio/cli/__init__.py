"""The ``meio`` command line: one module per sub-command, each with ``register``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from meio.errors import MeioError

#: Sub-command modules; each defines ``register(subparsers)`` that adds its parser
#: and sets ``run`` (a function of the parsed arguments returning an exit code).
COMMAND_MODULES = (
    "meio.cli.solve",
    "meio.cli.validate",
    "meio.cli.info",
    "meio.cli.generate",
    "meio.cli.scenarios",
    "meio.cli.convert",
    "meio.cli.evaluate",
    "meio.cli.baseline",
    "meio.cli.compare",
    "meio.cli.gap",
    "meio.cli.report",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="meio", description="Multi-echelon inventory optimization (SAA) toolkit."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script: errors become one message and exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except MeioError as error:
        print(f"meio {args.command}: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into a command that stopped reading (e.g. head)
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"meio {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
