"""``meio export INSTANCE --format mps|lp --out FILE [--dec FILE]``: the extensive form for any solver."""

from __future__ import annotations

import argparse
from pathlib import Path

from meio.cli.common import load
from meio.cli.variant_option import add_variant_option, variant_options, variants
from meio.data.bundle import open_instance
from meio.errors import OptionError
from meio.export import FORMATS, write_dec, write_model
from meio.models import build_model
from meio.suite.reference import read_reference


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``export`` sub-command."""
    parser = subparsers.add_parser(
        "export", help="write the extensive form as MPS or LP, and a GCG .dec file",
        description="Write the extensive form of INSTANCE (integer where integer_stock is set) with the "
                    "formulation's names; its constant is the fixed column objective_constant. --dec also writes "
                    "GCG's decomposition file: one block per product, the linking rows (a variant's rows over "
                    "several products among them) as master constraints.")
    parser.add_argument("instance", help="instance directory, bundle or bundled name")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="model file to write")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="file format (default: the suffix of --out: .mps or .lp)")
    parser.add_argument("--dec", type=Path, default=None, metavar="FILE", help="GCG .dec file to write")
    parser.add_argument("--quiet", action="store_true", help="print nothing but warnings and errors")
    add_variant_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Build the model, write the files, print what was written."""
    fmt = args.format or args.out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise OptionError(f"--format is needed: the suffix of {args.out} is neither .mps nor .lp")
    instance = load(args.instance)
    built = build_model(instance, variants=variants(args))
    form = write_model(built, args.out, fmt)
    blocks = write_dec(built, form, args.dec) if args.dec is not None else None
    if not args.quiet:
        print(f"{instance.name}: wrote {args.out} ({fmt}, {len(form.c) + 1:,} columns, {len(form.constraints):,} rows"
              f"{', integer' if built.integer else ''}; objective constant {form.offset:g})")
        if blocks is not None:
            print(f"  wrote {args.dec} ({len(blocks) - 1} blocks, {len(blocks['master'])} master constraints)")
    _, location = open_instance(args.instance)
    reference = read_reference(location) if location.is_dir() else None
    if reference is not None and reference.variants and not args.variants:
        print(f"note: the reference optimum of {instance.name} is that of the model with variants; export that "
              f"model with {variant_options(reference.variants)}")
    return 0
