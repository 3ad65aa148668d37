"""Telling an instance from result directories among the positional arguments of evaluate and compare."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from meio.data.bundle import is_bundle_path
from meio.data.bundled import bundled_names
from meio.errors import OptionError
from meio.results.writer import is_result_dir


def is_instance(argument: str) -> bool:
    """A directory holding products.csv, a .zip bundle, or the name of a bundled instance."""
    path = Path(argument)
    return ((path / "products.csv").is_file() or (is_bundle_path(path) and path.is_file())
            or argument in bundled_names())


def split_instance_and_results(arguments: Sequence[str]) -> tuple[str, list[Path]]:
    """The one instance and the result directories among ``arguments``, in any order.

    A result directory holds summary.json or stock.csv; an instance is recognised by
    :func:`is_instance`. An argument that is neither is an error naming it.
    """
    results = [Path(a) for a in arguments if is_result_dir(Path(a))]
    instances = [a for a in arguments if not is_result_dir(Path(a)) and is_instance(a)]
    neither = [a for a in arguments if not is_result_dir(Path(a)) and not is_instance(a)]
    if neither:
        raise OptionError(f"'{neither[0]}' is neither a result directory (no summary.json or stock.csv) nor an "
                          "instance (a directory with products.csv, a .zip bundle or a bundled name)")
    if len(instances) != 1:
        found = ", ".join(f"'{a}'" for a in instances) or "none"
        raise OptionError(f"give exactly one instance besides the result directories (instances given: {found})")
    return instances[0], results
