"""Regenerate docs/images/report.png: the demo report as headless Chromium shows it.

Solves the demo, compares it with every baseline on a few fresh scenarios, writes the report
and screenshots the whole page (``python scripts/report_screenshot.py``; needs /usr/bin/chromium).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.browser import visit  # noqa: E402

from meio.cli import main  # noqa: E402

IMAGE = ROOT / "docs" / "images" / "report.png"
SCENARIOS = "20"


def screenshot() -> bytes:
    """The full-page PNG of the demo report."""
    with tempfile.TemporaryDirectory() as work:
        result, page = Path(work) / "demo", Path(work) / "report.html"
        for command in (["solve", "demo", "--out", str(result), "--quiet"],
                        ["compare", "demo", str(result), "--baselines", "all", "--scenarios", SCENARIOS,
                         "--policy", "all", "--quiet"],
                        ["report", str(result), "--out", str(page)]):
            if main(command) != 0:
                raise SystemExit(f"meio {' '.join(command)} failed")
        seen = visit(page)
        if seen.errors:
            raise SystemExit(f"the browser reported errors: {seen.errors}")
        return seen.screenshot


if __name__ == "__main__":
    IMAGE.parent.mkdir(parents=True, exist_ok=True)
    IMAGE.write_bytes(screenshot())
    print(f"wrote {IMAGE}", file=sys.stderr)
