"""Pricing engines: where the workers that own the products run, behind one small protocol.

An engine starts one :class:`~meio.decomposition.worker.ProductWorker` per
:class:`~meio.decomposition.worker.WorkerSpec` and calls a method on all of them at once
(:meth:`PricingEngine.call`), returning their answers in partition order. The coordinator
(:mod:`meio.decomposition.coordinator`) never needs more: adding another engine (Dask
actors, MPI ranks) means implementing :class:`ReplayingEngine`'s four transport methods.

- :class:`ThreadsEngine`: one in-process worker owning every product, pricing through a
  thread pool (the default for one worker);
- :class:`~meio.decomposition.process_engine.ProcessesEngine`: local worker processes (the
  default for more than one worker);
- :class:`~meio.decomposition.ray_engine.RayEngine`: Ray actors, on a cluster or a local Ray.

**Faults.** A remote worker that dies is replaced: the new worker gets the same spec and the
calls the dead one had answered are replayed to it (build, pricing passes, warm start, fixed-stock
re-solves), then the call in progress is sent again. Every worker call is deterministic given
the calls before it (a product's solve depends only on its matrices, costs and own previous
basis), so the replacement holds the same bases and the same column store, and the run goes
on to exactly the answer it would have given. A worker lost a second time in one run ends it
with a message that says how the worker died, where the transport knows (a signal, such as the
out-of-memory killer's SIGKILL).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import cast

from meio.decomposition.worker import READ_ONLY, ProductWorker, WorkerSpec
from meio.errors import OptionError, SolverError

#: Engines by name (``--engine``).
ENGINES = ("threads", "processes", "ray")
#: Times one worker may be lost in one run and replaced; the next loss ends the run. A
#: replacement rebuilds the same state, so a loss for lack of memory recurs: the 100,000-product
#: run of docs/performance.md lost a worker, then its replacement 16 minutes later.
MAX_REPLACEMENTS = 1


class PricingEngine(ABC):
    """Runs the pricing workers of one solve and calls them."""

    name: str = ""
    #: Whether the workers live in this process (their state outlives :meth:`stop`).
    local: bool = False

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise OptionError(f"workers must be >= 1, got {workers}")
        self.workers = workers
        self.replacements = 0

    def partitions(self, products: int) -> int:
        """How many workers (partitions of the products) this engine runs for ``products``."""
        return max(1, min(self.workers, products))

    @abstractmethod
    def start(self, specs: list[WorkerSpec]) -> None:
        """Start one worker per spec."""

    @abstractmethod
    def call(self, method: str, args: list[tuple]) -> list[object]:
        """``method(*args[k])`` on worker k, all at once; the answers in worker order. A worker's
        error is raised here."""

    @abstractmethod
    def stop(self) -> None:
        """Stop the workers (the engine can be started again for another solve)."""


def answer(outcome: object) -> object:
    """The result of a worker's ``(ok, value)``; its error raised when not ok."""
    ok, value = cast(tuple[bool, object], outcome)
    if not ok:
        assert isinstance(value, Exception)
        raise value
    return value


class ThreadsEngine(PricingEngine):
    """One in-process worker owning every product; ``threads`` price its chunks (or a user's
    ``executor``)."""

    name = "threads"
    local = True

    def __init__(self, threads: int = 1, executor: Executor | None = None) -> None:
        super().__init__(threads)
        self.executor = executor
        self.owned: ThreadPoolExecutor | None = None
        self.worker: ProductWorker | None = None

    def partitions(self, products: int) -> int:
        return 1

    def start(self, specs: list[WorkerSpec]) -> None:
        assert len(specs) == 1
        if self.executor is None and self.workers > 1:
            self.owned = ThreadPoolExecutor(self.workers)
        self.worker = ProductWorker(specs[0], self.executor or self.owned)

    def call(self, method: str, args: list[tuple]) -> list[object]:
        assert self.worker is not None, "start() first"
        return [answer(self.worker.handle(method, args[0]))]

    def stop(self) -> None:
        if self.owned is not None:
            self.owned.shutdown()
            self.owned = None
        if self.worker is not None:
            self.worker.executor = None  # lazy result writers may still read it, single-threaded


class WorkerLost(Exception):
    """A remote worker died (its process or actor is gone)."""


class ReplayingEngine(PricingEngine):
    """Remote workers reached through a transport; a worker that dies is replaced and brought
    back to its state by replaying the calls it had answered."""

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        self.specs: list[WorkerSpec] = []
        self.log: list[list[tuple[str, tuple]]] = []
        self.pids: list[int] = []
        self.losses: list[int] = []  # per worker, in this run
        self.calls = 0

    def start(self, specs: list[WorkerSpec]) -> None:
        self.specs, self.log, self.pids = list(specs), [[] for _ in specs], [0] * len(specs)
        self.losses = [0] * len(specs)
        self._boot()
        for k in range(len(specs)):
            self._launch(k)

    def call(self, method: str, args: list[tuple]) -> list[object]:
        self.calls += 1
        sent = [self._try_send(k, method, args[k]) for k in range(len(self.specs))]
        outcomes = [self._outcome(k, method, args[k], sent[k]) for k in range(len(self.specs))]
        if method not in READ_ONLY:
            for k, arg in enumerate(args):
                self.log[k].append((method, arg))
        return [answer(outcome) for outcome in outcomes]

    def stop(self) -> None:
        for k in range(len(self.specs)):
            self._stop(k)
        self.specs, self.log = [], []

    def _try_send(self, k: int, method: str, args: tuple) -> bool:
        try:
            self._send(k, method, args)
            return True
        except WorkerLost:
            return False

    def _outcome(self, k: int, method: str, args: tuple, sent: bool) -> object:
        while True:
            try:
                if not sent:
                    raise WorkerLost
                return self._receive(k)
            except WorkerLost:
                sent = self._replace(k) and self._try_send(k, method, args)

    def _replace(self, k: int) -> bool:
        """A new worker k with the dead one's state; False if it died during the replay too.
        Raises :class:`SolverError` when worker k was lost more than ``MAX_REPLACEMENTS`` times."""
        self._lost(k)
        self.replacements += 1
        self._stop(k)
        self._launch(k)
        try:
            for method, args in self.log[k]:
                self._send(k, method, args)
                answer(self._receive(k))
        except WorkerLost:
            return False
        return True

    def _lost(self, k: int) -> None:
        """Count a loss of worker k; end the run once it has been lost more than ``MAX_REPLACEMENTS`` times."""
        self.losses[k] += 1
        if self.losses[k] <= MAX_REPLACEMENTS:
            return
        spec, cause = self.specs[k], self._cause(k)
        raise SolverError(
            f"{self.name} pricing worker {k} (products {spec.products[0]} to {spec.products[-1]}) was lost "
            f"{self.losses[k]} times in this run{', the last time ' + cause if cause else ''}; a replacement "
            "rebuilds the same state, so the run stops. If the machine ran out of memory, use more machines "
            "(--engine ray) or fewer products per run (docs/distributed.md, Limits)")

    def _cause(self, k: int) -> str:
        """How worker k died, if the transport knows ('' otherwise)."""
        return ""

    def _boot(self) -> None:
        """Prepare the transport before the first worker starts (nothing by default)."""

    @abstractmethod
    def _launch(self, k: int) -> None:
        """Start worker k from ``specs[k]`` and record its process id in ``pids[k]``."""

    @abstractmethod
    def _send(self, k: int, method: str, args: tuple) -> None:
        """Send a call to worker k (raise :class:`WorkerLost` if it is gone)."""

    @abstractmethod
    def _receive(self, k: int) -> object:
        """Worker k's ``(ok, value)`` for the call sent (raise :class:`WorkerLost` if it died)."""

    @abstractmethod
    def _stop(self, k: int) -> None:
        """Stop worker k (dead or alive)."""


def make_engine(name: str, workers: int, address: str | None = None) -> PricingEngine:
    """The engine called ``name`` with ``workers`` workers (``address``: an existing Ray cluster)."""
    if name not in ENGINES:
        raise OptionError(f"unknown engine '{name}' (choose from {', '.join(ENGINES)})")
    if address is not None and name != "ray":
        raise OptionError(f"--address applies only to --engine ray, not {name}")
    if name == "threads":
        return ThreadsEngine(workers)
    if name == "processes":
        from meio.decomposition.process_engine import ProcessesEngine

        return ProcessesEngine(workers)
    from meio.decomposition.ray_engine import RayEngine

    return RayEngine(workers, address)
