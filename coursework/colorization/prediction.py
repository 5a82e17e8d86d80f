"""colorize(): any image, array or file, of any size, coloured in bounded memory by a colorizer or an ensemble of
committed ones (loaded from models/, the default one included)."""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coursework._tensorflow import keras
from coursework.checks import check_bool, check_real, check_whole
from coursework.color import LUMA_WEIGHTS, merge_luma_chroma
from coursework.colorization.models import check_colorizer, downsampling_factor, ensemble_chroma
from coursework.colorization.tiling import round_up, tiles, tiling_geometry
from coursework.images import read_image
from coursework.store import load_model_file, model_paths


def load_colorizer(name: str, directory: Path | None = None) -> keras.Model:
    """A committed colorizer, ``models/<name>.keras`` (or in ``directory``); loaded again once the file changes.

    ``name`` is a plain experiment name, never a path (:func:`coursework.store.check_name`); a ValueError where the
    file holds another kind of model, a FileNotFoundError naming the training command where there is none.
    """
    path = model_paths(name, directory)["model"]
    stat = path.stat() if path.exists() else None
    return _load_file(path, (stat.st_mtime_ns, stat.st_size, stat.st_ino) if stat else None)


@functools.lru_cache(maxsize=16)
def _load_file(path: Path, version: tuple[int, int, int] | None) -> keras.Model:
    """The colorizer in ``path``, cached by its file's time, size and inode: a retrained file (written to a new
    inode by :func:`coursework.paths.atomic_path`) is read afresh, even within one tick of a coarse clock."""
    return check_colorizer(load_model_file(path), path.name)


@dataclass(frozen=True)
class Ensemble:
    """A colorizer made of committed ones: the average chroma of ``members`` (names in ``models/``), each applied
    also to the mirrored luminance where ``flips`` (its prediction mirrored back), with the colour gain ``gain``
    (:func:`ensemble_chroma`). ``Ensemble(("colorizer_unet",))`` is one committed colorizer as it is."""

    members: tuple[str, ...]
    flips: bool = False
    gain: float = 1.0

    def __post_init__(self) -> None:
        if isinstance(self.members, str) or not self.members:
            raise ValueError(f"members must be a non-empty tuple of colorizer names, got {self.members!r}")
        object.__setattr__(self, "members", tuple(self.members))
        object.__setattr__(self, "flips", check_bool(self.flips, "flips"))
        object.__setattr__(self, "gain", check_real(self.gain, "gain", positive=True))

    def models(self) -> list[keras.Model]:
        """The members, loaded from ``models/`` (:func:`load_colorizer`)."""
        return [load_colorizer(name) for name in self.members]


# What ``colorize`` uses by default: the plain average of the three seeds of the augmented U-Net, each on the image
# and its mirror (no colour gain: of the gains notebook 02 compares, 1 has the lowest validation chroma MSE).
DEFAULT_COLORIZER = Ensemble(
    ("colorizer_unet_augment", "colorizer_unet_augment_seed1", "colorizer_unet_augment_seed2"), flips=True
)


# colorize's default tile side in pixels: the model never sees more than (512 + 2 margins)^2 pixels at a time.
TILE_SIZE = 512


def colorize(
    images: np.ndarray | str | os.PathLike,
    colorizer: keras.Model | Ensemble | None = None,
    tile_size: int = TILE_SIZE,
) -> np.ndarray:
    """Colourise RGB or grayscale images; returns RGB images of the same size and dtype convention.

    ``images``: an image file path, or an array: (H, W) gray, (H, W, 1 or 3) one image, (N, H, W, 1 or 3) a batch;
    uint8 (0..255) or float in [0, 1]. RGB input is first reduced to its luminance (its colour is discarded). Sides
    that are not multiples of the models' down-sampling factor are edge-padded, and the padding cropped again.
    Returns (H, W, 3) for a single image or path, (N, H, W, 3) for a batch; uint8 for uint8 input and paths, else
    float in [0, 1]. ``colorizer``: a keras colorizer, or an :class:`Ensemble` of committed ones; by default
    :data:`DEFAULT_COLORIZER`. Files are read as :func:`coursework.images.read_image` describes.

    Memory: images larger than ``tile_size`` squared pixels are coloured in ``tile_size`` tiles, each with a margin
    of context as wide as the models' receptive field (:func:`tiling_geometry`), so that the result equals that of
    the whole image; a model never sees more than ``(tile_size + 2 * margin) ** 2`` pixels at a time (small images
    go in batches of that many pixels). Models whose receptive field is not known here see whole images.
    """
    tile_size = check_whole(tile_size, "tile_size (pixels)", minimum=1)
    if isinstance(images, (str, os.PathLike)):
        luma, single, _ = _luminance(read_image(Path(images)))
        dtype = np.dtype(np.uint8)
    else:
        luma, single, dtype = _luminance(images)
    colorizer = DEFAULT_COLORIZER if colorizer is None else colorizer
    if isinstance(colorizer, Ensemble):
        models, flips, gain = colorizer.models(), colorizer.flips, colorizer.gain
    elif isinstance(colorizer, keras.Model):
        models, flips, gain = [check_colorizer(colorizer)], False, 1.0
    else:
        raise TypeError(
            f"colorizer must be a keras.Model, an Ensemble of committed colorizers or None for the default, got "
            f"{type(colorizer).__name__}; load a .keras file with coursework.store.load_model_file(path)"
        )
    geometries = [tiling_geometry(model) for model in models]
    if None in geometries:
        alignment, margin = math.lcm(*(downsampling_factor(model) for model in models)), None
    else:
        alignment = math.lcm(*(step for step, _ in geometries))
        margin = round_up(max(reach for _, reach in geometries), alignment)
    rgb = np.empty((*luma.shape[:3], 3), dtype)
    for window, keep, target in tiles(luma.shape[:3], alignment, margin, round_up(tile_size, alignment)):
        height, width = luma[window].shape[1:3]
        padding = ((0, 0), (0, -height % alignment), (0, -width % alignment), (0, 0))
        padded = np.pad(luma[window], padding, mode="edge")
        chroma = ensemble_chroma(models, padded, flips, gain, batch_size=len(padded))[:, :height, :width]
        merged = merge_luma_chroma(luma[target], chroma[(slice(None), *keep)])
        rgb[target] = np.round(merged * 255) if dtype == np.uint8 else merged
    return rgb[0] if single else rgb


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
