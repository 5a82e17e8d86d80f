"""The colour classes of a ``"bins"`` colorizer: a grid on the Cr-Cb plane, its class weights, and the loss.

Zhang, Isola & Efros (2016), "Colorful Image Colorization": each pixel's chroma is classified into the occupied
cells of a grid, and rare, saturated colours weigh more in the cross-entropy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coursework._tensorflow import tf
from coursework.color import RGB_TO_YCRCB, YCRCB_OFFSET


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


def chroma_of(rgb: tf.Tensor) -> tf.Tensor:
    """Cr, Cb (..., 2) of float RGB (..., 3) in TensorFlow, with the constants of :mod:`coursework.color`."""
    return tf.tensordot(rgb, tf.constant(RGB_TO_YCRCB[1:].T, tf.float32), axes=1) + tf.constant(
        YCRCB_OFFSET[1:], tf.float32
    )


def half_resolution_chroma(rgb: tf.Tensor) -> tf.Tensor:
    """Cr, Cb of float RGB batches (N, H, W, 3), averaged over 2x2 blocks: the colorizers' half-resolution target."""
    return tf.nn.avg_pool2d(chroma_of(rgb), 2, 2, "VALID")


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
        counts += np.bincount(grid_cells(half_resolution_chroma(rgb), bin_size).numpy().ravel(), minlength=cells**2)
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


def grid_cells(chroma: tf.Tensor, bin_size: float) -> tf.Tensor:
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
