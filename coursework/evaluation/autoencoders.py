"""The autoencoders' errors: one row per trained model, official pixels, the reference's numbers beside ours.

Every function loads committed models (:func:`coursework.experiments.runs.load`), which never trains: a missing model
raises an error that names its training command.
"""

from __future__ import annotations

import textwrap
from typing import NamedTuple

import numpy as np
import pandas as pd

from coursework._tensorflow import keras
from coursework.autoencoders import evaluate_mse, latent_shape
from coursework.data import OfficialSubset, Split
from coursework.evaluation import best_validation, training_record
from coursework.experiments import configurations, experiment
from coursework.experiments.runs import load
from coursework.images import as_float, psnr
from coursework.store import older_pipeline, read_history


def evaluate(names: list[str], data: Split) -> pd.DataFrame:
    """One row per experiment: latent size, parameters, epochs trained of its cap and the best one, best
    validation MSE (the weights early stopping kept), test MSE and PSNR."""
    rows = []
    for name in names:
        model, history, config = load(name)
        test_mse, _ = evaluate_mse(model, data.x_test)
        height, width, channels = latent_shape(model)
        record = training_record(history, config.epochs)
        rows.append(
            {
                "experiment": name,
                "latent": f"{height}x{width}x{channels}",
                "latent_values": height * width * channels,
                "parameters": model.count_params(),
                "epochs": record["epochs"],
                "cap": record["cap"],
                "best_epoch": record["best_epoch"],
                "best_val_mse": record["best_val"],
                "test_mse": test_mse,
                "test_psnr_db": float(psnr(test_mse)),
            }
        )
    return pd.DataFrame(rows).set_index("experiment")


def thumbnail_mse(images: np.ndarray, side: int) -> float:
    """The MSE of a baseline with no training: each uint8 image averaged down to ``side`` x ``side`` pixels (a
    divisor of its side; ``side`` x ``side`` x channels values), then resized back bilinearly."""
    x = as_float(images)
    if side < 1 or x.shape[1] % side:
        raise ValueError(f"side must divide the images' side {x.shape[1]}, got {side!r}")
    step = x.shape[1] // side
    small = x.reshape(len(x), side, step, side, step, x.shape[-1]).mean(axis=(2, 4))
    back = keras.ops.convert_to_numpy(keras.ops.image.resize(small, x.shape[1:3], interpolation="bilinear"))
    return float(np.mean((back - x) ** 2))


def official_pixels(names: list[str], data: Split, subset: OfficialSubset) -> pd.DataFrame:
    """Each experiment's MSE on the same test images as JPEG pixels (``data.x_test[subset.rows]``) and as official
    pixels (``subset.x``), and their ratio ``factor``."""
    rows = []
    for name in names:
        model = load(name).model
        jpeg_mse, _ = evaluate_mse(model, data.x_test[subset.rows])
        official_mse, _ = evaluate_mse(model, subset.x)
        rows.append({"experiment": name, "jpeg_mse": jpeg_mse, "official_mse": official_mse})
    table = pd.DataFrame(rows).set_index("experiment")
    return table.assign(factor=table.official_mse / table.jpeg_mse)


# The assignment's reference: test MSE of its stride-1 and stride-2 networks, and our configuration that answers each.
REFERENCE_RESULTS = {"stride 1": (0.0054, "cae_base"), "stride 2": (0.0445, "cae_stride2")}


def official_errors(names: list[str], subset: OfficialSubset) -> np.ndarray:
    """Per image of ``subset`` (official pixels), the MSE of the experiments ``names``, averaged over them."""
    return np.mean([evaluate_mse(load(name).model, subset.x)[1] for name in names], axis=0)


def epochs_trained(table: pd.DataFrame) -> pd.DataFrame:
    """Per configuration of an :func:`evaluate` (or any) table with ``epochs``, ``best_epoch`` and ``cap`` columns:
    the cap, the fewest and most epochs its seeds trained, and ``at_cap``, how many of its seeds were still
    improving when the cap stopped them (best epoch = cap)."""
    rows = {}
    for first, members in configurations(list(table.index)).items():
        runs = table.loc[members]
        rows[first] = {
            "cap": int(runs.cap.max()),
            "fewest": int(runs.epochs.min()),
            "most": int(runs.epochs.max()),
            "at_cap": int((runs.best_epoch == runs.cap).sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def total_training_time(groups: dict[str, str]) -> pd.DataFrame:
    """Training wall time per group (experiment -> group) from each committed history's per-epoch ``seconds``:
    models timed, models without a record (trained before times were kept), and minutes of the timed ones; a last row
    ``sum``."""
    rows: dict[str, dict] = {}
    for name, group in groups.items():
        history = read_history(name)
        row = rows.setdefault(group, {"timed": 0, "untimed": 0, "minutes": 0.0})
        if "seconds" in history:
            row["timed"] += 1
            row["minutes"] += float(np.sum(history["seconds"])) / 60
        else:
            row["untimed"] += 1
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("group")
    table.loc["sum"] = table.sum()
    table = table.astype({"timed": int, "untimed": int})
    return table.assign(minutes=table.minutes.where(table.timed > 0))  # no record: unknown, not zero minutes


def training_cpus(names: list[str]) -> list[str]:
    """The CPUs the timed histories of ``names`` were measured on."""
    histories = [read_history(name) for name in names]
    return sorted({history["cpu"] for history in histories if "cpu" in history})


LAYER_KINDS = {
    "Conv2D": "conv",
    "Conv2DTranspose": "transposed conv",
    "MaxPooling2D": "pool",
    "UpSampling2D": "upsample",
    "Cropping2D": "crop",
    "Concatenate": "join",
}


def layout_text(model: keras.Model, width: int = 100) -> str:
    """An autoencoder's parameters, its latent size with the share of the input it keeps, and its layers
    (:func:`network_text`'s steps), as lines of at most ``width`` characters."""
    shape = latent_shape(model)
    values = int(np.prod(shape))
    share = values / np.prod(model.input.shape[1:])
    lines = [f"{model.count_params():,} parameters"]
    lines.append(f"  latent {'x'.join(map(str, shape))} = {values:,} values, {share:.0%} of input")
    return "\n".join(lines + _step_lines(_steps(model, model.input.shape[1]), width))


def network_text(model: keras.Model, side: int, width: int = 100) -> str:
    """Any functional image model (a colorizer or autoencoder) layer by layer, as lines of at most ``width``
    characters: its parameters, then :func:`_steps` for a ``side`` x ``side`` input."""
    lines = [f"{model.count_params():,} parameters; layer outputs for a {side}x{side} input"]
    return "\n".join(lines + _step_lines(_steps(model, side), width))


def _steps(model: keras.Model, side: int) -> dict[str, list[str]]:
    """One "kind to HxWxC" step per layer of ``model`` for a ``side`` x ``side`` input, split into the encoder (up to
    the first upsampling) and the decoder. A join names the earlier output it adds (a skip connection); a
    convolution names a kernel other than 3x3 and an activation other than ReLU or none."""
    layers = model.layers[1:]
    probe = keras.Model(model.inputs, [layer.output for layer in layers])
    outputs = probe([np.zeros((1, side, side, model.input.shape[-1]), np.float32)])
    shapes = {layer.name: "x".join(map(str, output.shape[1:])) for layer, output in zip(layers, outputs)}
    made_by = {id(layer.output): layer.name for layer in layers}
    parts, part = {"encoder": [], "decoder": []}, "encoder"
    for before, layer in zip([None, *layers], layers):
        kind = type(layer).__name__
        if kind in ("UpSampling2D", "Conv2DTranspose"):
            part = "decoder"
        step = LAYER_KINDS.get(kind, layer.get_config().get("activation", kind))
        if kind == "UpSampling2D":
            step += f" x{layer.size[0]}" + (f" ({layer.interpolation})" if layer.interpolation != "nearest" else "")
        elif kind == "Conv2D":
            size, activation = layer.kernel_size[0], layer.activation.__name__
            step = ("conv" if size == 3 else f"{size}x{size} conv") + (
                "" if activation in ("relu", "linear") else f" ({activation})"
            )
        elif kind == "Concatenate":
            added = [made_by[id(tensor)] for tensor in layer.input if made_by.get(id(tensor)) != before.name]
            step = "skip: join " + " and ".join(shapes[name] for name in added) + " from the encoder"
        parts[part].append(step if kind == "Activation" else f"{step} to {shapes[layer.name]}")
    return parts


def _step_lines(parts: dict[str, list[str]], width: int) -> list[str]:
    """:func:`_steps` as one wrapped line per part."""
    return [
        textwrap.fill("; ".join(steps), width, initial_indent=f"  {part}: ", subsequent_indent="    ")
        for part, steps in parts.items()
    ]


def batch_order_check(long_names: list[str], epochs: int) -> pd.DataFrame:
    """For each of ``long_names`` (reruns of a registered run, its ``base``: same configuration and seed, at least as
    many epochs): the best validation MSE in the first ``epochs`` epochs of the rerun and of the run, their ratio, and
    whether the run used the older batch order (the reruns all use today's)."""
    rows = {}
    for name in long_names:
        study = experiment(name).base
        rows[name] = {
            "older_order": older_pipeline(study),
            "study": best_validation(read_history(study), epochs)[0],
            "long": best_validation(read_history(name), epochs)[0],
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table.assign(ratio=table.long / table.study)


class RepeatCheck(NamedTuple):
    """:func:`repeat_check`'s answer: the check ``table`` and ``rerun``, the largest change of a repeated run as a
    fraction (the allowance of the rule in :mod:`coursework.report.facts`)."""

    table: pd.DataFrame
    rerun: float


def repeat_check(long_names: list[str], epochs: int) -> RepeatCheck:
    """How far runs repeat: each of ``long_names`` repeats a registered run (same configuration and seed, today's
    pipeline) for at least ``epochs`` epochs. One row per pipeline the study run was first trained with: ``runs``,
    how many gave the same best validation MSE in the first ``epochs`` epochs (``repeated``), and the largest change
    as a factor (``moved``, >= 1). Also ``rerun``: the largest change of any repeat minus 1."""
    runs = batch_order_check(long_names, epochs)
    runs = runs.assign(repeated=runs.long == runs.study, moved=np.maximum(runs.ratio, 1 / runs.ratio))
    pipeline = runs.older_order.map({False: "today's pipeline", True: "older pipeline (no time record)"})
    table = runs.groupby(pipeline).agg(runs=("moved", "size"), repeated=("repeated", "sum"), moved=("moved", "max"))
    table.index.name = "first trained by"
    return RepeatCheck(table, float(runs.moved.max() - 1))
