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

The subpackage, in the order a colorizer is made and used: :mod:`~coursework.colorization.config` (what defines an
experiment), :mod:`~coursework.colorization.models` (the U-Net, the saved form, the committed colorizers),
:mod:`~coursework.colorization.bins` (colour classes and their loss), :mod:`~coursework.colorization.training`,
:mod:`~coursework.colorization.tiling` (exact tiles of a large image) and :mod:`~coursework.colorization.prediction`
(:func:`colorize`). The metrics and tables are in :mod:`coursework.evaluation.colour`.
"""

from coursework.colorization.bins import (
    ColourBins,
    cells_per_side,
    fit_bins,
    half_resolution_chroma,
    half_resolution_error,
    rebalanced_crossentropy,
)
from coursework.colorization.config import (
    ARCHITECTURES,
    LOSS_NAMES,
    TARGETS,
    ColorizerConfig,
    check_global_features,
    check_temperature,
)
from coursework.colorization.models import (
    DEFAULT_COLORIZER,
    bin_centres,
    build_colorizer,
    build_unet,
    check_colorizer,
    colorizer_from_logits,
    decoding_temperature,
    default_colorizer,
    downsampling_factor,
    is_colour_class_model,
    load_colorizer,
    predict_chroma,
    with_temperature,
)
from coursework.colorization.prediction import TILE_SIZE, colorize
from coursework.colorization.tiling import Reach, Window, scene_split, tiling_geometry
from coursework.colorization.training import train_colorizer, training_pairs

__all__ = [
    "ARCHITECTURES",
    "DEFAULT_COLORIZER",
    "LOSS_NAMES",
    "TARGETS",
    "TILE_SIZE",
    "ColorizerConfig",
    "ColourBins",
    "Reach",
    "Window",
    "bin_centres",
    "build_colorizer",
    "build_unet",
    "cells_per_side",
    "check_colorizer",
    "check_global_features",
    "check_temperature",
    "colorize",
    "colorizer_from_logits",
    "decoding_temperature",
    "default_colorizer",
    "downsampling_factor",
    "fit_bins",
    "half_resolution_chroma",
    "half_resolution_error",
    "is_colour_class_model",
    "load_colorizer",
    "predict_chroma",
    "rebalanced_crossentropy",
    "scene_split",
    "tiling_geometry",
    "train_colorizer",
    "training_pairs",
    "with_temperature",
]
