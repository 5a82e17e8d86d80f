"""How close and how colourful colorizers are: metrics, tables against baselines, oracles, and the default's choice.

Pure functions of models and images: nothing here trains. ``COLOUR_TARGETS`` are the colorizer's targets, relative
to the mean-chroma baseline (chroma MSE at most) and to the truth (colourfulness at least).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursework._tensorflow import keras
from coursework.color import colourfulness, mean_chroma, merge_luma_chroma, rgb_to_ycrcb, split_luma_chroma
from coursework.colorization import is_colour_class_model, predict_chroma, with_temperature
from coursework.images import as_float, psnr


def colour_metrics(chroma: np.ndarray, images: np.ndarray) -> dict[str, np.ndarray]:
    """Per-image chroma MSE, RGB PSNR and colourfulness of predicted ``chroma`` merged with the uint8 ``images``'
    own luminance, and the colourfulness of the ground truth."""
    truth = as_float(images)
    ycrcb = rgb_to_ycrcb(truth)
    luma, true_chroma = ycrcb[..., :1], ycrcb[..., 1:]
    if chroma.shape != true_chroma.shape:
        raise ValueError(f"chroma {chroma.shape} does not match the images' {true_chroma.shape}")
    predicted = merge_luma_chroma(luma, chroma.astype(np.float32))
    chroma_mse = np.mean((chroma - true_chroma) ** 2, axis=(1, 2, 3), dtype=np.float64)
    rgb_mse = np.mean((predicted - truth) ** 2, axis=(1, 2, 3), dtype=np.float64)
    return {
        "chroma_mse": chroma_mse,
        "rgb_mse": rgb_mse,
        "colourfulness": colourfulness(predicted),
        "true_colourfulness": colourfulness(truth),
    }


def colour_table(
    models: dict[str, keras.Model], x_train: np.ndarray, x_test: np.ndarray
) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, dict[str, np.ndarray]]]:
    """Colorizers against two baselines on uint8 ``x_test``: one row each, the predicted chroma, per-image metrics.

    Columns: chroma MSE, its ratio to the mean-chroma baseline, RGB PSNR (dB), colourfulness and its ratio to the
    ground truth's. Baselines: no colour (Cr = Cb = 0.5) and the mean chroma of ``x_train`` at every pixel.
    """
    luma, true_chroma = split_luma_chroma(x_test)
    predictions = {
        "no colour": np.full_like(true_chroma, 0.5),
        "mean chroma": np.broadcast_to(mean_chroma(x_train), true_chroma.shape),
    }
    predictions |= {name: predict_chroma(model, luma) for name, model in models.items()}
    metrics = {name: colour_metrics(chroma, x_test) for name, chroma in predictions.items()}
    truth_colourfulness = metrics["no colour"]["true_colourfulness"].mean()
    baseline_mse = metrics["mean chroma"]["chroma_mse"].mean()
    rows = [
        {
            "model": name,
            "chroma_mse": values["chroma_mse"].mean(),
            "vs_mean_chroma": values["chroma_mse"].mean() / baseline_mse,
            "rgb_psnr_db": float(psnr(values["rgb_mse"].mean())),
            "colourfulness": values["colourfulness"].mean(),
            "vs_truth": values["colourfulness"].mean() / truth_colourfulness,
        }
        for name, values in metrics.items()
    ]
    return pd.DataFrame(rows).set_index("model"), predictions, metrics


COLOUR_FORMATS = {
    "temperature": "{:g}",
    "chroma_mse": "{:.5f}",
    "vs_mean_chroma": "{:.2f}x",
    "rgb_psnr_db": "{:.1f}",
    "colourfulness": "{:.1f}",
    "vs_truth": "{:.2f}x",
}  # how a colour_table prints
COLOUR_TARGETS = {"vs_mean_chroma": 0.70, "vs_truth": 0.6}  # chroma MSE at most, colourfulness at least (x baseline)


def meets_targets(table: pd.DataFrame) -> pd.Series:
    """For each row of a :func:`colour_table` or :func:`tradeoff_table`: whether it meets both ``COLOUR_TARGETS``."""
    return (table.vs_mean_chroma <= COLOUR_TARGETS["vs_mean_chroma"]) & (table.vs_truth >= COLOUR_TARGETS["vs_truth"])


def formatted_colour_table(table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`colour_table` or :func:`tradeoff_table` as text, each column in its ``COLOUR_FORMATS`` format (ratios
    with an ``x``; a missing temperature, that of a regression model, as "-"); other columns as they are."""

    def formatted(column: pd.Series) -> pd.Series:
        if column.name not in COLOUR_FORMATS:
            return column
        return column.map(lambda value: "-" if pd.isna(value) else COLOUR_FORMATS[column.name].format(value))

    return table.apply(formatted)


def colour_targets(row: pd.Series) -> str:
    """Whether one model (a row of :func:`colour_table`) meets ``COLOUR_TARGETS``, as one line of text."""
    closeness, colour = row["vs_mean_chroma"], row["vs_truth"]
    mse_target, colour_target = COLOUR_TARGETS["vs_mean_chroma"], COLOUR_TARGETS["vs_truth"]
    return (
        f"targets for the colorizer: chroma MSE <= {mse_target:.2f}x mean chroma: {closeness:.2f}x "
        f"({'met' if closeness <= mse_target else 'not met'}); colourfulness >= {colour_target:.1f}x truth: "
        f"{colour:.2f}x ({'met' if colour >= colour_target else 'not met'})"
    )


def class_colour_oracle(
    x_train: np.ndarray, y_train: np.ndarray, images: np.ndarray, labels: np.ndarray, batch_size: int = 4000
) -> float:
    """Chroma MSE on uint8 ``images`` of painting each with the average chroma map (pixel by pixel) of the training
    images of its true class: what knowing the class alone, perfectly, is worth to a colorizer."""
    y_train, labels = np.ravel(y_train), np.ravel(labels)
    classes = np.unique(y_train)
    sums = np.zeros((len(classes), *x_train.shape[1:3], 2))
    for start in range(0, len(x_train), batch_size):
        _, chroma = split_luma_chroma(x_train[start : start + batch_size])
        for index, label in enumerate(classes):
            sums[index] += chroma[y_train[start : start + batch_size] == label].sum(axis=0, dtype=np.float64)
    maps = sums / np.bincount(np.searchsorted(classes, y_train))[:, None, None, None]
    _, chroma = split_luma_chroma(images)
    return float(np.mean((chroma - maps[np.searchsorted(classes, labels)]) ** 2, dtype=np.float64))


def average_colour_oracle(chroma: np.ndarray) -> float:
    """Chroma MSE of painting each image's own average colour over all its pixels, given its true ``chroma``
    (N, H, W, 2): a bound no colorizer that sees only the gray image can be expected to reach."""
    image_average = np.mean(chroma, axis=(1, 2), keepdims=True)
    return float(np.mean((chroma - image_average) ** 2, dtype=np.float64))


def tradeoff_table(
    models: dict[str, keras.Model], temperatures: list[float], x_train: np.ndarray, images: np.ndarray
) -> pd.DataFrame:
    """Closeness and colour of each colorizer on uint8 ``images`` (the validation split, for choosing): colour-class
    models at each of ``temperatures``, the others once (temperature NaN). Columns: model, temperature, chroma_mse,
    vs_mean_chroma (ratio to painting ``x_train``'s mean chroma), colourfulness, vs_truth (ratio to the truth's)."""
    if not temperatures and any(is_colour_class_model(model) for model in models.values()):
        raise ValueError("temperatures is empty: colour-class models would be left out of the table")
    luma, true_chroma = split_luma_chroma(images)
    baseline = colour_metrics(np.broadcast_to(mean_chroma(x_train), true_chroma.shape), images)
    baseline_mse, truth = baseline["chroma_mse"].mean(), baseline["true_colourfulness"].mean()
    rows = []
    for name, model in models.items():
        settings = temperatures if is_colour_class_model(model) else [None]
        for temperature in settings:
            colorizer = model if temperature is None else with_temperature(model, temperature)
            values = colour_metrics(predict_chroma(colorizer, luma), images)
            mse, colour = values["chroma_mse"].mean(), values["colourfulness"].mean()
            rows.append((name, temperature, mse, mse / baseline_mse, colour, colour / truth))
    columns = ["model", "temperature", "chroma_mse", "vs_mean_chroma", "colourfulness", "vs_truth"]
    return pd.DataFrame(rows, columns=columns).astype({"temperature": float})


def choose_colorizer(table: pd.DataFrame) -> pd.Series:
    """The default colorizer's criterion, declared before the ablation was trained: among the settings of a
    :func:`tradeoff_table` measured on validation that keep at least ``COLOUR_TARGETS["vs_truth"]`` of the true
    colourfulness, the one with the lowest chroma MSE (a colorizer should be colourful first, then close)."""
    missing = {"model", "temperature", "vs_mean_chroma", "vs_truth"} - set(table.columns)
    if missing:
        raise ValueError(f"choose_colorizer needs a tradeoff_table; columns {sorted(missing)} are missing")
    measured = table.dropna(subset=["vs_mean_chroma", "vs_truth"]).reset_index(drop=True)
    if measured.empty:
        raise ValueError("the table has no measured setting to choose from")
    colourful = measured[measured.vs_truth >= COLOUR_TARGETS["vs_truth"]]
    if colourful.empty:
        raise ValueError(f"no setting keeps {COLOUR_TARGETS['vs_truth']}x of the true colourfulness")
    return colourful.loc[colourful.vs_mean_chroma.idxmin()]
