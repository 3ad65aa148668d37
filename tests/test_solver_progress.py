"""The status line of long commands: the phase, the time since the command started and the
latest detail (HiGHS's iterations, objective, bounds and gap); nested steps; quiet unless on a
terminal; --verbose passes the solver's log through instead."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from support.random_instance import write_random_instance

from meio import progress
from meio.cli import main
from meio.cli.compare import _baselines
from meio.data import load_instance
from meio.data.generator import GeneratorConfig, write_instance
from meio.evaluation.progress import Progress
from meio.evaluation.report import build_report
from meio.exact import solve_extensive
from meio.progress import StatusLine
from meio.solvers import SolveOptions


class Terminal(io.StringIO):
    """Standard error as a terminal."""

    def isatty(self) -> bool:
        return True


def frames(text: str) -> list[str]:
    """Each state the line was drawn in (the text after each carriage return and erase)."""
    return [part for part in text.replace("\033[K", "").split("\r") if part.startswith("  ")]


def phases(text: str) -> list[str]:
    """The phase of each frame (``  phase  elapsed  detail``)."""
    return [frame.split("  ")[1] for frame in frames(text)]


@pytest.fixture(autouse=True)
def every_update_draws_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every update drawn, on a terminal wide enough for the whole line: a pytest-xdist worker's
    terminal is 80 columns, too narrow for a long temporary path, and the elapsed time is the
    machine's uptime where a test starts the clock at 0 ("495 min 30 s" on a long-running one)."""
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback=(80, 24): __import__("os").terminal_size((400, 24)))


@pytest.mark.parametrize("integer", [False, True])
def test_the_line_shows_each_phase_with_the_elapsed_time_and_highs_progress(integer: bool, tmp_path: Path,
                                                                             capsys: pytest.CaptureFixture) -> None:
    directory = write_random_instance(tmp_path, 7, products=6, nodes=4, zones=4, scenarios=6, capacities=True,
                                      service_targets=True)
    result = solve_extensive(load_instance(directory), "highs", SolveOptions(progress=True), integer=integer)
    assert result.has_plan
    err = capsys.readouterr().err
    shown = frames(err)
    for phase in ("building the model", "passing the model to HiGHS", "solving (HiGHS)", "reading the solution"):
        assert any(f.startswith(f"  {phase}  ") for f in shown), (phase, shown)
    assert all(" s" in f.split("  ")[2] for f in shown)  # phase, elapsed, detail
    assert "presolve" in err
    if integer:
        assert "branch and cut: primal bound" in err and ", dual bound " in err and ", gap " in err
    else:
        assert "simplex, iteration " in err and ", objective " in err
    assert err.endswith("\r\033[K")  # erased at the end


def test_meio_solve_on_a_terminal_shows_one_line_from_loading_to_writing(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["solve", "tiny", "--out", str(tmp_path / "r")]) == 0
    shown = phases(terminal.getvalue())
    order = ["loading tiny", "building the model", "solving (HiGHS)", "reading the solution", f"writing {tmp_path}/r/"]
    assert [phase for phase in order if phase in shown] == order, shown
    assert "tiny: optimal" in capsys.readouterr().out


def test_no_line_unless_on_a_terminal_and_verbose_passes_the_log(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    assert main(["solve", "tiny", "--out", str(tmp_path / "plain")]) == 0
    plain = capfd.readouterr()
    assert "\r" not in plain.err and "building the model" not in plain.err
    assert main(["solve", "tiny", "--out", str(tmp_path / "quiet"), "--quiet"]) == 0
    quiet = capfd.readouterr()
    assert "HiGHS" not in quiet.out + quiet.err
    assert main(["solve", "tiny", "--out", str(tmp_path / "verbose"), "--verbose"]) == 0
    assert "HiGHS" in capfd.readouterr().out  # the solver's own log


def test_a_nested_step_shows_after_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = Terminal()
    line = StatusLine(stream=stream, started=0.0)
    count = Progress(line=line)
    count.start("computing baselines", 3)
    with count.step("speed-blind"):
        line.phase("building the model")
        assert line.text().startswith("  computing baselines: 0/3 › speed-blind › building the model  ")
        line.show("iteration 12")
        assert line.text().endswith("  iteration 12")
    count.advance()
    assert line.text().startswith("  computing baselines: 1/3  ")
    line.close()


def test_the_line_fits_the_terminal_and_steps_aside_for_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = Terminal()
    line = StatusLine(stream=stream, started=0.0)
    line.phase("building the model")
    line.show("iteration 12")
    assert line.text().startswith("  building the model  ") and line.text().endswith("  iteration 12")
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback: __import__("os").terminal_size((30, 24)))
    assert len(line.text()) == 29 and line.text().endswith("…")
    progress.clear()  # a warning is about to be printed
    assert stream.getvalue().endswith("\r\033[K")
    line.close()


def test_compare_names_the_baseline_being_solved_and_its_phases() -> None:
    stream = Terminal()
    _baselines(load_instance("tiny"), ("single-echelon", "speed-blind"), "highs", [],
               Progress(line=StatusLine(stream=stream)))
    shown = phases(stream.getvalue())
    assert "computing baselines: 0/2 › single-echelon" in shown
    assert "computing baselines: 1/2 › speed-blind › building the model" in shown
    assert "computing baselines: 1/2 › speed-blind › solving (HiGHS)" in shown


def test_generate_and_report_show_their_phases(tmp_path: Path) -> None:
    stream = Terminal()
    write_instance(tmp_path / "inst", GeneratorConfig(products=3, nodes=4, zones=3, scenarios=3, seed=1),
                   StatusLine(stream=stream))
    shown = phases(stream.getvalue())
    assert "sampling demand.csv: scenario 3/3" in shown and "writing the tables" in shown
    assert main(["solve", str(tmp_path / "inst"), "--out", str(tmp_path / "r"), "--quiet"]) == 0
    stream = Terminal()
    build_report(tmp_path / "r", str(tmp_path / "inst"), progress=StatusLine(stream=stream))
    shown = phases(stream.getvalue())
    assert "drawing the figures: cost breakdown" in shown and "drawing the map" in shown
