"""load_cifar10(): the arrays of whichever source is found, from the cache when it holds them."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import numpy as np

from coursework.checks import check_whole
from coursework.data.batches import from_batches, from_tar
from coursework.data.cache import cache_path, read_cache, write_cache
from coursework.data.image_files import from_folder, from_zip
from coursework.data.sources import (
    BATCH_NAMES,
    OFFICIAL_SIZES,
    Arrays,
    batches_folder,
    resolve_source,
    source_kind,
    validate,
)
from coursework.paths import DATA_DIR


def load_cifar10(
    source: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = DATA_DIR,
    expected_sizes: tuple[int, int] | None = OFFICIAL_SIZES,
) -> Arrays:
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 32, 32, 3) and uint8 labels (N, 1).

    ``expected_sizes`` is the number of (train, test) images the source must hold, equally many of each class
    (``None``: any); a source with any other count, a missing class, a wrongly sized image or a corrupt file raises
    :class:`DataError`.
    ``cache_dir=None`` disables the cache.
    """
    if expected_sizes is not None:
        if isinstance(expected_sizes, (str, bytes)) or len(expected_sizes) != 2:
            raise ValueError(f"expected_sizes must be None or (train, test) image counts, got {expected_sizes!r}")
        expected_sizes = tuple(check_whole(size, "each of expected_sizes", minimum=0) for size in expected_sizes)
    path = resolve_source(source)
    cache = cache_path(path, Path(cache_dir).expanduser()) if cache_dir is not None else None
    cached = read_cache(cache) if cache is not None else None
    if cached is None:
        _announce_decode(path, cache is not None)
        arrays = decode(path)
    else:
        arrays = cached
    validate(arrays, expected_sizes, path)
    if cache is not None and cached is None:
        if cache_path(path, cache.parent) == cache:
            write_cache(cache, arrays)
        else:
            warnings.warn(
                f"{path} changed while it was read: the arrays returned may mix old and new files and are not "
                "cached; load again once it is stable",
                stacklevel=2,
            )
    return arrays


def load_all(source: str | os.PathLike | None = None, **kwargs) -> tuple[np.ndarray, np.ndarray, Path]:
    """All 60,000 images and labels, the official train set followed by the test set, and the copy they were read
    from (``source`` and ``kwargs`` as for :func:`load_cifar10`)."""
    path = resolve_source(source)
    (x_train, y_train), (x_test, y_test) = load_cifar10(path, **kwargs)
    return np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test]), path


def decode(path: Path) -> Arrays:
    """The arrays in ``path``, in the official order."""
    kind = source_kind(path)
    if kind == "batches":
        batches = batches_folder(path)
        return from_batches({name: batches / name for name in BATCH_NAMES}, str(batches))
    return {"images": from_folder, "tar": from_tar, "zip": from_zip}[kind](path)


def _announce_decode(path: Path, cached_afterwards: bool) -> None:
    """Say on stderr that a decode starts and roughly how long it takes: a silent wait of seconds looks hung.

    Cached loads say nothing, so a notebook that loads from the cache keeps a clean output.
    """
    duration = "10-15 s" if source_kind(path) in ("images", "zip") else "a few seconds"
    after = "cached afterwards" if cached_afterwards else "not cached: cache_dir=None"
    print(f"decoding CIFAR-10 from {path} ({duration}, {after})", file=sys.stderr, flush=True)
