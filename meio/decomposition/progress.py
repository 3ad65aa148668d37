"""One progress reporter: iteration, bounds, gap, last pricing pass across the workers and
elapsed time, as a live line on a terminal and, in a log (standard error redirected to a
file, a batch job), as plain lines once a run is longer than ``LOG_INTERVAL`` seconds: every
step that starts (the first pricing pass, the first master solve, ...), and the iterations and
the progress inside a long step at most once every ``LOG_INTERVAL`` seconds; a short run, piped
output and tests stay clean."""

from __future__ import annotations

import math
import sys
from typing import TextIO

#: Without a terminal: seconds of the run before its first progress line, and between two lines.
LOG_INTERVAL = 60.0


class ProgressReporter:
    """Reports each iteration on ``stream``: ``enabled=None`` (the default) rewrites one live line
    on a terminal and writes a line every ``log_interval`` seconds of the run otherwise; True
    draws the live line on any stream, False nothing. ``workers`` describes where pricing runs
    (for example ``2 processes``)."""

    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None, workers: str = "",
                 log_interval: float = LOG_INTERVAL) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if enabled is None else enabled
        self.logged = enabled is None and not self.live
        self.workers = workers
        self.log_interval = log_interval
        self.next_line = log_interval  # elapsed seconds of the next logged line
        self.width = 0  # of the live line drawn last

    @property
    def active(self) -> bool:
        """Whether anything can be shown (a live line, or a log)."""
        return self.live or self.logged

    def update(self, iteration: int, lower: float, upper: float, gap: float, elapsed: float,
               pass_seconds: float | None = None) -> None:
        """The state after an iteration."""
        upper_text = "-" if math.isinf(upper) else f"{upper:,.4f}"
        gap_text = "-" if math.isnan(gap) or math.isinf(gap) else f"{gap:.2e}"
        where = f" on {self.workers}" if self.workers else ""
        pricing = "" if pass_seconds is None else f"   pricing {pass_seconds:.2f} s{where}"
        self._write(f"iteration {iteration:4d}   lower {lower:,.4f}   upper {upper_text}   gap {gap_text}{pricing}",
                    elapsed)

    def phase(self, text: str, elapsed: float) -> None:
        """A long step that starts before the iterations (the first pricing pass, the first
        master solve), so a log says what a run waits on: logged whenever it starts after the
        first interval (a step is not left out because the line before it is recent)."""
        self._write(text, elapsed, always=True)

    def busy(self, text: str, elapsed: float) -> None:
        """Progress inside a long step (a master solve's simplex iterations): the live line, or
        a logged line at most once an interval."""
        self._write(text, elapsed)

    def _write(self, state: str, elapsed: float, always: bool = False) -> None:
        due = elapsed >= (self.log_interval if always else self.next_line)
        if not (self.live or (self.logged and due)):
            return
        text = f"  {state}   {elapsed:7.1f} s "
        if self.live:  # padded over a longer line before it
            self.stream.write("\r" + text.ljust(self.width))
            self.width = len(text)
        else:
            self.stream.write(text.rstrip() + "\n")
            self.next_line = elapsed + self.log_interval
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
