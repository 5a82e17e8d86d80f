"""Tests of the experiment registry, loading (never training) and the training command line."""

from dataclasses import replace

import pytest

from coursework import experiments
from coursework.autoencoders import CAEConfig
from coursework.experiments import REGISTRY, configurations, experiment, latent_sweep_name, names, seeds_of
from coursework.experiments.__main__ import main
from coursework.experiments.registry import SEEDS, SWEEP_CHANNELS


def test_every_compared_configuration_has_three_seeds_differing_only_in_the_seed() -> None:
    for name, entry in REGISTRY.items():
        assert entry.name == name and entry.change
        assert entry.base is None or entry.base in REGISTRY
        seeds = seeds_of(name)
        if entry.group != "long":  # the longer budget is a check of seed 0, not a comparison
            assert sorted(REGISTRY[seed].config.seed for seed in seeds) == list(SEEDS)
    for group in ("reference", "study", "colorization"):
        firsts = names(group, seeds=False)
        assert names(group) == [seed for first in firsts for seed in seeds_of(first)]
    assert configurations(["study_base_seed2", "study_sgd", "study_base"]) == {
        "study_base": ["study_base_seed2", "study_base"],
        "study_sgd": ["study_sgd"],
    }


def test_each_study_change_is_one_change_from_the_base() -> None:
    base = experiment("study_base").config
    for name in names("study", seeds=False):
        config = experiment(name).config
        changed = {field for field in vars(base) if getattr(config, field) != getattr(base, field)}
        assert name == "study_base" or changed, name
        assert changed <= {
            "strides",
            "filters",
            "kernel_size",
            "padding",
            "output_activation",
            "optimizer",
            "learning_rate",
        }


def test_the_colorization_path_changes_one_thing_per_step() -> None:
    steps = names("colorization", seeds=False)
    for before, after in zip(steps[:-1], steps[1:]):
        assert experiment(after).base == before
        first, second = experiment(before).config, experiment(after).config
        changed = {field for field in vars(first) if getattr(first, field) != getattr(second, field)}
        assert changed in ({"target"}, {"architecture", "filters"}, {"augment"}), (before, after, changed)


@pytest.mark.parametrize("side", sorted(SWEEP_CHANNELS))
def test_the_sweeps_vary_only_the_latent_channels(side) -> None:
    base = experiment({8: "study_base", 16: "study_one_pool"}[side]).config
    for channels in SWEEP_CHANNELS[side]:
        for seed in SEEDS:
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
