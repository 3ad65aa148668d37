"""``meio validate INSTANCE``: check every rule of the instance format."""

from __future__ import annotations

import argparse

from meio.cli.common import load


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` sub-command."""
    parser = subparsers.add_parser("validate", help="check an instance against the data format",
                                   description="Check an instance; list every violation with file, line "
                                               "and column; the instance's warnings (such as ignored "
                                               "columns) go to stderr.")
    parser.add_argument("instance", help="instance directory or bundled instance name")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load the instance (which checks it) and say it is valid."""
    instance = load(args.instance)
    print(f"{instance.name}: valid ({len(instance.products)} products, {len(instance.nodes)} nodes, "
          f"{len(instance.zones)} zones, {len(instance.scenarios)} scenarios)")
    return 0
