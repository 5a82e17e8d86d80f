"""CIFAR-10 as image files (the offline JPEG copy): a zip laid out as ``train/<class>/*`` and ``test/<class>/*``.

Within a class, file ``NNNN`` is the class's NNNN-th image in the official order, which the labels file beside the
zip (:data:`~coursework.data.sources.ORDER_LABELS_FILE`) restores. Each file is read with
:func:`coursework.images.read_image`, the reader ``colorize`` uses, its size checked from its header first.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image, JpegImagePlugin

from coursework.data.sources import CLASSES, IMAGE_SHAPE, ORDER_LABELS_FILE, Arrays, DataError, labels_file, read_npz
from coursework.images import read_image

SUBSETS = ("train", "test")


def from_zip(path: Path) -> Arrays:
    """Decode an image zip in the official order (without the labels file, the order and so the split would differ
    from the ones the models were trained and evaluated on: refused)."""
    official = read_order_labels(labels_file(path))
    try:
        with zipfile.ZipFile(path) as archive:
            files = _by_subset_and_class(archive.namelist(), path)
            train, test = (
                (_decode(archive, _ordered(files[subset], official[subset], subset, path), path), official[subset])
                for subset in SUBSETS
            )
            return train, test
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: corrupt or truncated zip ({type(error).__name__}: {error})") from error


def chroma_sampling(path: Path, files: int = 1000) -> set[int]:
    """The chroma subsampling PIL reports for the first ``files`` JPEG files of the image zip ``path`` (0: full
    colour resolution, 4:4:4; 2: half in each direction, 4:2:0)."""
    with zipfile.ZipFile(path) as archive:
        names = [name for name in archive.namelist() if name.lower().endswith((".jpg", ".jpeg"))][:files]
        return {JpegImagePlugin.get_sampling(Image.open(archive.open(name))) for name in names}


def read_order_labels(path: Path) -> dict[str, np.ndarray]:
    """``{"train": y_train, "test": y_test}``, uint8 (N, 1), from the official-order labels file."""
    if not path.exists():
        raise DataError(
            f"{path.parent}: {ORDER_LABELS_FILE} is missing; copy it from the dataset copy (it lies beside "
            f"cifar10-jpeg.zip) to {path}: the images' order, and so the split, depend on it"
        )
    arrays = read_npz(path, tuple(f"y_{subset}" for subset in SUBSETS), "restore it from the dataset copy")
    return {subset: y.astype(np.uint8).reshape(-1, 1) for subset, y in zip(SUBSETS, arrays)}


def _by_subset_and_class(names: list[str], where: Path) -> dict[str, dict[str, list[str]]]:
    """The zip's image files of each subset and class, each class's sorted; a DataError for an unknown class."""
    files: dict[str, dict[str, list[str]]] = {subset: {c: [] for c in CLASSES} for subset in SUBSETS}
    for name in sorted(names):
        parts = PurePosixPath(name).parts  # an optional top-level folder: cifar10/train/cat/0001.jpg
        if len(parts) >= 3 and parts[-3] in files and not name.endswith("/"):
            if parts[-2] not in files[parts[-3]]:
                raise DataError(f"{where}: unknown class folder {parts[-3]}/{parts[-2]}; expected {', '.join(CLASSES)}")
            files[parts[-3]][parts[-2]].append(name)
    return files


def _ordered(by_class: dict[str, list[str]], official: np.ndarray, subset: str, where: Path) -> list[str]:
    """One subset's files in the official order, given its ``official`` labels."""
    counts = np.bincount(official[:, 0], minlength=len(CLASSES))
    have = np.array([len(by_class[c]) for c in CLASSES])
    if not np.array_equal(counts, have):
        raise DataError(
            f"{where}: {subset}/ has {have.tolist()} images per class, but {ORDER_LABELS_FILE} lists {counts.tolist()}"
        )
    remaining = {c: iter(by_class[c]) for c in CLASSES}
    return [next(remaining[CLASSES[label]]) for label in official[:, 0]]


def _decode(archive: zipfile.ZipFile, names: list[str], where: Path) -> np.ndarray:
    """The uint8 (N, 32, 32, 3) pixels of the zip's image files ``names``: gray ones repeated in R, G, B."""
    images = np.empty((len(names), *IMAGE_SHAPE), dtype=np.uint8)
    for index, name in enumerate(names):
        try:
            pixels = read_image(io.BytesIO(archive.read(name)), name=name, size=IMAGE_SHAPE[1::-1])
        except ValueError as error:
            raise DataError(f"{where}: {error}") from error
        if pixels.dtype != np.uint8:  # a 16-bit file, as float in [0, 1]
            pixels = np.round(pixels * 255).astype(np.uint8)
        images[index] = pixels[..., None] if pixels.ndim == 2 else pixels
    return images
