"""A load of some products (a pricing worker's) is the whole load restricted to them, read chunk by chunk.

``load_instance(path, products=...)`` must give exactly ``load_instance(path).restricted_to(products)``
(every table, the row numbers of demand and inventory, the warnings) without holding the other
products' rows, and refuse bad input with the whole load's message (file, line, column), whatever
the chunk size of the reader.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from support.random_instance import write_random_instance

from meio.data import Instance, load_instance, loader
from meio.data import tables as tables_module
from meio.decomposition.worker import WorkerSpec, load_products
from meio.errors import InstanceError, MeioError

FULL = Path(__file__).parent / "data" / "full"
FRAMES = ("products", "nodes", "zones", "speeds", "lanes", "demand", "inventory", "scenarios")


@pytest.fixture(params=[tables_module.CHUNK_ROWS, 3], ids=["one-chunk", "chunks-of-3"])
def chunk_rows(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(tables_module, "CHUNK_ROWS", request.param)
    return int(request.param)


def assert_same_instance(loaded: Instance, expected: Instance) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(expected, name), check_exact=True)
    if expected.windows is None:
        assert loaded.windows is None
    else:
        assert loaded.windows is not None
        pd.testing.assert_frame_equal(loaded.windows, expected.windows, check_exact=True)
    assert loaded.notes == expected.notes
    assert (loaded.name, loaded.max_route_lanes, loaded.integer_stock, loaded.source) == (
        expected.name, expected.max_route_lanes, expected.integer_stock, expected.source)


def some_products(instance: Instance) -> list[str]:
    return list(instance.products.index[::-2])  # every other one, in another order than the file's


@pytest.mark.parametrize("seed", [1, 8])
def test_a_load_of_some_products_is_the_whole_load_restricted_to_them(tmp_path: Path, seed: int,
                                                                      chunk_rows: int) -> None:
    directory = write_random_instance(tmp_path / "i", seed, products=7, scenarios=3, windows=seed == 8, on_hand=True,
                                      categories=True, weights=True)
    whole = load_instance(directory)
    products = some_products(whole)
    loaded = load_instance(directory, products=products)
    assert_same_instance(loaded, whole.restricted_to(products))
    assert 0 < len(loaded.demand) < len(whole.demand)
    assert set(loaded.demand["product"]) <= set(products)


def test_the_whole_load_does_not_depend_on_the_chunk_size(monkeypatch: pytest.MonkeyPatch) -> None:
    one = load_instance("demo")
    monkeypatch.setattr(tables_module, "CHUNK_ROWS", 1000)
    assert_same_instance(load_instance("demo"), one)  # the unreachable-demand warning included


def test_a_window_blank_for_the_loaded_products_reads_as_in_the_whole_load(tmp_path: Path, chunk_rows: int) -> None:
    directory = tmp_path / "full"
    shutil.copytree(FULL, directory)
    demand = pd.read_csv(directory / "demand.csv", dtype=str, keep_default_na=False)
    demand.loc[demand["product"] == "p2", "window"] = ""
    demand.to_csv(directory / "demand.csv", index=False)
    loaded = load_instance(directory, products=["p2"])
    assert loaded.demand["window"].isna().all()
    assert_same_instance(loaded, load_instance(directory).restricted_to(["p2"]))


def corrupt(directory: Path, line: int, text: str) -> None:
    """Replace line ``line`` (1: the header) of demand.csv with ``text``."""
    lines = (directory / "demand.csv").read_text().splitlines()
    lines[line - 1] = text
    (directory / "demand.csv").write_text("\n".join(lines) + "\n")


#: Bad rows of demand.csv (line 2 is a row of product p1), each with a part of the message.
BAD_ROWS = [
    (2, "p1,Z1,same_day,s1,-5,am", "demand.csv, line 2, column 'quantity': value -5 must be >= 0"),
    (2, "p1,Z9,same_day,s1,5,am", "demand.csv, line 2, column 'zone': 'Z9' is not defined in zones.csv"),
    (2, "p1,Z1,same_day,s1,5,am,extra", "demand.csv, line 2: row has 7 cells but the header has 6 columns"),
    (2, "p1,Z1,same_day", "demand.csv, line 2: row has 3 cells but the header has 6 columns"),
    (2, "p9,Z1,same_day,s1,5,am", "demand.csv, line 2, column 'product': 'p9' is not defined in products.csv"),
    (2, ",Z1,same_day,s1,5,am", "demand.csv, line 2, column 'product': value is missing"),
    (3, "p1,Z1,same_day,s1,8,am", "demand.csv, line 3: duplicate row (product='p1', zone='Z1'"),
]


@pytest.mark.parametrize(("line", "text", "expected"), BAD_ROWS,
                         ids=["range", "reference", "long-row", "short-row", "unknown-product", "blank-product",
                              "duplicate"])
@pytest.mark.parametrize("products", [["p1"], ["p2"]], ids=["its-row", "another-product-s-row"])
def test_bad_input_gives_the_whole_load_s_message(tmp_path: Path, chunk_rows: int, line: int, text: str,
                                                  expected: str, products: list[str]) -> None:
    directory = tmp_path / "full"
    shutil.copytree(FULL, directory)
    corrupt(directory, line, text)
    with pytest.raises(InstanceError) as whole:
        load_instance(directory)
    assert expected in str(whole.value)
    if "duplicate" in expected and products == ["p2"]:  # a duplicate repeats its product: p1's load finds it
        assert len(load_instance(directory, products=products).demand) > 0
        return
    with pytest.raises(InstanceError) as filtered:
        load_instance(directory, products=products)
    assert str(filtered.value) == str(whole.value)


def test_a_product_the_instance_lacks_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MeioError, match=r"products.csv has no product 'p9' of the 2 asked for"):
        load_instance(FULL, products=["p1", "p9"])


def test_a_worker_loads_only_its_products_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = write_random_instance(tmp_path / "i", 3, products=6, on_hand=True)
    whole = load_instance(directory)
    mine = list(whole.products.index[2:4])
    assembled: list[int] = []  # demand rows of every instance the worker's load builds
    assemble = loader._assemble

    def spy(raw: dict[str, pd.DataFrame], *args: Any) -> Instance:
        assembled.append(len(raw["demand"]))
        return assemble(raw, *args)

    monkeypatch.setattr(loader, "_assemble", spy)
    loaded = load_products(WorkerSpec(first=2, products=mine, data=directory, integer=False, backend="highs"))
    assert assembled == [len(loaded.demand)] and len(loaded.demand) < len(whole.demand)
    assert list(loaded.products.index) == mine
    assert set(loaded.demand["product"]) == set(mine) and set(loaded.inventory["product"]) <= set(mine)
    assert_same_instance(loaded, whole.restricted_to(mine))
    assert np.array_equal(loaded.demand.index, whole.demand.index[whole.demand["product"].isin(mine)])
