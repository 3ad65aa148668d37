"""A solve a solver error stops still writes summary.json, and leaves no earlier plan behind."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from meio.cli import main
from meio.decomposition.lp import LPSolution


def test_a_solver_error_writes_its_summary_and_clears_the_earlier_plan(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r"
    assert main(["solve", "tiny", "--out", str(out), "--quiet"]) == 0
    assert (out / "stock.csv").is_file()
    from meio.decomposition import lp

    def failing(self: object, seconds: float | None = None) -> LPSolution:
        return LPSolution(False, False, math.nan, math.nan, np.empty(0), np.empty(0))

    monkeypatch.setattr(lp.HighsEngine, "solve", failing)  # the decomposition's master fails
    assert main(["solve", "tiny", "--method", "decomposition", "--out", str(out), "--quiet"]) == 1
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["status"], summary["termination"], summary["method"]) == ("error", "solver_error",
                                                                              "decomposition")
    assert summary["objective"] is None and summary["lower_bound"] is None
    assert "restricted master" in summary["message"]
    assert not (out / "stock.csv").exists() and not (out / "prices.csv").exists()
