"""``meio instances``: the bundled instances and suite members, with their sizes and stored references."""

from __future__ import annotations

import argparse
import math
import tomllib
from pathlib import Path

from meio.cli.variant_option import variant_options
from meio.data.bundled import BUNDLED_DIR, bundled_names
from meio.suite import read_reference
from meio.suite.reference import Reference

#: Tables whose data rows are counted (a cheap size: no instance is loaded).
COUNTED = ("products", "nodes", "zones", "speeds", "demand")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``instances`` sub-command."""
    parser = subparsers.add_parser(
        "instances", help="list the bundled instances and suites with sizes and references",
        description="List every bundled instance (usable by name wherever an instance is expected; "
                    "`meio convert NAME DIR` copies one) with its table sizes, the size of its extensive "
                    "form, its reference optimum where one is stored (suite members) and the model variants "
                    "that reference is of, as the --variant options that solve the same model.")
    parser.add_argument("--descriptions", action="store_true", help="print each instance's description")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print one line per bundled instance."""
    names = bundled_names()
    width = max(len(name) for name in names)
    references = {name: read_reference(BUNDLED_DIR / name) for name in names}
    texts = {name: _reference(reference) for name, reference in references.items()}
    shown = max(len(text) for text in texts.values())
    print(f"{'name':<{width}}  " + "  ".join(f"{t:>8}" for t in COUNTED)
          + f"  {'variables':>9}  {'reference':<{shown}}  variants")
    for name in names:
        folder, reference = BUNDLED_DIR / name, references[name]
        counts = "  ".join(f"{_rows(folder / f'{t}.csv'):>8,}" for t in COUNTED)
        variables = f"{reference.variables:>9,}" if reference is not None else f"{'':>9}"
        variants = variant_options(reference.variants) if reference is not None else ""
        print(f"{name:<{width}}  {counts}  {variables}  {texts[name]:<{shown}}  {variants}".rstrip())
        if args.descriptions:
            print(f"{'':<{width}}  {_description(folder)}")
    return 0


def _rows(path: Path) -> int:
    """Data rows of a CSV file (lines after the header)."""
    with path.open("rb") as handle:
        return max(0, sum(1 for line in handle if line.strip()) - 1)


def _reference(reference: Reference | None) -> str:
    if reference is None:
        return "-"
    if reference.status == "infeasible":
        return "infeasible"
    text = f"LP {reference.lp:,.6f}"
    return text + (f", MIP {reference.mip:,.6f}" if reference.mip is not None and math.isfinite(reference.mip) else "")


def _description(folder: Path) -> str:
    toml = folder / "instance.toml"
    return str(tomllib.loads(toml.read_text(encoding="utf-8")).get("description", "")) if toml.is_file() else ""
