"""Reproducers of hostile and unlucky input: nothing lost, nothing silently wrong, every bad file a clear error.

Each test names the failure it guards against: interrupted training and saves, data swapped under a checkpoint,
damaged image files, names that reach outside the models folder, side files that are truncated or missing, and models
of the wrong kind.
"""

from __future__ import annotations

import io
import json
import os
import struct
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
            kill_on_second(patch, Path, "write_text", lambda path, *_: path.name.startswith(".state."))
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


@pytest.mark.parametrize("name", ["../escaped", "/tmp/absolute", ""])
def test_store_names_cannot_escape_the_models_folder(tmp_path: Path, name: str) -> None:
    """Issue 21, item 10: "../escaped" wrote beside the folder, an absolute name ignored it, "" wrote ".keras"."""
    with pytest.raises(ValueError, match="is not an experiment name"):
        save_experiment(name, build_cae(), {"loss": [0.1]}, CAEConfig(), tmp_path / "models")
    with pytest.raises(ValueError, match="is not an experiment name"):
        colorize(np.zeros((8, 8), np.uint8), Ensemble((name or "/any/path/model",)))
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
        ("delete history", r"exp.history.json.*experiments exp --retrain"),
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


# --- 9: image files ---------------------------------------------------------------------------------------------


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def broken_png() -> bytes:
    """A valid PNG with 4 stray bytes inside its IDAT chunk (the chunk's CRC fixed up): PIL raised SyntaxError."""
    content = png_bytes(Image.fromarray(np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)))
    start = content.index(b"IDAT") - 4
    length = struct.unpack(">I", content[start : start + 4])[0]
    data = content[start + 8 : start + 8 + length]
    data = data[:10] + b"\x00\xff\x00\xff" + data[10:]
    chunk = struct.pack(">I", len(data)) + b"IDAT" + data + struct.pack(">I", zlib.crc32(b"IDAT" + data))
    return content[:start] + chunk + content[start + 12 + length :]


@pytest.mark.parametrize("content", [broken_png(), b"", b"GIF89a", b"\x89PNG\r\n"])
def test_every_undecodable_image_file_raises_value_error(tmp_path: Path, content: bytes) -> None:
    """Issue 21, item 9: SyntaxError, NotImplementedError and AttributeError came out of PIL."""
    from coursework.images import read_image

    (tmp_path / "bad.png").write_bytes(content)
    with pytest.raises(ValueError, match="cannot read an image from"):
        colorize(tmp_path / "bad.png", build_cae())
    with pytest.raises(ValueError, match="cannot read an image from the uploaded file"):
        read_image(io.BytesIO(content))


# --- more of the same kinds: configs and images the model cannot take ---------------------------------------------


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


# --- interrupted saves, once and twice over -----------------------------------------------------------------------


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


def loaded_tag(folder: Path) -> int | None:
    """The tag of the experiment in ``folder``, whose model, history and config must be of one save; None where the
    load is refused."""
    try:
        model, history, config = load_experiment("exp", CAEConfig, folder)
    except ValueError as error:
        assert "exp.config.json is missing" in str(error), error
        return None
    assert model == history["loss"][0] == config.seed, (model, history, config)
    return model


def test_saves_killed_at_any_step_once_or_twice_never_load_a_mixed_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Save 1; save 2 killed at one step; save 3 killed at another: what loads is one whole save, else a refusal."""
    import coursework.store as store

    monkeypatch.setattr(store, "load_model_file", lambda path: int(Path(path).read_text()))
    steps = 1
    while save_killed_at(steps, 2, tmp_path / "count"):  # the file operations of a save, killed at none
        steps += 1
    assert steps > 6  # three writes, the config's removal, three renames
    for first in range(1, steps + 1):
        for second in range(1, steps + 1):
            folder = tmp_path / f"{first}-{second}"
            save_experiment("exp", TaggedModel(1), {"loss": [1]}, CAEConfig(seed=1), folder)
            save_killed_at(first, 2, folder)
            if second == 1:
                assert loaded_tag(folder) in (1, 2, None)
            save_killed_at(second, 3, folder)
            assert loaded_tag(folder) in (1, 2, 3, None)
            save_experiment("exp", TaggedModel(4), {"loss": [4]}, CAEConfig(seed=4), folder)  # a whole save mends it
            assert loaded_tag(folder) == 4


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


def test_seed_ranges_and_pooled_seeds_refuse_unmeasured_values() -> None:
    """NaN compares as apart one way round only, and pandas skips it: neither may make a one-seed difference."""
    import pandas as pd

    from coursework.report.facts import ranges_apart, seed_table

    with pytest.raises(ValueError, match="finite"):
        ranges_apart((float("nan"), 0.1), (0.5, 0.6))
    names = ["colorizer_unet", "colorizer_unet_seed1", "colorizer_unet_seed2"]
    names += ["colorizer_unet_augment", "colorizer_unet_augment_seed1", "colorizer_unet_augment_seed2"]
    with pytest.raises(ValueError, match="finite"):
        seed_table(pd.Series([0.010, 0.011, 0.012, 0.005, float("nan"), float("nan")], index=names), rerun=0.05)
