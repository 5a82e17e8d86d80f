"""The official pickled batches, from the ``cifar-10-batches-py/`` folder or read out of the tar.gz archive.

A batch is unpickled with only NumPy's array classes allowed (never code). The archive is read only once its SHA-256
is the official one, so that a damaged or foreign archive is refused before it is parsed.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import tarfile
from pathlib import Path, PurePosixPath

import numpy as np

import coursework.data.sources as sources
from coursework.data.sources import ARCHIVE_NAME, BATCH_NAMES, IMAGE_SHAPE, Arrays, DataError


def from_folder(folder: Path) -> Arrays:
    """Decode the six official batch files in ``folder``."""
    files = {name: folder / name for name in BATCH_NAMES if (folder / name).is_file()}
    return from_batches({name: path.read_bytes() for name, path in files.items()}, folder)


def from_tar(path: Path) -> Arrays:
    """Decode the official archive without extracting it, once its SHA-256 is the official one."""
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
    return from_batches(files, path)


def from_batches(files: dict[str, bytes], where: Path) -> Arrays:
    """Parse the six official pickled batches, given as their bytes by name."""
    missing = [name for name in BATCH_NAMES if name not in files]
    if missing:
        raise DataError(f"{where}: batch file(s) {', '.join(missing)} missing; give the official copy")
    parts = [_parse_batch(files[name], f"{where}/{name}") for name in BATCH_NAMES]
    x_train, y_train = (np.concatenate(arrays) for arrays in zip(*parts[:5]))
    return (x_train, y_train), parts[5]


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


def _parse_batch(raw: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 32, 32, 3) and labels (N, 1) of one batch, both uint8."""
    try:
        batch = _BatchUnpickler(io.BytesIO(raw), encoding="bytes").load()
        images = np.asarray(batch[b"data"], np.uint8).reshape(-1, IMAGE_SHAPE[2], *IMAGE_SHAPE[:2])
        return np.ascontiguousarray(images.transpose(0, 2, 3, 1)), np.asarray(batch[b"labels"], np.uint8)[:, None]
    except Exception as error:  # any unpickling failure means the same thing to the user
        raise DataError(f"{where}: not a readable CIFAR batch ({type(error).__name__}: {error})") from error
