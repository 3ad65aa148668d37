"""CLI hygiene: option values and options that do not apply, argument order, --help and --version,
generate's target directory, result directories that never mix plans, instance warnings."""

from __future__ import annotations

import argparse
import json
import shutil
from importlib.metadata import version
from pathlib import Path

import pytest

from meio.cli import build_parser, main
from meio.cli.options import DefaultsFormatter
from meio.data import load_instance
from meio.data.bundled import BUNDLED_DIR
from meio.data.generator import generate_instance
from meio.results.writer import EVALUATION_FILES, PLAN_FILES

FULL = Path(__file__).parent / "data" / "full"


def errors(stderr: str) -> list[str]:
    """The lines of stderr that are not the instance's warnings."""
    return [line for line in stderr.splitlines() if not line.startswith("warning: ")]


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("hygiene")
    instance = generate_instance(root / "inst", products=3, nodes=4, zones=3, scenarios=4, seed=5, name="hyg")
    assert main(["solve", str(instance), "--out", str(root / "meio"), "--quiet"]) == 0
    return instance, root / "meio"


# ---- option values -------------------------------------------------------------------------------

@pytest.mark.parametrize("args, option", [
    (["solve", "tiny", "--time-limit", "-1"], "--time-limit"),
    (["solve", "tiny", "--time-limit", "nan"], "--time-limit"),
    (["solve", "tiny", "--method", "decomposition", "--workers", "0"], "--workers"),
    (["solve", "tiny", "--method", "decomposition", "--gap", "-1"], "--gap"),
    (["solve", "tiny", "--method", "decomposition", "--max-iterations", "0"], "--max-iterations"),
    (["solve", "tiny", "--mip-gap", "1.5"], "--mip-gap"),
    (["evaluate", "r", "tiny", "--scenarios", "0"], "--scenarios"),
    (["evaluate", "r", "tiny", "--seed", "-1"], "--seed"),
    (["evaluate", "r", "tiny", "--order-size", "0"], "--order-size"),
    (["compare", "tiny", "r", "--scenarios", "x"], "--scenarios"),
    (["gap", "tiny", "--replications", "1"], "--replications"),
    (["gap", "tiny", "--eval-scenarios", "0"], "--eval-scenarios"),
    (["gap", "tiny", "--scenarios", "-3"], "--scenarios"),
    (["generate", "g", "--products", "0", "--nodes", "4", "--zones", "3", "--scenarios", "2", "--seed", "1"],
     "--products"),
    (["generate", "g", "--products", "2", "--nodes", "4", "--zones", "3", "--scenarios", "2", "--seed", "1",
      "--tightness", "0"], "--tightness"),
    (["generate", "g", "--products", "2", "--nodes", "4", "--zones", "3", "--scenarios", "2", "--seed", "1",
      "--fill-rate-target", "1.5"], "--fill-rate-target"),
    (["generate", "g", "--products", "2", "--nodes", "1", "--zones", "3", "--scenarios", "2", "--seed", "1"],
     "--nodes"),
    (["generate", "g", "--products", "2", "--nodes", "200", "--zones", "3", "--scenarios", "2", "--seed", "1"],
     "--nodes"),
    (["generate", "g", "--products", "2", "--nodes", "4", "--zones", "51", "--scenarios", "2", "--seed", "1"],
     "--zones"),
    (["generate", "g", "--products", "2", "--nodes", "4", "--zones", "3", "--scenarios", "2", "--seed", "1",
      "--tightness", "1e300"], "--tightness"),
    (["generate", "g", "--products", "2", "--nodes", "4", "--zones", "3", "--scenarios", "2", "--seed", "1",
      "--speeds", ","], "--speeds"),
    (["generate", "g", "--products", "2", "--nodes", "4", "--zones", "3", "--scenarios", "2", "--seed", "1",
      "--speeds", "warp"], "--speeds"),
    (["generate", "g", "--products", "2", "--nodes", "4", "--zones", "3", "--scenarios", "2", "--seed", "1",
      "--speeds", "one_day,one_day"], "--speeds"),
    (["scenarios", "f.csv", "--out", "d.csv", "--scenarios", "0", "--seed", "1"], "--scenarios"),
    (["scenarios", "f.csv", "--out", "d.csv", "--scenarios", "2", "--seed", "1", "--correlation", "-1"],
     "--correlation"),
    (["convert", "tiny", "t.zip", "--level", "10"], "--level"),
])
def test_bad_option_values_exit_2_naming_the_option(args: list[str], option: str, capsys: pytest.CaptureFixture,
                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"argument {option}" in err and "Traceback" not in err


@pytest.mark.parametrize("extra, option", [
    (["--workers", "2"], "--workers"), (["--gap", "0.01"], "--gap"), (["--max-iterations", "5"], "--max-iterations"),
    (["--warm-start", "results/x"], "--warm-start"), (["--no-stabilization"], "--no-stabilization"),
    (["--work", "2"], "--workers"),  # an abbreviation is the option it abbreviates
])
def test_decomposition_options_are_rejected_with_extensive(extra: list[str], option: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture) -> None:
    assert main(["solve", "tiny", "--method", "extensive", "--out", str(tmp_path / "r"), *extra]) == 2
    assert f"error: {option} applies only to --method decomposition" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_options_that_do_not_apply_are_rejected(solved: tuple[Path, Path], tmp_path: Path,
                                                capsys: pytest.CaptureFixture) -> None:
    instance, result = str(solved[0]), str(solved[1])
    cases = [
        (["solve", "tiny", "--mip-gap", "0.01"], "--mip-gap applies only to integer_stock instances"),
        (["solve", "reference/integer_capacities", "--method", "decomposition", "--mip-gap", "0.5"],
         "--mip-gap does not apply to --method decomposition (its gap is --gap)"),
        (["solve", "tiny", "--method", "decomposition", "--verbose"],
         "--verbose does not apply to --method decomposition"),
        (["baseline", "tiny", "--policy", "single-echelon", "--backend", "ortools"],
         "--backend does not apply to --policy single-echelon"),
        (["compare", instance, result, "--baselines", "single-echelon", "--backend", "ortools"],
         "--backend applies only to the speed-blind and no-capacity baselines"),
        (["evaluate", result, instance, "--policy", "optimal", "--order-size", "2"],
         "--order-size applies only to the dynamic policy"),
        (["evaluate", result, instance, "--source", "bootstrap", "--demand-file", "d.csv"],
         "--demand-file applies only to --source file"),
        (["evaluate", result, instance, "--source", "training", "--scenarios", "5"],
         "--scenarios does not apply to --source training"),
        (["evaluate", result, instance, "--source", "training", "--policy", "optimal", "--seed", "3"],
         "--seed does nothing here"),
        (["convert", "tiny", str(tmp_path / "copy"), "--level", "3"], "--level applies only to a bundle target"),
    ]
    for args, message in cases:
        assert main(args) == 2, args
        assert message in capsys.readouterr().err, args


# ---- argument order ------------------------------------------------------------------------------

def test_evaluate_and_compare_take_instance_and_results_in_either_order(solved: tuple[Path, Path], tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture) -> None:
    instance, result = str(solved[0]), str(solved[1])
    common = ["--scenarios", "5", "--policy", "optimal", "--quiet"]
    assert main(["evaluate", instance, result, "--out", str(tmp_path / "e1"), *common]) == 0
    assert main(["evaluate", result, instance, "--out", str(tmp_path / "e2"), *common]) == 0
    first = json.loads((tmp_path / "e1" / "evaluation.json").read_text())
    second = json.loads((tmp_path / "e2" / "evaluation.json").read_text())
    assert first["policies"] == second["policies"]
    assert main(["compare", result, instance, result, "--baselines", "", "--out", str(tmp_path / "c"),
                 *common]) == 0
    assert main(["evaluate", str(tmp_path / "nothing"), "tiny"]) == 2
    assert (f"'{tmp_path / 'nothing'}' is neither a result directory (no summary.json or stock.csv) nor an instance"
            in capsys.readouterr().err)
    assert main(["compare", result, result]) == 2
    assert "give exactly one instance besides the result directories (instances given: none)" in capsys.readouterr().err
    assert main(["evaluate", "tiny", "demo"]) == 2
    assert "(instances given: 'tiny', 'demo')" in capsys.readouterr().err


def test_compare_with_one_result_directory_compares_against_every_baseline(solved: tuple[Path, Path],
                                                                          tmp_path: Path) -> None:
    instance, result = str(solved[0]), str(solved[1])
    assert main(["compare", instance, result, "--scenarios", "5", "--policy", "optimal", "--out", str(tmp_path),
                 "--quiet"]) == 0
    record = json.loads((tmp_path / "comparison.json").read_text())
    assert record["plans"] == ["meio", "single-echelon", "speed-blind", "no-capacity"]


# ---- --help and --version ------------------------------------------------------------------------

def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_option_has_help_and_shows_its_default() -> None:
    formatter = DefaultsFormatter("meio")
    for name, parser in _subparsers().items():
        assert parser.formatter_class is DefaultsFormatter
        for action in parser._actions:
            if not action.option_strings or action.dest == "help":
                continue
            assert action.help, (name, action.dest)
            if action.nargs != 0 and action.default is not None:
                assert "default" in (formatter._get_help_string(action) or ""), (name, action.dest)


@pytest.mark.parametrize("command", sorted(_subparsers()))
def test_help_of_every_command(command: str, capsys: pytest.CaptureFixture) -> None:
    assert main([command, "--help"]) == 0  # every option's default: test_every_option_has_help_and_shows_its_default
    assert f"usage: meio {command}" in capsys.readouterr().out
    assert _subparsers()[command].description, f"meio {command} --help has no description line"


def test_solve_help_shows_the_defaults(capsys: pytest.CaptureFixture) -> None:
    assert main(["solve", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for shown in ("(default: extensive)", "(default: highs)", "(default: 1e-06)", "(default: 0.0001)",
                  "(default: 200)", "(default: 1)"):
        assert shown in text


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"meio {version('meio')}"


# ---- generate ------------------------------------------------------------------------------------

GENERATE = ["--products", "2", "--nodes", "4", "--zones", "3", "--scenarios", "2", "--seed", "1"]


def test_generate_refuses_a_non_empty_directory_and_force_writes_a_clean_one(tmp_path: Path,
                                                                             capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "net"
    assert main(["generate", str(out), *GENERATE, "--windows", "--on-hand"]) == 0
    assert (out / "windows.csv").is_file() and (out / "inventory.csv").is_file()
    (out / "notes.txt").write_text("mine")
    before = (out / "demand.csv").read_bytes()
    assert main(["generate", str(out), *GENERATE[:-1], "2"]) == 2
    assert "is not empty (use --force" in capsys.readouterr().err
    assert (out / "demand.csv").read_bytes() == before
    assert main(["generate", str(out), *GENERATE, "--force"]) == 0
    assert not (out / "windows.csv").exists() and not (out / "inventory.csv").exists()
    assert (out / "notes.txt").read_text() == "mine"
    instance = load_instance(out)
    assert instance.windows is None and instance.inventory.empty


@pytest.mark.parametrize("sites, fewest", [([], 3), (["--no-same-day-sites"], 2), (["--nonsort-sites"], 4)])
def test_generate_names_the_fewest_nodes_the_sites_allow(sites: list[str], fewest: int, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture) -> None:
    sizes = ["--products", "2", "--zones", "3", "--scenarios", "2", "--seed", "1", *sites]
    assert main(["generate", str(tmp_path / "few"), *sizes, "--nodes", str(fewest - 1)]) == 2
    assert f"error: argument --nodes: must be >= {fewest} with these sites and speeds" in capsys.readouterr().err
    assert not (tmp_path / "few").exists()
    assert main(["generate", str(tmp_path / "enough"), *sizes, "--nodes", str(fewest)]) == 0


def test_generate_writes_every_node_asked_for_or_refuses(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    # a same-day site per zone: 20 nodes would ask for 4 of them among 3 zones (19 nodes were written)
    sizes = ["--products", "2", "--zones", "3", "--scenarios", "2", "--seed", "1"]
    assert main(["generate", str(tmp_path / "many"), *sizes, "--nodes", "20"]) == 2
    assert "argument --nodes: must be <= 19 with these sites, speeds and zones" in capsys.readouterr().err
    assert main(["generate", str(tmp_path / "fits"), *sizes, "--nodes", "19"]) == 0
    assert len(load_instance(tmp_path / "fits").nodes) == 19


def test_generated_instances_are_named_after_their_directory(tmp_path: Path) -> None:
    assert main(["generate", str(tmp_path / "east"), *GENERATE]) == 0
    assert main(["generate", str(tmp_path / "west"), *GENERATE, "--name", "custom"]) == 0
    assert load_instance(tmp_path / "east").name == "east"
    assert load_instance(tmp_path / "west").name == "custom"


@pytest.mark.parametrize("name", ["..", ".", "", " ", "a/b", "../up", "a\\b", "c:d", "tab\there"])
def test_generate_refuses_a_name_that_is_not_a_single_path_component(name: str, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture) -> None:
    assert main(["generate", str(tmp_path / "net"), *GENERATE, "--name", name]) == 2
    err = capsys.readouterr().err
    assert "argument --name: must be one path component" in err and f"got {name!r}" in err
    assert "Traceback" not in err
    assert not (tmp_path / "net").exists()


@pytest.mark.parametrize("name", ["..", "a/b", " "])
def test_an_unsafe_name_in_instance_toml_is_an_error(name: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture) -> None:
    directory = tmp_path / "inst"
    shutil.copytree(FULL, directory)
    (directory / "instance.toml").write_text(f"name = {json.dumps(name)}\n")
    assert main(["validate", str(directory)]) == 2
    err = capsys.readouterr().err
    assert "instance.toml, key 'name': must be one path component" in err and f"got {name!r}" in err


def test_an_instance_given_as_dot_is_named_after_its_directory(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "east"
    shutil.copytree(FULL, directory)
    (directory / "instance.toml").unlink(missing_ok=True)
    monkeypatch.chdir(directory)
    assert load_instance(".").name == "east"


def test_generate_never_writes_into_the_bundled_instances(capsys: pytest.CaptureFixture) -> None:
    before = (BUNDLED_DIR / "demo" / "demand.csv").read_bytes()
    assert main(["generate", str(BUNDLED_DIR / "demo"), *GENERATE, "--force"]) == 2
    assert "inside meio's bundled instances" in capsys.readouterr().err
    assert (BUNDLED_DIR / "demo" / "demand.csv").read_bytes() == before


# ---- result directories --------------------------------------------------------------------------

def test_solve_clears_what_an_earlier_plan_left(tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert main(["solve", "tiny", "--method", "decomposition", "--out", str(out), "--quiet"]) == 0
    written = {p.name for p in out.iterdir()}
    assert written <= set(PLAN_FILES) and {"convergence.csv", "warm_start.npz"} <= written
    for name in EVALUATION_FILES:
        (out / name).write_text("{}")
    (out / "mine.txt").write_text("kept")
    assert main(["solve", "tiny", "--out", str(out), "--quiet"]) == 0
    assert {p.name for p in out.iterdir()} == {"summary.json", "stock.csv", "prices.csv", "utilization.csv",
                                               "flows.csv", "mine.txt"}


def test_report_leaves_out_evaluations_of_another_plan(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "r"
    assert main(["solve", "tiny", "--out", str(out), "--quiet"]) == 0
    assert main(["evaluate", str(out), "tiny", "--scenarios", "5", "--source", "bootstrap", "--quiet"]) == 0
    assert len(json.loads((out / "evaluation.json").read_text())["plan_sha256"]) == 64
    assert main(["report", str(out)]) == 0
    assert "Out-of-sample evaluation" in (out / "report.html").read_text()
    capsys.readouterr()
    with (out / "stock.csv").open("a") as stock:  # another plan, as if stock.csv had been rewritten
        stock.write("\n")
    assert main(["report", str(out)]) == 0
    assert "evaluation.json is about another plan than this directory's stock.csv" in capsys.readouterr().err
    assert "Out-of-sample evaluation" not in (out / "report.html").read_text()


# ---- instance warnings ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["validate"], ["info", "--no-model"], ["solve", "--quiet"]])
def test_instance_warnings_go_to_stderr_even_under_quiet(command: list[str], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture) -> None:
    directory = tmp_path / "extra"
    shutil.copytree(FULL, directory)
    (directory / "zones.csv").write_text("zone,colour\nZ1,red\nZ2,blue\n")
    extra = ["--out", str(tmp_path / "r")] if command[0] == "solve" else []
    assert main([command[0], str(directory), *command[1:], *extra]) == 0
    err = capsys.readouterr().err
    assert "warning: zones.csv: column 'colour' is not part of the format and is ignored" in err
    assert errors(err) == []


def test_benchmark_prints_the_warnings_of_every_member_after_its_name(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture) -> None:
    directory = tmp_path / "suite" / "extra"
    shutil.copytree(FULL, directory)
    (directory / "zones.csv").write_text("zone,colour\nZ1,red\nZ2,blue\n")
    assert main(["benchmark", str(tmp_path / "suite"), "--methods", "extensive", "--backends", "highs",
                 "--out", str(tmp_path / "b"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "warning: extra: zones.csv: column 'colour' is not part of the format and is ignored" in err
    assert errors(err) == []
