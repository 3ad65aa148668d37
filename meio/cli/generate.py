"""``meio generate OUT_DIR``: write a random instance on the largest US metros."""

from __future__ import annotations

import argparse
from pathlib import Path

from meio.cli.options import non_negative_int, positive_float, positive_int, probability
from meio.data.generator import MAX_TIGHTNESS, SPEEDS, GeneratorConfig, GeneratorError, write_instance
from meio.data.writer import INSTANCE_FILES, check_target_dir
from meio.errors import OptionError
from meio.progress import StatusLine


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``generate`` sub-command."""
    parser = subparsers.add_parser(
        "generate", help="write a random instance",
        description="Write a random but realistic instance (DCs, fulfillment centers, same-day sites "
                    "at the largest US metros); the same seed gives byte-identical files.")
    parser.add_argument("out_dir", metavar="OUT_DIR", type=Path,
                        help="directory to write the CSV files to (new or empty, unless --force)")
    parser.add_argument("--force", action="store_true",
                        help=f"write into a non-empty directory: remove the instance files there first "
                             f"({', '.join(INSTANCE_FILES)}), keep any other file")
    parser.add_argument("--products", type=positive_int, required=True, help="number of products")
    parser.add_argument("--nodes", type=positive_int, required=True,
                        help="number of nodes, all kinds (at least 2 to 4, by the kinds of sites)")
    parser.add_argument("--zones", type=positive_int, required=True, help="customer zones (largest metros, <= 50)")
    parser.add_argument("--scenarios", type=positive_int, required=True, help="demand scenarios")
    parser.add_argument("--seed", type=non_negative_int, required=True, help="random seed")
    parser.add_argument("--speeds", default="same_day,one_day,two_day",
                        help=f"comma-separated speeds among {', '.join(SPEEDS)} (default: %(default)s)")
    parser.add_argument("--tightness", type=positive_float, default=0.8,
                        help=f"capacity / design load: < 1 binds, > 1 slack; at most {MAX_TIGHTNESS:g}")
    parser.add_argument("--no-same-day-sites", dest="same_day_sites", action="store_false",
                        help="no same-day sites")
    parser.add_argument("--nonsort-sites", action="store_true",
                        help="add non-sortable centers that stock only the 'large' category")
    parser.add_argument("--windows", action="store_true", help="write windows.csv (order windows)")
    parser.add_argument("--on-hand", action="store_true", help="write inventory.csv (on-hand stock)")
    parser.add_argument("--fill-rate-target", type=probability, default=None,
                        help="fill-rate target of every speed (default: none)")
    parser.add_argument("--name", default=None,
                        help="instance name, which names its result directories (default: the name of OUT_DIR)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the configuration, then the target directory; generate the instance and report where it went."""
    config = GeneratorConfig(
        products=args.products, nodes=args.nodes, zones=args.zones, scenarios=args.scenarios,
        seed=args.seed, speeds=tuple(s.strip() for s in args.speeds.split(",") if s.strip()),
        tightness=args.tightness, same_day_sites=args.same_day_sites, nonsort_sites=args.nonsort_sites,
        windows=args.windows, on_hand=args.on_hand, fill_rate_target=args.fill_rate_target,
        name=args.name if args.name is not None else args.out_dir.resolve().name)
    check_options(config)
    check_target_dir(args.out_dir, args.force)
    with StatusLine() as line:  # on a terminal: each phase, the demand scenario by scenario
        out = write_instance(args.out_dir, config, line)
    print(f"wrote instance '{config.name}' to {out}")
    return 0


def check_options(config: GeneratorConfig) -> None:
    """:meth:`GeneratorConfig.check`, its error naming the option of the knob at fault (``--knob``)."""
    try:
        config.check()
    except GeneratorError as error:
        raise OptionError(f"argument --{error.knob.replace('_', '-')}: {error.rule}") from None
