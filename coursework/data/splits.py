"""The split every experiment uses (80/10/10 of all 60,000 images), its official-pixel subset, and per-class means."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np

from coursework.checks import check_whole
from coursework.data.batches import describe, integers_within
from coursework.data.loading import load_all
from coursework.data.sources import CLASSES, LOSSLESS_TEST_FILE, OFFICIAL_SIZES, DataError, read_npz, resolve_source
from coursework.images import IMAGE_SIZE

SPLIT_SEED = 0  # the seed of the 80/10/10 split that every experiment uses


def split_indices(
    count: int, seed: int = SPLIT_SEED, fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shuffled, disjoint train / validation / test indices covering ``range(count)``; deterministic in ``seed``."""
    if len(fractions) != 3 or min(fractions) < 0 or not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions must be three non-negative numbers summing to 1, got {fractions}")
    order = np.random.default_rng(seed).permutation(count)
    n_train, n_val = round(fractions[0] * count), round(fractions[1] * count)
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]


@dataclass
class CifarSplit:
    """The 80/10/10 split of all 60,000 CIFAR-10 images (uint8) with their labels, and where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    test_positions: np.ndarray  # of the test images among the 60,000: the official train set, then the test set
    source: Path  # the copy they were read from (resolved as load_cifar10 does)

    def with_evaluation_images(self, count: int) -> CifarSplit:
        """This split with only its first ``count`` validation and test images (all of its training images): what a
        quick run evaluates on. The same split where ``count`` covers both."""
        count = check_whole(count, "count", minimum=1)
        return replace(
            self,
            x_val=self.x_val[:count],
            y_val=self.y_val[:count],
            x_test=self.x_test[:count],
            y_test=self.y_test[:count],
            test_positions=self.test_positions[:count],
        )


def cifar_split(source: str | os.PathLike | None = None, seed: int = SPLIT_SEED, **load_options) -> CifarSplit:
    """Load all 60,000 images and split them 48,000 / 6,000 / 6,000 (deterministic in ``seed``).

    ``source`` and ``load_options`` as for :func:`load_cifar10`. Every experiment uses this split with ``SPLIT_SEED``.
    """
    path = resolve_source(source)
    x, y = load_all(path, **load_options)
    train, val, test = split_indices(len(x), seed)
    return CifarSplit(x[train], y[train, 0], x[val], y[val, 0], x[test], y[test, 0], test, path)


class OfficialSubset(NamedTuple):
    """Test images of a split whose official, lossless pixels are known."""

    rows: np.ndarray  # indices into the split's x_test
    x: np.ndarray  # their official pixels (uint8), for comparison with split.x_test[rows]


def official_subset(split: CifarSplit) -> OfficialSubset | None:
    """The split's test images that ``LOSSLESS_TEST_FILE`` beside its source holds, with their official pixels.

    The offline JPEG copy comes with the first official test images, bit-exact: measuring a model on them and on
    their JPEG versions shows what the compression does to its error. None where there is no such file. A DataError
    where their labels disagree with the split's: the source is then not in the official order.
    """
    lossless_file = split.source.parent / LOSSLESS_TEST_FILE
    if not lossless_file.exists():
        return None
    checks = {"x_test": _lossless_images_header, "y_test": _lossless_labels_header}
    lossless = read_npz(lossless_file, checks, "restore it from the dataset copy, or delete it")
    official, labels = lossless["x_test"], lossless["y_test"]
    if len(labels) != len(official) or not integers_within(labels, len(CLASSES) - 1):
        raise DataError(
            f"{lossless_file}: y_test is {describe(labels)} of {len(labels)} labels for {len(official)} images, "
            f"expected one label 0..{len(CLASSES) - 1} per image; restore it from the dataset copy, or delete it"
        )
    official_index = split.test_positions - OFFICIAL_SIZES[0]  # official test image i is image 50,000 + i
    rows = np.flatnonzero((official_index >= 0) & (official_index < len(official)))
    if not np.array_equal(labels[official_index[rows]], split.y_test[rows]):
        raise DataError(f"{lossless_file} does not match {split.source}: its images are not in the official order")
    return OfficialSubset(rows, official[official_index[rows]])


def _lossless_images_header(shape: tuple[int, ...], dtype: np.dtype) -> str | None:
    """What is wrong with the lossless images of this header (None: nothing): at most the official test set."""
    if dtype != np.uint8 or len(shape) != 4 or shape[1:] != (IMAGE_SIZE, IMAGE_SIZE, 3):
        return "expected uint8 images of shape (N, 32, 32, 3)"
    if shape[0] > OFFICIAL_SIZES[1]:
        return f"more images than the official test set's {OFFICIAL_SIZES[1]:,}"
    return None


def _lossless_labels_header(shape: tuple[int, ...], dtype: np.dtype) -> str | None:
    """What is wrong with the lossless images' labels of this header (None: nothing)."""
    if len(shape) != 1 or dtype.kind not in "iu":
        return f"expected a 1-D array of integers 0..{len(CLASSES) - 1}"
    if shape[0] > OFFICIAL_SIZES[1]:
        return f"more labels than the official test set's {OFFICIAL_SIZES[1]:,} images"
    return None
