"""The split every experiment uses (80/10/10 of all its dataset's images) and CIFAR-10's official-pixel subset."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np

from coursework.checks import check_whole
from coursework.data.datasets import dataset
from coursework.data.sources import LOSSLESS_TEST_FILE, OFFICIAL_SIZES, DataError, read_npz

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
class Split:
    """The 80/10/10 split of all images of a dataset (uint8) with their labels, and where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    test_positions: np.ndarray  # of the test images among all images, in the order the dataset's loader gives them
    source: Path  # the copy they were read from

    def with_evaluation_images(self, count: int) -> Split:
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


def split(name: str, source: str | os.PathLike | None = None, seed: int = SPLIT_SEED, **load_options) -> Split:
    """All images of dataset ``name`` (see :data:`~coursework.data.datasets.DATASETS`) split 80/10/10,
    deterministic in ``seed``; ``source`` and ``load_options`` go to the dataset's loader."""
    x, y, path = dataset(name).load(source, **load_options)
    train, val, test = split_indices(len(x), seed)
    return Split(x[train], y[train, 0], x[val], y[val, 0], x[test], y[test, 0], test, path)


def cifar_split(source: str | os.PathLike | None = None, seed: int = SPLIT_SEED, **load_options) -> Split:
    """CIFAR-10's 60,000 images split 48,000 / 6,000 / 6,000; ``source`` and ``load_options`` as for
    :func:`~coursework.data.loading.load_cifar10`."""
    return split("cifar10", source, seed, **load_options)


class OfficialSubset(NamedTuple):
    """Test images of a split whose official, lossless pixels are known."""

    rows: np.ndarray  # indices into the split's x_test
    x: np.ndarray  # their official pixels (uint8), for comparison with split.x_test[rows]
    kept: int  # the official test images the lossless file holds (the first ones), in the split or not


def official_subset(data: Split) -> OfficialSubset | None:
    """The split's test images that ``LOSSLESS_TEST_FILE`` beside its source holds, with their official pixels.

    The offline JPEG copy comes with the first official test images, bit-exact: measuring a model on them and on
    their JPEG versions shows what the compression does to its error. None where there is no such file. A DataError
    where it cannot be read, or where its labels disagree with the split's: the source is then not in the official
    order.
    """
    lossless_file = data.source.parent / LOSSLESS_TEST_FILE
    if not lossless_file.exists():
        return None
    official, labels = read_npz(lossless_file, ("x_test", "y_test"), "restore it from the dataset copy, or delete it")
    official_index = data.test_positions - OFFICIAL_SIZES[0]  # official test image i is image 50,000 + i
    rows = np.flatnonzero((official_index >= 0) & (official_index < len(official)))
    if not np.array_equal(labels[official_index[rows]], data.y_test[rows]):
        raise DataError(f"{lossless_file} does not match {data.source}: its images are not in the official order")
    return OfficialSubset(rows, official[official_index[rows]], len(official))
