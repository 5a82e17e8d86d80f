"""Training a colorizer: the (luminance, target) pairs of each target, and the call that trains one."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from coursework._tensorflow import keras, tf
from coursework.color import LUMA_WEIGHTS
from coursework.colorization.bins import (
    ColourBins,
    chroma_of,
    fit_bins,
    grid_cells,
    half_resolution_chroma,
    rebalanced_crossentropy,
)
from coursework.colorization.config import ColorizerConfig
from coursework.colorization.models import build_colorizer, colorizer_from_logits
from coursework.images import check_images
from coursework.training import compile_model, start_session, train_model


def training_pairs(config: ColorizerConfig, bins: ColourBins | None = None):
    """The function that turns a float RGB batch into (luminance, target) for ``config``'s target."""
    luma_weights = tf.constant(LUMA_WEIGHTS[:, None], tf.float32)

    def pairs(rgb: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        luma = tf.tensordot(rgb, luma_weights, axes=1)
        if config.target == "rgb":
            return luma, rgb
        if config.target == "chroma":
            return luma, chroma_of(rgb)
        cells = grid_cells(half_resolution_chroma(rgb), bins.bin_size)
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
