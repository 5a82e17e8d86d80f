"""Backpropagation from scratch (NumPy only): the network, its stacked sweeps, the gradient check, the studies.

* :mod:`~coursework.backprop.network`: :class:`Network`, with :func:`forward` and :func:`backward` (what trains it);
* :mod:`~coursework.backprop.stacked`: :func:`train_stacked`, many networks at once, the same arithmetic;
* :mod:`~coursework.backprop.gradient_check`: analytic gradients against numerical ones;
* :mod:`~coursework.backprop.studies`: sweeps summarised as tables for notebook 01.
"""

from coursework.backprop.gradient_check import gradient_check
from coursework.backprop.network import (
    ACTIVATIONS,
    INITIALISERS,
    Activation,
    History,
    Network,
    backward,
    encoder_dataset,
    forward,
)
from coursework.backprop.stacked import train_stacked

__all__ = [
    "ACTIVATIONS",
    "INITIALISERS",
    "Activation",
    "History",
    "Network",
    "backward",
    "encoder_dataset",
    "forward",
    "gradient_check",
    "train_stacked",
]
