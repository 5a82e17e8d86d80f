"""Where CIFAR-10 comes from: what it holds, the sources accepted, how one is found (or downloaded) and told apart."""

from __future__ import annotations

import os
import secrets
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

IMAGE_SHAPE = (32, 32, 3)  # (height, width, channels) of one image
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
OFFICIAL_SIZES = (50_000, 10_000)
ORDER_LABELS_FILE = "cifar10-official-order-labels.npz"
# Beside the offline JPEG copy: the first 1,017 official test images, bit-exact (x_test, y_test).
LOSSLESS_TEST_FILE = "cifar10-test-lossless-first1017.npz"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
BATCH_NAMES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch")
# The official archive and its SHA-256, as keras.datasets.cifar10.load_data() downloads it (module-level: tests
# point them at a local server).
ARCHIVE_NAME = "cifar-10-python.tar.gz"
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
# How to point the package at a copy: the end of every "not found" message.
HOW_TO_PROVIDE = (
    "load_cifar10(source=...) or the environment variable CIFAR10_SOURCE, pointing at "
    f"{ARCHIVE_NAME}, the cifar-10-batches-py/ folder, or an image folder/zip with train/<class>/ and "
    "test/<class>/ (e.g. CIFAR10_SOURCE=../shared/data/cifar10/cifar10-jpeg.zip)."
)
# (x_train, y_train), (x_test, y_test), as keras.datasets.cifar10.load_data() returns them.
Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
# What read_npz checks of an array from its .npy header: (shape, dtype) -> what is wrong with it, or None.
HeaderCheck = Callable[[tuple[int, ...], np.dtype], str | None]


class DataError(ValueError):
    """The data source is missing, corrupt or not CIFAR-10 as expected."""


def resolve_source(source: str | os.PathLike | None) -> Path:
    """The source to read: ``source``, else ``CIFAR10_SOURCE``, else keras' cache, else a fresh download.

    A blank ``source`` or ``CIFAR10_SOURCE`` is refused (it would read the current folder), and a blank
    ``KERAS_HOME`` counts as unset, as an empty setting usually means "not set" in a shell script.
    """
    candidates = []
    download_to = None
    environment = os.environ.get("CIFAR10_SOURCE")
    if source is not None or environment:
        origin, value = ("argument source", source) if source is not None else ("CIFAR10_SOURCE", environment)
        if not os.fspath(value).strip():
            raise DataError(
                f"{'source' if source is not None else 'CIFAR10_SOURCE'} is an empty path; pass the CIFAR-10 folder "
                "or archive, or source=None to use CIFAR10_SOURCE or keras' download"
            )
        candidates.append((origin, Path(value).expanduser()))
    else:
        keras_home = os.environ.get("KERAS_HOME", "").strip() or Path.home() / ".keras"
        keras_datasets = Path(keras_home).expanduser() / "datasets"
        candidates += [
            ("keras cache", keras_datasets / "cifar-10-batches-py-target" / "cifar-10-batches-py"),
            ("keras cache", keras_datasets / "cifar-10-batches-py"),
            ("keras cache", keras_datasets / ARCHIVE_NAME),
        ]
        download_to = keras_datasets / ARCHIVE_NAME
    for _, path in candidates:
        if path.exists():
            return path.resolve()
    tried = [f"{origin}: {path}" for origin, path in candidates]
    if download_to is not None:
        return _download(download_to, tried)
    raise DataError("CIFAR-10 not found. Tried:\n  " + "\n  ".join(tried) + f"\nProvide it with {HOW_TO_PROVIDE}")


def _download(target: Path, tried: list[str]) -> Path:
    """Download the official archive to ``target`` (keras' cache) with keras' ``get_file``, which checks its SHA-256.

    The download goes to a temporary name that is renamed only once its checksum matched, so a failed, refused or
    interrupted download never leaves a bad archive where the next load would take it for the real one.
    """
    partial = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.part")
    try:
        from keras.utils import get_file  # imports TensorFlow (seconds): only when a download is needed

        target.parent.mkdir(parents=True, exist_ok=True)
        # An absolute cache_subdir is used as it is (keras would otherwise fall back to /tmp/.keras).
        get_file(
            fname=partial.name,
            origin=CIFAR10_URL,
            file_hash=CIFAR10_SHA256,
            cache_dir=target.parent,
            cache_subdir=str(target.parent),
        )
        os.replace(partial, target)
    except Exception as error:  # keras reports a failed fetch as a bare Exception and a wrong checksum as ValueError
        raise DataError(
            "CIFAR-10 not found, and downloading it failed. Tried:\n  "
            + "\n  ".join(tried)
            + f"\n  download: {CIFAR10_URL} -> {target} ({type(error).__name__}: {error})\n"
            + f"Offline, copy {ARCHIVE_NAME} from elsewhere to {target}, or point at a copy with {HOW_TO_PROVIDE}"
        ) from error
    finally:
        partial.unlink(missing_ok=True)  # gone after a success; removes a download that failed its checksum
    return target.resolve()


def source_kind(path: Path) -> str:
    """Which of the accepted sources ``path`` is: "batches", "images" (a folder), "tar" or "zip".

    An archive must be a regular file: a FIFO or a device named ``*.zip`` would block the read or never end.
    """
    if path.is_dir():
        return "batches" if batches_folder(path) is not None else "images"
    name = path.name.lower()
    if not name.endswith((".tar.gz", ".tgz", ".tar", ".zip")):
        raise DataError(f"{path}: not a folder, .tar.gz or .zip; cannot read CIFAR-10 from it")
    if not path.is_file():
        raise DataError(f"{path}: not a regular file (a FIFO or a device?); point at the archive itself")
    return "zip" if name.endswith(".zip") else "tar"


def batches_folder(path: Path) -> Path | None:
    """The folder holding the official batch files when ``path`` is it or its parent, else None."""
    batches = path / "cifar-10-batches-py" if (path / "cifar-10-batches-py").is_dir() else path
    return batches if (batches / "data_batch_1").exists() or (batches / "test_batch").exists() else None


def labels_file(image_source: Path) -> Path:
    """Where the official-order labels of an image folder or zip would be: inside the folder, beside the zip."""
    return (image_source if image_source.is_dir() else image_source.parent) / ORDER_LABELS_FILE


def is_hidden(parts: tuple[str, ...]) -> bool:
    """Dot-files (``.DS_Store``, macOS ``._*`` resource forks) and ``__MACOSX/`` entries: never images."""
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def visible_files(root: Path) -> list[Path]:
    """Every regular file under ``root`` that is not hidden, sorted (FIFOs, devices and sockets are left out)."""
    return [file for file in sorted(root.rglob("*")) if file.is_file() and not is_hidden(file.relative_to(root).parts)]


def read_bounded(stream: BinaryIO, declared: int, limit: int, what: str) -> bytes:
    """At most ``limit`` bytes of ``stream``, or a DataError: first from the ``declared`` size (a header's or the
    file system's), then from what is actually there, in case the header lies."""
    if declared > limit:
        raise DataError(f"{what} is {declared:,} bytes, far more than it can hold (at most {limit:,}): not CIFAR-10")
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise DataError(f"{what} holds more than {limit:,} bytes, more than its header says: a damaged or forged file")
    return content


def read_file(file: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; a DataError for a larger or special file (a FIFO
    would block the read, a device never end it)."""
    if not file.is_file():
        raise DataError(f"{file}: not a regular file (a FIFO or a device?); cannot read CIFAR-10 from it")
    with file.open("rb") as stream:
        return read_bounded(stream, file.stat().st_size, limit, str(file))


def validate(arrays: Arrays, expected_sizes: tuple[int, int] | None, where: Path) -> None:
    """A DataError unless ``arrays`` are CIFAR-10's: uint8 (N, 32, 32, 3) images, (N, 1) labels 0..9, and as many
    (train, test) images as ``expected_sizes`` says, equally many of each class (None: any number)."""
    for (x, y), subset, expected in zip(arrays, ("train", "test"), expected_sizes or (None, None)):
        if x.dtype != np.uint8 or x.shape[1:] != IMAGE_SHAPE or y.shape != (len(x), 1):
            raise DataError(f"{where}: {subset} arrays have shapes {x.shape} / {y.shape}, not (N, 32, 32, 3) / (N, 1)")
        if y.size and y.max() >= len(CLASSES):
            raise DataError(f"{where}: {subset} labels go up to {y.max()}, expected 0..{len(CLASSES) - 1}")
        counts = np.bincount(y[:, 0], minlength=len(CLASSES))
        if expected is not None and (len(x) != expected or np.any(counts * len(CLASSES) != expected)):
            raise DataError(
                f"{where}: {subset} set has {len(x):,} images, {counts.tolist()} per class; expected {expected:,}, "
                f"{expected / len(CLASSES):,.0f} of each class: restore the official files"
            )


def read_npz(path: Path, checks: dict[str, HeaderCheck], fix: str) -> dict[str, np.ndarray]:
    """The arrays ``checks`` names from the .npz file ``path``, each checked from its .npy header (shape and dtype)
    before its data are read, so that a header that declares a huge array costs nothing; else a DataError that names
    the file, what is wrong and ``fix`` (a missing array, a damaged zip, a file that is no .npz at all)."""
    if not path.is_file():  # a FIFO would block the read
        raise DataError(f"{path}: not a regular file (a FIFO or a device?); {fix}")
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for key, check in checks.items():
                if f"{key}.npy" not in archive.namelist():
                    raise DataError(f"{path}: holds no array {key} (it holds {archive.namelist()}); {fix}")
                with archive.open(f"{key}.npy") as stream:
                    one = np.lib.format.read_magic(stream) == (1, 0)
                    header = np.lib.format.read_array_header_1_0 if one else np.lib.format.read_array_header_2_0
                    shape, _, dtype = header(stream)
                problem = "an array of Python objects" if dtype.hasobject else check(shape, dtype)
                if problem:
                    raise DataError(f"{path}: {key} is {dtype} of shape {shape}: {problem}; {fix}")
                with archive.open(f"{key}.npy") as stream:
                    arrays[key] = np.lib.format.read_array(stream, allow_pickle=False)
    except DataError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise DataError(
            f"{path}: not an .npz holding {' and '.join(checks)} ({type(error).__name__}: {error}); {fix}"
        ) from error
    return arrays
