"""Tests of the experiment registry, loading (never training) and the training command line."""

from dataclasses import replace

import pytest

from coursework import experiments
from coursework.autoencoders import CAEConfig
from coursework.experiments import REGISTRY, experiment, latent_sweep_name, names
from coursework.experiments.__main__ import main
from coursework.experiments.registry import LATENT_SEEDS, SEEDED, SWEEP_CHANNELS


def test_every_experiment_is_one_record_with_a_known_base_and_a_unique_label() -> None:
    for name, entry in REGISTRY.items():
        assert entry.name == name and entry.change
        assert entry.base is None or entry.base in REGISTRY
        assert not entry.compound or entry.base is not None
    labels = [REGISTRY[name].short_label for name in names("colorizer") + names("ablation")]
    assert len(set(labels)) == len(labels)
    assert experiment("study_valid_padding").kind == "compound" and experiment("study_kernel5").kind == "one"
    assert experiment("study_base").kind == "base"


def test_the_seeded_experiments_have_their_extra_seeds() -> None:
    assert all(f"{name}_seed{seed}" in REGISTRY for name in SEEDED for seed in (1, 2))


@pytest.mark.parametrize("side", sorted(SWEEP_CHANNELS))
def test_the_sweeps_vary_only_the_latent_channels(side) -> None:
    base = experiment({8: "study_base", 16: "study_one_pool"}[side]).config
    for channels in SWEEP_CHANNELS[side]:
        for seed in LATENT_SEEDS:
            config = experiment(latent_sweep_name(channels, seed, side)).config
            assert replace(config, filters=base.filters, seed=base.seed) == base
            assert config.filters == (*base.filters[:-1], channels) and config.seed == seed


def test_unknown_names_and_groups_name_the_closest_choices() -> None:
    with pytest.raises(ValueError, match="unknown experiment 'cae_bse'; did you mean cae_base"):
        experiment("cae_bse")
    with pytest.raises(ValueError, match="no experiment group 'studies'"):
        names("studies")


def test_load_never_trains_a_missing_or_changed_model(tmp_path, monkeypatch) -> None:
    from coursework import store

    monkeypatch.setattr(store, "MODELS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="not trained yet.*python -m coursework.experiments cae_base`"):
        experiments.load("cae_base")
    model = __import__("coursework.autoencoders", fromlist=["build_cae"]).build_cae(filters=(2, 2))
    store.save_experiment("cae_base", model, {"loss": [1.0], "val_loss": [1.0]}, CAEConfig(epochs=3))
    with pytest.raises(ValueError, match="registry now says.*cae_base --retrain"):
        experiments.load("cae_base")


def test_the_command_line_checks_every_name_before_loading_data(monkeypatch, capsys) -> None:
    import coursework.data

    monkeypatch.setattr(coursework.data, "cifar_split", lambda *a, **k: pytest.fail("data decoded before the check"))
    with pytest.raises(SystemExit) as stopped:
        main(["cae_base", "cae_bse", "--retrain"])
    assert stopped.value.code == 2
    assert "unknown experiment 'cae_bse'; did you mean cae_base" in capsys.readouterr().err
    main(["cae_base"])  # committed: nothing to train, no data needed
    assert "every experiment asked for is trained" in capsys.readouterr().out
    main(["--list"])
    assert "study_valid_padding" in capsys.readouterr().out
