"""One status line on standard error while a solver runs: elapsed time and its latest progress.

The line is rewritten at most every half second and erased at the end; it is shown only
when asked (``SolveOptions.progress``: ``meio solve`` asks on a terminal, without ``--quiet``).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from meio.results import units

#: Seconds between two rewrites of the line.
INTERVAL = 0.5


class SolverProgress:
    """``show(text)`` rewrites the line (throttled), ``close()`` erases it."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label, self.stream = label, stream if stream is not None else sys.stderr
        self.started = time.perf_counter()
        self.shown = -INTERVAL

    def show(self, text: str) -> None:
        elapsed = time.perf_counter() - self.started
        if elapsed - self.shown < INTERVAL:
            return
        self.shown = elapsed
        self.stream.write(f"\r\033[K  {self.label}: {units.seconds(elapsed)}  {text}")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\r\033[K")
        self.stream.flush()
