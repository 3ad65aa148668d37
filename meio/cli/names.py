"""Option types naming a method or a backend: built-in names and the pluggable ones, checked when parsed."""

from __future__ import annotations

import argparse

from meio.errors import MeioError
from meio.solve import METHODS, get_method
from meio.solvers import get_backend

#: How --method and --backend are described in --help.
METHOD_HELP = (f"{', '.join(METHODS)}, or a pluggable method: module:function, path/to/file.py:function "
               "or an entry point of meio.methods")
BACKEND_HELP = "highs, ortools, or pyomo:NAME (any solver Pyomo drives: glpk, cbc, gurobi, ...)"


def method_name(text: str) -> str:
    """``text`` if it names a method (built-in or loadable), else an argparse error naming why."""
    try:
        get_method(text)
    except MeioError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def backend_name(text: str) -> str:
    """``text`` if it names a backend that can run here, else an argparse error naming why."""
    try:
        get_backend(text)
    except MeioError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text
