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
import threading
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import pytest
from helpers import killing_at
from PIL import Image

from coursework.autoencoders import build_cae, describe, evaluate_mse, reconstruct, train_cae
from coursework.colorization import ColorizerConfig, Ensemble, build_colorizer, colorize
from coursework.configs import CAEConfig
from coursework.data import CLASSES, ORDER_LABELS_FILE, DataError, load_cifar10
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
    del resumed["seconds"], uninterrupted["seconds"]  # wall times differ; every measure is the same
    assert resumed == uninterrupted


def test_a_run_resumed_after_early_stopping_ended_it_trains_no_further(tmp_path: Path) -> None:
    """The checkpoint outlives training (its owner deletes it once the model is saved): a rerun trains nothing more
    and gives the finished run's model."""
    _, uninterrupted = train_cae(RESUMED, IMAGES, IMAGES[:16], verbose=False, checkpoint_dir=tmp_path / "run")
    reference, _ = train_cae(RESUMED, IMAGES, IMAGES[:16], verbose=False)
    model, resumed = train_cae(RESUMED, IMAGES, IMAGES[:16], verbose=False, checkpoint_dir=tmp_path / "run")
    assert resumed == uninterrupted
    for got, expected in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, expected)  # the best epoch's weights, restored as without the kill


def test_a_checkpoint_of_other_images_is_refused(tmp_path: Path) -> None:
    """Issue 21, item 2: a restart on other data (another --source, or 255 - x) would train on a mix of both."""
    config = CAEConfig(filters=(2, 2), epochs=3, batch_size=16)
    folder = interrupted_run(tmp_path, config, epoch=1)
    other = 255 - IMAGES
    with pytest.raises(ValueError, match=r"\(64, 32, 32, 3\) \(16, 32, 32, 3\) sha256"):
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
    with pytest.raises(TypeError, match="history"):
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
    with pytest.raises(ValueError, match=r"'exp'.*coursework.experiments exp --retrain"):
        load_experiment("exp", CAEConfig, tmp_path)
    save_experiment("exp", build_cae((4, 4)), {"loss": [0.2]}, CAEConfig(filters=(4, 4)), tmp_path)  # a new save
    assert load_experiment("exp", CAEConfig, tmp_path)[2].filters == (4, 4)


@pytest.mark.parametrize("name", ["../escaped", "/tmp/absolute", "", ".hidden", "a/b", "-rf", "x" * 101, 3])
def test_store_names_cannot_escape_the_models_folder(tmp_path: Path, name: object) -> None:
    """Issue 21, item 10: "../escaped" wrote beside the folder, an absolute name ignored it, "" wrote ".keras"."""
    with pytest.raises(ValueError, match="is not an experiment name"):
        save_experiment(name, build_cae(), {"loss": [0.1]}, CAEConfig(), tmp_path / "models")
    with pytest.raises(ValueError, match="is not an experiment name"):
        colorize(np.zeros((8, 8), np.uint8), Ensemble((name if isinstance(name, str) and name else "/any/path/model",)))
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
        ("truncate config", r"exp.config.json.*experiments exp --retrain"),
        ("delete config", r"exp.config.json.*experiments exp --retrain"),
        ("truncate history", r"exp.history.json.*experiments exp --retrain"),
        ("delete history", r"exp.history.json.*experiments exp --retrain"),
        ("list config", r"exp.config.json.*list.*--retrain"),
        ("invalid config", r"exp.config.json.*epochs.*--retrain"),
        ("keras without config.json", r"exp.keras.*config.json.*experiments exp --retrain"),
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
        ("truncate state.json", r"state.json.*delete"),
        ("delete the best weights", r"best-\d.npz.*delete"),
        ("delete the weights", r"epoch-2.weights.h5.*delete"),
        ("state.json of an older version", r"state.json.*delete"),
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
    with pytest.raises(ValueError, match="cae_base.keras"):
        colorize(np.zeros((8, 8), np.uint8), Ensemble(("cae_base",)))
    with pytest.raises(ValueError, match="is an autoencoder"):
        colorize(np.zeros((8, 8), np.uint8), build_cae())
    colorizer = build_colorizer(ColorizerConfig(target="chroma"))
    with pytest.raises(ValueError, match="colorizer"):
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
        (lambda model: reconstruct(model, IMAGES[:2], batch_size=0), "batch_size"),
        (lambda model: reconstruct(model, IMAGES[:2], batch_size=2.5), "batch_size"),
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


def image_zip(path: Path, replace: dict[str, bytes] | None = None, labels: bool = True) -> Path:
    """A CIFAR-10 image zip with one 32x32 gray PNG (value 100) per class and subset, and its labels file beside it
    unless not ``labels``; ``replace``: other members."""
    members = {
        f"{subset}/{name}/0000.png": png_bytes(Image.new("L", (32, 32), 100))
        for subset in ("train", "test")
        for name in CLASSES
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (members | (replace or {})).items():
            archive.writestr(name, content)
    if labels:
        np.savez(path.parent / ORDER_LABELS_FILE, y_train=np.arange(len(CLASSES)), y_test=np.arange(len(CLASSES)))
    return path


def test_a_16_bit_png_in_an_image_source_keeps_its_value(tmp_path: Path) -> None:
    """Issue 21, item 6: convert("RGB") clipped 40000/65535 to 255; colorize's reader gives 156."""
    sixteen_bit = png_bytes(Image.fromarray(np.full((32, 32), 40_000, dtype=np.uint16)))
    source = image_zip(tmp_path / "c.zip", {"train/airplane/0000.png": sixteen_bit})
    (x_train, _), _ = load_cifar10(source, cache_dir=None, expected_sizes=None)
    assert np.all(x_train[0] == 156) and np.all(x_train[1] == 100)


def test_decompression_bombs_between_the_limit_and_twice_it_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21, item 7: PIL only warns between MAX_IMAGE_PIXELS and twice that, and decoded 100 Mpx."""
    from coursework.images import read_image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    content = png_bytes(Image.new("1", (40, 40)))  # 1,600 pixels: between the limit and twice it
    (tmp_path / "bomb.png").write_bytes(content)
    with pytest.raises(ValueError, match="DecompressionBombWarning"):
        colorize(tmp_path / "bomb.png", build_cae())
    with pytest.raises(ValueError, match="the uploaded file.*DecompressionBomb"):
        read_image(io.BytesIO(content))


def test_zip_members_far_beyond_a_32x32_image_are_refused_before_they_are_read(tmp_path: Path) -> None:
    """Issue 21, item 8: a tiny PNG followed by 400 MB of zeros was read whole (853 MB peak) and accepted."""
    padded = png_bytes(Image.new("RGB", (32, 32))) + bytes(8 << 20)  # 8 MB of zeros, a few KB compressed
    with pytest.raises(DataError, match=r"train/cat/0000.png.*8,388,\d+"):
        load_cifar10(image_zip(tmp_path / "c.zip", {"train/cat/0000.png": padded}), cache_dir=None, expected_sizes=None)


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
        (lambda: ColorizerConfig(filters=(8, 8)), "at least three"),
        (lambda: ColorizerConfig(filters=(8, 0, 8)), "filters"),
        (lambda: CAEConfig(seed=-1), "seed"),
        (lambda: CAEConfig(optimizer="adagrad"), "'adagrad'"),
        (lambda: CAEConfig(padding="full"), "'full'"),
        (lambda: CAEConfig(kernel_size=0), "kernel_size"),
        (lambda: CAEConfig(filters=(8,) * 7), "not a multiple of the encoder's down-sampling"),
        (lambda: CAEConfig(output_activation="sigmoidal"), "'sigmoidal'"),
    ],
)
def test_configs_that_would_fail_only_when_training_are_refused_when_made(make: Callable, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_images_the_model_cannot_train_on_are_refused_before_training() -> None:
    config = CAEConfig(filters=(2, 2), epochs=1)
    with pytest.raises(ValueError, match="x_val holds no images"):
        train_cae(config, IMAGES, IMAGES[:0], verbose=False)
    with pytest.raises(ValueError, match="x_train.*16x16"):
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
        image_zip(tmp_path / "c.zip", labels=False)
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
    with pytest.raises(DataError, match="CIFAR10_SOURCE"):
        load_cifar10(cache_dir=None)


# --- the second fuzz: interrupted saves twice over, bombs in side files and archive headers, tampered state -------


class TaggedModel:
    """Stands in for a model in the store's kill tests: its .keras file holds only its tag (no Keras, milliseconds)."""

    def __init__(self, tag: int):
        self.tag = tag

    def save(self, path: Path) -> None:
        Path(path).write_text(str(self.tag))


def save_killed_at(step: int, tag: int, folder: Path) -> bool:
    """Save set ``tag`` (model, history and config all tagged), killed as its ``step``-th file operation (a write, a
    rename or a delete) begins; whether the kill came before the save ended."""
    calls: list[int] = []
    dying = killing_at(step, calls)
    with pytest.MonkeyPatch.context() as patch:
        for owner, name in ((os, "replace"), (Path, "write_text"), (Path, "unlink")):
            patch.setattr(owner, name, dying(getattr(owner, name)))
        try:
            save_experiment("exp", TaggedModel(tag), {"loss": [tag]}, CAEConfig(seed=tag), folder)
        except KeyboardInterrupt:
            return True
    return False


def assert_whole_or_refused(folder: Path) -> int | None:
    """Load ``folder``'s experiment: it must load exactly when its three files are of one save, and be refused
    otherwise; the tag loaded (None if refused)."""
    on_disk = {
        int((folder / "exp.keras").read_text()),
        json.loads((folder / "exp.history.json").read_text())["loss"][0],
        json.loads((folder / "exp.config.json").read_text())["seed"],
    }
    try:
        model, history, config = load_experiment("exp", CAEConfig, folder)
    except ValueError as error:
        assert "was interrupted" in str(error) and len(on_disk) > 1, (error, on_disk)
        return None
    assert model == history["loss"][0] == config.seed and on_disk == {model}
    return model


def test_saves_killed_at_any_step_once_or_twice_never_load_a_mixed_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Save A; save B killed on its 3rd rename; save C killed before its renames: B's model loaded with A's config
    and history, silently (the second journal overwrote the one that showed the mix)."""
    import coursework.store as store

    monkeypatch.setattr(store, "load_model_file", lambda path: int(Path(path).read_text()))
    steps = 1
    while save_killed_at(steps, 2, tmp_path / "count"):  # the file operations of a save, killed at none
        steps += 1
    assert steps > 8  # three writes, the journal's write and rename, three renames, the journal's removal
    for first in range(1, steps + 1):
        for second in range(1, steps + 1):
            folder = tmp_path / f"{first}-{second}"
            save_experiment("exp", TaggedModel(1), {"loss": [1]}, CAEConfig(seed=1), folder)
            save_killed_at(first, 2, folder)
            if second == 1:
                assert assert_whole_or_refused(folder) in (1, 2, None)
            save_killed_at(second, 3, folder)
            assert assert_whole_or_refused(folder) in (1, 2, 3, None)
            save_experiment("exp", TaggedModel(4), {"loss": [4]}, CAEConfig(seed=4), folder)  # a whole save mends it
            assert assert_whole_or_refused(folder) == 4 and not (folder / "exp.saving").exists()


def test_the_fuzzers_double_interruption_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reproducer of /tmp/fz/store1.py: B killed on its 3rd os.replace, C on its 2nd."""
    import coursework.store as store

    monkeypatch.setattr(store, "load_model_file", lambda path: int(Path(path).read_text()))
    save_experiment("exp", TaggedModel(1), {"loss": [1]}, CAEConfig(seed=1), tmp_path)
    for tag, nth in ((2, 3), (3, 2)):
        with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
            original, calls = os.replace, []

            def replace(source: Path, target: Path, nth: int = nth, calls: list = calls, original=original) -> None:
                calls.append(target)
                if len(calls) == nth:
                    raise KeyboardInterrupt
                original(source, target)

            patch.setattr(os, "replace", replace)
            save_experiment("exp", TaggedModel(tag), {"loss": [tag]}, CAEConfig(seed=tag), tmp_path)
        with pytest.raises(ValueError, match="a save of 'exp' was interrupted"):
            load_experiment("exp", CAEConfig, tmp_path)


def npy_header(shape: tuple[int, ...], descr: str = "|u1") -> bytes:
    """A .npy file's magic and header alone: it declares an array of ``shape`` whose data are not there."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def npz(path: Path, members: dict[str, bytes | np.ndarray]) -> Path:
    """An .npz of arrays (or raw .npy bytes) under the given names."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if isinstance(content, np.ndarray):
                buffer = io.BytesIO()
                np.save(buffer, content)
                content = buffer.getvalue()
            archive.writestr(f"{name}.npy", content)
    return path


def test_a_labels_file_that_declares_a_billion_labels_is_refused_from_its_header(tmp_path: Path) -> None:
    """A 1 MB labels file whose y_train declared 2**30 uint8 (deflated zeros) cost 9 GB."""
    source = image_zip(tmp_path / "c.zip")
    npz(tmp_path / "cifar10-official-order-labels.npz", {"y_train": npy_header((2**30,)), "y_test": np.arange(10)})
    with pytest.raises(DataError, match=r"labels.npz: y_train.*\(1073741824,\)"):
        load_cifar10(source, cache_dir=None, expected_sizes=None)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"x_test": npy_header((10**6, 32, 32, 3)), "y_test": np.zeros(5, np.uint8)}, r"\(1000000, 32, 32, 3\)"),
        ({"x_test": np.zeros((5, 4)), "y_test": np.zeros(5, np.uint8)}, r"\(5, 4\)"),
        ({"x_test": np.zeros((5, 32, 32, 3), np.uint8), "y_test": np.zeros((5, 1))}, "y_test.*float64"),
        ({"x_test": np.zeros((5, 32, 32, 3), np.uint8), "y_test": np.zeros(4, np.uint8)}, "4 labels for 5 images"),
        ({"x_test": np.array([None] * 5, object), "y_test": np.zeros(5, np.uint8)}, "object"),
        ({"a": np.zeros(1)}, r"x_test.*\['a.npy'\]"),
        ("text", "not an .npz holding x_test and y_test"),
        ("truncated", "not an .npz holding x_test and y_test"),
    ],
)
def test_a_damaged_or_oversized_lossless_file_is_refused_naming_it(tmp_path: Path, content: object, message: str):
    """official_subset read LOSSLESS_TEST_FILE whole with np.load: any declared size, shape or key went through."""
    from coursework.data import LOSSLESS_TEST_FILE, Split, official_subset

    split = Split(*(np.zeros((1, 32, 32, 3), np.uint8), np.zeros(1, np.uint8)) * 3, np.array([50_000]), tmp_path)
    path = tmp_path.parent / LOSSLESS_TEST_FILE
    if content == "text":
        path.write_text("hello")
    elif content == "truncated":
        whole = npz(path, {"x_test": np.zeros((5, 32, 32, 3), np.uint8), "y_test": np.zeros(5, np.uint8)})
        path.write_bytes(whole.read_bytes()[:300])
    else:
        npz(path, content)
    with pytest.raises(DataError, match=f"{LOSSLESS_TEST_FILE}: .*{message}"):
        official_subset(split)


def test_an_image_source_with_one_file_twice_is_refused(tmp_path: Path) -> None:
    twice = image_zip(tmp_path / "twice.zip", {"cifar10/train/cat/0000.png": png_bytes(Image.new("L", (32, 32)))})
    with pytest.raises(DataError, match="train/cat/0000.png"):
        load_cifar10(twice, cache_dir=None, expected_sizes=None)


TAMPERED = CAEConfig(filters=(2, 2), epochs=4, batch_size=16, patience=2)


@pytest.fixture(scope="module")
def checkpoint_of_two_epochs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkpoint folder of a run of TAMPERED interrupted after two epochs (made once, copied by each test)."""
    return interrupted_run(tmp_path_factory.mktemp("checkpoint"), TAMPERED)


def _outside_weights(state: dict, folder: Path) -> None:
    (folder.parent / "outside.weights.h5").write_bytes((folder / "epoch-2.weights.h5").read_bytes())
    state["weights"] = "../outside.weights.h5"


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda state, folder: state.update(epoch=99), r"epoch 99, not a whole number 1..4"),
        (lambda state, folder: state.update(epoch=0), "epoch 0"),
        (lambda state, folder: state.update(epoch="1"), "epoch '1'"),
        (lambda state, folder: state.pop("history"), "history"),
        (lambda state, folder: state.update(history={k: v * 5 for k, v in state["history"].items()}), "history"),
        (lambda state, folder: state.update(history="x"), "history"),
        (lambda state, folder: state.update(stopped="no"), "stopped 'no'"),
        (lambda state, folder: state.update(weights=str(folder.resolve() / "epoch-2.weights.h5")), "weights '/"),
        (_outside_weights, r"weights '\.\./outside.weights.h5'"),
        (lambda state, folder: state.update(weights=None), "weights None"),
        (lambda state, folder: state.update(stopping={}), "early stopping's state {}"),
        (lambda state, folder: state.update(stopping=None), "early stopping's state None"),
        (lambda state, folder: state["stopping"].update(best=None), "early stopping's state"),
        (lambda state, folder: state["stopping"].update(best_weights="../x.npz"), "early stopping's state"),
    ],
)
def test_a_tampered_checkpoint_state_is_refused_before_training(
    tmp_path: Path, checkpoint_of_two_epochs: Path, tamper: Callable, message: str
) -> None:
    """state.json was trusted: epoch 99 trained nothing, a short history resumed wrong, "../x" loaded weights from
    outside the folder, a missing early-stopping state raised TypeError."""
    import shutil

    folder = tmp_path / "run"
    shutil.copytree(checkpoint_of_two_epochs, folder)
    state = json.loads((folder / "state.json").read_text())
    tamper(state, folder)
    (folder / "state.json").write_text(json.dumps(state))
    with pytest.raises(ValueError, match=f"state.json.*{message}"):
        train_cae(TAMPERED, IMAGES, IMAGES[:16], verbose=False, checkpoint_dir=folder)


def test_a_folder_or_link_where_a_checkpoint_file_belongs_is_refused(
    tmp_path: Path, checkpoint_of_two_epochs: Path
) -> None:
    """A folder named epoch-1.weights.h5 ended in IsADirectoryError; a link would load weights from elsewhere."""
    import shutil

    (tmp_path / "folder" / "epoch-1.weights.h5").mkdir(parents=True)
    with pytest.raises(ValueError, match="epoch-1.weights.h5"):
        train_cae(TAMPERED, IMAGES, IMAGES[:16], verbose=False, checkpoint_dir=tmp_path / "folder")
    shutil.copytree(checkpoint_of_two_epochs, tmp_path / "link")
    (tmp_path / "outside.weights.h5").write_bytes((tmp_path / "link" / "epoch-2.weights.h5").read_bytes())
    (tmp_path / "link" / "epoch-2.weights.h5").unlink()
    (tmp_path / "link" / "epoch-2.weights.h5").symlink_to(tmp_path / "outside.weights.h5")
    with pytest.raises(ValueError, match="epoch-2.weights.h5"):
        train_cae(TAMPERED, IMAGES, IMAGES[:16], verbose=False, checkpoint_dir=tmp_path / "link")


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def sixteen_bit_png(color_type: int, row: np.ndarray, transparent: tuple[int, ...]) -> bytes:
    """A 2x2 16-bit PNG (gray: colour type 0, RGB: 2) of two equal rows, with a tRNS transparent colour."""
    header = struct.pack(">IIBBBBB", row.size // (1 if color_type == 0 else 3), 2, 16, color_type, 0, 0, 0)
    raw = (b"\x00" + row.astype(">u2").tobytes()) * 2
    chunks = [(b"IHDR", header), (b"tRNS", struct.pack(f">{len(transparent)}H", *transparent))]
    chunks += [(b"IDAT", zlib.compress(raw)), (b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(png_chunk(kind, data) for kind, data in chunks)


def test_a_16_bit_png_transparent_color_shows_white_as_an_8_bit_one_does() -> None:
    """A 16-bit gray PNG's tRNS colour was ignored (the 8-bit one is composited over white)."""
    from coursework.images import read_image

    gray = read_image(io.BytesIO(sixteen_bit_png(0, np.array([40_000, 20_000]), (40_000,))))
    np.testing.assert_allclose(gray, [[1.0, 20_000 / 65535]] * 2, rtol=1e-6)
    rgb = sixteen_bit_png(2, np.array([40_000] * 3 + [20_000] * 3), (40_000,) * 3)
    with pytest.raises(ValueError, match="16-bit"):
        read_image(io.BytesIO(rgb))


def test_the_command_line_ends_a_data_error_or_a_misuse_with_one_line(capsys: pytest.CaptureFixture) -> None:
    """--source /nonexistent ended in a DataError traceback; --list ignored the names given with it."""
    from coursework.experiments.__main__ import main

    with pytest.raises(SystemExit) as stopped:
        main(["--retrain", "cae_base", "--source", "/nonexistent/cifar"])
    error = capsys.readouterr().err
    assert stopped.value.code == 1 and error.count("\n") == 1
    assert "error: CIFAR-10 not found. Tried: argument source: /nonexistent/cifar; Provide it with" in error
    with pytest.raises(SystemExit) as stopped:
        main(["--list", "extra"])
    assert stopped.value.code == 2 and "--list takes no names (got extra)" in capsys.readouterr().err


def keras_file(path: Path, config: dict) -> Path:
    """A .keras zip holding only metadata and ``config`` (no weights)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": keras.__version__, "date_saved": "x"}))
        archive.writestr("config.json", json.dumps(config))
    return path


@pytest.mark.parametrize(
    ("config", "named"),
    [
        (
            {"module": "builtins", "class_name": "exec", "config": {"source": "1"}, "registered_name": None},
            "builtins.exec",
        ),
        (
            {
                "module": "keras.layers",
                "class_name": "Dense",
                "config": {"units": 1, "activation": {"module": "os", "class_name": "function", "config": "system"}},
                "registered_name": None,
            },
            "os.system",
        ),
    ],
)
def test_a_model_file_with_a_foreign_config_is_named_as_not_this_codes(tmp_path: Path, config: dict, named: str):
    """An activation naming os.system, a module naming builtins: each named, not Keras' TypeError."""
    path = keras_file(tmp_path / "odd.keras", config)
    with pytest.raises(ValueError, match=f"odd.keras.*{named}.*odd --retrain"):
        load_model_file(path)


def test_a_keras_file_whose_config_inflates_to_gigabytes_is_refused_before_keras_reads_it(tmp_path) -> None:
    """A zip entry's declared size is checked first: a small file cannot make the loader inflate 1.5 GB."""
    import zipfile

    from coursework.store import MAX_CONFIG_BYTES, load_model_file

    bomb = tmp_path / "bomb.keras"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", '{"keras_version": "3.15.1"}')
        with archive.open("config.json", "w", force_zip64=True) as member:
            for _ in range(MAX_CONFIG_BYTES // (1 << 20) + 1):
                member.write(b" " * (1 << 20))
    with pytest.raises(ValueError, match="not a model this code made"):
        load_model_file(bomb)


def test_seed_ranges_and_pooled_seeds_refuse_unmeasured_values() -> None:
    """NaN compares as apart one way round only, and pandas skips it: neither may make a one-seed difference."""
    import pandas as pd

    from coursework.report.facts import ranges_apart, seed_table

    with pytest.raises(ValueError, match="finite"):
        ranges_apart((float("nan"), 0.1), (0.5, 0.6))
    names = ["colorizer_unet", "colorizer_unet_seed1", "colorizer_unet_seed2"]
    names += ["colorizer_unet_augment", "colorizer_unet_augment_seed1", "colorizer_unet_augment_seed2"]
    with pytest.raises(ValueError, match="finite"):
        seed_table(pd.Series([0.010, 0.011, 0.012, 0.005, float("nan"), float("nan")], index=names))
