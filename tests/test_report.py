"""Tests of the report layer: table formats, the facts the answers state, and the sentences made from them."""

import sys

import numpy as np
import pandas as pd
import pytest
from test_evaluation import synthetic_sweep_runs, tradeoff_like

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


def colour_like() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "chroma_mse": [0.003, 0.0028, 0.0027, 0.0022, 0.0025],
            "vs_mean_chroma": [1.07, 1.0, 0.96, 0.8, 0.9],
            "vs_truth": [0.0, 0.11, 0.3, 0.5, 0.2],
            "rgb_psnr_db": [22.1, 22.4, 22.6, 23.4, 22.9],
        },
        index=["no colour", "mean chroma", "colorizer_rgb", "colorizer_unet_mse", "colorizer_chroma_32_8"],
    )


def test_answers_quote_the_facts_they_are_given() -> None:
    study = study_like_table()
    stride = pd.DataFrame(
        {"latent": ["8x8x16"], "latent_values": [1024], "epochs": [10], "test_mse": [0.0042]},
        index=pd.Index(["cae_base"], name="experiment"),
    )
    official = pd.DataFrame(
        {"jpeg_mse": [0.0041, 0.0009], "official_mse": [0.0045, 0.0012]}, index=["cae_base", "study_one_pool_ref"]
    )
    sweep = latent.summarise_latent_sweep(synthetic_sweep_runs({1: [0.01, 0.011], 2: [0.006, 0.0062]}))
    arch = facts.architecture_facts(stride, study, "study_one_pool_ref", -0.69, {8: sweep, 16: sweep})
    assert arch["variants"] == 2 and arch["compound"] == 1 and arch["monotonic"]
    assert arch["effects"].to_dict() == {"study_stride2_latent": 2.0}
    tradeoff = tradeoff_like([("colorizer_unet_mse", np.nan, 0.80, 0.50), ("colorizer", 0.5, 0.85, 0.70)])
    confirmed = pd.DataFrame({"vs_mean_chroma": [0.84], "vs_truth": [0.65]}, index=["test split"])
    colour = facts.colour_facts(colour_like(), tradeoff, tradeoff.iloc[1], confirmed)
    assert colour["reached"] == [] and colour["closest_first"] == "colorizer_unet_mse"
    assert colour["settings_meeting"] == 0 and colour["confirmed_meeting"] == 0
    arch["effects"] = arch["effects"].rename(index=study.change)
    text = answers_02.answers(arch, colour, official)
    for expected in ("**Ex. 1.**", "**Ex. 2.**", "**Ex. 3.**", "0.0042", "0.0045", "8x8x16 = 1024", "r = -0.69"):
        assert expected in text
    assert "(16x16x16, validation MSE 0.0010; compound: two things); its test MSE is 0.0011" in text
    assert "stride 2 at the latent 2.00x" in text and "not reached by any model" in text
    assert "`colorizer_unet_mse` (0.80x, colourfulness 0.50x); no setting(s) meet" in text
    assert "is `colorizer` at T = 0.5; measured once on held-out data: test split 0.84x and 0.65x." in text
    assert "official" not in answers_02.answers(arch, colour, None)


def test_sweep_verdict_words_the_trend_the_spread_and_a_stray_seed() -> None:
    runs = synthetic_sweep_runs({1: [0.010, 0.0101, 0.0099], 2: [0.006, 0.0061, 0.009], 4: [0.004, 0.0041, 0.0040]})
    sweep = latent.summarise_latent_sweep(runs)
    verdict = answers_02.sweep_verdict(sweep, latent.sweep_facts(sweep))
    assert verdict.startswith("**Controlled, 8x8xC: yes.**")
    assert "falls from 0.0100 at 64 latent values to 0.0040 at 256" in verdict
    assert "every doubling of the channels lowers the median, by 34% to 39%" in verdict
    assert "Apart from C = 2, seed 2 (0.0090, none dead), far from its size's median" in verdict
    assert "each step of the medians is larger than the agreeing seeds' spread at its two sizes" in verdict


def test_layout_sentence_names_the_winner_at_each_shared_size() -> None:
    narrow = latent.summarise_latent_sweep(synthetic_sweep_runs({4: [0.008, 0.008], 8: [0.005, 0.005]}))
    wide = latent.summarise_latent_sweep(synthetic_sweep_runs({1: [0.006, 0.006], 2: [0.004, 0.004]}, side=16))
    text = answers_02.layout_sentence(latent.layout_comparison({8: narrow, 16: wide}))
    assert "256 values: 8x8x4 0.0080, 16x16x1 0.0060 (0.75x)" in text
    assert "at every shared size the 16x16 layout (more positions, fewer channels) has the lower median" in text
    mixed = latent.summarise_latent_sweep(synthetic_sweep_runs({1: [0.009, 0.009], 2: [0.004, 0.004]}, side=16))
    assert "lower median at 512 shared sizes, the 8x8 layout at 256" in answers_02.layout_sentence(
        latent.layout_comparison({8: narrow, 16: mixed})
    )
