"""Latent size against reconstruction error: the sweep's results, from the committed models."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from coursework.checks import is_whole
from coursework.evaluation import training_record
from coursework.experiments import SEEDS, SWEEP_CHANNELS, latent_sweep_name
from coursework.experiments.runs import load
from coursework.store import older_pipeline


class LatentSweep(NamedTuple):
    """One arm of the latent-size sweep (``side`` x ``side`` x C, three seeds), from histories."""

    runs: pd.DataFrame  # one row per model: channels, seed, latent values, parameters, best_val_mse, at_cap, older
    table: pd.DataFrame  # one row per channel count: latent values, mean, min and max over the seeds, parameters


def latent_sweep(side: int = 8) -> LatentSweep:
    """The sweep's results at ``side`` x ``side`` x C: each model's best validation MSE (the weights early stopping
    kept) and ``at_cap``, whether it was still improving at its last allowed epoch; per channel count the mean
    and range over seeds."""
    if not is_whole(side) or side not in SWEEP_CHANNELS:
        raise ValueError(f"the sweep has latent sides {sorted(SWEEP_CHANNELS)}, not {side!r}")
    rows = []
    for channels in SWEEP_CHANNELS[side]:
        for seed in SEEDS:
            name = latent_sweep_name(channels, seed, side)
            trained = load(name)
            record = training_record(trained.history, trained.config.epochs)
            rows.append(
                {
                    "channels": channels,
                    "seed": seed,
                    "latent_values": side * side * channels,
                    "parameters": trained.model.count_params(),
                    "best_val_mse": record["best_val"],
                    "at_cap": record["best_epoch"] == record["cap"],
                    "older": older_pipeline(name),
                }
            )
    return summarise_latent_sweep(pd.DataFrame(rows))


def summarise_latent_sweep(runs: pd.DataFrame) -> LatentSweep:
    """Per channel count the mean and range of the runs' best validation MSE."""
    by_size = runs.groupby("channels")
    errors = by_size.best_val_mse
    table = pd.DataFrame(
        {"latent_values": by_size.latent_values.first(), "mean_val_mse": errors.mean()}
        | {"min_val_mse": errors.min(), "max_val_mse": errors.max()}
        | ({"parameters": by_size.parameters.first()} if "parameters" in runs else {})
        | ({"at_cap": by_size.at_cap.sum()} if "at_cap" in runs else {})
    )
    return LatentSweep(runs, table)
