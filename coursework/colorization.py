"""Colorization: predict the colour (chroma Cr, Cb) of an image from its luminance Y.

A colorizer is a fully convolutional ``keras.Model`` from luminance (N, H, W, 1) in [0, 1] to chroma Cr, Cb
(N, H, W, 2) in [0, 1] (see :mod:`coursework.color`); the prediction is merged with the input's own luminance. Three
training targets (``ColorizerConfig.target``):

* ``"chroma"``: regress Cr, Cb with the mean squared error: the reference set-up (with the base autoencoder).
* ``"rgb"``: regress R, G, B from Y: the assignment's first step; its colour is the chroma of its output, so that
  model maps (N, H, W, 1) to (N, H, W, 3).
* ``"bins"``: classify each pixel's chroma into the cells of a grid on the Cr-Cb plane, with class weights that favour
  rare, saturated colours, and decode the predicted distribution by its annealed mean (Zhang, Isola & Efros 2016,
  "Colorful Image Colorization"). A regression learns the conditional *mean* colour, which for an ambiguous object
  (a red or a blue car) is a washed-out brown; a distribution keeps both modes, and the temperature sets how far
  the decoder leans towards the most likely one (1: the mean, towards 0: the mode).

The U-Net predicts chroma at half resolution (bilinearly upsampled at the end): chroma varies slowly, and JPEG keeps
it at half resolution anyway. Downsampling then upsampling the true test chroma this way costs an MSE of 0.00001,
about 0.5 % of the mean-chroma baseline's error.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf
from keras import layers

from coursework.autoencoders import as_float, build_cae, call_in_batches, check_images, fit, image_dataset, psnr
from coursework.color import LUMA_WEIGHTS, RGB_TO_YCRCB, YCRCB_OFFSET, colourfulness, rgb_to_ycrcb, ycrcb_to_rgb
from coursework.paths import MODELS_DIR

TARGETS = ("chroma", "rgb", "bins")
ARCHITECTURES = ("cae", "unet")


@dataclass(frozen=True)
class ColorizerConfig:
    """Everything that defines one colorizer experiment: architecture, target, loss and training."""

    architecture: str = "unet"  # "cae": build_cae with 1 channel in; "unet": build_unet
    filters: tuple[int, ...] = (16, 32, 64, 64)
    target: str = "bins"
    bin_size: float = 0.05  # "bins": grid step on the Cr-Cb plane
    rebalance: float = 0.5  # "bins": weight of the uniform distribution in the class weights (Zhang's lambda)
    temperature: float = 0.38  # "bins": annealed-mean temperature of the saved model (Zhang's value)
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = 20
    patience: int | None = 3
    seed: int = 0
    notes: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {self.architecture!r}")
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}, got {self.target!r}")
        if self.target == "bins" and self.architecture != "unet":
            raise ValueError("target 'bins' needs architecture 'unet' (its head predicts at half resolution)")
        if not 0 < self.bin_size <= 0.5 or not 0 <= self.rebalance <= 1 or self.temperature <= 0:
            raise ValueError("need 0 < bin_size <= 0.5, 0 <= rebalance <= 1 and temperature > 0")


# --- models ------------------------------------------------------------------------------------------------------


def build_unet(filters: tuple[int, ...] = (16, 32, 64, 64), head_channels: int = 2, name: str = "unet") -> keras.Model:
    """A small U-Net from luminance (N, H, W, 1) to ``head_channels`` linear outputs at half resolution.

    Encoder: one 3x3 ReLU convolution per level with ``filters[i]`` channels, 2x2 max pooling between levels, the
    last entry at the bottom (1/8 of the input for four entries). Decoder: upsample, concatenate the encoder's
    features of that level (the skip connection that carries edges and positions past the bottleneck), convolve;
    it stops at half resolution, where a 1x1 convolution gives the head.
    """
    if len(filters) < 3 or min(filters) < 1:
        raise ValueError(f"filters needs at least three positive channel counts, got {filters}")
    inputs = keras.Input((None, None, 1), name="luma")
    x, skips = inputs, []
    for level, channels in enumerate(filters[:-1]):
        x = layers.Conv2D(channels, 3, padding="same", activation="relu", name=f"down{level + 1}")(x)
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"pool{level + 1}")(x)
    x = layers.Conv2D(filters[-1], 3, padding="same", activation="relu", name="bottom")(x)
    for level in reversed(range(1, len(filters) - 1)):
        x = layers.UpSampling2D(2, name=f"up{level + 1}")(x)
        x = layers.Concatenate(name=f"skip{level + 1}")([x, skips[level]])
        x = layers.Conv2D(filters[level], 3, padding="same", activation="relu", name=f"up{level + 1}_conv")(x)
    outputs = layers.Conv2D(head_channels, 1, name="head")(x)
    return keras.Model(inputs, outputs, name=name)


@keras.saving.register_keras_serializable(package="coursework")
class AnnealedMean(layers.Layer):
    """Chroma from per-pixel logits over colour bins: sum_q softmax(logits / T)_q * centre_q (Zhang et al. 2016)."""

    def __init__(self, centres: np.ndarray | list, temperature: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.centres = np.asarray(centres, dtype=np.float32)
        self.temperature = float(temperature)

    def call(self, logits):
        probabilities = keras.ops.softmax(logits / self.temperature, axis=-1)
        return keras.ops.tensordot(probabilities, keras.ops.convert_to_tensor(self.centres), axes=1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape[:-1], 2)

    def get_config(self) -> dict:
        return super().get_config() | {"centres": self.centres.tolist(), "temperature": self.temperature}


def colorizer_from_logits(logits_model: keras.Model, centres: np.ndarray, temperature: float) -> keras.Model:
    """The saved form of a ``"bins"`` colorizer: luminance -> logits -> annealed-mean chroma, upsampled to full size."""
    chroma = AnnealedMean(centres, temperature, name="annealed_mean")(logits_model.output)
    chroma = layers.UpSampling2D(2, interpolation="bilinear", name="chroma")(chroma)
    return keras.Model(logits_model.input, chroma, name="colorizer")


def build_colorizer(config: ColorizerConfig, classes: int | None = None) -> keras.Model:
    """The (uncompiled) model that ``config`` trains: for ``"bins"``, luminance -> logits over ``classes`` bins."""
    if config.architecture == "cae":
        return build_cae(
            config.filters,
            output_activation="sigmoid",
            input_channels=1,
            output_channels=3 if config.target == "rgb" else 2,
            image_size=None,
            name="colorizer",
        )
    if config.target == "bins":
        if classes is None:
            raise ValueError("a 'bins' colorizer needs the number of colour classes")
        return build_unet(config.filters, head_channels=classes, name="colorizer_logits")
    unet = build_unet(config.filters, head_channels=3 if config.target == "rgb" else 2)
    outputs = layers.Activation("sigmoid", name="sigmoid")(unet.output)
    outputs = layers.UpSampling2D(2, interpolation="bilinear", name="full_size")(outputs)
    return keras.Model(unet.input, outputs, name="colorizer")


def downsampling_factor(model: keras.Model) -> int:
    """The factor the model's sides must be multiples of: the product of its pooling sizes."""
    pools = [layer.pool_size[0] for layer in model.layers if isinstance(layer, layers.MaxPooling2D)]
    return int(np.prod(pools)) if pools else 1


# --- colour bins ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColourBins:
    """The colour classes of a ``"bins"`` colorizer: the occupied cells of a ``bin_size`` grid on the Cr-Cb plane.

    ``cell_to_class`` maps every grid cell (row = Cr cell, column = Cb cell, flattened) to a class; cells no
    training pixel fell into go to the nearest class. ``weights`` are the rebalancing class weights.
    """

    bin_size: float
    centres: np.ndarray  # (Q, 2) Cr, Cb of each class
    cell_to_class: np.ndarray  # (cells * cells,) int32
    weights: np.ndarray  # (Q,) float32, mean 1 under the training distribution

    @property
    def cells(self) -> int:
        return cells_per_side(self.bin_size)


def cells_per_side(bin_size: float) -> int:
    """Grid cells along each chroma axis of [0, 1] (the last one may be narrower)."""
    return int(np.ceil(1 / bin_size - 1e-9))


def _chroma(rgb: tf.Tensor) -> tf.Tensor:
    """Cr, Cb (..., 2) of float RGB (..., 3) in TensorFlow, with the constants of :mod:`coursework.color`."""
    return tf.tensordot(rgb, tf.constant(RGB_TO_YCRCB[1:].T, tf.float32), axes=1) + tf.constant(
        YCRCB_OFFSET[1:], tf.float32
    )


def half_resolution_chroma(rgb: tf.Tensor) -> tf.Tensor:
    """Cr, Cb of float RGB batches (N, H, W, 3), averaged over 2x2 blocks: the colorizers' half-resolution target."""
    return tf.nn.avg_pool2d(_chroma(rgb), 2, 2, "VALID")


def fit_bins(images: np.ndarray, bin_size: float, rebalance: float, batch_size: int = 2000) -> ColourBins:
    """Count the half-resolution chroma of uint8 ``images`` in grid cells; classes and weights from the counts.

    Weights follow Zhang et al.: w proportional to 1 / ((1 - rebalance) p + rebalance / Q), with p the class
    frequencies smoothed by a Gaussian of one cell, normalised so that the expected weight is 1.
    """
    cells = cells_per_side(bin_size)
    counts = np.zeros(cells * cells, dtype=np.int64)
    for start in range(0, len(images), batch_size):
        rgb = tf.cast(images[start : start + batch_size], tf.float32) / 255.0
        counts += np.bincount(_grid_cells(half_resolution_chroma(rgb), bin_size).numpy().ravel(), minlength=cells**2)
    occupied = np.flatnonzero(counts)
    grid = np.stack(np.unravel_index(np.arange(cells**2), (cells, cells)), axis=1)
    centres = (grid[occupied] + 0.5) * bin_size
    nearest = np.argmin(((grid[:, None, :] - grid[None, occupied, :]) ** 2).sum(-1), axis=1)
    smoothed = _gaussian_smooth(counts.reshape(cells, cells).astype(np.float64), sigma=1.0).ravel()[occupied]
    probabilities = smoothed / smoothed.sum()
    weights = 1 / ((1 - rebalance) * probabilities + rebalance / len(occupied))
    empirical = counts[occupied] / counts.sum()
    weights /= (empirical * weights).sum()
    return ColourBins(bin_size, centres.astype(np.float32), nearest.astype(np.int32), weights.astype(np.float32))


def _grid_cells(chroma: tf.Tensor, bin_size: float) -> tf.Tensor:
    """Flattened grid-cell index of each chroma pair (..., 2)."""
    cells = cells_per_side(bin_size)
    index = tf.clip_by_value(tf.cast(tf.floor(chroma / bin_size), tf.int32), 0, cells - 1)
    return index[..., 0] * cells + index[..., 1]


def _gaussian_smooth(grid: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of a 2-D array (zero outside)."""
    radius = int(np.ceil(3 * sigma))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    kernel /= kernel.sum()
    rows = np.apply_along_axis(np.convolve, 0, grid, kernel, mode="same")
    return np.apply_along_axis(np.convolve, 1, rows, kernel, mode="same")


def rebalanced_crossentropy(weights: np.ndarray):
    """Per-pixel cross-entropy between logits and the target class, times the target class's weight."""
    class_weights = tf.constant(weights, tf.float32)

    def loss(target_class, logits):
        target_class = tf.cast(target_class, tf.int32)
        crossentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target_class, logits=logits)
        return crossentropy * tf.gather(class_weights, target_class)

    return loss


# --- training ------------------------------------------------------------------------------------------------------


def training_pairs(config: ColorizerConfig, bins: ColourBins | None = None):
    """The function that turns a float RGB batch into (luminance, target) for ``config``'s target."""
    luma_weights = tf.constant(LUMA_WEIGHTS[:, None], tf.float32)

    def pairs(rgb: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        luma = tf.tensordot(rgb, luma_weights, axes=1)
        if config.target == "rgb":
            return luma, rgb
        if config.target == "chroma":
            return luma, _chroma(rgb)
        cells = _grid_cells(half_resolution_chroma(rgb), bins.bin_size)
        return luma, tf.gather(tf.constant(bins.cell_to_class), cells)

    return pairs


def train_colorizer(
    config: ColorizerConfig, x_train: np.ndarray, x_val: np.ndarray, verbose: bool = True
) -> tuple[keras.Model, dict]:
    """Train a colorizer on uint8 RGB images; returns (the model in its saved form, uncompiled, and history).

    Seeds everything first. Adam, early stopping on the validation loss (best weights restored). For ``"bins"``
    the class grid and weights come from ``x_train`` and the history also holds them.
    """
    x_train, x_val = check_images(x_train, "x_train"), check_images(x_val, "x_val")
    keras.backend.clear_session()
    keras.utils.set_random_seed(config.seed)
    bins = fit_bins(x_train, config.bin_size, config.rebalance) if config.target == "bins" else None
    model = build_colorizer(config, classes=None if bins is None else len(bins.centres))
    loss = "mse" if bins is None else rebalanced_crossentropy(bins.weights)
    model.compile(  # several steps per call, as in coursework.autoencoders.compile_cae
        optimizer=keras.optimizers.Adam(learning_rate=config.learning_rate), loss=loss, steps_per_execution=32
    )
    pairs = training_pairs(config, bins)
    history = fit(
        model,
        image_dataset(x_train, config.batch_size, shuffle_seed=config.seed, pairs=pairs),
        image_dataset(x_val, 256, shuffle_seed=None, pairs=pairs),
        epochs=config.epochs,
        patience=config.patience,
        verbose=verbose,
    )
    if bins is None:
        model = keras.Model(model.input, model.output, name="colorizer")  # uncompiled: saved without Adam's state
    else:
        model = colorizer_from_logits(model, bins.centres, config.temperature)
        history |= {"bin_centres": bins.centres.tolist(), "bin_weights": bins.weights.tolist()}
    return model, history


def with_temperature(model: keras.Model, temperature: float) -> keras.Model:
    """The same ``"bins"`` colorizer (shared weights) decoding with another annealed-mean temperature."""
    annealed = model.get_layer("annealed_mean")
    logits_model = keras.Model(model.input, annealed.input)
    return colorizer_from_logits(logits_model, annealed.centres, temperature)


# --- prediction ----------------------------------------------------------------------------------------------------


def predict_chroma(model: keras.Model, luma: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """Chroma (N, H, W, 2) for float luminance (N, H, W, 1); sides must be multiples of the model's factor.

    A model with three outputs (``target="rgb"``) gives RGB: its chroma is that of its output.
    """
    outputs = call_in_batches(model, luma, batch_size)
    return rgb_to_ycrcb(np.clip(outputs, 0, 1))[..., 1:] if outputs.shape[-1] == 3 else outputs


@functools.cache
def load_colorizer(name: str = "colorizer", directory: Path = MODELS_DIR) -> keras.Model:
    """A committed colorizer (``models/<name>.keras``), loaded once per session."""
    path = Path(directory) / f"{name}.keras"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: train it with `python -m coursework.cae_experiments {name}`")
    return keras.models.load_model(path)


def colorize(images: np.ndarray | str | os.PathLike, model: keras.Model | None = None) -> np.ndarray:
    """Colourise RGB or grayscale images; returns RGB images of the same size and dtype convention.

    ``images``: an image file path, or an array: (H, W) gray, (H, W, 1 or 3) one image, (N, H, W, 1 or 3) a batch;
    uint8 (0..255) or float in [0, 1]. RGB input is first reduced to its luminance (its colour is discarded). Sides
    that are not multiples of the model's down-sampling factor are edge-padded, and the padding cropped again.
    Returns (H, W, 3) for a single image or path, (N, H, W, 3) for a batch; uint8 for uint8 input and paths, else
    float in [0, 1]. ``model`` defaults to the committed ``models/colorizer.keras``.
    """
    if isinstance(images, (str, os.PathLike)):
        return colorize(_read_image(Path(images)), model)
    luma, single, dtype = _luminance(images)
    model = load_colorizer() if model is None else model
    factor = downsampling_factor(model)
    height, width = luma.shape[1:3]
    padding = ((0, 0), (0, -height % factor), (0, -width % factor), (0, 0))
    chroma = predict_chroma(model, np.pad(luma, padding, mode="edge"))[:, :height, :width]
    rgb = ycrcb_to_rgb(np.concatenate([luma, chroma], axis=-1))
    rgb = np.round(rgb * 255).astype(np.uint8) if dtype == np.uint8 else rgb.astype(dtype)
    return rgb[0] if single else rgb


def _read_image(path: Path) -> np.ndarray:
    """An image file as a uint8 array: (H, W) for grayscale files, else (H, W, 3)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("L" if image.mode in ("L", "I", "I;16", "1") else "RGB"))
    except (FileNotFoundError, IsADirectoryError, UnidentifiedImageError, OSError) as error:
        raise ValueError(f"cannot read an image from {path}: {error}") from error


def _luminance(images: np.ndarray) -> tuple[np.ndarray, bool, np.dtype]:
    """Float32 luminance (N, H, W, 1) of ``images``, whether it was a single image, and its dtype."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        values = images.astype(np.float32) / 255.0
    elif images.dtype.kind == "f":
        if not np.all(np.isfinite(images)):
            raise ValueError("images contain NaN or infinite values")
        if images.size and (images.min() < 0 or images.max() > 1):
            raise ValueError(f"float images must lie in [0, 1], got [{images.min():.3g}, {images.max():.3g}]")
        values = images.astype(np.float32)
    else:
        raise ValueError(f"images must be uint8 (0..255) or float in [0, 1], got dtype {images.dtype}")
    if images.ndim == 2:
        values = values[None, ..., None]
    elif images.ndim in (3, 4) and images.shape[-1] in (1, 3):
        values = values[None] if images.ndim == 3 else values
    else:
        raise ValueError(
            f"images must be (H, W) gray, (H, W, 1 or 3) or a batch (N, H, W, 1 or 3), got shape {images.shape}"
        )
    if min(values.shape[:3]) < 1:
        raise ValueError(f"images must not be empty, got shape {images.shape}")
    luma = values @ LUMA_WEIGHTS.astype(np.float32)[:, None] if values.shape[-1] == 3 else values
    return luma, images.ndim in (2, 3), images.dtype


# --- evaluation ----------------------------------------------------------------------------------------------------


def split_luma_chroma(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Luminance (N, H, W, 1) and chroma (N, H, W, 2), float32, of uint8 RGB ``images``."""
    ycrcb = rgb_to_ycrcb(as_float(images))
    return ycrcb[..., :1], ycrcb[..., 1:]


def mean_chroma(images: np.ndarray, batch_size: int = 4000) -> np.ndarray:
    """The average Cr, Cb of uint8 RGB ``images`` (float64 sums, batch by batch: float32 sums drift at this size)."""
    total = sum(
        split_luma_chroma(images[start : start + batch_size])[1].sum(axis=(0, 1, 2), dtype=np.float64)
        for start in range(0, len(images), batch_size)
    )
    return (total / (len(images) * images.shape[1] * images.shape[2])).astype(np.float32)


def colour_metrics(chroma: np.ndarray, images: np.ndarray) -> dict[str, np.ndarray]:
    """Per-image chroma MSE, RGB PSNR and colourfulness of predicted ``chroma`` merged with the uint8 ``images``'
    own luminance, and the colourfulness of the ground truth."""
    truth = as_float(images)
    ycrcb = rgb_to_ycrcb(truth)
    luma, true_chroma = ycrcb[..., :1], ycrcb[..., 1:]
    if chroma.shape != true_chroma.shape:
        raise ValueError(f"chroma {chroma.shape} does not match the images' {true_chroma.shape}")
    predicted = ycrcb_to_rgb(np.concatenate([luma, chroma.astype(np.float32)], axis=-1))
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
