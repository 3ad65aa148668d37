"""Pluggable solution methods: a researcher's function ``(instance, backend, options) -> Result``.

A method outside meio is named in one of three ways (``meio solve --method``, ``meio benchmark
--methods``, :func:`meio.solve.solve`):

- ``package.module:function`` — imported like any Python module;
- ``path/to/file.py:function`` — a file loaded by path (relative to the working directory);
- a name registered by a distribution in the entry-point group :data:`ENTRY_POINT_GROUP`.

A method solves the model of formulation.md alone unless it declares that it takes model
variants (:func:`takes_variants`, which sets the attribute :data:`TAKES_VARIANTS`): it is then
called as ``method(instance, backend, options, variants=[...])`` with the variants resolved to
callables on the built model (``meio.models.variants``), and must apply them to every model it
solves. :func:`meio.solve.solve` refuses variants for a method that does not declare it, and
``meio benchmark`` does not run it on a member whose reference carries variants (the row says so).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import TypeVar

from meio.data.instance import Instance
from meio.errors import OptionError
from meio.results.result import Result
from meio.solvers import SolveOptions

#: A solution method: it solves an instance with the named backend and returns a :class:`Result`.
Method = Callable[[Instance, str, SolveOptions], Result]

#: Entry-point group in which other distributions register methods by name.
ENTRY_POINT_GROUP = "meio.methods"

#: Attribute by which a method declares that it takes model variants (``True``); see :func:`takes_variants`.
TAKES_VARIANTS = "meio_takes_variants"

F = TypeVar("F", bound=Callable[..., Result])


def takes_variants(method: F) -> F:
    """Declare that ``method`` takes model variants (a decorator): it is called with a keyword
    ``variants`` (a list of callables on the built model, possibly empty) and applies them."""
    setattr(method, TAKES_VARIANTS, True)
    return method


def declares_variants(method: Callable[..., Result]) -> bool:
    """Whether ``method`` declared that it takes model variants (:func:`takes_variants`)."""
    return getattr(method, TAKES_VARIANTS, False) is True


def registered_methods() -> dict[str, str]:
    """Methods registered by entry points: name -> ``module:function`` they point to."""
    return {point.name: point.value for point in entry_points(group=ENTRY_POINT_GROUP)}


@cache
def load_method(spec: str) -> Method:
    """The method named by ``spec`` (an entry-point name, ``module:function`` or ``file.py:function``).

    Raises :class:`OptionError` naming what is wrong (no such module, file or function, or not callable).
    """
    points = {point.name: point for point in entry_points(group=ENTRY_POINT_GROUP)}
    if spec in points:
        target = points[spec].load()
    else:
        where, colon, name = spec.rpartition(":")
        if not colon or not where or not name:
            raise OptionError(f"method '{spec}' is neither an entry point of '{ENTRY_POINT_GROUP}' nor "
                              "module:function or path/to/file.py:function")
        target = getattr(_module(where), name, None)
        if target is None:
            raise OptionError(f"method '{spec}': {where} has no attribute '{name}'")
    if not callable(target):
        raise OptionError(f"method '{spec}' is not a function")
    return target


def _module(where: str, what: str = "method") -> object:
    """The module ``where`` names: a ``.py`` file by path, else an importable module (``what``: the
    word for it in messages)."""
    if where.endswith(".py"):
        path = Path(where).resolve()
        if not path.is_file():
            raise OptionError(f"{what} file {where} does not exist")
        name = f"meio_{what}_{abs(hash(str(path)))}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise OptionError(f"{what} file {where} cannot be loaded as Python")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses and pickling look modules up by name
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            del sys.modules[name]
            raise OptionError(f"{what} file {where} fails to load: {type(error).__name__}: {error}") from error
        return module
    try:
        return importlib.import_module(where)
    except ImportError as error:
        raise OptionError(f"{what} module '{where}' cannot be imported: {error}") from error
