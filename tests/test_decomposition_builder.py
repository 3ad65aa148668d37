"""The vectorised numpy subproblem builder equals the Pyomo-compiled subproblems exactly."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest
from support.random_instance import write_random_instance

from meio.data import load_instance
from meio.data.derived import derive_sets
from meio.decomposition.builder import numpy_subproblems
from meio.decomposition.changes import fingerprint
from meio.decomposition.chunks import build_subproblems
from meio.decomposition.subproblem import ProductLP, pyomo_subproblems
from meio.models.index import model_index

EXACT_FIELDS = ("c", "row_lower", "row_upper", "lower", "upper", "integer", "link_rows", "y_rows", "x_rows", "u_rows",
                "stock_nodes")


def assert_same(a: ProductLP, b: ProductLP) -> None:
    assert a.product == b.product
    for name in EXACT_FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    for name in ("A", "D"):
        left, right = getattr(a, name), getattr(b, name)
        assert left.shape == right.shape, name
        assert (left != right).nnz == 0, name
    # constants go through the model's right-hand side (capacity - e), so allow rounding
    np.testing.assert_allclose(a.link_const, b.link_const, rtol=0, atol=1e-9)
    assert a.offset == pytest.approx(b.offset, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_numpy_builder_matches_pyomo(tmp_path: Path, seed: int) -> None:
    directory = write_random_instance(
        tmp_path / "i", seed, products=3, capacities=True, service_targets=seed % 2 == 0, windows=seed % 3 == 1,
        cutoffs=seed % 3 == 1, categories=True, on_hand=seed % 2 == 1, weights=True, integer_stock=seed == 5)
    instance = load_instance(directory)
    index = model_index(instance, derive_sets(instance))
    pyomo_rows, pyomo_subs = pyomo_subproblems(instance, index, instance.integer_stock)
    numpy_rows, numpy_subs = numpy_subproblems(instance, index, instance.integer_stock)
    assert pyomo_rows == numpy_rows
    assert len(pyomo_subs) == len(numpy_subs) == len(instance.products)
    for a, b in zip(pyomo_subs, numpy_subs):
        assert_same(a, b)
        # the numpy build holds A's +-1 as int8; its fingerprint (warm starts from results written
        # when it held float64) is that of the float64 matrix
        assert b.A.dtype == np.int8 and a.A.dtype == np.float64
        labels = [numpy_rows[g].label for g in b.link_rows]
        assert fingerprint(b, labels) == fingerprint(replace(b, A=b.A.astype(float)), labels)


def test_a_per_product_variant_adds_local_rows_after_the_canonical_ones(tmp_path: Path) -> None:
    instance = load_instance(write_random_instance(tmp_path / "i", 3, products=2, capacities=True))
    index = model_index(instance, derive_sets(instance))

    def max_stock(built) -> None:
        built.model.max_stock = pyo.Constraint(built.model.A, rule=lambda m, p, n: m.y[p, n] <= 7)

    plain_rows, plain = numpy_subproblems(instance, index, False)
    rows, varied = build_subproblems(instance, False, "numpy", [max_stock])
    assert rows == plain_rows  # per-product rows link nothing
    for a, b in zip(plain, varied):
        extra = b.A.shape[0] - a.A.shape[0]
        assert extra == len(a.y_rows)
        assert (b.A[:a.A.shape[0]] != a.A).nnz == 0  # canonical rows first, the variant's rows after
        np.testing.assert_array_equal(b.row_upper[a.A.shape[0]:], np.full(extra, 7.0))


def test_chunked_build_gives_each_product_the_same_subproblem(tmp_path: Path) -> None:
    instance = load_instance(write_random_instance(tmp_path / "i", 7, products=7, capacities=True,
                                                   service_targets=True, categories=True, on_hand=True))
    whole_rows, whole = numpy_subproblems(instance, model_index(instance, derive_sets(instance)), False)
    rows, chunked = build_subproblems(instance, False, "numpy", chunk=3)
    assert rows == whole_rows
    for a, b in zip(whole, chunked):
        for name in ("y_rows", "x_rows", "u_rows"):  # positions in the chunk's index, not the whole one
            assert len(getattr(a, name)) == len(getattr(b, name))
        assert_same(replace(a, y_rows=b.y_rows, x_rows=b.x_rows, u_rows=b.u_rows), b)


def rename_products(directory: Path, names: list[str]) -> None:
    """Rename the instance's products, in file order, to ``names`` in every table."""
    import pandas as pd

    old = list(pd.read_csv(directory / "products.csv", dtype=str)["product"])
    mapping = dict(zip(old, names, strict=True))
    for table in directory.glob("*.csv"):
        frame = pd.read_csv(table, dtype=str, keep_default_na=False)
        if "product" in frame.columns:
            frame["product"] = frame["product"].map(lambda p: mapping.get(p, p))
            frame.to_csv(table, index=False)


@pytest.mark.parametrize("seed", range(3))
def test_numpy_builder_matches_pyomo_when_names_sort_unlike_the_file(tmp_path: Path, seed: int) -> None:
    # 'P2', 'P10', 'P1': sorted by name they come P1, P10, P2; the builder once numbered the
    # availability rows by name order and HiGHS rejected the subproblems
    directory = write_random_instance(tmp_path / "i", seed, products=3, capacities=True, service_targets=True,
                                      on_hand=True)
    rename_products(directory, ["P2", "P10", "P1"])
    instance = load_instance(directory)
    index = model_index(instance, derive_sets(instance))
    pyomo_rows, pyomo_subs = pyomo_subproblems(instance, index, False)
    numpy_rows, numpy_subs = numpy_subproblems(instance, index, False)
    assert pyomo_rows == numpy_rows
    for a, b in zip(pyomo_subs, numpy_subs, strict=True):
        assert_same(a, b)
