"""Latent size against reconstruction error: the sweep's results, from the committed models."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from coursework._tensorflow import keras
from coursework.autoencoders import latent_layer
from coursework.checks import is_whole
from coursework.evaluation import training_record
from coursework.experiments import SEEDS, SWEEP_CHANNELS, latent_sweep_name
from coursework.experiments.runs import load
from coursework.images import as_float
from coursework.training import call_in_batches


def log_correlation(latent_values: pd.Series, errors: pd.Series) -> float:
    """Pearson r of log latent size and log error: the straight-line fit of a log-log plot.

    A ValueError for values that have no logarithm (zero, negative, NaN) or that do not vary (r is undefined).
    """
    values = np.asarray(latent_values, dtype=float), np.asarray(errors, dtype=float)
    for name, array in zip(("latent_values", "errors"), values):
        if len(array) < 2 or not np.all(np.isfinite(array) & (array > 0)):
            raise ValueError(f"{name} must be at least 2 finite values > 0, got {array.tolist()}")
        if np.ptp(array) == 0:
            raise ValueError(f"{name} are all equal ({array[0]}): no correlation can be measured")
    return float(np.corrcoef(np.log(values[0]), np.log(values[1]))[0, 1])


class LatentSweep(NamedTuple):
    """One arm of the latent-size sweep (``side`` x ``side`` x C, three seeds), from histories."""

    runs: pd.DataFrame  # one row per model: channels, seed, latent values, parameters, best_val_mse
    table: pd.DataFrame  # one row per channel count: latent values, median, min and max over the seeds, parameters
    correlation: float  # Pearson r of log latent values and log median validation MSE


def latent_sweep(side: int = 8) -> LatentSweep:
    """The sweep's results at ``side`` x ``side`` x C: each model's best validation MSE (the weights early stopping
    kept) and ``at_cap``, whether it was still improving at its last allowed epoch; per channel count the median
    and range over seeds, and the log-log correlation."""
    if not is_whole(side) or side not in SWEEP_CHANNELS:
        raise ValueError(f"the sweep has latent sides {sorted(SWEEP_CHANNELS)}, not {side!r}")
    rows = []
    for channels in SWEEP_CHANNELS[side]:
        for seed in SEEDS:
            trained = load(latent_sweep_name(channels, seed, side))
            record = training_record(trained.history, trained.config.epochs)
            rows.append(
                {
                    "channels": channels,
                    "seed": seed,
                    "latent_values": side * side * channels,
                    "parameters": trained.model.count_params(),
                    "best_val_mse": record["best_val"],
                    "at_cap": record["best_epoch"] == record["cap"],
                }
            )
    return summarise_latent_sweep(pd.DataFrame(rows))


def summarise_latent_sweep(runs: pd.DataFrame) -> LatentSweep:
    """Per channel count the median and range of the runs' best validation MSE, and the log-log correlation."""
    by_size = runs.groupby("channels")
    errors = by_size.best_val_mse
    table = pd.DataFrame(
        {"latent_values": by_size.latent_values.first(), "median_val_mse": errors.median()}
        | {"min_val_mse": errors.min(), "max_val_mse": errors.max()}
        | ({"parameters": by_size.parameters.first()} if "parameters" in runs else {})
        | ({"at_cap": by_size.at_cap.sum()} if "at_cap" in runs else {})
    )
    return LatentSweep(runs, table, log_correlation(table.latent_values, table.median_val_mse))


def channel_activity(model: keras.Model, images: np.ndarray) -> pd.DataFrame:
    """Per latent channel: ``active``, the share of positions (over ``images``, uint8) where the encoder's output
    is positive (past its ReLU), and ``on_border``, the share of those positive positions that lie on the latent's
    edge rows and columns (NaN for a channel never positive). Zero ("same") padding lets a channel see where the
    image ends, so a channel can be positive only along the border."""
    encoder = keras.Model(model.input, latent_layer(model).output)
    counts = np.sum(call_in_batches(encoder, as_float(images)) > 0, axis=0)  # (height, width, channels)
    border = np.ones(counts.shape[:2], dtype=bool)
    border[1:-1, 1:-1] = False
    total = counts.sum(axis=(0, 1)).astype(float)
    on_border = np.divide(counts[border].sum(axis=0), total, out=np.full_like(total, np.nan), where=total > 0)
    return pd.DataFrame({"active": total / (len(images) * border.size), "on_border": on_border})


def without_content(model: keras.Model, images: np.ndarray, channels: list[int]) -> float:
    """The MSE ratio on uint8 ``images`` when the given latent ``channels`` are replaced by their per-position mean
    over the images: where a channel is on stays, what it says about each image goes."""
    latent = latent_layer(model)
    after = [layer.name for layer in model.layers].index(latent.name) + 1
    decoder_input = keras.Input(latent.output.shape[1:])
    output = decoder_input
    for layer in model.layers[after:]:
        output = layer(output)
    decoder = keras.Model(decoder_input, output)
    pixels = as_float(images)
    codes = call_in_batches(keras.Model(model.input, latent.output), pixels)
    before = np.mean((call_in_batches(decoder, codes) - pixels) ** 2)
    codes[..., channels] = codes[..., channels].mean(axis=0)
    return float(np.mean((call_in_batches(decoder, codes) - pixels) ** 2) / before)


def sparse_channels(side: int, images: np.ndarray, below: float = 0.25) -> pd.DataFrame:
    """For each model of the sweep at ``side`` x ``side`` x C (one row per channel count and seed): ``flagged``,
    its latent channels positive at under ``below`` of the positions of ``images``; ``never_on``, those never
    positive; ``on_border``, the share of the flagged channels' positive positions on the latent's edge rows and
    columns; ``border_positions``, the share of all positions that lie there; ``positions``, the flagged channels'
    positive positions per image (mean over those ever positive, NaN if none; one edge row holds ``side``);
    ``flagged_ratio``, the MSE ratio of
    :func:`without_content` for the flagged channels that are ever positive, and ``other_ratio`` for as many of the
    other channels, the lowest-numbered (NaN where there are none, or too few others)."""
    rows = []
    for channels in SWEEP_CHANNELS[side]:
        for seed in SEEDS:
            model = load(latent_sweep_name(channels, seed, side)).model
            activity = channel_activity(model, images)
            flagged = activity[activity.active < below]
            weights = flagged.active.to_numpy()  # a channel's positive positions are in proportion to it
            live = flagged.index[weights > 0].tolist()
            others = activity.index[activity.active >= below].tolist()[: len(live)]
            enough = 0 < len(live) == len(others)
            rows.append(
                {
                    "channels": channels,
                    "seed": seed,
                    "flagged": len(flagged),
                    "never_on": int(np.sum(weights == 0)),
                    "on_border": np.average(flagged.on_border.fillna(0), weights=weights) if weights.sum() else np.nan,
                    "border_positions": (4 * side - 4) / side**2,
                    "positions": flagged.active[live].mean() * np.prod(latent_layer(model).output.shape[1:3]),
                    "flagged_ratio": without_content(model, images, live) if live else np.nan,
                    "other_ratio": without_content(model, images, others) if enough else np.nan,
                }
            )
    return pd.DataFrame(rows)


def edge_summary(sparse: pd.DataFrame) -> pd.DataFrame:
    """:func:`sparse_channels`'s rows as text, one row per channel count: the flagged channels per seed, those never
    positive, the lowest share of the flagged channels' positive positions on the edge, their positive positions
    per image, and the range over the seeds of the two MSE ratios ("-": nothing flagged)."""

    def span(values: pd.Series, digits: int, unit: str = "") -> str:
        values = values.dropna()
        low, high = (f"{value:.{digits}f}{unit}" for value in (values.min(), values.max()))
        return "-" if values.empty else low if low == high else f"{low} to {high}"

    groups = sparse.groupby("channels")
    return pd.DataFrame(
        {
            "flagged": groups.flagged.agg(lambda counts: ", ".join(map(str, counts))),
            "never positive": groups.never_on.sum(),
            "on edge": groups.on_border.min().map(lambda share: "-" if pd.isna(share) else f"{share:.0%}"),
            "positions": groups.positions.agg(span, 1),
            "MSE ratio": groups.flagged_ratio.agg(span, 2, "x"),
            "others": groups.other_ratio.agg(span, 1, "x"),
        }
    )
