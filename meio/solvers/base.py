"""What every solver backend offers: one small protocol, typed options and outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

import pyomo.environ as pyo

from meio.models.build import BuiltModel


class Status(str, Enum):
    """How a solve ended (the ``status`` of summary.json)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE, Status.TIME_LIMIT, Status.ITERATION_LIMIT)


@dataclass(frozen=True)
class SolveOptions:
    """Limits of one exact solve."""

    time_limit: float | None = None
    mip_gap: float = 1e-6
    threads: int | None = None
    verbose: bool = False


@dataclass
class BackendOutcome:
    """What a backend returns after loading its solution into the Pyomo model's variables.

    ``duals`` maps each constraint to d(objective)/d(right-hand side) (LPs only).
    ``bound`` is a proven lower bound on the optimum (the objective itself for an LP).
    """

    status: Status
    objective: float
    bound: float
    seconds: float
    duals: dict[pyo.ConstraintData, float] = field(default_factory=dict)
    message: str = ""


class Backend(Protocol):
    """A solver that can solve a built model exactly."""

    name: str
    supports_integer: bool
    supports_duals: bool

    def solve(self, built: BuiltModel, options: SolveOptions) -> BackendOutcome:
        """Solve, load variable values into ``built.model``, return the outcome."""
        ...
