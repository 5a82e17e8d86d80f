"""CIFAR-10 as image files: a folder or zip laid out as ``train/<class>/*`` and ``test/<class>/*``.

Each file is read with :func:`coursework.images.read_image`, the reader ``colorize`` uses (16-bit files keep their
precision, transparency shows over white), after its size in bytes and then its header's size in pixels were
checked: a member that is not a small 32x32 image costs nothing to refuse.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

import numpy as np

from coursework.data.batches import describe, integers_within
from coursework.data.sources import (
    CLASSES,
    IMAGE_SHAPE,
    IMAGE_SUFFIXES,
    OFFICIAL_SIZES,
    ORDER_LABELS_FILE,
    Arrays,
    DataError,
    is_hidden,
    labels_file,
    read_bounded,
    read_file,
    read_npz,
    visible_files,
)
from coursework.images import read_image

# The most bytes one image file may hold: a 32x32 image is a few KB, even with its metadata.
MAX_IMAGE_FILE_BYTES = 1 << 20
MAX_IMAGE_FILES = sum(OFFICIAL_SIZES)  # the most labels a labels file may hold: CIFAR-10 has 60,000 images

Entry = tuple[str, Callable[[], bytes]]  # (file name, reader) of one image
Entries = Iterable[tuple[tuple[str, ...], Callable[[], bytes]]]  # (path parts, reader) of every file of a source


def from_folder(path: Path) -> Arrays:
    """Decode an image folder."""
    files = visible_files(path)
    return from_images(
        ((file.relative_to(path).parts, lambda file=file: read_file(file, MAX_IMAGE_FILE_BYTES)) for file in files),
        path,
    )


def from_zip(path: Path) -> Arrays:
    """Decode an image zip; each member is read to its end (within its bound), so that zipfile checks its CRC and a
    damaged member fails loudly."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [(PurePosixPath(info.filename).parts, info) for info in archive.infolist() if not info.is_dir()]
            entries = (
                (parts, lambda info=info: _read_member(archive, info, path))
                for parts, info in members
                if not is_hidden(parts)
            )
            return from_images(entries, path)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: corrupt or truncated zip ({type(error).__name__}: {error})") from error


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    """One member of a zip, refused from its declared size before any byte is decompressed."""
    with archive.open(info) as stream:
        return read_bounded(stream, info.file_size, MAX_IMAGE_FILE_BYTES, f"{path}: member {info.filename}")


def from_images(entries: Entries, where: Path) -> Arrays:
    """Decode ``train/<class>/<file>`` and ``test/<class>/<file>`` entries given as (path parts, reader), in the
    official order that the labels file beside ``where`` gives (without it, the order and so the split would differ
    from the ones the models were trained and evaluated on: refused)."""
    files = _by_subset_and_class(entries, where)
    official = read_order_labels(labels_file(where))
    if official is None:
        raise DataError(
            f"{where}: {ORDER_LABELS_FILE} is missing; copy it from the dataset copy (it lies beside "
            f"cifar10-jpeg.zip) to {labels_file(where)}: the images' order, and so the split, depend on it"
        )
    result = []
    for subset in ("train", "test"):
        ordered, labels = _ordered(files[subset], official[subset], subset, where)
        result.append((_decode_images(ordered, subset, where), labels.reshape(-1, 1)))
    return result[0], result[1]


def _by_subset_and_class(entries: Entries, where: Path) -> dict[str, dict[str, list[Entry]]]:
    """The image entries of each subset ("train", "test") and class; a DataError for an unknown or empty class."""
    files: dict[str, dict[str, list[Entry]]] = {"train": {c: [] for c in CLASSES}, "test": {c: [] for c in CLASSES}}
    seen: set[tuple[str, str, str]] = set()
    for parts, read in entries:
        # Accept an optional top-level folder (e.g. cifar10/train/cat/0001.jpg).
        if len(parts) >= 3 and parts[-3] in files and parts[-1].lower().endswith(IMAGE_SUFFIXES):
            subset, label, name = parts[-3], parts[-2], parts[-1]
            if label not in files[subset]:
                raise DataError(f"{where}: unknown class folder {subset}/{label}; expected {', '.join(CLASSES)}")
            if (subset, label, name) in seen:  # e.g. cifar10/train/cat/0001.jpg beside train/cat/0001.jpg
                raise DataError(f"{where}: two files are {subset}/{label}/{name}: which one is the image?")
            seen.add((subset, label, name))
            files[subset][label].append((name, read))
    for subset, by_class in files.items():
        missing = [c for c, images in by_class.items() if not images]
        if missing:
            raise DataError(f"{where}: no images for class(es) {', '.join(missing)} in {subset}/")
    return files


def _ordered(
    by_class: dict[str, list[Entry]], official: np.ndarray, subset: str, where: Path
) -> tuple[list, np.ndarray]:
    """One subset's entries in the official order (the ``official`` labels: within a class, file ``NNNN`` is the
    class's NNNN-th image), and their labels."""
    by_class = {c: sorted(by_class[c], key=lambda item: item[0]) for c in CLASSES}
    counts = np.bincount(official, minlength=len(CLASSES))
    have = np.array([len(by_class[c]) for c in CLASSES])
    if not np.array_equal(counts, have):
        raise DataError(
            f"{where}: {subset}/ has {have.tolist()} images per class, but {ORDER_LABELS_FILE} lists {counts.tolist()}"
        )
    positions = np.zeros(len(CLASSES), dtype=int)
    ordered = []
    for label in official:
        ordered.append(by_class[CLASSES[label]][positions[label]])
        positions[label] += 1
    return ordered, official


def _decode_images(ordered: list[Entry], subset: str, where: Path) -> np.ndarray:
    """The uint8 (N, 32, 32, 3) pixels of image files: 16-bit files rounded to 8 bits, gray ones repeated in R, G, B.

    The size is checked from each header before its pixels are decoded, so a huge image costs nothing.
    """
    images = np.empty((len(ordered), *IMAGE_SHAPE), dtype=np.uint8)
    for index, (name, read) in enumerate(ordered):
        try:
            pixels = read_image(io.BytesIO(read()), name=f"{subset}/.../{name}", size=IMAGE_SHAPE[1::-1])
        except ValueError as error:
            raise DataError(f"{where}: {error}") from error
        if pixels.dtype != np.uint8:  # a high bit depth, as float in [0, 1]
            pixels = np.round(pixels * 255).astype(np.uint8)
        images[index] = pixels[..., None] if pixels.ndim == 2 else pixels
    return images


def read_order_labels(labels_path: Path) -> dict[str, np.ndarray] | None:
    """``{"train": y_train, "test": y_test}`` (uint8) from the official-order labels file; None if it is absent.

    Each array's size is checked from its header before it is read: at most :data:`MAX_IMAGE_FILES` labels.
    """
    if not labels_path.exists():
        return None
    fix = "restore it from the dataset copy"
    checks = {f"y_{subset}": _labels_header for subset in ("train", "test")}
    labels = {key[2:]: y for key, y in read_npz(labels_path, checks, fix).items()}
    for subset, y in labels.items():
        if y.ndim != 1 or not integers_within(y, len(CLASSES) - 1):
            raise DataError(
                f"{labels_path}: y_{subset} is {describe(y)} of shape {y.shape}, expected a 1-D array of "
                f"integers 0..{len(CLASSES) - 1}; {fix}"
            )
    return {subset: y.astype(np.uint8) for subset, y in labels.items()}


def _labels_header(shape: tuple[int, ...], dtype: np.dtype) -> str | None:
    """What is wrong with a labels array of this header's ``shape`` and ``dtype`` (None: nothing, so far)."""
    if len(shape) != 1 or dtype.kind not in "iu":
        return f"expected a 1-D array of integers 0..{len(CLASSES) - 1}"
    if shape[0] > MAX_IMAGE_FILES:
        return f"more labels than CIFAR-10 has images (at most {MAX_IMAGE_FILES:,})"
    return None
