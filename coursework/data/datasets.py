"""The datasets an experiment can train on: one entry each in :data:`DATASETS` (see docs/data.md to add one)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coursework.data.loading import load_all
from coursework.data.sources import CIFAR10_URL, CLASSES, IMAGE_SHAPE


@dataclass(frozen=True)
class Dataset:
    """Where a dataset comes from, what its images and classes are, and the function that loads it."""

    source: str  # where its loader downloads it from
    image_shape: tuple[int, int, int]  # (height, width, channels) of one image
    classes: tuple[str, ...]
    # (source=None, **options) -> every image (uint8, N x image_shape), its label (N, 1) and the copy they were read
    # from, always in the same order
    load: Callable[..., tuple[np.ndarray, np.ndarray, Path]]


DATASETS = {"cifar10": Dataset(CIFAR10_URL, IMAGE_SHAPE, CLASSES, load_all)}


def dataset(name: str) -> Dataset:
    """The entry of :data:`DATASETS` called ``name``, else a ValueError that lists them."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(DATASETS)}")
    return DATASETS[name]
