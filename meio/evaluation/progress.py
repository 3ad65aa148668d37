"""A counting progress reporter for long evaluations, baselines, comparisons and gap estimates,
on the command's status line (:mod:`meio.progress`).

``start(label, total)`` and ``advance(k)`` show ``label: k/total``; ``step(name)`` runs a nested
step (a baseline's own solve) whose phases show after the count, for example ``computing
baselines: 1/3 › speed-blind › solving (HiGHS)  41.2 s  iteration 12,000``. The line is drawn
only when standard error is a terminal, so piped output, logs and tests stay clean.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from meio.progress import StatusLine


class Progress:
    """``Progress(enabled=None, stream=None, line=None)``: ``start(label, total)``, ``advance(k)``,
    ``step(name)``, ``done()``; on ``line`` when given, else on a line of its own."""

    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None,
                 line: StatusLine | None = None) -> None:
        self.line = line if line is not None else StatusLine(enabled, stream)
        self.label, self.total, self.count = "", 0, 0

    @property
    def enabled(self) -> bool:
        return self.line.enabled

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.count = label, total, 0
        self.line.phase(self._text())

    def advance(self, steps: int = 1) -> None:
        self.count += steps
        self.line.phase(self._text())

    @contextmanager
    def step(self, name: str) -> Iterator[StatusLine]:
        """Run a nested step named ``name`` (its phases and details follow the count)."""
        with self.line.step(name) as line:
            yield line

    def done(self) -> None:
        self.line.close()

    def _text(self) -> str:
        return f"{self.label}: {self.count:,}/{self.total:,}"


#: A reporter that never writes (the default of library calls).
SILENT = Progress(enabled=False)
