"""The autoencoders' errors: per-experiment tables, seed spread, official pixels, the reference's numbers.

Every function loads committed models (:func:`coursework.experiments.load`), which never trains: a missing model
raises an error that names its training command.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from coursework.autoencoders import evaluate_mse, latent_shape
from coursework.data import CifarSplit, OfficialSubset
from coursework.evaluation import best_validation
from coursework.experiments import experiment, load
from coursework.images import psnr


class Evaluation(NamedTuple):
    """:func:`evaluate`'s results: one row per experiment, and each one's per-image test MSE."""

    table: pd.DataFrame
    per_image: dict[str, np.ndarray]


def evaluate(names: list[str], data: CifarSplit) -> Evaluation:
    """One row per experiment (latent size, parameters, epochs, validation and test MSE, test PSNR), and the
    per-image test MSE of each (for per-class errors)."""
    rows, per_image = [], {}
    for name in names:
        model, history, _ = load(name)
        test_mse, per_image[name] = evaluate_mse(model, data.x_test)
        height, width, channels = latent_shape(model)
        entry = experiment(name)
        best_loss, best_epoch = best_validation(history)
        rows.append(
            {
                "experiment": name,
                "change": entry.change,
                "changes": entry.kind,
                "latent": f"{height}x{width}x{channels}",
                "latent_values": height * width * channels,
                "parameters": model.count_params(),
                "epochs": len(history["loss"]),
                "best_epoch": best_epoch,
                "best_val_mse": best_loss,
                "test_mse": test_mse,
                "test_psnr_db": float(psnr(test_mse)),
            }
        )
    return Evaluation(pd.DataFrame(rows).set_index("experiment"), per_image)


def select_best(table: pd.DataFrame, column: str = "best_val_mse") -> str:
    """The experiment (index of ``table``) with the smallest ``column``: choices are made on validation MSE."""
    if column.lower().startswith("test"):
        raise ValueError(f"choose on validation data, not on {column!r}")
    values = table[column]
    if values.empty or not np.all(np.isfinite(values)):
        raise ValueError(f"{column!r} must hold finite values to choose from, got {values.tolist()}")
    return str(values.idxmin())


def official_pixels(names: list[str], data: CifarSplit, subset: OfficialSubset | None) -> pd.DataFrame | None:
    """Each experiment's MSE on the same test images as JPEG pixels (``data.x_test[subset.rows]``) and as official
    pixels (``subset.x``), and their ratio ``factor``; None where there is no official subset."""
    if subset is None:
        return None
    rows = []
    for name in names:
        model = load(name).model
        jpeg_mse, _ = evaluate_mse(model, data.x_test[subset.rows])
        official_mse, _ = evaluate_mse(model, subset.x)
        rows.append({"experiment": name, "jpeg_mse": jpeg_mse, "official_mse": official_mse})
    table = pd.DataFrame(rows).set_index("experiment")
    return table.assign(factor=table.official_mse / table.jpeg_mse)


def seed_spread(data: CifarSplit, names: tuple[str, ...], seeds: tuple[int, ...] = (1, 2)) -> pd.DataFrame:
    """Best validation MSE and test MSE of each experiment over its seed 0 and its ``seeds`` (``<name>_seed<seed>``):
    one row per name with the number of seeds, and each error's mean and standard deviation (n - 1); the test MSE's
    range too. Choices compare validation errors, so the validation spread is the noise they must beat."""
    rows = []
    for name in names:
        table, _ = evaluate([name] + [f"{name}_seed{seed}" for seed in seeds], data)
        validation, mse = table.best_val_mse, table.test_mse
        rows.append(
            {
                "experiment": name,
                "seeds": len(table),
                "mean_val_mse": validation.mean(),
                "std_val_mse": validation.std(ddof=1),
                "mean_test_mse": mse.mean(),
                "std_test_mse": mse.std(ddof=1),
                "min": mse.min(),
                "max": mse.max(),
            }
        )
    return pd.DataFrame(rows).set_index("experiment")


# The reference's reported test MSE (one seed, 10 epochs) and the experiment of ours that answers each.
REFERENCE_RESULTS = (
    ("base model, 10 epochs", 0.0045, "cae_base"),
    ("stride 1 (10 epochs)", 0.0054, "cae_base"),
    ("stride 2 (10 epochs)", 0.0445, "cae_stride2"),
    ("one pooling, Conv 8 / 16, 4x4", 0.0013, "study_one_pool_ref"),
    ("5x5 kernels, 16/24/32 channels", 0.0032, "study_ref_5x5_16_24_32"),
    ("sigmoid output", 0.0072, "study_sigmoid_output"),
    ("SGD", 0.0167, "study_sgd"),
)


def reference_table(test_mse: dict[str, float], best: str, official: pd.DataFrame | None = None) -> pd.DataFrame:
    """``REFERENCE_RESULTS`` beside our test MSE (experiment -> test MSE on the whole test split), and a last row for
    ``best``, our best model with a latent smaller than the input (chosen on validation), which the reference has
    no number for (NaN). With ``official`` (:func:`official_pixels`), two more columns measured on the same bit-exact
    test images: their JPEG pixels and their official pixels, so the two compare like for like."""
    rows = [*REFERENCE_RESULTS, ("best model, latent smaller than the input", np.nan, best)]
    table = pd.DataFrame(
        [(result, reference, test_mse[name], name) for result, reference, name in rows],
        columns=["result", "reference", "ours, test split", "our model"],
    )
    if official is not None:
        names = table["our model"]
        table.insert(3, "ours, bit-exact: JPEG", official.jpeg_mse[names].to_numpy())
        table.insert(4, "ours, bit-exact: official", official.official_mse[names].to_numpy())
    return table
