"""Notebook 02's one rule for "a difference", and the tables of verdicts it prints with it.

The rule: two configurations differ when each was trained with at least ``MIN_SEEDS`` seeds and their seed ranges
(lowest to highest value over the seeds) are apart by more than a rerun could move them: moving every value by a
factor the caller measures (``rerun``, notebook 02: the largest change of one run's result when it was trained
again), the lower range's values up and the higher range's down, on each side that can change, must not close the
gap. Otherwise the difference is "not detected": the change does no more than another seed or a rerun alone does. In
:func:`seed_table` only the sides with a run trained by the older pipeline can change (today's repeats exactly).
The notebook prints each verdict in the cell above the sentence that states it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from math import comb
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coursework.color import mean_chroma
from coursework.evaluation.color import COLOR_TARGETS, color_metrics
from coursework.experiments import configurations, experiment
from coursework.store import older_pipeline

if TYPE_CHECKING:
    from coursework.evaluation.latent import LatentSweep

MIN_SEEDS = 3


def ranges_apart(first: Sequence[float], second: Sequence[float]) -> bool:
    """Whether the ranges (lowest to highest) of two sets of values do not overlap. A ValueError for a value that
    is not finite."""
    if not np.all(np.isfinite([*first, *second])):
        raise ValueError(f"values must be finite numbers, got {list(first)} and {list(second)}")
    return max(first) < min(second) or max(second) < min(first)


def chance_of_difference(seeds: int = MIN_SEEDS) -> float:
    """The rule's false-positive rate: the chance that two configurations that do not truly differ, ``seeds`` seeds
    each (all values from one distribution, no ties), still have ranges apart. Of the C(2n, n) equally likely ways
    to split the 2n sorted values between them, only 2 put all of one side below the other."""
    return 2 / comb(2 * seeds, seeds)


def gap(values: Sequence[float], base: Sequence[float]) -> float:
    """The higher seed range's lowest value over the lower range's highest, minus 1 (0 or below when they
    overlap)."""
    low, high = sorted((values, base), key=np.mean)
    return min(high) / max(low) - 1


def verdict(values: Sequence[float], base: Sequence[float], *, rerun: float, sides: int = 2) -> str:
    """``values`` against ``base`` (one value per seed each) by the rule: "lower" or "higher" when the seed ranges
    are apart and values moved by a factor ``1 + rerun`` on ``sides`` sides (the lower range up, the higher one
    down) could not close the gap, i.e. :func:`gap` is at least ``(1 + rerun)^sides - 1``; else "not detected".
    A ValueError with fewer than ``MIN_SEEDS`` seeds on either side: no verdict is drawn from fewer."""
    if min(len(values), len(base)) < MIN_SEEDS:
        raise ValueError(f"a verdict needs >= {MIN_SEEDS} seeds on each side, got {len(values)} and {len(base)}")
    if not ranges_apart(values, base) or gap(values, base) < (1 + rerun) ** sides - 1:
        return "not detected"
    return "lower" if max(values) < min(base) else "higher"


def bootstrap_interval(values: np.ndarray, reference: np.ndarray | None = None, draws: int = 2_000) -> np.ndarray:
    """A 95 % bootstrap interval over images (seeded) for the mean of per-image ``values``, or for the ratio of
    their mean to the mean of per-image ``reference`` on the same images."""
    values = np.asarray(values, dtype=float)
    reference = np.ones_like(values) if reference is None else np.asarray(reference, dtype=float)
    if values.shape != reference.shape or values.ndim != 1 or len(values) < 2:
        raise ValueError(f"need two equal 1-d arrays of >= 2 images, got {values.shape} and {reference.shape}")
    rows = np.random.default_rng(0).integers(0, len(values), (draws, len(values)))
    return np.percentile(values[rows].mean(axis=1) / reference[rows].mean(axis=1), [2.5, 97.5])


def against_target(interval: Sequence[float], target: float, at_most: bool) -> str:
    """A target (a value to stay at or below when ``at_most``, else at or above) against a 95 % interval: "met"
    or "missed" when the whole interval is on one side, "not decided" when the interval contains the target."""
    low, high = interval
    if low <= target <= high:
        return "not decided"
    return "met" if (high < target) == at_most else "missed"


def seed_table(values: pd.Series, bases: Mapping[str, str] | None = None, *, rerun: float) -> pd.DataFrame:
    """One row per configuration in ``values`` (a value per experiment, indexed by name), named after its first
    seed: ``seeds``, ``mean``, ``lowest``, ``highest``. With ``bases`` (configuration -> the configuration it is
    compared with; default: each one's registered base, where that is in ``values`` too): ``vs_base``, the ratio
    of the means, and ``verdict`` by the rule ("base" for a row compared with nothing; ``rerun`` as in
    :func:`verdict`, counting only the sides with a run of the older pipeline: today's repeats exactly)."""
    groups = configurations(list(values.index))
    table = pd.DataFrame(
        {
            first: {
                "seeds": len(members),
                "mean": values[members].mean(),
                "lowest": values[members].min(),
                "highest": values[members].max(),
            }
            for first, members in groups.items()
        }
    ).T.astype({"seeds": int})
    if bases is None:
        bases = {name: experiment(name).base for name in groups if experiment(name).base in groups}
    ratios, verdicts = {}, {}
    for name, members in groups.items():
        base = bases.get(name)
        if base is None:
            ratios[name], verdicts[name] = 1.0, "base"
            continue
        ratios[name] = table.loc[name, "mean"] / table.loc[base, "mean"]
        sides = older_sides(map(older_pipeline, members), map(older_pipeline, groups[base]))
        verdicts[name] = verdict(values[members].tolist(), values[groups[base]].tolist(), rerun=rerun, sides=sides)
    return table.assign(vs_base=pd.Series(ratios), verdict=pd.Series(verdicts))


def step_verdicts(runs: pd.DataFrame, by: str, value: str, *, rerun: float) -> pd.Series:
    """For ``runs`` (one row per model, ``older`` marking the older pipeline's) grouped by ``by`` in increasing
    order: each group's ``value`` against the previous group's, by the rule (the first group: "-"; ``rerun`` as in
    :func:`verdict`, on the sides with an older run)."""
    groups = [group for _, group in runs.groupby(by, sort=True)]
    verdicts = [
        verdict(now[value].tolist(), before[value].tolist(), rerun=rerun, sides=older_sides(before.older, now.older))
        for before, now in zip(groups[:-1], groups[1:])
    ]
    return pd.Series(["-", *verdicts], index=sorted(runs[by].unique()))


def older_sides(*sides: Iterable[bool]) -> int:
    """How many of the ``sides`` of a comparison (each: whether each of its runs is the older pipeline's) hold an
    older run: the sides :func:`verdict` lets move by the rerun allowance."""
    return sum(any(side) for side in sides)


def color_targets(chroma: np.ndarray, images: np.ndarray, x_train: np.ndarray) -> pd.DataFrame:
    """A colorizer's predicted ``chroma`` on uint8 ``images`` against ``COLOR_TARGETS``, one row per target (in words):
    the ratio (chroma MSE to the mean-chroma baseline's; colourfulness to the truth's, both a ratio of means over
    the images), its 95 % bootstrap interval over the images, the target and the ``result``
    (:func:`against_target`)."""
    baseline = np.broadcast_to(mean_chroma(x_train), chroma.shape)
    ours, flat = color_metrics(chroma, images), color_metrics(baseline, images)
    pairs = {
        "chroma MSE ratio to baseline": (ours["chroma_mse"], flat["chroma_mse"], "vs_mean_chroma", True),
        "colourfulness ratio": (ours["colourfulness"], ours["true_colourfulness"], "vs_truth", False),
    }
    rows = {}
    for name, (values, reference, target, at_most) in pairs.items():
        interval = bootstrap_interval(values, reference)
        rows[name] = {
            "ratio": values.mean() / reference.mean(),
            "low": interval[0],
            "high": interval[1],
            "target": f"{'at most' if at_most else 'at least'} {COLOR_TARGETS[target]:.2f}x",
            "result": against_target(interval, COLOR_TARGETS[target], at_most),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def equal_size(sweeps: Mapping[int, LatentSweep], *, rerun: float) -> pd.DataFrame:
    """The latent sweep's two layouts (side -> :class:`LatentSweep`) at each latent size both have: the wider
    layout's mean best validation MSE over the deeper one's (``ratio``), the verdict by the rule (``rerun`` as in
    :func:`step_verdicts`), and the two models' parameters."""
    (deep_side, deep), (wide_side, wide) = sorted(sweeps.items())
    rows = {}
    for size in sorted(set(deep.runs.latent_values) & set(wide.runs.latent_values)):
        wider, deeper = wide.runs[wide.runs.latent_values == size], deep.runs[deep.runs.latent_values == size]
        channels = wider.channels.iloc[0], deeper.channels.iloc[0]
        pair = f"{wide_side}x{wide_side}x{channels[0]} against {deep_side}x{deep_side}x{channels[1]}"
        rows[pair] = {
            "latent_values": size,
            "ratio": wider.best_val_mse.mean() / deeper.best_val_mse.mean(),
            "verdict": verdict(
                wider.best_val_mse.tolist(),
                deeper.best_val_mse.tolist(),
                rerun=rerun,
                sides=older_sides(wider.older, deeper.older),
            ),
            "params": f"{wider.parameters.iloc[0]:,} against {deeper.parameters.iloc[0]:,}",
        }
    return pd.DataFrame.from_dict(rows, orient="index")
