"""The one return type of every solve: status, bounds, costs, and tidy tables keyed like the instance."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from meio.solvers.base import Status, Termination

COST_PARTS = ("purchase", "holding", "shipping", "lost_sales")


@dataclass
class Result:
    """A solved (or failed) instance.

    - ``termination``: why the solve stopped; ``status`` (summary.json's one word) is derived
      from it and from what exists: ``objective`` is the cost of a checked feasible plan (NaN
      when there is none) and ``lower_bound`` a proven lower bound on the optimum (NaN when
      nothing proves one), never a primal value.

    - ``costs``: expected cost by part (purchase, holding, shipping, lost_sales).
    - ``fill_rate``: expected on-time fill rate by speed (1 - weighted unmet / weighted demand).
    - ``stock``: product, node, stock (= y), buy (= y - on_hand).
    - ``prices``: one row per linking constraint: constraint, kind, sense, node, speed, scenario,
      lhs, rhs, slack and price (opportunity cost = decrease of the optimum per unit of
      extra right-hand side, >= 0; blank when the solve gives no duals).
    - ``utilization``: per node, storage, inbound and throughput use against capacity.
    - ``details``: method-specific figures (iterations, columns, time split, ...), added
      to summary.json.
    - ``tables``: method-specific tables written as ``<name>.csv`` (e.g. convergence).
    - ``arrays``: method-specific binary data written as ``<name>.npz``, each a function
      computing its arrays when the result is written (e.g. the decomposition's subproblem
      bases, read back by a warm start).
    """

    termination: Termination
    objective: float
    lower_bound: float
    method: str
    backend: str
    seconds: float
    instance: str = ""
    costs: dict[str, float] = field(default_factory=dict)
    fill_rate: dict[str, float] = field(default_factory=dict)
    stock: pd.DataFrame = field(default_factory=pd.DataFrame)
    prices: pd.DataFrame = field(default_factory=pd.DataFrame)
    utilization: pd.DataFrame = field(default_factory=pd.DataFrame)
    details: dict[str, object] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    arrays: dict[str, Callable[[], dict[str, np.ndarray]]] = field(default_factory=dict)
    message: str = ""

    @classmethod
    def without_plan(cls, termination: Termination, method: str, backend: str, instance: str, message: str,
                     seconds: float = 0.0) -> Result:
        """A solve that ended with no plan: no objective, and a lower bound only where the
        termination proves one (``inf`` for a proven infeasible instance, else NaN)."""
        bound = math.inf if termination is Termination.INFEASIBLE else math.nan
        return cls(termination=termination, objective=math.nan, lower_bound=bound, method=method, backend=backend,
                   seconds=seconds, instance=instance, message=message)

    @property
    def status(self) -> Status:
        """``optimal`` only with a plan and a proven bound within the method's gap (see :meth:`Status.of`)."""
        return Status.of(self.termination, self.has_plan, math.isfinite(self.lower_bound))

    @property
    def has_plan(self) -> bool:
        """A feasible plan exists (its objective is finite and its tables are filled): exit code 0."""
        return math.isfinite(self.objective)

    @property
    def gap(self) -> float:
        """Relative gap (objective - lower_bound) / |objective|; 0 when they meet, NaN without a solution."""
        if math.isnan(self.objective) or math.isnan(self.lower_bound):
            return math.nan
        difference = max(0.0, self.objective - self.lower_bound)
        if difference <= 1e-9 * max(1.0, abs(self.objective)):
            return 0.0
        return difference / max(abs(self.objective), 1e-9)

    def summary(self) -> dict[str, object]:
        """The content of summary.json."""
        return {
            "instance": self.instance,
            "status": self.status.value,
            "termination": self.termination.value,
            "has_plan": self.has_plan,
            "objective": _number(self.objective),
            "lower_bound": _number(self.lower_bound),
            "gap": _number(self.gap),
            "method": self.method,
            "backend": self.backend,
            "seconds": round(self.seconds, 6),
            "costs": {k: _number(v) for k, v in self.costs.items()},
            "fill_rate": {k: _number(v) for k, v in self.fill_rate.items()},
            **({"message": self.message} if self.message else {}),
            **self.details,
        }


def _number(value: float) -> float | None:
    """JSON has no NaN or infinity: those become null."""
    return None if value is None or not math.isfinite(value) else float(value)
