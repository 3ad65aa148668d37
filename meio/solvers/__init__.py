"""Solver backends behind one protocol, chosen by name and imported only when used."""

from __future__ import annotations

import importlib

from meio.errors import MeioError
from meio.solvers.base import Backend, BackendOutcome, SolveOptions, Status, Termination

#: Backends by name, as "module:class" (imported lazily: OR-Tools alone takes a second to import).
BACKENDS: dict[str, str] = {
    "highs": "meio.solvers.highs:HighsBackend",
    "ortools": "meio.solvers.ortools:OrtoolsBackend",
    "pyomo": "meio.solvers.pyomo_backend:PyomoBackend",  # as "pyomo:NAME": any solver Pyomo drives
}


def get_backend(name: str) -> Backend:
    """The backend called ``name`` (``highs``, ``ortools``, or ``pyomo:SOLVER`` for any solver Pyomo drives)."""
    family, colon, solver = name.partition(":")
    if family not in BACKENDS or bool(colon) != (family == "pyomo"):
        raise MeioError(f"unknown backend '{name}' (choose from highs, ortools, pyomo:NAME)")
    module, cls = BACKENDS[family].split(":")
    backend = getattr(importlib.import_module(module), cls)
    return backend(solver) if colon else backend()


__all__ = ["BACKENDS", "Backend", "BackendOutcome", "SolveOptions", "Status", "Termination", "get_backend"]
