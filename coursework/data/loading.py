"""load_cifar10(): the arrays of whichever source is found, from the cache when it holds them.

The cache is one ``.npz`` file under ``data/`` per source, keyed on the source's path and on the size and
modification time of every file its decode reads, and written through a temporary name (never seen half-written).
"""

from __future__ import annotations

import hashlib
import os
import sys
import warnings
from pathlib import Path

import numpy as np

from coursework.data.batches import from_folder, from_tar
from coursework.data.image_files import from_zip
from coursework.data.sources import (
    OFFICIAL_SIZES,
    Arrays,
    batches_folder,
    read_npz,
    resolve_source,
    source_files,
    validate,
)
from coursework.paths import DATA_DIR, atomic_path

CACHE_FORMAT = 4  # part of the cache key: bump it when decoding or the cache layout changes
CACHED_ARRAYS = ("x_train", "y_train", "x_test", "y_test")


def load_cifar10(
    source: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = DATA_DIR,
    expected_sizes: tuple[int, int] | None = OFFICIAL_SIZES,
) -> Arrays:
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 32, 32, 3) and uint8 labels (N, 1).

    ``expected_sizes`` is the number of (train, test) images the source must hold (``None``: any); a source with any
    other count, a wrongly sized image or a corrupt file raises :class:`DataError`. ``cache_dir=None``: no cache.
    """
    path = resolve_source(source)
    cache = cache_path(path, Path(cache_dir).expanduser()) if cache_dir is not None else None
    cached = cache is not None and cache.exists()
    if not cached:
        _announce_decode(path, cache is not None)
    arrays = _read_cache(cache) if cached else decode(path)
    validate(arrays, expected_sizes, path)
    if cache is not None and not cached:
        _write_cache(cache, arrays)
    return arrays


def load_cifar10_all(source: str | os.PathLike | None = None, **kwargs) -> tuple[np.ndarray, np.ndarray, Path]:
    """All 60,000 CIFAR-10 images and labels, the official train set followed by the test set, and the copy they
    were read from (``source`` and ``kwargs`` as for :func:`load_cifar10`)."""
    path = resolve_source(source)
    (x_train, y_train), (x_test, y_test) = load_cifar10(path, **kwargs)
    return np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test]), path


def decode(path: Path) -> Arrays:
    """The arrays in ``path``, in the official order."""
    if path.is_dir():
        return from_folder(batches_folder(path))
    return from_zip(path) if path.suffix.lower() == ".zip" else from_tar(path)


def cache_path(source: Path, cache_dir: Path) -> Path:
    """The cache entry of ``source``: a hash of its path and of the size and modification time of what it reads."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{source}".encode())
    for file in source_files(source):
        stat = file.stat() if file.exists() else None
        digest.update(f"|{file.name}|{stat and (stat.st_size, stat.st_mtime_ns)}".encode())
    return cache_dir / f"cifar10-{digest.hexdigest()[:16]}.npz"


def _read_cache(cache: Path) -> Arrays:
    """The arrays of a cache entry; a DataError that says to delete it where it is damaged."""
    x_train, y_train, x_test, y_test = read_npz(cache, CACHED_ARRAYS, "delete it to decode the source again")
    return (x_train, y_train), (x_test, y_test)


def _write_cache(cache: Path, arrays: Arrays) -> None:
    """Store a cache entry, best-effort: a failure (read-only folder, full disk) only warns."""
    try:
        with atomic_path(cache) as temporary:
            np.savez(temporary, **dict(zip(CACHED_ARRAYS, (array for pair in arrays for array in pair))))
    except OSError as error:
        warnings.warn(
            f"could not write the CIFAR-10 cache {cache} ({type(error).__name__}: {error}); the next load decodes "
            "the source again. Make the folder writable, or pass another cache_dir (None: no cache).",
            stacklevel=3,
        )


def _announce_decode(path: Path, cached_afterwards: bool) -> None:
    """Say on stderr that a decode starts and roughly how long it takes: a silent wait of seconds looks hung.

    Cached loads say nothing, so a notebook that loads from the cache keeps a clean output.
    """
    duration = "10-15 s" if path.suffix.lower() == ".zip" else "a few seconds"
    after = "cached afterwards" if cached_afterwards else "not cached: cache_dir=None"
    print(f"decoding CIFAR-10 from {path} ({duration}, {after})", file=sys.stderr, flush=True)
