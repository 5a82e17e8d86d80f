"""Notebook 02's one rule for "a difference", and the tables of verdicts it prints with it.

The rule: two configurations differ when each was trained with at least ``MIN_SEEDS`` seeds and their seed ranges
(lowest to highest value over the seeds) do not overlap. Overlapping ranges are "no difference": the change does
no more than another seed alone does. The notebook prints each verdict in the cell above the sentence that states it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import comb

import numpy as np
import pandas as pd

from coursework.experiments import configurations, experiment

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


def verdict(values: Sequence[float], base: Sequence[float]) -> str:
    """``values`` against ``base`` (one value per seed each) by the rule: "lower", "higher" or "no difference".
    A ValueError with fewer than ``MIN_SEEDS`` seeds on either side: no verdict is drawn from fewer."""
    if min(len(values), len(base)) < MIN_SEEDS:
        raise ValueError(f"a verdict needs >= {MIN_SEEDS} seeds on each side, got {len(values)} and {len(base)}")
    if not ranges_apart(values, base):
        return "no difference"
    return "lower" if max(values) < min(base) else "higher"


def seed_table(values: pd.Series, bases: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per configuration in ``values`` (a value per experiment, indexed by name), named after its first
    seed: ``seeds``, ``mean``, ``lowest``, ``highest``. With ``bases`` (configuration -> the configuration it is
    compared with; default: each one's registered base, where that is in ``values`` too): ``vs_base``, the ratio
    of the means, and ``verdict`` by the rule ("base" for a row compared with nothing)."""
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
        verdicts[name] = verdict(values[members].tolist(), values[groups[base]].tolist())
    return table.assign(vs_base=pd.Series(ratios), verdict=pd.Series(verdicts))


def step_verdicts(runs: pd.DataFrame, by: str, value: str) -> pd.Series:
    """For ``runs`` (one row per model) grouped by ``by`` in increasing order: each group's ``value`` against the
    previous group's, by the rule (the first group: "-")."""
    groups = [group[value].tolist() for _, group in runs.sort_values(by).groupby(by, sort=True)]
    keys = sorted(runs[by].unique())
    return pd.Series(["-"] + [verdict(now, before) for before, now in zip(groups[:-1], groups[1:])], index=keys)
