"""Instance formats: directory <-> single-file bundle round trips, bundle validation, ``meio convert``."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from meio.cli import main
from meio.data import Instance, load_instance
from meio.data.bundle import write_bundle
from meio.data.generator import generate_instance
from meio.data.tables import DirectorySource
from meio.data.writer import write_instance
from meio.errors import InstanceError, MeioError

FULL = Path(__file__).parent / "data" / "full"
TABLE_NAMES = ("products", "nodes", "zones", "speeds", "lanes", "demand", "inventory", "scenarios", "windows")


def assert_same_instance(a: Instance, b: Instance, exact: bool = True) -> None:
    for name in TABLE_NAMES:
        left, right = getattr(a, name), getattr(b, name)
        if left is None:
            assert right is None, name
        else:
            pd.testing.assert_frame_equal(left, right, check_exact=exact, rtol=1e-12, obj=name)
    assert (a.name, a.description, a.max_route_lanes, a.integer_stock, a.notes) == (
        b.name, b.description, b.max_route_lanes, b.integer_stock, b.notes)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "gen"
    return generate_instance(out, products=40, nodes=6, zones=8, scenarios=5, seed=3, windows=True, on_hand=True)


@pytest.mark.parametrize("which", ["full", "generated"])
def test_directory_bundle_directory_round_trip(tmp_path: Path, generated: Path, which: str) -> None:
    source = FULL if which == "full" else generated
    bundle, back = tmp_path / "instance.zip", tmp_path / source.name
    assert main(["convert", str(source), str(bundle)]) == 0
    assert main(["convert", str(bundle), str(back)]) == 0
    original = load_instance(source)
    assert_same_instance(original, load_instance(bundle))
    assert_same_instance(original, load_instance(back))
    for file in source.iterdir():
        assert (back / file.name).read_bytes() == file.read_bytes()


def test_written_instance_loads_identically(tmp_path: Path, generated: Path) -> None:
    for source in (FULL, generated, "tiny"):
        original = load_instance(source)
        assert_same_instance(original, load_instance(write_instance(original, tmp_path / f"{original.name}.zip")),
                             exact=False)
        assert_same_instance(original, load_instance(write_instance(original, tmp_path / original.name)),
                             exact=False)


def test_bundle_with_a_top_level_folder(tmp_path: Path) -> None:
    bundle = tmp_path / "zipped.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for file in FULL.iterdir():
            archive.write(file, f"full/{file.name}")
    assert_same_instance(load_instance(FULL), load_instance(bundle))


def bundle_with(tmp_path: Path, file: str, text: str) -> Path:
    directory = tmp_path / "broken"
    shutil.copytree(FULL, directory)
    (directory / file).write_text(text)
    return write_bundle(DirectorySource(directory), tmp_path / "broken.zip")


def test_broken_bundle_names_file_line_and_column(tmp_path: Path) -> None:
    text = (FULL / "demand.csv").read_text().splitlines()
    header = text[0].split(",")
    cells = text[2].split(",")
    cells[header.index("quantity")] = "-4"
    bundle = bundle_with(tmp_path, "demand.csv", "\n".join([*text[:2], ",".join(cells), *text[3:]]) + "\n")
    with pytest.raises(InstanceError) as caught:
        load_instance(bundle)
    assert str(bundle) in str(caught.value)
    assert "demand.csv, line 3, column 'quantity': value -4 must be >= 0" in str(caught.value)


def test_bundle_missing_column_and_file(tmp_path: Path) -> None:
    bundle = bundle_with(tmp_path, "zones.csv", "name\nZ1\nZ2\n")
    with pytest.raises(InstanceError, match=r"zones.csv, column 'zone': required column is missing"):
        load_instance(bundle)
    with zipfile.ZipFile(tmp_path / "nolanes.zip", "w") as archive:
        for file in FULL.iterdir():
            if file.name != "lanes.csv":
                archive.write(file, file.name)
    with pytest.raises(InstanceError, match=r"lanes.csv: required file is missing"):
        load_instance(tmp_path / "nolanes.zip")


def test_bundle_not_utf8(tmp_path: Path) -> None:
    bundle = tmp_path / "latin.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for file in FULL.iterdir():
            archive.write(file, file.name)
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive, zipfile.ZipFile(bundle) as old:
        for info in old.infolist():
            archive.writestr(info, b"zone\nZ\xff1\nZ2\n" if info.filename == "zones.csv" else old.read(info))
    bundle.write_bytes(data.getvalue())
    with pytest.raises(InstanceError, match=r"zones.csv: file is not valid UTF-8"):
        load_instance(bundle)


@pytest.mark.parametrize("content", [b"not a zip", b""])
def test_a_file_that_is_not_a_bundle(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "junk.zip"
    path.write_bytes(content)
    with pytest.raises(MeioError, match="neither an instance directory nor an instance bundle"):
        load_instance(path)


def test_a_zip_without_instance_files(tmp_path: Path) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a/readme.txt", "hello")
        archive.writestr("b/readme.txt", "hello")
    with pytest.raises(MeioError, match="holds no instance files"):
        load_instance(path)


def test_convert_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = tmp_path / "tiny.zip"
    assert main(["convert", "tiny", str(bundle)]) == 0
    assert "wrote bundle" in capsys.readouterr().out
    assert main(["convert", "tiny", str(bundle)]) == 2  # exists
    assert "already exists" in capsys.readouterr().err
    assert main(["convert", "tiny", str(bundle), "--force", "--level", "1"]) == 0
    assert main(["convert", "no-such-instance", str(tmp_path / "x.zip")]) == 2
    assert "no instance directory or bundle" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()
    broken = bundle_with(tmp_path, "products.csv", "product,unit_volume,unit_cost,holding_cost,lost_sale_cost\n"
                                                   "p1,abc,1,1,1\n")
    capsys.readouterr()
    assert main(["convert", str(broken), str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "products.csv, line 2, column 'unit_volume': 'abc' is not a finite number" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()
    assert main(["validate", str(bundle)]) == 0


def test_convert_directory_target_replaces_stale_files(tmp_path: Path) -> None:
    target = tmp_path / "target"
    shutil.copytree(FULL, target)
    assert main(["convert", "tiny", str(target), "--force"]) == 0
    assert not (target / "inventory.csv").exists()
    assert_same_instance(load_instance("tiny"), load_instance(target))


def test_padded_cells_are_the_same_identifiers_and_numbers_keep_their_text(tmp_path: Path) -> None:
    directory = tmp_path / "padded"
    shutil.copytree(FULL, directory)
    demand = (directory / "demand.csv").read_text().replace("p1,", " p1 ,", 1)
    (directory / "demand.csv").write_text(demand)
    assert_same_instance(load_instance(FULL), load_instance(directory))
    products = (directory / "products.csv").read_text().splitlines()
    header = products[0].split(",")
    for column, text, expected in [("unit_cost", "1e400", "'1e400' is not a finite number"),
                                   ("unit_cost", "-inf", "'-inf' is not a finite number"),
                                   ("holding_cost", "007", None)]:
        cells = products[1].split(",")
        cells[header.index(column)] = text
        (directory / "products.csv").write_text("\n".join([products[0], ",".join(cells), *products[2:]]) + "\n")
        if expected is None:
            assert load_instance(directory).products["holding_cost"].iloc[0] == 7.0
        else:
            with pytest.raises(InstanceError, match=f"products.csv, line 2, column '{column}': {expected}"):
                load_instance(directory)
