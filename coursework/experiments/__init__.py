"""The experiments of notebook 02: declared in :mod:`~coursework.experiments.registry` (exported here; importing it
imports no TensorFlow), loaded or trained in :mod:`~coursework.experiments.runs`, trained from the command line by
``python -m coursework.experiments``."""

from coursework.experiments.registry import (
    REGISTRY,
    SEEDS,
    SWEEP_CHANNELS,
    Experiment,
    configurations,
    experiment,
    latent_sweep_name,
    names,
    seeds_of,
)

__all__ = [
    "REGISTRY",
    "SEEDS",
    "SWEEP_CHANNELS",
    "Experiment",
    "configurations",
    "experiment",
    "latent_sweep_name",
    "names",
    "seeds_of",
]
