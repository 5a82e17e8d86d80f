"""The datasets an experiment can train on: one entry each in :data:`DATASETS` (see docs/data.md to add one)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coursework.data.loading import load_cifar10_all
from coursework.data.sources import IMAGE_SHAPE


@dataclass(frozen=True)
class Dataset:
    """The shape of a dataset's images and the function that loads it."""

    image_shape: tuple[int, int, int]  # (height, width, channels) of one image
    # (source=None, **options) -> every image (uint8, N x image_shape), its label (N, 1) and the copy they were read
    # from, always in the same order
    load: Callable[..., tuple[np.ndarray, np.ndarray, Path]]


DATASETS = {"cifar10": Dataset(IMAGE_SHAPE, load_cifar10_all)}


def dataset(name: str) -> Dataset:
    """The entry of :data:`DATASETS` called ``name``, else a ValueError that lists them."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(DATASETS)}")
    return DATASETS[name]
