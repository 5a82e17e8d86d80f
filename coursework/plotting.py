"""Figure helpers shared by the notebooks."""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from coursework.paths import FIGURES_DIR


def save_figure(fig: plt.Figure, name: str) -> Path:
    """Save ``fig`` as ``figures/<name>.png`` (150 dpi, tight) and return the path."""
    if not name or "/" in name or name.endswith(".png"):
        raise ValueError(f"name must be a bare file stem like 'lr_study', got {name!r}")
    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    path = FIGURES_DIR / f"{name}.png"
    fig.savefig(path, dpi=150, bbox_inches="tight")
    return path


def image_rows(rows: dict[str, np.ndarray], titles: list[str] | None = None, size: float = 1.1) -> plt.Figure:
    """A grid with one labelled row per entry of ``rows`` (each (N, H, W, 3) in [0, 1] or uint8), N columns."""
    columns = len(next(iter(rows.values())))
    fig, axes = plt.subplots(len(rows), columns, figsize=(columns * size, len(rows) * size * 1.05), squeeze=False)
    for row_axes, (label, images) in zip(axes, rows.items()):
        for column, (ax, image) in enumerate(zip(row_axes, images)):
            ax.imshow(np.clip(image, 0, 1) if image.dtype != np.uint8 else image)
            ax.set_xticks([])
            ax.set_yticks([])
            if titles is not None and label == next(iter(rows)):
                ax.set_title(titles[column], fontsize=8)
        row_axes[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    fig.subplots_adjust(wspace=0.05, hspace=0.05)
    return fig
