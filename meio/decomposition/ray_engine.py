"""Ray actors as pricing workers (``--engine ray``; the optional extra ``meio[ray]``).

Each actor holds one :class:`~meio.decomposition.worker.ProductWorker` and runs one BLAS
thread (see :func:`~meio.decomposition.worker.one_blas_thread`). With ``address``
the engine joins an existing cluster (``ray start --head`` on one node, ``ray start
--address HEAD:6379`` on the others, see docs/distributed.md); without it a local Ray is
started for this process. An actor that dies (its node or process gone) is replaced by the
engine and its calls replayed. Actors are not restarted by Ray itself (``max_restarts=0``):
the replay restores their state, which a Ray restart would lose.
"""

from __future__ import annotations

import os
from typing import Any

from meio.decomposition.engine import ReplayingEngine, WorkerLost
from meio.decomposition.worker import ProductWorker, WorkerSpec, one_blas_thread
from meio.errors import OptionError


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise OptionError("--engine ray needs Ray: pip install 'meio[ray]'") from None
    return ray


class ActorWorker(ProductWorker):
    """A pricing worker alone in its actor process: one BLAS thread from the start."""

    def __init__(self, spec: WorkerSpec) -> None:
        one_blas_thread()
        super().__init__(spec)


class RayEngine(ReplayingEngine):
    """``workers`` Ray actors, one CPU each."""

    name = "ray"

    def __init__(self, workers: int = 2, address: str | None = None) -> None:
        super().__init__(workers)
        self.ray = _ray()
        self.address = address
        self.actors: dict[int, Any] = {}
        self.pending: dict[int, Any] = {}
        self.actor_class: Any = None

    def _boot(self) -> None:
        ray = self.ray
        if not ray.is_initialized():
            if self.address is None:
                ray.init(num_cpus=max(os.cpu_count() or 1, self.workers), include_dashboard=False,
                         log_to_driver=False, logging_level="warning")
            else:
                ray.init(address=self.address, log_to_driver=False, logging_level="warning")
        if self.actor_class is None:
            self.actor_class = ray.remote(num_cpus=1, max_restarts=0)(ActorWorker)

    def _launch(self, k: int) -> None:
        actor = self.actor_class.remote(self.specs[k])
        self.actors[k] = actor
        ok, pid = self.ray.get(actor.handle.remote("pid", ()))
        self.pids[k] = pid

    def _send(self, k: int, method: str, args: tuple) -> None:
        self.pending[k] = self.actors[k].handle.remote(method, args)

    def _receive(self, k: int) -> object:
        try:
            return self.ray.get(self.pending.pop(k))
        except (self.ray.exceptions.RayActorError, self.ray.exceptions.ObjectLostError):
            raise WorkerLost from None

    def _stop(self, k: int) -> None:
        actor = self.actors.pop(k, None)
        self.pending.pop(k, None)
        if actor is not None:
            self.ray.kill(actor, no_restart=True)
