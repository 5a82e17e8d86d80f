"""Figure helpers shared by the notebooks: generic curves, bars, heatmaps and image grids, and each notebook's study
figures (notebook 01: learning rate, tie breaking; notebook 02: latent size, colour channels, colorizations).

Matplotlib only (seaborn, which the notebooks use for their theme, is not needed here). Every helper returns its
Figure; the notebook saves it with :func:`save_figure` and shows it.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from coursework.backprop import ACTIVATIONS, Network
from coursework.backprop.studies import REFERENCE_LOSS, TIE_BROKEN, Sweep, TieBreaking
from coursework.color import merge_luma_chroma, rgb_to_ycrcb, ycrcb_to_rgb
from coursework.images import as_float
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
                ax.set_title(titles[column], fontsize=8)
        row_axes[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    fig.subplots_adjust(wspace=0.05, hspace=0.05)
    return fig


def palette(count: int, cmap: str = "viridis") -> np.ndarray:
    """``count`` colours spread over ``cmap``, without its two extremes (as seaborn's ``color_palette`` picks them)."""
    return mpl.colormaps[cmap](np.linspace(0, 1, count + 2)[1:-1])


def distinct_colours(count: int) -> list:
    """``count`` colours that are easy to tell apart: matplotlib's qualitative ``tab10`` (up to 10; beyond that
    ``tab20``, whose pairs are lighter and darker shades of one hue)."""
    cmap = mpl.colormaps["tab10" if count <= 10 else "tab20"]
    return [cmap(index % cmap.N) for index in range(count)]


def epoch_curves(
    ax: plt.Axes,
    curves: Mapping[str, ArrayLike],
    colours: Sequence | None = None,
    band: tuple[float, float] = (0.1, 0.9),
    **line_options,
) -> None:
    """Draw one curve per entry of ``curves`` (label -> values per epoch) against the epochs 1, 2, ...

    A 2-D entry (runs, epochs), such as one setting over many seeds, is drawn as its median with its ``band`` of
    quantiles shaded. An empty label leaves the curve out of the legend. ``line_options`` go to ``ax.plot``.
    """
    colours = list(colours) if colours is not None else [None] * len(curves)
    for colour, (label, values) in zip(colours, curves.items()):
        values = np.asarray(values, dtype=float)
        epochs = np.arange(1, values.shape[-1] + 1)
        centre = np.median(values, axis=0) if values.ndim == 2 else values
        (line,) = ax.plot(epochs, centre, color=colour, label=label or None, **line_options)
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


def hidden_layer_heatmaps(network: Network, X: np.ndarray) -> plt.Figure:
    """The first hidden layer's activations for the inputs ``X``, and the weights into and out of that layer.

    Weights use a diverging colour scale centred on 0; the activations span the activation's output range.
    """
    parameters = network.parameters()
    incoming, outgoing = parameters["W1"], parameters["W2"]
    hidden = [f"h{unit + 1}" for unit in range(incoming.shape[1])]
    widths = [len(hidden), len(hidden), outgoing.shape[1]]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4), gridspec_kw={"width_ratios": widths}, layout="constrained")
    low, high = ACTIVATIONS[network.activation].output_range
    annotated_heatmap(
        axes[0],
        network.hidden_activations(X),
        vmin=low,
        vmax=high,
        xticklabels=hidden,
        yticklabels=[f"input {sample}" for sample in range(len(X))],
    )
    axes[0].set_title("hidden activations $a_1$")
    outputs = [f"out {unit}" for unit in range(outgoing.shape[1])]
    for ax, weights, columns, rows in ((axes[1], incoming, hidden, None), (axes[2], outgoing, outputs, hidden)):
        limit = float(np.abs(weights).max())
        heatmap_options = {"fmt": ".1f", "cmap": "RdBu_r", "vmin": -limit, "vmax": limit}
        annotated_heatmap(ax, weights, xticklabels=columns, yticklabels=rows, **heatmap_options)
    axes[1].set_title("$W_1$ (input → hidden)")
    axes[2].set_title("$W_2$ (hidden → output)")
    return fig


def learning_rate_figure(
    study: Sweep, summary: pd.DataFrame, curve_rates: Sequence[float] | None = None, max_curves: int = 8
) -> plt.Figure:
    """A learning-rate sweep: loss curves per rate (median and 10-90 % band over seeds), and a box plot with every
    network's epochs to 100 % accuracy.

    ``summary`` is :func:`~coursework.backprop.studies.summarise` of the sweep by ``learning_rate``: its order is the
    rates' order, and rates flagged ``round_off_sensitive`` (a sweep with ``nudge``) get a ``*`` on the axis. The
    loss panel draws ``curve_rates`` (default: at most ``max_curves`` of the rates, spread evenly over the list) in
    colours that are easy to tell apart; the box panel shows every rate. The points' jitter is seeded, so the figure
    repeats.
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
    curves = {f"{rate:g}": study.history.loss[rows[rate]] for rate in curve_rates}
    # tab10 without its grey, which the reference line would otherwise share with a curve
    colours = [colour for index, colour in enumerate(distinct_colours(max(10, len(curves) + 1))) if index != 7]
    epoch_curves(ax_curve, curves, colours=colours[: len(curves)])
    ax_curve.axhline(REFERENCE_LOSS, color="k", ls=":", lw=1.5, label=f"reference loss {REFERENCE_LOSS}")
    ax_curve.set(xscale="log", yscale="log", xlabel="epoch", ylabel="MSE loss")
    ax_curve.set_title(f"Loss: median and 10-90 % band over {seeds} seeds")
    ax_curve.legend(title="learning rate", ncol=2, fontsize=8, loc="lower left")

    solved = [study.table.epochs_to_100[rows[rate]].dropna().to_numpy() for rate in rates]
    drawn = [position for position, epochs in enumerate(solved) if epochs.size]
    if drawn:  # a short exploratory run may solve nothing: then the panel stays empty
        ax_box.boxplot(
            [solved[position] for position in drawn],
            positions=drawn,
            widths=0.6,
            showfliers=False,
            patch_artist=True,
            boxprops={"facecolor": "lightsteelblue"},
            medianprops={"color": "k"},
        )
    jitter = np.random.default_rng(0)
    for position in drawn:
        offsets = jitter.uniform(-0.15, 0.15, solved[position].size)
        ax_box.scatter(position + offsets, solved[position], s=9, color="k", zorder=3)
    ax_box.set(yscale="log", xlabel="learning rate", ylabel="epochs to 100 % accuracy")
    ax_box.set_title("Epochs to 100 % accuracy (networks that got there; * chaotic)")
    chaotic = summary.get("round_off_sensitive", pd.Series(False, index=summary.index))
    ticks = [f"{rate:g}{'*' if chaotic[rate] else ''}" for rate in rates]
    ax_box.set_xticks(range(len(rates)), ticks, rotation=45)
    ax_box.set_xlim(-0.5, len(rates) - 0.5)
    return fig


def tie_breaking_figure(ties: TieBreaking, title: str) -> plt.Figure:
    """A tie-breaking study over epochs: how far apart the hidden units are (log scale, where they differ at all) and
    the loss, one colour per initial asymmetry."""
    asymmetries = ties.table.asymmetry.to_list()
    labels = [f"{asymmetry:.0e}" if asymmetry else "0 (exact tie; round-off only)" for asymmetry in asymmetries]
    labels = [
        label + (": stays 0.0 (not drawn left)" if asymmetry == 0 and not spread.any() else "")
        for label, asymmetry, spread in zip(labels, asymmetries, ties.spread)
    ]
    colours = distinct_colours(len(asymmetries))
    fig, (ax_spread, ax_loss) = plt.subplots(1, 2, figsize=(13, 4.2), layout="constrained")
    spreads = {label: np.where(spread > 0, spread, np.nan) for label, spread in zip(labels, ties.spread)}
    epoch_curves(ax_spread, spreads, colours=colours)
    ax_spread.axhline(TIE_BROKEN, color="grey", ls="--", label=f"tie broken ({TIE_BROKEN:g})")
    ax_spread.set(yscale="log", xlabel="epoch", ylabel="largest difference between hidden units")
    ax_spread.set_title("How far apart the hidden units are")
    ax_spread.legend(title="initial bias asymmetry", fontsize=8, loc="lower right")
    epoch_curves(ax_loss, dict(zip(labels, ties.history.loss)), colours=colours)
    ax_loss.set(yscale="log", xlabel="epoch", ylabel="MSE loss", title="Loss")
    fig.suptitle(title)
    return fig


# --- notebook 02: autoencoders and colorizers ----------------------------------------------------------------------


def loss_curves(
    histories: Mapping[str, Mapping[str, ArrayLike]],
    ylabel: str | Sequence[str] = "loss",
    yscale: str | Sequence[str] = "linear",
    panel_size: tuple[float, float] = (5.5, 3.8),
    max_columns: int = 3,
) -> plt.Figure:
    """Training and validation loss per epoch of Keras histories (panel title -> ``history``), one panel each, in
    rows of at most ``max_columns`` panels.

    Each history needs ``"loss"`` and ``"val_loss"``; ``ylabel`` and ``yscale`` as for :func:`training_curves`.
    """
    panels = {name: {"training": h["loss"], "validation": h["val_loss"]} for name, h in histories.items()}
    return training_curves(
        panels, ylabel=ylabel, yscale=yscale, marker="o", panel_size=panel_size, max_columns=max_columns
    )


def direct_labels(
    ax: plt.Axes,
    points: Sequence[tuple[float, float]],
    texts: Sequence[str],
    colours: Sequence | None = None,
    fontsize: float = 7,
    marker_size: float = 9,
    obstacles: Sequence[tuple[float, float]] = (),
) -> list:
    """Label each of ``points`` (data coordinates) with its text where the label overlaps no other label, no point
    and none of the ``obstacles`` (other markers drawn, in data coordinates): the first free place among a few around
    the point (the further ones with a thin leader line), else the least crowded. Call it once the axes' limits are
    final; the labels stay out of the figure's layout."""
    fig = ax.figure
    fig.canvas.draw()  # fixes the layout and limits, so that display coordinates hold
    renderer = fig.canvas.get_renderer()
    colours = list(colours) if colours is not None else ["black"] * len(texts)
    scale = fig.dpi / 72
    half = marker_size / 2 * scale
    centres = ax.transData.transform(np.asarray(points, dtype=float).reshape(-1, 2))
    markers = [mpl.transforms.Bbox.from_extents(x - half, y - half, x + half, y + half) for x, y in centres]
    others_drawn = ax.transData.transform(np.asarray(obstacles, dtype=float).reshape(-1, 2))
    blocked = [mpl.transforms.Bbox.from_extents(x - half, y - half, x + half, y + half) for x, y in others_drawn]
    frame = ax.get_window_extent(renderer)
    near = [(5, 3, "left", "bottom"), (5, -3, "left", "top"), (-5, 3, "right", "bottom"), (-5, -3, "right", "top")]
    near += [(8, 0, "left", "center"), (-8, 0, "right", "center"), (0, 8, "center", "bottom"), (0, -8, "center", "top")]
    far = [
        (dx * sx, dy * sy, "left" if sx > 0 else "right", "bottom" if sy > 0 else "top")
        for dx, dy in ((10, 14), (22, 8), (14, 26), (30, 18))
        for sx in (1, -1)
        for sy in (1, -1)
    ]

    def overlap(box: mpl.transforms.Bbox, others: list) -> float:
        area = 0.0
        for other in others:
            width = min(box.x1, other.x1) - max(box.x0, other.x0)
            height = min(box.y1, other.y1) - max(box.y0, other.y0)
            area += max(width, 0) * max(height, 0)
        outside = box.width * box.height - max(min(box.x1, frame.x1) - max(box.x0, frame.x0), 0) * max(
            min(box.y1, frame.y1) - max(box.y0, frame.y0), 0
        )
        return area + outside

    placed, labels = [], []
    for index, ((x, y), text, colour) in enumerate(zip(points, texts, colours)):
        best = None
        others = placed + markers[:index] + markers[index + 1 :] + blocked
        for dx, dy, ha, va in near + far:
            label = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                color=colour,
            )
            box = label.get_window_extent(renderer).expanded(1.04, 1.1)
            cost = overlap(box, others)
            label.remove()
            if best is None or cost < best[0]:
                best = (cost, dx, dy, ha, va, box)
            if cost == 0:
                break
        _, dx, dy, ha, va, box = best
        leader = {"arrowstyle": "-", "color": colour, "lw": 0.5, "shrinkA": 0, "shrinkB": 3}
        label = ax.annotate(
            text,
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=fontsize,
            color=colour,
            arrowprops=leader if (dx, dy, ha, va) in far else None,
        )
        label.set_in_layout(False)
        placed.append(box)
        labels.append(label)
    return labels


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


def bar_panels(
    panels: Mapping[str, pd.DataFrame],
    ylabel: str | Sequence[str],
    panel_size: tuple[float, float] = (7.0, 4.0),
    yscale: str = "linear",
    legend: str = "above",
) -> plt.Figure:
    """Grouped bar charts side by side, one per entry of ``panels`` (title -> table): a group per row of the table
    (its index on the x axis), a bar per column. ``ylabel`` is one for every panel or one per panel; ``legend``
    "above" puts each legend between its panel and its title, where it hides no bar ("inside": matplotlib's best
    place)."""
    ylabels = [ylabel] * len(panels) if isinstance(ylabel, str) else list(ylabel)
    if len(ylabels) != len(panels):
        raise ValueError(f"ylabel needs one value or one per panel ({len(panels)})")
    width, height = panel_size
    fig, axes = plt.subplots(1, len(panels), figsize=(width * len(panels), height), squeeze=False)
    for ax, (title, table), label in zip(axes[0], panels.items(), ylabels):
        table.plot.bar(ax=ax)
        ax.set(ylabel=label, xlabel="", yscale=yscale)
        ax.tick_params(axis="x", labelrotation=45)
        plt.setp(ax.get_xticklabels(), ha="right", rotation_mode="anchor")
        if legend == "above":
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(len(table.columns), 3), frameon=False)
            ax.set_title(title, pad=24)
        else:
            ax.set_title(title)
    fig.tight_layout()
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
    group_styles = dict(zip(used_groups, ("0.35", "0.6", "0.8")))
    points, texts, colours = [], [], []
    for index, name in enumerate(single):
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
    for label in used_groups:
        colour = group_styles.get(label, "0.5")
        rows = table[table.model.isin(groups[label])]
        for _, model_rows in rows.groupby("model", sort=False):
            if model_rows.temperature.notna().any():
                ax.plot(model_rows.vs_mean_chroma, model_rows.vs_truth, marker="o", ms=3, color=colour, lw=1)
        flat = rows[rows.temperature.isna()]
        ax.scatter(flat.vs_mean_chroma, flat.vs_truth, marker="s", s=22, color=colour, zorder=3)
        ax.plot([], [], marker="s", ls="", color=colour, label=label)
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
    if points:
        direct_labels(ax, points, texts, colours=colours, obstacles=list(zip(table.vs_mean_chroma, table.vs_truth)))
    return fig
