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
from coursework.data import CifarSplit, OfficialSubset
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


def _row(values: dict[str, np.ndarray], reference: dict[str, np.ndarray]) -> dict[str, float]:
    """One table row from per-image metrics: means, and the ratios to the mean-chroma baseline and the truth."""
    mse, colour = values["chroma_mse"].mean(), values["colourfulness"].mean()
    return {
        "chroma_mse": mse,
        "vs_mean_chroma": mse / reference["chroma_mse"].mean(),
        "rgb_psnr_db": float(psnr(values["rgb_mse"].mean())),
        "colourfulness": colour,
        "vs_truth": colour / reference["true_colourfulness"].mean(),
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
    rows = {name: _row(values, metrics["mean chroma"]) for name, values in metrics.items()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model"), predictions, metrics


COLOUR_TARGETS = {"vs_mean_chroma": 0.70, "vs_truth": 0.6}  # chroma MSE at most, colourfulness at least (x baseline)


def meets_targets(table: pd.DataFrame) -> pd.Series:
    """For each row of a :func:`colour_table` or :func:`tradeoff_table`: whether it meets both ``COLOUR_TARGETS``."""
    return (table.vs_mean_chroma <= COLOUR_TARGETS["vs_mean_chroma"]) & (table.vs_truth >= COLOUR_TARGETS["vs_truth"])


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
    models at each of ``temperatures``, the others once (temperature NaN). Columns: model, temperature, then
    :func:`colour_table`'s."""
    if not temperatures and any(is_colour_class_model(model) for model in models.values()):
        raise ValueError("temperatures is empty: colour-class models would be left out of the table")
    luma, true_chroma = split_luma_chroma(images)
    reference = colour_metrics(np.broadcast_to(mean_chroma(x_train), true_chroma.shape), images)
    rows = []
    for name, model in models.items():
        for temperature in temperatures if is_colour_class_model(model) else [None]:
            colorizer = model if temperature is None else with_temperature(model, temperature)
            values = colour_metrics(predict_chroma(colorizer, luma), images)
            row = _row(values, reference)
            del row["rgb_psnr_db"]  # the trade-off is closeness against colour
            rows.append({"model": name, "temperature": temperature, **row})
    return pd.DataFrame(rows).astype({"temperature": float})


def choose_colorizer(table: pd.DataFrame) -> pd.Series:
    """The default colorizer's criterion, declared in the notebook with its candidate set: among the settings of a
    :func:`tradeoff_table` measured on validation that keep at least ``COLOUR_TARGETS["vs_truth"]`` of the true
    colourfulness, the one with the lowest chroma MSE (a colorizer should be colourful first, then close)."""
    missing = {"model", "temperature", "vs_mean_chroma", "vs_truth"} - set(table.columns)
    if missing:
        raise ValueError(f"choose_colorizer needs a tradeoff_table; columns {sorted(missing)} are missing")
    measured = table.dropna(subset=["vs_mean_chroma", "vs_truth"]).reset_index(drop=True)
    if np.isinf(measured[["vs_mean_chroma", "vs_truth"]].to_numpy()).any():
        raise ValueError("the table holds infinite ratios: no setting can be chosen from them")
    if measured.empty:
        raise ValueError("the table has no measured setting to choose from")
    colourful = measured[measured.vs_truth >= COLOUR_TARGETS["vs_truth"]]
    if colourful.empty:
        raise ValueError(f"no setting keeps {COLOUR_TARGETS['vs_truth']}x of the true colourfulness")
    return colourful.loc[colourful.vs_mean_chroma.idxmin()]


def colour_ablation(tradeoff: pd.DataFrame, names: list[str], base: str = "colorizer_unet") -> pd.DataFrame:
    """Each of ``names`` (and ``base``) on validation, from a :func:`tradeoff_table`: its chroma MSE relative to
    ``base``'s and to the mean-chroma baseline, and its colourfulness relative to the truth's; colour-class models at
    T = 1 (the mean of their predicted distribution, the setting comparable with a regression)."""
    names = [base, *names]
    rows = tradeoff[tradeoff.model.isin(names) & (tradeoff.temperature.isna() | (tradeoff.temperature == 1.0))]
    if base not in set(rows.model):
        raise ValueError(f"the trade-off table has no row for the base model {base!r}")
    unread = sorted(set(tradeoff.model[tradeoff.model.isin(names)]) - set(rows.model))
    if unread:
        raise ValueError(f"colour-class models {unread} were not measured at T = 1, the setting the ablation compares")
    rows = rows.set_index("model").loc[[name for name in names if name in set(rows.model)]]
    return pd.DataFrame(
        {
            "vs_unet_mse": rows.chroma_mse / rows.chroma_mse[base],
            "vs_mean_chroma": rows.vs_mean_chroma,
            "vs_truth": rows.vs_truth,
        }
    )


def confirm_colorizer(model: keras.Model, data: CifarSplit, subset: OfficialSubset | None) -> pd.DataFrame:
    """The chosen colorizer measured once on held-out images: the test split, and (with ``subset``) the bit-exact
    test images on their JPEG and their official pixels. Columns as :func:`colour_table`'s, with each set's own
    baselines."""
    sets = {"test split": data.x_test}
    if subset is not None:
        sets |= {"bit-exact, JPEG": data.x_test[subset.rows], "bit-exact, official": subset.x}
    rows = {
        where: colour_table({"chosen": model}, data.x_train, images)[0].loc["chosen"] for where, images in sets.items()
    }
    return pd.DataFrame(rows).T
