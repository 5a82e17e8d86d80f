"""Tests of the experiments' tables (coursework.experiments) on made-up results: no model is loaded or trained."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from coursework import experiments


def test_seed_spread_summarises_each_experiment_over_its_seeds(monkeypatch) -> None:
    results = {"a": 1.0, "a_seed1": 2.0, "a_seed2": 3.0, "b": 5.0, "b_seed1": 5.0, "b_seed2": 5.0}
    asked = []

    def fake_evaluate(names, data, retrain=False):
        asked.append((names, retrain))
        errors = [results[name] for name in names]
        table = pd.DataFrame(
            {"best_val_mse": [2 * error for error in errors], "test_mse": errors},
            index=pd.Index(names, name="experiment"),
        )
        return experiments.Evaluation(table, {})

    monkeypatch.setattr(experiments, "evaluate", fake_evaluate)
    table = experiments.seed_spread(data=None, names=("a", "b"), retrain=True)
    assert asked == [(["a", "a_seed1", "a_seed2"], True), (["b", "b_seed1", "b_seed2"], True)]
    assert table.index.tolist() == ["a", "b"] and table.index.name == "experiment"
    assert table.loc["a"].tolist() == [3, 4.0, 2.0, 2.0, 1.0, 1.0, 3.0]  # seeds, val and test mean/std (n - 1), range
    assert table.loc["b", "std_test_mse"] == 0.0


def test_seed_spread_defaults_to_the_seeded_experiments() -> None:
    assert all(f"{name}_seed{seed}" in experiments.EXPERIMENTS for name in experiments.SEEDED for seed in (1, 2))


def test_reference_table_pairs_each_reference_result_with_ours() -> None:
    test_mse = {name: float(index) for index, name in enumerate(experiments.EXPERIMENTS)}
    table = experiments.reference_table(test_mse, best="study_one_pool_32_8")
    assert table.columns.tolist() == ["result", "reference", "ours, test split", "our model"]
    assert len(table) == len(experiments.REFERENCE_RESULTS) + 1
    first = table.iloc[0]
    assert (first.reference, first["ours, test split"], first["our model"]) == (
        0.0045,
        test_mse["cae_base"],
        "cae_base",
    )
    last = table.iloc[-1]
    assert np.isnan(last.reference) and last["our model"] == "study_one_pool_32_8"
    assert all(name in experiments.EXPERIMENTS for name in table["our model"])
    with pytest.raises(KeyError):
        experiments.reference_table({}, best="study_base")


def study_like_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "changes": ["base", "one", "compound: two things"],
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


def test_select_best_chooses_on_validation_and_refuses_test_columns() -> None:
    table = study_like_table()
    table.loc["study_stride2_latent", "test_mse"] = 0.0001  # best on test, worst on validation
    assert experiments.select_best(table) == "study_one_pool_ref"
    assert experiments.select_best(table.query("latent_values < 3072")) == "study_base"
    with pytest.raises(ValueError, match="validation"):
        experiments.select_best(table, column="test_mse")


def test_changes_label_the_compound_variants() -> None:
    assert experiments.changes("study_base") == "base"
    assert experiments.changes("study_kernel5") == "one"
    assert all(experiments.changes(name).startswith("compound") for name in experiments.COMPOUND)
    assert all(name in experiments.EXPERIMENTS for name in experiments.COMPOUND)


def test_study_summary_prints_a_line_per_experiment_with_the_ratio_to_the_base() -> None:
    lines = experiments.study_summary(study_like_table()).splitlines()
    assert len(lines) == 5
    assert "compound" in lines[3] and "NO" in lines[3] and "0.25x" in lines[3] and "    20   18 " in lines[3]
    assert "2.00x" in lines[2] and "1.00x" in lines[1]
    assert lines[4] == "study_one_pool_ref: compound: two things"  # what the compound variant changes


def test_official_pixels_measures_each_model_on_both_copies(monkeypatch) -> None:
    from coursework.data import OfficialSubset

    assert experiments.official_pixels(["study_base"], data=None, subset=None) is None

    class Data:
        x_test = np.zeros((5, 2, 2, 3), np.uint8)

    class Halving:
        def __init__(self, scale):
            self.scale = scale

    monkeypatch.setattr(experiments, "load_or_train", lambda name, data: experiments.Trained(Halving(2.0), {}, None))
    monkeypatch.setattr(experiments, "evaluate_mse", lambda model, x: (float(x.mean()) * model.scale + 1.0, None))
    subset = OfficialSubset(np.array([1, 3]), np.full((2, 2, 2, 3), 1, np.uint8))
    table = experiments.official_pixels(["a", "b"], Data(), subset)
    assert table.index.tolist() == ["a", "b"]
    np.testing.assert_allclose(table.jpeg_mse, 1.0)
    np.testing.assert_allclose(table.official_mse, 3.0)
    np.testing.assert_allclose(table.factor, 3.0)


def test_reference_table_adds_both_pixels_of_the_bit_exact_images_when_given() -> None:
    test_mse = {name: 1.0 for name in experiments.EXPERIMENTS}
    official = pd.DataFrame(
        {"jpeg_mse": 1.5, "official_mse": 2.0}, index=pd.Index(list(experiments.EXPERIMENTS), name="experiment")
    )
    table = experiments.reference_table(test_mse, best="study_base", official=official)
    assert table.columns.tolist() == [
        "result",
        "reference",
        "ours, test split",
        "ours, bit-exact: JPEG",
        "ours, bit-exact: official",
        "our model",
    ]
    assert (table["ours, bit-exact: JPEG"] == 1.5).all() and (table["ours, bit-exact: official"] == 2.0).all()


def test_answers_quote_the_results_they_are_given() -> None:
    study = study_like_table()
    stride = pd.DataFrame(
        {"latent": ["8x8x16"], "latent_values": [1024], "epochs": [10], "test_mse": [0.0042]},
        index=pd.Index(["cae_base"], name="experiment"),
    )
    official = pd.DataFrame(
        {"jpeg_mse": [0.0041, 0.0009], "official_mse": [0.0045, 0.0012]}, index=["cae_base", "study_one_pool_ref"]
    )
    colour = pd.DataFrame(
        {
            "vs_mean_chroma": [1.07, 1.0, 0.96, 0.8, 0.9],
            "vs_truth": [0.0, 0.11, 0.3, 0.5, 0.2],
            "rgb_psnr_db": [22.1, 22.4, 22.6, 23.4, 22.9],
        },
        index=["no colour", "mean chroma", "colorizer_rgb", "colorizer_unet_mse", "colorizer_chroma_32_8"],
    )
    text = experiments.answers(stride, study, "study_one_pool_ref", -0.69, official, colour, SWEEP)
    for expected in ("**Ex. 1.**", "**Ex. 2.**", "**Ex. 3.**", "0.0042", "0.0045", "8x8x16 = 1024", "r = -0.69"):
        assert expected in text
    assert "(16x16x16, validation MSE 0.0010; a compound variant: two things); its test MSE is 0.0011" in text
    assert "0.0041 on their JPEG pixels and 0.0045 on their official pixels" in text
    assert "a compound variant: two things" in text and "not reached by any model" in text
    assert "tries 2 variants (1 of them compound" in text and "`colorizer_unet_mse` (0.80x)" in text and "0.96x" in text
    assert "(RGB PSNR 22.6 dB). On the same architecture, predicting only Cr, Cb (`colorizer_chroma_32_8`)" in text
    assert "gives 0.90x and 0.20x: closer colours only, and it keeps the gray image exactly" in text
    assert "(section 4, 2 sizes x 2 seeds), r = -1.00 on validation MSE, and every doubling of the latent" in text
    assert (
        "one change at a time, validation MSE relative to the base model of the same budget: "
        "stride 2 at the latent 2.00x" in text
    )
    assert "official" not in experiments.answers(stride, study, "study_base", -0.5, None, colour, SWEEP)
    assert "Section 7.6" not in text  # without the ablation's table and choice
    tradeoff = tradeoff_like([("colorizer_unet_mse", np.nan, 0.80, 0.50), ("colorizer", 0.5, 0.85, 0.70)])
    closing = experiments.answers(stride, study, "study_base", -0.5, None, colour, SWEEP, tradeoff, tradeoff.iloc[1])
    assert (
        "the closest setting of all is `colorizer_unet_mse` (0.80x, colourfulness 0.50x); no setting meets" in closing
    )
    assert "is `colorizer` at T = 0.5 (0.85x, 0.70x)." in closing


def synthetic_sweep_runs(errors: dict[int, list[float]], side: int = 8, dead: int = 0) -> pd.DataFrame:
    """Made-up sweep results: channel count -> each seed's best validation MSE (``dead`` dead channels each)."""
    rows = [
        {
            "channels": c,
            "seed": seed,
            "latent_values": side * side * c,
            "best_val_mse": error,
            "epochs": 20,
            "dead_channels": dead,
        }
        for c, per_seed in errors.items()
        for seed, error in enumerate(per_seed)
    ]
    return pd.DataFrame(rows)


def test_latent_sweep_verdict_reports_the_trend_the_spread_and_a_stray_seed() -> None:
    runs = synthetic_sweep_runs({1: [0.010, 0.0101, 0.0099], 2: [0.006, 0.0061, 0.009], 4: [0.004, 0.0041, 0.0040]})
    sweep = experiments.summarise_latent_sweep(runs)
    assert sweep.table.median_val_mse.tolist() == [0.010, 0.0061, 0.0040]
    assert sweep.correlation < -0.9
    verdict = experiments.latent_sweep_verdict(sweep)
    assert verdict.startswith("**Controlled, 8x8xC: yes.**")
    assert "falls from 0.0100 at 64 latent values to 0.0040 at 256" in verdict
    assert "every doubling of the channels lowers the median, by 34% to 39%" in verdict
    assert (
        "Apart from C = 2, seed 2 (0.0090, none dead), far from its size's median, the seeds agree within 3%" in verdict
    )
    assert "each step of the medians is larger than the agreeing seeds' spread at its two sizes" in verdict
    assert "with less to gain at every doubling" in verdict


def test_latent_sweep_verdict_says_when_a_step_is_within_the_noise() -> None:
    runs = synthetic_sweep_runs({1: [0.010, 0.012, 0.011], 2: [0.0105, 0.0095, 0.0100]})
    verdict = experiments.latent_sweep_verdict(experiments.summarise_latent_sweep(runs))
    assert "1 of 1 steps of the medians are within the agreeing seeds' spread" in verdict


def test_a_stray_seed_is_reported_with_its_dead_latent_channels() -> None:
    runs = synthetic_sweep_runs({1: [0.010, 0.0101, 0.0099], 2: [0.006, 0.0061, 0.009]}, dead=1)
    verdict = experiments.latent_sweep_verdict(experiments.summarise_latent_sweep(runs))
    assert "C = 2, seed 2 (0.0090, 1 of its 2 latent channels dead)" in verdict


def test_layout_comparison_pairs_equal_latent_sizes() -> None:
    narrow = experiments.summarise_latent_sweep(synthetic_sweep_runs({4: [0.008, 0.008], 8: [0.005, 0.005]}))
    wide = experiments.summarise_latent_sweep(synthetic_sweep_runs({1: [0.006, 0.006], 2: [0.004, 0.004]}, side=16))
    text = experiments.layout_comparison({8: narrow, 16: wide})
    assert "256 values: 8x8x4 0.0080, 16x16x1 0.0060 (0.75x)" in text
    assert "512 values: 8x8x8 0.0050, 16x16x2 0.0040 (0.80x)" in text
    assert "at every shared size the 16x16 layout (more positions, fewer channels) has the lower median" in text
    mixed = experiments.summarise_latent_sweep(synthetic_sweep_runs({1: [0.009, 0.009], 2: [0.004, 0.004]}, side=16))
    assert "has the lower median at 512 values, the 8x8 layout at 256" in experiments.layout_comparison(
        {8: narrow, 16: mixed}
    )


def test_dead_latent_channels_counts_channels_that_are_zero_everywhere() -> None:
    from coursework.autoencoders import build_cae

    model = build_cae(filters=(4, 3))
    kernel, _ = model.get_layer("encoder_conv2").get_weights()
    images = np.random.default_rng(0).integers(0, 256, (8, 32, 32, 3), dtype=np.uint8)
    for biases, dead in (([1.0, -1.0, 1.0], 1), ([-1.0, -1.0, 0.5], 2), ([0.1, 0.2, 0.3], 0)):
        model.get_layer("encoder_conv2").set_weights([np.zeros_like(kernel), np.array(biases, np.float32)])
        assert experiments.dead_latent_channels(model, images) == dead  # ReLU(bias): 0 everywhere where bias < 0


SWEEP = experiments.summarise_latent_sweep(synthetic_sweep_runs({1: [0.01, 0.011], 2: [0.006, 0.0062]}))


def test_the_16x16_sweep_varies_only_the_latent_channels_of_the_one_pooling_model() -> None:
    base = experiments.EXPERIMENTS["study_one_pool"]
    for channels in experiments.ONE_POOL_CHANNELS:
        for seed in experiments.LATENT_SEEDS:
            config = experiments.EXPERIMENTS[experiments.latent_sweep_name(channels, seed, side=16)]
            assert replace(config, filters=base.filters, seed=base.seed) == base
            assert config.filters == (8, channels) and config.seed == seed


def test_log_correlation_is_one_for_a_power_law() -> None:
    latent = pd.Series([64.0, 128.0, 256.0])
    assert experiments.log_correlation(latent, 0.5 * latent**-0.7) == pytest.approx(-1.0)


def test_the_sweep_varies_only_the_latent_channels() -> None:
    base = experiments.EXPERIMENTS["study_base"]
    for channels in experiments.LATENT_CHANNELS:
        for seed in experiments.LATENT_SEEDS:
            config = experiments.EXPERIMENTS[experiments.latent_sweep_name(channels, seed)]
            assert replace(config, filters=base.filters, seed=base.seed) == base
            assert config.filters == (*base.filters[:-1], channels) and config.seed == seed


def tradeoff_like(rows: list[tuple]) -> pd.DataFrame:
    """A made-up :func:`coursework.colorization.tradeoff_table`: (model, temperature, vs_mean_chroma, vs_truth)."""
    table = pd.DataFrame(rows, columns=["model", "temperature", "vs_mean_chroma", "vs_truth"])
    return table.assign(chroma_mse=table.vs_mean_chroma * 0.003, colourfulness=table.vs_truth * 30)


def test_colour_ablation_relates_each_model_to_the_mse_unet_and_reads_colour_classes_at_t_1() -> None:
    tradeoff = tradeoff_like(
        [
            ("colorizer_unet_mse", np.nan, 0.80, 0.50),
            ("colorizer_unet_global", np.nan, 0.78, 0.52),
            ("colorizer_classes_global_augment", 1.0, 0.82, 0.60),
            ("colorizer_classes_global_augment", 0.5, 0.90, 0.70),
            ("colorizer", 1.0, 0.95, 0.80),  # not in the ablation
        ]
    )
    table = experiments.colour_ablation(tradeoff)
    assert table.index.tolist() == ["colorizer_unet_mse", "colorizer_unet_global", "colorizer_classes_global_augment"]
    assert table.vs_unet_mse.tolist() == pytest.approx([1.0, 0.78 / 0.80, 0.82 / 0.80])
    assert table.vs_truth["colorizer_classes_global_augment"] == 0.60  # T = 1, not 0.5


def test_colour_verdict_reports_effects_noise_choice_and_confirmation() -> None:
    tradeoff = tradeoff_like(
        [
            ("colorizer_unet_mse", np.nan, 0.80, 0.50),
            ("colorizer_unet_global", np.nan, 0.78, 0.52),
            ("colorizer_unet_mse_seed1", np.nan, 0.812, 0.50),
            ("colorizer_classes_global_augment", 1.0, 0.79, 0.58),
            ("colorizer_classes_global_augment", 0.5, 0.83, 0.66),
        ]
    )
    ablation = experiments.colour_ablation(tradeoff)
    chosen = tradeoff.iloc[4]
    confirmed = pd.DataFrame(
        {"vs_mean_chroma": [0.84, 0.85], "vs_truth": [0.65, 0.61]}, index=["test split", "bit-exact, official"]
    )
    text = experiments.colour_verdict(ablation, tradeoff, chosen, confirmed)
    assert "one: global branch: 0.975x" in text
    assert "a second seed of the MSE U-Net lands at 1.015x" in text
    assert "**Closest setting of all:** `colorizer_unet_global`, 0.78x" in text
    assert "on validation: none." in text
    assert "`colorizer_classes_global_augment` at T = 0.5, 0.83x and 0.66x" in text
    assert "test split 0.84x / 0.65x, bit-exact, official 0.85x / 0.61x; both targets met in 0 of 2" in text


def test_colorizer_summary_has_one_line_per_model() -> None:
    from coursework.experiments import Trained

    history = {"loss": [0.3, 0.2, 0.25], "val_loss": [0.4, 0.1, 0.2]}
    model = __import__("coursework.autoencoders", fromlist=["build_cae"]).build_cae(filters=(2, 2))
    text = experiments.colorizer_summary({"a": Trained(model, history, experiments.COLORIZERS["colorizer_base"])})
    assert text.startswith("a ") and "3 of 20 epochs, best validation MSE 0.1000 at epoch 2" in text


def test_confirm_colorizer_measures_the_test_split_and_both_pixels_of_the_bit_exact_images() -> None:
    from types import SimpleNamespace

    from coursework.colorization import ColorizerConfig, build_colorizer

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (12, 16, 16, 3), dtype=np.uint8)
    data = SimpleNamespace(x_train=images, x_test=images[:6])
    subset = SimpleNamespace(rows=np.array([0, 2]), x=images[[0, 2]] // 2)  # "official" pixels: other values
    model = build_colorizer(ColorizerConfig(architecture="cae", filters=(4, 4), target="chroma"))
    table = experiments.confirm_colorizer(model, data, subset)
    assert table.index.tolist() == ["test split", "bit-exact, JPEG", "bit-exact, official"]
    assert table.loc["bit-exact, JPEG", "chroma_mse"] != table.loc["bit-exact, official", "chroma_mse"]
    assert experiments.confirm_colorizer(model, data, None).index.tolist() == ["test split"]


def test_readable_formats_and_renames_the_columns_it_shows() -> None:
    table = pd.DataFrame(
        {"latent_values": [1024, 2048], "test_mse": [0.00421, np.nan], "factor": [1.094, 1.4]},
        index=pd.Index(["a", "b"], name="experiment"),
    )
    text = experiments.readable(table, ["test_mse", "latent_values"])
    assert text.columns.tolist() == ["test MSE", "latent values"]
    assert text.loc["a"].tolist() == ["0.0042", "1,024"] and text.loc["b", "test MSE"] == "-"
    assert experiments.readable(table).loc["a", "official / JPEG"] == "1.09x"


def test_report_helpers_refuse_input_they_would_misreport() -> None:
    with pytest.raises(ValueError, match="no heading and format"):
        experiments.readable(pd.DataFrame({"bogus": [1]}))
    with pytest.raises(ValueError, match="a list of column names"):
        experiments.readable(pd.DataFrame({"test_mse": [1.0]}), "test_mse")
    narrow = experiments.summarise_latent_sweep(synthetic_sweep_runs({4: [0.008, 0.008]}))
    far = experiments.summarise_latent_sweep(synthetic_sweep_runs({64: [0.001, 0.001]}, side=16))
    with pytest.raises(ValueError, match="share no latent size"):
        experiments.layout_comparison({8: narrow, 16: far})
    with pytest.raises(ValueError, match="two layouts"):
        experiments.layout_comparison({8: narrow})
    tie = experiments.summarise_latent_sweep(synthetic_sweep_runs({1: [0.008, 0.008]}, side=16))
    assert "the rest tie" in experiments.layout_comparison({8: narrow, 16: tie})
    with pytest.raises(ValueError, match="no row for the base model"):
        experiments.colour_ablation(tradeoff_like([("colorizer_unet_global", np.nan, 0.8, 0.5)]))
    with pytest.raises(ValueError, match="not measured at T = 1"):
        experiments.colour_ablation(
            tradeoff_like([("colorizer_unet_mse", np.nan, 0.8, 0.5), ("colorizer_classes_rebalanced", 0.5, 0.8, 0.6)])
        )


def test_every_colorizer_has_a_label() -> None:
    assert set(experiments.LABELS) == set(experiments.COLORIZERS)
    assert len(set(experiments.LABELS.values())) == len(experiments.LABELS)


def test_at_control_budget_reads_longer_runs_within_the_controls_cap() -> None:
    from coursework.experiments import Trained

    control = Trained(
        None, {"val_loss": [0.5, 0.4, 0.45]}, replace(experiments.COLORIZERS["colorizer_unet_mse"], epochs=3)
    )
    longer = Trained(None, {"val_loss": [0.6, 0.38, 0.5, 0.3]}, experiments.COLORIZERS["colorizer_unet_augment"])
    same = Trained(None, {"val_loss": [0.1]}, replace(experiments.COLORIZERS["colorizer_base"], epochs=3))
    ratios = experiments.at_control_budget({"longer": longer, "same": same}, control)
    assert ratios.to_dict() == pytest.approx({"longer": 0.38 / 0.4})  # epoch 4 (0.3) is past the control's cap
