"""``meio convert SOURCE TARGET``: an instance directory to a single-file bundle, or back.

A source directory's stored reference (``reference.toml``, e.g. of a suite member) goes with a
directory target, so the copy stays a suite member with its reference; a bundle holds the
instance files only. When the reference is of the model with variants, the command prints them
as the ``--variant`` options that solve that model.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from meio.cli.common import load
from meio.cli.options import reject
from meio.cli.variant_option import variant_options
from meio.data.bundle import DEFAULT_LEVEL, is_bundle_path, open_instance, write_bundle, write_directory
from meio.errors import MeioError
from meio.suite.reference import REFERENCE_FILE, Reference, read_reference


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``convert`` sub-command."""
    parser = subparsers.add_parser(
        "convert", help="convert an instance between a directory and a single-file bundle (.zip)",
        description="Validate SOURCE (an instance directory, bundle or bundled name), then copy its files "
                    "unchanged to TARGET: a bundle when TARGET ends in .zip, else a directory (with the "
                    "source's reference.toml, if any). When the stored reference is of the model with "
                    "variants (suite members such as reference/budget_binds), print the --variant options "
                    "that solve that model.")
    parser.add_argument("source", metavar="SOURCE", help="instance directory, bundle (.zip) or bundled name")
    parser.add_argument("target", metavar="TARGET", help="bundle file (*.zip) or directory to create")
    parser.add_argument("--force", action="store_true", help="overwrite TARGET if it exists")
    parser.add_argument("--level", type=int, default=DEFAULT_LEVEL, choices=range(0, 10), metavar="0-9",
                        help="deflate level of a bundle target")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Validate, then copy the instance files; the target is untouched when the source is invalid."""
    target = Path(args.target)
    bundle = is_bundle_path(target)
    if not bundle:
        reject(args, ["level"], "applies only to a bundle target (a name ending in .zip)")
    _check_target(target, bundle, args.force)
    instance = load(args.source)
    source, location = open_instance(args.source)
    if target.resolve() == location.resolve():
        raise MeioError(f"{target} is the source instance itself")
    reference = read_reference(location) if location.is_dir() else None
    if bundle:
        write_bundle(source, target, level=args.level)
    else:
        write_directory(source, target)
        _copy_reference(location, target, reference)
    kind = "bundle" if bundle else "directory"
    copied = f" with its {REFERENCE_FILE}" if reference is not None and not bundle else ""
    print(f"{instance.name}: valid ({len(instance.products)} products, {len(instance.demand)} demand rows); "
          f"wrote {kind} {target}{copied}")
    if reference is not None and reference.variants:
        print(f"note: the reference optimum of {instance.name} is that of the model with variants; solve it with "
              + variant_options(reference.variants)
              + (f" (the bundle holds no {REFERENCE_FILE})" if bundle else ""))
    return 0


def _copy_reference(location: Path, target: Path, reference: Reference | None) -> None:
    """Copy the source's reference.toml into the directory ``target`` (remove a stale one when it has none)."""
    try:
        if reference is not None:
            shutil.copyfile(location / REFERENCE_FILE, target / REFERENCE_FILE)
        else:
            (target / REFERENCE_FILE).unlink(missing_ok=True)
    except OSError as error:
        raise MeioError(f"cannot write {target / REFERENCE_FILE}: {error}") from error


def _check_target(target: Path, bundle: bool, force: bool) -> None:
    if bundle and target.is_dir():
        raise MeioError(f"{target} is a directory; a bundle target must be a file name ending in .zip")
    if not bundle and target.is_file():
        raise MeioError(f"{target} is a file; a directory target must be a directory (or a name ending in .zip)")
    exists = target.is_file() or (target.is_dir() and any(target.iterdir()))
    if exists and not force:
        raise MeioError(f"{target} already exists (use --force to overwrite)")
