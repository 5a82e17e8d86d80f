"""Tests of the CIFAR-10 loader (coursework.data) on small synthetic copies of every supported format."""

import io
import os
import pickle
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from coursework.data import CLASSES, ORDER_LABELS_FILE, DataError, load_cifar10, split, split_indices

PER_BATCH, TEST = 4, 10  # 5 train batches of 4 images, 10 test images
SIZES = (5 * PER_BATCH, TEST)


def synthetic(seed: int = 0):
    rng = np.random.default_rng(seed)
    x_train = rng.integers(0, 256, (SIZES[0], 32, 32, 3), dtype=np.uint8)
    x_test = rng.integers(0, 256, (SIZES[1], 32, 32, 3), dtype=np.uint8)
    y_train = np.arange(SIZES[0], dtype=np.uint8) % 10
    y_test = np.arange(SIZES[1], dtype=np.uint8)[::-1] % 10
    return (x_train, y_train), (x_test, y_test)


def batch_bytes(images: np.ndarray, labels: np.ndarray) -> bytes:
    data = images.transpose(0, 3, 1, 2).reshape(len(images), -1)
    return pickle.dumps({b"batch_label": b"synthetic", b"labels": labels.tolist(), b"data": data})


def write_batches(folder: Path, arrays) -> Path:
    (x_train, y_train), (x_test, y_test) = arrays
    folder.mkdir(parents=True)
    for index in range(5):
        rows = slice(index * PER_BATCH, (index + 1) * PER_BATCH)
        (folder / f"data_batch_{index + 1}").write_bytes(batch_bytes(x_train[rows], y_train[rows]))
    (folder / "test_batch").write_bytes(batch_bytes(x_test, y_test))
    return folder


def write_tar(path: Path, arrays) -> Path:
    folder = write_batches(path.parent / "staging" / "cifar-10-batches-py", arrays)
    with tarfile.open(path, "w:gz") as archive:
        archive.add(folder, arcname="cifar-10-batches-py")
    return path


def png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def image_entries(arrays):
    """{relative path: PNG bytes}: within a class, file NNNN is the class's NNNN-th image in official order."""
    entries = {}
    for subset, (x, y) in zip(("train", "test"), arrays):
        counters = dict.fromkeys(range(10), 0)
        for image, label in zip(x, y):
            entries[f"{subset}/{CLASSES[label]}/{counters[label]:04d}.png"] = png(image)
            counters[label] += 1
    return entries


def write_labels(folder: Path, arrays) -> None:
    (_, y_train), (_, y_test) = arrays
    np.savez(folder / ORDER_LABELS_FILE, y_train=y_train, y_test=y_test)


def write_image_folder(root: Path, entries: dict[str, bytes]) -> Path:
    for name, content in entries.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


def write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return path


def assert_same(loaded, arrays) -> None:
    (x_train, y_train), (x_test, y_test) = loaded
    assert x_train.dtype == np.uint8 and x_train.shape == (SIZES[0], 32, 32, 3)
    assert y_train.shape == (SIZES[0], 1) and y_test.shape == (SIZES[1], 1)
    np.testing.assert_array_equal(x_train, arrays[0][0])
    np.testing.assert_array_equal(y_train[:, 0], arrays[0][1])
    np.testing.assert_array_equal(x_test, arrays[1][0])
    np.testing.assert_array_equal(y_test[:, 0], arrays[1][1])


def load(source, tmp_path: Path, **kwargs):
    return load_cifar10(source, cache_dir=tmp_path / "cache", expected_sizes=SIZES, **kwargs)


def test_batches_folder_and_its_parent(tmp_path: Path) -> None:
    arrays = synthetic()
    folder = write_batches(tmp_path / "parent" / "cifar-10-batches-py", arrays)
    assert_same(load(folder, tmp_path), arrays)
    assert_same(load(folder.parent, tmp_path), arrays)


def test_official_tar_gz(tmp_path: Path) -> None:
    arrays = synthetic()
    assert_same(load(write_tar(tmp_path / "cifar-10-python.tar.gz", arrays), tmp_path), arrays)


def test_image_zip_in_official_order_with_labels_file(tmp_path: Path) -> None:
    arrays = synthetic()
    path = write_zip(tmp_path / "cifar10-png.zip", image_entries(arrays))
    write_labels(tmp_path, arrays)
    assert_same(load(path, tmp_path), arrays)


def test_image_folder_in_official_order_with_labels_file(tmp_path: Path) -> None:
    arrays = synthetic()
    root = write_image_folder(tmp_path / "images", image_entries(arrays))
    write_labels(root, arrays)
    assert_same(load(root, tmp_path), arrays)


def test_image_zip_without_labels_file_warns_and_sorts_by_class(tmp_path: Path) -> None:
    arrays = synthetic()
    path = write_zip(tmp_path / "cifar10-png.zip", image_entries(arrays))
    with pytest.warns(UserWarning, match="not in the official CIFAR-10 order"):
        (x_train, y_train), _ = load(path, tmp_path)
    assert np.all(np.diff(y_train[:, 0].astype(int)) >= 0)
    assert x_train.shape == (SIZES[0], 32, 32, 3)


def test_second_load_comes_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    arrays = synthetic()
    path = write_tar(tmp_path / "cifar-10-python.tar.gz", arrays)
    load(path, tmp_path)
    assert len(list((tmp_path / "cache").glob("*.npy"))) == 4

    def no_decoding(_):
        raise AssertionError("the source was decoded again instead of read from the cache")

    monkeypatch.setattr("coursework.data._decode", no_decoding)
    assert_same(load(path, tmp_path), arrays)


def test_environment_variable_is_used(tmp_path: Path, monkeypatch) -> None:
    arrays = synthetic()
    monkeypatch.setenv("CIFAR10_SOURCE", str(write_batches(tmp_path / "cifar-10-batches-py", arrays)))
    assert_same(load(None, tmp_path), arrays)


def test_missing_source_says_what_was_tried(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CIFAR10_SOURCE", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(DataError, match=r"(?s)CIFAR-10 not found.*keras cache.*CIFAR10_SOURCE"):
        load(None, tmp_path)


def test_truncated_tar_gz(tmp_path: Path) -> None:
    path = write_tar(tmp_path / "cifar-10-python.tar.gz", synthetic())
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DataError, match="corrupt or truncated archive"):
        load(path, tmp_path)


def test_corrupt_zip(tmp_path: Path) -> None:
    path = tmp_path / "cifar10.zip"
    path.write_bytes(b"PK\x03\x04 this is not a zip archive at all")
    with pytest.raises(DataError, match="corrupt or truncated zip"):
        load(path, tmp_path)


def test_truncated_zip(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "cifar10.zip", image_entries(synthetic()))
    path.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    with pytest.raises(DataError, match="corrupt or truncated zip"):
        load(path, tmp_path)


def test_missing_batch_file(tmp_path: Path) -> None:
    folder = write_batches(tmp_path / "cifar-10-batches-py", synthetic())
    (folder / "data_batch_3").unlink()
    with pytest.raises(DataError, match="data_batch_3 is missing"):
        load(folder, tmp_path)


def test_batch_with_foreign_code_is_refused(tmp_path: Path) -> None:
    folder = write_batches(tmp_path / "cifar-10-batches-py", synthetic())
    (folder / "test_batch").write_bytes(pickle.dumps({b"data": os.getcwd}))
    with pytest.raises(DataError, match="refusing to load"):
        load(folder, tmp_path)


@pytest.mark.filterwarnings("ignore:.*official CIFAR-10 order")
def test_missing_class(tmp_path: Path) -> None:
    entries = {name: content for name, content in image_entries(synthetic()).items() if "/frog/" not in name}
    with pytest.raises(DataError, match="no images for class.*frog"):
        load(write_zip(tmp_path / "c.zip", entries), tmp_path)


@pytest.mark.filterwarnings("ignore:.*official CIFAR-10 order")
def test_unknown_class_folder(tmp_path: Path) -> None:
    entries = image_entries(synthetic()) | {"train/unicorn/0000.png": png(np.zeros((32, 32, 3), np.uint8))}
    with pytest.raises(DataError, match="unknown class folder train/unicorn"):
        load(write_zip(tmp_path / "c.zip", entries), tmp_path)


@pytest.mark.filterwarnings("ignore:.*official CIFAR-10 order")
def test_wrong_image_size(tmp_path: Path) -> None:
    entries = image_entries(synthetic())
    entries["test/cat/0000.png"] = png(np.zeros((28, 28, 3), np.uint8))
    with pytest.raises(DataError, match="28x28, not 32x32"):
        load(write_zip(tmp_path / "c.zip", entries), tmp_path)


@pytest.mark.filterwarnings("ignore:.*official CIFAR-10 order")
def test_undecodable_image(tmp_path: Path) -> None:
    entries = image_entries(synthetic())
    entries["test/cat/0000.png"] = b"not an image"
    with pytest.raises(DataError, match="cannot decode"):
        load(write_zip(tmp_path / "c.zip", entries), tmp_path)


def test_wrong_number_of_images(tmp_path: Path) -> None:
    folder = write_batches(tmp_path / "cifar-10-batches-py", synthetic())
    with pytest.raises(DataError, match="train set has 20 images, expected 50000"):
        load_cifar10(folder, cache_dir=None)


def test_labels_file_disagreeing_with_the_images(tmp_path: Path) -> None:
    arrays = synthetic()
    path = write_zip(tmp_path / "c.zip", image_entries(arrays))
    (_, y_train), (_, y_test) = arrays
    np.savez(tmp_path / ORDER_LABELS_FILE, y_train=np.zeros_like(y_train), y_test=y_test)
    with pytest.raises(DataError, match="images per class"):
        load(path, tmp_path)


def test_split_sizes_disjoint_and_deterministic() -> None:
    train, val, test = split_indices(60_000, seed=0)
    assert (len(train), len(val), len(test)) == (48_000, 6_000, 6_000)
    assert len(np.union1d(np.union1d(train, val), test)) == 60_000
    again = split_indices(60_000, seed=0)
    other = split_indices(60_000, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip((train, val, test), again))
    assert not np.array_equal(train, other[0])
    x = np.arange(100)
    x_train, x_val, x_test = split(x, seed=3)
    assert (len(x_train), len(x_val), len(x_test)) == (80, 10, 10)
    np.testing.assert_array_equal(x_train, x[split_indices(100, seed=3)[0]])


def test_split_rejects_bad_fractions() -> None:
    with pytest.raises(ValueError, match="fractions"):
        split_indices(10, fractions=(0.5, 0.5, 0.5))
