"""The official pickled batches, from the ``cifar-10-batches-py/`` folder or read out of the tar.gz archive.

A batch is unpickled with only NumPy's array classes allowed (never code), and its pixels and labels are refused
when out of range, never cast.
"""

from __future__ import annotations

import gzip
import io
import pickle
import tarfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import numpy as np

from coursework.data.sources import BATCH_NAMES, CLASSES, Arrays, DataError, read_bounded, read_file

# The most bytes a batch file may hold (an official one holds 31 MB), and the most members a tar is searched
# through for the six batches (the official archive has 8): larger files and archives are refused, not read.
MAX_BATCH_FILE_BYTES = 64 << 20
MAX_TAR_MEMBERS = 1000
# The most decompressed bytes a tar is read through (the official archive is 178 MB decompressed), and the largest
# extended header (a GNU long name, a pax record) accepted: the official archive's names are short.
MAX_TAR_BYTES = 256 << 20
MAX_TAR_HEADER_BYTES = 8 << 10


def from_batches(files: dict[str, Path | bytes], where: str) -> Arrays:
    """Parse the six official pickled batches (given as paths or as their bytes)."""
    parts = {}
    for name in BATCH_NAMES:
        content = files.get(name)
        if content is None or (isinstance(content, Path) and not content.exists()):
            raise DataError(f"{where}: batch file {name} is missing")
        raw = read_file(content, MAX_BATCH_FILE_BYTES) if isinstance(content, Path) else content
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
    if data.ndim != 2 or data.shape[1] != 32 * 32 * 3 or labels.size != len(data):
        raise DataError(f"{where}: expected data (N, 3072) with N labels, got {data.shape} and {labels.size}")
    if not integers_within(data, 255):
        raise DataError(
            f"{where}: pixel data are {describe(data)}, expected integers 0..255 (uint8). A batch holds the raw "
            "bytes: write floats in [0, 1] as np.round(x * 255).astype(np.uint8)"
        )
    if not integers_within(labels, len(CLASSES) - 1):
        raise DataError(f"{where}: labels are {describe(labels)}, expected integers 0..{len(CLASSES) - 1}")
    images = data.astype(np.uint8, copy=False).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
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
    """Decode the official archive without extracting it: its six batch members, each read with a bound.

    The archive is read as a stream of at most :data:`MAX_TAR_BYTES` decompressed bytes, and extended headers (GNU
    long names, pax records) of more than :data:`MAX_TAR_HEADER_BYTES` are refused before tarfile reads them: a
    small archive that decompresses to a huge header costs nothing.
    """
    try:
        with path.open("rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            stream = _Bounded(gzip.GzipFile(fileobj=raw) if gzipped else raw, MAX_TAR_BYTES, path)
            with tarfile.open(path, mode="r|", fileobj=stream, tarinfo=_BoundedTarInfo) as archive:
                files = _batch_members(archive, path)
    except (tarfile.TarError, EOFError, OSError, zipfile.BadZipFile, zlib.error) as error:
        raise DataError(f"{path}: corrupt or truncated archive ({type(error).__name__}: {error})") from error
    return from_batches(files, str(path))


def _batch_members(archive: tarfile.TarFile, path: Path) -> dict[str, bytes]:
    """The bytes of the batch members of an archive opened as a stream, each read with a bound."""
    files: dict[str, bytes] = {}
    for count, member in enumerate(archive):
        if count >= MAX_TAR_MEMBERS:
            raise DataError(f"{path}: more than {MAX_TAR_MEMBERS} members; not the official CIFAR-10 archive")
        member_name = PurePosixPath(member.name).name
        if member.isfile() and member_name in BATCH_NAMES:
            where = f"{path}: member {member.name}"
            files[member_name] = read_bounded(archive.extractfile(member), member.size, MAX_BATCH_FILE_BYTES, where)
            if len(files) == len(BATCH_NAMES):
                break
    return files


class _Bounded(io.RawIOBase):
    """A read-only stream over ``stream`` that raises a DataError once more than ``limit`` bytes were read."""

    def __init__(self, stream: BinaryIO, limit: int, path: Path):
        super().__init__()
        self.stream, self.limit, self.path, self.count = stream, limit, path, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        """At most ``size`` bytes (never more than the bound allows, plus one to detect the excess)."""
        allowed = self.limit + 1 - self.count
        content = self.stream.read(allowed if size is None or size < 0 else min(size, allowed))
        self.count += len(content)
        if self.count > self.limit:
            raise DataError(
                f"{self.path}: decompresses to more than {self.limit:,} bytes, far more than the official archive's "
                "178 MB; not CIFAR-10"
            )
        return content


class _BoundedTarInfo(tarfile.TarInfo):
    """A tar header that refuses, before tarfile reads them, extended headers larger than any the official archive
    could need, and GNU sparse members (whose maps tarfile reads into memory)."""

    def _proc_member(self, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:
        extended = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE, tarfile.XGLTYPE)
        if self.type in (*extended, tarfile.SOLARIS_XHDTYPE) and self.size > MAX_TAR_HEADER_BYTES:
            raise DataError(
                f"{tarfile_.name}: an extended tar header of {self.size:,} bytes (at most "
                f"{MAX_TAR_HEADER_BYTES:,}): not the official CIFAR-10 archive"
            )
        if self.type == tarfile.GNUTYPE_SPARSE:
            raise DataError(f"{tarfile_.name}: a sparse member {self.name}: not CIFAR-10")
        return super()._proc_member(tarfile_)

    def _proc_gnusparse_10(self, next: tarfile.TarInfo, pax_headers: dict, tarfile_: tarfile.TarFile) -> None:
        """A pax GNU sparse 1.0 member, whose map is read from its data: refused, as a sparse member is."""
        raise DataError(f"{tarfile_.name}: a sparse member {next.name}: not the official CIFAR-10 archive")
