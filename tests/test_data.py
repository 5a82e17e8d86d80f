"""Tests of the CIFAR-10 loader (coursework.data) on small synthetic copies of every supported format."""

import hashlib
import http.server
import io
import os
import pickle
import socket
import subprocess
import sys
import tarfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import coursework.data as data_module
from coursework.data import (
    CLASSES,
    LOSSLESS_TEST_FILE,
    ORDER_LABELS_FILE,
    SPLIT_SEED,
    DataError,
    Split,
    cifar_split,
    load_cifar10,
    official_subset,
    split_indices,
)

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


def write_tar(path: Path, arrays, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tar.gz laid out as the official archive, whose SHA-256 is then taken for the official one."""
    folder = write_batches(path.parent / "staging" / "cifar-10-batches-py", arrays)
    with tarfile.open(path, "w:gz") as archive:
        archive.add(folder, arcname="cifar-10-batches-py")
    monkeypatch.setattr(data_module.sources, "CIFAR10_SHA256", hashlib.sha256(path.read_bytes()).hexdigest())
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


def test_official_tar_gz(tmp_path: Path, monkeypatch) -> None:
    arrays = synthetic()
    assert_same(load(write_tar(tmp_path / "cifar-10-python.tar.gz", arrays, monkeypatch), tmp_path), arrays)


def test_an_archive_of_the_official_name_with_other_contents_is_refused_by_its_sha256(tmp_path: Path) -> None:
    """A cifar-10-python.tar.gz of random pixels loaded as "CIFAR-10 ready": the SHA-256 was checked only after a
    download."""
    folder = write_batches(tmp_path / "cifar-10-batches-py", synthetic())
    with tarfile.open(tmp_path / "cifar-10-python.tar.gz", "w:gz") as archive:
        archive.add(folder, arcname="cifar-10-batches-py")
    with pytest.raises(DataError, match="6d958be074577803"):
        load(tmp_path / "cifar-10-python.tar.gz", tmp_path)


def test_image_zip_in_official_order_with_labels_file(tmp_path: Path) -> None:
    arrays = synthetic()
    path = write_zip(tmp_path / "cifar10-png.zip", image_entries(arrays))
    write_labels(tmp_path, arrays)
    assert_same(load(path, tmp_path), arrays)


def test_image_zip_without_labels_file_is_refused_saying_what_to_copy(tmp_path: Path) -> None:
    """Without it the images came in class order, with a warning: 81 % of the test images were training images."""
    path = write_zip(tmp_path / "cifar10-png.zip", image_entries(synthetic()))
    message = f"{ORDER_LABELS_FILE} is missing; copy it from the dataset copy .* to {tmp_path / ORDER_LABELS_FILE}"
    with pytest.raises(DataError, match=message) as refused:
        load(path, tmp_path)
    assert "\n" not in str(refused.value)


def no_decoding(_):
    raise AssertionError("the source was decoded again instead of read from the cache")


def test_second_load_comes_from_the_cache_until_the_source_changes(tmp_path: Path, monkeypatch) -> None:
    arrays = synthetic()
    folder = write_batches(tmp_path / "cifar-10-batches-py", arrays)
    load(folder, tmp_path)
    assert len(list((tmp_path / "cache").iterdir())) == 1
    with monkeypatch.context() as patch:
        patch.setattr("coursework.data.loading.decode", no_decoding)
        assert_same(load(folder, tmp_path), arrays)
    (x_train, y_train), (x_test, y_test) = arrays
    (folder / "test_batch").write_bytes(batch_bytes(x_test[::-1], y_test[::-1]))
    os.utime(folder / "test_batch", ns=(0, 0))  # the same size: its modification time tells the change
    assert_same(load(folder, tmp_path), ((x_train, y_train), (x_test[::-1], y_test[::-1])))


def test_a_damaged_cache_entry_says_to_delete_it(tmp_path: Path) -> None:
    folder = write_batches(tmp_path / "cifar-10-batches-py", synthetic())
    load(folder, tmp_path)
    (entry,) = (tmp_path / "cache").iterdir()
    entry.write_bytes(entry.read_bytes()[:1000])
    with pytest.raises(DataError, match=f"{entry.name}: not an .npz.*delete it"):
        load(folder, tmp_path)


def test_environment_variable_is_used(tmp_path: Path, monkeypatch) -> None:
    arrays = synthetic()
    monkeypatch.setenv("CIFAR10_SOURCE", str(write_batches(tmp_path / "cifar-10-batches-py", arrays)))
    assert_same(load(None, tmp_path), arrays)


def test_missing_source_offline_says_what_was_tried(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CIFAR10_SOURCE", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(data_module.sources, "CIFAR10_URL", unreachable_url())
    with pytest.raises(DataError, match=r"(?s)keras cache.*download: .*CIFAR10_SOURCE"):
        load(None, tmp_path)
    assert not list((tmp_path / "keras" / "datasets").iterdir()), "a failed download left a file behind"


def test_missing_explicit_source_says_what_was_tried(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"(?s)argument source: .*nowhere.*CIFAR10_SOURCE"):
        load(tmp_path / "nowhere", tmp_path)


def test_truncated_tar_gz(tmp_path: Path, monkeypatch) -> None:
    path = write_tar(tmp_path / "cifar-10-python.tar.gz", synthetic(), monkeypatch)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DataError, match="cifar-10-python.tar.gz"):
        load(path, tmp_path)


def test_corrupt_zip(tmp_path: Path) -> None:
    write_labels(tmp_path, synthetic())
    path = tmp_path / "cifar10.zip"
    path.write_bytes(b"PK\x03\x04 this is not a zip archive at all")
    with pytest.raises(DataError, match="corrupt or truncated zip"):
        load(path, tmp_path)


def test_truncated_zip(tmp_path: Path) -> None:
    write_labels(tmp_path, synthetic())
    path = write_zip(tmp_path / "cifar10.zip", image_entries(synthetic()))
    path.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    with pytest.raises(DataError, match="corrupt or truncated zip"):
        load(path, tmp_path)


def test_missing_batch_file(tmp_path: Path) -> None:
    folder = write_batches(tmp_path / "cifar-10-batches-py", synthetic())
    (folder / "data_batch_3").unlink()
    with pytest.raises(DataError, match="data_batch_3 missing"):
        load(folder, tmp_path)


def test_batch_with_foreign_code_is_refused(tmp_path: Path) -> None:
    folder = write_batches(tmp_path / "cifar-10-batches-py", synthetic())
    (folder / "test_batch").write_bytes(pickle.dumps({b"data": os.getcwd}))
    with pytest.raises(DataError, match="refusing to load"):
        load(folder, tmp_path)


def test_unknown_class_folder(tmp_path: Path) -> None:
    write_labels(tmp_path, synthetic())
    entries = image_entries(synthetic()) | {"train/unicorn/0000.png": png(np.zeros((32, 32, 3), np.uint8))}
    with pytest.raises(DataError, match="train/unicorn"):
        load(write_zip(tmp_path / "c.zip", entries), tmp_path)


def test_wrong_image_size(tmp_path: Path) -> None:
    write_labels(tmp_path, synthetic())
    entries = image_entries(synthetic())
    entries["test/cat/0000.png"] = png(np.zeros((28, 28, 3), np.uint8))
    with pytest.raises(DataError, match="28x28, not 32x32"):
        load(write_zip(tmp_path / "c.zip", entries), tmp_path)


def test_undecodable_image(tmp_path: Path) -> None:
    write_labels(tmp_path, synthetic())
    entries = image_entries(synthetic())
    entries["test/cat/0000.png"] = b"not an image"
    with pytest.raises(DataError, match="cannot read an image from"):
        load(write_zip(tmp_path / "c.zip", entries), tmp_path)


def test_wrong_number_of_images(tmp_path: Path) -> None:
    folder = write_batches(tmp_path / "cifar-10-batches-py", synthetic())
    with pytest.raises(DataError, match="50,000"):
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


def test_cifar_split_splits_all_images_and_says_where_each_test_image_is(tmp_path: Path) -> None:
    arrays = synthetic()
    path = write_zip(tmp_path / "c.zip", image_entries(arrays))
    write_labels(tmp_path, arrays)
    data = cifar_split(path, cache_dir=tmp_path / "cache", expected_sizes=SIZES)
    assert (len(data.x_train), len(data.x_val), len(data.x_test)) == (24, 3, 3)
    x_all, y_all = np.concatenate([arrays[0][0], arrays[1][0]]), np.concatenate([arrays[0][1], arrays[1][1]])
    np.testing.assert_array_equal(data.x_test, x_all[data.test_positions])
    np.testing.assert_array_equal(data.y_test, y_all[data.test_positions])
    np.testing.assert_array_equal(data.test_positions, split_indices(30, SPLIT_SEED)[2])
    assert data.source == path.resolve()


def test_official_subset_pairs_test_images_with_their_lossless_pixels(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    official, labels = rng.integers(0, 256, (5, 32, 32, 3), dtype=np.uint8), np.arange(5, dtype=np.uint8)
    positions = np.array([50_003, 12, 50_000, 51_500])  # official test images 3 and 0 are in the lossless file
    data = Split(
        *[np.empty(0)] * 4,
        x_test=np.zeros((4, 32, 32, 3), np.uint8),
        y_test=np.array([3, 7, 0, 1], np.uint8),
        test_positions=positions,
        source=tmp_path / "copy.zip",
    )
    assert official_subset(data) is None  # no lossless file beside the source
    np.savez(tmp_path / LOSSLESS_TEST_FILE, x_test=official, y_test=labels)
    rows, pixels, kept = official_subset(data)
    assert kept == 5
    np.testing.assert_array_equal(rows, [0, 2])
    np.testing.assert_array_equal(pixels, official[[3, 0]])
    data.y_test[0] = 4
    with pytest.raises(DataError, match="not in the official order"):
        official_subset(data)


def test_a_quick_split_keeps_the_training_images_and_the_first_evaluation_images(tmp_path: Path) -> None:
    count = 6
    images = np.arange(count)[:, None, None, None] * np.ones((1, 2, 2, 3), np.uint8)
    parts = {part: images.copy() for part in ("x_train", "x_val", "x_test")} | {
        part: np.arange(count) % 10 for part in ("y_train", "y_val", "y_test")
    }
    data = Split(**parts, test_positions=np.arange(50_000, 50_000 + count), source=tmp_path / "copy.zip")
    quick = data.with_evaluation_images(4)
    assert len(quick.x_train) == len(quick.y_train) == count
    assert len(quick.x_val) == len(quick.y_val) == len(quick.x_test) == len(quick.y_test) == 4
    np.testing.assert_array_equal(quick.x_test, data.x_test[:4])
    np.testing.assert_array_equal(quick.test_positions, [50_000, 50_001, 50_002, 50_003])
    assert quick.source == data.source and len(data.x_test) == count  # the original is untouched
    assert len(data.with_evaluation_images(100).x_test) == count
    with pytest.raises(ValueError, match="count"):
        data.with_evaluation_images(0)


def test_split_rejects_bad_fractions() -> None:
    with pytest.raises(ValueError, match="fractions"):
        split_indices(10, fractions=(0.5, 0.5, 0.5))


def test_a_cache_that_cannot_be_written_warns_and_returns_the_decoded_arrays(tmp_path: Path) -> None:
    arrays = synthetic()
    folder = write_batches(tmp_path / "cifar-10-batches-py", arrays)
    (tmp_path / "not_a_folder").write_text("")
    with pytest.warns(UserWarning, match="could not write the CIFAR-10 cache"):
        assert_same(load_cifar10(folder, cache_dir=tmp_path / "not_a_folder", expected_sizes=SIZES), arrays)


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def npz_bytes(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"not an npz file",
        npz_bytes(train=np.zeros(SIZES[0], np.uint8), test=np.zeros(SIZES[1], np.uint8)),
        npy_bytes(synthetic()[0][1]),
    ],
    ids=["garbage", "wrong_keys", "npy_not_npz"],
)
def test_unusable_labels_file_raises_data_error(tmp_path: Path, content: bytes) -> None:
    path = write_zip(tmp_path / "c.zip", image_entries(synthetic()))
    (tmp_path / ORDER_LABELS_FILE).write_bytes(content)
    with pytest.raises(DataError, match=f"{ORDER_LABELS_FILE}.*restore it from the dataset copy"):
        load(path, tmp_path)


def test_tilde_in_source_is_expanded(tmp_path: Path, monkeypatch) -> None:
    arrays = synthetic()
    write_batches(tmp_path / "home" / "cifar-10-batches-py", arrays)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert_same(load("~/cifar-10-batches-py", tmp_path), arrays)
    monkeypatch.setenv("CIFAR10_SOURCE", "~/cifar-10-batches-py")
    assert_same(load(None, tmp_path), arrays)


def unreachable_url() -> str:
    """A loopback URL that refuses connections: a port that was free a moment ago, as offline as it gets."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/cifar-10-python.tar.gz"


@pytest.fixture
def archive_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Serve a synthetic official archive over loopback HTTP, as the CIFAR-10 site would; yields (arrays, requests).

    ``CIFAR10_URL`` and ``CIFAR10_SHA256`` point at it, ``KERAS_HOME`` at an empty folder, and proxies are bypassed.
    """
    arrays = synthetic()
    archive = write_tar(tmp_path / "served" / "cifar-10-python.tar.gz", arrays, monkeypatch).read_bytes()
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(archive)))
            self.end_headers()
            self.wfile.write(archive)

        def log_message(self, *args) -> None:  # keep the test output quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(
        data_module.sources, "CIFAR10_URL", f"http://127.0.0.1:{server.server_port}/cifar-10-python.tar.gz"
    )
    monkeypatch.delenv("CIFAR10_SOURCE", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    yield arrays, requests
    server.shutdown()
    server.server_close()
    thread.join()


def test_download_when_no_copy_is_found_then_reuse_it(tmp_path: Path, archive_server) -> None:
    arrays, requests = archive_server
    assert_same(load(None, tmp_path), arrays)
    downloaded = tmp_path / "keras" / "datasets" / "cifar-10-python.tar.gz"
    assert downloaded.is_file() and requests == ["/cifar-10-python.tar.gz"]
    assert [file.name for file in downloaded.parent.iterdir()] == [downloaded.name], "temporary download left over"
    assert_same(load_cifar10(cache_dir=None, expected_sizes=SIZES), arrays)
    assert len(requests) == 1, "the archive in keras' cache was downloaded again"


def test_download_with_a_wrong_checksum_is_refused_and_removed(tmp_path: Path, archive_server, monkeypatch) -> None:
    _, requests = archive_server
    monkeypatch.setattr(data_module.sources, "CIFAR10_SHA256", "0" * 64)
    with pytest.raises(DataError, match=r"(?s)file hash does not match.*CIFAR10_SOURCE"):
        load(None, tmp_path)
    assert len(requests) == 1
    assert not list((tmp_path / "keras" / "datasets").iterdir()), "the refused download was kept"


def test_a_decode_is_announced_and_a_cached_load_is_silent(tmp_path: Path, capsys, monkeypatch) -> None:
    path = write_tar(tmp_path / "cifar-10-python.tar.gz", synthetic(), monkeypatch)
    load(path, tmp_path)
    announced = capsys.readouterr().err.splitlines()
    assert len(announced) == 1 and str(path) in announced[0]
    load(path, tmp_path)
    assert capsys.readouterr().err == ""


def test_module_entry_point_reports_a_missing_source_without_a_traceback(tmp_path: Path) -> None:
    environment = {**os.environ, "CIFAR10_SOURCE": str(tmp_path / "nowhere.tar.gz")}
    result = subprocess.run(
        [sys.executable, "-m", "coursework.data"], env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "error: CIFAR-10 not found" in result.stderr and "Traceback" not in result.stderr


def test_chroma_sampling_reads_each_jpeg_file_s_colour_resolution(tmp_path: Path) -> None:
    from coursework.data.image_files import chroma_sampling

    path = tmp_path / "images.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, sampling in (("test/cat/0000.jpg", 2), ("test/cat/0001.jpg", 0), ("labels.txt", None)):
            buffer = io.BytesIO()
            if sampling is not None:
                Image.new("RGB", (32, 32), (200, 30, 30)).save(buffer, "JPEG", subsampling=sampling)
            archive.writestr(name, buffer.getvalue())
    assert chroma_sampling(path) == {0, 2}
    assert chroma_sampling(path, files=1) == {2}
