"""Notebook 01's figures: hidden-layer heatmaps, the learning-rate study and the tie-breaking study."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from coursework.backprop import ACTIVATIONS, Network
from coursework.backprop.studies import TIE_BROKEN, Sweep, TieBreaking
from coursework.plotting.common import (
    annotated_heatmap,
    distinct_colors,
    epoch_curves,
    plain_log_ticks,
)

MIN_BOX = 10  # fewer values than this get dots only: quartiles of a handful mean little


def hidden_layer_heatmaps(network: Network, X: np.ndarray) -> plt.Figure:
    """The first hidden layer's activations for the inputs ``X``, the weights into and out of that layer (top row)
    and, under each weight matrix, its layer's biases.

    Weights and biases share a diverging colour scale per layer, centred on 0, shown by the weights' colour bar; the
    activations span the activation's output range.
    """
    parameters = network.parameters()
    hidden = [f"h{unit}" for unit in range(parameters["W1"].shape[1])]
    outputs = [f"out {unit}" for unit in range(parameters["W2"].shape[1])]
    widths = [len(hidden), len(hidden), len(outputs)]
    fig, axes = plt.subplots(
        2, 3, figsize=(15, 5), gridspec_kw={"width_ratios": widths, "height_ratios": [8, 1]}, layout="constrained"
    )
    low, high = ACTIVATIONS[network.activation].output_range
    annotated_heatmap(
        axes[0, 0],
        network.hidden_activations(X),
        vmin=low,
        vmax=high,
        xticklabels=hidden,
        yticklabels=[f"input {sample}" for sample in range(len(X))],
    )
    axes[0, 0].set_title("hidden activations $a_1$")
    axes[1, 0].axis("off")
    panels = [
        (1, "W1", "b1", hidden, None, "$W_1$ (input → hidden)"),
        (2, "W2", "b2", outputs, hidden, "$W_2$ (hidden → output)"),
    ]
    for column, weight, bias, columns, rows, title in panels:
        limit = float(max(np.abs(parameters[weight]).max(), np.abs(parameters[bias]).max()))
        heatmap_options = {"fmt": ".1f", "cmap": "RdBu_r", "vmin": -limit, "vmax": limit, "xticklabels": columns}
        annotated_heatmap(axes[0, column], parameters[weight], yticklabels=rows, **heatmap_options)
        annotated_heatmap(
            axes[1, column], parameters[bias][np.newaxis], yticklabels=[f"${bias[0]}_{bias[1]}$"], **heatmap_options
        )
        axes[1, column].images[0].colorbar.remove()  # a few pixels high, unreadable: the weights' bar above serves
        axes[0, column].set_title(title)
    return fig


def learning_rate_figure(
    study: Sweep,
    summary: pd.DataFrame,
    curve_rates: Sequence[float] | None = None,
    max_curves: int = 8,
    chosen: float | None = None,
) -> plt.Figure:
    """A learning-rate sweep: loss curves per rate (median over seeds), and a box plot with
    every network's epoch from which it stays solved (column ``rounded_stays`` of the table, if there) or else its
    first epoch at 100 % accuracy.

    ``summary`` is :func:`~coursework.backprop.studies.summarise` of the sweep by ``learning_rate``: its order is the
    rates' order. The loss panel draws ``curve_rates`` (default: at most ``max_curves`` of the rates, spread evenly
    over the list) in colours that are easy to tell apart; the box panel shows the rates where some network got
    there and names the others under its axis. A ``chosen`` rate gets an orange box. The points' jitter is seeded,
    so the figure repeats.
    """
    rates = list(summary.index)
    rows = {rate: (study.table.learning_rate == rate).to_numpy() for rate in rates}
    seeds = max(int(chosen.sum()) for chosen in rows.values())
    if curve_rates is None:
        picked = np.unique(np.linspace(0, len(rates) - 1, min(len(rates), max_curves)).round().astype(int))
        curve_rates = [rates[index] for index in picked]
    missing = [rate for rate in curve_rates if rate not in rows]
    if missing:
        raise ValueError(f"curve_rates {missing} are not rates of the summary {rates}")
    fig, (ax_curve, ax_box) = plt.subplots(1, 2, figsize=(13, 4.5), layout="constrained")
    curves = {f"{rate:g}": np.median(study.history.loss[rows[rate]], axis=0) for rate in curve_rates}
    epoch_curves(ax_curve, curves, colors=distinct_colors(len(curves)), lw=2)
    ax_curve.set(xscale="log", yscale="log", xlabel="epoch", ylabel="MSE loss")
    ax_curve.set_title(f"Loss: median over {seeds} seeds")
    ax_curve.legend(title="learning rate", ncol=2, fontsize=11, title_fontsize=11, loc="lower left")

    target = "converge" if "rounded_stays" in study.table else "100 % accuracy"
    epochs = study.table.get("rounded_stays", study.table.epochs_to_100)
    solved = {rate: epochs[rows[rate]].dropna().to_numpy() for rate in rates}
    names = {}  # the rate, and how many networks got there where not all did
    for rate in rates:
        share = f" ({solved[rate].size}/{rows[rate].sum()})" if 0 < solved[rate].size < rows[rate].sum() else ""
        names[rate] = f"{rate:g}{share}"
    drawn = [rate for rate in rates if solved[rate].size]
    colors = {names[rate]: "orange" if rate == chosen else "lightsteelblue" for rate in drawn}
    boxes = epoch_boxes(ax_box, {names[rate]: solved[rate] for rate in drawn}, colors)
    if chosen in drawn and names[chosen] in boxes:
        boxes[names[chosen]].set(label=f"chosen rate {chosen:g}")
        ax_box.legend(loc="upper center")
    never = [names[rate] for rate in rates if rate not in drawn]
    xlabel = "learning rate" + (f" (no network got there at {', '.join(never)})" if never else "")
    ax_box.set(yscale="log", xlabel=xlabel, ylabel=f"epochs to {target}")
    ax_box.set_title(f"Epochs to {target} (networks that got there)")
    return fig


def paired_rates_figure(epochs: dict[float, pd.Series], chosen: float, title: str) -> plt.Figure:
    """Each rate of ``epochs`` (rate -> epochs per seed, indexed by seed) against the ``chosen`` rate, seed by seed:
    one panel per other rate, one dot per seed that got there at both (x: the chosen rate's epochs, y: the other's;
    log axes) and the diagonal of equal epochs: a dot below it is a seed the other rate gets there sooner."""
    others = [rate for rate in epochs if rate != chosen]
    fig, axes = plt.subplots(1, len(others), figsize=(4.2 * len(others), 4.4), layout="constrained", squeeze=False)
    for ax, rate in zip(axes[0], others):
        pairs = pd.concat([epochs[chosen], epochs[rate]], axis=1, join="inner").dropna()
        x, y = pairs.iloc[:, 0], pairs.iloc[:, 1]
        low, high = 0.9 * min(x.min(), y.min()), 1.1 * max(x.max(), y.max())
        ax.plot([low, high], [low, high], color="orange", lw=1.5, label="equal epochs")
        ax.scatter(x, y, s=16, color="k", alpha=0.7, zorder=3, label="one seed")
        ax.set(xscale="log", yscale="log", xlim=(low, high), ylim=(low, high))
        ax.set(xlabel=f"rate {chosen:g}", ylabel=f"rate {rate:g}", aspect="equal")
        for axis in (ax.xaxis, ax.yaxis):
            plain_log_ticks(axis, (1.0, 2.0, 3.0, 5.0))
        ax.set_title(f"rate {rate:g} sooner on {int((y < x).sum())} of {int((y != x).sum())} seeds (unequal)")
        ax.legend(loc="upper left")
    fig.suptitle(title)
    return fig


def epoch_boxes(ax: plt.Axes, values: dict[str, np.ndarray], colors: dict[str, str]) -> dict[str, Patch]:
    """One box (quartiles; whiskers up to 1.5 box heights) per label of ``values`` with at least ``MIN_BOX`` values,
    in its colour, and every value as a dot; the dots' jitter is seeded, so the figure repeats. Returns the boxes by
    label."""
    boxed = [label for label, points in values.items() if len(points) >= MIN_BOX]
    positions = [list(values).index(label) for label in boxed]
    if boxed:
        ax.boxplot(
            [values[label] for label in boxed],
            positions=positions,
            widths=0.6,
            showfliers=False,
            patch_artist=True,
            medianprops={"color": "k"},
        )
    boxes = dict(zip(boxed, ax.patches))
    for label, box in boxes.items():
        box.set(facecolor=colors[label])
    jitter = np.random.default_rng(0)
    for position, points in enumerate(values.values()):
        ax.scatter(position + jitter.uniform(-0.15, 0.15, len(points)), points, s=9, color="k", zorder=3)
    ax.set_xticks(range(len(values)), list(values), rotation=45, ha="right", rotation_mode="anchor")
    ax.set_xlim(-0.5, max(len(values), 1) - 0.5)
    return boxes


def start_figure(table: pd.DataFrame, weights: Sequence[str], biases: Sequence[str], title: str) -> plt.Figure:
    """Epochs to converge per start of an initialisation sweep (its table, joined by ``with_rounded``): one
    box per weight start and bias start, in that order, coloured by weight start; a start never solved is left out."""
    fig, ax = plt.subplots(figsize=(13, 4.5), layout="constrained")
    values, colors, never = {}, {}, []
    for weight, color in zip(weights, distinct_colors(len(weights))):
        for bias in biases:
            rows = (table.init == weight) & (table.bias_init == bias)
            solved = table.rounded_stays[rows].dropna().to_numpy()
            label = f"{weight} / {bias}"
            if solved.size:
                values[label], colors[label] = solved, color
            else:
                never.append(label)
    epoch_boxes(ax, values, colors)
    xlabel = "weight start / bias start" + (f" (never converges: {', '.join(never)})" if never else "")
    ax.set(yscale="log", xlabel=xlabel, ylabel="epochs to converge", title=title)
    plain_log_ticks(ax.yaxis, (1.0, 2.0, 3.0, 5.0))
    keys = {label.split(" / ")[0]: Patch(color=color) for label, color in colors.items()}
    ax.legend(keys.values(), keys.keys(), title="weight start", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def tie_breaking_figure(ties: TieBreaking, title: str) -> plt.Figure:
    """A tie-breaking study over epochs: how far apart the hidden units are (log scale, where they differ at all) and
    the loss, one colour per initial asymmetry, named in the loss panel's legend."""
    asymmetries = ties.table.asymmetry.to_list()
    labels = [f"{asymmetry:.0e}" if asymmetry else "0 (exact tie)" for asymmetry in asymmetries]
    colors = distinct_colors(len(asymmetries))
    fig, (ax_spread, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    spreads = {label: np.where(spread > 0, spread, np.nan) for label, spread in zip(labels, ties.spread)}
    epoch_curves(ax_spread, spreads, colors=colors)
    broken = ax_spread.axhline(TIE_BROKEN, color="grey", ls="--", label=f"tie broken ({TIE_BROKEN:g})")
    ax_spread.legend(handles=[broken], loc="upper left", fontsize="small")
    ax_spread.set(
        xscale="log", yscale="log", xlabel="epoch", ylabel="largest parameter difference\nbetween hidden units"
    )
    ax_spread.set_title("How far apart the hidden units are")
    epoch_curves(ax_loss, dict(zip(labels, ties.history.loss)), colors=colors)
    ax_loss.set(xscale="log", yscale="log", xlabel="epoch", ylabel="MSE loss", title="Loss")
    ax_loss.legend(title="initial bias asymmetry", fontsize="small")
    fig.suptitle(title)
    return fig
