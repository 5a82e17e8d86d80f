"""Tests of the figure helpers (coursework.plotting) on small synthetic data: what each figure shows, not pixels."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from helpers import numbers
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba

from coursework import plotting
from coursework.backprop import History, Network
from coursework.backprop.studies import Sweep, TieBreaking
from coursework.color import rgb_to_ycrcb
from coursework.evaluation.latent import LatentSweep


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_save_figure_writes_a_png_into_the_figures_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(plotting.common, "FIGURES_DIR", tmp_path / "figures")
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    path = plotting.save_figure(fig, "line")
    assert path == tmp_path / "figures" / "line.png"
    assert path.read_bytes().startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="bare file stem"):
        plotting.save_figure(fig, "line.png")


def test_epoch_curves_draw_a_median_with_a_band_for_many_runs() -> None:
    fig, ax = plt.subplots()
    runs = np.array([[4.0, 2.0, 1.0], [6.0, 3.0, 1.0], [5.0, 4.0, 1.0]])
    plotting.epoch_curves(ax, {"sweep": runs, "": np.array([1.0, 0.5, 0.25])})
    median, single = ax.get_lines()
    np.testing.assert_array_equal(median.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(median.get_ydata(), [5.0, 3.0, 1.0])
    np.testing.assert_array_equal(single.get_ydata(), [1.0, 0.5, 0.25])
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 1  # a band for the 2-D entry only
    assert ax.get_legend_handles_labels()[1] == ["sweep"]  # the unlabelled curve stays out of the legend


def test_training_curves_put_one_panel_per_entry_under_one_title() -> None:
    history = {"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.6]}
    fig = plotting.training_curves(
        {
            "model a": {"training": history["loss"], "validation": history["val_loss"]},
            "accuracy": np.array([0.1, 0.5, 0.9]),
        },
        ylabel=["MSE", "accuracy"],
        yscale=["log", "linear"],
        title="Two panels",
    )
    first, second = fig.axes
    assert fig.get_suptitle() == "Two panels"
    assert fig.get_layout_engine() is not None  # constrained: the title never overlaps the panel titles
    assert [first.get_title(), second.get_title()] == ["model a", "accuracy"]
    assert (first.get_yscale(), second.get_yscale()) == ("log", "linear")
    assert (first.get_ylabel(), second.get_ylabel()) == ("MSE", "accuracy")
    assert [text.get_text() for text in first.get_legend().get_texts()] == ["training", "validation"]
    assert second.get_legend() is None
    with pytest.raises(ValueError, match="one per panel"):
        plotting.training_curves({"a": [1.0], "b": [2.0]}, ylabel=["only one"])


def test_training_curves_wrap_many_panels_into_a_grid_of_at_most_max_columns() -> None:
    panels = {f"model {index}": np.linspace(1.0, 0.1, 5) for index in range(7)}
    fig = plotting.training_curves(panels, panel_size=(3.0, 2.0))
    assert len(fig.axes) == 7  # the two unused cells of the 3 x 3 grid are removed
    np.testing.assert_allclose(fig.get_size_inches(), [9.0, 6.0])
    fig.set_dpi(100)  # as the notebooks render inline
    assert fig.get_size_inches()[0] * fig.dpi <= 2000
    assert [ax.get_title() for ax in fig.axes] == list(panels)
    wide = plotting.training_curves(
        {name: np.linspace(1.0, 0.5, 2) for name in "abcde"}, panel_size=(3, 2), max_columns=4
    )
    np.testing.assert_allclose(wide.get_size_inches(), [12.0, 4.0])
    with pytest.raises(ValueError, match="max_columns"):
        plotting.training_curves(panels, max_columns=0)


def test_annotated_heatmap_writes_every_value_readably() -> None:
    fig, ax = plt.subplots()
    matrix = np.array([[0.0, 1.0, 0.5], [0.25, 0.75, 1.0]])
    plotting.annotated_heatmap(ax, matrix, fmt=".1f", cmap="Greys", vmin=0, vmax=1, xticklabels=["a", "b", "c"])
    texts = {(text.get_position(), text.get_text()): text.get_color() for text in ax.texts}
    assert len(texts) == matrix.size
    assert texts[((0, 0), "0.0")] == "k" and texts[((1, 0), "1.0")] == "w"  # white on black, black on white
    assert [label.get_text() for label in ax.get_xticklabels()] == ["a", "b", "c"]
    assert list(ax.get_yticks()) == []
    assert len(fig.axes) == 2  # the heatmap and its colour bar


def test_hidden_layer_heatmaps_show_activations_and_both_weight_matrices() -> None:
    net = Network((8, 3, 8), seed=0)
    fig = plotting.hidden_layer_heatmaps(net, np.eye(8))
    heatmaps = fig.axes[:3]
    assert [ax.get_title() for ax in heatmaps] == [
        "hidden activations $a_1$",
        "$W_1$ (input → hidden)",
        "$W_2$ (hidden → output)",
    ]
    assert [len(ax.texts) for ax in heatmaps] == [8 * 3, 8 * 3, 3 * 8]
    assert len(fig.axes) == 6 + 3  # six panels (one blank) and colour bars for a_1, W1 and W2 only, not the biases
    assert heatmaps[1].texts[0].get_text() == f"{net.parameters()['W1'][0, 0]:.1f}"
    assert [label.get_text() for label in heatmaps[2].get_yticklabels()] == ["h0", "h1", "h2"]


def synthetic_sweep() -> tuple[Sweep, pd.DataFrame]:
    """Two learning rates with three networks each over 4 epochs; one network of the second rate never solves."""
    table = pd.DataFrame({"learning_rate": [1.0] * 3 + [10.0] * 3, "epochs_to_100": [3.0, 4.0, 3.0, 1.0, 2.0, np.nan]})
    loss = np.linspace(1.0, 0.1, 4) * np.arange(1, 7)[:, None]
    history = History(loss, np.zeros_like(loss))
    summary = pd.DataFrame(index=pd.Index([1.0, 10.0], name="learning_rate"))
    return Sweep(table, history, []), summary


def test_learning_rate_figure_shows_curves_per_rate_and_counts_the_networks_that_got_there() -> None:
    study, summary = synthetic_sweep()
    fig = plotting.learning_rate_figure(study, summary)
    ax_curve, ax_box = fig.axes
    assert numbers(ax_curve.get_title()) == [3]  # the seeds per rate
    medians = [line for line in ax_curve.get_lines() if line.get_label() in ("1", "10")]
    np.testing.assert_allclose(medians[0].get_ydata(), np.linspace(1.0, 0.1, 4) * 2)  # median of networks 1-3
    assert [label.get_text() for label in ax_box.get_xticklabels()] == ["1", "10 (2/3)"]  # 2 of 3 got there
    points = np.concatenate([c.get_offsets()[:, 1] for c in ax_box.collections if len(c.get_offsets())])
    assert sorted(points) == [1.0, 2.0, 3.0, 3.0, 4.0]  # every network that got there, and only those
    assert not ax_box.patches  # too few values for a box: dots only


def test_learning_rate_figure_boxes_the_epochs_to_converge_where_the_table_has_them() -> None:
    study, summary = synthetic_sweep()
    study.table["rounded_stays"] = 10 * study.table.epochs_to_100
    _, ax_box = plotting.learning_rate_figure(study, summary).axes
    points = np.concatenate([c.get_offsets()[:, 1] for c in ax_box.collections if len(c.get_offsets())])
    assert sorted(points) == [10.0, 20.0, 30.0, 30.0, 40.0] and "converge" in ax_box.get_ylabel()


def test_learning_rate_figure_marks_the_chosen_rate() -> None:
    _, summary = synthetic_sweep()
    table = pd.DataFrame({"learning_rate": np.repeat([1.0, 10.0], 10), "epochs_to_100": np.arange(1.0, 21.0)})
    study = Sweep(table, History(np.ones((20, 3)), np.zeros((20, 3))), [])
    _, ax_box = plotting.learning_rate_figure(study, summary, chosen=10).axes
    orange = [box.get_label() for box in ax_box.patches if box.get_facecolor() == to_rgba("orange")]
    assert orange == ["chosen rate 10"]


def test_learning_rate_figure_draws_at_most_max_curves_in_distinct_colors() -> None:
    rates = [0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0]
    table = pd.DataFrame({"learning_rate": np.repeat(rates, 2), "epochs_to_100": np.arange(1.0, 21.0)})
    history = History(np.ones((20, 3)), np.zeros((20, 3)))
    summary = pd.DataFrame(index=pd.Index(rates, name="learning_rate"))
    ax_curve, ax_box = plotting.learning_rate_figure(Sweep(table, history, []), summary).axes
    labels = [text.get_text() for text in ax_curve.get_legend().get_texts()]
    assert len(labels) == 8 and labels[0] == "0.1" and labels[-1] == "3000"
    colors = [tuple(line.get_color()) for line in ax_curve.get_lines() if line.get_label() in labels]
    assert len(set(colors)) == 8
    assert len(ax_box.get_xticklabels()) == 10  # every rate in the box panel
    ax_curve, _ = plotting.learning_rate_figure(Sweep(table, history, []), summary, curve_rates=[1.0, 100.0]).axes
    assert [text.get_text() for text in ax_curve.get_legend().get_texts()] == ["1", "100"]
    with pytest.raises(ValueError, match="curve_rates"):
        plotting.learning_rate_figure(Sweep(table, history, []), summary, curve_rates=[2.0])


def test_learning_rate_figure_of_a_run_that_solved_nothing_has_an_empty_box_panel() -> None:
    study, summary = synthetic_sweep()
    unsolved = Sweep(study.table.assign(epochs_to_100=np.nan), study.history, [])
    _, ax_box = plotting.learning_rate_figure(unsolved, summary).axes
    assert not ax_box.patches and not any(len(c.get_offsets()) for c in ax_box.collections)
    assert numbers(ax_box.get_xlabel()) == [1, 10]  # the rates where no network got there


def test_start_figure_boxes_each_solved_start_in_order_coloured_by_its_weight_start() -> None:
    starts = [("zeros", "uniform"), ("uniform", "zeros"), ("uniform", "uniform"), ("zeros", "zeros")]
    table = pd.DataFrame(
        [(w, b, epochs) for (w, b), epochs in zip(starts, [5.0, 2.0, 3.0, np.nan]) for _ in range(10)],
        columns=["init", "bias_init", "rounded_stays"],
    )
    ax = plotting.start_figure(table, ["zeros", "uniform"], ["zeros", "uniform"], "starts").axes[0]
    assert [label.get_text() for label in ax.get_xticklabels()] == [
        "zeros / uniform",
        "uniform / zeros",
        "uniform / uniform",
    ]
    colors = [box.get_facecolor() for box in ax.patches]
    assert colors[1] == colors[2] != colors[0]  # one colour per weight start
    points = np.concatenate([c.get_offsets()[:, 1] for c in ax.collections if len(c.get_offsets())])
    assert sorted(points) == [2.0] * 10 + [3.0] * 10 + [5.0] * 10  # the all-zero start solved nothing: no box
    assert "zeros / zeros" in ax.get_xlabel()
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["zeros", "uniform"]


def test_tie_breaking_figure_names_every_run_in_the_loss_panel_and_the_threshold_in_its_own() -> None:
    table = pd.DataFrame({"asymmetry": [0.0, 1e-6]})
    spread = np.array([[0.0, 0.0, 0.0], [1e-6, 1e-4, 1.0]])
    loss = np.array([[0.2, 0.2, 0.2], [0.2, 0.1, 0.01]])
    fig = plotting.tie_breaking_figure(TieBreaking(table, spread, History(loss, np.zeros_like(loss))), "Ties")
    ax_spread, ax_loss = fig.axes
    assert fig.get_suptitle() == "Ties"
    assert not fig.legends
    assert [text.get_text() for text in ax_loss.get_legend().get_texts()] == ["0 (exact tie)", "1e-06"]
    assert [text.get_text() for text in ax_spread.get_legend().get_texts()] == ["tie broken (0.1)"]
    assert len(ax_loss.get_lines()) == 2  # every run, the exact tie included, is drawn on the loss panel
    assert ax_spread.get_xscale() == ax_loss.get_xscale() == "log"
    assert np.isnan(ax_spread.get_lines()[0].get_ydata()).all()  # zero spread cannot be drawn on a log scale
    np.testing.assert_array_equal(ax_loss.get_lines()[1].get_ydata(), loss[1])


# --- notebook 02 ---------------------------------------------------------------------------------------------------


def overlapping_labels(ax: plt.Axes) -> list[tuple[str, str]]:
    """The pairs of texts drawn on ``ax`` whose boxes overlap, as the figure renders."""
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    boxes = [(text.get_text(), text.get_window_extent(renderer)) for text in ax.texts if text.get_text().strip()]
    return [
        (first, second)
        for index, (first, box) in enumerate(boxes)
        for second, other in boxes[index + 1 :]
        if box.overlaps(other)
    ]


def test_direct_labels_keep_crowded_labels_apart() -> None:
    # a crowd: four points at 1,024, three near 256-400, two pairs further on
    latent = [16, 256, 256, 400, 1024, 1024, 1024, 1024, 2048, 2048, 2048, 4096, 4096]
    mse = [0.026, 0.0078, 0.0105, 0.0079, 0.0035, 0.0038, 0.0040, 0.012, 0.0023, 0.0023, 0.0005, 0.0008, 0.0009]
    names = [f"study_variant_{index}" for index in range(len(latent))]
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.scatter(latent, mse)
    ax.set(xscale="log", yscale="log")
    plotting.direct_labels(ax, list(zip(latent, mse)), names)
    assert len([text for text in ax.texts if hasattr(text, "xy")]) == len(names)
    assert overlapping_labels(ax) == []


def test_direct_labels_keep_clear_of_the_legend() -> None:
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([1, 2, 3], [1, 2, 3], label="a line with a long legend entry")
    ax.legend(loc="upper left")
    (label,) = plotting.direct_labels(ax, [(1.2, 2.8)], ["a label near the legend"])
    renderer = fig.canvas.get_renderer()
    assert not label.get_window_extent(renderer).overlaps(ax.get_legend().get_window_extent(renderer))


def test_seed_curves_draw_the_seeds_mean_and_range() -> None:
    histories = {seed: {"loss": [3.0, 2.0], "val_loss": [v, 1.5]} for seed, v in (("0", 2.0), ("1", 2.5), ("2", 3.0))}
    fig = plotting.seed_curves(histories, title="three seeds")
    (ax,) = fig.axes
    assert ax.get_title() == "three seeds"
    assert ax.yaxis.get_major_formatter()(0.004) == "0.004" and ax.yaxis.get_major_formatter()(0.015) == "0.015"
    training, validation = ax.get_lines()
    assert validation.get_ydata().tolist() == pytest.approx([2.5, 1.5])
    band = ax.collections[1].get_paths()[0].vertices[:, 1]  # the validation band: lowest to highest
    assert band.min() == pytest.approx(1.5) and band.max() == pytest.approx(3.0)
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "training: mean of the seeds",
        "validation: mean of the seeds",
    ]
    assert ax.get_yscale() == "log"


def test_gain_tradeoff_puts_one_labelled_point_per_gain_and_the_targets() -> None:
    table = pd.DataFrame({"vs_mean_chroma": [0.77, 0.8], "vs_truth": [0.45, 0.63]}, index=[1.0, 1.4])
    fig = plotting.gain_tradeoff(table, {"vs_mean_chroma": 0.7, "vs_truth": 0.6})
    (ax,) = fig.axes
    np.testing.assert_allclose(ax.get_lines()[0].get_xydata(), [[0.45, 0.77], [0.63, 0.8]])
    assert [text.get_text() for text in ax.texts] == ["1", "1.4"]
    assert ax.get_lines()[1].get_ydata()[0] == 0.7 and ax.get_lines()[2].get_xdata()[0] == 0.6
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [  # one entry per target, with its value
        "target: chroma MSE ratio ≤ 0.70x",
        "target: colourfulness ratio ≥ 0.6x",
    ]


def test_seed_ranges_draw_each_seed_and_shade_the_base_range() -> None:
    values = {"base": [4.0, 4.2, 3.8], "better": [1.0, 1.1, 1.2], "worse": [8.0, 9.0, 10.0]}
    fig = plotting.seed_ranges(values, "base", "validation MSE", "title")
    (ax,) = fig.axes
    assert [label.get_text() for label in ax.get_yticklabels()] == ["base", "better", "worse"]
    assert ax.get_xscale() == "log"
    ticks = ax.xaxis.get_major_locator().tick_values(0.0004, 0.03)  # plain numbers at 1, 2 and 5 per decade
    shown = [ax.xaxis.get_major_formatter()(tick) for tick in ticks if 0.0004 <= tick <= 0.03]
    assert shown == "0.0005 0.001 0.002 0.005 0.01 0.02".split()
    band = ax.patches[0].get_bbox()  # the base's range, shaded and outlined
    assert (band.x0, band.x1) == pytest.approx((3.8, 4.2))
    assert sorted(line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--") == [3.8, 4.2]
    assert sum(len(collection.get_offsets()) for collection in ax.collections) == 9
    rows = np.concatenate([collection.get_offsets()[:, 1] for collection in ax.collections])
    assert len(set(np.round(rows, 6))) == 9  # three seeds per row, each at its own height
    bars = [line for line in ax.lines if line.get_marker() == "|"]  # each row's range, drawn over its circles
    assert [tuple(bar.get_xdata()) for bar in bars] == [(3.8, 4.2), (1.0, 1.2), (8.0, 10.0)]
    assert min(bar.get_zorder() for bar in bars) > max(collection.get_zorder() for collection in ax.collections)


def test_colorization_rows_merge_each_prediction_with_the_input_luminance() -> None:
    truth = np.random.default_rng(0).integers(0, 256, (3, 4, 4, 3), dtype=np.uint8)
    ycrcb = rgb_to_ycrcb(truth.astype(np.float32) / 255)
    luma, chroma = ycrcb[..., :1], ycrcb[..., 1:]
    fig = plotting.colorization_rows(luma, {"perfect": chroma, "none": np.full_like(chroma, 0.5)}, truth)
    assert [ax.get_ylabel() for ax in fig.axes[::3]] == ["gray input", "perfect", "none", "ground truth"]
    perfect = fig.axes[3].get_images()[0].get_array()
    np.testing.assert_allclose(perfect, truth[0] / 255, atol=1e-5)  # the true chroma gives back the image
    none = fig.axes[6].get_images()[0].get_array()
    np.testing.assert_allclose(none, np.repeat(luma[0], 3, axis=-1), atol=1e-5)  # no colour: the gray image


def test_colorization_rows_show_an_rgb_prediction_as_it_is() -> None:
    truth = np.random.default_rng(0).integers(0, 256, (2, 4, 4, 3), dtype=np.uint8)
    luma = rgb_to_ycrcb(truth.astype(np.float32) / 255)[..., :1]
    fig = plotting.colorization_rows(luma, {"own output": np.full((2, 4, 4, 3), 0.25)}, truth)
    np.testing.assert_allclose(fig.axes[2].get_images()[0].get_array(), 0.25)


def test_latent_sweep_figure_shows_every_seed_and_labels_each_size() -> None:
    runs = pd.DataFrame(
        {
            "channels": [1, 1, 2, 2],
            "seed": [0, 1, 0, 1],
            "latent_values": [64, 64, 128, 128],
            "best_val_mse": [0.01, 0.011, 0.006, 0.007],
            "epochs": [20] * 4,
            "parameters": [100, 100, 150, 150],
        }
    )
    table = runs.groupby("channels").agg(
        latent_values=("latent_values", "first"),
        mean_val_mse=("best_val_mse", "mean"),
        parameters=("parameters", "first"),
    )
    wide = runs.assign(latent_values=runs.latent_values * 4, best_val_mse=[0.01, 0.011, 0.006, 0.03])
    wide_table = table.assign(latent_values=table.latent_values * 4, mean_val_mse=[0.0105, 0.018])
    fig = plotting.latent_sweep_figure({8: LatentSweep(runs, table), 16: LatentSweep(wide, wide_table)})
    ax = fig.axes[0]
    assert len(ax.collections[0].get_offsets()) == len(ax.collections[1].get_offsets()) == 4
    assert [text.get_text() for text in ax.texts] == ["C = 1", "C = 2"] * 2
    assert [text.get_text() for text in fig.axes[1].texts] == [text.get_text() for text in ax.texts]
    assert overlapping_labels(ax) == []
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "8 x 8 x C: mean",
        "16 x 16 x C: mean",
        "one seed",
    ]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    right = fig.axes[1]  # the same seeds against their parameters
    assert right.get_xlabel() == "parameters"
    for axis in (ax.xaxis, ax.yaxis, right.xaxis):  # every log axis labelled with plain numbers
        assert [axis.get_major_formatter()(value) for value in (0.002, 30, 1_000)] == ["0.002", "30", "1,000"]
    assert {text.get_fontsize() for text in ax.texts + right.texts} == {plotting.autoencoders.ANNOTATION_SIZE}
    assert right.collections[0].get_offsets()[:, 0].tolist() == [100, 100, 150, 150]
    variants = pd.DataFrame({"latent_values": [16, 400], "mean": [0.02, 0.008]}, index=["stride 2", "valid"])
    fig = plotting.latent_sweep_figure({8: LatentSweep(runs, table)}, variants, input_values=3072)
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]  # one entry for all the variants
    assert legend[-2:] == ["study variant: mean", "input size (3,072 values)"]
    assert ax.collections[-1].get_offsets().tolist() == [[16, 0.02], [400, 0.008]]
    named = {text.get_text(): text.xy for text in ax.texts}  # each variant named beside its own marker
    assert named["stride 2"] == (16, 0.02) and named["valid"] == (400, 0.008)
    assert overlapping_labels(ax) == []
    assert ax.lines[-1].get_xdata()[0] == 3072


def test_paired_rates_figure_puts_each_seed_against_the_chosen_rate() -> None:
    seeds = pd.Index([30, 31, 32, 33], name="seed")
    epochs = {
        90: pd.Series([100.0, 120, 140, 160], index=seeds),
        100: pd.Series([90.0, 110, 150, np.nan], index=seeds),  # seed 33 never got there: left out
    }
    fig = plotting.paired_rates_figure(epochs, 90, "test seeds")
    [ax] = fig.axes
    dots = ax.collections[0].get_offsets()
    np.testing.assert_array_equal(dots, [[100, 90], [120, 110], [140, 150]])
    assert ax.get_title() == "rate 100 sooner on 2 of 3 seeds (unequal)"
    plt.close(fig)
