"""One progress reporter: a live line (iteration, bounds, gap, last pricing pass across the
workers, elapsed) on a terminal, silent otherwise."""

from __future__ import annotations

import math
import sys
from typing import TextIO


class ProgressReporter:
    """Rewrites one status line on ``stream`` when enabled (default: only if it is a terminal);
    ``workers`` describes where pricing runs (for example ``2 processes``)."""

    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None, workers: str = "") -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.workers = workers

    def update(self, iteration: int, lower: float, upper: float, gap: float, elapsed: float,
               pass_seconds: float | None = None) -> None:
        if not self.enabled:
            return
        upper_text = "-" if math.isinf(upper) else f"{upper:,.4f}"
        gap_text = "-" if math.isnan(gap) or math.isinf(gap) else f"{gap:.2e}"
        where = f" on {self.workers}" if self.workers else ""
        pricing = "" if pass_seconds is None else f"   pricing {pass_seconds:.2f} s{where}"
        self.stream.write(f"\r  iteration {iteration:4d}   lower {lower:,.4f}   upper {upper_text}   "
                          f"gap {gap_text}{pricing}   {elapsed:7.1f} s ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
