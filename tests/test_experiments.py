"""Tests of the experiment registry, loading (never training) and the training command line."""

import json
import zipfile
from dataclasses import replace

import keras
import pytest
from helpers import killing_at

from coursework.autoencoders import build_cae
from coursework.colorization import build_colorizer
from coursework.configs import CAEConfig
from coursework.experiments import REGISTRY, configurations, experiment, latent_sweep_name, names, runs, seeds_of
from coursework.experiments.__main__ import main
from coursework.experiments.registry import SEEDS, SWEEP_BASES, SWEEP_CHANNELS
from coursework.store import model_paths


def test_every_compared_configuration_has_three_seeds_differing_only_in_the_seed() -> None:
    for name, entry in REGISTRY.items():
        assert entry.name == name and entry.change
        assert entry.base is None or entry.base in REGISTRY
        assert sorted(REGISTRY[seed].config.seed for seed in seeds_of(name)) == list(SEEDS)
    for group in ("reference", "study", "long", "colorization"):
        firsts = names(group, seeds=False)
        assert names(group) == [seed for first in firsts for seed in seeds_of(first)]
    assert configurations(["study_base_seed2", "study_sgd", "study_base"]) == {
        "study_base": ["study_base_seed2", "study_base"],
        "study_sgd": ["study_sgd"],
    }


def test_each_study_configuration_changes_the_base_but_not_its_budget_seed_or_dataset() -> None:
    base = experiment("study_base").config
    for name in names("study", seeds=False):
        config = experiment(name).config
        changed = {field for field in vars(base) if getattr(config, field) != getattr(base, field)}
        assert name == "study_base" or changed, name
        assert not changed & {"epochs", "patience", "seed", "dataset"}, name


def test_each_group_labels_its_configurations_apart() -> None:
    for group in {entry.group for entry in REGISTRY.values()}:
        labels = [experiment(name).label for name in names(group, seeds=False)]
        assert len(set(labels)) == len(labels) and all(labels), group
    for name, entry in REGISTRY.items():
        assert {REGISTRY[seed].label for seed in seeds_of(name)} == {entry.label}, name


def test_the_colorization_path_changes_one_thing_per_step() -> None:
    steps = names("colorization", seeds=False)
    for before, after in zip(steps[:-1], steps[1:]):
        assert experiment(after).base == before
        first, second = experiment(before).config, experiment(after).config
        changed = {field for field in vars(first) if getattr(first, field) != getattr(second, field)}
        assert len(changed - {"filters"}) == 1, (before, after, changed)  # one change (a U-Net has its own filters)


@pytest.mark.parametrize("side", sorted(SWEEP_CHANNELS))
def test_the_sweeps_vary_only_the_latent_channels(side) -> None:
    base = experiment(SWEEP_BASES[side]).config
    for channels in SWEEP_CHANNELS[side]:
        for seed in SEEDS:
            config = experiment(latent_sweep_name(channels, seed, side)).config
            assert replace(config, filters=base.filters, seed=base.seed) == base
            assert config.filters == (*base.filters[:-1], channels) and config.seed == seed


def test_unknown_names_and_groups_name_the_closest_choices() -> None:
    with pytest.raises(ValueError, match="'cae_bse'.*cae_base"):
        experiment("cae_bse")
    with pytest.raises(ValueError, match="'studies'"):
        names("studies")


def test_load_never_trains_a_missing_or_changed_model(tmp_path, monkeypatch) -> None:
    from coursework import store

    monkeypatch.setattr(store, "MODELS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="python -m coursework.experiments cae_base`"):
        runs.load("cae_base")
    model = build_cae(filters=(2, 2))
    store.save_experiment("cae_base", model, {"loss": [1.0], "val_loss": [1.0]}, CAEConfig(epochs=3))
    with pytest.raises(ValueError, match="cae_base --retrain"):
        runs.load("cae_base")


def test_every_committed_config_is_its_registered_experiments() -> None:
    """Only the JSON is read: a changed default or registry entry is caught before any model loads."""
    from coursework.paths import MODELS_DIR
    from coursework.store import read_config

    names = [path.name.removesuffix(".config.json") for path in MODELS_DIR.glob("*.config.json")]
    stale = [name for name in names if read_config(name, type(experiment(name).config)) != experiment(name).config]
    assert names and stale == [], f"retrain them: python -m coursework.experiments {' '.join(sorted(stale))} --retrain"


def test_the_command_line_checks_every_name_before_loading_data(monkeypatch, capsys) -> None:
    import coursework.data

    monkeypatch.setattr(coursework.data, "split", lambda *a, **k: pytest.fail("data decoded before the check"))
    with pytest.raises(SystemExit) as stopped:
        main(["cae_base", "cae_bse", "--retrain"])
    assert stopped.value.code == 2
    assert "unknown experiment 'cae_bse'; did you mean cae_base" in capsys.readouterr().err
    main(["cae_base"])  # committed: nothing to train, no data needed
    assert "every experiment asked for is trained" in capsys.readouterr().out
    main(["--list"])
    assert "study_valid_padding" in capsys.readouterr().out


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> dict:
    """Models and data (checkpoints, the retrain state) in a temporary folder: the committed models and the
    data cache are never touched."""
    from coursework import store
    from coursework.experiments import __main__ as cli

    folders = {"models": tmp_path / "models", "data": tmp_path / "data"}
    folders["models"].mkdir()
    monkeypatch.setattr(store, "MODELS_DIR", folders["models"])
    for module in (runs, cli):
        monkeypatch.setattr(module, "DATA_DIR", folders["data"])
    return folders


def test_a_save_killed_at_any_step_resumes_from_the_kept_checkpoint_and_leaves_models_clean(
    scratch, monkeypatch
) -> None:
    """The checkpoint was deleted inside fit(), before the save: a kill while saving lost the whole training."""
    import os
    from pathlib import Path
    from types import SimpleNamespace

    import keras
    import numpy as np

    import coursework.training as training
    from coursework.checkpoint import epochs_done

    config = CAEConfig(filters=(2, 2), epochs=2, batch_size=16)
    monkeypatch.setattr(runs, "experiment", lambda name: SimpleNamespace(config=config))
    images = np.random.default_rng(0).integers(0, 256, (32, 32, 32, 3), dtype=np.uint8)
    data = SimpleNamespace(x_train=images, x_val=images[:8])
    epochs = []

    class CountEpochs(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            epochs.append(epoch)

    monkeypatch.setattr(training, "EpochLine", CountEpochs)
    save, step = runs.save_experiment, 0

    def save_killed_at_step(*args, **kwargs) -> None:
        calls: list[int] = []
        dying = killing_at(step, calls)
        with monkeypatch.context() as patch:
            for owner, name in ((os, "replace"), (Path, "write_text"), (Path, "unlink"), (keras.Model, "save")):
                patch.setattr(owner, name, dying(getattr(owner, name)))
            save(*args, **kwargs)
        if len(calls) >= step:  # the save had a step-th operation, and was killed there
            raise KeyboardInterrupt

    monkeypatch.setattr(runs, "save_experiment", save_killed_at_step)
    while True:
        step += 1
        try:
            runs.train("exp", data, verbose=True)
            break
        except KeyboardInterrupt:
            assert epochs_done(runs.checkpoint_dir("exp")) == 2  # kept: a rerun trains nothing again
    assert step > 8 and epochs == [0, 1]  # killed at each of the save's steps, yet the epochs were trained once
    assert not runs.checkpoint_dir("exp").exists()  # removed once saved
    assert sorted(path.name for path in scratch["models"].glob("[!.]*")) == [
        "exp.config.json",
        "exp.history.json",
        "exp.keras",
    ]


def test_a_retrain_interrupted_and_run_again_trains_each_model_once_with_progress(scratch, monkeypatch, capsys) -> None:
    import json

    import coursework.data

    first, second = list(REGISTRY)[:2]
    monkeypatch.setattr(coursework.data, "split", lambda dataset, source: "the split")
    trained = []

    def train(name: str, data: str) -> None:
        trained.append(name)
        if trained == [first, second]:  # Ctrl-C in the second model's fourth epoch
            runs.checkpoint_dir(name).mkdir(parents=True)
            (runs.checkpoint_dir(name) / "state.json").write_text(json.dumps({"epoch": 3}))
            raise KeyboardInterrupt

    monkeypatch.setattr(runs, "train", train)
    with pytest.raises(SystemExit) as stopped:
        main([first, second, "--retrain"])
    assert stopped.value.code == 130
    out, err = capsys.readouterr()
    assert err == f"{second}: interrupted after epoch 3; run the same command to resume\n"
    assert f"[1/2] {first} (0 h 00 min so far)" in out and f"[2/2] {second}" in out
    main([first, second, "--retrain"])  # the same command again
    assert trained == [first, second, second]  # the first model is not retrained; the second resumes
    out = capsys.readouterr().out
    assert f"1 of 2 already retrained ({first})" in out and f"[1/2] {first}" not in out and f"[2/2] {second}" in out
    assert not (scratch["data"] / "retrain.json").exists()  # the retrain is complete: the next one starts afresh


ARCHITECTURE_KEYS = ("filters", "kernel_size", "strides", "padding", "activation", "pool_size", "size", "cropping")


def layer_signature(layers: list[dict]) -> list[tuple]:
    """Each layer's class and the settings that shape it, from Keras' serialised layer list."""
    return [
        (layer["class_name"], {key: layer["config"][key] for key in ARCHITECTURE_KEYS if key in layer["config"]})
        for layer in layers
    ]


def test_every_committed_model_has_the_layers_its_config_builds_today() -> None:
    """A change inside build_cae or build_colorizer (an activation, a layer) makes the committed models stale even
    though their configs still match the registry: this names them."""
    stale = []
    for name, entry in REGISTRY.items():
        with zipfile.ZipFile(model_paths(name)["model"]) as archive:
            saved = json.loads(archive.read("config.json"))["config"]["layers"]
        config = entry.config
        built = build_cae(**config.build_kwargs()) if isinstance(config, CAEConfig) else build_colorizer(config)
        serialised = json.loads(json.dumps(keras.saving.serialize_keras_object(built)))["config"]["layers"]
        if layer_signature(saved) != layer_signature(serialised):
            stale.append(name)
    assert not stale, f"committed models whose layers differ from what their config builds now: {stale}"
