"""Local worker processes (``--engine processes``): one process per partition of the products.

Each process runs :func:`serve`: it holds its :class:`~meio.decomposition.worker.ProductWorker`
and answers calls sent over a pipe. Processes start with ``forkserver`` (``spawn`` where it
is missing): the server imports meio once, so starting or replacing a worker costs a fork,
not a Python start-up. A worker that dies (its pipe closes) is replaced by the engine.
"""

from __future__ import annotations

import multiprocessing
import signal
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from meio.decomposition.engine import ReplayingEngine, WorkerLost
from meio.decomposition.worker import ProductWorker, WorkerSpec, one_blas_thread
from meio.errors import OptionError

#: Seconds a stopped worker gets to exit before it is terminated.
EXIT_WAIT = 5.0


def serve(spec: WorkerSpec, connection: Connection) -> None:
    """A worker process (one BLAS thread): answer ``(method, args)`` calls until ``None`` or a
    closed pipe."""
    one_blas_thread()
    worker = ProductWorker(spec)
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message is None:
            return
        method, args = message
        connection.send(worker.handle(method, args))


class ProcessesEngine(ReplayingEngine):
    """``workers`` local processes, each owning a contiguous range of products."""

    name = "processes"

    def __init__(self, workers: int = 2, start_method: str | None = None) -> None:
        super().__init__(workers)
        methods = multiprocessing.get_all_start_methods()
        method = start_method or ("forkserver" if "forkserver" in methods else "spawn")
        if method not in methods:
            raise OptionError(f"unknown start method '{method}' (this system has {', '.join(methods)})")
        self.context: Any = multiprocessing.get_context(method)  # the stubs' BaseContext lacks Process
        self.connections: dict[int, Connection] = {}
        self.processes: dict[int, BaseProcess] = {}

    def _boot(self) -> None:
        if self.context.get_start_method() == "forkserver":
            self.context.set_forkserver_preload(["meio.decomposition.worker"])

    def _launch(self, k: int) -> None:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=serve, args=(self.specs[k], child), daemon=True,
                                       name=f"meio-pricing-{k}")
        process.start()
        child.close()
        self.connections[k], self.processes[k] = parent, process
        self.pids[k] = process.pid or 0

    def _send(self, k: int, method: str, args: tuple) -> None:
        try:
            self.connections[k].send((method, args))
        except OSError:  # BrokenPipeError, ConnectionResetError
            raise WorkerLost from None

    def _receive(self, k: int) -> object:
        try:
            return self.connections[k].recv()
        except (EOFError, OSError):
            raise WorkerLost from None

    def _cause(self, k: int) -> str:
        process = self.processes.get(k)
        if process is None:
            return ""
        process.join(EXIT_WAIT)  # its pipe closed: it is exiting
        code = process.exitcode
        if code is None or code >= 0:
            return "" if code is None else f"exited with code {code}"
        name = signal.Signals(-code).name if -code in signal.valid_signals() else f"signal {-code}"
        return f"killed by {name}" + (" (what the kernel's out-of-memory killer sends)" if -code == signal.SIGKILL
                                      else "")

    def _stop(self, k: int) -> None:
        connection, process = self.connections.pop(k, None), self.processes.pop(k, None)
        if connection is not None:
            try:
                connection.send(None)
            except OSError:
                pass
            connection.close()
        if process is not None:
            process.join(EXIT_WAIT)
            if process.is_alive():
                process.terminate()
                process.join()
