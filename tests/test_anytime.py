"""Anytime decomposition (issue #12): a run stopped by an iteration or time limit writes a plan
that meets every linking row and a lower bound that lies below the optimum."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from test_failure_paths import DEMO_OPTIMUM

from meio.cli import main

BACKENDS = ["highs", "ortools"]


def _stopped(out: Path, *limit: str, backend: str = "highs") -> dict[str, object]:
    code = main(["solve", "demo", "--method", "decomposition", "--backend", backend, *limit, "--out", str(out),
                 "--quiet"])
    assert code == 0
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("iterations", ["1", "2"])
def test_an_iteration_limit_writes_a_feasible_plan_and_a_valid_bound(tmp_path: Path, backend: str,
                                                                    iterations: str) -> None:
    summary = _stopped(tmp_path, "--max-iterations", iterations, backend=backend)
    assert summary["termination"] == "iteration_limit" and summary["has_plan"] is True
    objective, bound = float(summary["objective"]), float(summary["lower_bound"])  # type: ignore[arg-type]
    assert bound <= DEMO_OPTIMUM * (1 + 1e-9) <= objective * (1 + 1e-9)
    assert summary["gap"] == pytest.approx((objective - bound) / objective)
    prices = pd.read_csv(tmp_path / "prices.csv")
    assert (prices["slack"] >= -1e-6 * prices["rhs"].abs().clip(lower=1.0)).all()  # every linking row met
    stock = pd.read_csv(tmp_path / "stock.csv")
    assert not stock.empty and (stock["stock"] >= -1e-9).all()


def test_a_time_limit_stops_with_the_best_plan_and_its_gap(tmp_path: Path) -> None:
    summary = _stopped(tmp_path, "--time-limit", "0.01")
    assert summary["termination"] == "time_limit" and summary["has_plan"] is True
    assert float(summary["lower_bound"]) <= DEMO_OPTIMUM * (1 + 1e-9)  # type: ignore[arg-type]
    assert float(summary["objective"]) >= DEMO_OPTIMUM * (1 - 1e-9)  # type: ignore[arg-type]
    assert (tmp_path / "stock.csv").is_file()
