"""Tests of the figure helpers (coursework.plotting) on small synthetic data: what each figure shows, not pixels."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from coursework import plotting
from coursework.backprop import History, Network
from coursework.backprop_studies import Sweep, TieBreaking


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_save_figure_writes_a_png_into_the_figures_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(plotting, "FIGURES_DIR", tmp_path / "figures")
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
    assert heatmaps[1].texts[0].get_text() == f"{net.parameters()['W1'][0, 0]:.1f}"
    assert [label.get_text() for label in heatmaps[2].get_yticklabels()] == ["h1", "h2", "h3"]


def synthetic_sweep() -> tuple[Sweep, pd.DataFrame]:
    """Two learning rates with three networks each over 4 epochs; one network of the second rate never solves."""
    table = pd.DataFrame({"learning_rate": [1.0] * 3 + [10.0] * 3, "epochs_to_100": [3.0, 4.0, 3.0, 1.0, 2.0, np.nan]})
    loss = np.linspace(1.0, 0.1, 4) * np.arange(1, 7)[:, None]
    history = History(loss, np.zeros_like(loss))
    summary = pd.DataFrame({"round_off_sensitive": [False, True]}, index=pd.Index([1.0, 10.0], name="learning_rate"))
    return Sweep(table, history, []), summary


def test_learning_rate_figure_shows_curves_per_rate_and_marks_chaotic_rates() -> None:
    study, summary = synthetic_sweep()
    fig = plotting.learning_rate_figure(study, summary)
    ax_curve, ax_box = fig.axes
    assert ax_curve.get_title() == "Loss: median and 10-90 % band over 3 seeds"
    medians = [line for line in ax_curve.get_lines() if line.get_label() in ("1", "10")]
    np.testing.assert_allclose(medians[0].get_ydata(), np.linspace(1.0, 0.1, 4) * 2)  # median of networks 1-3
    assert [label.get_text() for label in ax_box.get_xticklabels()] == ["1", "10*"]
    points = np.concatenate([c.get_offsets()[:, 1] for c in ax_box.collections if len(c.get_offsets())])
    assert sorted(points) == [1.0, 2.0, 3.0, 3.0, 4.0]  # every network that got there, and only those


def test_tie_breaking_figure_says_when_the_exact_tie_never_moved() -> None:
    table = pd.DataFrame({"asymmetry": [0.0, 1e-6]})
    spread = np.array([[0.0, 0.0, 0.0], [1e-6, 1e-4, 1.0]])
    loss = np.array([[0.2, 0.2, 0.2], [0.2, 0.1, 0.01]])
    fig = plotting.tie_breaking_figure(TieBreaking(table, spread, History(loss, np.zeros_like(loss))), "Ties")
    ax_spread, ax_loss = fig.axes
    assert fig.get_suptitle() == "Ties"
    labels = [text.get_text() for text in ax_spread.get_legend().get_texts()]
    assert labels == ["0 (exact tie; round-off only): stays 0.0 (not drawn left)", "1e-06", "tie broken (0.001)"]
    assert np.isnan(ax_spread.get_lines()[0].get_ydata()).all()  # zero spread cannot be drawn on a log scale
    np.testing.assert_array_equal(ax_loss.get_lines()[1].get_ydata(), loss[1])
