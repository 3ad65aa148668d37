"""Progress inside long master solves: HiGHS's per-iteration callbacks reach the progress line at
most once an interval, and watching a solve changes nothing of its answer."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from support.generated import generated_with_optimum

import meio.decomposition.lp as lp_module
from meio.decomposition import DecompositionConfig, solve_decomposition
from meio.decomposition.lp import HighsEngine
from meio.decomposition.progress import ProgressReporter
from meio.solvers.matrix import LinearModel


def _model(size: int = 300, seed: int = 3) -> LinearModel:
    rng = np.random.default_rng(seed)
    A = sp.csr_array(sp.random(size, size, density=0.05, random_state=seed) + sp.eye(size))
    return LinearModel(c=-rng.random(size), A=A, row_lower=np.full(size, -np.inf), row_upper=np.ones(size),
                       lower=np.zeros(size), upper=np.full(size, np.inf), integer=np.zeros(size, dtype=bool))


def test_a_watched_solve_reports_its_simplex_iterations_and_gives_the_same_answer() -> None:
    model, reports = _model(), []
    watched = HighsEngine(model)
    watched.watch(reports.append, every=0.0)
    seen, plain = watched.solve(), HighsEngine(model).solve()
    assert seen.solved and seen.objective == plain.objective and np.array_equal(seen.x, plain.x)
    counts = [int(report.removeprefix("simplex iteration ").replace(",", "")) for report in reports]
    iterations = watched.highs.getInfo().simplex_iteration_count
    assert len(counts) > 10 and counts == sorted(counts) and 0 < counts[-1] <= iterations


def test_nothing_is_reported_before_the_interval_and_interior_point_is_named() -> None:
    model, late, barrier = _model(), [], []
    engine = HighsEngine(model)
    engine.watch(late.append, every=3600.0)
    assert engine.solve().solved and late == []
    engine = HighsEngine(model, barrier=True)
    engine.watch(barrier.append, every=0.0)
    assert engine.solve().solved and "interior point" in barrier


def test_steps_are_logged_when_they_start_and_progress_inside_them_once_an_interval() -> None:
    log = io.StringIO()
    reporter = ProgressReporter(stream=log, log_interval=60.0)
    reporter.busy("master solve: simplex iteration 10", 30.0)  # a run's first minute: quiet
    reporter.phase("first restricted master solve (9 columns)", 100.0)
    reporter.busy("master solve: simplex iteration 500", 130.0)  # within 60 s of the last line
    reporter.phase("a step that starts within the minute", 140.0)  # a step is logged all the same
    reporter.busy("master solve: simplex iteration 9,000", 205.0)
    assert [line.split("   ")[0].strip() for line in log.getvalue().splitlines()] == [
        "first restricted master solve (9 columns)", "a step that starts within the minute",
        "master solve: simplex iteration 9,000"]


@pytest.mark.parametrize("progress", [True, False])
def test_a_decomposition_shows_its_master_iterations_only_with_progress(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], progress: bool) -> None:
    instance, _ = generated_with_optimum(tmp_path / "g", products=20, seed=5)
    monkeypatch.setattr(lp_module, "WATCH_SECONDS", 0.0)  # every master iteration is due
    result = solve_decomposition(instance, config=DecompositionConfig(progress=progress))
    assert result.has_plan
    shown = capsys.readouterr().err
    assert ("master solve: simplex iteration" in shown) is progress
