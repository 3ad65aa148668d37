"""Telling an instance from result directories among the positional arguments of evaluate and compare."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from meio.errors import OptionError
from meio.results.writer import is_result_dir


def split_instance_and_results(arguments: Sequence[str]) -> tuple[str, list[Path]]:
    """The one instance and the result directories among ``arguments``, in any order.

    A result directory is a directory holding summary.json or stock.csv; every other
    argument is taken as the instance.
    """
    results = [Path(a) for a in arguments if is_result_dir(Path(a))]
    others = [a for a in arguments if not is_result_dir(Path(a))]
    if len(others) > 1:
        raise OptionError(f"expected one instance and result directories, but {', '.join(map(repr, others))} "
                          "are not result directories (no summary.json or stock.csv)")
    if not others:
        raise OptionError("no instance given: every argument is a result directory")
    return others[0], results
