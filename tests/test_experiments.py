"""Tests of the experiments' tables (coursework.experiments) on made-up results: no model is loaded or trained."""

import numpy as np
import pandas as pd
import pytest

from coursework import experiments


def test_seed_spread_summarises_each_experiment_over_its_seeds(monkeypatch) -> None:
    results = {"a": 1.0, "a_seed1": 2.0, "a_seed2": 3.0, "b": 5.0, "b_seed1": 5.0, "b_seed2": 5.0}
    asked = []

    def fake_evaluate(names, data, retrain=False):
        asked.append((names, retrain))
        table = pd.DataFrame({"test_mse": [results[name] for name in names]}, index=pd.Index(names, name="experiment"))
        return experiments.Evaluation(table, {})

    monkeypatch.setattr(experiments, "evaluate", fake_evaluate)
    table = experiments.seed_spread(data=None, names=("a", "b"), retrain=True)
    assert asked == [(["a", "a_seed1", "a_seed2"], True), (["b", "b_seed1", "b_seed2"], True)]
    assert table.index.tolist() == ["a", "b"] and table.index.name == "experiment"
    assert table.loc["a"].tolist() == [3, 2.0, 1.0, 1.0, 3.0]  # seeds, mean, std (n - 1), min, max
    assert table.loc["b", "std_test_mse"] == 0.0


def test_seed_spread_defaults_to_the_seeded_experiments() -> None:
    assert all(f"{name}_seed{seed}" in experiments.EXPERIMENTS for name in experiments.SEEDED for seed in (1, 2))


def test_reference_table_pairs_each_reference_result_with_ours() -> None:
    test_mse = {name: float(index) for index, name in enumerate(experiments.EXPERIMENTS)}
    table = experiments.reference_table(test_mse, best="study_one_pool_32_8")
    assert table.columns.tolist() == ["result", "reference", "ours", "our model"]
    assert len(table) == len(experiments.REFERENCE_RESULTS) + 1
    first = table.iloc[0]
    assert (first.reference, first.ours, first["our model"]) == (0.0045, test_mse["cae_base"], "cae_base")
    last = table.iloc[-1]
    assert np.isnan(last.reference) and last["our model"] == "study_one_pool_32_8"
    assert all(name in experiments.EXPERIMENTS for name in table["our model"])
    with pytest.raises(KeyError):
        experiments.reference_table({}, best="study_base")
