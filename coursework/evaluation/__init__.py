"""Evaluation of trained models: functions of committed models and data that compute numbers; nothing here trains."""

from __future__ import annotations

import math

from coursework.checks import check_whole


def best_validation(history: dict, epochs: int | None = None) -> tuple[float, int]:
    """The lowest validation loss of a training ``history`` (within its first ``epochs``), and its 1-based epoch.

    A ValueError where a loss is not finite: a run that diverged has no best epoch to report (Python's ``min``
    would return a number or NaN depending on where the NaN stands).
    """
    if epochs is not None:
        check_whole(epochs, "epochs", minimum=1)
    losses = list(history.get("val_loss", []))[:epochs]
    if not losses:
        raise ValueError("the history has no validation loss" + (f" within {epochs} epochs" if epochs else ""))
    if not all(math.isfinite(loss) for loss in losses):
        raise ValueError(f"the validation loss is not finite in every epoch ({losses}): the run diverged")
    best = min(range(len(losses)), key=losses.__getitem__)
    return float(losses[best]), best + 1


def training_record(history: dict, cap: int) -> dict[str, int | float]:
    """How a run trained: ``epochs`` run of its ``cap``, the ``best_epoch`` and its validation loss (``best_val``)."""
    best, epoch = best_validation(history)
    return {"epochs": len(history["val_loss"]), "cap": cap, "best_epoch": epoch, "best_val": best}
