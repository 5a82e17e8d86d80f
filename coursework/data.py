"""CIFAR-10 from whatever copy a user has, as the arrays ``keras.datasets.cifar10.load_data()`` returns.

Accepted sources (argument ``source``, else the environment variable ``CIFAR10_SOURCE``, else keras' cached
download in ``~/.keras/datasets``, else a download there of the official archive, checksum enforced, as
``keras.datasets.cifar10.load_data()`` does; ``~`` is expanded):

* the official ``cifar-10-batches-py/`` folder (``data_batch_1..5``, ``test_batch``), or the folder holding it;
* the official ``cifar-10-python.tar.gz`` archive, read without extracting it;
* an image folder or ``.zip`` laid out as ``train/<class>/*.jpg|png`` and ``test/<class>/*`` (the offline JPEG
  copy); dot-files and macOS ``__MACOSX/`` entries are ignored. If ``cifar10-official-order-labels.npz`` lies
  beside it, the official order is rebuilt from it (within a class, file ``NNNN`` is the class's NNNN-th image);
  otherwise images come sorted by class, then file name, and a warning says so.

Decoded arrays are cached as ``.npy`` files under the git-ignored ``data/`` folder, so a second load takes about
0.6 s; a decode (seconds for the official archive, 10-15 s for the JPEG copy) is announced by a line on stderr.
The cache key is a SHA-256 over the source's path and everything a decode reads: the content of each archive, batch
file and labels file (or the labels file's absence), and the name, size and modification time of every file in an
image folder. Guarantees:

* a changed source is decoded again, never served stale (except an image-folder file rewritten with the same size
  and modification time, which only its content would reveal); a source that changes while it is decoded is not
  cached;
* writes are atomic: each file goes to a unique temporary name and is renamed, and the ``.json`` marker that
  completes an entry (it also records whether the order is the official one, so cached loads repeat the warning)
  is renamed last, so concurrent loads never see a partial entry;
* the cache is best-effort: an unwritable folder or an unreadable entry gives a warning, never a failure.

Every experiment trains and tests on :func:`cifar_split`: all 60,000 images split 80/10/10 with ``SPLIT_SEED``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import secrets
import sys
import tarfile
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import BinaryIO, NamedTuple

import numpy as np
import pandas as pd

from coursework.paths import DATA_DIR

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
OFFICIAL_SIZES = (50_000, 10_000)
ORDER_LABELS_FILE = "cifar10-official-order-labels.npz"
# Beside the offline JPEG copy: the first 1,017 official test images, bit-exact (x_test, y_test).
LOSSLESS_TEST_FILE = "cifar10-test-lossless-first1017.npz"
SPLIT_SEED = 0  # the seed of the 80/10/10 split that every experiment uses
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
BATCH_NAMES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch")
CACHE_FORMAT = 2  # part of the cache key: bump it when decoding or the cache layout changes
# The official archive and its SHA-256, as keras.datasets.cifar10.load_data() downloads it (module-level: tests
# point them at a local server).
ARCHIVE_NAME = "cifar-10-python.tar.gz"
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
_HOW_TO_PROVIDE = (
    "load_cifar10(source=...) or the environment variable CIFAR10_SOURCE, pointing at "
    f"{ARCHIVE_NAME}, the cifar-10-batches-py/ folder, or an image folder/zip with train/<class>/ and "
    "test/<class>/ (e.g. CIFAR10_SOURCE=../shared/data/cifar10/cifar10-jpeg.zip)."
)

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class DataError(ValueError):
    """The data source is missing, corrupt or not CIFAR-10 as expected."""


def load_cifar10(
    source: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = DATA_DIR,
    expected_sizes: tuple[int, int] | None = OFFICIAL_SIZES,
) -> Arrays:
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 32, 32, 3) and uint8 labels (N, 1).

    ``expected_sizes`` is the number of (train, test) images the source must hold (``None``: any); a source
    with any other count, a missing class, a wrongly sized image or a corrupt file raises :class:`DataError`.
    ``cache_dir=None`` disables the cache.
    """
    path = _resolve_source(source)
    cache = _cache_path(path, Path(cache_dir).expanduser()) if cache_dir is not None else None
    cached = _read_cache(cache) if cache is not None else None
    if cached is None:
        _announce_decode(path, cache is not None)
        arrays, official_order = _decode(path)
    else:
        arrays, official_order = cached
    if not official_order:
        warnings.warn(
            f"{ORDER_LABELS_FILE} not found beside {path}: images are ordered by class and file name, "
            "not in the official CIFAR-10 order",
            stacklevel=2,
        )
    _validate(arrays, expected_sizes, path)
    if cache is not None and cached is None:
        if _cache_path(path, cache.parent) == cache:
            _write_cache(cache, arrays, official_order)
        else:
            warnings.warn(
                f"{path} changed while it was read: the arrays returned may mix old and new files and are not "
                "cached; load again once it is stable",
                stacklevel=2,
            )
    return arrays


def load_all(source: str | os.PathLike | None = None, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """All images and labels, the official train set followed by the test set (60,000 for CIFAR-10)."""
    (x_train, y_train), (x_test, y_test) = load_cifar10(source, **kwargs)
    return np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])


def split_indices(
    count: int, seed: int = SPLIT_SEED, fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shuffled, disjoint train / validation / test indices covering ``range(count)``; deterministic in ``seed``."""
    if len(fractions) != 3 or min(fractions) < 0 or not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions must be three non-negative numbers summing to 1, got {fractions}")
    order = np.random.default_rng(seed).permutation(count)
    n_train, n_val = round(fractions[0] * count), round(fractions[1] * count)
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]


@dataclass
class CifarSplit:
    """The 80/10/10 split of all 60,000 CIFAR-10 images (uint8) with their labels, and where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    test_positions: np.ndarray  # of the test images among the 60,000: the official train set, then the test set
    source: Path  # the copy they were read from (resolved as load_cifar10 does)

    def with_evaluation_images(self, count: int) -> CifarSplit:
        """This split with only its first ``count`` validation and test images (all of its training images): what a
        quick run evaluates on. The same split where ``count`` covers both."""
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        return replace(
            self,
            x_val=self.x_val[:count],
            y_val=self.y_val[:count],
            x_test=self.x_test[:count],
            y_test=self.y_test[:count],
            test_positions=self.test_positions[:count],
        )


def cifar_split(source: str | os.PathLike | None = None, seed: int = SPLIT_SEED, **load_options) -> CifarSplit:
    """Load all 60,000 images and split them 48,000 / 6,000 / 6,000 (deterministic in ``seed``).

    ``source`` and ``load_options`` as for :func:`load_cifar10`. Every experiment uses this split with ``SPLIT_SEED``.
    """
    path = _resolve_source(source)
    x, y = load_all(path, **load_options)
    train, val, test = split_indices(len(x), seed)
    return CifarSplit(x[train], y[train, 0], x[val], y[val, 0], x[test], y[test, 0], test, path)


class OfficialSubset(NamedTuple):
    """Test images of a split whose official, lossless pixels are known."""

    rows: np.ndarray  # indices into the split's x_test
    x: np.ndarray  # their official pixels (uint8), for comparison with split.x_test[rows]


def official_subset(split: CifarSplit) -> OfficialSubset | None:
    """The split's test images that ``LOSSLESS_TEST_FILE`` beside its source holds, with their official pixels.

    The offline JPEG copy comes with the first official test images, bit-exact: measuring a model on them and on
    their JPEG versions shows what the compression does to its error. None where there is no such file. A DataError
    where their labels disagree with the split's: the source is then not in the official order.
    """
    lossless_file = split.source.parent / LOSSLESS_TEST_FILE
    if not lossless_file.exists():
        return None
    with np.load(lossless_file) as lossless:
        official, labels = lossless["x_test"], lossless["y_test"]
    official_index = split.test_positions - OFFICIAL_SIZES[0]  # official test image i is image 50,000 + i
    rows = np.flatnonzero((official_index >= 0) & (official_index < len(official)))
    if not np.array_equal(labels[official_index[rows]], split.y_test[rows]):
        raise DataError(f"{lossless_file} does not match {split.source}: its images are not in the official order")
    return OfficialSubset(rows, official[official_index[rows]])


def per_class_means(labels: np.ndarray, values: dict[str, np.ndarray]) -> pd.DataFrame:
    """The mean of each per-image measure (column name -> one value per image) over the images of each class.

    ``labels``: the images' CIFAR-10 labels (0-9). One row per class present, by name in alphabetical order.
    """
    for name, column in values.items():
        if len(column) != len(labels):
            raise ValueError(f"{name!r} has {len(column)} values for {len(labels)} labels")
    return pd.DataFrame({"class": [CLASSES[label] for label in labels], **values}).groupby("class").mean()


def _resolve_source(source: str | os.PathLike | None) -> Path:
    """The source to read: ``source``, else ``CIFAR10_SOURCE``, else keras' cache, else a fresh download."""
    candidates = []
    download_to = None
    if source is not None:
        if not os.fspath(source).strip():
            raise DataError(
                "source is an empty path; pass the CIFAR-10 folder or archive, or source=None to use "
                "CIFAR10_SOURCE or keras' download"
            )
        candidates.append(("argument source", Path(source).expanduser()))
    elif os.environ.get("CIFAR10_SOURCE"):
        candidates.append(("CIFAR10_SOURCE", Path(os.environ["CIFAR10_SOURCE"]).expanduser()))
    else:
        keras_datasets = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser() / "datasets"
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
    raise DataError("CIFAR-10 not found. Tried:\n  " + "\n  ".join(tried) + f"\nProvide it with {_HOW_TO_PROVIDE}")


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
            + f"Offline, copy {ARCHIVE_NAME} from elsewhere to {target}, or point at a copy with {_HOW_TO_PROVIDE}"
        ) from error
    finally:
        partial.unlink(missing_ok=True)  # gone after a success; removes a download that failed its checksum
    return target.resolve()


def _kind(path: Path) -> str:
    """Which of the accepted sources ``path`` is: "batches", "images" (a folder), "tar" or "zip"."""
    if path.is_dir():
        return "batches" if _batches_folder(path) is not None else "images"
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        return "tar"
    if name.endswith(".zip"):
        return "zip"
    raise DataError(f"{path}: not a folder, .tar.gz or .zip; cannot read CIFAR-10 from it")


def _batches_folder(path: Path) -> Path | None:
    """The folder holding the official batch files when ``path`` is it or its parent, else None."""
    batches = path / "cifar-10-batches-py" if (path / "cifar-10-batches-py").is_dir() else path
    return batches if (batches / "data_batch_1").exists() or (batches / "test_batch").exists() else None


def _labels_file(image_source: Path) -> Path:
    """Where the official-order labels of an image folder or zip would be: inside the folder, beside the zip."""
    return (image_source if image_source.is_dir() else image_source.parent) / ORDER_LABELS_FILE


def _is_hidden(parts: tuple[str, ...]) -> bool:
    """Dot-files (``.DS_Store``, macOS ``._*`` resource forks) and ``__MACOSX/`` entries: never images."""
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def _visible_files(root: Path) -> list[Path]:
    """Every file under ``root`` that is not hidden, sorted."""
    return [file for file in sorted(root.rglob("*")) if file.is_file() and not _is_hidden(file.relative_to(root).parts)]


def _announce_decode(path: Path, cached_afterwards: bool) -> None:
    """Say on stderr that a decode starts and how long it takes (measured on 2 CPU cores): a silent 15 s looks hung.

    Cached loads say nothing, so a notebook that loads from the cache keeps a clean output.
    """
    duration = "10-15 s" if _kind(path) in ("images", "zip") else "a few seconds"
    after = "cached afterwards" if cached_afterwards else "not cached: cache_dir=None"
    print(f"decoding CIFAR-10 from {path} ({duration}, {after})", file=sys.stderr, flush=True)


def _decode(path: Path) -> tuple[Arrays, bool]:
    """The arrays in ``path``, and whether they are in the official order."""
    kind = _kind(path)
    if kind == "batches":
        batches = _batches_folder(path)
        return _from_batches({name: batches / name for name in BATCH_NAMES}, str(batches)), True
    if kind == "images":
        return _from_images(((file.relative_to(path).parts, file.read_bytes) for file in _visible_files(path)), path)
    if kind == "tar":
        return _from_tar(path), True
    return _from_zip(path)


def _from_batches(files: dict[str, Path | bytes], where: str) -> Arrays:
    """Parse the six official pickled batches (given as paths or as their bytes)."""
    parts = {}
    for name in BATCH_NAMES:
        content = files.get(name)
        if content is None or (isinstance(content, Path) and not content.exists()):
            raise DataError(f"{where}: batch file {name} is missing")
        raw = content.read_bytes() if isinstance(content, Path) else content
        parts[name] = _parse_batch(raw, f"{where}/{name}")
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


def _parse_batch(raw: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of one batch; pixels outside 0..255 or labels outside 0..9 are refused, never cast."""
    try:
        batch = _BatchUnpickler(io.BytesIO(raw), encoding="bytes").load()
        data, labels = np.asarray(batch[b"data"]), np.asarray(batch[b"labels"])
    except Exception as error:  # any unpickling failure means the same thing to the user
        raise DataError(f"{where}: not a readable CIFAR batch ({type(error).__name__}: {error})") from error
    if data.ndim != 2 or data.shape[1] != 32 * 32 * 3 or labels.size != len(data):
        raise DataError(f"{where}: expected data (N, 3072) with N labels, got {data.shape} and {labels.size}")
    if not _integers_within(data, 255):
        raise DataError(
            f"{where}: pixel data are {_describe(data)}, expected integers 0..255 (uint8). A batch holds the raw "
            "bytes: write floats in [0, 1] as np.round(x * 255).astype(np.uint8)"
        )
    if not _integers_within(labels, len(CLASSES) - 1):
        raise DataError(f"{where}: labels are {_describe(labels)}, expected integers 0..{len(CLASSES) - 1}")
    images = data.astype(np.uint8, copy=False).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.uint8).reshape(-1, 1)


def _integers_within(array: np.ndarray, high: int) -> bool:
    """Whether ``array`` holds only integers in 0..``high`` (an empty array does)."""
    if array.size == 0:
        return True
    return array.dtype.kind in "iu" and array.min() >= 0 and array.max() <= high


def _describe(array: np.ndarray) -> str:
    """An array's dtype and, for numbers, its range (e.g. ``float32 in [0.0, 1.0]``), for error messages."""
    if array.size and array.dtype.kind in "biuf":
        return f"{array.dtype} in [{array.min()}, {array.max()}]"
    return str(array.dtype)


def _from_tar(path: Path) -> Arrays:
    try:
        with tarfile.open(path) as archive:
            files = {}
            for member in archive:
                member_name = PurePosixPath(member.name).name
                if member.isfile() and member_name in BATCH_NAMES:
                    files[member_name] = archive.extractfile(member).read()
    except (tarfile.TarError, EOFError, OSError, zipfile.BadZipFile, zlib.error) as error:
        raise DataError(f"{path}: corrupt or truncated archive ({type(error).__name__}: {error})") from error
    return _from_batches(files, str(path))


def _from_zip(path: Path) -> tuple[Arrays, bool]:
    """Decode an image zip; ``ZipFile.read`` checks each member's CRC, so a damaged member fails loudly."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [(PurePosixPath(info.filename).parts, info) for info in archive.infolist() if not info.is_dir()]
            entries = (
                (parts, lambda info=info: archive.read(info)) for parts, info in members if not _is_hidden(parts)
            )
            return _from_images(entries, path)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: corrupt or truncated zip ({type(error).__name__}: {error})") from error


def _from_images(entries: Iterable[tuple[tuple[str, ...], Callable[[], bytes]]], where: Path) -> tuple[Arrays, bool]:
    """Decode ``train/<class>/<file>`` and ``test/<class>/<file>`` entries given as (path parts, reader).

    Also returns whether the official order was rebuilt (from the labels file beside ``where``).
    """
    from PIL import Image  # only needed for image sources

    files: dict[str, dict[str, list]] = {"train": {c: [] for c in CLASSES}, "test": {c: [] for c in CLASSES}}
    for parts, read in entries:
        # Accept an optional top-level folder (e.g. cifar10/train/cat/0001.jpg).
        if len(parts) >= 3 and parts[-3] in files and parts[-1].lower().endswith(IMAGE_SUFFIXES):
            subset, label, name = parts[-3], parts[-2], parts[-1]
            if label not in files[subset]:
                raise DataError(f"{where}: unknown class folder {subset}/{label}; expected {', '.join(CLASSES)}")
            files[subset][label].append((name, read))
    for subset, by_class in files.items():
        missing = [c for c, images in by_class.items() if not images]
        if missing:
            raise DataError(f"{where}: no images for class(es) {', '.join(missing)} in {subset}/")

    official = _read_order_labels(_labels_file(where))
    result = []
    for subset in ("train", "test"):
        by_class = {c: sorted(files[subset][c], key=lambda item: item[0]) for c in CLASSES}
        if official is not None:
            labels = official[subset]
            counts = np.bincount(labels, minlength=len(CLASSES))
            have = np.array([len(by_class[c]) for c in CLASSES])
            if not np.array_equal(counts, have):
                raise DataError(
                    f"{where}: {subset}/ has {have.tolist()} images per class, but {ORDER_LABELS_FILE} "
                    f"lists {counts.tolist()}"
                )
            positions = np.zeros(len(CLASSES), dtype=int)
            ordered = []
            for label in labels:
                ordered.append(by_class[CLASSES[label]][positions[label]])
                positions[label] += 1
        else:
            ordered = [item for c in CLASSES for item in by_class[c]]
            labels = np.repeat(np.arange(len(CLASSES), dtype=np.uint8), [len(by_class[c]) for c in CLASSES])
        images = np.empty((len(ordered), 32, 32, 3), dtype=np.uint8)
        for index, (name, read) in enumerate(ordered):
            # The size is checked before the pixels are decoded, so a huge image costs nothing.
            try:
                with Image.open(io.BytesIO(read())) as image:
                    width, height = image.size
                    array = np.asarray(image.convert("RGB")) if image.size == (32, 32) else None
            except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
                raise DataError(
                    f"{where}: cannot decode {subset}/.../{name} ({type(error).__name__}: {error})"
                ) from error
            if array is None:
                raise DataError(f"{where}: {subset}/.../{name} is {width}x{height}, not 32x32")
            images[index] = array
        result.append((images, labels.reshape(-1, 1)))
    return (result[0], result[1]), official is not None


def _read_order_labels(labels_file: Path) -> dict[str, np.ndarray] | None:
    """``{"train": y_train, "test": y_test}`` (uint8) from the official-order labels file; None if it is absent."""
    if not labels_file.exists():
        return None
    fix = "restore it from the dataset copy, or delete it to load the images in class order"
    try:
        with np.load(labels_file) as content:
            labels = {subset: content[f"y_{subset}"] for subset in ("train", "test")}
    except (OSError, ValueError, EOFError, KeyError, TypeError, zipfile.BadZipFile, zlib.error) as error:
        raise DataError(
            f"{labels_file}: not an .npz holding y_train and y_test ({type(error).__name__}: {error}); {fix}"
        ) from error
    for subset, y in labels.items():
        if y.ndim != 1 or not _integers_within(y, len(CLASSES) - 1):
            raise DataError(
                f"{labels_file}: y_{subset} is {_describe(y)} of shape {y.shape}, expected a 1-D array of "
                f"integers 0..{len(CLASSES) - 1}; {fix}"
            )
    return {subset: y.astype(np.uint8) for subset, y in labels.items()}


def _validate(arrays: Arrays, expected_sizes: tuple[int, int] | None, where: Path) -> None:
    for (x, y), subset, expected in zip(arrays, ("train", "test"), expected_sizes or (None, None)):
        if x.dtype != np.uint8 or x.shape[1:] != (32, 32, 3) or y.shape != (len(x), 1):
            raise DataError(f"{where}: {subset} arrays have shapes {x.shape} / {y.shape}, not (N, 32, 32, 3) / (N, 1)")
        if expected is not None and len(x) != expected:
            raise DataError(f"{where}: {subset} set has {len(x)} images, expected {expected}")
        if y.size and y.max() >= len(CLASSES):
            raise DataError(f"{where}: {subset} labels go up to {y.max()}, expected 0..{len(CLASSES) - 1}")


CACHED_ARRAYS = ("x_train", "y_train", "x_test", "y_test")


def _cache_path(source: Path, cache_dir: Path) -> Path:
    """The cache entry of ``source``: a hash of its path and of everything its decode reads.

    Whole files (an archive, the six batch files, the labels file) are hashed by content, so that even a copy
    with the same size and modification time (``cp -p``) gives a new key: SHA-256 of the whole file, not a sample
    of it, because it costs only 0.06 s for the 62 MB JPEG zip and its labels file (about 0.15 s for the 163 MB
    official tar.gz) once the file is in the page cache, within a cached load of about 0.6 s. The files of an
    image folder (60,000 for CIFAR-10) are keyed by name, size and modification time instead: reading them all
    would cost nearly as much as decoding them.
    """
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{source}".encode())
    kind = _kind(source)
    if kind == "batches":
        hashed = [_batches_folder(source) / name for name in BATCH_NAMES]
    elif kind == "images":
        for file in _visible_files(source):
            stat = file.stat()
            digest.update(f"|{file.relative_to(source)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
        hashed = [_labels_file(source)]
    elif kind == "zip":
        hashed = [source, _labels_file(source)]
    else:
        hashed = [source]
    for file in hashed:
        digest.update(f"|{file.name}|{_content_digest(file)}".encode())
    return cache_dir / f"cifar10-{digest.hexdigest()[:16]}"


def _content_digest(file: Path) -> str:
    """SHA-256 of the file's bytes, or "absent"."""
    if not file.is_file():
        return "absent"
    try:
        with file.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError as error:
        raise DataError(f"{file}: cannot read it ({type(error).__name__}: {error})") from error


def _read_cache(cache: Path) -> tuple[Arrays, bool] | None:
    """The cached arrays and whether they are in the official order; None when there is no complete entry.

    A damaged entry (a truncated file, say) is reported by a warning and treated as absent, to be decoded again.
    """
    marker = cache.with_suffix(".json")
    if not marker.exists():
        return None
    try:
        official_order = json.loads(marker.read_text())["official_order"]
        if not isinstance(official_order, bool):
            raise ValueError(f"official_order is {official_order!r}, not true or false")
        x_train, y_train, x_test, y_test = (np.load(cache.with_suffix(f".{name}.npy")) for name in CACHED_ARRAYS)
        arrays = (x_train, y_train), (x_test, y_test)
        _validate(arrays, None, cache)
    except (OSError, ValueError, EOFError, KeyError, TypeError) as error:
        warnings.warn(
            f"CIFAR-10 cache {cache}.* is unreadable ({type(error).__name__}: {error}); decoding the source again",
            stacklevel=3,
        )
        return None
    return arrays, official_order


def _write_cache(cache: Path, arrays: Arrays, official_order: bool) -> None:
    """Store a cache entry, best-effort: a failure (read-only folder, full disk) only warns.

    The ``.json`` marker goes last: an entry without it is incomplete and ignored.
    """
    (x_train, y_train), (x_test, y_test) = arrays
    marker = json.dumps({"official_order": official_order}).encode()
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


def main() -> None:
    """``python -m coursework.data``: find, or else download, CIFAR-10 and fill the cache, before any notebook runs."""
    try:
        (x_train, _), (x_test, _) = load_cifar10()
    except DataError as error:
        raise SystemExit(f"error: {error}") from None
    print(f"CIFAR-10 ready: {len(x_train):,} training and {len(x_test):,} test images, cached in {DATA_DIR}")


if __name__ == "__main__":
    main()
