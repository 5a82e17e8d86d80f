"""Direct labels: text placed beside points where it overlaps no other label, point, marker or legend."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

Box = mpl.transforms.Bbox
# Places tried around a point, in offset points with the text's alignment: near ones first, then further ones
# (drawn with a thin leader line).
NEAR = [(5, 3, "left", "bottom"), (5, -3, "left", "top"), (-5, 3, "right", "bottom"), (-5, -3, "right", "top")]
NEAR += [(8, 0, "left", "center"), (-8, 0, "right", "center"), (0, 8, "center", "bottom"), (0, -8, "center", "top")]
FAR = [
    (dx * sx, dy * sy, "left" if sx > 0 else "right", "bottom" if sy > 0 else "top")
    for dx, dy in ((10, 14), (22, 8), (14, 26), (30, 18))
    for sx in (1, -1)
    for sy in (1, -1)
]


def _squares(ax: plt.Axes, points: Sequence[tuple[float, float]], half: float) -> list[Box]:
    """A square of side ``2 * half`` display units around each of ``points`` (data coordinates)."""
    centres = ax.transData.transform(np.asarray(points, dtype=float).reshape(-1, 2))
    return [Box.from_extents(x - half, y - half, x + half, y + half) for x, y in centres]


def _crowding(box: Box, others: list[Box], frame: Box) -> float:
    """The area of ``box`` that covers ``others`` or lies outside ``frame`` (display units)."""
    area = 0.0
    for other in others:
        width = min(box.x1, other.x1) - max(box.x0, other.x0)
        height = min(box.y1, other.y1) - max(box.y0, other.y0)
        area += max(width, 0) * max(height, 0)
    inside = max(min(box.x1, frame.x1) - max(box.x0, frame.x0), 0) * max(
        min(box.y1, frame.y1) - max(box.y0, frame.y0), 0
    )
    return area + box.width * box.height - inside


def _leader(ax: plt.Axes, point, box: Box) -> list[Box]:
    """Small squares along a FAR label's leader line, from the label's centre most of the way to its point."""
    start, end = np.array([box.x0 + box.x1, box.y0 + box.y1]) / 2, ax.transData.transform(point)
    return [
        Box.from_extents(*(at - 1), *(at + 1)) for at in (start + t * (end - start) for t in np.linspace(0, 0.8, 12))
    ]


def _best_place(ax: plt.Axes, point, text: str, style: dict, others: list[Box], frame: Box, renderer) -> tuple:
    """The first place of NEAR + FAR where the label and its leader line overlap nothing, else the least crowded:
    (dx, dy, ha, va, boxes), boxes the label's and its leader's."""
    best = None
    for dx, dy, ha, va in NEAR + FAR:
        label = ax.annotate(text, point, xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, **style)
        box = label.get_window_extent(renderer).expanded(1.04, 1.1)
        boxes = [box] + (_leader(ax, point, box) if (dx, dy, ha, va) in FAR else [])
        cost = sum(_crowding(part, others, frame) for part in boxes)
        label.remove()
        if best is None or cost < best[0]:
            best = (cost, dx, dy, ha, va, boxes)
        if cost == 0:
            break
    return best[1:]


def direct_labels(
    ax: plt.Axes,
    points: Sequence[tuple[float, float]],
    texts: Sequence[str],
    colors: Sequence | None = None,
    fontsize: float = 7,
    marker_size: float = 9,
    obstacles: Sequence[tuple[float, float]] = (),
    obstacle_size: float | None = None,
) -> list:
    """Label each of ``points`` (data coordinates) with its text where the label (and its leader line) overlaps no
    other label, no point, the axes' legend and none of the ``obstacles`` (other markers drawn, in data coordinates):
    the first free place among a few around the point (the further ones with a thin leader line), else the least
    crowded. ``marker_size`` and ``obstacle_size`` (default: ``marker_size``) are the points' and the obstacles'
    sizes in points. Call it once the axes' limits are final; the labels stay out of the figure's layout."""
    fig = ax.figure
    fig.canvas.draw()  # fixes the layout and limits, so that display coordinates hold
    renderer = fig.canvas.get_renderer()
    colors = list(colors) if colors is not None else ["black"] * len(texts)
    half = marker_size / 2 * fig.dpi / 72
    obstacle_half = (marker_size if obstacle_size is None else obstacle_size) / 2 * fig.dpi / 72
    markers, blocked = _squares(ax, points, half), _squares(ax, obstacles, obstacle_half)
    if ax.get_legend() is not None:  # in the way too; with a margin: text grows a little at a higher resolution
        blocked.append(ax.get_legend().get_window_extent(renderer).expanded(1.08, 1.1))
    frame = ax.get_window_extent(renderer)
    placed, labels = [], []
    for index, (point, text, color) in enumerate(zip(points, texts, colors)):
        style = {"fontsize": fontsize, "color": color}
        others = placed + markers[:index] + markers[index + 1 :] + blocked
        dx, dy, ha, va, boxes = _best_place(ax, point, text, style, others, frame, renderer)
        leader = {"arrowstyle": "-", "color": color, "lw": 0.5, "shrinkA": 0, "shrinkB": 3}
        label = ax.annotate(
            text,
            point,
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            arrowprops=leader if (dx, dy, ha, va) in FAR else None,
            **style,
        )
        label.set_in_layout(False)
        placed += boxes
        labels.append(label)
    return labels
