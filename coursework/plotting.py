"""Figure helpers shared by the notebooks."""

from pathlib import Path

import matplotlib.pyplot as plt

from coursework.paths import FIGURES_DIR


def save_figure(fig: plt.Figure, name: str) -> Path:
    """Save ``fig`` as ``figures/<name>.png`` (150 dpi, tight) and return the path."""
    if not name or "/" in name or name.endswith(".png"):
        raise ValueError(f"name must be a bare file stem like 'lr_study', got {name!r}")
    FIGURES_DIR.mkdir(exist_ok=True)
    path = FIGURES_DIR / f"{name}.png"
    fig.savefig(path, dpi=150, bbox_inches="tight")
    return path
