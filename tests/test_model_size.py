"""meio info counts the extensive model without building it: the counts equal the built model's."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.random_instance import write_random_instance

from meio.cli import main
from meio.data import load_instance
from meio.data.derived import derive_sets
from meio.model_size import count_model
from meio.models import build_model
from meio.solvers.matrix import compile_matrix

FEATURES = dict(windows=True, cutoffs=True, categories=True, on_hand=True, weights=True, capacities=True,
                service_targets=True)


def _assert_counts_match(directory: Path | str) -> None:
    instance = load_instance(directory)
    sets = derive_sets(instance)
    size = count_model(instance, sets)
    built = build_model(instance, sets=sets)
    model = built.model
    assert size.variables == {"y": len(model.y), "x": len(model.x), "u": len(model.u)}
    families = {"availability": model.availability, "demand": model.demand,
                **{kind: getattr(model.linking, kind) for kind in ("storage", "inbound", "throughput", "service")}}
    assert size.constraints == {name: len(rows) for name, rows in families.items()}
    assert size.nonzeros == compile_matrix(model).A.nnz


@pytest.mark.parametrize("name", ["tiny", "demo"])
def test_bundled_counts_match_the_built_model(name: str) -> None:
    _assert_counts_match(name)


@pytest.mark.parametrize(("seed", "features"), [
    (1, {}), (2, FEATURES), (3, FEATURES | dict(max_route_lanes=3, speeds=3)),
    (4, FEATURES | dict(products=6, nodes=4, zones=4, scenarios=6))])
def test_random_counts_match_the_built_model(tmp_path: Path, seed: int, features: dict) -> None:
    _assert_counts_match(write_random_instance(tmp_path, seed, **features))


def test_info_prints_the_extensive_model_size(capsys: pytest.CaptureFixture) -> None:
    assert main(["info", "tiny"]) == 0
    out = capsys.readouterr().out
    assert "extensive model: variables" in out and "extensive model: non-zeros" in out
