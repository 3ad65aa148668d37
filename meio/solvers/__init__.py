"""Solver backends behind one protocol, chosen by name and imported only when used."""

from __future__ import annotations

import importlib

from meio.errors import MeioError
from meio.solvers.base import Backend, BackendOutcome, SolveOptions, Status, Termination

#: Backends by name, as "module:class" (imported lazily: OR-Tools alone takes a second to import).
BACKENDS: dict[str, str] = {
    "highs": "meio.solvers.highs:HighsBackend",
    "ortools": "meio.solvers.ortools:OrtoolsBackend",
}


def get_backend(name: str) -> Backend:
    """The backend called ``name`` (``highs`` or ``ortools``)."""
    if name not in BACKENDS:
        raise MeioError(f"unknown backend '{name}' (choose from {', '.join(BACKENDS)})")
    module, cls = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module), cls)()


__all__ = ["BACKENDS", "Backend", "BackendOutcome", "SolveOptions", "Status", "Termination", "get_backend"]
