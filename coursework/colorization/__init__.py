"""Colorization: predict the colour (chroma Cr, Cb) of an image from its luminance Y.

A colorizer is a fully convolutional ``keras.Model`` from luminance (N, H, W, 1) in [0, 1] to chroma Cr, Cb
(N, H, W, 2) in [0, 1] (see :mod:`coursework.color`); the prediction is merged with the input's own luminance. Two
training targets (``ColorizerConfig.target``): ``"chroma"`` regresses Cr, Cb; ``"rgb"`` regresses R, G, B from Y
(the assignment's first step), and its colour is the chroma of its output. The loss is a name in
:data:`~coursework.configs.LOSSES`.

The subpackage, in the order a colorizer is made and used (:class:`ColorizerConfig`, what defines an experiment, is
in :mod:`coursework.configs`): :mod:`~coursework.colorization.models` (the networks and their predictions),
:mod:`~coursework.colorization.training`, :mod:`~coursework.colorization.tiling` (exact tiles of a large image) and
:mod:`~coursework.colorization.prediction` (loading committed colorizers, the default :class:`Ensemble`,
:func:`colorize`). The metrics and tables are in
:mod:`coursework.evaluation.color`.
"""

from coursework.colorization.models import (
    build_colorizer,
    build_unet,
    check_colorizer,
    color_gain,
    downsampling_factor,
    ensemble_chroma,
    predict_chroma,
)
from coursework.colorization.prediction import DEFAULT_COLORIZER, TILE_SIZE, Ensemble, colorize, load_colorizer
from coursework.colorization.tiling import tiling_geometry
from coursework.colorization.training import train_colorizer, training_pairs
from coursework.configs import ARCHITECTURES, LOSSES, TARGETS, ColorizerConfig

__all__ = [
    "ARCHITECTURES",
    "DEFAULT_COLORIZER",
    "LOSSES",
    "TARGETS",
    "TILE_SIZE",
    "ColorizerConfig",
    "Ensemble",
    "build_colorizer",
    "build_unet",
    "check_colorizer",
    "colorize",
    "color_gain",
    "downsampling_factor",
    "ensemble_chroma",
    "load_colorizer",
    "predict_chroma",
    "tiling_geometry",
    "train_colorizer",
    "training_pairs",
]
