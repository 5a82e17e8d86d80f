"""Tests of the evaluation layer on made-up results (no model trained) and tiny models."""

import numpy as np
import pandas as pd
import pytest

from coursework.evaluation import autoencoders as evaluation
from coursework.evaluation import colour, latent
from coursework.experiments import REGISTRY, Trained


def test_seed_spread_summarises_each_experiment_over_its_seeds(monkeypatch) -> None:
    results = {"a": 1.0, "a_seed1": 2.0, "a_seed2": 3.0, "b": 5.0, "b_seed1": 5.0, "b_seed2": 5.0}
    asked = []

    def fake_evaluate(names, data):
        asked.append(names)
        errors = [results[name] for name in names]
        table = pd.DataFrame(
            {"best_val_mse": [2 * error for error in errors], "test_mse": errors},
            index=pd.Index(names, name="experiment"),
        )
        return evaluation.Evaluation(table, {})

    monkeypatch.setattr(evaluation, "evaluate", fake_evaluate)
    table = evaluation.seed_spread(data=None, names=("a", "b"))
    assert asked == [["a", "a_seed1", "a_seed2"], ["b", "b_seed1", "b_seed2"]]
    assert table.index.tolist() == ["a", "b"] and table.index.name == "experiment"
    assert table.loc["a"].tolist() == [3, 4.0, 2.0, 2.0, 1.0, 1.0, 3.0]  # seeds, val and test mean/std (n - 1), range
    assert table.loc["b", "std_test_mse"] == 0.0


def test_reference_table_pairs_each_reference_result_with_ours() -> None:
    test_mse = {name: float(index) for index, name in enumerate(REGISTRY)}
    table = evaluation.reference_table(test_mse, best="study_one_pool_32_8")
    assert table.columns.tolist() == ["result", "reference", "ours, test split", "our model"]
    assert len(table) == len(evaluation.REFERENCE_RESULTS) + 1
    first, last = table.iloc[0], table.iloc[-1]
    assert (first.reference, first["ours, test split"], first["our model"]) == (
        0.0045,
        test_mse["cae_base"],
        "cae_base",
    )
    assert np.isnan(last.reference) and last["our model"] == "study_one_pool_32_8"
    assert all(name in REGISTRY for name in table["our model"])
    official = pd.DataFrame({"jpeg_mse": 1.5, "official_mse": 2.0}, index=pd.Index(list(REGISTRY)))
    both = evaluation.reference_table(test_mse, best="study_base", official=official)
    assert both.columns.tolist()[3:5] == ["ours, bit-exact: JPEG", "ours, bit-exact: official"]
    with pytest.raises(KeyError):
        evaluation.reference_table({}, best="study_base")


def test_select_best_chooses_on_validation_and_refuses_test_columns() -> None:
    table = pd.DataFrame(
        {"best_val_mse": [0.004, 0.008, 0.001], "test_mse": [0.0041, 0.0001, 0.0011], "latent_values": [1, 2, 4096]},
        index=["study_base", "study_stride2_latent", "study_one_pool_ref"],
    )
    assert evaluation.select_best(table) == "study_one_pool_ref"
    assert evaluation.select_best(table.query("latent_values < 3072")) == "study_base"
    with pytest.raises(ValueError, match="validation"):
        evaluation.select_best(table, column="test_mse")


def test_official_pixels_measures_each_model_on_both_copies(monkeypatch) -> None:
    from coursework.data import OfficialSubset

    assert evaluation.official_pixels(["study_base"], data=None, subset=None) is None

    class Data:
        x_test = np.zeros((5, 2, 2, 3), np.uint8)

    class Scaled:
        scale = 2.0

    monkeypatch.setattr(evaluation, "load", lambda name: Trained(Scaled(), {}, None))
    monkeypatch.setattr(evaluation, "evaluate_mse", lambda model, x: (float(x.mean()) * model.scale + 1.0, None))
    subset = OfficialSubset(np.array([1, 3]), np.full((2, 2, 2, 3), 1, np.uint8))
    table = evaluation.official_pixels(["a", "b"], Data(), subset)
    np.testing.assert_allclose([table.jpeg_mse, table.official_mse, table.factor], [[1.0, 1.0], [3.0, 3.0], [3, 3]])


def synthetic_sweep_runs(errors: dict[int, list[float]], side: int = 8, dead: int = 0) -> pd.DataFrame:
    """Made-up sweep results: channel count -> each seed's best validation MSE (``dead`` dead channels each)."""
    rows = [
        {"channels": c, "seed": seed, "latent_values": side * side * c, "best_val_mse": error, "epochs": 20}
        | {"dead_channels": dead}
        for c, per_seed in errors.items()
        for seed, error in enumerate(per_seed)
    ]
    return pd.DataFrame(rows)


def test_sweep_facts_give_the_steps_the_spread_and_a_stray_seed() -> None:
    runs = synthetic_sweep_runs({1: [0.010, 0.0101, 0.0099], 2: [0.006, 0.0061, 0.009], 4: [0.004, 0.0041, 0.0040]})
    sweep = latent.summarise_latent_sweep(runs)
    assert sweep.table.median_val_mse.tolist() == [0.010, 0.0061, 0.0040]
    assert sweep.correlation < -0.9
    facts = latent.sweep_facts(sweep)
    assert facts.side == 8
    np.testing.assert_allclose(facts.steps, [0.39, 1 - 0.004 / 0.0061])
    assert facts.beyond_spread.all()
    assert facts.outliers[["channels", "seed"]].values.tolist() == [[2, 2]]
    assert facts.spread == pytest.approx(0.0001 / 0.004)  # the largest agreeing range, at C = 4
    noisy = latent.sweep_facts(
        latent.summarise_latent_sweep(synthetic_sweep_runs({1: [0.010, 0.012, 0.011], 2: [0.0105, 0.0095, 0.0100]}))
    )
    assert not noisy.beyond_spread.any()


def test_layout_comparison_pairs_equal_latent_sizes_and_refuses_what_it_cannot_compare() -> None:
    narrow = latent.summarise_latent_sweep(synthetic_sweep_runs({4: [0.008, 0.008], 8: [0.005, 0.005]}))
    wide = latent.summarise_latent_sweep(synthetic_sweep_runs({1: [0.006, 0.006], 2: [0.004, 0.004]}, side=16))
    table = latent.layout_comparison({8: narrow, 16: wide})
    assert table.index.tolist() == [256, 512]
    np.testing.assert_allclose(table.ratio, [0.75, 0.8])
    assert table.channels_16.tolist() == [1, 2] and table.channels_8.tolist() == [4, 8]
    far = latent.summarise_latent_sweep(synthetic_sweep_runs({64: [0.001, 0.001], 128: [0.0005, 0.0005]}, side=16))
    with pytest.raises(ValueError, match="share no latent size"):
        latent.layout_comparison({8: narrow, 16: far})
    with pytest.raises(ValueError, match="two layouts"):
        latent.layout_comparison({8: narrow})


def test_dead_latent_channels_counts_channels_that_are_zero_everywhere() -> None:
    from coursework.autoencoders import build_cae

    model = build_cae(filters=(4, 3))
    kernel, _ = model.get_layer("encoder_conv2").get_weights()
    images = np.random.default_rng(0).integers(0, 256, (8, 32, 32, 3), dtype=np.uint8)
    for biases, dead in (([1.0, -1.0, 1.0], 1), ([-1.0, -1.0, 0.5], 2), ([0.1, 0.2, 0.3], 0)):
        model.get_layer("encoder_conv2").set_weights([np.zeros_like(kernel), np.array(biases, np.float32)])
        assert latent.dead_latent_channels(model, images) == dead  # ReLU(bias): 0 everywhere where bias < 0


def test_log_correlation_is_one_for_a_power_law() -> None:
    values = pd.Series([64.0, 128.0, 256.0])
    assert latent.log_correlation(values, 0.5 * values**-0.7) == pytest.approx(-1.0)


def tradeoff_like(rows: list[tuple]) -> pd.DataFrame:
    """A made-up :func:`coursework.evaluation.colour.tradeoff_table`: (model, temperature, vs_mean_chroma, vs_truth)."""
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
    table = colour.colour_ablation(
        tradeoff, ["colorizer_unet_global", "colorizer_classes_global_augment"], base="colorizer_unet_mse"
    )
    assert table.index.tolist() == ["colorizer_unet_mse", "colorizer_unet_global", "colorizer_classes_global_augment"]
    assert table.vs_unet_mse.tolist() == pytest.approx([1.0, 0.78 / 0.80, 0.82 / 0.80])
    assert table.vs_truth["colorizer_classes_global_augment"] == 0.60  # T = 1, not 0.5
    with pytest.raises(ValueError, match="no row for the base model"):
        colour.colour_ablation(tradeoff_like([("colorizer_unet_global", np.nan, 0.8, 0.5)]), ["colorizer_unet_global"])
    with pytest.raises(ValueError, match="not measured at T = 1"):
        colour.colour_ablation(
            tradeoff_like([("colorizer_unet_mse", np.nan, 0.8, 0.5), ("colorizer_classes_rebalanced", 0.5, 0.8, 0.6)]),
            ["colorizer_classes_rebalanced"],
            base="colorizer_unet_mse",
        )


def test_confirm_colorizer_measures_the_test_split_and_both_pixels_of_the_bit_exact_images() -> None:
    from types import SimpleNamespace

    from coursework.colorization import ColorizerConfig, build_colorizer

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (12, 16, 16, 3), dtype=np.uint8)
    data = SimpleNamespace(x_train=images, x_test=images[:6])
    subset = SimpleNamespace(rows=np.array([0, 2]), x=images[[0, 2]] // 2)  # "official" pixels: other values
    model = build_colorizer(ColorizerConfig(architecture="cae", filters=(4, 4), target="chroma"))
    table = colour.confirm_colorizer(model, data, subset)
    assert table.index.tolist() == ["test split", "bit-exact, JPEG", "bit-exact, official"]
    assert table.loc["bit-exact, JPEG", "chroma_mse"] != table.loc["bit-exact, official", "chroma_mse"]
    assert colour.confirm_colorizer(model, data, None).index.tolist() == ["test split"]


def test_numbers_that_would_misreport_are_refused() -> None:
    """A diverged history, a correlation of values without a logarithm, an epoch cap below 1: errors, never a number."""
    from coursework.evaluation import best_validation

    assert best_validation({"val_loss": [0.3, 0.1, 0.2]}) == (0.1, 2)
    assert best_validation({"val_loss": [0.3, 0.1, 0.2]}, epochs=1) == (0.3, 1)
    for losses in ([0.2, float("nan")], [float("nan"), 0.2], []):
        with pytest.raises(ValueError, match="not finite|no validation loss"):
            best_validation({"val_loss": losses})
    for errors in ([0.1, 0.0], [0.1, -0.2], [0.1, float("nan")]):
        with pytest.raises(ValueError, match="finite values > 0"):
            latent.log_correlation(pd.Series([64.0, 128.0]), pd.Series(errors))
    with pytest.raises(ValueError, match="all equal"):
        latent.log_correlation(pd.Series([64.0, 128.0]), pd.Series([0.1, 0.1]))
    with pytest.raises(ValueError, match="validation"):
        evaluation.select_best(pd.DataFrame({"Test_MSE": [1.0]}), column="Test_MSE")


def test_choices_refuse_values_they_cannot_rank() -> None:
    """idxmin skips NaN and lets -inf win; a negative epoch count would drop epochs: errors, never a choice."""
    from coursework.evaluation import best_validation

    with pytest.raises(ValueError, match="epochs must be"):
        best_validation({"val_loss": [0.3, 0.2, 0.1]}, epochs=-1)
    for values in ([float("nan"), 0.2], [float("-inf"), 0.2], []):
        with pytest.raises(ValueError, match="finite values"):
            evaluation.select_best(pd.DataFrame({"best_val_mse": values}, dtype=float))
    infinite = tradeoff_like([("a", np.nan, float("-inf"), float("inf")), ("b", np.nan, 0.8, 0.7)])
    with pytest.raises(ValueError, match="infinite"):
        colour.choose_colorizer(infinite)
