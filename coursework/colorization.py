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
import math
import numbers
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import numpy as np

from coursework._tensorflow import keras, layers, tf
from coursework.autoencoders import build_cae
from coursework.color import LUMA_WEIGHTS, RGB_TO_YCRCB, YCRCB_OFFSET, merge_luma_chroma, rgb_to_ycrcb
from coursework.images import check_images
from coursework.store import load_model_file, model_paths
from coursework.training import call_in_batches, check_training_settings, compile_model, start_session, train_model

TARGETS = ("chroma", "rgb", "bins")
ARCHITECTURES = ("cae", "unet")
LOSS_NAMES = {"chroma": "chroma MSE", "rgb": "RGB MSE", "bins": "cross-entropy"}  # the loss per target


@dataclass(frozen=True)
class ColorizerConfig:
    """Everything that defines one colorizer experiment: architecture, target, loss and training."""

    architecture: str = "unet"  # "cae": build_cae with 1 channel in; "unet": build_unet
    filters: tuple[int, ...] = (16, 32, 64, 64)
    target: str = "bins"
    bin_size: float = 0.05  # "bins": grid step on the Cr-Cb plane
    rebalance: float = 0.5  # "bins": weight of the uniform distribution in the class weights (Zhang's lambda)
    temperature: float = 0.38  # "bins": annealed-mean temperature of the saved model (Zhang's value)
    global_features: int = 0  # "unet": width of a global branch fused into the bottleneck (0: none)
    augment: bool = False  # random horizontal flips and shifts of the training images
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
        if not 0 < self.bin_size <= 0.5:
            raise ValueError(f"bin_size must lie in (0, 0.5], got {self.bin_size!r}")
        if not 0 <= self.rebalance <= 1:
            raise ValueError(f"rebalance must lie in [0, 1], got {self.rebalance!r}")
        check_temperature(self.temperature)
        object.__setattr__(self, "global_features", check_global_features(self.global_features))  # plain int for JSON
        if not isinstance(self.augment, (bool, np.bool_)):
            raise ValueError(f"augment must be True or False, got {self.augment!r}")
        object.__setattr__(self, "augment", bool(self.augment))
        if self.global_features and self.architecture != "unet":
            raise ValueError("global_features needs architecture 'unet'")
        check_training_settings(self)

    @property
    def loss_name(self) -> str:
        """The training loss, as a figure labels it: "chroma MSE", "RGB MSE", "cross-entropy" or (with class weights,
        ``rebalance`` < 1) "rebalanced cross-entropy"."""
        rebalanced = self.target == "bins" and self.rebalance < 1
        return f"rebalanced {LOSS_NAMES[self.target]}" if rebalanced else LOSS_NAMES[self.target]


def check_temperature(temperature: float) -> float:
    """``temperature`` as a float if it is finite and > 0, else a ValueError.

    The annealed mean divides the logits by it: 0 gives NaN or an all-black image, NaN gives NaN everywhere.
    """
    if not isinstance(temperature, numbers.Real) or isinstance(temperature, bool) or not math.isfinite(temperature):
        raise ValueError(f"temperature must be a finite number > 0, got {temperature!r}")
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0 (1: the mean colour, towards 0: the most likely), got {temperature}")
    return float(temperature)


def check_global_features(width: int) -> int:
    """``width`` (the global branch's, 0 for none) as an int if it is a whole number >= 0, else a ValueError."""
    if isinstance(width, (bool, np.bool_)) or not isinstance(width, numbers.Integral) or width < 0:
        raise ValueError(f"global_features must be a whole number >= 0, got {width!r}")
    return int(width)


# --- models ------------------------------------------------------------------------------------------------------


def build_unet(
    filters: tuple[int, ...] = (16, 32, 64, 64), head_channels: int = 2, name: str = "unet", global_features: int = 0
) -> keras.Model:
    """A small U-Net from luminance (N, H, W, 1) to ``head_channels`` linear outputs at half resolution.

    Encoder: one 3x3 ReLU convolution per level with ``filters[i]`` channels, 2x2 max pooling between levels, the
    last entry at the bottom (1/8 of the input for four entries). Decoder: upsample, concatenate the encoder's
    features of that level (the skip connection that carries edges and positions past the bottleneck), convolve;
    it stops at half resolution, where a 1x1 convolution gives the head.

    ``global_features > 0`` adds a global branch (Iizuka, Simo-Serra & Ishikawa 2016, "Let there be Color!"): the
    bottom's features averaged over the whole image, through two dense layers of that width, added to every position
    of the bottom (the same as concatenating them and mixing with a 1x1 convolution). Each pixel's colour can then
    depend on what the whole image shows, the scene, which its own receptive field may not reveal.
    """
    if len(filters) < 3 or min(filters) < 1:
        raise ValueError(f"filters needs at least three positive channel counts, got {filters}")
    global_features = check_global_features(global_features)
    inputs = keras.Input((None, None, 1), name="luma")
    x, skips = inputs, []
    for level, channels in enumerate(filters[:-1]):
        x = layers.Conv2D(channels, 3, padding="same", activation="relu", name=f"down{level + 1}")(x)
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"pool{level + 1}")(x)
    x = layers.Conv2D(filters[-1], 3, padding="same", activation="relu", name="bottom")(x)
    if global_features:
        scene = layers.GlobalAveragePooling2D(name="global_pool")(x)
        scene = layers.Dense(global_features, activation="relu", name="global1")(scene)
        scene = layers.Dense(filters[-1], name="global2")(scene)
        local = layers.Conv2D(filters[-1], 1, name="fusion_local")(x)
        x = layers.Add(name="fusion")([local, layers.Reshape((1, 1, filters[-1]), name="global_map")(scene)])
        x = layers.ReLU(name="fusion_relu")(x)
    for level in reversed(range(1, len(filters) - 1)):
        x = layers.UpSampling2D(2, name=f"up{level + 1}")(x)
        x = layers.Concatenate(name=f"skip{level + 1}")([x, skips[level]])
        x = layers.Conv2D(filters[level], 3, padding="same", activation="relu", name=f"up{level + 1}_conv")(x)
    outputs = layers.Conv2D(head_channels, 1, name="head")(x)
    return keras.Model(inputs, outputs, name=name)


def colorizer_from_logits(logits_model: keras.Model, centres: np.ndarray, temperature: float) -> keras.Model:
    """The saved form of a ``"bins"`` colorizer: luminance -> logits -> annealed-mean chroma, upsampled to full size.

    The annealed mean, sum_q softmax(logits / T)_q * centre_q (Zhang et al. 2016), is built from Keras's own layers
    (a rescaling by 1 / T, a softmax, and a fixed 1x1 convolution whose kernel holds the bin centres), so the file
    loads with plain ``keras.models.load_model``, no custom classes needed.
    """
    centres = np.asarray(centres, dtype=np.float32)
    scaled = layers.Rescaling(1 / check_temperature(temperature), name="temperature")(logits_model.output)
    probabilities = layers.Softmax(name="probabilities")(scaled)
    mean = layers.Conv2D(2, 1, use_bias=False, trainable=False, name="annealed_mean")
    chroma = mean(probabilities)
    mean.set_weights([centres[None, None]])
    chroma = layers.UpSampling2D(2, interpolation="bilinear", name="chroma")(chroma)
    return keras.Model(logits_model.input, chroma, name="colorizer")


def is_colour_class_model(model: keras.Model) -> bool:
    """Whether ``model`` is a ``"bins"`` colorizer (in its saved form), whose decoding temperature can be changed."""
    names = {layer.name: layer for layer in model.layers}
    return isinstance(names.get("temperature"), layers.Rescaling) and isinstance(
        names.get("annealed_mean"), layers.Conv2D
    )


def _colour_class_model(model: keras.Model) -> keras.Model:
    if not isinstance(model, keras.Model) or not is_colour_class_model(model):
        raise ValueError(
            "this needs a colour-class colorizer (target 'bins', e.g. load_colorizer('colorizer')): a regression "
            "colorizer predicts its colour directly and has no temperature"
        )
    return model


def decoding_temperature(model: keras.Model) -> float:
    """The annealed-mean temperature a ``"bins"`` colorizer decodes with (to 12 significant digits, undoing 1 / T)."""
    return float(f"{1 / float(_colour_class_model(model).get_layer('temperature').scale):.12g}")


def bin_centres(model: keras.Model) -> np.ndarray:
    """The colour classes' (Cr, Cb) centres (Q, 2) of a ``"bins"`` colorizer."""
    return _colour_class_model(model).get_layer("annealed_mean").get_weights()[0][0, 0]


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
        return build_unet(config.filters, classes, "colorizer_logits", config.global_features)
    unet = build_unet(config.filters, 3 if config.target == "rgb" else 2, global_features=config.global_features)
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
    centres: np.ndarray  # (Q, 2) Cr, Cb of each class: the middle of its cell, clipped to [0, 1]
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


def half_resolution_error(chroma: np.ndarray) -> float:
    """Chroma MSE of averaging ``chroma`` (N, H, W, 2; H, W even) over 2x2 blocks and repeating each average back
    over its block: what predicting chroma at half resolution costs at best."""
    n, height, width, channels = chroma.shape
    blocks = chroma.reshape(n, height // 2, 2, width // 2, 2, channels).astype(np.float64)
    return float(np.mean((blocks - blocks.mean(axis=(2, 4), keepdims=True)) ** 2))


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
    centres = (grid[occupied] * bin_size + np.minimum((grid[occupied] + 1) * bin_size, 1.0)) / 2
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
    """Separable Gaussian blur of a 2-D array (zero outside), of the same shape as ``grid``.

    The full convolution, cropped by the kernel's radius: ``np.convolve(mode="same")`` returns the longer of its
    inputs, the kernel for grids narrower than it.
    """
    radius = int(np.ceil(3 * sigma))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    kernel /= kernel.sum()

    def blur(line: np.ndarray) -> np.ndarray:
        return np.convolve(line, kernel)[radius : radius + len(line)]

    return np.apply_along_axis(blur, 1, np.apply_along_axis(blur, 0, grid))


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
    config: ColorizerConfig,
    x_train: np.ndarray,
    x_val: np.ndarray,
    verbose: bool = True,
    checkpoint_dir: Path | None = None,
) -> tuple[keras.Model, dict]:
    """Train a colorizer on uint8 RGB images; returns (the model in its saved form, uncompiled, and history).

    Seeds everything first. Adam, early stopping on the validation loss (best weights restored). For ``"bins"``
    the class grid and weights come from ``x_train`` and the history also holds them. ``checkpoint_dir``: as
    :func:`coursework.training.train_model` (resumable training).
    """
    x_train, x_val = check_images(x_train, "x_train"), check_images(x_val, "x_val")
    start_session(config.seed)
    bins = fit_bins(x_train, config.bin_size, config.rebalance) if config.target == "bins" else None
    model = build_colorizer(config, classes=None if bins is None else len(bins.centres))
    compile_model(model, "mse" if bins is None else rebalanced_crossentropy(bins.weights), config.learning_rate)
    pairs = training_pairs(config, bins)
    history = train_model(
        model, config, x_train, x_val, pairs, config.augment, verbose=verbose, checkpoint_dir=checkpoint_dir
    )
    if bins is None:
        model = keras.Model(model.input, model.output, name="colorizer")  # uncompiled: saved without Adam's state
    else:
        model = colorizer_from_logits(model, bins.centres, config.temperature)
        history |= {"bin_centres": bins.centres.tolist(), "bin_weights": bins.weights.tolist()}
    return model, history


def with_temperature(model: keras.Model, temperature: float) -> keras.Model:
    """The same ``"bins"`` colorizer (shared weights) decoding with another annealed-mean temperature."""
    logits_model = keras.Model(model.input, _colour_class_model(model).get_layer("temperature").input)
    return colorizer_from_logits(logits_model, bin_centres(model), temperature)


# --- prediction ----------------------------------------------------------------------------------------------------


def predict_chroma(model: keras.Model, luma: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """Chroma (N, H, W, 2) for float luminance (N, H, W, 1); sides must be multiples of the model's factor.

    A model with three outputs (``target="rgb"``) gives RGB: its chroma is that of its output.
    """
    outputs = call_in_batches(model, luma, batch_size)
    return rgb_to_ycrcb(np.clip(outputs, 0, 1))[..., 1:] if outputs.shape[-1] == 3 else outputs


@functools.cache
def load_colorizer(name: str = "colorizer", directory: Path | None = None) -> keras.Model:
    """A committed colorizer (``models/<name>.keras``, or in ``directory``), loaded once per session."""
    return load_model_file(model_paths(name, directory)["model"])


# What ``colorize`` uses by default: a committed colorizer and, for a colour-class one, its decoding temperature;
# chosen by :func:`choose_colorizer`'s criterion on the validation split (notebook 02, section 7.6 checks it).
DEFAULT_COLORIZER = ("colorizer_classes_global_augment", 2.0)


def default_colorizer() -> keras.Model:
    """The colorizer ``colorize`` uses unless told otherwise: :data:`DEFAULT_COLORIZER`."""
    name, temperature = DEFAULT_COLORIZER
    model = load_colorizer(name)
    return model if temperature is None else with_temperature(model, temperature)


# colorize's default tile side in pixels: the committed U-Net then needs about 0.4 GB at a time (README, Errors).
TILE_SIZE = 512

# Layers whose output pixel depends on the same input pixels as their input's (no spatial extent).
_POINTWISE_LAYERS = (
    layers.Activation,
    layers.ReLU,
    layers.BatchNormalization,
    layers.Dropout,
    layers.Rescaling,
    layers.Softmax,
)

Reach = tuple[Fraction, Fraction, Fraction]  # (jump, low, high): pixel i sees input pixels i*jump+low..i*jump+high


def tiling_geometry(model: keras.Model) -> tuple[int, int] | None:
    """(alignment, margin) in input pixels for running ``model`` on overlapping tiles, or None if unknown.

    Follows every tensor of the model's graph from the input and records which input pixels each of its pixels
    depends on. A tile whose corners lie on multiples of ``alignment`` (every stride, so the pooling grids of tile
    and image coincide) and that extends ``margin`` pixels (the receptive field's reach, rounded up to the
    alignment) beyond the part kept computes exactly what the whole image does there: no seams. None for models
    that are not a single-input, single-output graph of the layer kinds handled in :func:`_layer_reach`.
    """
    try:
        (model_output,) = model.outputs
        (model_input,) = [tensor for tensor in model.inputs if len(tensor.shape) == 4]
    except (AttributeError, TypeError, ValueError):  # a subclassed model has no graph to follow
        return None
    reach: dict[int, Reach | str] = {id(model_input): (Fraction(1), Fraction(0), Fraction(0))}
    reach |= {id(tensor): _GLOBAL for tensor in model.inputs if len(tensor.shape) == 2}  # one vector per image
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        inputs = layer.input if isinstance(layer.input, list) else [layer.input]
        if any(id(tensor) not in reach for tensor in inputs):
            return None
        output_reach = _layer_reach(layer, [reach[id(tensor)] for tensor in inputs])
        if output_reach is None or not isinstance(layer.output, keras.KerasTensor):
            return None
        reach[id(layer.output)] = output_reach
    if reach.get(id(model_output), _GLOBAL) == _GLOBAL or reach[id(model_output)][0] != 1:
        return None
    jumps = [value[0] for value in reach.values() if value != _GLOBAL]
    if any(jump.denominator != 1 for jump in jumps):
        return None
    alignment = math.lcm(*(int(jump) for jump in jumps))
    _, low, high = reach[id(model_output)]
    return alignment, _round_up(math.ceil(max(-low, high)), alignment)


_GLOBAL = "global"  # the reach of a tensor that is the same for every pixel of an image (a global branch's vector)


def _layer_reach(layer: layers.Layer, inputs: list[Reach | str]) -> Reach | str | None:
    """The reach of ``layer``'s output from that of its inputs; None for layer kinds not handled here.

    Convolutions and pooling use TensorFlow's "same" padding for inputs that are multiples of the stride (the
    tiles are); bilinear upsampling interpolates between the two input pixels nearest the half-pixel centre. A
    global vector (:data:`_GLOBAL`) stays global through dense, reshaping and pointwise layers, and adds no reach
    where it is added to or concatenated with pixels.
    """
    if all(value == _GLOBAL for value in inputs):
        return _GLOBAL if isinstance(layer, (layers.Dense, layers.Reshape, *_POINTWISE_LAYERS)) else None
    inputs = [value for value in inputs if value != _GLOBAL]
    if isinstance(layer, (layers.Concatenate, layers.Add)):
        if len({jump for jump, _, _ in inputs}) != 1:
            return None
        return inputs[0][0], min(low for _, low, _ in inputs), max(high for _, _, high in inputs)
    if len(inputs) != 1:
        return None
    (jump, low, high) = inputs[0]
    if isinstance(layer, _POINTWISE_LAYERS):
        return jump, low, high
    if isinstance(layer, (layers.Conv2D, layers.MaxPooling2D, layers.AveragePooling2D)):
        is_conv = isinstance(layer, layers.Conv2D)
        window, strides = layer.kernel_size if is_conv else layer.pool_size, layer.strides
        dilation = layer.dilation_rate if is_conv else (1, 1)
        if window[0] != window[1] or strides[0] != strides[1] or dilation[0] != dilation[1]:
            return None
        extent, stride = (window[0] - 1) * dilation[0], strides[0]
        before = max(extent + 1 - stride, 0) // 2 if layer.padding == "same" else 0
        return jump * stride, low - before * jump, high + (extent - before) * jump
    if isinstance(layer, layers.UpSampling2D) and layer.size[0] == layer.size[1]:
        size = layer.size[0]
        if layer.interpolation == "nearest":
            return jump / size, low - (size - 1) * jump / size, high
        if layer.interpolation == "bilinear":
            centre = Fraction(1, 2 * size)
            return jump / size, low + (centre - Fraction(3, 2)) * jump, high + (centre + Fraction(1, 2)) * jump
    return None


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def scene_split(model: keras.Model) -> tuple[keras.Model, keras.Model] | None:
    """For a colorizer with a global branch (a ``"global_pool"`` layer), two models with its layers and weights:
    ``features``, luminance -> the features the branch averages over the image, and ``given``, (luminance, that
    average) -> chroma. :func:`colorize` tiles a large image exactly with them: the average over the whole image
    first, tile by tile, then every tile with it. None for a model without a global branch."""
    if "global_pool" not in {layer.name for layer in model.layers}:
        return None
    pool = model.get_layer("global_pool")
    luma, scene = keras.Input(model.input.shape[1:], name="luma"), keras.Input(pool.output.shape[1:], name="scene")
    tensors = {id(model.input): luma, id(pool.output): scene}
    copies = []  # fresh layers with the same weights: the model's own layers would each get a second graph
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer) or layer is pool:
            continue
        copy = type(layer).from_config(layer.get_config())
        inputs = layer.input if isinstance(layer.input, list) else [layer.input]
        mapped = [tensors[id(tensor)] for tensor in inputs]
        tensors[id(layer.output)] = copy(mapped if isinstance(layer.input, list) else mapped[0])
        copies.append((copy, layer))
    for copy, layer in copies:
        copy.set_weights(layer.get_weights())
    return keras.Model(model.input, pool.input), keras.Model([luma, scene], tensors[id(model.output)])


def _scene(features: keras.Model, luma: np.ndarray, alignment: int, margin: int, tile_size: int) -> np.ndarray:
    """The average of ``features`` over one image (1, H, W, 1), edge-padded to multiples of ``alignment`` as
    :func:`_predict_padded` pads it, computed tile by tile (each with ``margin`` pixels of context): the global
    branch's input for that image, exactly as on the whole image."""
    height, width = _round_up(luma.shape[1], alignment), _round_up(luma.shape[2], alignment)
    padded = np.pad(luma, ((0, 0), (0, height - luma.shape[1]), (0, width - luma.shape[2]), (0, 0)), mode="edge")
    total, count = 0.0, 0
    for rows, columns, (keep_rows, keep_columns), _ in _squares(height, width, margin, tile_size):
        values = np.asarray(features(padded[:, rows, columns], training=False), dtype=np.float64)
        step = (rows.stop - rows.start) // values.shape[1]  # input pixels per feature position
        keep = values[
            :, keep_rows.start // step : keep_rows.stop // step, keep_columns.start // step : keep_columns.stop // step
        ]
        total, count = total + keep.sum(axis=(1, 2)), count + keep.shape[1] * keep.shape[2]
    return (total / count).astype(np.float32)


def colorize(
    images: np.ndarray | str | os.PathLike, model: keras.Model | str | None = None, tile_size: int = TILE_SIZE
) -> np.ndarray:
    """Colourise RGB or grayscale images; returns RGB images of the same size and dtype convention.

    ``images``: an image file path, or an array: (H, W) gray, (H, W, 1 or 3) one image, (N, H, W, 1 or 3) a batch;
    uint8 (0..255) or float in [0, 1]. RGB input is first reduced to its luminance (its colour is discarded). Sides
    that are not multiples of the model's down-sampling factor are edge-padded, and the padding cropped again.
    Returns (H, W, 3) for a single image or path, (N, H, W, 3) for a batch; uint8 for uint8 input and paths, else
    float in [0, 1]. ``model``: a colorizer, or the name of a committed one (``models/<name>.keras``); by default
    :func:`default_colorizer`. Files are read as :func:`read_image` describes.

    Memory: images larger than ``tile_size`` squared pixels are coloured in ``tile_size`` tiles, each with a margin
    of context as wide as the model's receptive field (:func:`tiling_geometry`), so that the result equals that of
    the whole image; the model never sees more than ``(tile_size + 2 * margin) ** 2`` pixels at a time (small images
    go in batches of that many pixels). Models whose receptive field is not known here see whole images.
    """
    if isinstance(images, (str, os.PathLike)):
        luma, single, _ = _luminance(read_image(Path(images)))
        dtype = np.dtype(np.uint8)
    else:
        luma, single, dtype = _luminance(images)
    model = _resolve_colorizer(model)
    if isinstance(tile_size, bool) or not isinstance(tile_size, numbers.Integral) or tile_size < 1:
        raise ValueError(f"tile_size must be a whole number of pixels >= 1, got {tile_size!r}")
    geometry = tiling_geometry(model)
    split = None if geometry else scene_split(model)  # a global branch: tiled through the whole image's average
    geometry = geometry or (split and tiling_geometry(split[1]))
    alignment, margin = geometry or (downsampling_factor(model), None)
    tile = _round_up(int(tile_size), alignment)
    rgb = np.empty((*luma.shape[:3], 3), dtype)
    scenes: dict[int, np.ndarray] = {}
    for window, keep, target in _tiles(luma.shape[:3], alignment, margin, tile):
        is_tile = keep != (slice(None), slice(None))
        if split and is_tile:  # one tile of a large image: its global branch gets the whole image's average
            image = window[0].start
            if image not in scenes:
                scenes[image] = _scene(split[0], luma[image : image + 1], alignment, margin, tile)
            chroma = _predict_padded(split[1], luma[window], alignment, scenes[image])
        else:
            chroma = _predict_padded(model, luma[window], alignment)
        chroma = chroma[(slice(None), *keep)]
        merged = merge_luma_chroma(luma[target], chroma)
        rgb[target] = np.round(merged * 255) if dtype == np.uint8 else merged
    return rgb[0] if single else rgb


def _resolve_colorizer(model: keras.Model | str | None) -> keras.Model:
    """The colorizer ``colorize`` was given: a model, a committed colorizer's name, or None for the default."""
    if model is None or isinstance(model, str):
        return default_colorizer() if model is None else load_colorizer(model)
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"model must be a keras.Model, the name of a committed colorizer (e.g. 'colorizer_mild_rebalance') or "
            f"None for the default, got {type(model).__name__}"
        )
    return model


Window = tuple[slice, slice, slice]


def _tiles(
    shape: tuple[int, int, int], alignment: int, margin: int | None, tile_size: int
) -> Iterator[tuple[Window, tuple[slice, slice], Window]]:
    """The windows of an (N, H, W) batch to run the model on: (window, the part of its output to keep, where that
    part goes in the result).

    Images whose padded area fits in ``(tile_size + 2 * margin) ** 2`` pixels (``tile_size ** 2`` when ``margin``
    is None) go whole, as many per window as fit; larger ones in ``tile_size`` squares, one image at a time, each
    window reaching ``margin`` pixels past its square where the image goes on.
    """
    count, height, width = shape
    budget = (tile_size + 2 * (margin or 0)) ** 2
    area = _round_up(height, alignment) * _round_up(width, alignment)
    everything = slice(None)
    if margin is None or area <= budget:
        per_window = max(1, budget // area)
        for start in range(0, count, per_window):
            images = slice(start, start + per_window)
            yield (images, everything, everything), (everything, everything), (images, everything, everything)
        return
    for index in range(count):
        image = slice(index, index + 1)
        for rows, columns, keep, square in _squares(height, width, margin, tile_size):
            yield (image, rows, columns), keep, (image, *square)


def _squares(
    height: int, width: int, margin: int, tile_size: int
) -> Iterator[tuple[slice, slice, tuple[slice, slice], tuple[slice, slice]]]:
    """The ``tile_size`` squares that cover an image: for each, the rows and columns of its window (``margin``
    pixels beyond the square where the image goes on), the square within the window, and the square in the image."""
    for top in range(0, height, tile_size):
        for left in range(0, width, tile_size):
            rows = slice(max(top - margin, 0), min(top + tile_size + margin, height))
            columns = slice(max(left - margin, 0), min(left + tile_size + margin, width))
            keep = (
                slice(top - rows.start, top - rows.start + tile_size),
                slice(left - columns.start, left - columns.start + tile_size),
            )
            yield rows, columns, keep, (slice(top, top + tile_size), slice(left, left + tile_size))


def _predict_padded(model: keras.Model, luma: np.ndarray, multiple: int, scene: np.ndarray | None = None) -> np.ndarray:
    """Chroma of a luminance batch whose sides are edge-padded to multiples of ``multiple``, cropped again; with
    ``scene``, the global branch's input of a :func:`scene_split` model (``given``)."""
    height, width = luma.shape[1:3]
    padding = ((0, 0), (0, -height % multiple), (0, -width % multiple), (0, 0))
    padded = np.pad(luma, padding, mode="edge")
    if scene is None:
        return predict_chroma(model, padded, batch_size=len(luma))[:, :height, :width]
    return np.asarray(model([padded, scene], training=False))[:, :height, :width]


def read_image(path: Path | BinaryIO) -> np.ndarray:
    """An image file (a path, or an open binary file such as an upload's bytes in ``io.BytesIO``), upright, as
    (H, W) gray or (H, W, 3) RGB: uint8 for 8-bit files, else float32 in [0, 1].

    The EXIF orientation is applied (phone photos are stored sideways). Transparency is composited over white, as a
    viewer shows the image on a white page; palette and CMYK images are converted to RGB by PIL (no colour
    management). High bit depths keep their precision: 16-bit files are scaled by 65535; 32-bit integer files,
    which have no standard white level, by the largest value of the narrowest of 8, 16 and 31 bits that holds
    their values (a 16-bit image saved as int32 reads as 16-bit); float files must lie in [0, 1].
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return _pixels(ImageOps.exif_transpose(image))
    except Image.DecompressionBombError as error:
        raise ValueError(
            f"cannot read an image from {_source(path)}: {error} Raise PIL.Image.MAX_IMAGE_PIXELS if you trust the file"
        ) from error
    except (FileNotFoundError, IsADirectoryError, UnidentifiedImageError, OSError, ValueError) as error:
        raise ValueError(f"cannot read an image from {_source(path)}: {error}") from error


def _source(path: Path | BinaryIO) -> str:
    return str(path) if isinstance(path, (str, os.PathLike)) else "the uploaded file"


def _pixels(image) -> np.ndarray:
    """The pixels of an opened PIL image, as :func:`read_image` returns them."""
    from PIL import Image

    if image.mode.startswith("I;16"):
        return np.asarray(image).astype(np.float32) / 65535
    if image.mode in ("I", "F"):
        values = np.asarray(image)
        low, high = values.min(), values.max()
        if image.mode == "F":
            if not (low >= 0 and high <= 1):  # also false for NaN
                raise ValueError(f"float pixels must be finite and lie in [0, 1], got [{low:.4g}, {high:.4g}]")
            return values.astype(np.float32)
        if low < 0:
            raise ValueError(f"32-bit integer pixels must be >= 0, got values in [{low}, {high}]")
        white = next(2**bits - 1 for bits in (8, 16, 31) if high <= 2**bits - 1)
        return (values / white).astype(np.float32)
    if image.has_transparency_data:
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
    return np.asarray(image.convert("L" if image.mode in ("1", "L") else "RGB"))


def _luminance(images: np.ndarray) -> tuple[np.ndarray, bool, np.dtype]:
    """Float32 luminance (N, H, W, 1) of ``images``, whether it was a single image, and its dtype."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        values = images.astype(np.float32)
        values /= 255.0
    elif images.dtype.kind == "f":
        if not np.all(np.isfinite(images)):
            raise ValueError("images contain NaN or infinite values")
        if images.size and (images.min() < 0 or images.max() > 1):
            raise ValueError(f"float images must lie in [0, 1], got [{images.min():.3g}, {images.max():.3g}]")
        values = images.astype(np.float32, copy=False)
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
