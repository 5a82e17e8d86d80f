"""The one training loop of the package: uint8 images through tf.data, compiled alike, fitted with one line per epoch.

:func:`coursework.autoencoders.train_cae` and :func:`coursework.colorization.train_colorizer` both build their model,
compile it with :func:`compile_model` and train it with :func:`train_model`; they differ only in the model, the loss
and the (input, target) pairs made from each batch of images. :func:`call_in_batches` runs a trained model.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from coursework._tensorflow import keras, tf
from coursework.checkpoint import ResumableTraining, data_fingerprint
from coursework.checks import check_whole
from coursework.configs import Config

# Several steps per call of the compiled training function: less Python and dispatch overhead per step, which is a
# visible share of a step for models this small. 128 measured fastest of 1, 8, 32 and 128 steps side by side
# (`benchmarks/autoencoder.py --knobs`, benchmarks/README.md); the arithmetic, and so every trained weight, is the same.
STEPS_PER_EXECUTION = 128
VALIDATION_BATCH_SIZE = 256  # validation only evaluates: larger batches, same result
PREDICT_BATCH_SIZE = 500  # images a trained model runs on at once outside training (memory bound, same result)

Pairs = Callable[[tf.Tensor], tuple[tf.Tensor, tf.Tensor]]


def start_session(seed: int) -> None:
    """A fresh Keras session with Python, NumPy, TensorFlow and Keras seeded: call it before building a model."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)


def autoencoder_pairs(images: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """An autoencoder's (input, target): the images twice."""
    return images, images


def augmented(images: tf.Tensor, seed: tf.Tensor, shift: int = 4) -> tf.Tensor:
    """A float batch (N, H, W, C), each image flipped left-right with probability 1/2, and the whole batch shifted
    by up to ``shift`` pixels in each direction (borders mirrored): the same scenes, never the same pixels twice.

    Stateless in ``seed`` (two integers): the same batch of the same epoch is augmented alike in a resumed run.
    """
    flip_seed, crop_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    images = tf.image.stateless_random_flip_left_right(images, flip_seed)
    padded = tf.pad(images, [[0, 0], [shift, shift], [shift, shift], [0, 0]], mode="REFLECT")
    return tf.image.stateless_random_crop(padded, tf.shape(images), crop_seed)


def image_dataset(
    images: np.ndarray,
    batch_size: int,
    shuffle_seed: int | None,
    pairs: Pairs = autoencoder_pairs,
    augment: bool = False,
    epoch: tf.Variable | None = None,
) -> tf.data.Dataset:
    """A tf.data pipeline that keeps the uint8 images in memory and converts each batch to float in [0, 1].

    ``pairs`` turns a float batch into the (input, target) pair the model trains on: the image twice for an
    autoencoder, (luminance, chroma) for a colorizer. With ``shuffle_seed``, each pass is shuffled in an order that
    depends on the seed and the value of ``epoch`` (an int64 variable, read as a pass starts; 0 without one) only,
    not on how many passes came before: a resumed run sees in each epoch what an uninterrupted one saw
    (:class:`EpochOrder` sets it). ``augment``: through :func:`augmented` first, seeded the same way.
    """
    # Shuffle and batch indices, then gather each batch of images in one op: per-image work in tf.data (slicing,
    # shuffling 3 KB elements) would cost more than the conversion. The order equals shuffling the images themselves.
    images = tf.constant(images)
    count = len(images)

    def batches(pass_seed: tf.Tensor) -> tf.data.Dataset:
        order = tf.range(count, dtype=tf.int64)
        if shuffle_seed is not None:
            order = tf.random.experimental.stateless_shuffle(order, pass_seed)
        steps = tf.data.Dataset.from_tensor_slices(order).batch(batch_size).enumerate()
        return steps.map(lambda step, index: (tf.random.experimental.stateless_fold_in(pass_seed, step), index))

    def batch_pairs(seed: tf.Tensor, index: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        batch = tf.cast(tf.gather(images, index), tf.float32) / 255.0
        return pairs(augmented(batch, seed) if augment else batch)

    def pass_seed(_: tf.Tensor) -> tf.Tensor:
        value = tf.constant(0, tf.int64) if epoch is None else epoch.value()
        return tf.stack([tf.constant(shuffle_seed or 0, tf.int64), value])

    passes = tf.data.Dataset.range(1).map(pass_seed)
    steps = tf.data.experimental.assert_cardinality(math.ceil(count / batch_size))  # flat_map hides the length
    return passes.flat_map(batches).apply(steps).map(batch_pairs).prefetch(tf.data.AUTOTUNE)


class EpochOrder(keras.callbacks.Callback):
    """Hold the epoch that :func:`image_dataset` shuffles for in ``epoch``, set as each epoch begins (before Keras
    starts that epoch's pass over the data)."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.assign(epoch)


def compile_model(model: keras.Model, loss: str, learning_rate: float, optimizer: str = "adam") -> None:
    """Compile ``model`` with the optimizer and loss Keras knows by these names (those a config allows, see
    :mod:`coursework.configs`), several steps per call."""
    optimizer = keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": learning_rate}})
    model.compile(optimizer=optimizer, loss=keras.losses.get(loss), steps_per_execution=STEPS_PER_EXECUTION)


def train_model(
    model: keras.Model,
    config: Config,
    x_train: np.ndarray,
    x_val: np.ndarray,
    pairs: Pairs = autoencoder_pairs,
    augment: bool = False,
    verbose: bool = True,
    checkpoint_dir: Path | None = None,
) -> dict[str, list[float]]:
    """Fit a compiled ``model`` on uint8 images, shuffled with ``config.seed``; returns the history.

    Prints one rounded line per epoch when ``verbose``. With ``config.patience`` set, stops early on validation loss
    and restores the best weights. ``augment``: training batches (never validation) through :func:`augmented`.
    ``checkpoint_dir``: the model, optimizer, history and early stopping's state are saved there after every epoch,
    and a run that was interrupted resumes from its last finished epoch, as if it had never stopped
    (:class:`coursework.checkpoint.ResumableTraining`).
    """
    _check_training_images(model, x_train, x_val)
    order = EpochOrder()
    callbacks = [order, EpochSeconds(), *([EpochLine()] if verbose else [])]  # EpochSeconds first: its key is logged
    stopping = None
    if config.patience is not None:
        stopping = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=config.patience, restore_best_weights=True
        )
        callbacks.append(stopping)
    resumable = None
    if checkpoint_dir is not None:  # after early stopping, whose state of each epoch it saves
        fingerprint = data_fingerprint(x_train, x_val)
        resumable = ResumableTraining(checkpoint_dir, stopping, repr(config), fingerprint)
        callbacks.append(resumable)
    result = model.fit(
        image_dataset(x_train, config.batch_size, config.seed, pairs, augment, epoch=order.epoch),
        validation_data=image_dataset(x_val, VALIDATION_BATCH_SIZE, shuffle_seed=None, pairs=pairs),
        epochs=config.epochs,
        initial_epoch=resumable.initial_epoch(config.epochs) if resumable else 0,
        callbacks=callbacks,
        shuffle=False,  # the tf.data pipeline shuffles, with the config's seed
        verbose=0,
    )
    history = resumable.history if resumable else result.history
    return {key: [float(v) for v in values] for key, values in history.items()}


def _check_training_images(model: keras.Model, x_train: np.ndarray, x_val: np.ndarray) -> None:
    """A ValueError unless there are images to train and validate on, of the size the model takes (where fixed)."""
    for images, name in ((x_train, "x_train"), (x_val, "x_val")):
        if len(images) == 0:
            raise ValueError(f"{name} holds no images: training needs at least one, and validation one")
        size = tuple(model.input.shape[1:3]) if len(model.inputs) == 1 else (None, None)
        if None not in size and images.shape[1:3] != size:
            raise ValueError(
                f"{name} images are {images.shape[1]}x{images.shape[2]}; the model takes {size[0]}x{size[1]}"
            )


class EpochSeconds(keras.callbacks.Callback):
    """Record each epoch's wall time (training and validation) in the history, as ``seconds``."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["seconds"] = time.perf_counter() - self.start


class EpochLine(keras.callbacks.Callback):
    """Print ``epoch n/N  loss  val_loss  seconds`` once per epoch: readable in notebooks, unlike progress bars."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        print(
            f"epoch {epoch + 1}/{self.params['epochs']}  loss {logs.get('loss', float('nan')):.5f}  "
            f"val_loss {logs.get('val_loss', float('nan')):.5f}  {logs.get('seconds', float('nan')):.0f} s",
            flush=True,
        )


def call_in_batches(model: keras.Model, inputs: np.ndarray, batch_size: int = PREDICT_BATCH_SIZE) -> np.ndarray:
    """The model's outputs for float ``inputs``, batch by batch, as one NumPy array.

    Calls the model directly rather than ``predict()``, which builds a tf.function per model and prints retracing
    warnings when many models are evaluated in a row.
    """
    batch_size = check_whole(batch_size, "batch_size", minimum=1)
    if len(inputs) == 0:
        raise ValueError("no images given: there is nothing to run the model on")
    outputs = [
        np.asarray(model(inputs[start : start + batch_size], training=False))
        for start in range(0, len(inputs), batch_size)
    ]
    return np.concatenate(outputs)
