"""``meio validate INSTANCE``: check every rule of the instance format."""

from __future__ import annotations

import argparse

from meio.data import load_instance


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("validate", help="check an instance against the data format",
                                   description="Check an instance; list every violation with file, line "
                                               "and column, and the columns that are ignored.")
    parser.add_argument("instance", help="instance directory or bundled instance name")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args.instance)
    for note in instance.notes:
        print(f"note: {note}")
    print(f"{instance.name}: valid ({len(instance.products)} products, {len(instance.nodes)} nodes, "
          f"{len(instance.zones)} zones, {len(instance.scenarios)} scenarios)")
    return 0
