"""Notebook 02's figures: seed ranges against a base, the latent sweep, colorizations."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from coursework.color import merge_luma_chroma
from coursework.plotting.common import image_rows, plain_log_ticks
from coursework.plotting.labels import direct_labels

if TYPE_CHECKING:
    from coursework.evaluation.latent import LatentSweep

SEED_OFFSET = 0.15  # seeds drawn this far apart vertically in a row of :func:`seed_ranges`, so each is visible
STEPS = (1.0, 2.0, 5.0)  # labelled ticks per power of ten on a log axis spanning two or three powers of ten
ANNOTATION_SIZE = 8.5  # the latent sweep's labels beside its points, in points


def seed_curves(
    histories: Mapping[str, Mapping[str, Sequence[float]]], ylabel: str = "MSE", title: str = ""
) -> plt.Figure:
    """Training and validation loss per epoch of several seeds of one configuration (seed label -> Keras
    ``history``, all with the same epochs) in one panel, log y axis with every tick labelled as a decimal: per
    curve the seeds' mean as a line and their lowest to highest value as a band."""
    fig, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
    for color, key, label in (("C0", "loss", "training"), ("C1", "val_loss", "validation")):
        values = np.array([history[key] for history in histories.values()])
        epochs = np.arange(1, values.shape[1] + 1)
        ax.plot(epochs, values.mean(axis=0), marker="o", ms=4, color=color, label=f"{label}: mean of the seeds")
        ax.fill_between(epochs, values.min(axis=0), values.max(axis=0), color=color, alpha=0.25, lw=0)
    ax.set(xlabel="epoch", ylabel=f"{ylabel} (log axis)", yscale="log", title=title)
    plain_log_ticks(ax.yaxis, (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0))
    ax.legend(fontsize=8)
    return fig


def seed_ranges(values: Mapping[str, Sequence[float]], base: str, xlabel: str, title: str) -> plt.Figure:
    """One row per configuration (label -> one value per seed, in the order drawn from the top): each seed a small
    open circle, the seeds one above another (:data:`SEED_OFFSET`), the seeds' range a black bar with end ticks drawn
    over them; ``base``'s range shaded and outlined across the panel, so that a row clear of the band differs from it
    by the report's rule (ranges apart). Log x axis."""
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(values) + 1.2), layout="constrained")
    low, high = min(values[base]), max(values[base])
    ax.axvspan(low, high, color="C1", alpha=0.35, lw=0, label=f"{base}: seed range")
    for edge in (low, high):  # outlined: on a log axis a narrow band is hard to see
        ax.axvline(edge, color="C1", lw=1, ls="--", zorder=1)
    bar = {"color": "k", "lw": 1.2, "marker": "|", "ms": 8, "mew": 1.2, "zorder": 4}  # over the seeds' circles
    for row, seeds in enumerate(values.values()):
        offsets = SEED_OFFSET * (np.arange(len(seeds)) - (len(seeds) - 1) / 2)
        ax.scatter(seeds, row + offsets, s=14, zorder=3, facecolors="none", edgecolors="C0", linewidths=0.8)
        ax.plot([min(seeds), max(seeds)], [row, row], label=None if row else "each row's seed range", **bar)
    ax.set_yticks(range(len(values)), list(values))
    ax.invert_yaxis()
    ax.set(xscale="log", xlabel=xlabel, title=title)
    plain_log_ticks(ax.xaxis, STEPS)  # 0.0005, 0.001, 0.002, ...: every tick readable as a number
    ax.legend(loc="lower left", fontsize=8)  # clear of the band and, rows sorted by value, of the seeds
    return fig


def _along(points: Sequence[tuple[float, float]], steps: int = 20) -> list[tuple[float, float]]:
    """Points spaced evenly along the line through ``points`` as log-log axes draw it: obstacles for labels."""
    ends = np.log(np.asarray(points, dtype=float))
    along = [start + t * (stop - start) for start, stop in zip(ends[:-1], ends[1:]) for t in np.linspace(0, 1, steps)]
    return [tuple(point) for point in np.exp(along)]


def latent_sweep_figure(
    sweeps: Mapping[int, LatentSweep], variants: pd.DataFrame | None = None, input_values: int | None = None
) -> plt.Figure:
    """The latent-size sweep, one colour per layout (latent side -> LatentSweep with ``parameters`` in its runs and
    table), two panels sharing the y axis (log-log): every seed's best validation MSE against the latent size (left)
    and against the parameters (right), the mean per size joined by a line. In both panels each mean is
    labelled with C beside its own point (labels placed so that none overlaps another label, a point or a line). On
    the left, optionally: other models' mean error at their latent size (``variants``: ``latent_values`` and
    ``mean``, small open diamonds drawn over the sweeps' points, each named beside it by the index) and the input's
    size as a dotted line."""
    variants = pd.DataFrame(columns=["latent_values", "mean"]) if variants is None else variants
    fig, (ax, right) = plt.subplots(1, 2, figsize=(11.5, 5), sharey=True, layout="constrained")
    points, right_points, texts, colors = [], [], [], []
    lines, right_lines = [], []  # points along each mean's line: no label covers a line
    for color, (side, sweep) in zip(("C0", "C1"), sweeps.items()):
        runs, table = sweep.runs, sweep.table
        for axes, x in ((ax, "latent_values"), (right, "parameters")):
            axes.scatter(runs[x], runs.best_val_mse, s=16, color=color, alpha=0.45, zorder=3)
            axes.plot(table[x], table.mean_val_mse, marker="o", color=color, label=f"{side} x {side} x C: mean")
        points += list(zip(table.latent_values, table.mean_val_mse))
        right_points += list(zip(table.parameters, table.mean_val_mse))
        lines += _along(list(zip(table.latent_values, table.mean_val_mse)))
        right_lines += _along(list(zip(table.parameters, table.mean_val_mse)))
        texts += [f"C = {channels}" for channels in table.index]
        colors += [color] * len(table)
    ax.scatter([], [], s=16, color="grey", alpha=0.45, label="one seed")
    if len(variants):  # small and open: a sweep's mean at the same point stays visible around it
        ax.scatter(
            variants.latent_values,
            variants["mean"],
            marker="D",
            s=16,
            facecolors="none",
            edgecolors="k",
            linewidths=0.9,
            zorder=4,
            label="study variant: mean",
        )
    if input_values:
        ax.axvline(input_values, color="grey", linestyle=":", label=f"input size ({input_values:,} values)")
    ax.set(
        xscale="log", yscale="log", xlabel="latent values (side x side x C)", ylabel="best validation MSE (log axis)"
    )
    right.set(xscale="log", xlabel="parameters")
    plain_log_ticks(ax.yaxis, STEPS)  # shared by both panels: 0.001, 0.002, 0.005, ...
    plain_log_ticks(ax.xaxis, (1.0, 3.0))  # 10, 30, 100, ..., 3,000
    plain_log_ticks(right.xaxis, (1.0, 2.0, 3.0, 5.0))  # 300, 500, 1,000, 2,000, ...
    fig.suptitle("Latent size, parameters and error (JPEG pixels)")
    ax.legend(loc="lower left", fontsize=8)
    ax.margins(x=0.25)  # room for labels beside the outermost points
    top_down = variants.sort_values("mean", ascending=False)  # labelled in this order, the highest first
    named = list(zip(top_down.latent_values, top_down["mean"]))
    names = [textwrap.fill(str(name), 24) for name in top_down.index]
    seeds = [(run.latent_values, run.best_val_mse) for sweep in sweeps.values() for run in sweep.runs.itertuples()]
    options = {"fontsize": ANNOTATION_SIZE, "marker_size": 7, "obstacle_size": 5}  # seeds' dots and lines: thin
    direct_labels(
        ax, points + named, texts + names, colors=colors + ["k"] * len(names), obstacles=seeds + lines, **options
    )
    seeds = [(run.parameters, run.best_val_mse) for sweep in sweeps.values() for run in sweep.runs.itertuples()]
    direct_labels(right, right_points, texts, colors=colors, obstacles=seeds + right_lines, **options)
    return fig


def gain_tradeoff(table: pd.DataFrame, targets: Mapping[str, float]) -> plt.Figure:
    """The colour gain's trade-off: one labelled point per gain (``table``'s index) at its colour ratio (x,
    ``vs_truth``) and chroma MSE ratio (y, ``vs_mean_chroma``), joined in order; ``targets`` (the same two keys) as
    a dashed (chroma MSE) and a dotted (colourfulness) line, each named with its value in the legend."""
    fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
    ax.plot(table.vs_truth, table.vs_mean_chroma, marker="o", color="C0")
    for gain, row in table.iterrows():
        ax.annotate(
            f"{gain:g}",
            (row.vs_truth, row.vs_mean_chroma),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
    closeness, colourful = targets["vs_mean_chroma"], targets["vs_truth"]
    ax.axhline(closeness, color="grey", ls="--", label=f"target: chroma MSE ratio ≤ {closeness:.2f}x")
    ax.axvline(colourful, color="grey", ls=":", label=f"target: colourfulness ratio ≥ {colourful:g}x")
    ax.set(xlabel="colourfulness ratio to the truth", ylabel="chroma MSE ratio to the baseline")
    ax.margins(y=0.1)  # room for the top label
    ax.legend(loc="upper left", fontsize=8)
    return fig


def colorization_rows(
    luma: np.ndarray,
    chroma: Mapping[str, np.ndarray],
    truth: np.ndarray,
    titles: list[str] | None = None,
    size: float = 1.2,
) -> plt.Figure:
    """Colorizations side by side: the gray input (luminance (N, H, W, 1)), one row per prediction (label -> chroma
    (N, H, W, 2), merged with that luminance, or RGB (N, H, W, 3) in [0, 1], shown as it is), and the ground truth
    (uint8 RGB)."""
    rows = {"gray input": np.repeat(luma, 3, axis=-1)}
    rows |= {
        label: predicted if predicted.shape[-1] == 3 else merge_luma_chroma(luma, predicted)
        for label, predicted in chroma.items()
    }
    return image_rows(rows | {"ground truth": truth}, titles=titles, size=size)
