"""Tests of the report layer: the one rule for a difference, its verdict tables, and how tables are printed."""

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from coursework.color import split_luma_chroma
from coursework.evaluation.latent import LatentSweep
from coursework.report import facts, tables


def test_readable_formats_and_renames_the_columns_it_shows() -> None:
    table = pd.DataFrame(
        {"latent_values": [1024, 2048], "test_mse": [0.004213, np.nan], "factor": [1.094, 1.4], "model": ["a", "b"]},
        index=pd.Index(["a", "b"], name="experiment"),
    )
    text = tables.readable(table, ["test_mse", "latent_values"])
    assert text.columns.tolist() == ["test MSE", "latent values"]
    assert text.loc["a"].tolist() == ["0.00421", "1,024"] and text.loc["b", "test MSE"] == "-"
    assert tables.readable(table).loc["a", "official / JPEG"] == "1.09x"
    assert tables.readable(table).loc["b", "model"] == "b"  # text passes through
    with pytest.raises(ValueError, match="no heading and format"):
        tables.readable(pd.DataFrame({"bogus": [1]}))
    with pytest.raises(ValueError, match="no columns"):
        tables.readable(table, ["nope"])


def test_the_rule_is_ranges_apart_with_three_seeds_each_side() -> None:
    assert facts.ranges_apart([1, 2, 3], [3.5, 4, 5]) and facts.ranges_apart([3.5, 4, 5], [1, 2, 3])
    assert not facts.ranges_apart([1, 2, 3], [3, 4, 5])  # touching ranges overlap
    assert facts.verdict([1, 2, 3], [4, 5, 6], rerun=0.05) == "lower"
    assert facts.verdict([7, 8, 9], [4, 5, 6], rerun=0.05) == "higher"
    assert facts.verdict([1, 5, 9], [4, 5, 6], rerun=0.05) == "not detected"
    with pytest.raises(ValueError, match=">= 3 seeds"):
        facts.verdict([1, 2], [4, 5, 6], rerun=0.05)
    assert facts.gap([1, 2, 3], [4, 5, 6]) == pytest.approx(1 / 3)  # 4 / 3 - 1
    assert facts.verdict([100, 101, 102], [103, 104, 105], rerun=0.05) == "not detected"
    assert facts.verdict([103, 104, 105], [100, 101, 102], rerun=0.05) == "not detected"
    assert facts.verdict([100, 101, 102], [113, 114, 115], rerun=0.05) == "lower"
    # 1.2 / 1.0: values moved by 10 % each way (1.1 and 1.2 / 1.1 = 1.09) cross; by 9 % they do not
    assert facts.verdict([0.9, 0.95, 1.0], [1.2, 1.3, 1.4], rerun=0.1) == "not detected"
    assert facts.verdict([0.9, 0.95, 1.0], [1.2, 1.3, 1.4], rerun=0.09) == "lower"
    with pytest.raises(ValueError, match="finite"):
        facts.ranges_apart([1, float("nan")], [2, 3])


def test_seed_table_pools_the_registered_seeds_and_compares_each_with_its_base() -> None:
    values = pd.Series(
        {
            "study_base": 4.0,
            "study_base_seed1": 4.2,
            "study_base_seed2": 3.8,
            "study_kernel5": 3.0,
            "study_kernel5_seed1": 3.2,
            "study_kernel5_seed2": 3.4,
            "study_sgd": 9.0,
            "study_sgd_seed1": 4.1,
            "study_sgd_seed2": 11.0,
        }
    )
    table = facts.seed_table(values, rerun=0.05)  # bases from the registry: both variants' base is study_base
    assert table.index.tolist() == ["study_base", "study_kernel5", "study_sgd"]
    assert table.seeds.tolist() == [3, 3, 3]
    assert table.loc["study_kernel5", ["mean", "lowest", "highest"]].tolist() == pytest.approx([3.2, 3.0, 3.4])
    assert table.verdict.tolist() == ["base", "lower", "not detected"]
    assert table.vs_base["study_kernel5"] == pytest.approx(3.2 / 4.0)
    with pytest.raises(ValueError, match=">= 3 seeds"):
        facts.seed_table(values.drop(["study_kernel5_seed1"]), rerun=0.05)
    assert facts.seed_table(values, bases={}, rerun=0.05).verdict.tolist() == ["base"] * 3


def test_step_verdicts_compare_each_group_with_the_one_before() -> None:
    runs = pd.DataFrame(
        {"channels": [2, 2, 2, 1, 1, 1, 4, 4, 4], "best_val_mse": [5, 6, 7, 9, 10, 11, 5.5, 6, 6.5], "older": True},
    )
    steps = facts.step_verdicts(runs, "channels", "best_val_mse", rerun=0.05)
    assert steps.index.tolist() == [1, 2, 4]
    assert steps.tolist() == ["-", "lower", "not detected"]
    runs.loc[runs.channels == 1, "best_val_mse"] = [7.5, 8, 9]  # a gap of 7.5 / 7: over 1.05, under 1.05^2
    assert facts.step_verdicts(runs, "channels", "best_val_mse", rerun=0.05)[2] == "not detected"
    runs.older = runs.channels != 1  # now only one side has an older run
    assert facts.step_verdicts(runs, "channels", "best_val_mse", rerun=0.05)[2] == "lower"


def test_chance_of_difference_counts_the_splits_whose_ranges_are_apart() -> None:
    values = range(6)  # six distinct values from one distribution: every split into 3 + 3 is equally likely
    splits = [(first, [value for value in values if value not in first]) for first in combinations(values, 3)]
    apart = sum(facts.ranges_apart(first, second) for first, second in splits)
    assert facts.chance_of_difference(3) == pytest.approx(apart / len(splits)) == pytest.approx(0.1)


def test_bootstrap_interval_holds_the_ratio_of_means_and_narrows_with_more_images() -> None:
    rng = np.random.default_rng(1)
    values, reference = rng.uniform(1, 3, 400), rng.uniform(2, 6, 400)
    low, high = facts.bootstrap_interval(values, reference)
    assert low < values.mean() / reference.mean() < high
    few = facts.bootstrap_interval(values[:40], reference[:40])
    assert few[1] - few[0] > high - low
    assert facts.bootstrap_interval(np.full(5, 2.0)).tolist() == [2.0, 2.0]
    with pytest.raises(ValueError, match="equal 1-d arrays"):
        facts.bootstrap_interval(values, reference[:3])


def test_a_target_is_decided_only_when_the_interval_leaves_it_out() -> None:
    assert facts.against_target([0.5, 0.6], 0.7, at_most=True) == "met"
    assert facts.against_target([0.75, 0.8], 0.7, at_most=True) == "missed"
    assert facts.against_target([0.55, 0.58], 0.6, at_most=False) == "missed"
    assert facts.against_target([0.61, 0.65], 0.6, at_most=False) == "met"
    assert facts.against_target([0.58, 0.62], 0.6, at_most=False) == "not decided"


def test_color_targets_of_the_true_colours_meet_both_targets() -> None:
    images = np.random.default_rng(0).integers(0, 256, (20, 8, 8, 3), dtype=np.uint8)
    _, truth = split_luma_chroma(images)
    targets = facts.color_targets(truth, images, images)
    assert targets.result.tolist() == ["met", "met"]
    assert targets.ratio.tolist() == pytest.approx([0.0, 1.0], abs=1e-6)


def test_equal_size_sets_the_two_layouts_side_by_side_where_their_sizes_meet() -> None:
    def arm(side: int, channels: list[int], errors: list[float], parameters: int) -> LatentSweep:
        runs = pd.DataFrame(
            [
                {
                    "channels": c,
                    "seed": s,
                    "latent_values": side * side * c,
                    "best_val_mse": e + s,
                    "parameters": parameters,
                    "older": True,
                }
                for c, e in zip(channels, errors)
                for s in range(3)
            ]
        )
        return LatentSweep(runs, pd.DataFrame())

    table = facts.equal_size({8: arm(8, [4, 8], [10.0, 20.0], 300), 16: arm(16, [1, 2], [40.0, 5.0], 100)}, rerun=0.05)
    assert table.index.tolist() == ["16x16x1 against 8x8x4", "16x16x2 against 8x8x8"]
    assert table.ratio.tolist() == pytest.approx([41 / 11, 6 / 21])
    assert table.verdict.tolist() == ["higher", "lower"] and table.params.iloc[0] == "100 against 300"


def test_seed_table_allows_for_a_rerun_only_on_sides_with_a_run_of_the_older_pipeline(monkeypatch) -> None:
    values = pd.Series(
        {
            "study_base": 1.00,
            "study_base_seed1": 1.01,
            "study_base_seed2": 1.02,
            "study_kernel5": 0.95,
            "study_kernel5_seed1": 0.96,
            "study_kernel5_seed2": 0.97,
        }
    )
    monkeypatch.setattr(facts, "older_pipeline", lambda name: False)  # every run repeats exactly
    assert facts.seed_table(values, rerun=0.05).verdict["study_kernel5"] == "lower"
    monkeypatch.setattr(facts, "older_pipeline", lambda name: name == "study_base_seed2")
    assert facts.seed_table(values, rerun=0.05).verdict["study_kernel5"] == "not detected"
