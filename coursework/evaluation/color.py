"""How close and how colourful colorizers are: metrics and tables against baselines.

Pure functions of predicted chroma and images: nothing here trains. ``COLOR_TARGETS`` are the colorizer's targets,
relative to the mean-chroma baseline (chroma MSE at most) and to the truth (colourfulness at least).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursework.color import colorfulness, mean_chroma, merge_luma_chroma, rgb_to_ycrcb, split_luma_chroma
from coursework.images import as_float

COLOR_TARGETS = {"vs_mean_chroma": 0.70, "vs_truth": 0.6}  # chroma MSE at most, colourfulness at least (x baseline)
GAIN_CANDIDATES = tuple(round(1 + step / 10, 1) for step in range(11))  # the colour gains notebook 02 compares


def color_metrics(chroma: np.ndarray, images: np.ndarray) -> dict[str, np.ndarray]:
    """Per-image chroma MSE and colourfulness of predicted ``chroma`` merged with the uint8 ``images``' own
    luminance, and the colourfulness of the ground truth."""
    truth = as_float(images)
    ycrcb = rgb_to_ycrcb(truth)
    luma, true_chroma = ycrcb[..., :1], ycrcb[..., 1:]
    if chroma.shape != true_chroma.shape:
        raise ValueError(f"chroma {chroma.shape} does not match the images' {true_chroma.shape}")
    predicted = merge_luma_chroma(luma, chroma.astype(np.float32))
    return {
        "chroma_mse": np.mean((chroma - true_chroma) ** 2, axis=(1, 2, 3), dtype=np.float64),
        "colourfulness": colorfulness(predicted),
        "true_colourfulness": colorfulness(truth),
    }


def color_table(predictions: dict[str, np.ndarray], images: np.ndarray, x_train: np.ndarray) -> pd.DataFrame:
    """One row per predicted chroma (name -> (N, H, W, 2)) on uint8 ``images``, after two baselines: "no colour"
    (Cr = Cb = 0.5) and "mean chroma" (the mean chroma of ``x_train`` at every pixel). Columns: chroma MSE and its
    ratio to the mean-chroma baseline's, colourfulness and its ratio to the truth's."""
    _, true_chroma = split_luma_chroma(images)
    baselines = {
        "no colour": np.full_like(true_chroma, 0.5),
        "mean chroma": np.broadcast_to(mean_chroma(x_train), true_chroma.shape),
    }
    metrics = {name: color_metrics(chroma, images) for name, chroma in (baselines | predictions).items()}
    reference = metrics["mean chroma"]
    rows = {
        name: {
            "chroma_mse": values["chroma_mse"].mean(),
            "vs_mean_chroma": values["chroma_mse"].mean() / reference["chroma_mse"].mean(),
            "colourfulness": values["colourfulness"].mean(),
            "vs_truth": values["colourfulness"].mean() / reference["true_colourfulness"].mean(),
        }
        for name, values in metrics.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")


def mean_color_error(chroma: np.ndarray, images: np.ndarray) -> tuple[float, float]:
    """A colorizer's chroma MSE on uint8 ``images`` split in two exact parts: the error of each image's average
    colour (its mean Cr, Cb), and the error of the rest (the colour's layout within the image)."""
    _, truth = split_luma_chroma(images)
    average = np.mean(chroma, axis=(1, 2), keepdims=True), np.mean(truth, axis=(1, 2), keepdims=True)
    whole = float(np.mean((average[0] - average[1]) ** 2, dtype=np.float64))
    rest = float(np.mean(((chroma - average[0]) - (truth - average[1])) ** 2, dtype=np.float64))
    return whole, rest


def leave_one_out(chroma: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """For each of n chroma predictions (name -> (N, H, W, 2)), the average of the other n - 1, keyed
    "without NAME": the averages of n - 1 members that an average of n members is compared with."""
    return {
        f"without {left}": np.mean([value for name, value in chroma.items() if name != left], axis=0) for left in chroma
    }
