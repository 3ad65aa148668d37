"""``meio scenarios FORECAST.csv --out demand.csv``: sample demand scenarios from a forecast."""

from __future__ import annotations

import argparse
from pathlib import Path

from meio.cli.common import warn_notes
from meio.cli.options import non_negative_float, non_negative_int, positive_int
from meio.data.replace_demand import instance_with_demand
from meio.data.scenarios import DISTRIBUTIONS, read_forecast, scenarios_from_forecast


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``scenarios`` sub-command."""
    parser = subparsers.add_parser(
        "scenarios", help="sample demand.csv from a forecast",
        description="Sample compound demand over the protection interval (review + lead time) per "
                    "(product, zone, speed) of a forecast CSV; see docs/scenarios.md for the format.")
    parser.add_argument("forecast", metavar="FORECAST.csv", help="forecast table")
    parser.add_argument("--out", required=True,
                        help="demand.csv to write; with --network, the instance directory to write")
    parser.add_argument("--network", default=None, metavar="INSTANCE",
                        help="write a complete instance: this instance's network with the sampled demand")
    parser.add_argument("--scenarios", type=positive_int, required=True, help="number of scenarios")
    parser.add_argument("--seed", type=non_negative_int, required=True, help="random seed")
    parser.add_argument("--distribution", choices=DISTRIBUTIONS, default="negbin",
                        help="daily demand distribution (default: %(default)s)")
    parser.add_argument("--correlation", type=non_negative_float, default=0.0,
                        help="variance of the common shock per (scenario, product)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read the forecast, sample, write demand.csv."""
    forecast = read_forecast(args.forecast)
    demand = scenarios_from_forecast(forecast, scenarios=args.scenarios, seed=args.seed,
                                     distribution=args.distribution, correlation=args.correlation,
                                     source=str(args.forecast))
    out = Path(args.out)
    if args.network is not None:
        instance = instance_with_demand(args.network, demand, out, source=str(args.forecast))
        warn_notes(instance)
        print(f"wrote instance {out} ({len(instance.products)} products, {len(demand)} demand rows, "
              f"{args.scenarios} scenarios) on the network of {args.network}")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    demand.to_csv(out, index=False)
    print(f"wrote {len(demand)} demand rows ({args.scenarios} scenarios) to {out}")
    return 0
