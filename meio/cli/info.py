"""``meio info INSTANCE``: sizes of the instance, its derived sets and its extensive model.

The model's sizes are counted from its index tables (:mod:`meio.model_size`), not by
building it, so that ``info`` takes seconds on instances whose model takes gigabytes.
"""

from __future__ import annotations

import argparse

from meio.cli.common import load
from meio.data.derived import derive_sets
from meio.model_size import count_model


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``info`` sub-command."""
    parser = subparsers.add_parser("info", help="print the sizes of an instance and its model",
                                   description="Print the sizes of an instance (products, nodes, zones, speeds, "
                                               "lanes, scenarios, windows), of its derived sets and of its "
                                               "extensive model (variables and constraints by family, and the total of "
                                               "non-zeros, counted without building the model).")
    parser.add_argument("instance", help="instance directory or bundled instance name")
    parser.add_argument("--no-model", action="store_true", help="skip counting the model's rows and columns")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the counts."""
    instance = load(args.instance)
    sets = derive_sets(instance)
    rows = [
        ("products", len(instance.products)), ("nodes", len(instance.nodes)), ("zones", len(instance.zones)),
        ("speeds", len(instance.speeds)), ("lanes", len(instance.lanes)), ("scenarios", len(instance.scenarios)),
        ("windows", 0 if instance.windows is None else len(instance.windows)),
        ("stocking pairs (A)", len(sets.stocking)), ("routes (R)", len(sets.routes)),
        ("demand classes (C)", len(sets.classes)), ("eligible route-class pairs (E)", len(sets.eligible)),
        ("demand entries d > 0", len(sets.demand)),
    ]
    if not args.no_model:
        size = count_model(instance, sets)
        rows += [(f"variables {name}", n) for name, n in size.variables.items()]
        rows += [(f"constraints {name}", n) for name, n in size.constraints.items()]
        rows += [("extensive model: variables", size.total_variables),
                 ("extensive model: constraints", size.total_constraints),
                 ("extensive model: non-zeros", size.nonzeros)]
    print(f"{instance.name}: {instance.description}".rstrip(": "))
    print(f"  integer_stock = {str(instance.integer_stock).lower()}, max_route_lanes = {instance.max_route_lanes}")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value:>12,}")
    return 0
