"""Convolutional autoencoders for 32x32x3 images: a parameterised builder, training, and load-or-train.

The reference architecture is ``build_cae()`` with its defaults::

    encoder  Conv 8 (3x3, ReLU, same) -> MaxPool 2 -> Conv 12 (3x3) -> MaxPool 2 -> Conv 16 (3x3)  = latent 8x8x16
    decoder  UpSampling 2 -> Conv 12 (3x3) -> UpSampling 2 -> Conv 3 (3x3, output activation)

Encoder convolution ``i`` has ``filters[i]`` channels and stride ``strides[i]``; a pooling layer follows every
encoder convolution but the last (the latent). The decoder has one stage per pooling layer: it upsamples by that
stage's pooling factor times the stride of the convolution after it (the first stage also undoes the first
convolution's stride), then convolves. So every stride is undone by upsampling and the output is 32x32x3 again.
With ``padding="valid"`` each convolution trims ``kernel_size - 1`` pixels: the decoder then uses transposed
convolutions, which add them back, and zero-pads any remainder at the border.

Inputs and outputs are float images in [0, 1], shape (N, 32, 32, 3); :mod:`coursework.colorization` builds the
same architecture with one input channel (luminance), two output channels (chroma) and any image size.
"""

from __future__ import annotations

import json
import math
import numbers
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

# TensorFlow's switches (oneDNN kernels, quiet C++ logging) are set by coursework/__init__.py, imported first.
import keras
import numpy as np
import tensorflow as tf
from keras import layers

from coursework.paths import MODELS_DIR


@dataclass(frozen=True)
class CAEConfig:
    """Everything that defines one autoencoder experiment: architecture and training."""

    filters: tuple[int, ...] = (8, 12, 16)
    kernel_size: int = 3
    strides: int | tuple[int, ...] = 1
    padding: str = "same"
    pool_size: int = 2
    output_activation: str = "relu"
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = 10
    patience: int | None = None  # early stopping on validation loss; None: train all epochs
    seed: int = 0
    notes: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        check_training_settings(self)

    def build_kwargs(self) -> dict:
        """The architecture part of the config, as keyword arguments for :func:`build_cae`."""
        return {
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "pool_size": self.pool_size,
            "output_activation": self.output_activation,
        }


def check_training_settings(config: Any) -> None:
    """A ValueError unless ``config``'s epochs, batch size, patience and learning rate can train a model.

    Caught when the config is made: ``epochs=0`` or a NaN learning rate would otherwise "train" without error and
    save an untrained model, or one full of NaN.
    """

    def whole(value: Any) -> bool:
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)

    if not whole(config.epochs) or config.epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1, got {config.epochs!r}")
    if not whole(config.batch_size) or config.batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, got {config.batch_size!r}")
    if config.patience is not None and (not whole(config.patience) or config.patience < 0):
        raise ValueError(f"patience must be None (no early stopping) or a whole number >= 0, got {config.patience!r}")
    rate = config.learning_rate
    if not isinstance(rate, numbers.Real) or isinstance(rate, bool) or not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"learning_rate must be a finite number > 0, got {rate!r}")


def build_cae(
    filters: Sequence[int] = (8, 12, 16),
    kernel_size: int = 3,
    strides: int | Sequence[int] = 1,
    padding: str = "same",
    pool_size: int = 2,
    output_activation: str = "relu",
    name: str = "cae",
    input_channels: int = 3,
    output_channels: int = 3,
    image_size: int | None = 32,
):
    """Build an (uncompiled) convolutional autoencoder ``keras.Model``, by default (N, 32, 32, 3) -> same shape.

    The colorizers reuse it with other channel counts (luminance in, chroma out) and ``image_size=None``: then the
    model is fully convolutional and takes any size whose sides are multiples of its down-sampling factor.
    """

    filters = tuple(int(f) for f in filters)
    if len(filters) < 2 or min(filters) < 1:
        raise ValueError(f"filters needs at least two positive channel counts (encoder convolutions), got {filters}")
    stride_list = (int(strides),) * len(filters) if np.ndim(strides) == 0 else tuple(int(s) for s in strides)
    if len(stride_list) != len(filters) or min(stride_list) < 1:
        raise ValueError(f"strides must be one positive int or one per encoder convolution, got {strides}")
    if padding not in ("same", "valid"):
        raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
    if kernel_size < 1 or pool_size < 1:
        raise ValueError(f"kernel_size and pool_size must be >= 1, got {kernel_size} and {pool_size}")

    if image_size is None and padding != "same":
        raise ValueError("image_size=None (any input size) needs padding='same'")
    inputs = keras.Input((image_size, image_size, input_channels), name="image")
    x = inputs
    last = len(filters) - 1
    for index, (channels, stride) in enumerate(zip(filters, stride_list)):
        x = layers.Conv2D(
            channels, kernel_size, strides=stride, padding=padding, activation="relu", name=f"encoder_conv{index + 1}"
        )(x)
        if index < last and pool_size > 1:
            x = layers.MaxPooling2D(pool_size, padding="same", name=f"encoder_pool{index + 1}")(x)
    convolution = layers.Conv2D if padding == "same" else layers.Conv2DTranspose
    for stage in reversed(range(last)):
        factor = (pool_size if pool_size > 1 else 1) * stride_list[stage + 1] * (stride_list[0] if stage == 0 else 1)
        if factor > 1:
            x = layers.UpSampling2D(factor, name=f"decoder_upsample{stage + 1}")(x)
        is_output = stage == 0
        x = convolution(
            output_channels if is_output else filters[stage],
            kernel_size,
            padding=padding,
            activation=output_activation if is_output else "relu",
            name="decoder_output" if is_output else f"decoder_conv{stage + 1}",
        )(x)
    missing = 0 if image_size is None else image_size - x.shape[1]
    if missing > 0:
        x = layers.ZeroPadding2D(((missing // 2, missing - missing // 2),) * 2, name="decoder_pad")(x)
    elif missing < 0:
        x = layers.Cropping2D(((-missing // 2, -missing - (-missing // 2)),) * 2, name="decoder_crop")(x)
    return keras.Model(inputs, x, name=name)


def latent_shape(model: keras.Model) -> tuple[int, int, int]:
    """Shape (H, W, C) of the latent representation: the output of the last encoder convolution."""
    encoder_convs = [layer for layer in model.layers if layer.name.startswith("encoder_conv")]
    return tuple(encoder_convs[-1].output.shape[1:])


def describe(model: keras.Model) -> str:
    """A compact, deterministic summary: one line per layer with output shape and parameters, then the latent size."""
    lines = [f"{'layer':<18} {'output shape':<16} {'params':>7}"]
    for layer in model.layers[1:]:
        shape = "x".join(str(d) for d in layer.output.shape[1:])
        lines.append(f"{layer.name:<18} {shape:<16} {layer.count_params():>7}")
    h, w, c = latent_shape(model)
    inputs = np.prod(model.input.shape[1:])
    lines.append(
        f"latent {h}x{w}x{c} = {h * w * c} values ({h * w * c / inputs:.1%} of the input); "
        f"{model.count_params()} parameters"
    )
    return "\n".join(lines)


def check_images(images: np.ndarray, name: str = "images") -> np.ndarray:
    """``images`` if they are uint8 (N, H, W, 3), else a ValueError: floats here would be divided by 255 again."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"{name} must be uint8 images (0..255), got dtype {images.dtype}")
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"{name} must have shape (N, height, width, 3), got {images.shape}")
    return images


def as_float(images: np.ndarray) -> np.ndarray:
    """uint8 images as float32 in [0, 1]."""
    return check_images(images).astype(np.float32) / 255.0


def image_dataset(
    images: np.ndarray,
    batch_size: int,
    shuffle_seed: int | None,
    pairs: Callable[[tf.Tensor], tuple[tf.Tensor, tf.Tensor]] = lambda x: (x, x),
) -> tf.data.Dataset:
    """A tf.data pipeline that keeps the uint8 images in memory and converts each batch to float in [0, 1].

    ``pairs`` turns a float batch into the (input, target) pair the model trains on: the image twice for an
    autoencoder, (luminance, chroma) for a colorizer.
    """
    # Shuffle and batch indices, then gather each batch of images in one op: per-image work in tf.data (slicing,
    # shuffling 3 KB elements) would cost more than the conversion. The order equals shuffling the images themselves.
    images = tf.constant(images)
    dataset = tf.data.Dataset.range(len(images))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(images), seed=shuffle_seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size).map(lambda index: pairs(tf.cast(tf.gather(images, index), tf.float32) / 255.0))
    return dataset.prefetch(tf.data.AUTOTUNE)


def compile_cae(model: keras.Model, config: CAEConfig) -> None:
    """Compile with the config's optimizer and learning rate and the mean squared error loss."""
    optimizers = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD, "rmsprop": keras.optimizers.RMSprop}
    if config.optimizer not in optimizers:
        raise ValueError(f"unknown optimizer {config.optimizer!r}; choose one of {sorted(optimizers)}")
    # Several steps per call of the compiled training function: less Python and dispatch overhead per step, which is
    # a visible share of a step for models this small (benchmarks/autoencoder.py); the arithmetic is the same.
    model.compile(
        optimizer=optimizers[config.optimizer](learning_rate=config.learning_rate), loss="mse", steps_per_execution=32
    )


def train_cae(
    config: CAEConfig, x_train: np.ndarray, x_val: np.ndarray, verbose: bool = True
) -> tuple[keras.Model, dict[str, list[float]]]:
    """Build, compile and train one autoencoder from ``config`` on uint8 images; returns (model, history).

    Seeds Python, NumPy, TensorFlow and Keras first. Prints one rounded line per epoch when ``verbose``. With
    ``config.patience`` set, stops early on validation loss and restores the best weights.
    """
    x_train, x_val = check_images(x_train, "x_train"), check_images(x_val, "x_val")
    keras.backend.clear_session()
    keras.utils.set_random_seed(config.seed)
    model = build_cae(**config.build_kwargs())
    compile_cae(model, config)
    history = fit(
        model,
        image_dataset(x_train, config.batch_size, shuffle_seed=config.seed),
        image_dataset(x_val, 256, shuffle_seed=None),
        epochs=config.epochs,
        patience=config.patience,
        verbose=verbose,
    )
    return model, history


def fit(
    model: keras.Model,
    train: tf.data.Dataset,
    validation: tf.data.Dataset,
    epochs: int,
    patience: int | None,
    verbose: bool,
) -> dict[str, list[float]]:
    """``model.fit`` on the two pipelines, one printed line per epoch, optional early stopping; the history."""
    callbacks = [EpochLine()] if verbose else []
    if patience is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
        )
    result = model.fit(
        train,
        validation_data=validation,
        epochs=epochs,
        callbacks=callbacks,
        shuffle=False,  # the tf.data pipeline shuffles, with the config's seed
        verbose=0,
    )
    return {key: [float(v) for v in values] for key, values in result.history.items()}


class EpochLine(keras.callbacks.Callback):
    """Print ``epoch n/N  loss  val_loss  seconds`` once per epoch: readable in notebooks, unlike progress bars."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        print(
            f"epoch {epoch + 1}/{self.params['epochs']}  loss {logs.get('loss', float('nan')):.5f}  "
            f"val_loss {logs.get('val_loss', float('nan')):.5f}  {time.perf_counter() - self.start:.0f} s",
            flush=True,
        )


def call_in_batches(model: keras.Model, inputs: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """The model's outputs for float ``inputs``, batch by batch, as one NumPy array.

    Calls the model directly rather than ``predict()``, which builds a tf.function per model and prints retracing
    warnings when many models are evaluated in a row.
    """
    outputs = [
        np.asarray(model(inputs[start : start + batch_size], training=False))
        for start in range(0, len(inputs), batch_size)
    ]
    return np.concatenate(outputs)


def reconstruct(model: keras.Model, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """The model's float outputs for uint8 ``images``, batch by batch."""
    return call_in_batches(model, as_float(images), batch_size)


def evaluate_mse(model: keras.Model, images: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error over all pixels (in [0, 1]) of the model's reconstructions, and the per-image MSE."""
    per_image = np.mean((reconstruct(model, images) - as_float(images)) ** 2, axis=(1, 2, 3))
    return float(per_image.mean()), per_image


def psnr(mse: float | np.ndarray) -> float | np.ndarray:
    """Peak signal-to-noise ratio in dB for pixels in [0, 1]."""
    return 10 * np.log10(1.0 / np.asarray(mse))


def model_paths(name: str, directory: Path = MODELS_DIR) -> dict[str, Path]:
    """Where experiment ``name`` keeps its model (.keras), training history and config (JSON)."""
    return {
        "model": directory / f"{name}.keras",
        "history": directory / f"{name}.history.json",
        "config": directory / f"{name}.config.json",
    }


def save_experiment(name: str, model: keras.Model, history: dict, config: Any, directory: Path = MODELS_DIR) -> None:
    """Save the model, its training history and the config that produced it, side by side."""
    paths = model_paths(name, directory)
    directory.mkdir(parents=True, exist_ok=True)
    model.save(paths["model"])
    paths["history"].write_text(json.dumps(history, indent=1) + "\n")
    paths["config"].write_text(json.dumps(asdict(config), indent=1) + "\n")


def load_experiment(
    name: str, directory: Path = MODELS_DIR, config_type: type = CAEConfig
) -> tuple[keras.Model, dict, Any]:
    """Load (model, history, config) saved by :func:`save_experiment`; ``config_type`` is the config's dataclass.

    A config with keys ``config_type`` does not have was written by another version of this code: a ValueError
    names them, since guessing what they meant could pair the model with the wrong settings.
    """
    paths = model_paths(name, directory)
    config = json.loads(paths["config"].read_text())
    unknown = sorted(set(config) - {f.name for f in fields(config_type)})
    if unknown:
        raise ValueError(
            f"{paths['config']} has settings {unknown} that {config_type.__name__} does not know: it was written by "
            f"another version of this code; retrain it with {_training_command(name)}"
        )
    config = config_type(**{k: tuple(v) if isinstance(v, list) else v for k, v in config.items()})
    return load_model_file(paths["model"]), json.loads(paths["history"].read_text()), config


def load_model_file(path: Path) -> keras.Model:
    """``keras.models.load_model`` with errors that say what is wrong with the file and how to make a good one.

    Keras reports a truncated or corrupt ``.keras`` file (not a readable zip archive) as "File not found".
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: train it with {_training_command(path.stem, retrain=False)}")
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path} is not a valid .keras file (a zip archive): it is truncated or corrupt, e.g. by an interrupted "
            f"copy or download; retrain it with {_training_command(path.stem)}"
        )
    try:
        return keras.models.load_model(path)
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ValueError(f"{path} is corrupt ({error}); retrain it with {_training_command(path.stem)}") from error


def _training_command(name: str, retrain: bool = True) -> str:
    """The command line that trains experiment ``name`` (and overwrites its files where ``retrain``)."""
    return f"`python -m coursework.cae_experiments {name}{' --retrain' if retrain else ''}`"
