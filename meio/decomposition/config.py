"""Typed configuration of the decomposition (every option of ``--method decomposition``)."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from meio.errors import OptionError

if TYPE_CHECKING:
    from meio.decomposition.engine import PricingEngine

#: Subproblem builders (see ``builder`` below).
BUILDERS = ("numpy", "pyomo")
#: Algorithms of the restricted master's LP (see ``master_solver`` below).
MASTER_SOLVERS = ("simplex", "barrier", "hybrid")


@dataclass(frozen=True)
class DecompositionConfig:
    """Options of :func:`meio.decomposition.solve_decomposition` (checked: a bad value raises
    :class:`~meio.errors.OptionError`).

    - ``gap``: stop when (upper - lower) / |upper| <= gap.
    - ``max_iterations`` / ``time_limit``: the other stopping rules (time in seconds).
    - ``workers``: pricing workers of the default engine: one in-process worker (threads) for 1,
      that many local worker processes for more (see :mod:`meio.decomposition.engine`).
    - ``engine``: a :class:`~meio.decomposition.engine.PricingEngine` (threads, processes, Ray
      actors or another implementation) instead of the default.
    - ``executor``: a thread pool of the in-process worker (a user-supplied
      :class:`concurrent.futures.Executor`; implies the threads engine).
    - ``source``: instance directory, bundle or bundled name from which remote workers load their
      products themselves (it must hold the instance being solved); ``None`` sends each worker its
      slice of the in-memory instance.
    - ``stabilization``: Wentges smoothing with automatic alpha (``False``: plain column generation).
    - ``alpha``: initial smoothing weight of the stability centre.
    - ``builder``: the formulation's subproblem matrices from ``"numpy"`` (vectorised; what model variants
      add is read from the whole model on top, see :mod:`meio.decomposition.structure`) or
      ``"pyomo"`` (each product's own Pyomo model compiled: an independent reference path, the formulation
      only).
    - ``warm_start``: a previous result directory whose plan, prices and bases seed the run.
    - ``progress``: ``None``: a live progress line on a terminal, else a plain line at most once a
      minute of a run longer than a minute (a batch job's log); True: the live line; False: none.
    - ``integer_time_limit``: seconds for the integer restricted master (``integer_stock``).
    - ``capacity_shares``: after the first pricing pass, split every nearly full linking row's
      capacity among the products in proportion to their use and solve each product within
      its share (see :mod:`meio.decomposition.shares`): a good plan from the first iteration
      and fewer iterations (on the benchmark family 10-20% less time to 1e-4) for about half
      a pricing pass from no basis; after a warm start too, unless the previous plan already
      closes the gap.
    - ``clearing_prices``: after the capacity-share pass, one pricing pass at the prices where the
      products' demands for each overfilled row, drawn through their shares' marginal values, meet
      its capacity (see :mod:`meio.decomposition.shares`): a Lagrangian bound close to the
      optimum's from the second pass. Needs ``capacity_shares`` (without it there is no such pass;
      ``summary.json``'s ``clearing_pass`` says whether it ran).
    - ``chunk_products``: products whose subproblems are built (and plan read out) together;
      bounds the memory of the build (see :mod:`meio.decomposition.chunks`).
    - ``master_solver``: the restricted master's LP by ``"simplex"`` (re-solved from the last
      basis), ``"barrier"`` (HiGHS's interior point method with crossover, each solve from
      scratch: its time grows about linearly with the master, the simplex's faster) or
      ``"hybrid"`` (the first phase-two solve, from phase one's far-off basis, and its re-solves
      after dormant rows woke by interior point and crossover, the others by warm simplex; see
      docs/decomposition.md). ``None``: hybrid on the highs backend, simplex on the others
      (barrier and hybrid are HiGHS's only).
    - ``stop_master_within_gap``: a master re-solve by warm primal simplex (HiGHS, continuous
      stock), whose every iterate is a feasible plan, stops at the first plan within ``gap`` of the
      lower bound, and the run ends with it (the prices reported are then the best bound's, not
      the master's duals; ``summary.json``'s ``master_early_stops`` counts such stops). False:
      every master solve to its optimum.
    """

    gap: float = 1e-4
    max_iterations: int = 200
    time_limit: float | None = None
    workers: int = 1
    executor: Executor | None = None
    engine: PricingEngine | None = None
    source: str | Path | None = None
    stabilization: bool = True
    alpha: float = 0.5
    builder: str = "numpy"
    warm_start: Path | None = None
    progress: bool | None = None
    integer_time_limit: float = 60.0
    chunk_products: int = 500
    capacity_shares: bool = True
    clearing_prices: bool = True
    master_solver: str | None = None
    stop_master_within_gap: bool = True

    def __post_init__(self) -> None:
        checks = (
            (0 <= self.gap < 1, f"gap must be in [0, 1), got {self.gap}"),
            (self.max_iterations >= 1, f"max_iterations must be >= 1, got {self.max_iterations}"),
            (self.time_limit is None or self.time_limit > 0, f"time_limit must be > 0 seconds, got {self.time_limit}"),
            (self.workers >= 1, f"workers must be >= 1, got {self.workers}"),
            (0 <= self.alpha < 1, f"alpha must be in [0, 1), got {self.alpha}"),
            (self.integer_time_limit > 0, f"integer_time_limit must be > 0 seconds, got {self.integer_time_limit}"),
            (self.chunk_products >= 1, f"chunk_products must be >= 1, got {self.chunk_products}"),
            (self.builder in BUILDERS, f"unknown subproblem builder '{self.builder}' ({', '.join(BUILDERS)})"),
            (self.master_solver is None or self.master_solver in MASTER_SOLVERS,
             f"unknown master solver '{self.master_solver}' ({', '.join(MASTER_SOLVERS)})"),
            (self.engine is None or self.executor is None, "give an engine or an executor, not both"),
            (self.warm_start is None or Path(self.warm_start).is_dir(),
             f"warm_start: {self.warm_start} is not a directory (give the directory of a result written by "
             "'meio solve')"),
        )
        for ok, message in checks:
            if not ok:
                raise OptionError(message)

    def pricing_engine(self) -> PricingEngine:
        """The engine of a solve: ``engine``, else threads for one worker or a user's executor,
        else ``workers`` local processes."""
        from meio.decomposition.engine import ThreadsEngine
        from meio.decomposition.process_engine import ProcessesEngine

        if self.engine is not None:
            return self.engine
        if self.executor is not None or self.workers == 1:
            return ThreadsEngine(self.workers, self.executor)
        return ProcessesEngine(self.workers)

    def check_backend(self, backend: str) -> None:
        """The barrier and hybrid masters are HiGHS's (OR-Tools' GLOP is a simplex code)."""
        if self.master_solver in ("barrier", "hybrid") and backend != "highs":
            raise OptionError(f"the {self.master_solver} master solver needs the highs backend, not '{backend}'")

    def master_algorithm(self, backend: str) -> str:
        """``master_solver``, or its default on ``backend``: hybrid on highs, simplex otherwise."""
        if self.master_solver is not None:
            return self.master_solver
        return "hybrid" if backend == "highs" else "simplex"

    def check_variants(self, has_variants: bool) -> None:
        """The pyomo builder compiles each product alone, so it cannot see rows across products."""
        if self.builder == "pyomo" and has_variants:
            raise OptionError("model variants need the numpy subproblem builder (the pyomo one compiles each "
                              "product alone and would miss rows over several products)")
