"""The extensive solve shows HiGHS's progress when asked, and passes its log through with --verbose."""

from __future__ import annotations

import pytest

from meio.cli import main
from meio.data import load_instance
from meio.exact import solve_extensive
from meio.solvers import SolveOptions


@pytest.mark.parametrize("integer", [False, True])
def test_progress_line_shows_elapsed_time_and_solver_progress(integer: bool, capsys: pytest.CaptureFixture) -> None:
    result = solve_extensive(load_instance("tiny"), "highs", SolveOptions(progress=True), integer=integer)
    assert result.has_plan
    err = capsys.readouterr().err
    assert "HiGHS: " in err and " s  " in err and err.endswith("\r\033[K")
    assert ("branch and cut: primal bound" if integer else "simplex iteration") in err


def test_no_progress_unless_asked_and_verbose_passes_the_log(tmp_path, capfd: pytest.CaptureFixture) -> None:
    assert main(["solve", "tiny", "--out", str(tmp_path / "quiet"), "--quiet"]) == 0
    quiet = capfd.readouterr()
    assert "HiGHS" not in quiet.out + quiet.err
    assert main(["solve", "tiny", "--out", str(tmp_path / "verbose"), "--verbose"]) == 0
    assert "HiGHS" in capfd.readouterr().out  # the solver's own log
