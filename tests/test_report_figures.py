"""What the report's figures say they show: the cost breakdown draws the out-of-sample costs
that compare wrote when there is no evaluation, is titled by what it draws, and lists no part
that is zero in its legend; map markers that share a spot are spread apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from meio.cli import main
from meio.evaluation import figures
from meio.evaluation.report import build_report


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``meio solve tiny`` and ``meio compare`` with the baseline that solves no model, no ``evaluate``."""
    out = tmp_path_factory.mktemp("tiny") / "tiny"
    assert main(["solve", "tiny", "--out", str(out), "--quiet"]) == 0
    assert main(["compare", "tiny", str(out), "--baselines", "single-echelon", "--scenarios", "4", "--quiet"]) == 0
    return out


def test_the_cost_breakdown_draws_compare_s_out_of_sample_costs(compared: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[tuple[list[str], str]] = []
    draw = figures.cost_breakdown

    def recorded(columns: dict, title: str):  # type: ignore[no-untyped-def]
        drawn.append((list(columns), title))
        return draw(columns, title)

    monkeypatch.setattr(figures, "cost_breakdown", recorded)
    build_report(compared)
    [(columns, title)] = drawn
    assert columns == ["in sample (solve)", "optimal (out of sample)", "myopic (out of sample)"]
    assert title.endswith("in sample (solve) and out of sample (compare, 4 scenarios)")


def test_the_cost_breakdown_has_no_legend_entry_for_a_part_that_is_zero() -> None:
    def column(holding: float) -> dict:
        costs = {"purchase": 100.0, "holding": holding, "shipping": 20.0, "lost_sales": 72.0}
        return {"costs": {k: {"mean": v} for k, v in costs.items()}, "total": {"mean": sum(costs.values())}}

    figure = figures.cost_breakdown({"a": column(0.0), "b": column(0.0)}, "t")
    labels = [text.get_text() for legend in figure.legends for text in legend.get_texts()]
    assert labels == ["purchase", "shipping", "lost sales", "95% interval of the total"]
    assert "holding: below 0.05% of the total" in figure.axes[0].get_xlabel()
    figure = figures.cost_breakdown({"a": column(5.0)}, "t")
    assert "holding" in [text.get_text() for legend in figure.legends for text in legend.get_texts()]


def test_map_markers_at_one_place_are_spread_apart_and_far_labels_have_leaders() -> None:
    import numpy as np
    import pandas as pd
    from matplotlib.collections import PathCollection
    from matplotlib.text import Annotation

    zones = pd.DataFrame({"lon": [-118.2, -87.6, -74.0], "lat": [34.1, 41.9, 40.7], "size": [3.0, 2.0, 4.0]},
                         index=["los_angeles", "chicago", "new_york"])
    sites = ["dc_los_angeles", "sd_los_angeles", "fc_los_angeles", "fc_riverside", "fc_ontario", "fc_chicago"]
    nodes = pd.DataFrame({"lon": [-118.2, -118.2, -118.2, -117.4, -117.6, -87.6],
                          "lat": [34.1, 34.1, 34.1, 34.0, 34.1, 41.9],
                          "kind": ["dc", "sameday", "fc", "fc", "fc", "fc"]}, index=sites)
    figure = figures.network_map(zones, nodes, None)
    axis = figure.axes[0]
    figure.canvas.draw()
    markers = np.vstack([c.get_offsets() for c in axis.collections if isinstance(c, PathCollection)][1:])
    pixels = axis.transData.transform(markers)
    distance = np.linalg.norm(pixels[:, None] - pixels[None], axis=2) + np.eye(len(pixels)) * 1e9
    assert distance.min() >= 12 * figure.dpi / 72 - 0.5  # no marker covers another
    labels = {a.get_text(): a for a in axis.texts if isinstance(a, Annotation)}
    assert set(labels) == set(sites)
    drawn = {tuple(np.round(p, 6)) for p in markers}
    assert all(tuple(np.round(a.xy, 6)) in drawn for a in labels.values())  # each label points at its marker
    for label in labels.values():
        offset = np.hypot(*label.xyann)
        assert (label.arrow_patch is not None) == (offset > 7.0), label.get_text()  # moved: a leader line
    assert any(label.arrow_patch is not None for label in labels.values())
