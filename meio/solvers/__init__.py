"""Solver backends behind one protocol, chosen by name."""

from __future__ import annotations

from meio.errors import MeioError
from meio.solvers.base import Backend, BackendOutcome, SolveOptions, Status
from meio.solvers.highs import HighsBackend
from meio.solvers.ortools import OrtoolsBackend

BACKENDS: dict[str, type] = {"highs": HighsBackend, "ortools": OrtoolsBackend}


def get_backend(name: str) -> Backend:
    """The backend called ``name`` (``highs`` or ``ortools``)."""
    try:
        return BACKENDS[name]()
    except KeyError:
        raise MeioError(f"unknown backend '{name}' (choose from {', '.join(BACKENDS)})") from None


__all__ = ["BACKENDS", "Backend", "BackendOutcome", "SolveOptions", "Status", "get_backend"]
