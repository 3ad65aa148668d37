"""Options of the fresh scenarios that ``evaluate`` and ``compare`` share, and the checks of their combinations."""

from __future__ import annotations

import argparse
from pathlib import Path

from meio.cli.options import name_list, non_negative_int, positive_float, positive_int, reject
from meio.errors import OptionError
from meio.evaluation import DEFAULT_POLICIES, POLICIES
from meio.evaluation.dual_price import RESOLVE_EVERY
from meio.evaluation.fresh import SOURCES

#: The policies of ``--policy`` by default: not dual-price, which costs 100-300 times myopic per order.


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
    parser.add_argument("--policy", default=",".join(DEFAULT_POLICIES), metavar="LIST",
                        help="comma-separated fulfillment policies to evaluate under: optimal (clairvoyant "
                             "recourse), myopic and dual-price (real-time order-by-order assignment), or all. "
                             "dual-price re-solves an LP per demand future (up to 30) every --resolve-every "
                             "orders and takes 100-300 times as long per order as myopic (a quarter of an hour "
                             "or more per plan on the demo's 200 scenarios), so it "
                             f"runs only when named (default: {','.join(DEFAULT_POLICIES)})")
    parser.add_argument("--resolve-every", type=positive_int, default=RESOLVE_EVERY,
                        help="orders between re-solves of the dual-price policy's LPs")


def check_scenario_options(args: argparse.Namespace) -> None:
    """Reject the scenario options that do nothing with the chosen source and policy."""
    if args.source not in ("auto", "file"):
        reject(args, ["demand_file"], f"applies only to --source file, not --source {args.source}")
    if args.source == "training":
        reject(args, ["scenarios"], "does not apply to --source training (the instance's own scenarios)")
    chosen = policies(args)
    if chosen == ("optimal",):
        reject(args, ["order_size"], "applies only to the dynamic policy (myopic or dual-price), "
                                     "not --policy optimal")
        if args.source == "training" or args.demand_file is not None:
            reject(args, ["seed"], "does nothing here: no scenarios are sampled and --policy optimal has "
                                   "no order arrivals")
    if "dual-price" not in chosen:
        reject(args, ["resolve_every"], f"applies only to the dual-price policy, which --policy "
                                        f"{','.join(chosen)} leaves out")


def policies(args: argparse.Namespace) -> tuple[str, ...]:
    """The policies of ``--policy``, each once, in the order of :data:`POLICIES`."""
    names = name_list("--policy", args.policy, POLICIES, "policy")
    if not names:
        raise OptionError(f"--policy: give at least one policy ({', '.join(POLICIES)}) or all")
    return tuple(policy for policy in POLICIES if policy in names)
