"""Latent size against reconstruction error: the controlled sweep's results and the facts its verdict rests on."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from coursework._tensorflow import keras
from coursework.checks import is_whole
from coursework.data import CifarSplit
from coursework.evaluation import best_validation
from coursework.experiments import latent_sweep_name, load
from coursework.experiments.registry import SEEDS as LATENT_SEEDS
from coursework.experiments.registry import SWEEP_CHANNELS
from coursework.images import as_float
from coursework.training import call_in_batches

OUTLIER = 0.25  # a seed this far (relative) from its size's median is reported on its own, not as spread


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
    """One arm of the controlled latent-size sweep (``side`` x ``side`` x C, three seeds), from histories."""

    runs: pd.DataFrame  # one row per model: channels, seed, latent values, best validation MSE, epochs, dead channels
    table: pd.DataFrame  # one row per channel count: latent values, median, min and max over the seeds
    correlation: float  # Pearson r of log latent values and log median validation MSE


def latent_sweep(data: CifarSplit, side: int = 8, probe_images: int = 1000) -> LatentSweep:
    """The sweep's results at ``side`` x ``side`` x C: each model's best validation MSE (the weights early stopping
    kept) and its dead latent channels (zero at every position of the first ``probe_images`` validation images),
    per channel count the median and range over seeds, and the log-log correlation."""
    if not is_whole(side) or side not in SWEEP_CHANNELS:
        raise ValueError(f"the sweep has latent sides {sorted(SWEEP_CHANNELS)}, not {side!r}")
    probe = data.x_val[:probe_images]
    rows = []
    for channels in SWEEP_CHANNELS[side]:
        for seed in LATENT_SEEDS:
            trained = load(latent_sweep_name(channels, seed, side))
            validation = trained.history["val_loss"]
            rows.append(
                {
                    "channels": channels,
                    "seed": seed,
                    "latent_values": side * side * channels,
                    "parameters": trained.model.count_params(),
                    "best_val_mse": best_validation(trained.history)[0],
                    "epochs": len(validation),
                    "dead_channels": dead_latent_channels(trained.model, probe),
                }
            )
    return summarise_latent_sweep(pd.DataFrame(rows))


def dead_latent_channels(model: keras.Model, images: np.ndarray) -> int:
    """How many latent channels (ReLU outputs of the last encoder convolution) are 0 for every position of every
    one of the uint8 ``images``: channels that carry nothing, so the model's real bottleneck is smaller."""
    convolutions = [layer for layer in model.layers if layer.name.startswith("encoder_conv")]
    encoder = keras.Model(model.input, convolutions[-1].output)
    latent = call_in_batches(encoder, as_float(images))
    return int(np.sum(latent.max(axis=(0, 1, 2)) <= 0))


def summarise_latent_sweep(runs: pd.DataFrame) -> LatentSweep:
    """Per channel count the median and range of the runs' best validation MSE, and the log-log correlation."""
    by_size = runs.groupby("channels")
    errors = by_size.best_val_mse
    table = pd.DataFrame(
        {"latent_values": by_size.latent_values.first(), "median_val_mse": errors.median()}
        | {"min_val_mse": errors.min(), "max_val_mse": errors.max(), "seeds": by_size.seed.count()}
        | {"max_epochs": by_size.epochs.max()}
        | ({"parameters": by_size.parameters.first()} if "parameters" in runs else {})
    )
    return LatentSweep(runs, table, log_correlation(table.latent_values, table.median_val_mse))


class SweepFacts(NamedTuple):
    """What the sweep's verdict says, as data: each doubling's relative step of the medians, whether it exceeds the
    agreeing seeds' spread at both its sizes, the seeds far from their median, and the largest agreeing spread."""

    side: int
    steps: np.ndarray  # 1 - median(C) / median(C / 2), one per doubling
    beyond_spread: np.ndarray  # bool per step
    outliers: pd.DataFrame  # rows of ``runs`` more than OUTLIER from their size's median
    spread: float  # the largest relative range of the seeds that agree


def sweep_facts(sweep: LatentSweep) -> SweepFacts:
    """The numbers behind "is a larger latent a lower error?" for one arm of the sweep."""
    runs, table = sweep.runs, sweep.table
    median = runs.channels.map(table.median_val_mse)
    far = (runs.best_val_mse / median - 1).abs() > OUTLIER
    usual = runs[~far].groupby("channels").best_val_mse
    spread = ((usual.max() - usual.min()) / table.median_val_mse).to_numpy()
    medians = table.median_val_mse.to_numpy()
    steps = 1 - medians[1:] / medians[:-1]
    side = round(np.sqrt(table.latent_values.iloc[0] / table.index[0]))
    return SweepFacts(side, steps, steps > np.maximum(spread[1:], spread[:-1]), runs[far], float(spread.max()))


def layout_comparison(sweeps: dict[int, LatentSweep]) -> pd.DataFrame:
    """The two layouts at the latent sizes both sweeps have: per shared size, each side's channels and median
    validation MSE, and the larger side's median over the smaller's (``ratio``)."""
    if len(sweeps) != 2:
        raise ValueError(f"layout_comparison compares two layouts (latent side -> sweep), got {len(sweeps)}")
    tables = {side: sweep.table.reset_index().set_index("latent_values") for side, sweep in sweeps.items()}
    small, large = sorted(tables)
    shared = tables[small].index.intersection(tables[large].index)
    if shared.empty:
        raise ValueError("the two sweeps share no latent size: nothing to compare like for like")
    return pd.DataFrame(
        {
            f"channels_{small}": tables[small].channels[shared],
            f"median_{small}": tables[small].median_val_mse[shared],
            f"channels_{large}": tables[large].channels[shared],
            f"median_{large}": tables[large].median_val_mse[shared],
            "ratio": tables[large].median_val_mse[shared] / tables[small].median_val_mse[shared],
        }
    )
