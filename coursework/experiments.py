"""The experiments of notebook 02 (autoencoders and colorizers): their configs, load-or-train, and evaluation.

Every experiment trains on :func:`coursework.data.cifar_split` and is kept in :mod:`coursework.store`. Retrain
everything from scratch (same code, same seeds as the committed models)::

    python -m coursework.experiments --retrain              # every experiment
    python -m coursework.experiments cae_base --retrain     # just one
    python -m coursework.experiments colorizer --retrain    # the colorizer
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import NamedTuple

import numpy as np
import pandas as pd

from coursework._tensorflow import keras
from coursework.autoencoders import CAEConfig, evaluate_mse, latent_shape, train_cae
from coursework.colorization import ColorizerConfig, train_colorizer
from coursework.data import CifarSplit, OfficialSubset, cifar_split
from coursework.evaluation.colour import COLOUR_TARGETS, colour_table, meets_targets
from coursework.images import as_float, psnr
from coursework.paths import DATA_DIR
from coursework.store import load_experiment, model_paths, save_experiment
from coursework.training import call_in_batches

STUDY = {"epochs": 20, "patience": 3}  # architecture study: early stopping on validation loss, same budget for all

EXPERIMENTS: dict[str, CAEConfig] = {
    # The reference set-up, as prescribed: fixed 10 epochs.
    "cae_base": CAEConfig(notes="reference architecture and training: Adam, MSE, batch 64, 10 epochs"),
    "cae_stride2": CAEConfig(strides=2, notes="reference architecture, stride 2 in every encoder convolution"),
    # Architecture study: one change at a time from the reference, trained alike with early stopping.
    "study_base": CAEConfig(**STUDY, notes="reference architecture"),
    "study_stride2_all": CAEConfig(strides=2, **STUDY, notes="stride 2 in every encoder convolution"),
    "study_stride2_first": CAEConfig(strides=(2, 1, 1), **STUDY, notes="stride 2 in the first convolution only"),
    "study_stride2_latent": CAEConfig(strides=(1, 1, 2), **STUDY, notes="stride 2 in the latent convolution only"),
    "study_kernel5": CAEConfig(kernel_size=5, **STUDY, notes="5x5 kernels"),
    "study_channels_16_24_32": CAEConfig(filters=(16, 24, 32), **STUDY, notes="twice the channels"),
    "study_ref_5x5_16_24_32": CAEConfig(filters=(16, 24, 32), kernel_size=5, **STUDY, notes="reference's 5x5 variant"),
    "study_valid_padding": CAEConfig(padding="valid", **STUDY, notes="valid padding"),
    "study_one_pool": CAEConfig(filters=(8, 16), **STUDY, notes="one pooling stage: the middle stage removed"),
    "study_one_pool_ref": CAEConfig(filters=(8, 16), kernel_size=4, **STUDY, notes="reference's one-pooling variant"),
    "study_one_pool_32_8": CAEConfig(filters=(32, 8), **STUDY, notes="one pooling stage, latent 16x16x8"),
    "study_sigmoid_output": CAEConfig(output_activation="sigmoid", **STUDY, notes="sigmoid output"),
    "study_sgd": CAEConfig(optimizer="sgd", learning_rate=0.01, **STUDY, notes="SGD (lr 0.01) instead of Adam"),
}
# Study variants that change more than one thing from study_base, and the study model they differ from by one.
COMPOUND = {
    "study_one_pool_32_8": "compound: one pooling stage fewer, channels 8/12/16 -> 32/8 (vs study_one_pool: channels)",
    "study_one_pool_ref": "compound: one pooling stage fewer, 4x4 kernels (vs study_one_pool: 4x4 kernels only)",
    "study_ref_5x5_16_24_32": "compound: 5x5 kernels, twice the channels (vs study_channels_16_24_32: 5x5 only)",
    "study_valid_padding": "compound: valid padding, and its mirrored decoder has one (transposed) convolution more",
}


def changes(name: str) -> str:
    """How experiment ``name`` differs from its base model: "base", "one", or "compound: ..." (``COMPOUND``)."""
    if name in ("cae_base", "study_base"):
        return "base"
    return COMPOUND.get(name, "one")


# Seed-to-seed noise: the key comparisons repeated with two more seeds (initialisation and batch order).
SEEDED = ("study_base", "study_stride2_all", "study_one_pool_32_8")
EXPERIMENTS |= {f"{name}_seed{seed}": replace(EXPERIMENTS[name], seed=seed) for name in SEEDED for seed in (1, 2)}

# Latent size, controlled: a study model's architecture and budget with only its latent channels C changed, three
# seeds each; at 8x8 (study_base, two poolings) and at 16x16 (study_one_pool, one pooling), so that the two layouts
# can be compared at equal latent sizes. The C of the base model itself is that model (and its seeds).
SWEEP_BASES = {8: "study_base", 16: "study_one_pool"}  # latent side -> the study model whose latent channels vary
LATENT_CHANNELS = (1, 2, 4, 8, 16, 32)  # at 8x8
ONE_POOL_CHANNELS = (1, 2, 4, 8, 16)  # at 16x16
LATENT_SEEDS = (0, 1, 2)


def latent_sweep_name(channels: int, seed: int, side: int = 8) -> str:
    """The experiment of the ``side`` x ``side`` latent-size sweep with ``channels`` latent channels and ``seed``."""
    base = SWEEP_BASES[side]
    if channels == EXPERIMENTS[base].filters[-1]:
        return base if seed == 0 else f"{base}_seed{seed}"
    return f"latent_{side}x{side}x{channels}_seed{seed}"


for _side, _channels in ((8, LATENT_CHANNELS), (16, ONE_POOL_CHANNELS)):
    _base = EXPERIMENTS[SWEEP_BASES[_side]]
    EXPERIMENTS |= {
        name: replace(_base, filters=(*_base.filters[:-1], c), seed=seed, notes=f"latent {_side}x{_side}x{c}")
        for c in _channels
        for seed in LATENT_SEEDS
        if (name := latent_sweep_name(c, seed, _side)) not in EXPERIMENTS
    }

# Colorizers: luminance in, colour out (coursework.colorization). Same early stopping as the architecture study; the
# U-Nets get 15 epochs at most (about 40 s each on 2 CPU cores).
COLORIZERS: dict[str, ColorizerConfig] = {
    "colorizer_rgb": ColorizerConfig(
        architecture="cae", filters=(32, 8), target="rgb", notes="best study architecture, gray -> RGB, MSE"
    ),
    "colorizer_chroma_32_8": ColorizerConfig(
        architecture="cae", filters=(32, 8), target="chroma", notes="best study architecture, Y -> CrCb, MSE"
    ),
    "colorizer_base": ColorizerConfig(
        architecture="cae", filters=(8, 12, 16), target="chroma", notes="reference set-up: base autoencoder, Y -> CrCb"
    ),
    "colorizer_unet_mse": ColorizerConfig(target="chroma", epochs=15, notes="U-Net, Y -> CrCb, MSE"),
    "colorizer": ColorizerConfig(target="bins", epochs=15, notes="U-Net, colour classes, rebalanced, annealed mean"),
    "colorizer_mild_rebalance": ColorizerConfig(
        target="bins", rebalance=0.8, epochs=15, notes="U-Net, colour classes, milder rebalancing (0.8)"
    ),
}
# The colorization ablation: the MSE U-Net with a global branch, augmentation, or both (one change each from it, then
# the pair), and the pair with colour classes and no rebalancing, whose temperature then sets closeness vs colour.
# Up to 30 epochs: with augmentation an epoch shows new pixels, and early stopping ends each run (patience 3).
ABLATION = {"global_features": 128, "augment": True, "epochs": 30}
FIRST_COLORIZERS = tuple(COLORIZERS)  # the six of the first comparison (notebook 02, sections 7.1-7.5)
COLORIZERS |= {
    "colorizer_unet_global": ColorizerConfig(
        target="chroma", global_features=128, epochs=30, notes="U-Net, Y -> CrCb, MSE, global branch"
    ),
    "colorizer_unet_augment": ColorizerConfig(
        target="chroma", augment=True, epochs=30, notes="U-Net, Y -> CrCb, MSE, augmentation"
    ),
    "colorizer_unet_global_augment": ColorizerConfig(
        target="chroma", **ABLATION, notes="U-Net, Y -> CrCb, MSE, global branch and augmentation"
    ),
    "colorizer_classes_global_augment": ColorizerConfig(
        target="bins", rebalance=1.0, temperature=1.0, **ABLATION, notes="U-Net, colour classes, global, augmentation"
    ),
    "colorizer_classes_rebalanced": ColorizerConfig(
        target="bins",
        rebalance=0.9,
        temperature=1.0,
        **ABLATION,
        notes="U-Net, colour classes (rebalance 0.9), global, augmentation",
    ),
    "colorizer_unet_mse_seed1": replace(COLORIZERS["colorizer_unet_mse"], seed=1),  # the seed-to-seed noise
    "colorizer_unet_augment_seed1": ColorizerConfig(  # the one single change that helped, with another seed
        target="chroma", augment=True, epochs=30, seed=1, notes="U-Net, Y -> CrCb, MSE, augmentation"
    ),
}
ABLATION_COLORIZERS = tuple(name for name in COLORIZERS if name not in FIRST_COLORIZERS)
# What each ablation colorizer changes from the MSE U-Net (colorizer_unet_mse): one thing, or several (compound).
ABLATION_CHANGES = {
    "colorizer_unet_mse": "base",
    "colorizer_unet_global": "one: global branch",
    "colorizer_unet_augment": "one: augmentation",
    "colorizer_unet_global_augment": "compound: global branch + augmentation",
    "colorizer_classes_global_augment": "compound: colour classes + global branch + augmentation",
    "colorizer_classes_rebalanced": "compound: classes rebalanced 0.9 + global branch + augmentation",
    "colorizer_unet_mse_seed1": "seed 1 instead of 0",
    "colorizer_unet_augment_seed1": "one: augmentation (seed 1)",
}
LABELS = {  # short names for figure legends and rows
    "colorizer_rgb": "gray -> RGB",
    "colorizer_chroma_32_8": "Y -> CrCb, same architecture",
    "colorizer_base": "reference set-up",
    "colorizer_unet_mse": "U-Net, MSE",
    "colorizer": "U-Net, classes",
    "colorizer_mild_rebalance": "classes, mild",
    "colorizer_unet_global": "U-Net, MSE, global",
    "colorizer_unet_augment": "U-Net, MSE, augmented",
    "colorizer_unet_global_augment": "U-Net, MSE, global + augmented",
    "colorizer_classes_global_augment": "classes, global + augmented",
    "colorizer_classes_rebalanced": "classes (0.9), global + augmented",
    "colorizer_unet_mse_seed1": "U-Net, MSE, seed 1",
    "colorizer_unet_augment_seed1": "U-Net, MSE, augmented, seed 1",
}


class Trained(NamedTuple):
    """One experiment's model with the history and config it was trained with."""

    model: keras.Model
    history: dict
    config: CAEConfig | ColorizerConfig


class Evaluation(NamedTuple):
    """:func:`evaluate`'s results: one row per experiment, and each one's per-image test MSE."""

    table: pd.DataFrame
    per_image: dict[str, np.ndarray]


def load_or_train(name: str, data: CifarSplit | None = None, retrain: bool = False, verbose: bool = True) -> Trained:
    """The experiment's (or colorizer's) committed model, history and config if present, else train it and save it."""
    configs = EXPERIMENTS | COLORIZERS
    if name not in configs:
        raise ValueError(f"unknown experiment {name!r}; choose one of {sorted(configs)}")
    config = configs[name]
    if not retrain and model_paths(name)["model"].exists():
        saved = Trained(*load_experiment(name, type(config)))
        if saved.config == config:
            return saved
        print(f"{name}: the committed model was trained with another config; retraining")
    if data is None:
        data = cifar_split()
    print(f"training {name}: {config}")
    train = train_cae if isinstance(config, CAEConfig) else train_colorizer
    checkpoints = DATA_DIR / "checkpoints" / name  # an interrupted run resumes from its last epoch
    model, history = train(config, data.x_train, data.x_val, verbose=verbose, checkpoint_dir=checkpoints)
    save_experiment(name, model, history, config)
    return Trained(model, history, config)


def evaluate(names: list[str], data: CifarSplit, retrain: bool = False) -> Evaluation:
    """One row per experiment (latent size, parameters, epochs, validation and test MSE, test PSNR), and the
    per-image test MSE of each (for per-class errors). Loads each model, or trains it if absent."""
    rows, per_image = [], {}
    for name in names:
        model, history, config = load_or_train(name, data, retrain=retrain)
        test_mse, per_image[name] = evaluate_mse(model, data.x_test)
        height, width, channels = latent_shape(model)
        rows.append(
            {
                "experiment": name,
                "change": config.notes,
                "changes": changes(name),
                "latent": f"{height}x{width}x{channels}",
                "latent_values": height * width * channels,
                "parameters": model.count_params(),
                "epochs": len(history["loss"]),
                "best_epoch": int(np.argmin(history["val_loss"])) + 1,
                "best_val_mse": min(history["val_loss"]),
                "test_mse": test_mse,
                "test_psnr_db": float(psnr(test_mse)),
            }
        )
    return Evaluation(pd.DataFrame(rows).set_index("experiment"), per_image)


# How the report shows the tables of this module: column -> (heading, format).
COLUMNS = {
    "change": ("change", "{}"),
    "changes": ("one change?", "{}"),
    "latent": ("latent", "{}"),
    "latent_values": ("latent values", "{:,}"),
    "parameters": ("parameters", "{:,}"),
    "epochs": ("epochs", "{}"),
    "best_val_mse": ("validation MSE", "{:.4f}"),
    "test_mse": ("test MSE", "{:.4f}"),
    "test_psnr_db": ("test PSNR (dB)", "{:.1f}"),
    "median_val_mse": ("median validation MSE", "{:.4f}"),
    "min_val_mse": ("lowest", "{:.4f}"),
    "max_val_mse": ("highest", "{:.4f}"),
    "seeds": ("seeds", "{}"),
    "dead_channels": ("dead channels", "{}"),
    "jpeg_mse": ("MSE, JPEG pixels", "{:.4f}"),
    "official_mse": ("MSE, official pixels", "{:.4f}"),
    "factor": ("official / JPEG", "{:.2f}x"),
    "reference": ("reference", "{:.4f}"),  # reference_table's columns
    "ours, test split": ("ours, test split", "{:.4f}"),
    "ours, bit-exact: JPEG": ("ours, bit-exact: JPEG", "{:.4f}"),
    "ours, bit-exact: official": ("ours, bit-exact: official", "{:.4f}"),
    "our model": ("our model", "{}"),
}


def readable(table: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """``table``'s ``columns`` (default: all) as text for the report: each in its :data:`COLUMNS` format, under its
    heading; a missing value as "-"."""
    if isinstance(columns, str):
        raise ValueError(f"columns must be a list of column names, got the string {columns!r}")
    columns = list(table.columns) if columns is None else columns
    unknown = [name for name in columns if name not in COLUMNS]
    if unknown:
        raise ValueError(f"columns {unknown} have no heading and format in experiments.COLUMNS")
    shown = table[columns]
    text = shown.apply(lambda column: column.map(lambda v: "-" if pd.isna(v) else COLUMNS[column.name][1].format(v)))
    return text.rename(columns={name: COLUMNS[name][0] for name in shown.columns})


def select_best(table: pd.DataFrame, column: str = "best_val_mse") -> str:
    """The experiment (index of ``table``) with the smallest ``column``: choices are made on validation MSE."""
    if column.startswith("test"):
        raise ValueError(f"choose on validation data, not on {column!r}")
    return str(table[column].idxmin())


def study_summary(table: pd.DataFrame, base: str = "study_base", input_values: int = 3072) -> str:
    """:func:`evaluate`'s ``table`` as text, one line per experiment: changes from the base model, latent (and
    whether it is smaller than the input), epochs trained and the best one, best validation MSE and its ratio to
    ``base``'s, and test MSE; then what each compound variant changes."""
    base_val = table.best_val_mse[base]
    lines = [
        f"{'experiment':<24} {'changes':<8} {'latent':<9} {'< input':<7} {'epochs':>6} {'best':>4} {'val MSE':>8} "
        f"{'vs base':>7} {'test MSE':>8}"
    ]
    for name, row in table.iterrows():
        kind = "compound" if row.changes.startswith("compound") else row.changes
        smaller = "yes" if row.latent_values < input_values else "NO"
        lines.append(
            f"{name:<24} {kind:<8} {row.latent:<9} {smaller:<7} {row.epochs:>6} {row.best_epoch:>4} "
            f"{row.best_val_mse:>8.4f} {row.best_val_mse / base_val:>6.2f}x {row.test_mse:>8.4f}"
        )
    compound = table.index[table.changes.str.startswith("compound")]
    lines += [f"{name}: {table.changes[name]}" for name in compound]
    return "\n".join(lines)


def official_pixels(names: list[str], data: CifarSplit, subset: OfficialSubset | None) -> pd.DataFrame | None:
    """Each experiment's MSE on the same test images as JPEG pixels (``data.x_test[subset.rows]``) and as official
    pixels (``subset.x``), and their ratio ``factor``; None where there is no official subset."""
    if subset is None:
        return None
    rows = []
    for name in names:
        model = load_or_train(name, data).model
        jpeg_mse, _ = evaluate_mse(model, data.x_test[subset.rows])
        official_mse, _ = evaluate_mse(model, subset.x)
        rows.append({"experiment": name, "jpeg_mse": jpeg_mse, "official_mse": official_mse})
    table = pd.DataFrame(rows).set_index("experiment")
    return table.assign(factor=table.official_mse / table.jpeg_mse)


def seed_spread(
    data: CifarSplit, names: tuple[str, ...] = SEEDED, seeds: tuple[int, ...] = (1, 2), retrain: bool = False
) -> pd.DataFrame:
    """Best validation MSE and test MSE of each experiment over its seed 0 and its ``seeds`` (``<name>_seed<seed>``):
    one row per name with the number of seeds, and each error's mean and standard deviation (n - 1); the test MSE's
    range too. Choices compare validation errors, so the validation spread is the noise they must beat."""
    rows = []
    for name in names:
        table, _ = evaluate([name] + [f"{name}_seed{seed}" for seed in seeds], data, retrain=retrain)
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


def log_correlation(latent_values: pd.Series, errors: pd.Series) -> float:
    """Pearson r of log latent size and log error: the straight-line fit of a log-log plot."""
    return float(np.corrcoef(np.log(latent_values), np.log(errors))[0, 1])


class LatentSweep(NamedTuple):
    """One arm of the controlled latent-size sweep (``side`` x ``side`` x C, :data:`LATENT_SEEDS`), from histories."""

    runs: pd.DataFrame  # one row per model: channels, seed, latent values, best validation MSE, epochs, dead channels
    table: pd.DataFrame  # one row per channel count: latent values, median, min and max over the seeds
    correlation: float  # Pearson r of log latent values and log median validation MSE


OUTLIER = 0.25  # a seed this far (relative) from its size's median is reported on its own, not as spread
SWEEP_CHANNELS = {8: LATENT_CHANNELS, 16: ONE_POOL_CHANNELS}  # latent side -> the channel counts swept


def latent_sweep(data: CifarSplit, retrain: bool = False, side: int = 8, probe_images: int = 1000) -> LatentSweep:
    """The sweep's results at ``side`` x ``side`` x C: each model's best validation MSE (the weights early stopping
    kept) and its dead latent channels (zero at every position of the first ``probe_images`` validation images),
    per channel count the median and range over seeds, and the log-log correlation. Loads each model, or trains it
    if absent."""
    if isinstance(side, bool) or not isinstance(side, int) or side not in SWEEP_CHANNELS:
        raise ValueError(f"the sweep has latent sides {sorted(SWEEP_CHANNELS)}, not {side!r}")
    probe = data.x_val[:probe_images]
    rows = []
    for channels in SWEEP_CHANNELS[side]:
        for seed in LATENT_SEEDS:
            trained = load_or_train(latent_sweep_name(channels, seed, side), data, retrain=retrain)
            validation = trained.history["val_loss"]
            rows.append(
                {
                    "channels": channels,
                    "seed": seed,
                    "latent_values": side * side * channels,
                    "best_val_mse": min(validation),
                    "epochs": len(validation),
                    "dead_channels": dead_latent_channels(trained.model, probe),
                }
            )
    return summarise_latent_sweep(pd.DataFrame(rows))


def dead_latent_channels(model: keras.Model, images: np.ndarray) -> int:
    """How many latent channels (ReLU outputs of the last encoder convolution) are 0 for every position of every
    one of the uint8 ``images``: channels that carry nothing, so the model's real bottleneck is smaller."""
    convolutions = [layer for layer in model.layers if layer.name.startswith("encoder_conv")]
    encoder = keras.Model(model.input, convolutions[-1].output)
    latent = call_in_batches(encoder, as_float(images))
    return int(np.sum(latent.max(axis=(0, 1, 2)) <= 0))


def layout_comparison(sweeps: dict[int, LatentSweep]) -> str:
    """Markdown comparing the two layouts at the latent sizes both sweeps have: median validation MSE of
    side x side x C at equal side * side * C."""
    if len(sweeps) != 2:
        raise ValueError(f"layout_comparison compares two layouts (latent side -> sweep), got {len(sweeps)}")
    tables = {side: sweep.table.reset_index().set_index("latent_values") for side, sweep in sweeps.items()}
    small, large = sorted(tables)
    shared = tables[small].index.intersection(tables[large].index)
    if shared.empty:
        raise ValueError("the two sweeps share no latent size: nothing to compare like for like")

    def layout(side: int, size: int) -> str:
        row = tables[side].loc[size]
        return f"{side}x{side}x{int(row.channels)} {row.median_val_mse:.4f}"

    ratios = tables[large].median_val_mse[shared] / tables[small].median_val_mse[shared]
    pairs = [f"{size:,} values: {layout(small, size)}, {layout(large, size)} ({ratios[size]:.2f}x)" for size in shared]
    wins = [f"{size:,}" for size in shared if ratios[size] < 1]
    losses = [f"{size:,}" for size in shared if ratios[size] > 1]
    if len(wins) + len(losses) < len(shared):  # an exact tie somewhere
        verdict = (
            f"the {large}x{large} layout has the lower median at {', '.join(wins) or 'no'} shared sizes, the "
            f"{small}x{small} layout at {', '.join(losses) or 'no'} shared sizes, the rest tie"
        )
    elif not losses:
        verdict = (
            f"at every shared size the {large}x{large} layout (more positions, fewer channels) has the lower median"
        )
    elif not wins:
        verdict = (
            f"at every shared size the {small}x{small} layout (fewer positions, more channels) has the lower median"
        )
    else:
        verdict = (
            f"the {large}x{large} layout (more positions, fewer channels) has the lower median at {', '.join(wins)} "
            f"values, the {small}x{small} layout at {', '.join(losses)}"
        )
    return f"**Same number of latent values, two layouts** (median validation MSE): {'; '.join(pairs)}: {verdict}."


def summarise_latent_sweep(runs: pd.DataFrame) -> LatentSweep:
    """Per channel count the median and range of the runs' best validation MSE, and the log-log correlation."""
    table = runs.groupby("channels").agg(
        latent_values=("latent_values", "first"),
        median_val_mse=("best_val_mse", "median"),
        min_val_mse=("best_val_mse", "min"),
        max_val_mse=("best_val_mse", "max"),
        seeds=("seed", "count"),
        max_epochs=("epochs", "max"),
    )
    return LatentSweep(runs, table, log_correlation(table.latent_values, table.median_val_mse))


def latent_sweep_verdict(sweep: LatentSweep) -> str:
    """Markdown answering "is there a correlation between latent size and error?" from the controlled sweep: the
    trend of the medians, each step against the seeds' spread, and seeds far from their median named on their own."""
    runs, table = sweep.runs, sweep.table
    median = runs.channels.map(table.median_val_mse)
    far = (runs.best_val_mse / median - 1).abs() > OUTLIER
    usual = runs[~far].groupby("channels").best_val_mse
    spread = (usual.max() - usual.min()) / table.median_val_mse  # relative range of the seeds that agree
    medians = table.median_val_mse.to_numpy()
    steps = 1 - medians[1:] / medians[:-1]
    beyond = steps > np.maximum(spread.to_numpy()[1:], spread.to_numpy()[:-1])
    first, last = table.iloc[0], table.iloc[-1]
    trend = (
        f"every doubling of the channels lowers the median, by {steps.min():.0%} to {steps.max():.0%}"
        if (steps > 0).all()
        else "but not at every doubling of the channels"
    )
    noise = (
        "each step of the medians is larger than the agreeing seeds' spread at its two sizes"
        if beyond.all()
        else f"{int((~beyond).sum())} of {len(steps)} steps of the medians are within the agreeing seeds' spread"
    )
    if (np.diff(steps) < 0).all():
        returns = "a bigger bottleneck passes more information, with less to gain at every doubling"
    elif steps[-1] < steps[0]:
        returns = "a bigger bottleneck passes more information; the gains shrink, though not at every doubling"
    else:
        returns = "a bigger bottleneck passes more information, and the gains do not shrink here"

    def dead(row) -> str:
        return (
            f", {row.dead_channels} of its {row.channels} latent channels dead" if row.dead_channels else ", none dead"
        )

    strays = "; ".join(
        f"C = {row.channels}, seed {row.seed} ({row.best_val_mse:.4f}{dead(row)})" for row in runs[far].itertuples()
    )
    agreement = (
        f"Apart from {strays}, far from its size's median, the seeds agree within {spread.max():.0%} of their "
        "size's median"
        if strays
        else f"The seeds agree within {spread.max():.0%} of the median at every size"
    )
    side = round(np.sqrt(first.latent_values / first.name))  # the table's index is the channel count
    return (
        f"**Controlled, {side}x{side}xC: yes.** With one architecture and only the latent channels C changed "
        f"({len(table)} sizes, "
        f"{int(table.seeds.min())} seeds each, best validation MSE within {int(table.max_epochs.max())} epochs), the "
        f"median validation MSE falls from {first.median_val_mse:.4f} at {int(first.latent_values)} latent values to "
        f"{last.median_val_mse:.4f} at {int(last.latent_values)}: {trend}. {agreement}; {noise}. Log-log "
        "correlation of the medians: "
        f"r = {sweep.correlation:.2f}. The first doubling lowers the error by {steps[0]:.0%}, the last by "
        f"{steps[-1]:.0%}: {returns}."
    )


def answers(
    stride_table: pd.DataFrame,
    study_table: pd.DataFrame,
    best: str,
    correlation: float,
    official: pd.DataFrame | None,
    colour_results: pd.DataFrame,
    sweep: LatentSweep,
    tradeoff: pd.DataFrame | None = None,
    default: pd.Series | None = None,
    confirmed: pd.DataFrame | None = None,
    wide_sweep: LatentSweep | None = None,
) -> str:
    """The answers to the handout's Ex. 1-3 as Markdown, every number taken from the computed results.

    ``stride_table``/``study_table``: :func:`evaluate`'s tables (with ``cae_base``, ``study_base``); ``best``: the
    model chosen on validation MSE; ``correlation``: log-log correlation of latent size and test MSE over the study;
    ``official``: :func:`official_pixels` (or None); ``colour_results``:
    :func:`coursework.colorization.colour_table`'s table; ``sweep``: :func:`latent_sweep`; ``tradeoff`` and
    ``default``: every colorizer setting on validation (:func:`coursework.colorization.tradeoff_table`) and the
    default chosen from it (:func:`coursework.colorization.choose_colorizer`), and its one-time measurement on held-out
    data (:func:`confirm_colorizer`), for the closing of Ex. 3; ``wide_sweep``: the 16x16 arm of the latent sweep."""
    base, chosen = stride_table.loc["cae_base"], study_table.loc[best]

    def on_official(name: str) -> str:
        if official is None or name not in official.index:
            return ""
        row = official.loc[name]
        return (
            f"; on the bit-exact official test images in the split, {row.jpeg_mse:.4f} on their JPEG pixels and "
            f"{row.official_mse:.4f} on their official pixels (section 5)"
        )

    variants = len(study_table.drop(index=["study_base"], errors="ignore"))
    compound = int(study_table.changes.str.startswith("compound").sum())
    colour = colour_results
    chroma_models = colour.drop(index=["no colour", "mean chroma"])
    closest = chroma_models.vs_mean_chroma.idxmin()
    target = COLOUR_TARGETS["vs_mean_chroma"]
    reached = chroma_models.index[chroma_models.vs_mean_chroma <= target].tolist()
    verdict = f"reached by {', '.join(reached)}" if reached else "not reached by any model"
    kind = f"; a compound variant: {chosen.changes.removeprefix('compound: ')}" if "compound" in chosen.changes else ""
    trend = "a larger latent goes with a lower error" if correlation < 0 else "no lower error for a larger latent"
    rgb_filters = COLORIZERS["colorizer_rgb"].filters
    lower = (np.diff(sweep.table.median_val_mse.to_numpy()) < 0).all()
    monotonic = "every doubling of the latent lowers the median error" if lower else "not every doubling lowers it"
    start = (
        "that architecture" if rgb_filters == EXPERIMENTS[best].filters else f"channels {rgb_filters} (not `{best}`)"
    )
    single = study_table[study_table.changes == "one"]
    ratios = (single.best_val_mse / study_table.best_val_mse["study_base"]).sort_values()
    effects = "; ".join(f"{single.change[name]} {ratio:.2f}x" for name, ratio in ratios.items())
    if "study_valid_padding" in study_table.index:
        valid = study_table.best_val_mse["study_valid_padding"] / study_table.best_val_mse["study_base"]
        effects += f"; valid padding, with its mirrored decoder (compound: one decoder convolution more), {valid:.2f}x"
    wide = (
        ""
        if wide_sweep is None
        else f"; with one pooling stage fewer (16x16xC, {len(wide_sweep.table)} sizes) r = {wide_sweep.correlation:.2f}"
    )
    same = "colorizer_chroma_32_8"
    if same in colour.index:
        rgb, chroma = colour.loc["colorizer_rgb"], colour.loc[same]
        better = [
            label
            for label, wins in (
                ("closer colours", chroma.vs_mean_chroma < rgb.vs_mean_chroma),
                ("more colourful", chroma.vs_truth > rgb.vs_truth),
            )
            if wins
        ]
        head_to_head = (
            f" On the same architecture, predicting only Cr, Cb (`{same}`) gives {chroma.vs_mean_chroma:.2f}x and "
            f"{chroma.vs_truth:.2f}x: {' and '.join(better) or 'neither closer nor more colourful'}"
            f"{'' if len(better) == 2 else ' only'}, and it keeps the gray image exactly."
        )
    else:
        head_to_head = ""
    return "\n".join(
        [
            "**Ex. 1.** The prescribed network (section 2) trained for "
            f"{base.epochs} epochs on the 80/10/10 split (section 1) reaches a test MSE of {base.test_mse:.4f} on "
            f"the JPEG pixels{on_official('cae_base')}; its error per epoch is plotted in section 2.",
            "",
            f"**Ex. 2.** The base model's latent is {base.latent} = {base.latent_values} values (formula in "
            f"section 2; stride and valid padding in sections 3-4). Section 4 tries {variants} variants "
            f"({compound} of them compound, labelled in the table); one change at a time, validation MSE relative "
            f"to the base model of the same budget: {effects}. Latent size and test MSE are correlated "
            f"(log-log r = {correlation:.2f} over the study's models, section 4): "
            f"{trend}, though not the whole story; controlled, with only the latent channels changed (section 4, "
            f"{len(sweep.table)} sizes x {int(sweep.table.seeds.min())} seeds), r = {sweep.correlation:.2f} on "
            f"validation MSE{wide}, and {monotonic}. Chosen on validation MSE, the best "
            f"model with a latent smaller than the input is `{best}` ({chosen.latent}, validation MSE "
            f"{chosen.best_val_mse:.4f}{kind}); its test MSE is {chosen.test_mse:.4f}{on_official(best)}.",
            "",
            f"**Ex. 3.** Starting from {start} with gray input, predicting R, G, B (`colorizer_rgb`) gives "
            f"a chroma MSE of {colour.vs_mean_chroma['colorizer_rgb']:.2f}x the mean-chroma baseline and "
            f"{colour.vs_truth['colorizer_rgb']:.2f}x the true colourfulness (RGB PSNR "
            f"{colour.rgb_psnr_db['colorizer_rgb']:.1f} dB).{head_to_head} Of the first models (test split) the "
            f"closest is `{closest}` ({chroma_models.vs_mean_chroma[closest]:.2f}x); the chroma-MSE target (at most "
            f"{target:.2f}x the mean-chroma baseline) is {verdict} there. Shortcomings and the ideas tried (U-Net, "
            "colour classes, rebalancing, temperature) are in sections 7.2-7.5; much of the colour is not in the gray "
            f"image (the average-colour oracle of section 7.2).{_ablation_answer(tradeoff, default, confirmed)}",
        ]
    )


def _ablation_answer(tradeoff: pd.DataFrame | None, chosen: pd.Series | None, confirmed: pd.DataFrame | None) -> str:
    """The closing sentences of Ex. 3 from section 7.6's trade-off table (validation) and chosen default."""
    if tradeoff is None or chosen is None:
        return ""
    best = tradeoff.loc[tradeoff.vs_mean_chroma.idxmin()]

    def setting(row: pd.Series) -> str:
        return f"`{row.model}`" + ("" if np.isnan(row.temperature) else f" at T = {row.temperature:g}")

    both = meets_targets(tradeoff)
    meeting = f"{int(both.sum())} settings meet" if both.sum() else "no setting meets"
    held_out = (
        ""
        if confirmed is None
        else " Measured once on held-out data: "
        + ", ".join(f"{where} {row.vs_mean_chroma:.2f}x and {row.vs_truth:.2f}x" for where, row in confirmed.iterrows())
        + "."
    )
    return (
        f" Section 7.6 adds a global branch, augmentation, and colour classes without or with mild rebalancing: on "
        f"validation the closest setting of all is {setting(best)} ({best.vs_mean_chroma:.2f}x, colourfulness "
        f"{best.vs_truth:.2f}x); {meeting} both targets. The default of `colorize()`, chosen "
        f"on validation by the criterion declared before (the closest with >= {COLOUR_TARGETS['vs_truth']:.1f}x "
        f"colourfulness), is {setting(chosen)} ({chosen.vs_mean_chroma:.2f}x, {chosen.vs_truth:.2f}x).{held_out}"
    )


def colorizer_summary(colorizers: dict[str, Trained]) -> str:
    """One line per trained colorizer: notes, parameters, epochs trained of its cap, and its best validation loss and
    epoch."""
    lines = []
    for name, (model, history, config) in colorizers.items():
        loss = "cross-entropy" if config.target == "bins" else "MSE"
        epochs = f"{len(history['loss']):>2} of {config.epochs} epochs"
        lines.append(
            f"{name:<33} {config.notes:<58} {model.count_params():>7} parameters, {epochs}, "
            f"best validation {loss} {min(history['val_loss']):.4f} at epoch {np.argmin(history['val_loss']) + 1}"
        )
    return "\n".join(lines)


def colour_ablation(tradeoff: pd.DataFrame, base: str = "colorizer_unet_mse") -> pd.DataFrame:
    """Each ablation colorizer (and ``base``) on validation, from a :func:`coursework.colorization.tradeoff_table`:
    its chroma MSE relative to ``base``'s and to the mean-chroma baseline, and its colourfulness relative to the
    truth's; colour-class models at T = 1 (the mean of their predicted distribution, the setting comparable with a
    regression)."""
    names = [base, *ABLATION_COLORIZERS]
    rows = tradeoff[tradeoff.model.isin(names) & (tradeoff.temperature.isna() | (tradeoff.temperature == 1.0))]
    if base not in set(rows.model):
        raise ValueError(f"the trade-off table has no row for the base model {base!r}")
    unread = sorted(set(tradeoff.model[tradeoff.model.isin(names)]) - set(rows.model))
    if unread:
        raise ValueError(f"colour-class models {unread} were not measured at T = 1, the setting the ablation compares")
    rows = rows.set_index("model").loc[[name for name in names if name in set(rows.model)]]
    return pd.DataFrame(
        {
            "change": [ABLATION_CHANGES[name] for name in rows.index],
            "vs_unet_mse": rows.chroma_mse / rows.chroma_mse[base],
            "vs_mean_chroma": rows.vs_mean_chroma,
            "vs_truth": rows.vs_truth,
        }
    )


def confirm_colorizer(model: keras.Model, data: CifarSplit, subset: OfficialSubset | None) -> pd.DataFrame:
    """The chosen colorizer measured once on held-out images: the test split, and (with ``subset``) the bit-exact
    test images on their JPEG and their official pixels. Columns as :func:`coursework.colorization.colour_table`'s,
    with each set's own baselines."""
    sets = {"test split": data.x_test}
    if subset is not None:
        sets |= {"bit-exact, JPEG": data.x_test[subset.rows], "bit-exact, official": subset.x}
    rows = {
        where: colour_table({"chosen": model}, data.x_train, images)[0].loc["chosen"] for where, images in sets.items()
    }
    return pd.DataFrame(rows).T


def at_control_budget(trained: dict[str, Trained], control: Trained) -> pd.Series:
    """Best validation MSE within the control's epoch cap, relative to the control's best, for each regression
    colorizer in ``trained`` that may train longer: like for like where the caps differ."""
    cap, best = control.config.epochs, min(control.history["val_loss"])
    return pd.Series(
        {
            name: min(run.history["val_loss"][:cap]) / best
            for name, run in trained.items()
            if run.config.target != "bins" and run.config.epochs > cap
        },
        dtype=float,
    )


def colour_verdict(ablation: pd.DataFrame, tradeoff: pd.DataFrame, chosen: pd.Series, confirmed: pd.DataFrame) -> str:
    """Markdown summing up the colorization ablation: each change's effect against the seed-to-seed spread, the
    closest setting of all, the default chosen on validation, and whether the targets hold on the test split and the
    official pixels (``confirmed``: rows "test split", "bit-exact, JPEG", "bit-exact, official" of vs_mean_chroma and
    vs_truth for the chosen colorizer)."""
    base = ablation.vs_unet_mse.drop(index=["colorizer_unet_mse_seed1"], errors="ignore")
    seed1 = ablation.vs_unet_mse.get("colorizer_unet_mse_seed1", np.nan)
    effects = "; ".join(
        f"{ablation.change[name]}: {ratio:.3f}x" for name, ratio in base.drop("colorizer_unet_mse").items()
    )
    noise_text = f"a second seed of the MSE U-Net lands at {seed1:.3f}x" if np.isfinite(seed1) else "one seed each"
    closest = tradeoff.loc[tradeoff.vs_mean_chroma.idxmin()]
    setting = "" if np.isnan(closest.temperature) else f" at T = {closest.temperature:g}"
    mse_target, colour_target = COLOUR_TARGETS["vs_mean_chroma"], COLOUR_TARGETS["vs_truth"]
    both = tradeoff[meets_targets(tradeoff)]
    chosen_setting = "" if np.isnan(chosen.temperature) else f" at T = {chosen.temperature:g}"
    met = confirmed[meets_targets(confirmed)]
    checks = ", ".join(
        f"{where} {row.vs_mean_chroma:.2f}x / {row.vs_truth:.2f}x" for where, row in confirmed.iterrows()
    )
    return "\n".join(
        [
            f"**Each model, on validation** (chroma MSE relative to the MSE U-Net; compound: more than one change): "
            f"{effects}; {noise_text}.",
            "",
            f"**Closest setting of all:** `{closest.model}`{setting}, {closest.vs_mean_chroma:.2f}x the mean-chroma "
            f"baseline ({closest.vs_truth:.2f}x the true colourfulness). Settings that meet both targets (chroma MSE "
            f"<= {mse_target:.2f}x, colourfulness >= {colour_target:.1f}x) on validation: "
            f"{len(both) if len(both) else 'none'}.",
            "",
            f"**The default, by the declared criterion** (the closest setting that keeps >= {colour_target:.1f}x of "
            f"the true colourfulness, on validation): `{chosen.model}`{chosen_setting}, {chosen.vs_mean_chroma:.2f}x "
            f"and {chosen.vs_truth:.2f}x. Confirmed once (chroma MSE / colourfulness, relative): {checks}; both "
            f"targets met {'everywhere' if len(met) == len(confirmed) else f'in {len(met)} of {len(confirmed)}'}.",
        ]
    )


def main() -> None:
    """``python -m coursework.experiments [NAME ...] [--retrain]``: train what is missing (or everything again)."""
    parser = argparse.ArgumentParser(description="Train the autoencoders and colorizers of notebook 02.")
    parser.add_argument(
        "names", nargs="*", help=f"experiments to train (default: all of {list(EXPERIMENTS | COLORIZERS)})"
    )
    parser.add_argument("--retrain", action="store_true", help="train even where a committed model exists")
    parser.add_argument("--source", help="CIFAR-10 source (default: CIFAR10_SOURCE or keras' cache)")
    args = parser.parse_args()
    data = cifar_split(args.source)
    for name in args.names or list(EXPERIMENTS | COLORIZERS):
        load_or_train(name, data, retrain=args.retrain)


if __name__ == "__main__":
    main()
