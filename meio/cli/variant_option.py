"""``--variant NAME[:key=value,...]`` (repeatable), shared by solve, evaluate, baseline, compare and gap."""

from __future__ import annotations

import argparse
import shlex

from meio.models.build import ModelVariant
from meio.models.variants import BUILTIN, resolve_variants

VARIANT_HELP = (f"model variant, repeatable: a built-in one ({', '.join(BUILTIN)}) as NAME:key=value,..., or "
                "package.module:function or path/to/file.py:function (see docs/variants.md)")


class _Append(argparse.Action):
    """``append`` that also starts a list over a preset non-list value (as :func:`given_options` presets)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        items = getattr(namespace, self.dest, None)
        setattr(namespace, self.dest, [*(items if isinstance(items, list) else []), values])


def add_variant_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--variant`` (repeatable; kept as text until :func:`variants` reads it)."""
    parser.add_argument("--variant", dest="variants", action=_Append, default=[], metavar="NAME[:key=value,...]",
                        help=VARIANT_HELP)


def variants(args: argparse.Namespace) -> list[ModelVariant]:
    """The ``--variant`` options as variants (an :class:`~meio.errors.OptionError` for a bad one)."""
    return resolve_variants(args.variants)



def variant_options(texts: list[str] | tuple[str, ...]) -> str:
    """Variant texts as the ``--variant`` options that name them."""
    return " ".join(f"--variant {shlex.quote(text)}" for text in texts)
