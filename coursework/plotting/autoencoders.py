"""Notebook 02's figures: seed ranges against a base, the latent sweep, colorizations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter

from coursework.color import merge_luma_chroma
from coursework.plotting.common import image_rows, plain_log_ticks
from coursework.plotting.labels import direct_labels

if TYPE_CHECKING:
    from coursework.evaluation.latent import LatentSweep

SEED_OFFSET = 0.15  # seeds drawn this far apart vertically in a row of :func:`seed_ranges`, so each is visible


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
    """One row per configuration (label -> one value per seed, in the order drawn from the top): each seed an open
    circle, the seeds one above another (:data:`SEED_OFFSET`), the seeds' range a line; ``base``'s range shaded and
    outlined across the panel, so that a row clear of the band differs from it by the report's rule (ranges apart).
    Log x axis."""
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(values) + 1.2), layout="constrained")
    ax.axvspan(min(values[base]), max(values[base]), color="grey", alpha=0.45, lw=0, label=f"{base}: seed range")
    for edge in (min(values[base]), max(values[base])):  # outlined: on a log axis a narrow band is hard to see
        ax.axvline(edge, color="0.3", lw=0.8, ls="--", zorder=1)
    for row, seeds in enumerate(values.values()):
        ax.plot([min(seeds), max(seeds)], [row, row], color="C0", lw=3, zorder=2)
        offsets = SEED_OFFSET * (np.arange(len(seeds)) - (len(seeds) - 1) / 2)
        ax.scatter(seeds, row + offsets, s=30, zorder=3, facecolors="none", edgecolors="C0", linewidths=1.2)
    ax.set_yticks(range(len(values)), list(values))
    ax.invert_yaxis()
    ax.set(xscale="log", xlabel=xlabel, title=title)
    ax.legend(loc="upper right", fontsize=8)
    return fig


def latent_sweep_figure(
    sweeps: Mapping[int, LatentSweep], variants: pd.DataFrame | None = None, input_values: int | None = None
) -> plt.Figure:
    """The latent-size sweep, one colour per layout (latent side -> LatentSweep with ``parameters`` in its runs and
    table), two panels sharing the y axis (log-log): every seed's best validation MSE against the latent size (left)
    and against the parameters (right), the mean per size joined by a line. In both panels each mean is
    labelled with C (labels placed so that none overlaps another). On the left, optionally: other models' mean
    error at their latent size (``variants``: ``latent_values`` and ``mean``, one marker each, named in the legend
    by the index) and the input's size as a dotted line."""
    variants = pd.DataFrame(columns=["latent_values", "mean"]) if variants is None else variants
    height = 5.6 if len(variants) else 4.6  # room for the legend below the panels
    fig, (ax, right) = plt.subplots(1, 2, figsize=(11, height), sharey=True, layout="constrained")
    points, right_points, texts, colors = [], [], [], []
    for color, (side, sweep) in zip(("C0", "C1"), sweeps.items()):
        runs, table = sweep.runs, sweep.table
        for axes, x in ((ax, "latent_values"), (right, "parameters")):
            axes.scatter(runs[x], runs.best_val_mse, s=16, color=color, alpha=0.45, zorder=3)
            axes.plot(table[x], table.mean_val_mse, marker="o", color=color, label=f"{side} x {side} x C: mean")
        points += list(zip(table.latent_values, table.mean_val_mse))
        right_points += list(zip(table.parameters, table.mean_val_mse))
        texts += [f"C = {channels}" for channels in table.index]
        colors += [color] * len(table)
    ax.scatter([], [], s=16, color="grey", alpha=0.45, label="one seed")
    for marker, (label, row) in zip("s^vDP*X<>", variants.iterrows(), strict=False):
        ax.scatter(
            row.latent_values,
            row["mean"],
            marker=marker,
            s=45,
            facecolors="none",
            edgecolors="k",
            zorder=4,
            label=label,
        )  # hollow: a sweep's mean at the same point stays visible
    if input_values:
        ax.axvline(input_values, color="grey", linestyle=":", label=f"input size ({input_values:,} values)")
    ax.set(
        xscale="log", yscale="log", xlabel="latent values (side x side x C)", ylabel="best validation MSE (log axis)"
    )
    right.set(xscale="log", xlabel="parameters")
    right.set_xticks([300, 1_000, 3_000, 10_000], ["300", "1,000", "3,000", "10,000"])
    right.xaxis.set_minor_formatter(NullFormatter())  # the minor ticks' labels overlap on this short range
    fig.suptitle("Latent size, parameters and error (JPEG pixels)")
    if len(variants):
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=8)
    else:
        ax.legend(loc="lower left")
    ax.margins(x=0.1)
    seeds = [(run.latent_values, run.best_val_mse) for sweep in sweeps.values() for run in sweep.runs.itertuples()]
    seeds += list(zip(variants.latent_values, variants["mean"]))
    direct_labels(ax, points, texts, colors=colors, fontsize=8, obstacles=seeds + points)
    seeds = [(run.parameters, run.best_val_mse) for sweep in sweeps.values() for run in sweep.runs.itertuples()]
    direct_labels(right, right_points, texts, colors=colors, fontsize=8, obstacles=seeds + right_points)
    return fig


def gain_tradeoff(table: pd.DataFrame, targets: Mapping[str, float]) -> plt.Figure:
    """The colour gain's trade-off: one labelled point per gain (``table``'s index) at its colour ratio (x,
    ``vs_truth``) and chroma MSE ratio (y, ``vs_mean_chroma``), joined in order; ``targets`` (the same two keys) as
    dashed lines."""
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
    ax.axhline(targets["vs_mean_chroma"], color="grey", ls="--", label="targets")
    ax.axvline(targets["vs_truth"], color="grey", ls="--")
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
