"""The facts notebook 02's answers state, computed from the evaluation tables and returned as data: above all the
report's one rule for what counts as a difference (seed ranges apart, with at least ``MIN_SEEDS`` seeds each side).

The sentences live beside the notebook (``notebooks/answers_02.py``); everything they say is here, tested.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from coursework.evaluation.latent import LatentSweep
from coursework.experiments import experiment

# The one rule for what counts as a difference, everywhere in notebook 02: both sides trained with at least
# MIN_SEEDS seeds, and their seed ranges (lowest to highest) do not overlap. Anything else is reported, not a finding.
MIN_SEEDS = 3


def ranges_apart(first: tuple[float, float], second: tuple[float, float]) -> bool:
    """Whether two (lowest, highest) seed ranges do not overlap: by the report's rule, a difference. A ValueError
    for a bound that is not finite (NaN compares as "apart" one way round and not the other)."""
    if not np.all(np.isfinite([*first, *second])):
        raise ValueError(f"seed ranges must be finite numbers, got {first} and {second}")
    (low, high), (other_low, other_high) = sorted(first), sorted(second)
    return high < other_low or other_high < low


def sweep_steps_apart(table: pd.DataFrame) -> np.ndarray:
    """For each doubling of a latent sweep's table (``min_val_mse``, ``max_val_mse`` per channel count, in order):
    whether the seed ranges of its two sizes do not overlap."""
    ranges = list(zip(table.min_val_mse, table.max_val_mse))
    return np.array([ranges_apart(a, b) for a, b in zip(ranges[:-1], ranges[1:])], dtype=bool)


def layouts_apart(sweeps: dict[int, LatentSweep]) -> pd.Series:
    """At each latent size both arms of the sweep have (latent values -> bool): whether their seed ranges do not
    overlap."""
    tables = {side: sweep.table.set_index("latent_values") for side, sweep in sweeps.items()}
    small, large = sorted(tables)
    shared = tables[small].index.intersection(tables[large].index)
    return pd.Series(
        {
            size: ranges_apart(
                (tables[small].min_val_mse[size], tables[small].max_val_mse[size]),
                (tables[large].min_val_mse[size], tables[large].max_val_mse[size]),
            )
            for size in shared
        },
        dtype=bool,
    )


def seed_groups(names: list[str]) -> dict[str, list[str]]:
    """``names`` grouped by their registered config apart from the seed: the first name of each group -> the names
    (its seeds), in the order given."""
    groups: dict = {}
    for name in names:
        groups.setdefault(replace(experiment(name).config, seed=0), []).append(name)
    return {members[0]: members for members in groups.values()}


def seeded_ablation(ablation: pd.DataFrame, chroma_mse: pd.Series, control: str) -> pd.DataFrame:
    """The colorization ablation with its seeds pooled: one row per config (named after its first seed), from
    ``ablation`` (:func:`coursework.evaluation.colour.colour_ablation`, one row per model) and each model's
    ``chroma_mse`` on the same validation images. Columns: ``seeds``; the mean ``chroma_mse`` and its range
    (``lowest``, ``highest``); ``vs_control``, the mean over ``control``'s; the mean ``vs_mean_chroma`` and
    ``vs_truth``; and ``verdict``: "control"; "difference" or "no difference" (both with >= MIN_SEEDS seeds: ranges
    apart or overlapping); or, with fewer seeds, "outside control range" or "inside control range" (reported, not a
    finding)."""
    groups = seed_groups(list(ablation.index))
    if control not in groups:
        raise ValueError(f"the control {control!r} is not the first seed of a config in the ablation")
    values = chroma_mse[ablation.index]
    ratios = ablation[["vs_mean_chroma", "vs_truth"]].to_numpy(dtype=float)
    if not np.all(np.isfinite(values)) or not np.all(np.isfinite(ratios)):
        unmeasured = values.index[~(np.isfinite(values) & np.isfinite(ratios).all(axis=1))].tolist()
        raise ValueError(f"no finite chroma MSE for {unmeasured}: a seed that was not measured cannot count")
    rows = {}
    for first, members in groups.items():
        mse = values[members]
        rows[first] = {
            "seeds": len(members),
            "chroma_mse": mse.mean(),
            "lowest": mse.min(),
            "highest": mse.max(),
            "vs_mean_chroma": ablation.vs_mean_chroma[members].mean(),
            "vs_truth": ablation.vs_truth[members].mean(),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.insert(4, "vs_control", table.chroma_mse / table.chroma_mse[control])
    base = table.loc[control]
    verdicts = {}
    for name, row in table.iterrows():
        apart = ranges_apart((row.lowest, row.highest), (base.lowest, base.highest))
        if name == control:
            verdicts[name] = "control"
        elif row.seeds >= MIN_SEEDS and base.seeds >= MIN_SEEDS:
            verdicts[name] = "difference" if apart else "no difference"
        else:
            verdicts[name] = "outside control range" if apart else "inside control range"
    return table.assign(verdict=pd.Series(verdicts))
