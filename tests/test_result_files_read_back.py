"""Result files read back (a plan's stock.csv, prices.csv, the warm start's .npz files): a file
edited by hand or damaged gives one message naming the file, line and column, and exit code 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from meio.checked_csv import CsvColumns, read_checked_csv
from meio.cli import main
from meio.errors import MeioError


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("read_back") / "tiny"
    assert main(["solve", "tiny", "--method", "decomposition", "--out", str(out), "--quiet"]) == 0
    return out


def _copy(solved: Path, target: Path, without_npz: bool) -> Path:
    shutil.copytree(solved, target)
    if without_npz:  # a warm start then reads prices.csv and stock.csv
        for name in ("warm_start.npz", "bases.npz"):
            (target / name).unlink()
    return target


def _set_cell(path: Path, column: str, value: str | None) -> None:
    """Replace the first row's ``column`` by ``value``, or drop the column (None)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if value is None:
        table = table.drop(columns=column)
    else:
        table.loc[0, column] = value
    table.to_csv(path, index=False)


STOCK_ABC = ("stock.csv", "stock", "abc", "stock.csv, line 2, column 'stock': must be a number >= 0, got 'abc'")
STOCK_NEGATIVE = ("stock.csv", "stock", "-3", "stock.csv, line 2, column 'stock': must be a number >= 0, got -3")
STOCK_GONE = ("stock.csv", "stock", None, "stock.csv: missing column 'stock'")
PRICE_ABC = ("prices.csv", "price", "abc", "prices.csv, line 2, column 'price': must be a number, got 'abc'")
PRICE_GONE = ("prices.csv", "price", None, "prices.csv: missing column 'price'")


STOCK_CASES = [STOCK_ABC, STOCK_NEGATIVE, STOCK_GONE]
#: evaluate reads only the plan's stock.csv; report and a warm start read prices.csv too
CASES = [(command, *case) for command in ("report", "warm-start") for case in [*STOCK_CASES, PRICE_ABC, PRICE_GONE]]
CASES += [("evaluate", *case) for case in STOCK_CASES]


@pytest.mark.parametrize("command, file, column, value, message", CASES)
def test_a_bad_cell_names_file_line_and_column(solved: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
                                               command: str, file: str, column: str, value: str | None,
                                               message: str) -> None:
    result = _copy(solved, tmp_path / "r", without_npz=command == "warm-start")
    _set_cell(result / file, column, value)
    args = {"report": ["report", str(result), "--out", str(tmp_path / "x.html")],
            "evaluate": ["evaluate", str(result), "tiny", "--scenarios", "2"],
            "warm-start": ["solve", "tiny", "--method", "decomposition", "--warm-start", str(result),
                           "--out", str(tmp_path / "o"), "--quiet"]}[command]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{result / message}" in err and "Traceback" not in err


@pytest.mark.parametrize("name", ["warm_start.npz", "bases.npz"])
def test_a_damaged_npz_is_named_and_never_loaded_as_a_pickle(solved: Path, tmp_path: Path, name: str,
                                                            capsys: pytest.CaptureFixture) -> None:
    result = _copy(solved, tmp_path / "r", without_npz=False)
    (result / name).write_text("junk\n")
    assert main(["solve", "tiny", "--method", "decomposition", "--warm-start", str(result),
                 "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"--warm-start: {result / name} is not a readable .npz file" in err
    assert "pickle" not in err and "Traceback" not in err


def test_an_npz_without_a_field_is_named(solved: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    result = _copy(solved, tmp_path / "r", without_npz=False)
    with np.load(result / "bases.npz") as stored:
        kept = {key: stored[key] for key in stored.files if key != "row_status"}
    np.savez(result / "bases.npz", **kept)
    assert main(["solve", "tiny", "--method", "decomposition", "--warm-start", str(result),
                 "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert f"--warm-start: {result / 'bases.npz'} has no array 'row_status'" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["missing", "file"])
def test_a_warm_start_that_is_no_directory_names_the_option(solved: Path, tmp_path: Path, target: str,
                                                            capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "missing" if target == "missing" else solved / "summary.json"
    assert main(["solve", "tiny", "--method", "decomposition", "--warm-start", str(path),
                 "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert f"error: --warm-start {path}: no such directory" in capsys.readouterr().err


def test_a_warm_start_from_another_instance_is_pointed_out(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["solve", "tiny", "--out", str(tmp_path / "tiny"), "--quiet"]) == 0
    assert main(["solve", "demo", "--method", "decomposition", "--warm-start", str(tmp_path / "tiny"),
                 "--max-iterations", "1", "--out", str(tmp_path / "o")]) in (0, 1)
    out = capsys.readouterr().out
    assert "warning: the warm start is a result of instance 'tiny', not 'demo'" in out
    assert "(0 of 186 linking rows' prices, 0 products' bases)" in out


def test_the_same_instance_gives_no_such_warning(solved: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["solve", "tiny", "--method", "decomposition", "--warm-start", str(solved),
                 "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "warm start: 1 of 1 products' terms taken over" in out and "warning: the warm start" not in out


def test_numbers_columns_take_blanks_and_infinity_and_refuse_text(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("name,value,amount\na,,1\nb,inf,0\nc,-2.5,3\n")
    table = read_checked_csv(path, CsvColumns(text=("name",), numbers=("value",), amounts=("amount",)))
    assert np.isnan(table["value"][0]) and table["value"][1] == np.inf and table["value"][2] == -2.5
    assert table["amount"].tolist() == [1.0, 0.0, 3.0]
    path.write_text("name,value,amount\na,x,1\n")
    with pytest.raises(MeioError, match=r"t.csv, line 2, column 'value': must be a number, got 'x'"):
        read_checked_csv(path, CsvColumns(numbers=("value",)))
    path.write_text("name,value,amount\na,1,inf\n")
    with pytest.raises(MeioError, match=r"line 2, column 'amount': must be a number >= 0, got inf"):
        read_checked_csv(path, CsvColumns(amounts=("amount",)))


def test_a_stock_below_zero_by_round_off_is_written_as_zero_and_a_larger_one_as_it_is() -> None:
    """GLOP stopped by a time limit left a stock of -2.2e-16, which stock.csv then refused to read back."""
    from meio.data import load_instance
    from meio.data.derived import derive_sets
    from meio.models.index import model_index
    from meio.results.tables import PlanValues, stock_table

    instance = load_instance("demo")
    index = model_index(instance, derive_sets(instance))
    y = np.ones(len(index.y))
    y[0], y[-1] = -2.2e-16, -1e-3
    table = stock_table(index, PlanValues(y=y, x=np.zeros(len(index.x)), u=np.zeros(len(index.u))))
    assert table["stock"].iloc[0] == 0.0 and table["stock"].iloc[-1] == -1e-3
    assert table["buy"].tolist() == (table["stock"] - index.y["on_hand"]).tolist()


@pytest.mark.parametrize("command", [["evaluate", "{out}", "demo", "--scenarios", "5"],
                                     ["solve", "demo", "--method", "decomposition", "--warm-start", "{out}",
                                      "--out", "{out}2"]])
def test_a_result_without_a_plan_is_named_as_such(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                  command: list[str]) -> None:
    out = str(tmp_path / "stopped")
    assert main(["solve", "demo", "--method", "decomposition", "--time-limit", "0.01", "--out", out, "--quiet"]) == 1
    capsys.readouterr()
    assert main([part.format(out=out) for part in command]) == 2
    assert "the solve that wrote it ended without a plan (termination 'time_limit'" in capsys.readouterr().err
