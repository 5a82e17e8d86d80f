"""Reproducers of hostile and unlucky input: nothing lost, nothing silently wrong, every bad file a clear error.

Each test names the failure it guards against: interrupted training and saves, data swapped under a checkpoint,
image files that are bombs, damaged or of an odd kind, names that reach outside the models folder, side files that
are truncated or missing, models of the wrong kind, and special files (FIFOs) given where a file is read.
"""

from __future__ import annotations

import io
import json
import os
import struct
import tarfile
import threading
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image

from coursework.autoencoders import CAEConfig, build_cae, describe, evaluate_mse, reconstruct, train_cae
from coursework.colorization import ColorizerConfig, build_colorizer, colorize
from coursework.data import CLASSES, DataError, load_cifar10
from coursework.store import load_experiment, load_model_file, save_experiment, training_command

IMAGES = np.random.default_rng(0).integers(0, 256, (64, 32, 32, 3), dtype=np.uint8)


class Interrupted(Exception):
    """What a test raises to stop a training run part-way, as a kill would."""


def interrupt_at_epoch(epoch: int) -> type[keras.callbacks.Callback]:
    """A callback class (in place of the epoch printer) that stops training as epoch ``epoch`` (0-based) begins."""

    class InterruptAt(keras.callbacks.Callback):
        def on_epoch_begin(self, index: int, logs: dict | None = None) -> None:
            if index == epoch:
                raise Interrupted

    return InterruptAt


def interrupted_run(tmp_path: Path, config: CAEConfig, images: np.ndarray = IMAGES, epoch: int = 2) -> Path:
    """The checkpoint folder of a run of ``config`` stopped as epoch ``epoch`` begins."""
    import coursework.training as training

    folder = tmp_path / "run"
    with pytest.MonkeyPatch.context() as patch, pytest.raises(Interrupted):
        patch.setattr(training, "EpochLine", interrupt_at_epoch(epoch))
        train_cae(config, images, images[:16], verbose=True, checkpoint_dir=folder)
    return folder


# --- 1, 2, 4: resumable training -----------------------------------------------------------------------------------

RESUMED = CAEConfig(filters=(4, 4), epochs=6, batch_size=16, patience=1, learning_rate=0.03)


def kill_on_second(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, matches: Callable[..., bool]) -> None:
    """Make ``owner.name`` raise KeyboardInterrupt on its second call for which ``matches(*args)`` holds."""
    original, calls = getattr(owner, name), []

    def dying(*args, **kwargs):
        if matches(*args):
            calls.append(args)
            if len(calls) == 2:
                raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, dying)


@pytest.mark.parametrize("kill", ["writing state.json", "renaming state.json into place"])
def test_a_run_killed_between_its_checkpoint_files_resumes_to_the_uninterrupted_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kill: str
) -> None:
    """Issue 21, item 1: killed after the epoch's weights were saved and before (or while) its state was."""
    _, uninterrupted = train_cae(RESUMED, IMAGES, IMAGES[:16], verbose=False)
    assert len(uninterrupted["loss"]) < RESUMED.epochs  # early stopping ended it: its state must resume too
    with monkeypatch.context() as patch:
        if kill == "writing state.json":
            kill_on_second(patch, Path, "write_text", lambda path, *_: "state.json" in path.name)
        else:
            kill_on_second(patch, os, "replace", lambda source, target: Path(target).name == "state.json")
        with pytest.raises(KeyboardInterrupt):
            train_cae(RESUMED, IMAGES, IMAGES[:16], verbose=False, checkpoint_dir=tmp_path / "run")
    _, resumed = train_cae(RESUMED, IMAGES, IMAGES[:16], verbose=False, checkpoint_dir=tmp_path / "run")
    assert resumed == uninterrupted
    assert not (tmp_path / "run").exists()


def test_a_run_resumed_after_early_stopping_ended_it_trains_no_further(tmp_path: Path) -> None:
    """A kill after the last epoch's checkpoint, before the folder was removed: the result is the finished run's."""
    import coursework.checkpoint as checkpoint

    _, uninterrupted = train_cae(RESUMED, IMAGES, IMAGES[:16], verbose=False)
    with pytest.MonkeyPatch.context() as patch, pytest.raises(Interrupted):
        patch.setattr(checkpoint.shutil, "rmtree", lambda *args, **kwargs: (_ for _ in ()).throw(Interrupted()))
        train_cae(RESUMED, IMAGES, IMAGES[:16], verbose=False, checkpoint_dir=tmp_path / "run")
    model, resumed = train_cae(RESUMED, IMAGES, IMAGES[:16], verbose=False, checkpoint_dir=tmp_path / "run")
    assert resumed == uninterrupted
    reference, _ = train_cae(RESUMED, IMAGES, IMAGES[:16], verbose=False)
    for got, expected in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, expected)  # the best epoch's weights, restored as without the kill


def test_a_checkpoint_of_other_images_is_refused(tmp_path: Path) -> None:
    """Issue 21, item 2: a restart on other data (another --source, or 255 - x) would train on a mix of both."""
    config = CAEConfig(filters=(2, 2), epochs=3, batch_size=16)
    folder = interrupted_run(tmp_path, config, epoch=1)
    other = 255 - IMAGES
    with pytest.raises(ValueError, match=r"trained on other images \(\(64, 32, 32, 3\) \(16, 32, 32, 3\) sha256"):
        train_cae(config, other, other[:16], verbose=False, checkpoint_dir=folder)
    _, history = train_cae(config, IMAGES, IMAGES[:16], verbose=False, checkpoint_dir=folder)  # the same data resume
    assert len(history["loss"]) == 3


def test_a_symlinked_checkpoint_folder_is_refused_before_training(tmp_path: Path) -> None:
    """Issue 21, item 4: Keras' rmtree refused the link after the last epoch, losing the trained model."""
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    config = CAEConfig(filters=(2, 2), epochs=50, batch_size=16)
    with pytest.raises(ValueError, match="is a symbolic link"):
        train_cae(config, IMAGES, IMAGES[:16], verbose=False, checkpoint_dir=tmp_path / "link")
    assert list((tmp_path / "real").iterdir()) == []  # refused up front: nothing was trained or written


# --- 3, 10, 11: the model store ------------------------------------------------------------------------------------


def test_a_failed_save_leaves_the_previous_experiment_whole(tmp_path: Path) -> None:
    """Issue 21, item 3: the model was overwritten before the history failed to serialise."""
    save_experiment("exp", build_cae((8, 12, 16)), {"loss": [0.1]}, CAEConfig(filters=(8, 12, 16)), tmp_path)
    with pytest.raises(TypeError, match="history cannot be saved as JSON"):
        save_experiment("exp", build_cae((4, 4)), {"loss": np.array([0.2])}, CAEConfig(filters=(4, 4)), tmp_path)
    model, history, config = load_experiment("exp", CAEConfig, tmp_path)
    assert config.filters == (8, 12, 16) and history == {"loss": [0.1]}
    assert model.get_layer("encoder_conv1").filters == 8
    assert sorted(path.name for path in tmp_path.iterdir()) == ["exp.config.json", "exp.history.json", "exp.keras"]


def test_a_save_killed_between_its_renames_is_refused_on_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 21, item 3: a kill after the new model replaced the old one, before the new history and config did."""
    save_experiment("exp", build_cae((8, 12, 16)), {"loss": [0.1]}, CAEConfig(filters=(8, 12, 16)), tmp_path)
    with monkeypatch.context() as patch:
        finals = ("exp.keras", "exp.history.json", "exp.config.json")
        kill_on_second(patch, os, "replace", lambda source, target: Path(target).name in finals)
        with pytest.raises(KeyboardInterrupt):
            save_experiment("exp", build_cae((4, 4)), {"loss": [0.2]}, CAEConfig(filters=(4, 4)), tmp_path)
    with pytest.raises(ValueError, match=r"a save of 'exp' was interrupted.*coursework.experiments exp --retrain"):
        load_experiment("exp", CAEConfig, tmp_path)
    save_experiment("exp", build_cae((4, 4)), {"loss": [0.2]}, CAEConfig(filters=(4, 4)), tmp_path)  # a new save
    assert load_experiment("exp", CAEConfig, tmp_path)[2].filters == (4, 4)


@pytest.mark.parametrize("name", ["../escaped", "/tmp/absolute", "", ".hidden", "a/b", "-rf", "x" * 101, 3])
def test_store_names_cannot_escape_the_models_folder(tmp_path: Path, name: object) -> None:
    """Issue 21, item 10: "../escaped" wrote beside the folder, an absolute name ignored it, "" wrote ".keras"."""
    with pytest.raises(ValueError, match="is not an experiment name"):
        save_experiment(name, build_cae(), {"loss": [0.1]}, CAEConfig(), tmp_path / "models")
    with pytest.raises(ValueError, match="is not an experiment name"):
        colorize(np.zeros((8, 8), np.uint8), name if isinstance(name, str) and name else "/any/path/model")
    assert not any(tmp_path.iterdir())


def test_names_pasted_into_a_command_are_quoted_for_the_shell(tmp_path: Path) -> None:
    path = tmp_path / "my model; rm -rf ~.keras"
    path.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"experiments 'my model; rm -rf ~' --retrain"):
        load_model_file(path)
    assert training_command("cae_base") == "`python -m coursework.experiments cae_base --retrain`"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncate config", r"exp.config.json is truncated or corrupt.*experiments exp --retrain"),
        ("delete config", r"exp.config.json is missing.*experiments exp --retrain"),
        ("truncate history", r"exp.history.json is truncated or corrupt.*experiments exp --retrain"),
        ("delete history", r"exp.history.json is missing.*experiments exp --retrain"),
        ("list config", r"exp.config.json holds a list, not a JSON object.*--retrain"),
        ("invalid config", r"exp.config.json holds an invalid config.*epochs must be.*--retrain"),
        ("keras without config.json", r"exp.keras is corrupt or incomplete.*config.json.*experiments exp --retrain"),
    ],
)
def test_damaged_side_files_name_the_file_and_the_fix(tmp_path: Path, damage: str, message: str) -> None:
    """Issue 21, item 11: JSONDecodeError, FileNotFoundError and KeyError came through raw."""
    save_experiment("exp", build_cae((4, 4)), {"loss": [0.1]}, CAEConfig(filters=(4, 4)), tmp_path)
    kind, target = damage.split(" ", 1)
    path = tmp_path / f"exp.{target}.json"
    if kind == "truncate":
        path.write_text(path.read_text()[:10])
    elif kind == "delete":
        path.unlink()
    elif kind == "list":
        path.write_text("[]")
    elif kind == "invalid":
        path.write_text(json.dumps(json.loads(path.read_text()) | {"epochs": 0}))
    else:
        keras_file = tmp_path / "exp.keras"
        with zipfile.ZipFile(keras_file) as original:
            members = {name: original.read(name) for name in original.namelist() if name != "config.json"}
        with zipfile.ZipFile(keras_file, "w") as stripped:
            for name, content in members.items():
                stripped.writestr(name, content)
    with pytest.raises(ValueError, match=message):
        load_experiment("exp", CAEConfig, tmp_path)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncate state.json", r"state.json is truncated or corrupt.*delete this folder"),
        ("delete the best weights", r"best-\d.npz is missing.*delete this folder"),
        ("delete the weights", r"epoch-2.weights.h5 is missing.*delete this folder"),
        ("state.json of an older version", r"state.json was written by another version of this code.*delete"),
    ],
)
def test_a_damaged_checkpoint_names_the_file_and_the_fix(tmp_path: Path, damage: str, message: str) -> None:
    """Issue 21, item 11: a truncated state.json (write_text is not atomic) or a missing best_weights.npz."""
    config = CAEConfig(filters=(2, 2), epochs=4, batch_size=16, patience=2)
    folder = interrupted_run(tmp_path, config)
    state = folder / "state.json"
    if damage == "truncate state.json":
        state.write_text(state.read_text()[:20])
    elif damage == "delete the best weights":
        next(folder.glob("best-*.npz")).unlink()
    elif damage == "delete the weights":
        (folder / "epoch-2.weights.h5").unlink()
    else:
        state.write_text(json.dumps({"config": repr(config), "history": {}, "best": None}))
    with pytest.raises(ValueError, match=message):
        train_cae(config, IMAGES, IMAGES[:16], verbose=False, checkpoint_dir=folder)


# --- 12: models of the wrong kind ----------------------------------------------------------------------------------


def test_models_of_the_wrong_kind_are_named_as_such(tmp_path: Path) -> None:
    """Issue 21, item 12: an autoencoder given as colorizer, and a colorizer as autoencoder, failed inside Keras."""
    with pytest.raises(ValueError, match="cae_base.keras is an autoencoder.*a colorizer maps luminance"):
        colorize(np.zeros((8, 8), np.uint8), "cae_base")
    with pytest.raises(ValueError, match="is an autoencoder"):
        colorize(np.zeros((8, 8), np.uint8), build_cae())
    colorizer = build_colorizer(ColorizerConfig(target="chroma"))
    with pytest.raises(ValueError, match="is a colorizer.*an autoencoder maps RGB images"):
        reconstruct(colorizer, IMAGES[:2])
    with pytest.raises(ValueError, match="is a colorizer"):
        describe(colorizer)
    with pytest.raises(ValueError, match="is a colorizer"):
        evaluate_mse(colorizer, IMAGES[:2])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda model: reconstruct(model, IMAGES[:0]), "no images given"),
        (lambda model: evaluate_mse(model, IMAGES[:0]), "no images given"),
        (lambda model: reconstruct(model, IMAGES[:2], batch_size=0), "batch_size must be a whole number >= 1"),
        (lambda model: reconstruct(model, IMAGES[:2], batch_size=2.5), "batch_size must be a whole number >= 1"),
    ],
)
def test_empty_inputs_and_batch_sizes_that_cannot_run_are_named(call: Callable, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(build_cae())


# --- 6, 7, 8, 9: image files ---------------------------------------------------------------------------------------


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def image_zip(path: Path, replace: dict[str, bytes] | None = None) -> Path:
    """A CIFAR-10 image zip with one 32x32 gray PNG (value 100) per class and subset; ``replace``: other members."""
    members = {
        f"{subset}/{name}/0000.png": png_bytes(Image.new("L", (32, 32), 100))
        for subset in ("train", "test")
        for name in CLASSES
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (members | (replace or {})).items():
            archive.writestr(name, content)
    return path


def load_zip(path: Path):
    with pytest.warns(UserWarning, match="not in the official CIFAR-10 order"):
        return load_cifar10(path, cache_dir=None, expected_sizes=None)


def test_a_16_bit_png_in_an_image_source_keeps_its_value(tmp_path: Path) -> None:
    """Issue 21, item 6: convert("RGB") clipped 40000/65535 to 255; colorize's reader gives 156."""
    sixteen_bit = png_bytes(Image.fromarray(np.full((32, 32), 40_000, dtype=np.uint16)))
    (x_train, _), _ = load_zip(image_zip(tmp_path / "c.zip", {"train/airplane/0000.png": sixteen_bit}))
    assert np.all(x_train[0] == 156) and np.all(x_train[1] == 100)


def test_decompression_bombs_between_the_limit_and_twice_it_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21, item 7: PIL only warns between MAX_IMAGE_PIXELS and twice that, and decoded 100 Mpx."""
    from coursework.images import read_image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    content = png_bytes(Image.new("1", (40, 40)))  # 1,600 pixels: between the limit and twice it
    (tmp_path / "bomb.png").write_bytes(content)
    with pytest.raises(ValueError, match="DecompressionBombWarning.*MAX_IMAGE_PIXELS"):
        colorize(tmp_path / "bomb.png", build_cae())
    with pytest.raises(ValueError, match="the uploaded file.*MAX_IMAGE_PIXELS"):
        read_image(io.BytesIO(content))


def test_zip_members_far_beyond_a_32x32_image_are_refused_before_they_are_read(tmp_path: Path) -> None:
    """Issue 21, item 8: a tiny PNG followed by 400 MB of zeros was read whole (853 MB peak) and accepted."""
    padded = png_bytes(Image.new("RGB", (32, 32))) + bytes(8 << 20)  # 8 MB of zeros, a few KB compressed
    with pytest.raises(DataError, match=r"member train/cat/0000.png is 8,388,\d+ bytes, far more than it can hold"):
        load_cifar10(image_zip(tmp_path / "c.zip", {"train/cat/0000.png": padded}), cache_dir=None, expected_sizes=None)


def test_tar_members_larger_than_a_batch_are_refused_before_they_are_read(tmp_path: Path) -> None:
    member = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
    member.size = 10**10  # the header claims 10 GB; none of it follows
    (tmp_path / "c.tar").write_bytes(member.tobuf())
    with pytest.raises(DataError, match="data_batch_1 is 10,000,000,000 bytes, far more than it can hold"):
        load_cifar10(tmp_path / "c.tar", cache_dir=None)


def broken_png() -> bytes:
    """A valid PNG with 4 stray bytes inside its IDAT chunk (the chunk's CRC fixed up): PIL raised SyntaxError."""
    content = png_bytes(Image.fromarray(np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)))
    start = content.index(b"IDAT") - 4
    length = struct.unpack(">I", content[start : start + 4])[0]
    data = content[start + 8 : start + 8 + length]
    data = data[:10] + b"\x00\xff\x00\xff" + data[10:]
    chunk = struct.pack(">I", len(data)) + b"IDAT" + data + struct.pack(">I", zlib.crc32(b"IDAT" + data))
    return content[:start] + chunk + content[start + 12 + length :]


def dds_with_unknown_pixel_format() -> bytes:
    """A DDS header whose pixel format flags PIL does not know: it raised NotImplementedError."""
    header = struct.pack("<7I44x", 124, 0x1007, 4, 4, 0, 0, 0)
    pixel_format = struct.pack("<2I4s5I", 32, 0x80000, b"\0\0\0\0", 0, 0, 0, 0, 0)
    return b"DDS " + header + pixel_format + bytes(20) + bytes(64)


@pytest.mark.parametrize("content", [broken_png(), dds_with_unknown_pixel_format(), b"", b"GIF89a", b"\x89PNG\r\n"])
def test_every_undecodable_image_file_raises_value_error(tmp_path: Path, content: bytes) -> None:
    """Issue 21, item 9: SyntaxError, NotImplementedError and AttributeError came out of PIL."""
    from coursework.images import read_image

    (tmp_path / "bad.png").write_bytes(content)
    with pytest.raises(ValueError, match="cannot read an image from"):
        colorize(tmp_path / "bad.png", build_cae())
    with pytest.raises(ValueError, match="cannot read an image from the uploaded file"):
        read_image(io.BytesIO(content))


def test_mutated_image_files_give_pixels_or_a_value_error() -> None:
    """A small fuzz: flipped bytes in files of every accepted format never give another exception."""
    from coursework.images import read_image

    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 256, (12, 10, 3), dtype=np.uint8))
    for file_format in ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP", "PPM"):
        buffer = io.BytesIO()
        image.save(buffer, format=file_format)
        original = np.frombuffer(buffer.getvalue(), np.uint8)
        for _ in range(40):
            mutated = original.copy()
            positions = rng.integers(0, len(mutated), rng.integers(1, 8))
            mutated[positions] = rng.integers(0, 256, len(positions))
            try:
                pixels = read_image(io.BytesIO(mutated.tobytes()))
            except ValueError:
                continue
            assert pixels.ndim in (2, 3)


# --- more of the same kinds: configs, environment values, special files --------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ColorizerConfig(filters=(8, 8)), "at least 3"),
        (lambda: ColorizerConfig(filters=(8, 0, 8)), "each entry of filters must be a whole number >= 1"),
        (lambda: ColorizerConfig(bin_size=1e-6), r"bin_size must lie in \[0.02, 0.5\]"),
        (lambda: ColorizerConfig(bin_size="0.1"), "bin_size must be a finite number"),
        (lambda: CAEConfig(seed=-1), "seed must be a whole number >= 0"),
        (lambda: CAEConfig(optimizer="adagrad"), "unknown optimizer 'adagrad'"),
        (lambda: CAEConfig(padding="full"), "padding must be 'same' or 'valid'"),
        (lambda: CAEConfig(kernel_size=0), "kernel_size must be a whole number >= 1"),
        (lambda: CAEConfig(filters=(8,) * 7), "not a multiple of the encoder's down-sampling"),
        (lambda: CAEConfig(output_activation="sigmoidal"), "unknown output_activation 'sigmoidal'"),
    ],
)
def test_configs_that_would_fail_only_when_training_are_refused_when_made(make: Callable, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_images_the_model_cannot_train_on_are_refused_before_training() -> None:
    config = CAEConfig(filters=(2, 2), epochs=1)
    with pytest.raises(ValueError, match="x_val holds no images"):
        train_cae(config, IMAGES, IMAGES[:0], verbose=False)
    with pytest.raises(ValueError, match="x_train images are 16x16; the model takes 32x32"):
        train_cae(config, IMAGES[:, :16, :16], IMAGES[:4], verbose=False)


def finishes(call: Callable[[], object], fifo: Path, seconds: float = 20) -> BaseException | None:
    """Run ``call`` in a thread; the exception it raised (None if none), or a test failure if it blocks on ``fifo``."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as error:  # handed back to the test
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        with open(fifo, "wb"):  # a writer unblocks the reader, so that the thread can end
            pass
        pytest.fail(f"still running after {seconds} s: it blocks on the FIFO {fifo}")
    return outcome[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("where", ["colorize", "zip source", "read_image", "labels file", "state.json"])
def test_fifos_given_as_files_are_refused_without_blocking(tmp_path: Path, where: str) -> None:
    from coursework.images import read_image

    (tmp_path / "run").mkdir()
    fifo = {
        "zip source": tmp_path / "c.zip",
        "labels file": tmp_path / "cifar10-official-order-labels.npz",
        "state.json": tmp_path / "run" / "state.json",
    }.get(where, tmp_path / "image.png")
    if where == "labels file":
        image_zip(tmp_path / "c.zip")
    os.mkfifo(fifo)
    calls = {
        "colorize": lambda: colorize(fifo, build_cae()),
        "zip source": lambda: load_cifar10(fifo, cache_dir=None),
        "read_image": lambda: read_image(fifo),
        "labels file": lambda: load_cifar10(tmp_path / "c.zip", cache_dir=None, expected_sizes=None),
        "state.json": lambda: train_cae(CAEConfig(epochs=1), IMAGES, IMAGES[:4], checkpoint_dir=tmp_path / "run"),
    }
    error = finishes(calls[where], fifo)
    assert isinstance(error, ValueError) and "regular file" in str(error), error


def test_blank_environment_values_are_not_read_as_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KERAS_HOME="" made the download go to ./datasets; CIFAR10_SOURCE="  " pointed at a folder named "  "."""
    import coursework.data.sources as sources

    class WouldDownload(Exception):
        pass

    def download(target: Path, tried: list[str]) -> Path:
        raise WouldDownload(str(target))

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CIFAR10_SOURCE", raising=False)
    monkeypatch.setenv("KERAS_HOME", "")
    monkeypatch.setattr(sources, "_download", download)
    with pytest.raises(WouldDownload, match=r"home/\.keras/datasets/cifar-10-python.tar.gz"):
        sources.resolve_source(None)
    monkeypatch.setenv("CIFAR10_SOURCE", "  ")
    with pytest.raises(DataError, match="CIFAR10_SOURCE is an empty path"):
        load_cifar10(cache_dir=None)
