"""``meio info INSTANCE``: sizes of the instance, its derived sets and its model."""

from __future__ import annotations

import argparse

from meio.cli.common import load
from meio.data.derived import derive_sets
from meio.models import build_model


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``info`` sub-command."""
    parser = subparsers.add_parser("info", help="print the sizes of an instance and its model")
    parser.add_argument("instance", help="instance directory or bundled instance name")
    parser.add_argument("--no-model", action="store_true", help="skip building the model (large instances)")
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
        built = build_model(instance, sets=sets)
        model = built.model
        rows += [("variables y", len(model.y)), ("variables x", len(model.x)), ("variables u", len(model.u)),
                 ("constraints availability", len(model.availability)), ("constraints demand", len(model.demand))]
        for kind in ("storage", "inbound", "throughput", "service"):
            rows.append((f"constraints {kind}", len(getattr(model.linking, kind))))
    print(f"{instance.name}: {instance.description}".rstrip(": "))
    print(f"  integer_stock = {str(instance.integer_stock).lower()}, max_route_lanes = {instance.max_route_lanes}")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value:>10,}")
    return 0
