"""The official pickled batches, from the ``cifar-10-batches-py/`` folder or read out of the tar.gz archive.

A batch is unpickled with only NumPy's array classes allowed (never code), and its pixels and labels are refused
when out of range, never cast.
"""

from __future__ import annotations

import hashlib
import io
import math
import pickle
import tarfile
from pathlib import Path, PurePosixPath

import numpy as np

import coursework.data.sources as sources
from coursework.data.sources import ARCHIVE_NAME, BATCH_NAMES, CLASSES, IMAGE_SHAPE, Arrays, DataError, read_file

IMAGE_VALUES = math.prod(IMAGE_SHAPE)  # a batch stores each image as one row of its values
MAX_BATCH_FILE_BYTES = 64 << 20  # the most bytes a batch file may hold (an official one holds 31 MB)


def from_batches(files: dict[str, Path | bytes], where: str) -> Arrays:
    """Parse the six official pickled batches (given as paths or as their bytes); a copy of one is refused."""
    parts, digests = {}, {}
    for name in BATCH_NAMES:
        content = files.get(name)
        if content is None or (isinstance(content, Path) and not content.exists()):
            raise DataError(f"{where}: batch file {name} is missing")
        raw = read_file(content, MAX_BATCH_FILE_BYTES) if isinstance(content, Path) else content
        digests[name] = hashlib.sha256(raw).digest()
        copied = next((other for other in parts if digests[other] == digests[name]), None)
        if copied:
            raise DataError(f"{where}: {name} is a copy of {copied}; restore the official {name}")
        parts[name] = parse_batch(raw, f"{where}/{name}")
    x_train = np.concatenate([parts[name][0] for name in BATCH_NAMES[:5]])
    y_train = np.concatenate([parts[name][1] for name in BATCH_NAMES[:5]])
    return (x_train, y_train), parts["test_batch"]


class _BatchUnpickler(pickle.Unpickler):
    """Unpickles only what a CIFAR batch holds (NumPy arrays, lists, dicts): never arbitrary code."""

    ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a CIFAR batch file")
        return super().find_class(module, name)


def parse_batch(raw: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of one batch; pixels outside 0..255 or labels outside 0..9 are refused, never cast.

    The data must be an array and the labels a flat list or array, as in the official files: nested lists that
    share their items would let a small pickle expand into an array of any size.
    """
    try:
        batch = _BatchUnpickler(io.BytesIO(raw), encoding="bytes").load()
        data, labels = batch[b"data"], batch[b"labels"]
        if not isinstance(data, np.ndarray):
            raise TypeError(f"data is a {type(data).__name__}, not a NumPy array")
        if not isinstance(labels, np.ndarray) and not (
            isinstance(labels, list) and all(isinstance(label, int) for label in labels)
        ):
            raise TypeError("labels are not a list of integers or a NumPy array")
        labels = np.asarray(labels)
    except Exception as error:  # any unpickling failure means the same thing to the user
        raise DataError(f"{where}: not a readable CIFAR batch ({type(error).__name__}: {error})") from error
    if data.ndim != 2 or data.shape[1] != IMAGE_VALUES or labels.size != len(data):
        raise DataError(f"{where}: expected data (N, {IMAGE_VALUES}) with N labels, got {data.shape} and {labels.size}")
    if not integers_within(data, 255):
        raise DataError(
            f"{where}: pixel data are {describe(data)}, expected integers 0..255 (uint8). A batch holds the raw "
            "bytes: write floats in [0, 1] as np.round(x * 255).astype(np.uint8)"
        )
    if not integers_within(labels, len(CLASSES) - 1):
        raise DataError(f"{where}: labels are {describe(labels)}, expected integers 0..{len(CLASSES) - 1}")
    images = data.astype(np.uint8, copy=False).reshape(-1, IMAGE_SHAPE[2], *IMAGE_SHAPE[:2]).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.uint8).reshape(-1, 1)


def integers_within(array: np.ndarray, high: int) -> bool:
    """Whether ``array`` holds only integers in 0..``high`` (an empty array does)."""
    if array.size == 0:
        return True
    return array.dtype.kind in "iu" and array.min() >= 0 and array.max() <= high


def describe(array: np.ndarray) -> str:
    """An array's dtype and, for numbers, its range (e.g. ``float32 in [0.0, 1.0]``), for error messages."""
    if array.size and array.dtype.kind in "biuf":
        return f"{array.dtype} in [{array.min()}, {array.max()}]"
    return str(array.dtype)


def from_tar(path: Path) -> Arrays:
    """Decode the official archive without extracting it, once its SHA-256 is the official one (so that no other
    archive is ever parsed: a damaged or foreign one is refused before it is read)."""
    with path.open("rb") as stream:
        digest = hashlib.file_digest(stream, "sha256").hexdigest()
    if digest != sources.CIFAR10_SHA256:
        raise DataError(
            f"{path}: SHA-256 {digest[:16]}..., not the official archive's {sources.CIFAR10_SHA256[:16]}...: it is "
            f"damaged (an interrupted copy or download?) or not CIFAR-10; delete it and download {ARCHIVE_NAME} again "
            f"from {sources.CIFAR10_URL}"
        )
    with tarfile.open(path, "r:gz") as archive:
        members = [member for member in archive.getmembers() if PurePosixPath(member.name).name in BATCH_NAMES]
        files = {PurePosixPath(member.name).name: archive.extractfile(member).read() for member in members}
    return from_batches(files, str(path))
