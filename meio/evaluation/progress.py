"""One small progress reporter for long evaluations, baselines, comparisons and gap estimates.

It rewrites one line on standard error, and only when standard error is a terminal, so
piped output, logs and tests stay clean.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``Progress(enabled=None)``: ``start(label, total)``, ``advance(k)``, ``done()``."""

    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(self.stream.isatty()) if enabled is None else enabled
        self.label, self.total, self.count, self.started = "", 0, 0, time.perf_counter()

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.count, self.started = label, total, 0, time.perf_counter()
        self._show()

    def advance(self, steps: int = 1) -> None:
        self.count += steps
        self._show()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _show(self) -> None:
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.started
        self.stream.write(f"\r\033[K  {self.label}: {self.count}/{self.total}   {elapsed:6.1f} s")
        self.stream.flush()


#: A reporter that never writes (the default of library calls).
SILENT = Progress(enabled=False)
