"""CIFAR-10 from whatever copy a user has, as the arrays ``keras.datasets.cifar10.load_data()`` returns.

Accepted sources (argument ``source``, else the environment variable ``CIFAR10_SOURCE``, else keras' cached
download in ``~/.keras/datasets``):

* the official ``cifar-10-batches-py/`` folder (``data_batch_1..5``, ``test_batch``), or the folder holding it;
* the official ``cifar-10-python.tar.gz`` archive, read without extracting it;
* an image folder or ``.zip`` laid out as ``train/<class>/*.jpg|png`` and ``test/<class>/*`` (the offline JPEG
  copy). If ``cifar10-official-order-labels.npz`` lies beside it, the official order is rebuilt from it (within a
  class, file ``NNNN`` is the class's NNNN-th image); otherwise images come sorted by class, then file name, and a
  warning says so.

Decoded arrays are cached as ``.npy`` files under the git-ignored ``data/`` folder, keyed by the source's path,
size and modification time, so a second load takes about a second.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tarfile
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath

import numpy as np

from coursework.paths import DATA_DIR

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
OFFICIAL_SIZES = (50_000, 10_000)
ORDER_LABELS_FILE = "cifar10-official-order-labels.npz"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
BATCH_NAMES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch")

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
    cache = _cache_path(path, Path(cache_dir)) if cache_dir is not None else None
    if cache is not None and cache.with_suffix(".x_train.npy").exists():
        arrays = _read_cache(cache)
    else:
        arrays = _decode(path)
    _validate(arrays, expected_sizes, path)
    if cache is not None and not cache.with_suffix(".x_train.npy").exists():
        _write_cache(cache, arrays)
    return arrays


def load_all(source: str | os.PathLike | None = None, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """All images and labels, the official train set followed by the test set (60,000 for CIFAR-10)."""
    (x_train, y_train), (x_test, y_test) = load_cifar10(source, **kwargs)
    return np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])


def split_indices(
    count: int, seed: int = 0, fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shuffled, disjoint train / validation / test indices covering ``range(count)``; deterministic in ``seed``."""
    if len(fractions) != 3 or min(fractions) < 0 or not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions must be three non-negative numbers summing to 1, got {fractions}")
    order = np.random.default_rng(seed).permutation(count)
    n_train, n_val = round(fractions[0] * count), round(fractions[1] * count)
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]


def split(
    x: np.ndarray, seed: int = 0, fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 80/10/10 train / validation / test split of ``x`` (60,000 images: 48,000 / 6,000 / 6,000).

    Use :func:`split_indices` with the same seed to split labels alike.
    """
    train, validation, test = split_indices(len(x), seed, fractions)
    return x[train], x[validation], x[test]


def _resolve_source(source: str | os.PathLike | None) -> Path:
    tried = []
    candidates = []
    if source is not None:
        candidates.append(("argument source", Path(source)))
    elif os.environ.get("CIFAR10_SOURCE"):
        candidates.append(("CIFAR10_SOURCE", Path(os.environ["CIFAR10_SOURCE"])))
    else:
        keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"
        candidates += [
            ("keras cache", keras_home / "cifar-10-batches-py-target" / "cifar-10-batches-py"),
            ("keras cache", keras_home / "cifar-10-batches-py"),
            ("keras cache", keras_home / "cifar-10-python.tar.gz"),
        ]
    for origin, path in candidates:
        if path.exists():
            return path.resolve()
        tried.append(f"{origin}: {path}")
    raise DataError(
        "CIFAR-10 not found. Tried:\n  "
        + "\n  ".join(tried)
        + "\nProvide it with load_cifar10(source=...) or the environment variable CIFAR10_SOURCE, pointing at "
        "the cifar-10-batches-py/ folder, cifar-10-python.tar.gz, or an image folder/zip with "
        "train/<class>/ and test/<class>/ (e.g. ../shared/data/cifar10/cifar10-jpeg.zip)."
    )


def _decode(path: Path) -> Arrays:
    if path.is_dir():
        batches = path / "cifar-10-batches-py" if (path / "cifar-10-batches-py").is_dir() else path
        if (batches / "data_batch_1").exists() or (batches / "test_batch").exists():
            return _from_batches({name: batches / name for name in BATCH_NAMES}, str(batches))
        return _from_images(_folder_files(path), path)
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        return _from_tar(path)
    if name.endswith(".zip"):
        return _from_zip(path)
    raise DataError(f"{path}: not a folder, .tar.gz or .zip; cannot read CIFAR-10 from it")


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
    try:
        batch = _BatchUnpickler(io.BytesIO(raw), encoding="bytes").load()
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        labels = np.asarray(batch[b"labels"], dtype=np.uint8)
    except Exception as error:  # any unpickling failure means the same thing to the user
        raise DataError(f"{where}: not a readable CIFAR batch ({type(error).__name__}: {error})") from error
    if data.ndim != 2 or data.shape[1] != 32 * 32 * 3 or len(labels) != len(data):
        raise DataError(f"{where}: expected data (N, 3072) with N labels, got {data.shape} and {len(labels)}")
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.reshape(-1, 1)


def _from_tar(path: Path) -> Arrays:
    try:
        with tarfile.open(path) as archive:
            files = {}
            for member in archive:
                member_name = PurePosixPath(member.name).name
                if member.isfile() and member_name in BATCH_NAMES:
                    files[member_name] = archive.extractfile(member).read()
    except (tarfile.TarError, EOFError, OSError, zipfile.BadZipFile) as error:
        raise DataError(f"{path}: corrupt or truncated archive ({type(error).__name__}: {error})") from error
    return _from_batches(files, str(path))


def _folder_files(root: Path) -> Iterator[tuple[tuple[str, ...], Callable[[], bytes]]]:
    """(path parts relative to ``root``, reader) for every file under ``root``."""
    for file in sorted(root.rglob("*")):
        if file.is_file():
            parts = file.relative_to(root).parts
            yield parts, file.read_bytes


def _from_zip(path: Path) -> Arrays:
    """Decode an image zip; ``ZipFile.read`` checks each member's CRC, so a damaged member fails loudly."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = (
                (PurePosixPath(info.filename).parts, lambda info=info: archive.read(info))
                for info in archive.infolist()
                if not info.is_dir()
            )
            return _from_images(entries, path)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise DataError(f"{path}: corrupt or truncated zip ({type(error).__name__}: {error})") from error


def _from_images(entries: Iterable[tuple[tuple[str, ...], Callable[[], bytes]]], where: Path) -> Arrays:
    """Decode ``train/<class>/<file>`` and ``test/<class>/<file>`` entries given as (path parts, reader)."""
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

    labels_file = where.parent / ORDER_LABELS_FILE if where.is_file() else where / ORDER_LABELS_FILE
    official = np.load(labels_file) if labels_file.exists() else None
    if official is None:
        warnings.warn(
            f"{ORDER_LABELS_FILE} not found beside {where}: images are ordered by class and file name, "
            "not in the official CIFAR-10 order",
            stacklevel=3,
        )
    result = []
    for subset in ("train", "test"):
        by_class = {c: sorted(files[subset][c], key=lambda item: item[0]) for c in CLASSES}
        if official is not None:
            labels = official[f"y_{subset}"].astype(np.uint8)
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
            try:
                with Image.open(io.BytesIO(read())) as image:
                    array = np.asarray(image.convert("RGB"))
            except (OSError, SyntaxError, ValueError) as error:
                raise DataError(f"{where}: cannot decode {subset}/.../{name} ({error})") from error
            if array.shape != (32, 32, 3):
                raise DataError(f"{where}: {subset}/.../{name} is {array.shape[1]}x{array.shape[0]}, not 32x32")
            images[index] = array
        result.append((images, labels.reshape(-1, 1)))
    return result[0], result[1]


def _validate(arrays: Arrays, expected_sizes: tuple[int, int] | None, where: Path) -> None:
    for (x, y), subset, expected in zip(arrays, ("train", "test"), expected_sizes or (None, None)):
        if x.dtype != np.uint8 or x.shape[1:] != (32, 32, 3) or y.shape != (len(x), 1):
            raise DataError(f"{where}: {subset} arrays have shapes {x.shape} / {y.shape}, not (N, 32, 32, 3) / (N, 1)")
        if expected is not None and len(x) != expected:
            raise DataError(f"{where}: {subset} set has {len(x)} images, expected {expected}")
        if y.size and y.max() >= len(CLASSES):
            raise DataError(f"{where}: {subset} labels go up to {y.max()}, expected 0..{len(CLASSES) - 1}")


def _cache_path(source: Path, cache_dir: Path) -> Path:
    stat = source.stat()
    key = hashlib.sha256(f"{source}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    return cache_dir / f"cifar10-{key}"


def _read_cache(cache: Path) -> Arrays:
    x_train, y_train, x_test, y_test = (
        np.load(cache.with_suffix(f".{name}.npy")) for name in ("x_train", "y_train", "x_test", "y_test")
    )
    return (x_train, y_train), (x_test, y_test)


def _write_cache(cache: Path, arrays: Arrays) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    (x_train, y_train), (x_test, y_test) = arrays
    # Each file is written under a temporary name and renamed, so an interrupted write never leaves a partial
    # cache behind; x_train is renamed last because its presence marks the cache as complete.
    for name, array in (("y_train", y_train), ("x_test", x_test), ("y_test", y_test), ("x_train", x_train)):
        final = cache.with_suffix(f".{name}.npy")
        temporary = final.with_suffix(".tmp.npy")
        np.save(temporary, array)
        temporary.replace(final)
