"""Shared option handling of the sub-commands: value types, defaults in ``--help``, options that do not apply.

The ``type=`` functions raise :class:`argparse.ArgumentTypeError`, so that argparse reports
``argument --time-limit: must be > 0, got -1`` and exit code 2.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterable, Sequence

from meio.errors import OptionError

#: Value of an option in the namespace of :func:`given_options` while it is not given.
_UNSET = object()


def _number(text: str, kind: Callable[[str], float]) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {'an integer' if kind is int else 'a number'}, "
                                         f"got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def _checked(kind: Callable[[str], float], test: Callable[[float], bool], rule: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = _number(text, kind)
        if not test(value):
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text}")
        return value

    parse.__name__ = rule  # argparse names the type in "invalid <name> value" messages
    return parse


positive_float = _checked(float, lambda v: v > 0, "> 0")
non_negative_float = _checked(float, lambda v: v >= 0, ">= 0")
positive_int = _checked(int, lambda v: v >= 1, "an integer >= 1")
non_negative_int = _checked(int, lambda v: v >= 0, "an integer >= 0")
at_least_two = _checked(int, lambda v: v >= 2, "an integer >= 2")
gap_fraction = _checked(float, lambda v: 0 <= v < 1, "in [0, 1)")
probability = _checked(float, lambda v: 0 <= v <= 1, "in [0, 1]")


class DefaultsFormatter(argparse.HelpFormatter):
    """Appends ``(default: X)`` to every option's help unless the help names its default already.

    Flags (``store_true``, ``--help``) and options without a default (``None``) are left as they are.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "default" in text or action.default is None or action.nargs == 0 or not action.option_strings:
            return text
        return f"{text} (default: %(default)s)".lstrip()


def given_options(parser: argparse.ArgumentParser, argv: Sequence[str]) -> dict[str, str]:
    """Options given on the command line ``argv`` of ``parser``: destination -> option string.

    Parses ``argv`` again into a namespace where every destination is preset, so that argparse
    fills in no defaults and only the given options change their value.
    """
    actions = [a for a in parser._actions if a.option_strings and a.dest != "help"]
    namespace = argparse.Namespace(**{a.dest: _UNSET for a in actions})
    parser.parse_known_args(list(argv), namespace)
    return {a.dest: a.option_strings[-1] for a in actions if getattr(namespace, a.dest) is not _UNSET}


def name_list(option: str, text: str, choices: Sequence[str], kind: str) -> tuple[str, ...]:
    """The names of a comma-separated option value (``all`` among them: every one of ``choices``), as given.

    A name that is not one of ``choices`` raises :class:`OptionError` naming the option and ``kind``.
    """
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in choices and name != "all"]
    if unknown:
        raise OptionError(f"{option}: unknown {kind} '{unknown[0]}' (choose from {', '.join(choices)} or all)")
    if "all" in names:
        return tuple(choices)
    return names


def reject(args: argparse.Namespace, dests: Iterable[str], reason: str) -> None:
    """Raise :class:`OptionError` naming the first of ``dests`` given on the command line."""
    given: dict[str, str] = getattr(args, "given", {})
    for dest in dests:
        if dest in given:
            raise OptionError(f"{given[dest]} {reason}")
