"""The cache of decoded arrays (``.npy`` files under ``data/``): its key, and atomic, best-effort reads and writes.

The key is a SHA-256 over the source's path and everything a decode reads (see :mod:`coursework.data`). Each file
of an entry goes to a temporary name and is renamed; the ``.json`` marker that completes an entry goes last, so
that a concurrent load never sees a partial entry. Any failure to read or write an entry only warns.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

from coursework.data.sources import (
    BATCH_NAMES,
    Arrays,
    DataError,
    batches_folder,
    labels_file,
    source_kind,
    validate,
    visible_files,
)

# Part of the cache key: bump it when decoding or the cache layout changes (3: image files read as colorize reads
# them, 16-bit ones no longer clipped).
CACHE_FORMAT = 3
CACHED_ARRAYS = ("x_train", "y_train", "x_test", "y_test")


def cache_path(source: Path, cache_dir: Path) -> Path:
    """The cache entry of ``source``: a hash of its path and of everything its decode reads.

    Whole files (an archive, the six batch files, the labels file) are hashed by content, so that even a copy
    with the same size and modification time (``cp -p``) gives a new key: SHA-256 of the whole file, not a sample
    of it, since hashing a file in the page cache is quick next to loading the arrays. The files of an image folder
    (60,000 for CIFAR-10) are keyed by name, size and modification time instead: reading them all would cost
    nearly as much as decoding them.
    """
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{source}".encode())
    kind = source_kind(source)
    if kind == "batches":
        hashed = [batches_folder(source) / name for name in BATCH_NAMES]
    elif kind == "images":
        for file in visible_files(source):
            stat = file.stat()
            digest.update(f"|{file.relative_to(source)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
        hashed = [labels_file(source)]
    elif kind == "zip":
        hashed = [source, labels_file(source)]
    else:
        hashed = [source]
    for file in hashed:
        digest.update(f"|{file.name}|{_content_digest(file)}".encode())
    return cache_dir / f"cifar10-{digest.hexdigest()[:16]}"


def _content_digest(file: Path) -> str:
    """SHA-256 of the file's bytes, or "absent" (also for a FIFO or a device, which the decode refuses)."""
    if not file.is_file():
        return "absent"
    try:
        with file.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError as error:
        raise DataError(f"{file}: cannot read it ({type(error).__name__}: {error})") from error


def read_cache(cache: Path) -> Arrays | None:
    """The cached arrays; None when there is no complete entry.

    A damaged entry (a truncated file, or one that is not a regular file) is reported by a warning and treated as
    absent, to be decoded again; so is, silently, one of images that were not in the official order (cached before
    such a copy was refused), so that the decode refuses it.
    """
    marker = cache.with_suffix(".json")
    if not marker.exists():
        return None
    try:
        files = [marker] + [cache.with_suffix(f".{name}.npy") for name in CACHED_ARRAYS]
        irregular = [file.name for file in files if not file.is_file()]  # a FIFO would block the read
        if irregular:
            raise OSError(f"{', '.join(irregular)} missing or not regular files")
        if json.loads(marker.read_text())["official_order"] is not True:
            return None
        x_train, y_train, x_test, y_test = (np.load(file) for file in files[1:])
        arrays = (x_train, y_train), (x_test, y_test)
        validate(arrays, None, cache)
    except (OSError, ValueError, EOFError, KeyError, TypeError) as error:
        warnings.warn(
            f"CIFAR-10 cache {cache}.* is unreadable ({type(error).__name__}: {error}); decoding the source again",
            stacklevel=3,
        )
        return None
    return arrays


def write_cache(cache: Path, arrays: Arrays) -> None:
    """Store a cache entry, best-effort: a failure (read-only folder, full disk) only warns.

    The ``.json`` marker goes last: an entry without it is incomplete and ignored.
    """
    (x_train, y_train), (x_test, y_test) = arrays
    marker = json.dumps({"official_order": True}).encode()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        for name, array in zip(CACHED_ARRAYS, (x_train, y_train, x_test, y_test)):
            _write_atomically(cache.with_suffix(f".{name}.npy"), lambda stream, array=array: np.save(stream, array))
        _write_atomically(cache.with_suffix(".json"), lambda stream: stream.write(marker))
    except OSError as error:
        warnings.warn(
            f"could not write the CIFAR-10 cache in {cache.parent} ({type(error).__name__}: {error}); the decoded "
            "arrays are returned, but the next load decodes the source again. Make the folder writable, or pass "
            "another cache_dir (None: no cache).",
            stacklevel=3,
        )


def _write_atomically(final: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write ``final`` through a temporary file unique to this call, then rename it: readers see all or nothing."""
    descriptor, temporary = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            write(stream)
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
