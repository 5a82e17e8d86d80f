"""The one training loop of the package: uint8 images through tf.data, compiled alike, fitted with one line per epoch.

:func:`coursework.autoencoders.train_cae` and :func:`coursework.colorization.train_colorizer` both build their model,
compile it with :func:`compile_model` and train it with :func:`train_model`; they differ only in the model, the loss
and the (input, target) pairs made from each batch of images. :func:`call_in_batches` runs a trained model.
"""

from __future__ import annotations

import json
import math
import numbers
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from coursework._tensorflow import keras, tf

OPTIMIZERS = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD, "rmsprop": keras.optimizers.RMSprop}
# Several steps per call of the compiled training function: less Python and dispatch overhead per step, which is a
# visible share of a step for models this small. 128 measured fastest of 1, 8, 32 and 128 steps side by side
# (`benchmarks/autoencoder.py --knobs`, README); the arithmetic, and so every trained weight, is the same.
STEPS_PER_EXECUTION = 128
VALIDATION_BATCH_SIZE = 256  # validation only evaluates: larger batches, same result

Pairs = Callable[[tf.Tensor], tuple[tf.Tensor, tf.Tensor]]


class TrainingSettings(Protocol):
    """What :func:`train_model` reads from an experiment's config (CAEConfig, ColorizerConfig)."""

    learning_rate: float
    batch_size: int
    epochs: int
    patience: int | None  # early stopping on validation loss; None: train all epochs
    seed: int


def check_training_settings(config: TrainingSettings) -> None:
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


def start_session(seed: int) -> None:
    """A fresh Keras session with Python, NumPy, TensorFlow and Keras seeded: call it before building a model."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)


def autoencoder_pairs(images: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """An autoencoder's (input, target): the images twice."""
    return images, images


def augmented(images: tf.Tensor, shift: int = 4) -> tf.Tensor:
    """A float batch (N, H, W, C), each image flipped left-right with probability 1/2, and the whole batch shifted
    by up to ``shift`` pixels in each direction (borders mirrored): the same scenes, never the same pixels twice."""
    images = tf.image.random_flip_left_right(images)
    padded = tf.pad(images, [[0, 0], [shift, shift], [shift, shift], [0, 0]], mode="REFLECT")
    return tf.image.random_crop(padded, tf.shape(images))


def image_dataset(
    images: np.ndarray,
    batch_size: int,
    shuffle_seed: int | None,
    pairs: Pairs = autoencoder_pairs,
    augment: bool = False,
) -> tf.data.Dataset:
    """A tf.data pipeline that keeps the uint8 images in memory and converts each batch to float in [0, 1].

    ``pairs`` turns a float batch into the (input, target) pair the model trains on: the image twice for an
    autoencoder, (luminance, chroma) for a colorizer. ``augment``: through :func:`augmented` first.
    """
    # Shuffle and batch indices, then gather each batch of images in one op: per-image work in tf.data (slicing,
    # shuffling 3 KB elements) would cost more than the conversion. The order equals shuffling the images themselves.
    images = tf.constant(images)
    dataset = tf.data.Dataset.range(len(images))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(images), seed=shuffle_seed, reshuffle_each_iteration=True)

    def batch_pairs(index: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        batch = tf.cast(tf.gather(images, index), tf.float32) / 255.0
        return pairs(augmented(batch) if augment else batch)

    return dataset.batch(batch_size).map(batch_pairs).prefetch(tf.data.AUTOTUNE)


def compile_model(model: keras.Model, loss: Any, learning_rate: float, optimizer: str = "adam") -> None:
    """Compile ``model`` with the named optimizer (``OPTIMIZERS``) and ``loss``, several steps per call."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {sorted(OPTIMIZERS)}")
    model.compile(
        optimizer=OPTIMIZERS[optimizer](learning_rate=learning_rate), loss=loss, steps_per_execution=STEPS_PER_EXECUTION
    )


def train_model(
    model: keras.Model,
    config: TrainingSettings,
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
    and a run that was interrupted resumes from its last finished epoch (:class:`ResumableTraining`).
    """
    callbacks = [EpochLine()] if verbose else []
    stopping = None
    if config.patience is not None:
        stopping = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=config.patience, restore_best_weights=True
        )
        callbacks.append(stopping)
    resumable = None if checkpoint_dir is None else ResumableTraining(checkpoint_dir, stopping, repr(config))
    callbacks += [resumable] if resumable else []  # after early stopping, whose state of each epoch it saves
    result = model.fit(
        image_dataset(x_train, config.batch_size, shuffle_seed=config.seed, pairs=pairs, augment=augment),
        validation_data=image_dataset(x_val, VALIDATION_BATCH_SIZE, shuffle_seed=None, pairs=pairs),
        epochs=config.epochs,
        callbacks=callbacks,
        shuffle=False,  # the tf.data pipeline shuffles, with the config's seed
        verbose=0,
    )
    history = resumable.history if resumable else result.history
    return {key: [float(v) for v in values] for key, values in history.items()}


class ResumableTraining(keras.callbacks.BackupAndRestore):
    """Keras's BackupAndRestore (model and optimizer saved after every epoch, restored when a run starts again) that
    also keeps the history of every epoch and early stopping's state (best loss, its weights, epochs waited), so a
    resumed run stops where, and returns what, an uninterrupted one would. The folder is deleted when training ends,
    so it must be new, or one this class wrote for the same ``config`` (a ValueError otherwise, before training).
    """

    def __init__(self, directory: Path, stopping: keras.callbacks.EarlyStopping | None, config: str) -> None:
        directory = Path(directory)
        if directory.exists() and not directory.is_dir():
            raise ValueError(f"checkpoint_dir {directory} is a file: give a folder for the checkpoints")
        if directory.is_dir() and any(directory.iterdir()):
            state_file = directory / "state.json"
            if not state_file.is_file():
                raise ValueError(
                    f"checkpoint_dir {directory} holds files that are not a checkpoint of this code, and training "
                    "deletes the folder when it ends: give a new or empty folder"
                )
            saved = json.loads(state_file.read_text()).get("config")
            if saved != config:
                raise ValueError(
                    f"the checkpoint in {directory} is of another run ({saved}), not of {config}: delete the folder "
                    "to train from scratch"
                )
        super().__init__(str(directory))
        self.directory, self.stopping, self.config = directory, stopping, config
        self.history: dict[str, list[float]] = {}

    def on_train_begin(self, logs: dict | None = None) -> None:
        try:
            super().on_train_begin(logs)
        except ValueError as error:
            raise ValueError(f"cannot resume from the checkpoint in {self.directory} ({error}): delete it") from error
        state_file = self.directory / "state.json"
        if not state_file.exists():
            return
        state = json.loads(state_file.read_text())
        self.history = state["history"]
        if self.stopping is not None and state["best"] is not None:
            self.stopping.best, self.stopping.wait, self.stopping.best_epoch = (
                state["best"],
                state["wait"],
                state["epoch"],
            )
            with np.load(self.directory / "best_weights.npz") as saved:
                self.stopping.best_weights = [saved[f"w{i}"] for i in range(len(saved.files))]

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        super().on_epoch_end(epoch, logs)
        stopping = self.stopping
        best = None if stopping is None or stopping.best is None else float(stopping.best)
        if best is not None and stopping.best_epoch == epoch:
            np.savez(self.directory / "best_weights.npz", **{f"w{i}": w for i, w in enumerate(stopping.best_weights)})
        state = {
            "config": self.config,
            "history": self.history,
            "best": best,
            "wait": None if stopping is None else stopping.wait,
            "epoch": None if stopping is None else stopping.best_epoch,
        }
        (self.directory / "state.json").write_text(json.dumps(state))


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
