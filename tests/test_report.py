"""Tests of the report layer: table formats, the facts the answers state, and the sentences made from them."""

import sys

import numpy as np
import pandas as pd
import pytest
from test_evaluation import synthetic_sweep_runs

from coursework.autoencoders import build_cae
from coursework.evaluation import latent
from coursework.experiments import Trained, experiment
from coursework.paths import REPO_ROOT
from coursework.report import facts, tables

sys.path.insert(0, str(REPO_ROOT / "notebooks"))
import answers_02  # noqa: E402  (beside the notebook it words)


def study_like_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "changes": ["base", "one", "compound"],
            "change": ["reference architecture", "stride 2 at the latent", "two things"],
            "latent": ["8x8x16", "4x4x16", "16x16x16"],
            "latent_values": [1024, 256, 4096],
            "best_val_mse": [0.004, 0.008, 0.001],
            "test_mse": [0.0041, 0.0079, 0.0011],
            "epochs": [20, 20, 20],
            "best_epoch": [20, 19, 18],
        },
        index=pd.Index(["study_base", "study_stride2_latent", "study_one_pool_ref"], name="experiment"),
    )


def test_readable_formats_and_renames_the_columns_it_shows() -> None:
    table = pd.DataFrame(
        {"latent_values": [1024, 2048], "test_mse": [0.00421, np.nan], "factor": [1.094, 1.4], "model": ["a", "b"]},
        index=pd.Index(["a", "b"], name="experiment"),
    )
    text = tables.readable(table, ["test_mse", "latent_values"])
    assert text.columns.tolist() == ["test MSE", "latent values"]
    assert text.loc["a"].tolist() == ["0.0042", "1,024"] and text.loc["b", "test MSE"] == "-"
    assert tables.readable(table).loc["a", "official / JPEG"] == "1.09x"
    assert tables.readable(table).loc["b", "model"] == "b"  # text passes through
    with pytest.raises(ValueError, match="no heading and format"):
        tables.readable(pd.DataFrame({"bogus": [1]}))
    with pytest.raises(ValueError, match="a list of column names"):
        tables.readable(pd.DataFrame({"test_mse": [1.0]}), "test_mse")


def test_study_summary_prints_a_line_per_experiment_with_the_ratio_to_the_base() -> None:
    lines = tables.study_summary(study_like_table()).splitlines()
    assert len(lines) == 5
    assert "compound" in lines[3] and "NO" in lines[3] and "0.25x" in lines[3] and "    20   18 " in lines[3]
    assert "2.00x" in lines[2] and "1.00x" in lines[1]
    assert lines[4] == "study_one_pool_ref: compound: two things"


def test_colorizer_summary_has_one_row_per_model() -> None:
    history = {"loss": [0.3, 0.2, 0.25], "val_loss": [0.4, 0.1, 0.2]}
    model = build_cae(filters=(2, 2))
    table = tables.colorizer_summary({"a": Trained(model, history, experiment("colorizer_base").config)})
    assert table.loc["a"].tolist() == [f"{model.count_params():,}", "3 of 20", "chroma MSE", "0.1000", 2]


def test_ranges_apart_is_the_rule_for_a_difference() -> None:
    assert facts.ranges_apart((0.1, 0.2), (0.3, 0.4)) and facts.ranges_apart((0.4, 0.3), (0.2, 0.1))
    assert not facts.ranges_apart((0.1, 0.3), (0.2, 0.4))
    assert not facts.ranges_apart((0.1, 0.2), (0.2, 0.3))  # touching ranges overlap
    table = pd.DataFrame({"min_val_mse": [0.010, 0.005, 0.0045], "max_val_mse": [0.011, 0.009, 0.0050]})
    assert facts.sweep_steps_apart(table).tolist() == [True, False]


def test_layouts_apart_compares_the_seed_ranges_at_each_shared_size() -> None:
    narrow = latent.summarise_latent_sweep(synthetic_sweep_runs({4: [0.008, 0.009], 8: [0.005, 0.006]}))
    wide = latent.summarise_latent_sweep(synthetic_sweep_runs({1: [0.006, 0.0085], 2: [0.003, 0.004]}, side=16))
    assert facts.layouts_apart({8: narrow, 16: wide}).to_dict() == {256: False, 512: True}


def test_seed_groups_pool_the_registered_seeds_of_one_config() -> None:
    groups = facts.seed_groups(["colorizer_unet_mse", "colorizer_unet_mse_seed1", "colorizer_unet_global"])
    assert groups == {
        "colorizer_unet_mse": ["colorizer_unet_mse", "colorizer_unet_mse_seed1"],
        "colorizer_unet_global": ["colorizer_unet_global"],
    }


def seeded_ablation_like(augment: list[float] | None = None) -> pd.DataFrame:
    control = ["colorizer_unet_mse_cap30", "colorizer_unet_mse_cap30_seed1", "colorizer_unet_mse_cap30_seed2"]
    augmented = ["colorizer_unet_augment", "colorizer_unet_augment_seed1", "colorizer_unet_augment_seed2"]
    mse = dict(zip(control, [0.00250, 0.00246, 0.00248])) | dict(zip(augmented, augment or [0.00240, 0.00242, 0.00244]))
    mse |= {"colorizer_unet_global": 0.00247, "colorizer_classes_global_augment": 0.00238}
    ablation = pd.DataFrame(
        {"vs_mean_chroma": [value / 0.0031 for value in mse.values()], "vs_truth": 0.5}, index=list(mse)
    )
    return facts.seeded_ablation(ablation, pd.Series(mse), "colorizer_unet_mse_cap30")


def test_seeded_ablation_pools_seeds_and_applies_the_rule() -> None:
    pooled = seeded_ablation_like()
    assert pooled.index.tolist() == [
        "colorizer_unet_mse_cap30",
        "colorizer_unet_augment",
        "colorizer_unet_global",
        "colorizer_classes_global_augment",
    ]
    assert pooled.seeds.tolist() == [3, 3, 1, 1]
    assert pooled.chroma_mse["colorizer_unet_mse_cap30"] == pytest.approx(0.00248)
    assert pooled.vs_control["colorizer_unet_augment"] == pytest.approx(0.00242 / 0.00248)
    assert pooled.verdict.tolist() == ["control", "difference", "inside control range", "outside control range"]
    assert (
        seeded_ablation_like(augment=[0.00245, 0.00247, 0.00249]).verdict["colorizer_unet_augment"] == "no difference"
    )
    with pytest.raises(ValueError, match="control"):
        facts.seeded_ablation(pooled, pooled.chroma_mse, "colorizer_unet_mse")


def test_ablation_table_and_verdict_word_each_model_by_the_rule() -> None:
    pooled = seeded_ablation_like()
    labels = {"colorizer_unet_mse_cap30": "control", "colorizer_unet_augment": "augmented"}
    table = answers_02.ablation_table(pooled, labels)
    assert table.columns.tolist() == [
        "seeds",
        "chroma MSE",
        "seed range",
        "vs control",
        "vs mean chroma",
        "colour vs truth",
        "by the rule",
    ]
    assert table.loc["control"].tolist()[:4] == ["3", "0.00248", "0.00246\u20130.00250", "1.000x"]
    assert table.loc["colorizer_unet_global", "seed range"] == "-"
    assert table.loc["augmented", "by the rule"] == "ranges apart: a difference"
    text = answers_02.ablation_verdict(pooled, labels)
    assert text.startswith("**By the rule.** The control's 3 seeds span 0.00246\u20130.00250 (1.6% of their mean).")
    assert (
        "*augmented* (3 seeds): 0.00242 (0.976x the control), range 0.00240\u20130.00244; its range lies apart" in text
    )
    assert "One seed, inside the control's range: *colorizer_unet_global* (reported, not findings)." in text
    assert "One seed, outside the control's range: *colorizer_classes_global_augment*" in text


def test_sweep_verdict_words_the_trend_the_rule_and_a_stray_seed() -> None:
    runs = synthetic_sweep_runs({1: [0.010, 0.0101, 0.0099], 2: [0.006, 0.0061, 0.009], 4: [0.004, 0.0041, 0.0040]})
    sweep = latent.summarise_latent_sweep(runs)
    verdict = answers_02.sweep_verdict(sweep, latent.sweep_facts(sweep))
    assert verdict.startswith("**Controlled, 8x8xC: yes.** 3 sizes x 3 seeds:")
    assert "falls from 0.0100 (64 values) to 0.0040 (256)" in verdict
    assert "each doubling of C lowers it by 34% to 39%" in verdict
    assert "at all 2 doublings the seed ranges are apart" in verdict
    assert "Far from their size's median: C = 2, seed 2: 0.0090." in verdict
    assert "Log-log r of the medians = \u2212" in verdict  # a typographic minus, never read as a range's dash
    assert "Parameters" not in verdict
    close = synthetic_sweep_runs({1: [0.010, 0.008], 2: [0.0085, 0.007]}).assign(parameters=[10, 10, 20, 20])
    verdict = answers_02.sweep_verdict(
        latent.summarise_latent_sweep(close), latent.sweep_facts(latent.summarise_latent_sweep(close))
    )
    assert "the seed ranges overlap at C = 1->2: no difference there" in verdict and "Parameters: 10 to 20." in verdict


def test_layout_sentence_names_the_winner_at_each_shared_size() -> None:
    narrow = latent.summarise_latent_sweep(synthetic_sweep_runs({4: [0.008, 0.008], 8: [0.005, 0.005]}))
    wide = latent.summarise_latent_sweep(synthetic_sweep_runs({1: [0.006, 0.006], 2: [0.004, 0.004]}, side=16))
    text = answers_02.layout_sentence(latent.layout_comparison({8: narrow, 16: wide}))
    assert "256 values: 8x8x4 0.0080, 16x16x1 0.0060 (0.75x)" in text
    assert "at every shared size the 16x16 layout (more positions, fewer channels) has the lower median" in text
    mixed = latent.summarise_latent_sweep(synthetic_sweep_runs({1: [0.009, 0.009], 2: [0.004, 0.004]}, side=16))
    assert "lower median at 512 values, the 8x8 layout at 256" in answers_02.layout_sentence(
        latent.layout_comparison({8: narrow, 16: mixed})
    )
    apart = facts.layouts_apart({8: narrow, 16: wide})
    assert "the seed ranges are apart at every shared size" in answers_02.layout_sentence(
        latent.layout_comparison({8: narrow, 16: wide}), apart
    )
    overlap = apart.copy()
    overlap[:] = False
    assert "at 256, 512 values the seed ranges overlap: no difference there by our rule" in answers_02.layout_sentence(
        latent.layout_comparison({8: narrow, 16: wide}), overlap
    )
