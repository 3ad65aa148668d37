"""Input holes of issue #9: bad input is an error naming file, line and column, never a silent change.

Each test breaks the full instance (tests/data/full) one way that the loader used to accept,
or to accept without a word.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from test_validation import FULL, rejected, rows_of, set_cell, write_rows

from meio.data import load_instance
from meio.data.derived import enumerate_routes
from meio.data.reachability import fastest_routes
from meio.data.schema import INSTANCE_FILES


@pytest.fixture
def instance_dir(tmp_path: Path) -> Path:
    target = tmp_path / "instance"
    shutil.copytree(FULL, target)
    return target


def rename_column(directory: Path, file: str, old: str, new: str) -> None:
    """Rename one header name, keeping every row as written."""
    lines = (directory / file).read_text().splitlines(keepends=True)
    header = [new if name == old else name for name in lines[0].rstrip("\n").split(",")]
    (directory / file).write_text(",".join(header) + "\n" + "".join(lines[1:]))


def replace_line(directory: Path, file: str, line: int, text: str) -> None:
    """Replace line ``line`` (1 = header) of a file by ``text``."""
    lines = (directory / file).read_text().splitlines()
    lines[line - 1] = text
    (directory / file).write_text("\n".join(lines) + "\n")


# 1. a column twice in the header


def test_repeated_column_is_an_error(instance_dir: Path) -> None:
    rename_column(instance_dir, "nodes.csv", "handling_hours", "storage_capacity")
    error = rejected(instance_dir)
    assert "nodes.csv, column 'storage_capacity': column appears more than once in the header" in str(error)


def test_repeated_column_with_other_spacing_is_an_error(instance_dir: Path) -> None:
    rename_column(instance_dir, "lanes.csv", "volume_cost", " unit_cost ")
    assert "lanes.csv, column 'unit_cost': column appears more than once" in str(rejected(instance_dir))


# 2. rows with too few or too many cells


def test_short_row_is_an_error(instance_dir: Path) -> None:
    replace_line(instance_dir, "lanes.csv", 3, "DC,FC2,12")
    error = rejected(instance_dir)
    assert "lanes.csv, line 3: row has 3 cells but the header has 5 columns" in str(error)


def test_long_rows_are_errors_with_their_lines(instance_dir: Path) -> None:
    replace_line(instance_dir, "lanes.csv", 2, "DC,FC1,10,0.5,0.1,9")
    replace_line(instance_dir, "lanes.csv", 4, "FC1,Z1,3,1,0.2,,")
    error = rejected(instance_dir)
    assert "lanes.csv, line 2: row has 6 cells but the header has 5 columns" in str(error)
    assert "lanes.csv, line 4: row has 7 cells but the header has 5 columns" in str(error)


def test_short_row_is_found_in_a_quoted_file(instance_dir: Path) -> None:
    (instance_dir / "products.csv").write_text(
        'product,unit_volume,unit_cost,holding_cost,lost_sale_cost,category\n'
        '"p1",1.5,10,1,30,"small"\n"p2",4,20,2\n')
    assert "products.csv, line 3: row has 4 cells but the header has 6 columns" in str(rejected(instance_dir))


def test_short_row_is_found_beside_a_blank_line(instance_dir: Path) -> None:
    text = (instance_dir / "lanes.csv").read_text()
    (instance_dir / "lanes.csv").write_text(text.replace("DC,FC2,12,0.5,0.1\n", "\nDC,FC2,12\n"))
    assert "lanes.csv, line 4: row has 3 cells but the header has 5 columns" in str(rejected(instance_dir))


def test_blank_trailing_lines_are_allowed(instance_dir: Path) -> None:
    with (instance_dir / "lanes.csv").open("a") as handle:
        handle.write("\n\n")
    assert len(load_instance(instance_dir).lanes) == 5


# 3. misspelt columns and files


@pytest.mark.parametrize("name", ["Storage_Capacity", "storage_capcity", "STORAGE_CAPACITY"])
def test_misspelt_column_is_an_error(instance_dir: Path, name: str) -> None:
    rename_column(instance_dir, "nodes.csv", "storage_capacity", name)
    error = rejected(instance_dir)
    assert f"nodes.csv, column '{name}': unknown column; did you mean 'storage_capacity'?" in str(error)


def test_column_in_another_case_beside_the_right_one_is_an_error(instance_dir: Path) -> None:
    set_cell(instance_dir, "nodes.csv", 0, "Storage_Capacity", "5")
    assert "nodes.csv, column 'Storage_Capacity': unknown column; did you mean" in str(rejected(instance_dir))


def test_misspelt_required_column_says_what_was_meant(instance_dir: Path) -> None:
    rename_column(instance_dir, "demand.csv", "quantity", "quantitiy")
    error = str(rejected(instance_dir))
    assert "demand.csv, column 'quantitiy': unknown column; did you mean 'quantity'?" in error
    assert "demand.csv, column 'quantity': required column is missing" in error


def test_unrelated_unknown_column_stays_a_warning(instance_dir: Path) -> None:
    set_cell(instance_dir, "nodes.csv", 0, "manager", "Ann")
    assert load_instance(instance_dir).notes == (
        "nodes.csv: column 'manager' is not part of the format and is ignored",)


@pytest.mark.parametrize(("wrong", "right"), [("inventory.csv", "inventroy.csv"),
                                              ("windows.csv", "Windows.csv")])
def test_misspelt_optional_file_is_a_warning(instance_dir: Path, wrong: str, right: str) -> None:
    if wrong == "windows.csv":
        set_cell(instance_dir, "demand.csv", 0, "window", "")
        set_cell(instance_dir, "demand.csv", 3, "window", "")
    (instance_dir / wrong).rename(instance_dir / right)
    notes = load_instance(instance_dir).notes
    assert f"{right}: not an instance file, so it is ignored; did you mean '{wrong}'? " \
           "(file names are case-sensitive)" in notes


def test_stray_csv_file_is_a_warning_and_other_files_pass(instance_dir: Path) -> None:
    (instance_dir / "forecast.csv").write_text("a\n1\n")
    (instance_dir / "README.md").write_text("notes\n")
    assert load_instance(instance_dir).notes == ("forecast.csv: not an instance file, so it is ignored",)


def test_required_file_in_another_case_is_named(instance_dir: Path) -> None:
    (instance_dir / "products.csv").rename(instance_dir / "Products.csv")
    assert "products.csv: required file is missing (there is 'Products.csv'" in str(rejected(instance_dir))


def zip_instance(directory: Path, target: Path, rename: dict[str, str], extra: tuple[str, ...] = ()) -> Path:
    """A bundle of the instance files of ``directory`` (``rename`` changes member names)."""
    with zipfile.ZipFile(target, "w") as archive:
        for file in INSTANCE_FILES:
            if (directory / file).is_file():
                archive.write(directory / file, rename.get(file, file))
        for member in extra:
            archive.writestr(member, "x\n")
    return target


def test_misspelt_file_in_a_bundle_is_a_warning(instance_dir: Path, tmp_path: Path) -> None:
    bundle = zip_instance(instance_dir, tmp_path / "i.zip", {"inventory.csv": "inventroy.csv"},
                          extra=("__MACOSX/._products.csv",))
    instance = load_instance(bundle)
    assert instance.inventory.empty
    assert any(note.startswith("inventroy.csv: not an instance file, so it is ignored; did you mean "
                               "'inventory.csv'?") for note in instance.notes)


def test_misspelt_column_in_a_bundle_is_an_error(instance_dir: Path, tmp_path: Path) -> None:
    rename_column(instance_dir, "nodes.csv", "storage_capacity", "storage_capcity")
    bundle = zip_instance(instance_dir, tmp_path / "i.zip", {})
    assert "nodes.csv, column 'storage_capcity': unknown column" in str(rejected(bundle))


# 4. magnitudes the solvers cannot take


@pytest.mark.parametrize(("file", "row", "column", "value"), [
    ("products.csv", 0, "lost_sale_cost", "1e308"),
    ("products.csv", 1, "unit_volume", "2e12"),
    ("demand.csv", 2, "quantity", "1e308"),
    ("nodes.csv", 1, "storage_capacity", "1e13"),
    ("lanes.csv", 0, "transit_hours", "1e15"),
    ("inventory.csv", 0, "on_hand", "5e12"),
])
def test_huge_finite_value_is_an_error(instance_dir: Path, file: str, row: int, column: str, value: str) -> None:
    set_cell(instance_dir, file, row, column, value)
    error = str(rejected(instance_dir))
    assert f"{file}, line {row + 2}, column '{column}': value {value} is too large: numbers must be at most " \
           "1e+12 in absolute value" in error


def test_huge_capacity_suggests_inf_which_stays_allowed(instance_dir: Path) -> None:
    set_cell(instance_dir, "nodes.csv", 1, "storage_capacity", "1e13")
    assert "(write 'inf' for no limit)" in str(rejected(instance_dir))
    set_cell(instance_dir, "nodes.csv", 1, "storage_capacity", "inf")
    assert load_instance(instance_dir).nodes.at["FC1", "storage_capacity"] == float("inf")


def test_the_largest_allowed_value_loads(instance_dir: Path) -> None:
    set_cell(instance_dir, "products.csv", 0, "lost_sale_cost", "1e12")
    assert load_instance(instance_dir).products.at["p1", "lost_sale_cost"] == 1e12


def test_costs_spanning_too_wide_a_range_are_a_warning(instance_dir: Path) -> None:
    set_cell(instance_dir, "lanes.csv", 0, "volume_cost", "1e-9")
    notes = load_instance(instance_dir).notes
    assert notes == ("cost coefficients span a ratio of 5e+10, more than the 1e+09 the LP can scale: "
                     "largest 50 (products.csv, line 3, column 'lost_sale_cost'), smallest 1e-09 "
                     "(lanes.csv, line 2, column 'volume_cost'); results may be inaccurate (express costs "
                     "in another unit, or set negligible ones to 0)",)


def test_zero_costs_do_not_count_in_the_span(instance_dir: Path) -> None:
    set_cell(instance_dir, "lanes.csv", 0, "volume_cost", "0")
    assert load_instance(instance_dir).notes == ()


# 5. demand no route serves on time


def test_demand_no_route_serves_in_time_is_a_warning(instance_dir: Path) -> None:
    set_cell(instance_dir, "speeds.csv", 0, "promise_hours", "1")
    # Z1 same-day: 5 units in s1 (weight 2/3), 8 in s2 (weight 1/3): 6 expected units
    assert load_instance(instance_dir).notes == (
        "demand.csv: no route delivers within the 1 h of speed 'same_day' to 1 zone(s), so their expected "
        "demand (6 units) is lost: Z1 6 (check lanes.csv, handling_hours and cutoff_hour)",)


def test_demand_missed_in_one_window_names_the_window(instance_dir: Path) -> None:
    lanes = rows_of(instance_dir / "lanes.csv")
    write_rows(instance_dir / "lanes.csv", [lane for lane in lanes if lane["origin"] != "FC2"
                                            or lane["destination"] != "Z1"])
    # FC1 misses its 14:00 cut-off for the 18:00 window; 8 units in s2 x share 1/4 x weight 1/3
    assert load_instance(instance_dir).notes == (
        "demand.csv: no route delivers within the 12 h of speed 'same_day' to 1 zone(s), so their expected "
        "demand (0.67 units) is lost: Z1 0.67 (window(s) pm) (check lanes.csv, handling_hours and "
        "cutoff_hour)",)


@pytest.mark.parametrize("name", [str(FULL), "demo", "tiny"])
@pytest.mark.parametrize("lanes", [1, 2, 3])
def test_fastest_routes_are_the_fastest_enumerated_routes(name: str, lanes: int) -> None:
    instance = replace(load_instance(name), max_route_lanes=lanes)
    enumerated = enumerate_routes(instance).groupby(["origin", "zone"])["duration"].min()
    fastest = fastest_routes(instance).set_index(["origin", "zone"])["duration"]
    assert fastest.sort_index().to_dict() == pytest.approx(enumerated.sort_index().to_dict())
