"""What every solver backend offers: one small protocol, typed options and outcome."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

import pyomo.environ as pyo

from meio.errors import OptionError
from meio.models.build import BuiltModel
from meio.progress import SILENT, StatusLine


class Termination(str, Enum):
    """Why a solve stopped (``termination`` in summary.json), apart from what it has to show.

    Whether a plan exists and whether a lower bound is proven are separate facts
    (``Result.has_plan``, a finite ``Result.lower_bound``): a time limit can stop a solve
    with a plan and a bound, with only one of them, or with neither.
    """

    OPTIMAL = "optimal"                      # plan and proven bound within the requested gap
    COMPLETED = "completed"                  # the method ran to its end without closing the gap
    INFEASIBLE = "infeasible"                # proven: no plan meets every constraint
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    NUMERICAL_FAILURE = "numerical_failure"  # the solver lost accuracy or gave an unchecked answer
    SOLVER_ERROR = "solver_error"            # the solver ended with a status meio cannot interpret

    @property
    def limit(self) -> bool:
        return self in (Termination.TIME_LIMIT, Termination.ITERATION_LIMIT)


class Status(str, Enum):
    """The one-word outcome of a solve (``status`` in summary.json, docs/cli.md), derived from the
    termination and from whether a plan exists (see :meth:`of`)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    ERROR = "error"

    @staticmethod
    def of(termination: Termination, has_plan: bool, has_bound: bool) -> Status:
        """``optimal`` only for a plan with a proven bound within the gap; a limit keeps its name
        (with or without a plan); a plan from a completed or failed run is ``feasible``."""
        if termination is Termination.OPTIMAL:
            return Status.OPTIMAL if has_plan and has_bound else Status.FEASIBLE if has_plan else Status.ERROR
        if termination in (Termination.INFEASIBLE, Termination.UNBOUNDED):
            return Status(termination.value)
        if termination.limit:
            return Status(termination.value)
        return Status.FEASIBLE if has_plan else Status.ERROR


#: The least time limit a solver is given, whatever the earlier steps of a solve have spent.
MIN_SOLVER_SECONDS = 0.01


@dataclass(frozen=True)
class SolveOptions:
    """Limits of one exact solve (checked: a bad value raises :class:`OptionError`)."""

    time_limit: float | None = None
    mip_gap: float = 1e-6
    threads: int | None = None
    verbose: bool = False   # pass the solver's log through to standard output
    #: one status line of phase, elapsed time and the solver's progress on stderr: True (a line of its
    #: own) or the command's line (meio solve on a terminal)
    progress: bool | StatusLine = False

    def __post_init__(self) -> None:
        if self.time_limit is not None and not self.time_limit > 0:
            raise OptionError(f"time limit must be > 0 seconds, got {self.time_limit}")
        if not 0 <= self.mip_gap < 1:
            raise OptionError(f"MIP gap must be in [0, 1), got {self.mip_gap}")
        if self.threads is not None and self.threads < 1:
            raise OptionError(f"threads must be >= 1, got {self.threads}")

    def remaining(self, spent: float) -> SolveOptions:
        """These options with the time limit (of a whole solve) less the ``spent`` seconds, and at
        least :data:`MIN_SOLVER_SECONDS` so that a solver still gets to start."""
        if self.time_limit is None:
            return self
        return dataclasses.replace(self, time_limit=max(self.time_limit - spent, MIN_SOLVER_SECONDS))

    def status_line(self) -> StatusLine:
        """The line to show progress on: the command's, a new one (``progress=True``) or a silent one."""
        if isinstance(self.progress, StatusLine):
            return self.progress
        return StatusLine(enabled=True, started=time.perf_counter()) if self.progress else SILENT


@dataclass
class BackendOutcome:
    """What a backend returns after loading its solution into the Pyomo model's variables.

    ``objective`` is the cost of a plan that was found and checked against every row and
    bound (NaN when there is none); ``bound`` a proven lower bound on the optimum (NaN when
    the solver proves none: an LP stopped before optimality). ``duals`` maps each constraint
    to d(objective)/d(right-hand side), only for an LP solved to optimality.
    """

    termination: Termination
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
