"""The notebooks' figures. Every helper returns its Figure; the notebook saves it with :func:`save_figure` and shows it.

Matplotlib only (seaborn, which the notebooks use for their theme, is not needed here):
:mod:`~coursework.plotting.common` (generic helpers), :mod:`~coursework.plotting.labels` (direct labels),
:mod:`~coursework.plotting.backprop` (notebook 01) and :mod:`~coursework.plotting.autoencoders` (notebook 02).
"""

from coursework.plotting.autoencoders import (
    colorization_rows,
    gain_tradeoff,
    latent_sweep_figure,
    seed_curves,
    seed_ranges,
)
from coursework.plotting.backprop import (
    hidden_layer_heatmaps,
    learning_rate_figure,
    paired_rates_figure,
    start_figure,
    tie_breaking_figure,
)
from coursework.plotting.common import (
    annotated_heatmap,
    distinct_colors,
    epoch_curves,
    image_rows,
    save_figure,
    training_curves,
)
from coursework.plotting.labels import direct_labels

__all__ = [
    "annotated_heatmap",
    "colorization_rows",
    "direct_labels",
    "distinct_colors",
    "epoch_curves",
    "gain_tradeoff",
    "hidden_layer_heatmaps",
    "image_rows",
    "latent_sweep_figure",
    "learning_rate_figure",
    "paired_rates_figure",
    "save_figure",
    "seed_curves",
    "seed_ranges",
    "start_figure",
    "tie_breaking_figure",
    "training_curves",
]
