"""The extensive solve shows HiGHS's progress when asked, and passes its log through with --verbose."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.random_instance import write_random_instance

from meio.cli import main
from meio.data import load_instance
from meio.exact import solve_extensive
from meio.solvers import SolveOptions, progress


@pytest.mark.parametrize("integer", [False, True])
def test_progress_line_shows_elapsed_time_and_solver_progress(integer: bool, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "INTERVAL", 0.0)  # every callback rewrites the line
    directory = write_random_instance(tmp_path, 7, products=6, nodes=4, zones=4, scenarios=6, capacities=True,
                                      service_targets=True)
    result = solve_extensive(load_instance(directory), "highs", SolveOptions(progress=True), integer=integer)
    assert result.has_plan
    err = capsys.readouterr().err
    assert "HiGHS: " in err and " s  " in err and err.endswith("\r\033[K")
    assert ("branch and cut: primal bound" if integer else "simplex iteration") in err


def test_no_progress_unless_asked_and_verbose_passes_the_log(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    assert main(["solve", "tiny", "--out", str(tmp_path / "quiet"), "--quiet"]) == 0
    quiet = capfd.readouterr()
    assert "HiGHS" not in quiet.out + quiet.err
    assert main(["solve", "tiny", "--out", str(tmp_path / "verbose"), "--verbose"]) == 0
    assert "HiGHS" in capfd.readouterr().out  # the solver's own log
