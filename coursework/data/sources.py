"""Where CIFAR-10 comes from: what it holds, the sources accepted, and how one is found (or downloaded)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from coursework.paths import atomic_path

IMAGE_SHAPE = (32, 32, 3)  # (height, width, channels) of one image
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
OFFICIAL_SIZES = (50_000, 10_000)
ORDER_LABELS_FILE = "cifar10-official-order-labels.npz"
# Beside the offline JPEG copy: the first 1,017 official test images, bit-exact (x_test, y_test).
LOSSLESS_TEST_FILE = "cifar10-test-lossless-first1017.npz"
BATCH_NAMES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch")
# The official archive and its SHA-256, as keras.datasets.cifar10.load_data() downloads it (module-level: tests
# point them at a local server).
ARCHIVE_NAME = "cifar-10-python.tar.gz"
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
# How to point the package at a copy: the end of every "not found" message.
HOW_TO_PROVIDE = (
    f"load_cifar10(source=...) or the environment variable CIFAR10_SOURCE, pointing at {ARCHIVE_NAME}, the "
    "cifar-10-batches-py/ folder, or the offline JPEG zip "
    "(e.g. CIFAR10_SOURCE=../shared/data/cifar10/cifar10-jpeg.zip)."
)
# (x_train, y_train), (x_test, y_test), as keras.datasets.cifar10.load_data() returns them.
Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class DataError(ValueError):
    """The data source is missing, corrupt or not CIFAR-10 as expected."""


def read_npz(path: Path, names: tuple[str, ...], fix: str) -> tuple[np.ndarray, ...]:
    """The arrays ``names`` of the .npz file ``path``; a DataError that says what is wrong and ``fix`` otherwise."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            return tuple(saved[name] for name in names)
    except (OSError, ValueError, KeyError, EOFError, TypeError, AttributeError, zipfile.BadZipFile) as error:
        raise DataError(
            f"{path}: not an .npz holding {', '.join(names)} ({type(error).__name__}: {error}); {fix}"
        ) from error


def resolve_source(source: str | os.PathLike | None) -> Path:
    """The source to read: ``source``, else ``CIFAR10_SOURCE``, else keras' cache, else a fresh download."""
    value = source if source is not None else os.environ.get("CIFAR10_SOURCE") or None  # a blank one is unset
    if value is not None:
        origin = "argument source" if source is not None else "CIFAR10_SOURCE"
        candidates = [(origin, Path(value).expanduser())]
    else:
        keras_datasets = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser() / "datasets"
        candidates = [
            ("keras cache", keras_datasets / "cifar-10-batches-py-target" / "cifar-10-batches-py"),
            ("keras cache", keras_datasets / "cifar-10-batches-py"),
            ("keras cache", keras_datasets / ARCHIVE_NAME),
        ]
    for _, path in candidates:
        if path.exists():
            return path.resolve()
    tried = [f"{origin}: {path}" for origin, path in candidates]
    if value is None:
        return _download(keras_datasets / ARCHIVE_NAME, tried)
    raise DataError("CIFAR-10 not found. Tried:\n  " + "\n  ".join(tried) + f"\nProvide it with {HOW_TO_PROVIDE}")


def _download(target: Path, tried: list[str]) -> Path:
    """Download the official archive to ``target`` (keras' cache) with keras' ``get_file``, which checks its SHA-256;
    renamed into place only then, so that a failed or refused download leaves nothing the next load would take."""
    try:
        from keras.utils import get_file  # imports TensorFlow (seconds): only when a download is needed

        with atomic_path(target) as partial:
            # An absolute cache_subdir is used as it is (keras would otherwise fall back to /tmp/.keras).
            get_file(
                fname=partial.name,
                origin=CIFAR10_URL,
                file_hash=CIFAR10_SHA256,
                cache_dir=target.parent,
                cache_subdir=str(target.parent),
            )
    except Exception as error:  # keras reports a failed fetch as a bare Exception and a wrong checksum as ValueError
        raise DataError(
            "CIFAR-10 not found, and downloading it failed. Tried:\n  "
            + "\n  ".join(tried)
            + f"\n  download: {CIFAR10_URL} -> {target} ({type(error).__name__}: {error})\n"
            + f"Offline, copy {ARCHIVE_NAME} from elsewhere to {target}, or point at a copy with {HOW_TO_PROVIDE}"
        ) from error
    return target.resolve()


def batches_folder(path: Path) -> Path:
    """The folder of the official batch files, given it or its parent."""
    return path / "cifar-10-batches-py" if (path / "cifar-10-batches-py").is_dir() else path


def labels_file(image_zip: Path) -> Path:
    """Where the official-order labels of an image zip are: beside it."""
    return image_zip.parent / ORDER_LABELS_FILE


def source_files(path: Path) -> list[Path]:
    """The files a decode of the source ``path`` reads (what its cache entry depends on)."""
    if path.is_dir():
        return [batches_folder(path) / name for name in BATCH_NAMES]
    return [path, labels_file(path)] if path.suffix.lower() == ".zip" else [path]


def validate(arrays: Arrays, expected_sizes: tuple[int, int] | None, where: Path) -> None:
    """A DataError unless ``arrays`` are CIFAR-10's: uint8 (N, 32, 32, 3) images, (N, 1) labels 0..9, and as many
    (train, test) images as ``expected_sizes`` says (None: any number)."""
    for (x, y), subset, expected in zip(arrays, ("train", "test"), expected_sizes or (None, None)):
        if x.dtype != np.uint8 or x.shape[1:] != IMAGE_SHAPE or y.shape != (len(x), 1):
            raise DataError(f"{where}: {subset} arrays have shapes {x.shape} / {y.shape}, not (N, 32, 32, 3) / (N, 1)")
        if y.size and y.max() >= len(CLASSES):
            raise DataError(f"{where}: {subset} labels go up to {y.max()}, expected 0..{len(CLASSES) - 1}")
        if expected is not None and len(x) != expected:
            raise DataError(f"{where}: {subset} set has {len(x):,} images, not {expected:,}: restore the official copy")
