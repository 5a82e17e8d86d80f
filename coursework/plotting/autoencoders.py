"""Notebook 02's figures: latent size against error, the latent sweep, colour channels, colorizations and
the closeness-colour trade-off."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from coursework.color import merge_luma_chroma, rgb_to_ycrcb, ycrcb_to_rgb
from coursework.images import as_float
from coursework.plotting.common import (
    image_rows,
)
from coursework.plotting.labels import direct_labels

KIND_COLOURS = {"base": "black", "one": "C0", "compound": "C1"}  # an experiment's kind (registry) -> its colour


KIND_LABELS = {"base": "base model", "one": "one change", "compound": "more than one change"}


def latent_size_vs_error(table: pd.DataFrame, input_values: int = 3072, prefix: str = "study_") -> plt.Figure:
    """Each experiment's test MSE against its latent size (log-log), labelled directly with its name less ``prefix``
    (labels placed so that none overlaps another).

    ``table``: one row per experiment (its index) with ``latent_values`` and ``test_mse``, and optionally
    ``changes`` (base, one or compound: the points' colours, with a legend). A dashed line marks the input's size.
    """
    kinds = table["changes"] if "changes" in table else pd.Series("one", index=table.index)
    colours = [KIND_COLOURS.get(kind, "C0") for kind in kinds]
    fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    ax.scatter(table.latent_values, table.test_mse, c=colours, s=60, edgecolors="w", linewidths=0.75, zorder=3)
    ax.axvline(input_values, color="grey", ls="--", lw=1)
    ax.set(xscale="log", yscale="log", xlabel="latent values (H x W x C)", ylabel="test MSE")
    low, high = table.latent_values.min(), max(table.latent_values.max(), input_values)
    ax.set_xlim(low / 2, high * 2.5)
    ax.set_ylim(table.test_mse.min() / 1.6, table.test_mse.max() * 1.6)
    ax.set_title("Latent size vs reconstruction error (architecture study, one seed each, JPEG pixels)")
    ax.text(input_values, ax.get_ylim()[1], " input size", va="top", fontsize=8, color="grey")
    if "changes" in table:
        for kind in [*[kind for kind in KIND_COLOURS if kind in set(kinds)], *sorted(set(kinds) - set(KIND_COLOURS))]:
            ax.scatter([], [], c=KIND_COLOURS.get(kind, "C0"), s=60, label=KIND_LABELS.get(kind, kind))
        ax.legend(loc="lower left", fontsize=8)
    points = list(zip(table.latent_values, table.test_mse))
    direct_labels(ax, points, [name.removeprefix(prefix) for name in table.index], colours=colours)
    return fig


def latent_sweep_figure(sweeps: dict[int, pd.DataFrame | tuple]) -> plt.Figure:
    """The controlled latent-size sweep, one colour per layout (latent side -> LatentSweep): every seed's best
    validation MSE against the latent size (log-log), the median per size joined by a line, labelled with C (labels
    placed so that none overlaps another)."""
    fig, ax = plt.subplots(figsize=(7.5, 4.8), layout="constrained")
    points, texts, colours = [], [], []
    for colour, (side, (runs, table, *_)) in zip(("C0", "C1"), sweeps.items()):
        ax.scatter(runs.latent_values, runs.best_val_mse, s=16, color=colour, alpha=0.45, zorder=3)
        ax.plot(
            table.latent_values, table.median_val_mse, marker="o", color=colour, label=f"{side} x {side} x C: median"
        )
        points += list(zip(table.latent_values, table.median_val_mse))
        texts += [f"C = {channels}" for channels in table.index]
        colours += [colour] * len(table)
    ax.scatter([], [], s=16, color="grey", alpha=0.45, label="one seed")
    ax.set(xscale="log", yscale="log", xlabel="latent values (side x side x C)", ylabel="best validation MSE")
    ax.set_title("Latent size, controlled: only the latent channels change (JPEG pixels)")
    ax.legend(loc="lower left")
    seeds = [(run.latent_values, run.best_val_mse) for _, (runs, *_) in sweeps.items() for run in runs.itertuples()]
    direct_labels(ax, points, texts, colours=colours, fontsize=8, obstacles=seeds)
    return fig


def chroma_as_colour(chroma: np.ndarray, channel: int) -> np.ndarray:
    """One chroma channel (0: Cr, 1: Cb) of ``chroma`` (..., 2) as RGB, at mid luminance with the other neutral."""
    ycrcb = np.full((*chroma.shape[:-1], 3), 0.5, np.float32)
    ycrcb[..., 1 + channel] = chroma[..., channel]
    return ycrcb_to_rgb(ycrcb)


def ycrcb_channels(images: np.ndarray, titles: list[str] | None = None, size: float = 1.2) -> plt.Figure:
    """uint8 RGB ``images`` (N, H, W, 3) and, one row each, their luminance Y and chroma Cr, Cb as colours."""
    ycrcb = rgb_to_ycrcb(as_float(images))
    luma, chroma = ycrcb[..., :1], ycrcb[..., 1:]
    rows = {
        "image": images,
        "Y (input)": np.repeat(luma, 3, axis=-1),
        "Cr": chroma_as_colour(chroma, 0),
        "Cb": chroma_as_colour(chroma, 1),
    }
    return image_rows(rows, titles=titles, size=size)


def colorization_rows(
    luma: np.ndarray,
    chroma: Mapping[str, np.ndarray],
    truth: np.ndarray,
    titles: list[str] | None = None,
    size: float = 1.2,
) -> plt.Figure:
    """Colorizations side by side: the gray input (luminance (N, H, W, 1)), one row per predicted chroma (label ->
    (N, H, W, 2)) merged with that luminance, and the ground truth (uint8 RGB)."""
    rows = {"gray input": np.repeat(luma, 3, axis=-1)}
    rows |= {label: merge_luma_chroma(luma, predicted) for label, predicted in chroma.items()}
    return image_rows(rows | {"ground truth": truth}, titles=titles, size=size)


def colour_tradeoff(
    table: pd.DataFrame,
    targets: dict[str, float],
    labels: dict[str, str] | None = None,
    groups: dict[str, list[str]] | None = None,
    max_entries: int = 8,
) -> plt.Figure:
    """Closeness against colour of colorizers, relative to the baselines (a :func:`coursework.evaluation.colour.
    tradeoff_table`): a line through each colour-class model's temperatures (its two ends labelled with T), a square
    for each regression model, and the target region (``targets``: at most ``vs_mean_chroma``, at least
    ``vs_truth``) shaded. The truth's colourfulness and the mean-chroma baseline are labelled on their lines.

    ``groups`` (legend label -> models) draws several models in one grey-toned style under one legend entry (for
    seeds and near-identical models); the rest get a colour and an entry each. More than ``max_entries`` legend
    entries is an error: group models instead."""
    labels, groups = labels or {}, groups or {}
    grouped = {name: label for label, members in groups.items() for name in members}
    models = list(dict.fromkeys(table.model))
    single = [name for name in models if name not in grouped]
    used_groups = [label for label in groups if any(name in models for name in groups[label])]
    entries = 1 + len(single) + len(used_groups)
    if entries > max_entries:
        raise ValueError(f"{entries} legend entries (at most {max_entries}): put some models in groups")
    fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    low, high = min(table.vs_mean_chroma.min(), 0.6), max(table.vs_mean_chroma.max(), 1.05)
    ax.fill_between(
        [low - 0.02, targets["vs_mean_chroma"]], targets["vs_truth"], 1.2, color="C2", alpha=0.12, label="target"
    )
    ends = _single_models(ax, table, single, labels)
    _model_groups(ax, table, {label: groups[label] for label in used_groups})
    _tradeoff_axes(ax, low, high)
    if ends[0]:
        direct_labels(ax, *ends, obstacles=list(zip(table.vs_mean_chroma, table.vs_truth)))
    return fig


def _single_models(ax: plt.Axes, table: pd.DataFrame, names: list[str], labels: dict[str, str]) -> tuple:
    """Each of ``names`` in a colour of its own: a line through a colour-class model's temperatures, a square for a
    regression model; returns the (points, texts, colours) of the lines' two ends, to be labelled with T."""
    points, texts, colours = [], [], []
    for index, name in enumerate(names):
        rows = table[table.model == name]
        colour = f"C{index % 10}" if index < 2 else f"C{(index + 1) % 10}"  # C2 is the target's green
        if rows.temperature.notna().any():
            ax.plot(
                rows.vs_mean_chroma,
                rows.vs_truth,
                marker="o",
                ms=4,
                label=f"{labels.get(name, name)} (T)",
                color=colour,
            )
            for _, row in rows.iloc[[0, -1]].iterrows():
                points.append((row.vs_mean_chroma, row.vs_truth))
                texts.append(f"T = {row.temperature:g}")
                colours.append(colour)
        else:
            ax.scatter(
                rows.vs_mean_chroma, rows.vs_truth, marker="s", label=labels.get(name, name), color=colour, zorder=3
            )
    return points, texts, colours


def _model_groups(ax: plt.Axes, table: pd.DataFrame, groups: dict[str, list[str]]) -> None:
    """Each group of models in one grey tone under one legend entry."""
    for label, colour in zip(groups, ("0.35", "0.6", "0.8", *["0.5"] * len(groups))):
        rows = table[table.model.isin(groups[label])]
        for _, model_rows in rows.groupby("model", sort=False):
            if model_rows.temperature.notna().any():
                ax.plot(model_rows.vs_mean_chroma, model_rows.vs_truth, marker="o", ms=3, color=colour, lw=1)
        flat = rows[rows.temperature.isna()]
        ax.scatter(flat.vs_mean_chroma, flat.vs_truth, marker="s", s=22, color=colour, zorder=3)
        ax.plot([], [], marker="s", ls="", color=colour, label=label)


def _tradeoff_axes(ax: plt.Axes, low: float, high: float) -> None:
    """The baselines' lines with their labels, the axes' limits and names, the title and the legend."""
    ax.axhline(1.0, color="grey", ls="--", lw=1)
    ax.axvline(1.0, color="black", ls="-.", lw=1)
    ax.set(
        xlim=(low - 0.02, high + 0.02),
        ylim=(0, 1.2),
        xlabel="chroma MSE / mean-chroma baseline (lower is closer)",
        ylabel="colourfulness / truth's",
    )
    ax.text(low - 0.01, 1.01, "true colourfulness", fontsize=7, color="grey", va="bottom")
    ax.text(1.0, 0.02, " mean chroma", fontsize=7, color="black", va="bottom", rotation=90)
    ax.set_title("Closeness vs colour, validation split (JPEG pixels)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
