"""Generic figure helpers: save a figure, rows of images, colours, curves per epoch, heatmaps and bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter
from numpy.typing import ArrayLike

from coursework.paths import FIGURES_DIR


def save_figure(fig: plt.Figure, name: str) -> Path:
    """Save ``fig`` as ``figures/<name>.png`` (150 dpi, tight) and return the path."""
    if not name or "/" in name or name.endswith(".png"):
        raise ValueError(f"name must be a bare file stem like 'lr_study', got {name!r}")
    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    path = FIGURES_DIR / f"{name}.png"
    fig.savefig(path, dpi=150, bbox_inches="tight")
    return path


def image_rows(rows: dict[str, np.ndarray], titles: list[str] | None = None, size: float = 1.1) -> plt.Figure:
    """A grid with one labelled row per entry of ``rows`` (each (N, H, W, 3) in [0, 1] or uint8), N columns.

    A row may also be a list of N images of different sizes; each is drawn in a square cell at its own aspect.
    """
    columns = len(next(iter(rows.values())))
    fig, axes = plt.subplots(len(rows), columns, figsize=(columns * size, len(rows) * size * 1.05), squeeze=False)
    for row_axes, (label, images) in zip(axes, rows.items()):
        for column, (ax, image) in enumerate(zip(row_axes, images)):
            ax.imshow(np.clip(image, 0, 1) if image.dtype != np.uint8 else image)
            ax.set_xticks([])
            ax.set_yticks([])
            if titles is not None and label == next(iter(rows)):
                ax.set_title(titles[column], fontsize=10)
        row_axes[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=10)
    fig.subplots_adjust(wspace=0.05, hspace=0.05)
    return fig


def plain_log_ticks(axis: mpl.axis.Axis, subs: Sequence[float]) -> None:
    """Label a short log ``axis`` with plain numbers (0.004, 300, 1,000) at ``subs`` times each power of ten, and
    leave its minor ticks unlabelled."""
    axis.set_major_locator(LogLocator(subs=subs))
    axis.set_major_formatter(StrMethodFormatter("{x:,g}"))
    axis.set_minor_formatter(NullFormatter())


def distinct_colors(count: int) -> list:
    """``count`` colours that are easy to tell apart: matplotlib's qualitative ``tab10`` (up to 10; beyond that
    ``tab20``, whose pairs are lighter and darker shades of one hue)."""
    cmap = mpl.colormaps["tab10" if count <= 10 else "tab20"]
    return [cmap(index % cmap.N) for index in range(count)]


def epoch_curves(
    ax: plt.Axes,
    curves: Mapping[str, ArrayLike],
    colors: Sequence | None = None,
    band: tuple[float, float] = (0.1, 0.9),
    **line_options,
) -> None:
    """Draw one curve per entry of ``curves`` (label -> values per epoch) against the epochs 1, 2, ...

    A 2-D entry (runs, epochs), such as one setting over many seeds, is drawn as its median with its ``band`` of
    quantiles shaded. An empty label leaves the curve out of the legend. ``line_options`` go to ``ax.plot``.
    """
    colors = list(colors) if colors is not None else [None] * len(curves)
    for color, (label, values) in zip(colors, curves.items()):
        values = np.asarray(values, dtype=float)
        epochs = np.arange(1, values.shape[-1] + 1)
        centre = np.median(values, axis=0) if values.ndim == 2 else values
        (line,) = ax.plot(epochs, centre, color=color, label=label or None, **line_options)
        if values.ndim == 2:
            low, high = np.quantile(values, band, axis=0)
            ax.fill_between(epochs, low, high, color=line.get_color(), alpha=0.2)


def training_curves(
    panels: Mapping[str, ArrayLike | Mapping[str, ArrayLike]],
    ylabel: str | Sequence[str] = "loss",
    xscale: str = "linear",
    yscale: str | Sequence[str] = "linear",
    title: str | None = None,
    marker: str | None = None,
    panel_size: tuple[float, float] = (5.5, 3.8),
    max_columns: int = 3,
) -> plt.Figure:
    """Per-epoch curves, one panel per entry of ``panels`` (panel title -> curves), in rows of at most
    ``max_columns`` panels (so that many panels wrap into a grid instead of one wide strip).

    A panel's curves are one array (one unlabelled curve) or a mapping label -> values, as :func:`epoch_curves`
    draws them; for a Keras history: ``{"training": history["loss"], "validation": history["val_loss"]}``.
    ``ylabel`` and ``yscale`` are one for every panel or one per panel. Labelled curves get a legend in the first
    panel. ``title`` goes above all panels, with a constrained layout that keeps it clear of the panel titles.
    ``panel_size`` is each panel's (width, height) in inches.
    """
    count = len(panels)
    ylabels = [ylabel] * count if isinstance(ylabel, str) else list(ylabel)
    yscales = [yscale] * count if isinstance(yscale, str) else list(yscale)
    if not len(ylabels) == len(yscales) == count:
        raise ValueError(f"ylabel and yscale need one value or one per panel ({count})")
    if max_columns < 1:
        raise ValueError(f"max_columns must be at least 1, got {max_columns!r}")
    width, height = panel_size
    columns = min(count, max_columns)
    rows = -(-count // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(width * columns, height * rows), squeeze=False, layout="constrained"
    )
    for ax, (name, curves), label, scale in zip(axes.flat, panels.items(), ylabels, yscales):
        epoch_curves(ax, curves if isinstance(curves, Mapping) else {"": curves}, marker=marker)
        ax.set(title=name, xlabel="epoch", ylabel=label, xscale=xscale, yscale=scale)
    for ax in axes.flat[count:]:
        fig.delaxes(ax)
    if axes[0, 0].get_legend_handles_labels()[1]:
        axes[0, 0].legend()
    if title is not None:
        fig.suptitle(title)
    return fig


def annotated_heatmap(
    ax: plt.Axes,
    matrix: ArrayLike,
    *,
    fmt: str = ".2f",
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    xticklabels: Sequence[str] | None = None,
    yticklabels: Sequence[str] | None = None,
) -> None:
    """``matrix`` as coloured cells with a colour bar, each value written in its cell (white on dark colours).

    Tick labels name the columns and rows; None leaves that axis unlabelled.
    """
    matrix = np.asarray(matrix, dtype=float)
    image = ax.imshow(matrix, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    for (row, column), value in np.ndenumerate(matrix):
        srgb = np.asarray(image.cmap(image.norm(value))[:3])
        linear = np.where(srgb <= 0.03928, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
        dark = linear @ [0.2126, 0.7152, 0.0722] < 0.408  # WCAG relative luminance, the threshold seaborn uses
        ax.text(column, row, format(value, fmt), ha="center", va="center", color="w" if dark else "k")
    if xticklabels is None:
        ax.set_xticks([])
    else:
        ax.set_xticks(range(matrix.shape[1]), xticklabels)
    if yticklabels is None:
        ax.set_yticks([])
    else:
        ax.set_yticks(range(matrix.shape[0]), yticklabels)
    ax.tick_params(length=0)
    ax.grid(False)
    ax.spines[:].set_visible(False)
    ax.figure.colorbar(image, ax=ax).outline.set_visible(False)
