"""Every rule of SPEC §1: a broken instance is rejected with a message naming file, line and column."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from meio.data import load_instance
from meio.errors import InstanceError

FULL = Path(__file__).parent / "data" / "full"


@pytest.fixture
def instance_dir(tmp_path: Path) -> Path:
    target = tmp_path / "instance"
    shutil.copytree(FULL, target)
    return target


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> None:
    header = header or list(rows[0])
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def set_cell(directory: Path, file: str, row: int, column: str, value: str) -> None:
    rows = rows_of(directory / file)
    header = list(rows[0])
    rows[row][column] = value
    write_rows(directory / file, rows, header if column in header else [*header, column])


def rejected(directory: Path) -> InstanceError:
    with pytest.raises(InstanceError) as caught:
        load_instance(directory)
    return caught.value


def test_the_full_instance_is_valid() -> None:
    instance = load_instance(FULL)
    assert list(instance.products.index) == ["p1", "p2"]
    assert instance.scenarios["weight"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert instance.windows["share"].tolist() == pytest.approx([0.75, 0.25])
    assert instance.nodes.at["FC2", "categories"] == frozenset({"small", "large"})
    assert instance.nodes.at["DC", "categories"] is None


@pytest.mark.parametrize("file", ["products.csv", "nodes.csv", "zones.csv", "speeds.csv", "lanes.csv",
                                  "demand.csv"])
def test_missing_required_file(instance_dir: Path, file: str) -> None:
    (instance_dir / file).unlink()
    error = rejected(instance_dir)
    assert f"{file}: required file is missing" in str(error)


def test_optional_files_may_be_absent(instance_dir: Path) -> None:
    for file in ("inventory.csv", "scenarios.csv", "windows.csv", "instance.toml"):
        (instance_dir / file).unlink()
    for file in ("demand.csv",):
        rows = rows_of(instance_dir / file)
        for row in rows:
            row["window"] = ""
        write_rows(instance_dir / file, rows)
    instance = load_instance(instance_dir)
    assert instance.windows is None
    assert instance.scenarios["weight"].tolist() == [0.5, 0.5]


@pytest.mark.parametrize(("file", "column"), [
    ("products.csv", "unit_volume"), ("products.csv", "lost_sale_cost"), ("nodes.csv", "node"),
    ("speeds.csv", "promise_hours"), ("lanes.csv", "transit_hours"), ("demand.csv", "quantity"),
    ("inventory.csv", "on_hand"), ("scenarios.csv", "weight"), ("windows.csv", "share"),
])
def test_missing_required_column(instance_dir: Path, file: str, column: str) -> None:
    rows = rows_of(instance_dir / file)
    write_rows(instance_dir / file, rows, [c for c in rows[0] if c != column])
    error = rejected(instance_dir)
    assert f"{file}, column '{column}': required column is missing" in str(error)


@pytest.mark.parametrize(("file", "row", "column", "value", "expected"), [
    ("products.csv", 1, "unit_cost", "abc", "'abc' is not a finite number"),
    ("products.csv", 0, "holding_cost", "nan", "'nan' is not a finite number"),
    ("products.csv", 0, "unit_cost", "inf", "'inf' is not a finite number"),
    ("products.csv", 0, "unit_volume", "0", "must be > 0"),
    ("products.csv", 1, "lost_sale_cost", "-1", "must be >= 0"),
    ("nodes.csv", 1, "storage_capacity", "-5", "must be >= 0"),
    ("nodes.csv", 1, "handling_hours", "-1", "must be >= 0"),
    ("nodes.csv", 1, "cutoff_hour", "25", "must be in [0, 24]"),
    ("nodes.csv", 2, "holding_factor", "x", "is not a finite number"),
    ("speeds.csv", 0, "fill_rate_target", "1.2", "must be in [0, 1]"),
    ("speeds.csv", 1, "fill_rate_target", "-0.1", "must be in [0, 1]"),
    ("speeds.csv", 0, "promise_hours", "-3", "must be >= 0"),
    ("lanes.csv", 2, "transit_hours", "", "value is missing"),
    ("lanes.csv", 0, "volume_cost", "-0.1", "must be >= 0"),
    ("demand.csv", 3, "quantity", "-2", "must be >= 0"),
    ("inventory.csv", 0, "on_hand", "-1", "must be >= 0"),
    ("scenarios.csv", 1, "weight", "0", "must be > 0"),
    ("windows.csv", 0, "order_hour", "30", "must be in [0, 24]"),
    ("windows.csv", 1, "share", "0", "must be > 0"),
    ("zones.csv", 0, "lat", "north", "is not a finite number"),
])
def test_bad_value_names_file_line_and_column(instance_dir: Path, file: str, row: int, column: str,
                                               value: str, expected: str) -> None:
    set_cell(instance_dir, file, row, column, value)
    error = rejected(instance_dir)
    assert f"{file}, line {row + 2}, column '{column}': " in str(error)
    assert expected in str(error)


@pytest.mark.parametrize(("file", "row", "column", "value", "expected"), [
    ("lanes.csv", 0, "origin", "XX", "'XX' is not defined in nodes.csv"),
    ("lanes.csv", 0, "origin", "Z1", "'Z1' is a zone; lanes must start at a node"),
    ("lanes.csv", 1, "destination", "Nowhere", "'Nowhere' is not defined in nodes.csv or zones.csv"),
    ("lanes.csv", 1, "destination", "DC", "a lane cannot go from a node to itself"),
    ("demand.csv", 0, "product", "p9", "'p9' is not defined in products.csv"),
    ("demand.csv", 1, "zone", "Z9", "'Z9' is not defined in zones.csv"),
    ("demand.csv", 2, "speed", "warp", "'warp' is not defined in speeds.csv"),
    ("demand.csv", 2, "scenario", "s7", "'s7' is not defined in scenarios.csv"),
    ("demand.csv", 2, "window", "night", "'night' is not defined in windows.csv"),
    ("inventory.csv", 0, "node", "FC9", "'FC9' is not defined in nodes.csv"),
    ("inventory.csv", 1, "product", "p9", "'p9' is not defined in products.csv"),
])
def test_unknown_identifier(instance_dir: Path, file: str, row: int, column: str, value: str,
                            expected: str) -> None:
    set_cell(instance_dir, file, row, column, value)
    error = rejected(instance_dir)
    assert f"{file}, line {row + 2}, column '{column}': {expected}" in str(error)


@pytest.mark.parametrize(("file", "column"), [
    ("products.csv", "product"), ("nodes.csv", "node"), ("zones.csv", "zone"), ("speeds.csv", "speed"),
    ("scenarios.csv", "scenario"), ("windows.csv", "window"),
])
def test_duplicate_identifier(instance_dir: Path, file: str, column: str) -> None:
    rows = rows_of(instance_dir / file)
    write_rows(instance_dir / file, [*rows, rows[0]])
    error = rejected(instance_dir)
    assert f"{file}, line {len(rows) + 2}, column '{column}': duplicate row" in str(error)


@pytest.mark.parametrize("file", ["lanes.csv", "demand.csv", "inventory.csv"])
def test_duplicate_composite_key(instance_dir: Path, file: str) -> None:
    rows = rows_of(instance_dir / file)
    write_rows(instance_dir / file, [*rows, rows[-1]])
    error = rejected(instance_dir)
    assert f"{file}, line {len(rows) + 2}: duplicate row" in str(error)


def test_name_used_as_node_and_zone(instance_dir: Path) -> None:
    set_cell(instance_dir, "zones.csv", 1, "zone", "FC2")
    error = rejected(instance_dir)
    assert "zones.csv, line 3, column 'zone': 'FC2' is used both as a node and as a zone" in str(error)


def test_on_hand_at_node_refusing_the_category(instance_dir: Path) -> None:
    set_cell(instance_dir, "inventory.csv", 1, "node", "FC1")  # p2 is large, FC1 takes only small
    error = rejected(instance_dir)
    assert "inventory.csv, line 3, column 'node': node 'FC1' does not accept category 'large'" in str(error)


def test_window_without_windows_file(instance_dir: Path) -> None:
    (instance_dir / "windows.csv").unlink()
    error = rejected(instance_dir)
    assert "demand.csv, line 2, column 'window': window 'am' is given but there is no windows.csv" in str(error)


def test_all_violations_of_a_file_are_collected(instance_dir: Path) -> None:
    set_cell(instance_dir, "products.csv", 0, "unit_cost", "-1")
    set_cell(instance_dir, "products.csv", 1, "holding_cost", "oops")
    error = rejected(instance_dir)
    assert len(error.violations) == 2
    assert {v.line for v in error.violations} == {2, 3}


@pytest.mark.parametrize(("text", "expected"), [
    ("max_route_lanes = 0", "key 'max_route_lanes': must be >= 1"),
    ("max_route_lanes = 'two'", "key 'max_route_lanes': must be of type int"),
    ("integer_stock = 1", "key 'integer_stock': must be of type bool"),
    ("name = [", "instance.toml: cannot parse TOML"),
])
def test_bad_instance_toml(instance_dir: Path, text: str, expected: str) -> None:
    (instance_dir / "instance.toml").write_text(text + "\n")
    assert expected in str(rejected(instance_dir))


def test_row_longer_than_the_header(instance_dir: Path) -> None:
    (instance_dir / "lanes.csv").write_text('origin,destination,transit_hours\nDC,FC1,10,extra,cells\n')
    assert "lanes.csv, line 2: row has 5 cells but the header has 3 columns" in str(rejected(instance_dir))


def test_unparseable_csv(instance_dir: Path) -> None:
    (instance_dir / "lanes.csv").write_text('origin,destination,transit_hours\nDC,"FC1,10\n')
    assert "lanes.csv" in str(rejected(instance_dir))


def test_empty_file(instance_dir: Path) -> None:
    (instance_dir / "zones.csv").write_text("")
    assert "zones.csv: file is empty" in str(rejected(instance_dir))


def test_not_utf8(instance_dir: Path) -> None:
    (instance_dir / "zones.csv").write_bytes(b"zone\nZ\xff1\nZ2\n")
    assert "zones.csv: file is not valid UTF-8" in str(rejected(instance_dir))


def test_blank_optional_cells_take_defaults(instance_dir: Path) -> None:
    set_cell(instance_dir, "nodes.csv", 1, "holding_factor", "")
    set_cell(instance_dir, "speeds.csv", 0, "penalty_factor", "")
    set_cell(instance_dir, "nodes.csv", 2, "categories", "")
    instance = load_instance(instance_dir)
    assert instance.nodes.at["FC1", "holding_factor"] == 1.0
    assert instance.speeds.at["same_day", "penalty_factor"] == 1.0
    assert instance.nodes.at["FC2", "categories"] is None
    assert instance.nodes.at["FC2", "storage_capacity"] == float("inf")


def test_unknown_columns_are_ignored_but_reported(instance_dir: Path) -> None:
    set_cell(instance_dir, "products.csv", 0, "colour", "red")
    instance = load_instance(instance_dir)
    assert "colour" not in instance.products.columns
    assert instance.notes == ("products.csv: column 'colour' is not part of the format and is ignored",)


def test_blank_lines_keep_line_numbers(instance_dir: Path) -> None:
    (instance_dir / "zones.csv").write_text("zone,lat\nZ1,40\n\nZ2,north\n")
    assert "zones.csv, line 4, column 'lat'" in str(rejected(instance_dir))


@pytest.mark.parametrize("file", ["products.csv", "nodes.csv", "zones.csv", "speeds.csv"])
def test_entity_table_without_rows(instance_dir: Path, file: str) -> None:
    header = (instance_dir / file).read_text().splitlines()[0]
    (instance_dir / file).write_text(header + "\n")
    assert f"{file}: the file has a header but no rows" in str(rejected(instance_dir))


def test_unknown_toml_key_is_reported(instance_dir: Path) -> None:
    (instance_dir / "instance.toml").write_text("name = 'x'\nauthor = 'me'\n")
    instance = load_instance(instance_dir)
    assert instance.notes == ("instance.toml: key 'author' is not part of the format and is ignored",)


def test_misspelt_toml_key_is_an_error(instance_dir: Path) -> None:
    (instance_dir / "instance.toml").write_text("name = 'x'\nmax_route_lane = 3\n")
    assert ("instance.toml, key 'max_route_lane': unknown key; did you mean 'max_route_lanes'?"
            in str(rejected(instance_dir)))
