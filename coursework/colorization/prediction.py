"""colorize(): any image, array or file, of any size, coloured by a colorizer in bounded memory."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from coursework._tensorflow import keras
from coursework.checks import check_whole
from coursework.color import LUMA_WEIGHTS, merge_luma_chroma
from coursework.colorization.models import (
    check_colorizer,
    default_colorizer,
    downsampling_factor,
    load_colorizer,
    predict_chroma,
)
from coursework.colorization.tiling import round_up, scene_average, scene_split, tiles, tiling_geometry
from coursework.images import read_image

# colorize's default tile side in pixels: the model never sees more than (512 + 2 margins)^2 pixels at a time.
TILE_SIZE = 512


def colorize(
    images: np.ndarray | str | os.PathLike,
    model: keras.Model | str | None = None,
    tile_size: int = TILE_SIZE,
) -> np.ndarray:
    """Colourise RGB or grayscale images; returns RGB images of the same size and dtype convention.

    ``images``: an image file path, or an array: (H, W) gray, (H, W, 1 or 3) one image, (N, H, W, 1 or 3) a batch;
    uint8 (0..255) or float in [0, 1]. RGB input is first reduced to its luminance (its colour is discarded). Sides
    that are not multiples of the model's down-sampling factor are edge-padded, and the padding cropped again.
    Returns (H, W, 3) for a single image or path, (N, H, W, 3) for a batch; uint8 for uint8 input and paths, else
    float in [0, 1]. ``model``: a colorizer, or the name of a committed one (``models/<name>.keras``; a file
    elsewhere is loaded with :func:`coursework.store.load_model_file`); by default :func:`default_colorizer`. Files
    are read as :func:`coursework.images.read_image` describes.

    Memory: images larger than ``tile_size`` squared pixels are coloured in ``tile_size`` tiles, each with a margin
    of context as wide as the model's receptive field (:func:`tiling_geometry`), so that the result equals that of
    the whole image; the model never sees more than ``(tile_size + 2 * margin) ** 2`` pixels at a time (small images
    go in batches of that many pixels). Models whose receptive field is not known here see whole images.
    """
    tile_size = check_whole(tile_size, "tile_size (pixels)", minimum=1)
    if isinstance(images, (str, os.PathLike)):
        luma, single, _ = _luminance(read_image(Path(images)))
        dtype = np.dtype(np.uint8)
    else:
        luma, single, dtype = _luminance(images)
    model = _resolve_colorizer(model)
    geometry = tiling_geometry(model)
    split = None if geometry else scene_split(model)  # a global branch: tiled through the whole image's average
    geometry = geometry or (split and tiling_geometry(split[1]))
    alignment, margin = geometry or (downsampling_factor(model), None)
    tile = round_up(tile_size, alignment)
    rgb = np.empty((*luma.shape[:3], 3), dtype)
    scenes: dict[int, np.ndarray] = {}
    for window, keep, target in tiles(luma.shape[:3], alignment, margin, tile):
        is_tile = keep != (slice(None), slice(None))
        if split and is_tile:  # one tile of a large image: its global branch gets the whole image's average
            image = window[0].start
            if image not in scenes:
                scenes[image] = scene_average(split[0], luma[image : image + 1], alignment, margin, tile)
            chroma = _predict_padded(split[1], luma[window], alignment, scenes[image])
        else:
            chroma = _predict_padded(model, luma[window], alignment)
        chroma = chroma[(slice(None), *keep)]
        merged = merge_luma_chroma(luma[target], chroma)
        rgb[target] = np.round(merged * 255) if dtype == np.uint8 else merged
    return rgb[0] if single else rgb


def _resolve_colorizer(model: keras.Model | str | None) -> keras.Model:
    """The colorizer ``colorize`` was given: a model, a committed colorizer's name, or None for the default; a
    ValueError for a model of another kind (an autoencoder, say)."""
    if model is None or isinstance(model, str):
        return default_colorizer() if model is None else load_colorizer(model)
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"model must be a keras.Model, the name of a committed colorizer (e.g. 'colorizer_mild_rebalance') or "
            f"None for the default, got {type(model).__name__}; load a .keras file with "
            "coursework.store.load_model_file(path)"
        )
    return check_colorizer(model)


def _predict_padded(model: keras.Model, luma: np.ndarray, multiple: int, scene: np.ndarray | None = None) -> np.ndarray:
    """Chroma of a luminance batch whose sides are edge-padded to multiples of ``multiple``, cropped again; with
    ``scene``, the global branch's input of a :func:`scene_split` model (``given``)."""
    height, width = luma.shape[1:3]
    padding = ((0, 0), (0, -height % multiple), (0, -width % multiple), (0, 0))
    padded = np.pad(luma, padding, mode="edge")
    if scene is None:
        return predict_chroma(model, padded, batch_size=len(luma))[:, :height, :width]
    return np.asarray(model([padded, scene], training=False))[:, :height, :width]


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
