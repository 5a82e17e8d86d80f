"""The facts notebook 02's answers state, computed from the evaluation tables and returned as data.

The sentences live beside the notebook (``notebooks/answers_02.py``); everything they say is here, tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursework.evaluation.colour import COLOUR_TARGETS, meets_targets
from coursework.evaluation.latent import LatentSweep


def architecture_facts(
    stride_table: pd.DataFrame, study_table: pd.DataFrame, best: str, correlation: float, sweeps: dict[int, LatentSweep]
) -> dict:
    """Ex. 1-2: the base model, each single change's validation MSE relative to ``study_base``, the chosen model
    (``best``, on validation), the descriptive correlation and the controlled sweeps' (latent side -> sweep)."""
    base_val = study_table.best_val_mse["study_base"]
    single = study_table[study_table.changes == "one"]
    narrow = sweeps[min(sweeps)]
    return {
        "base": stride_table.loc["cae_base"],
        "variants": len(study_table.drop(index=["study_base"], errors="ignore")),
        "compound": int((study_table.changes == "compound").sum()),
        "effects": (single.best_val_mse / base_val).sort_values(),
        "compound_effects": study_table.best_val_mse[study_table.changes == "compound"] / base_val,
        "best": study_table.loc[best],
        "best_name": best,
        "correlation": correlation,
        "sweeps": {
            side: (len(sweep.table), int(sweep.table.seeds.min()), sweep.correlation) for side, sweep in sweeps.items()
        },
        "monotonic": bool((np.diff(narrow.table.median_val_mse.to_numpy()) < 0).all()),
    }


def colour_facts(colour: pd.DataFrame, tradeoff: pd.DataFrame, chosen: pd.Series, confirmed: pd.DataFrame) -> dict:
    """Ex. 3: the first models' results on the test split (``colour``: a colour table), the closest of them, which
    meet the chroma-MSE target; over every setting on validation (``tradeoff``) the closest and how many meet both
    targets; the default chosen by the declared criterion and its held-out confirmation."""
    models = colour.drop(index=["no colour", "mean chroma"])
    return {
        "colour": colour,
        "closest_first": models.vs_mean_chroma.idxmin(),
        "reached": models.index[models.vs_mean_chroma <= COLOUR_TARGETS["vs_mean_chroma"]].tolist(),
        "closest_setting": tradeoff.loc[tradeoff.vs_mean_chroma.idxmin()],
        "settings_meeting": int(meets_targets(tradeoff).sum()),
        "chosen": chosen,
        "confirmed": confirmed,
        "confirmed_meeting": int(meets_targets(confirmed).sum()),
        "targets": COLOUR_TARGETS,
    }
