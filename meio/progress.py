"""One status line on standard error for a long command: what it is doing, the time since the
command started, and the latest detail of the step (a solver's bounds, a count).

``line.phase("building the model")`` names what runs now; ``line.show(text)`` updates the detail
(throttled: solver callbacks call it often); ``with line.step("speed-blind"):`` runs a nested
step whose phases are shown after its name (``computing baselines 2/3 › speed-blind › solving
(HiGHS)``). A background thread redraws the line every half second, so the clock moves while a
step runs in one long call (building a Pyomo model). The line fits the terminal's width, is
erased by ``close()`` and, by :func:`clear`, before a warning or error is printed; it is drawn
only when enabled (by default: when standard error is a terminal), so piped output, logs and
tests stay clean.

Only the standard library is imported here: the command line starts its clock before it
imports a command's modules (Pyomo, the solvers).
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

#: Seconds between two redraws of the line (and the least time between two detail updates).
INTERVAL = 0.5

#: When the command started (``meio.cli.main`` resets it); the line's clock counts from here.
STARTED = time.perf_counter()

#: Separates a step from its phases.
SEPARATOR = " › "

_ACTIVE: list[StatusLine] = []


def command_started() -> None:
    """Start the clock of the command's status line (``meio.cli.main`` calls it first)."""
    global STARTED
    STARTED = time.perf_counter()


def clear() -> None:
    """Erase every drawn status line (before a message is printed to standard error); each is
    drawn again at its next update."""
    for line in list(_ACTIVE):
        line.erase()


def close_all() -> None:
    """Close every open status line (the command is over, normally or not)."""
    for line in list(_ACTIVE):
        line.close()


class StatusLine:
    """``StatusLine(enabled=None, stream=None, started=None)``: one line, see the module's doc."""

    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None,
                 started: float | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(_isatty(self.stream)) if enabled is None else enabled
        self.started = STARTED if started is None else started
        self.steps: list[str] = [""]
        self.detail = ""
        self.drawn = False
        self._shown = -INTERVAL
        self._lock = threading.RLock()
        self._stop: threading.Event | None = None

    def __enter__(self) -> StatusLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def elapsed(self) -> float:
        """Seconds since the clock started."""
        return time.perf_counter() - self.started

    def phase(self, text: str, throttle: bool = False) -> None:
        """Name what runs now (the innermost step's phase); clears the detail; drawn at once, or
        with ``throttle`` at most every :data:`INTERVAL` seconds (a count that moves often)."""
        with self._lock:
            self.steps[-1], self.detail = text, ""
            self._draw(force=not throttle)

    def show(self, detail: str) -> None:
        """The latest detail of the phase; drawn at most every :data:`INTERVAL` seconds."""
        with self._lock:
            self.detail = detail
            self._draw(force=False)

    @contextmanager
    def step(self, text: str) -> Iterator[StatusLine]:
        """Run a nested step named ``text``: phases set inside it are shown after the name."""
        with self._lock:
            self.steps[-1:] = [self.steps[-1], text, ""]
            self.detail = ""
            self._draw(force=True)
        try:
            yield self
        finally:
            with self._lock:
                del self.steps[-2:]
                self.detail = ""
                self._draw(force=True)

    def text(self) -> str:
        """The line as drawn (without the escape codes), cut to the terminal's width."""
        steps = SEPARATOR.join(s for s in self.steps if s)
        elapsed = _clock(self.elapsed)
        line = f"  {steps}  {elapsed}" + (f"  {self.detail}" if self.detail else "")
        width = shutil.get_terminal_size((100, 24)).columns - 1
        return line if len(line) <= width else line[:max(width - 1, 0)] + "…"

    def erase(self) -> None:
        """Erase the line if it is drawn (it comes back at the next update or tick)."""
        with self._lock:
            if self.drawn:
                self.stream.write("\r\033[K")
                self.stream.flush()
                self.drawn = False

    def close(self) -> None:
        """Stop redrawing and erase the line (it may be drawn again by a later phase)."""
        with self._lock:
            if self._stop is not None:
                self._stop.set()
                self._stop = None
            self.erase()
            if self in _ACTIVE:
                _ACTIVE.remove(self)

    def disable(self) -> None:
        """Close the line for good (a solver's own log takes over the terminal)."""
        self.close()
        self.enabled = False

    def _draw(self, force: bool) -> None:
        if not self.enabled:
            return
        elapsed = self.elapsed
        if not force and elapsed - self._shown < INTERVAL:
            return
        self._shown = elapsed
        self.stream.write(f"\r\033[K{self.text()}")
        self.stream.flush()
        self.drawn = True
        if self._stop is None:
            self._start_ticker()

    def _start_ticker(self) -> None:
        stop = threading.Event()
        self._stop = stop
        if self not in _ACTIVE:
            _ACTIVE.append(self)

        def tick() -> None:
            while not stop.wait(max(INTERVAL, 0.05)):
                with self._lock:
                    if stop.is_set():
                        return
                    self._draw(force=True)

        threading.Thread(target=tick, name="meio-status-line", daemon=True).start()


#: A line that is never drawn (the default of library calls).
SILENT = StatusLine(enabled=False)


def _clock(seconds: float) -> str:
    """``4.2 s``, ``27.0 s``, ``3 min 05 s``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or minimal stream
        return False
