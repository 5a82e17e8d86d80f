"""Training a colorizer: the (luminance, target) pairs of each target, and the call that trains one."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from coursework._tensorflow import keras, tf
from coursework.color import LUMA_WEIGHTS, RGB_TO_YCRCB, YCRCB_OFFSET
from coursework.colorization.models import build_colorizer
from coursework.configs import ColorizerConfig
from coursework.images import check_images
from coursework.training import compile_model, start_session, train_model


def training_pairs(config: ColorizerConfig):
    """The function that turns a float RGB batch into (luminance, target) for ``config``'s target, with the
    constants of :mod:`coursework.color`."""
    luma_weights = tf.constant(LUMA_WEIGHTS[:, None], tf.float32)
    to_chroma, offset = tf.constant(RGB_TO_YCRCB[1:].T, tf.float32), tf.constant(YCRCB_OFFSET[1:], tf.float32)

    def pairs(rgb: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        luma = tf.tensordot(rgb, luma_weights, axes=1)
        return luma, rgb if config.target == "rgb" else tf.tensordot(rgb, to_chroma, axes=1) + offset

    return pairs


def train_colorizer(
    config: ColorizerConfig,
    x_train: np.ndarray,
    x_val: np.ndarray,
    verbose: bool = True,
    checkpoint_dir: Path | None = None,
) -> tuple[keras.Model, dict]:
    """Train a colorizer on uint8 RGB images; returns (the model, uncompiled, and its history).

    Seeds everything first. Adam with ``config.loss`` (:data:`~coursework.configs.LOSSES`), early
    stopping on the validation loss (best weights restored). ``checkpoint_dir``: as
    :func:`coursework.training.train_model` (resumable training).
    """
    x_train, x_val = check_images(x_train, "x_train"), check_images(x_val, "x_val")
    start_session(config.seed)
    model = build_colorizer(config)
    compile_model(model, config.loss, config.learning_rate)
    history = train_model(
        model, config, x_train, x_val, training_pairs(config), config.augment, verbose, checkpoint_dir
    )
    return keras.Model(model.input, model.output, name="colorizer"), history  # uncompiled: saved without Adam's state
