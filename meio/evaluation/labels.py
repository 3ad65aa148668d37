"""Point labels that do not overlap: each label tries offsets around its point, nearest first,
and keeps the first whose box meets no other label, no other point and stays in the axes;
labels pushed away from their point get a leader line. Markers that would cover each other
(sites of one metro) are first spread apart slightly (:func:`spread_points`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

#: Offsets tried, in points: rings of growing radius, eight directions each.
RADII = (7.0, 16.0, 28.0, 42.0, 58.0, 76.0)
DIRECTIONS = (0, 45, -45, 90, -90, 135, -135, 180)
POINT_BOX = 5.0  # half-size, in pixels, of the box kept free around every point


def _candidates() -> list[tuple[float, float]]:
    return [(r * math.cos(math.radians(a)), r * math.sin(math.radians(a))) for r in RADII for a in DIRECTIONS]


def place_labels(axis: Axes, x: np.ndarray, y: np.ndarray, names: Sequence[str], fontsize: float = 7.5) -> None:
    """Annotate the points ``(x, y)`` with ``names`` (see the module docstring); the axes'
    limits and aspect must be final."""
    figure = axis.get_figure()
    assert figure is not None
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    axis.apply_aspect()  # the data-to-pixel transform as it will be drawn
    frame = axis.get_window_extent(renderer)
    pixels = axis.transData.transform(np.column_stack([x, y]))
    taken = [Bbox.from_extents(px - POINT_BOX, py - POINT_BOX, px + POINT_BOX, py + POINT_BOX) for px, py in pixels]
    order = np.argsort(-_crowding(pixels))  # the most crowded points choose first
    for i in order:
        label = None
        for dx, dy in _candidates():
            label = _annotate(axis, (x[i], y[i]), names[i], dx, dy, fontsize)
            label.update_positions(renderer)
            box = Text.get_window_extent(label, renderer).padded(1.5)  # the text, not its leader
            if frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1) and not any(
                    box.overlaps(other) for other in taken):
                taken.append(box)
                break
            label.remove()
            label = None
        if label is None:  # no free place: the nearest one
            dx, dy = _candidates()[0]
            _annotate(axis, (x[i], y[i]), names[i], dx, dy, fontsize)


def spread_points(axis: Axes, x: np.ndarray, y: np.ndarray, distance: float = 12.0) -> tuple[np.ndarray, np.ndarray]:
    """The points moved apart where markers would cover each other: every group of points closer
    than ``distance`` points (a marker's width and a margin) to another one is laid on a circle
    around the group's centre, neighbours ``distance`` apart, in the order of their directions from
    the centre (by position in the input when they coincide). Others stay; the axes' limits and
    aspect must be final."""
    figure = axis.get_figure()
    assert figure is not None
    axis.apply_aspect()
    pixels = axis.transData.transform(np.column_stack([x, y]))
    apart = distance * figure.dpi / 72.0
    moved = pixels.copy()
    for members in _groups(pixels, apart):
        if len(members) < 2:
            continue
        centre = pixels[members].mean(axis=0)
        offsets = pixels[members] - centre
        angles = np.arctan2(offsets[:, 1], offsets[:, 0])
        coincide = bool(np.abs(offsets).max() < 1e-6)
        order = np.arange(len(members)) if coincide else np.argsort(angles, kind="stable")
        start = math.pi / 2 if coincide else float(angles[order[0]])
        radius = apart / (2 * math.sin(math.pi / len(members)))
        for j, member in enumerate(np.asarray(members)[order]):
            angle = start + 2 * math.pi * j / len(members)
            moved[member] = centre + radius * np.array([math.cos(angle), math.sin(angle)])
    back = axis.transData.inverted().transform(moved)
    return back[:, 0], back[:, 1]


def _groups(pixels: np.ndarray, apart: float) -> list[list[int]]:
    """Points linked by chains of distances below ``apart`` (single linkage), in input order."""
    parent = list(range(len(pixels)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    distance = np.linalg.norm(pixels[:, None, :] - pixels[None, :, :], axis=2)
    for i, j in zip(*np.nonzero(np.triu(distance < apart, k=1))):
        parent[root(int(j))] = root(int(i))
    groups: dict[int, list[int]] = {}
    for i in range(len(pixels)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _crowding(pixels: np.ndarray) -> np.ndarray:
    """Per point, how many other points lie within 60 pixels."""
    distance = np.linalg.norm(pixels[:, None, :] - pixels[None, :, :], axis=2)
    return (distance < 60).sum(axis=1) - 1


def _annotate(axis: Axes, point: tuple[float, float], name: str, dx: float, dy: float, fontsize: float) -> Annotation:
    far = math.hypot(dx, dy) > RADII[0]
    return axis.annotate(
        name, point, xytext=(dx, dy), textcoords="offset points", fontsize=fontsize, zorder=5,
        ha="left" if dx > 1 else "right" if dx < -1 else "center",
        va="bottom" if dy > 1 else "top" if dy < -1 else "center",
        bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8),
        arrowprops=dict(arrowstyle="-", color="#555555", linewidth=0.6, shrinkA=0, shrinkB=3) if far else None)
