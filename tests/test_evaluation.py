"""Tests of the evaluation layer on made-up results (no model trained) and tiny models."""

import numpy as np
import pandas as pd
import pytest

from coursework import store
from coursework.autoencoders import build_cae
from coursework.color import split_luma_chroma
from coursework.colorization.models import build_unet
from coursework.evaluation import autoencoders as evaluation
from coursework.evaluation import color, training_record
from coursework.experiments import REGISTRY
from coursework.experiments.runs import Trained


def test_the_reference_results_name_a_registered_model_each() -> None:
    assert all(name in REGISTRY for _, name in evaluation.REFERENCE_RESULTS.values())


def test_batch_order_check_compares_each_long_run_with_its_study_run(monkeypatch) -> None:
    histories = {
        "study_base": {"val_loss": [3.0, 2.0, 1.0]},  # the older order: no time record
        "study_base_long": {"val_loss": [3.0, 2.5, 0.5, 0.1], "seconds": [1.0] * 4},
    }
    for module in (evaluation, store):  # store.older_pipeline reads the histories too
        monkeypatch.setattr(module, "read_history", lambda name: histories[name])
    row = evaluation.batch_order_check(["study_base_long"], 2).loc["study_base_long"]
    assert row.older_order and (row.study, row.long) == (2.0, 2.5) and row.ratio == pytest.approx(1.25)


def test_repeat_check_counts_exact_repeats_per_pipeline_and_sets_the_threshold(monkeypatch) -> None:
    histories = {
        "study_base": {"val_loss": [3.0, 2.0]},  # the older pipeline: no time record
        "study_base_long": {"val_loss": [3.0, 2.2, 0.1], "seconds": [1.0] * 3},
        "study_stride2_all": {"val_loss": [5.0, 4.0], "seconds": [1.0] * 2},
        "study_stride2_all_long": {"val_loss": [5.0, 4.0, 3.0], "seconds": [1.0] * 3},
    }
    for module in (evaluation, store):
        monkeypatch.setattr(module, "read_history", lambda name: histories.get(name, {"seconds": [1.0]}))
    check = evaluation.repeat_check(["study_base_long", "study_stride2_all_long"], 2)
    assert check.table.loc["today's pipeline"].tolist() == [1, 1, 1.0]
    assert check.table.loc["older pipeline (no time record)"].tolist() == [1, 0, pytest.approx(1.1)]
    assert check.rerun == pytest.approx(0.1)


def test_epochs_trained_counts_the_seeds_still_improving_at_the_cap() -> None:
    runs = pd.DataFrame(
        {"epochs": [20, 14, 20], "best_epoch": [20, 11, 19], "cap": [20, 20, 20]},
        index=["study_base", "study_base_seed1", "study_base_seed2"],
    )
    assert evaluation.epochs_trained(runs).loc["study_base"].tolist() == [20, 14, 20, 1]
    assert training_record({"loss": [3, 2, 1], "val_loss": [0.3, 0.1, 0.2]}, cap=5) == {
        "epochs": 3,
        "cap": 5,
        "best_epoch": 2,
        "best_val": 0.1,
    }


def test_total_training_time_sums_the_recorded_seconds_per_group(tmp_path, monkeypatch) -> None:
    histories = {"a": {"seconds": [1800, 1800], "cpu": "X"}, "b": {"seconds": [3600], "cpu": "Y"}, "c": {"loss": [1.0]}}
    histories["d"] = {"loss": [1.0]}
    monkeypatch.setattr(evaluation, "read_history", lambda name: histories[name])
    table = evaluation.total_training_time({"a": "one", "b": "two", "c": "two", "d": "three"})
    assert table.loc["one"].tolist() == [1, 0, 60.0]
    assert table.loc["two"].tolist() == [1, 1, 60.0]
    assert table.loc["sum"].tolist() == [2, 2, 120.0]
    assert np.isnan(table.loc["three", "minutes"])  # nothing timed: unknown, not zero
    assert evaluation.training_cpus(["a", "b", "c"]) == ["X", "Y"]


def test_official_pixels_measures_each_model_on_both_copies(monkeypatch) -> None:
    from coursework.data import OfficialSubset

    class Data:
        x_test = np.zeros((5, 2, 2, 3), np.uint8)

    class Scaled:
        scale = 2.0

    monkeypatch.setattr(evaluation, "load", lambda name: Trained(Scaled(), {}, None))
    monkeypatch.setattr(evaluation, "evaluate_mse", lambda model, x: (float(x.mean()) * model.scale + 1.0, None))
    subset = OfficialSubset(np.array([1, 3]), np.full((2, 2, 2, 3), 1, np.uint8), 4)
    table = evaluation.official_pixels(["a", "b"], Data(), subset)
    np.testing.assert_allclose([table.jpeg_mse, table.official_mse, table.factor], [[1.0, 1.0], [3.0, 3.0], [3, 3]])


def test_numbers_that_would_misreport_are_refused() -> None:
    """A diverged history or an epoch cap below 1: errors, never a number."""
    from coursework.evaluation import best_validation

    assert best_validation({"val_loss": [0.3, 0.1, 0.2]}) == (0.1, 2)
    assert best_validation({"val_loss": [0.3, 0.1, 0.2]}, epochs=1) == (0.3, 1)
    for losses in ([0.2, float("nan")], [float("nan"), 0.2], []):
        with pytest.raises(ValueError, match="not finite|no validation loss"):
            best_validation({"val_loss": losses})
    with pytest.raises(ValueError, match="epochs must be"):
        best_validation({"val_loss": [0.3, 0.2, 0.1]}, epochs=-1)


def test_color_table_puts_two_baselines_first_and_relates_every_row_to_them() -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (6, 8, 8, 3), dtype=np.uint8)
    _, truth = split_luma_chroma(images)
    table = color.color_table({"perfect": truth}, images, x_train=images)
    assert table.index.tolist() == ["no colour", "mean chroma", "perfect"]
    assert table.loc["perfect", "chroma_mse"] == pytest.approx(0, abs=1e-12)
    assert table.loc["perfect", "vs_truth"] == pytest.approx(1, rel=1e-5)
    assert table.loc["mean chroma", "vs_mean_chroma"] == 1
    assert table.loc["no colour", "colourfulness"] == pytest.approx(0, abs=1e-6)
    with pytest.raises(ValueError, match="does not match"):
        color.color_table({"wrong": truth[:, :4]}, images, images)


def test_mean_color_error_splits_the_chroma_mse_exactly() -> None:
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (5, 8, 8, 3), dtype=np.uint8)
    predicted = rng.uniform(0.3, 0.7, (5, 8, 8, 2))
    _, truth = split_luma_chroma(images)
    image_color, layout = color.mean_color_error(predicted, images)
    assert image_color + layout == pytest.approx(np.mean((predicted - truth) ** 2))
    shifted = truth + 0.1  # right layout, wrong average colour
    assert color.mean_color_error(shifted, images) == pytest.approx((0.01, 0.0), abs=1e-6)  # float32 chroma


def test_layout_text_names_each_encoder_and_decoder_step_with_its_output_shape() -> None:
    def parts(model) -> dict[str, str]:
        lines = evaluation.layout_text(model, width=1_000).splitlines()[2:]  # unwrapped: one line per part
        return dict(line.strip().split(": ", 1) for line in lines)

    valid = parts(build_cae(padding="valid", decoder="transposed"))
    assert valid["encoder"].startswith("conv to 30x30x8; pool to 15x15x8")
    assert "crop to 13x13x12" in valid["decoder"] and "transposed conv" in valid["decoder"]
    assert "upsample x2" in parts(build_cae())["decoder"]
    text = evaluation.layout_text(build_cae())
    assert text.splitlines()[:2] == ["4,911 parameters", "  latent 8x8x16 = 1,024 values, 33% of input"]
    assert all(len(line) <= 100 for line in text.splitlines())


def test_network_text_shows_a_unets_skip_connections_and_its_head_resolution() -> None:
    text = evaluation.network_text(build_unet((4, 8, 8)), 16)
    lines = text.splitlines()
    assert lines[0] == "2,098 parameters; layer outputs for a 16x16 input"
    assert lines[1].startswith("  encoder: conv to 16x16x4; pool to 8x8x4; conv to 8x8x8")
    decoder = " ".join(line.strip() for line in lines[2:])
    assert "skip: join 8x8x8 from the encoder to 8x8x16" in decoder
    assert decoder.endswith("1x1 conv to 8x8x2")  # chroma at half the input's side
    cae = evaluation.network_text(build_cae(output_activation="sigmoid"), 32)
    assert " ".join(cae.split()).endswith("conv (sigmoid) to 32x32x3")
    assert all(len(line) <= 100 for line in [*lines, *cae.splitlines()])


def test_leave_one_out_averages_all_members_but_one() -> None:
    chroma = {name: np.full((2, 4, 4, 2), value) for name, value in (("a", 0.1), ("b", 0.2), ("c", 0.6))}
    averages = color.leave_one_out(chroma)
    assert list(averages) == ["without a", "without b", "without c"]
    assert averages["without a"] == pytest.approx(np.full((2, 4, 4, 2), 0.4))


def test_the_thumbnail_baseline_is_exact_on_flat_images_and_errs_on_detail() -> None:
    flat = np.full((2, 8, 8, 3), 120, np.uint8)
    assert evaluation.thumbnail_mse(flat, 2) == pytest.approx(0.0, abs=1e-12)
    checkers = np.indices((8, 8)).sum(axis=0) % 2 * 255
    detail = np.repeat(checkers[None, :, :, None], 3, axis=-1).astype(np.uint8)
    assert evaluation.thumbnail_mse(detail, 4) == pytest.approx(0.25)  # every pixel averaged to 0.5
    assert evaluation.thumbnail_mse(detail, 8) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="divide"):
        evaluation.thumbnail_mse(flat, 3)
