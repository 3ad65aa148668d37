"""The command line as a user meets it: result files, clear errors, exit codes, no tracebacks."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from meio.cli import main

FULL = Path(__file__).parent / "data" / "full"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "meio", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("backend", ["highs", "ortools"])
def test_solve_writes_the_result_files(tmp_path: Path, backend: str, capsys) -> None:
    out = tmp_path / "result"
    assert main(["solve", "tiny", "--backend", backend, "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["method"] == "extensive" and summary["backend"] == backend
    assert summary["objective"] == pytest.approx(197.0) and summary["lower_bound"] == pytest.approx(197.0)
    assert summary["gap"] == 0.0
    assert set(summary["costs"]) == {"purchase", "holding", "shipping", "lost_sales"}
    assert summary["fill_rate"] == pytest.approx({"same_day": 0.0, "two_day": 0.8})
    stock = pd.read_csv(out / "stock.csv")
    assert list(stock.columns) == ["product", "node", "stock", "buy"]
    prices = pd.read_csv(out / "prices.csv")
    assert prices.loc[0, "constraint"] == "storage[FC1]" and prices.loc[0, "price"] == pytest.approx(1.0)
    flows = pd.read_csv(out / "flows.csv")
    assert set(flows["origin"]) == {"FC1"} and flows["units"].sum() == pytest.approx(20.0)  # (10+20+25+25)/4
    utilization = pd.read_csv(out / "utilization.csv")
    assert utilization.loc[0, "storage_utilization"] == pytest.approx(1.0)
    assert "expected cost 197.00" in capsys.readouterr().out


def test_solve_a_directory_with_every_feature(tmp_path: Path) -> None:
    assert main(["solve", str(FULL), "--out", str(tmp_path), "--quiet"]) == 0
    assert json.loads((tmp_path / "summary.json").read_text())["status"] == "optimal"


def test_bad_instance_gives_one_message_and_no_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(FULL, broken)
    text = (broken / "lanes.csv").read_text().replace("DC,FC2,12", "DC,FC7,12")
    (broken / "lanes.csv").write_text(text)
    process = run_cli("solve", str(broken), "--out", str(tmp_path / "out"))
    assert process.returncode == 2
    assert "Traceback" not in process.stderr
    assert "lanes.csv, line 3, column 'destination': 'FC7' is not defined" in process.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_instance_name(tmp_path: Path) -> None:
    process = run_cli("validate", str(tmp_path / "missing"))
    assert process.returncode == 2 and "Traceback" not in process.stderr
    assert "no instance directory" in process.stderr


def test_infeasible_instance_exits_non_zero_and_names_the_constraint(tmp_path: Path) -> None:
    broken = tmp_path / "infeasible"
    shutil.copytree(FULL, broken)
    (broken / "inventory.csv").write_text("product,node,on_hand\np1,FC1,50\n")  # 75 volume > 60
    process = run_cli("solve", str(broken), "--out", str(tmp_path / "out"))
    assert process.returncode == 1
    assert "storage[FC1]" in process.stdout and "on-hand stock alone occupies 75" in process.stdout
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["status"] == "infeasible"


def test_validate_reports_ignored_columns(tmp_path: Path, capsys) -> None:
    directory = tmp_path / "extra"
    shutil.copytree(FULL, directory)
    (directory / "zones.csv").write_text("zone,colour\nZ1,red\nZ2,blue\n")
    assert main(["validate", str(directory)]) == 0
    captured = capsys.readouterr()
    assert "warning: zones.csv: column 'colour' is not part of the format and is ignored" in captured.err
    assert "valid (2 products, 3 nodes, 2 zones, 2 scenarios)" in captured.out


def test_info_counts(capsys) -> None:
    assert main(["info", "tiny"]) == 0
    lines = {" ".join(line.split()) for line in capsys.readouterr().out.splitlines()}
    for line in ("routes (R) 2", "eligible route-class pairs (E) 2", "variables x 7", "constraints storage 1"):
        assert line in lines


def test_every_command_registers_and_only_the_one_run_is_imported() -> None:
    from meio.cli import COMMANDS, build_parser

    full = build_parser()
    actions = [a for a in full._actions if isinstance(a, argparse._SubParsersAction)]
    assert sorted(actions[0].choices) == sorted(COMMANDS)
    process = subprocess.run([sys.executable, "-c", "import sys; from meio.cli import main; main(['validate', "
                              "'tiny']); print('pyomo' in sys.modules, 'matplotlib' in sys.modules)"],
                             capture_output=True, text=True, timeout=120)
    assert process.stdout.strip().endswith("False False")
