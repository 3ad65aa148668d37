"""Options of the fresh scenarios that ``evaluate`` and ``compare`` share, and the checks of their combinations."""

from __future__ import annotations

import argparse
from pathlib import Path

from meio.cli.options import non_negative_int, positive_float, positive_int, reject
from meio.evaluation import POLICIES
from meio.evaluation.dual_price import RESOLVE_EVERY
from meio.evaluation.fresh import SOURCES


def add_scenario_options(parser: argparse.ArgumentParser, scenarios: int = 200) -> None:
    """--scenarios, --seed, --source, --demand-file, --order-size, --policy and --resolve-every."""
    parser.add_argument("--scenarios", type=positive_int, default=scenarios,
                        help="fresh scenarios to evaluate on (with --source file: the file's first ones)")
    parser.add_argument("--seed", type=non_negative_int, default=1, help="seed of the scenarios and order arrivals")
    parser.add_argument("--source", choices=SOURCES, default="auto",
                        help="where fresh scenarios come from: the instance's generator, a bootstrap of its "
                             "scenarios, a demand file, or its own training scenarios (default: auto = "
                             "generator when known, else bootstrap; file with --demand-file)")
    parser.add_argument("--demand-file", type=Path, default=None,
                        help="demand table in demand.csv format to evaluate on (implies --source file)")
    parser.add_argument("--order-size", type=positive_float, default=1.0,
                        help="units per order of the dynamic (myopic and dual-price) policies")
    parser.add_argument("--policy", choices=[*POLICIES, "all"], default="all",
                        help="fulfillment policy to evaluate under: optimal recourse (clairvoyant), myopic "
                             "or dual-price real-time assignment, or all three")
    parser.add_argument("--resolve-every", type=positive_int, default=RESOLVE_EVERY,
                        help="orders between re-solves of the dual-price policy's LP")


def check_scenario_options(args: argparse.Namespace) -> None:
    """Reject the scenario options that do nothing with the chosen source and policy."""
    if args.source not in ("auto", "file"):
        reject(args, ["demand_file"], f"applies only to --source file, not --source {args.source}")
    if args.source == "training":
        reject(args, ["scenarios"], "does not apply to --source training (the instance's own scenarios)")
    if args.policy == "optimal":
        reject(args, ["order_size"], "applies only to the dynamic policy (myopic or dual-price), "
                                     "not --policy optimal")
        if args.source == "training" or args.demand_file is not None:
            reject(args, ["seed"], "does nothing here: no scenarios are sampled and --policy optimal has "
                                   "no order arrivals")
    if args.policy not in ("dual-price", "all"):
        reject(args, ["resolve_every"], f"applies only to the dual-price policy, not --policy {args.policy}")


def policies(args: argparse.Namespace) -> tuple[str, ...]:
    """The policies of ``--policy``."""
    return POLICIES if args.policy == "all" else (args.policy,)
