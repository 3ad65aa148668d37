"""Typed configuration of the decomposition (every option of ``--method decomposition``)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from meio.models.build import BuiltModel

#: A change a researcher makes to the Pyomo model (e.g. an extra per-product constraint);
#: it is applied to every per-product model, and forces the Pyomo subproblem builder.
ModelCustomization = Callable[[BuiltModel], None]


@dataclass(frozen=True)
class DecompositionConfig:
    """Options of :func:`meio.decomposition.solve_decomposition`.

    - ``gap``: stop when (upper - lower) / |upper| <= gap.
    - ``max_iterations`` / ``time_limit``: the other stopping rules (time in seconds).
    - ``workers``: threads pricing subproblems when no ``executor`` is given.
    - ``executor``: any :class:`concurrent.futures.Executor` (a user-supplied pool).
    - ``stabilization``: Wentges smoothing with automatic alpha (``False``: plain column generation).
    - ``alpha``: initial smoothing weight of the stability centre.
    - ``builder``: ``"auto"`` (numpy unless ``customize`` is set), ``"numpy"`` or ``"pyomo"``.
    - ``customize``: a change applied to the Pyomo model of every product (one source of truth).
    - ``warm_start``: a previous result directory whose prices and stock plan seed the run.
    - ``progress``: live progress line; ``None`` shows it only on a terminal.
    - ``integer_time_limit``: seconds for the integer restricted master (``integer_stock``).
    """

    gap: float = 1e-4
    max_iterations: int = 200
    time_limit: float | None = None
    workers: int = 1
    executor: Executor | None = None
    stabilization: bool = True
    alpha: float = 0.5
    builder: str = "auto"
    customize: ModelCustomization | None = None
    warm_start: Path | None = None
    progress: bool | None = None
    integer_time_limit: float = 60.0

    def resolved_builder(self) -> str:
        """``numpy`` or ``pyomo``: the builder this configuration uses."""
        if self.builder not in ("auto", "numpy", "pyomo"):
            raise ValueError(f"unknown subproblem builder '{self.builder}' (auto, numpy, pyomo)")
        if self.builder == "auto":
            return "pyomo" if self.customize is not None else "numpy"
        if self.builder == "numpy" and self.customize is not None:
            raise ValueError("a customized model needs the pyomo subproblem builder")
        return self.builder
