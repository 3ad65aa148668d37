"""One progress reporter: a live line (iteration, bounds, gap, elapsed) on a terminal, silent otherwise."""

from __future__ import annotations

import math
import sys
from typing import TextIO


class ProgressReporter:
    """Rewrites one status line on ``stream`` when enabled (default: only if it is a terminal)."""

    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled

    def update(self, iteration: int, lower: float, upper: float, gap: float, elapsed: float) -> None:
        if not self.enabled:
            return
        upper_text = "-" if math.isinf(upper) else f"{upper:,.4f}"
        gap_text = "-" if math.isnan(gap) or math.isinf(gap) else f"{gap:.2e}"
        self.stream.write(f"\r  iteration {iteration:4d}   lower {lower:,.4f}   upper {upper_text}   "
                          f"gap {gap_text}   {elapsed:7.1f} s ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
