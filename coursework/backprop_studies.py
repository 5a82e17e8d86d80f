"""Sweeps over many 8-3-8 networks, summarised as pandas tables for the notebook's studies."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursework.backprop import History, Network, train_stacked

REFERENCE_LOSS = 0.0018  # the reference report's final loss, used as the "converged" loss threshold
ACTIVATION_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # output range of each activation


@dataclass
class Sweep:
    """One row of ``table`` per trained network, aligned with ``networks`` and ``history`` (stacked)."""

    table: pd.DataFrame
    history: History
    networks: list[Network]


def sweep(
    X: np.ndarray,
    Y: np.ndarray,
    *,
    epochs: int,
    learning_rates: Iterable[float] = (1.0,),
    inits: Iterable[str] = ("uniform",),
    bias_inits: Iterable[str] = ("zeros",),
    activations: Iterable[str] = ("sigmoid",),
    weight_decays: Iterable[float] = (0.0,),
    seeds: Iterable[int] = range(20),
    layer_sizes: Sequence[int] = (8, 3, 8),
    loss_threshold: float = REFERENCE_LOSS,
) -> Sweep:
    """Train one network per combination of the arguments, stacked (one stack per activation)."""
    grid = list(itertools.product(activations, inits, bias_inits, learning_rates, weight_decays, seeds))
    if not grid:
        raise ValueError("the sweep is empty: every argument needs at least one value")
    columns = ["activation", "init", "bias_init", "learning_rate", "weight_decay", "seed"]
    table = pd.DataFrame(grid, columns=columns)
    networks = [
        Network(layer_sizes, init=init, bias_init=bias_init, activation=activation, seed=seed)
        for activation, init, bias_init, _, _, seed in grid
    ]
    losses = np.empty((len(grid), epochs))
    accuracies = np.empty((len(grid), epochs))
    for _, rows in table.groupby("activation", sort=False).groups.items():
        rows = np.asarray(rows)
        history = train_stacked(
            [networks[i] for i in rows],
            X,
            Y,
            epochs,
            table.learning_rate.to_numpy()[rows],
            table.weight_decay.to_numpy()[rows],
        )
        losses[rows], accuracies[rows] = history.loss, history.accuracy
    history = History(losses, accuracies)
    table["epochs_to_100"] = history.epochs_to_accuracy(1.0)
    table["epochs_to_stable_100"] = history.epochs_to_accuracy(1.0, stable=True)
    table["epochs_to_loss"] = history.epochs_to_loss(loss_threshold)
    table["final_loss"] = losses[:, -1]
    table["final_accuracy"] = accuracies[:, -1]
    return Sweep(table, history, networks)


def summarise(table: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Per group: share of networks solving the task, and median / quartiles of the epochs they needed.

    "Solved" means 100 % accuracy at the last epoch; epoch statistics are over the networks that got there.
    """
    groups = table.groupby(by, sort=False)
    summary = pd.DataFrame(
        {
            "networks": groups.size(),
            "solved_%": groups.final_accuracy.apply(lambda a: 100 * float(np.mean(a == 1.0))),
            "median_epochs_to_100": groups.epochs_to_100.median(),
            "q25_epochs_to_100": groups.epochs_to_100.quantile(0.25),
            "q75_epochs_to_100": groups.epochs_to_100.quantile(0.75),
            "median_epochs_to_loss": groups.epochs_to_loss.median(),
            "median_final_loss": groups.final_loss.median(),
        }
    )
    return summary


def hidden_code(network: Network, X: np.ndarray) -> tuple[np.ndarray, float]:
    """The hidden layer's activations rounded to bits, and how far the activations are from those bits.

    For the 8-3-8 encoder a learned 3-bit code has 8 distinct rows; a small distance means near-binary units.
    """
    hidden = network.hidden_activations(X)
    low, high = ACTIVATION_RANGE[network.activation]
    bits = (hidden > (low + high) / 2).astype(int)
    distance = float(np.max(np.abs(hidden - np.where(bits == 1, high, low))))
    return bits, distance
