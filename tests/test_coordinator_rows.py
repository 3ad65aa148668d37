"""The decomposition's coordinator without the instance's rows (``Instance.without_rows``), as
``meio solve`` runs it: its workers load their products' rows from the instance path."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.random_instance import write_random_instance
from test_infeasibility import TIGHT

from meio.cli import main
from meio.data import Instance, load_instance
from meio.data.generator import write_instance
from meio.decomposition import DecompositionConfig, solve_decomposition
from meio.errors import OptionError
from meio.results import Result
from meio.solvers import Status


def test_an_instance_without_rows_keeps_the_network_and_the_products(tmp_path: Path) -> None:
    whole = load_instance(write_random_instance(tmp_path / "i", 2, products=5, on_hand=True))
    outline = whole.without_rows()
    assert outline.rows_dropped and not whole.rows_dropped
    assert outline.demand.empty and outline.inventory.empty
    assert list(outline.demand.columns) == list(whole.demand.columns)
    assert outline.products.equals(whole.products) and outline.notes == whole.notes


def test_without_rows_the_workers_need_a_source(tmp_path: Path) -> None:
    instance = load_instance(write_random_instance(tmp_path / "i", 2, products=5)).without_rows()
    with pytest.raises(OptionError, match="holds no demand rows .* give the path"):
        solve_decomposition(instance, config=DecompositionConfig())


def test_an_infeasible_run_without_rows_names_the_same_rows(tmp_path: Path) -> None:
    directory = write_instance(tmp_path / TIGHT.name, TIGHT)
    whole = load_instance(directory)
    expected = solve_decomposition(whole)
    result = solve_decomposition(whole.without_rows(), config=DecompositionConfig(source=directory))
    assert result.status is Status.INFEASIBLE and expected.status is Status.INFEASIBLE
    assert result.message == expected.message  # the describer reads the rows again from the source


def test_meio_solve_hands_the_decomposition_an_instance_without_rows(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    directory = write_random_instance(tmp_path / "i", 4, products=4)
    seen: dict[str, object] = {}

    def spy(instance: Instance, backend: str, options: object, *, variants: object = (),
            config: DecompositionConfig | None = None) -> Result:
        seen["instance"], seen["config"] = instance, config
        return solve_decomposition(instance, backend, options, variants=variants, config=config)  # type: ignore[arg-type]

    monkeypatch.setattr("meio.solve.solve_decomposition", spy)
    assert main(["solve", str(directory), "--method", "decomposition", "--quiet", "--out", str(tmp_path / "r")]) == 0
    instance, config = seen["instance"], seen["config"]
    assert isinstance(instance, Instance) and instance.rows_dropped and instance.demand.empty
    assert isinstance(config, DecompositionConfig) and config.source == str(directory)
