"""Where the project keeps its figures, models and cached data (anchored to the repository, not the cwd)."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# COURSEWORK_FIGURES_DIR redirects figures, so that `make test` (nbval runs the notebooks) leaves figures/ untouched.
FIGURES_DIR = Path(os.environ.get("COURSEWORK_FIGURES_DIR", REPO_ROOT / "figures"))
# The committed models: only a checkout has them (an installed package does not; coursework.store says so).
MODELS_DIR = REPO_ROOT / "models"
DATA_DIR = REPO_ROOT / "data"
