"""The demo report as a new user opens it: in headless Chromium (Debian's package, installed by
``make test``), with no console error, every figure loaded and not blank, no raw floats and
no text of a figure over another."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from support.browser import visit

from meio.cli import main
from meio.evaluation import figures
from meio.evaluation.report import build_report

#: A printed float with five or more significant decimals, in exponent notation, or not a number.
RAW_FLOAT = re.compile(r"\.0*[1-9]\d{4,}|\de[-+]\d|\bnan\b|\binf\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def demo_result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``meio solve demo`` and ``meio compare`` with the baseline that solves no model, under every
    policy, on a few scenarios (the other baselines solve the demo again: 20 s more)."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    assert main(["solve", "demo", "--out", str(out), "--quiet"]) == 0
    assert main(["compare", "demo", str(out), "--baselines", "single-echelon", "--policy", "all", "--scenarios", "3",
                 "--quiet"]) == 0
    return out


def test_the_report_reads_right_in_a_real_browser(demo_result: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert main(["report", str(demo_result), "--out", str(page)]) == 0
    seen = visit(page)
    assert seen.errors == []
    expected = page.read_text(encoding="utf-8").count("<img ")
    assert len(seen.figures) == expected >= 9  # savings, costs, plans, fill, stock, capacity, 2 prices, map
    for figure in seen.figures:
        assert figure["complete"] and figure["width"] > 300 and figure["height"] > 100, figure
        assert figure["colours"] > 8, f"{figure['alt']} looks blank"
    assert not RAW_FLOAT.findall(seen.text), RAW_FLOAT.findall(seen.text)
    assert "Fulfillment policies evaluated: optimal, myopic, dual-price." in seen.text
    assert len(seen.screenshot) > 10_000


def _overlaps(figure: Figure) -> list[str]:
    """Pairs of texts that cover each other, and legends that cover an axes."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    found = [f"{a!r} over {b!r}" for i, (a, box) in enumerate(boxes) for b, other in boxes[i + 1:]
             if box.overlaps(other) and box.width * box.height > 0 and other.width * other.height > 0]
    legends = figure.legends + [a.get_legend() for a in figure.axes if a.get_legend() is not None]
    found += [f"legend over the axes {a.get_title()!r}" for legend in legends for a in figure.axes
              if legend.get_window_extent(renderer).overlaps(a.get_window_extent(renderer))]
    return found


def test_no_figure_has_text_over_text_or_a_legend_over_data(demo_result: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[Figure] = []
    encode = figures.png

    def checked(figure: Figure) -> str:
        drawn.append(figure)
        assert _overlaps(figure) == [], figure.axes[0].get_title()
        return encode(figure)

    monkeypatch.setattr(figures, "png", checked)
    build_report(demo_result)
    assert len(drawn) >= 9
