"""Sweeps over many 8-3-8 networks, summarised as pandas tables for the notebook's studies."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursework.backprop.gradient_check import gradient_check
from coursework.backprop.network import ACTIVATIONS, History, Network
from coursework.backprop.stacked import train_stacked

REFERENCE_LOSS = 0.0018  # the reference report's final loss, used as the "converged" loss threshold
# A twin network started NUDGE away (in every parameter) is "round-off sensitive" if training amplifies the nudge
# to more than SENSITIVE_DIVERGENCE. Measured on this task (notebook 01's studies, on AVX-512 and emulated AVX2 and
# SSE kernels alike): at most 3e-3 where every kernel gave the same outcome, 1 to 30 in every group with a chaotic
# network. The threshold sits in that gap, so the verdict itself does not hinge on the CPU.
NUDGE = 1e-9
SENSITIVE_DIVERGENCE = 0.1
TIE_BROKEN = 1e-3  # hidden units that differ by more than this in some parameter no longer compute the same function


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
    nudge: float | None = None,
    batch_size: int | None = None,
) -> Sweep:
    """Train one network per combination of the arguments, stacked (one stack per activation).

    Full batch unless ``batch_size`` is given (then every network shuffles its own mini-batches each epoch).
    With ``nudge``, each network also trains a :func:`nudged_twin` alongside, and the table gains a column
    ``divergence``: the largest parameter difference between the two at the end. It separates outcomes that are
    robust from those that a round-off-sized change (another CPU's BLAS kernel) could flip.
    """
    grid = list(itertools.product(activations, inits, bias_inits, learning_rates, weight_decays, seeds))
    if not grid:
        raise ValueError("the sweep is empty: every argument needs at least one value")
    columns = ["activation", "init", "bias_init", "learning_rate", "weight_decay", "seed"]
    table = pd.DataFrame(grid, columns=columns)
    networks = [
        Network(layer_sizes, init=init, bias_init=bias_init, activation=activation, seed=seed)
        for activation, init, bias_init, _, _, seed in grid
    ]
    twins = [nudged_twin(net, nudge, seed=i) for i, net in enumerate(networks)] if nudge is not None else []
    copies = 2 if twins else 1
    losses = np.empty((len(grid), epochs))
    accuracies = np.empty((len(grid), epochs))
    for _, rows in table.groupby("activation", sort=False).groups.items():
        rows = np.asarray(rows)
        history = train_stacked(
            [networks[i] for i in rows] + [twins[i] for i in rows if twins],
            X,
            Y,
            epochs,
            np.tile(table.learning_rate.to_numpy()[rows], copies),
            np.tile(table.weight_decay.to_numpy()[rows], copies),
            batch_size=batch_size,
        )
        losses[rows], accuracies[rows] = history.loss[: len(rows)], history.accuracy[: len(rows)]
    history = History(losses, accuracies)
    if twins:
        table["divergence"] = [parameter_distance(net, twin) for net, twin in zip(networks, twins)]
    table["epochs_to_100"] = history.epochs_to_accuracy(1.0)
    table["epochs_to_stable_100"] = history.epochs_to_accuracy(1.0, stable=True)
    table["epochs_to_loss"] = history.epochs_to_loss(loss_threshold)
    table["final_loss"] = losses[:, -1]
    table["final_accuracy"] = accuracies[:, -1]
    return Sweep(table, history, networks)


def summarise(table: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Per group: share of networks solving the task, and median / quartiles of the epochs they needed.

    "Solved" means 100 % accuracy at the last epoch; epoch statistics are over the networks that got there.
    For a sweep run with ``nudge``, ``round_off_sensitive`` flags groups where some network's nudge grew past
    :data:`SENSITIVE_DIVERGENCE`: their outcome may differ on a CPU that rounds differently.
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
    if "divergence" in table:
        summary["round_off_sensitive"] = groups.divergence.max() > SENSITIVE_DIVERGENCE
    return summary


def round_epochs(value: float) -> str:
    """An epoch count to 2 significant figures ("never" for NaN), so that a printed check does not hinge on one epoch
    either way."""
    return "never" if np.isnan(value) else f"{float(f'{value:.2g}'):g}"


def gradient_check_table(
    layer_sizes: Iterable[Sequence[int]],
    activations: Iterable[str] = ("sigmoid", "tanh"),
    weight_decays: Iterable[float] = (0.0, 0.1),
    samples: int = 6,
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`gradient_check` over network shapes, activations and weight decays: one row per combination.

    Each network has Xavier weights and uniform biases (from ``seed + 1``), so that no gradient is zero by symmetry,
    and its own ``samples`` random inputs and targets in [0, 1) (from ``seed``).
    """
    rng = np.random.default_rng(seed)
    activations, weight_decays = list(activations), list(weight_decays)
    rows = []
    for sizes in layer_sizes:
        for activation in activations:
            net = Network(sizes, init="xavier", bias_init="uniform", activation=activation, seed=seed + 1)
            inputs, targets = rng.random((samples, sizes[0])), rng.random((samples, sizes[-1]))
            for decay in weight_decays:
                error = gradient_check(net, inputs, targets, weight_decay=decay)
                rows.append(("-".join(map(str, sizes)), activation, decay, error))
    return pd.DataFrame(rows, columns=["layers", "activation", "weight_decay", "max_relative_error"])


def prediction_table(network: Network, X: np.ndarray) -> pd.DataFrame:
    """Per sample: the input and the output rounded to whole numbers, as digit strings, and the largest output."""
    outputs = network.predict(X)
    return pd.DataFrame(
        {
            "input": _digits(X),
            "output (rounded)": _digits(np.rint(outputs)),
            "largest output": outputs.max(axis=1).round(2),
        }
    )


def _digits(rows: np.ndarray) -> list[str]:
    """Each row of whole numbers as one string of digits: ``[0, 1, 0]`` -> ``"010"``."""
    return ["".join(map(str, row)) for row in rows.astype(int)]


def hidden_code(network: Network, X: np.ndarray) -> tuple[np.ndarray, float]:
    """The hidden layer's activations rounded to bits, and how far the activations are from those bits.

    For the 8-3-8 encoder a learned 3-bit code has 8 distinct rows; a small distance means near-binary units.
    """
    hidden = network.hidden_activations(X)
    low, high = ACTIVATIONS[network.activation].output_range
    bits = (hidden > (low + high) / 2).astype(int)
    distance = float(np.max(np.abs(hidden - np.where(bits == 1, high, low))))
    return bits, distance


def nudged_twin(network: Network, nudge: float, seed: int = 0) -> Network:
    """A copy of ``network`` with ``nudge`` times standard normal noise added to every weight and bias."""
    if not np.isfinite(nudge) or nudge <= 0:
        raise ValueError(f"nudge must be finite and > 0, got {nudge!r}")
    twin = copy.deepcopy(network)
    rng = np.random.default_rng(seed)
    for parameter in twin.parameters().values():
        parameter += nudge * rng.standard_normal(parameter.shape)
    return twin


def parameter_distance(a: Network, b: Network) -> float:
    """Largest absolute difference between corresponding weights and biases of two networks of one shape."""
    pairs = zip(a.parameters().values(), b.parameters().values())
    return max(float(np.max(np.abs(pa - pb))) for pa, pb in pairs)


def unit_spread(network: Network) -> float:
    """How far apart the first hidden layer's units are: the largest difference, over units, between a unit's
    incoming weights, bias and outgoing weights and those of unit 0. Exactly 0.0 while the units are tied."""
    parameters = network.parameters()
    incoming, bias, outgoing = parameters["W1"], parameters["b1"], parameters["W2"]
    return max(
        float(np.max(np.abs(incoming - incoming[:, :1]))),
        float(np.max(np.abs(bias - bias[0]))),
        float(np.max(np.abs(outgoing - outgoing[:1]))),
    )


@dataclass
class TieBreaking:
    """A zero-initialisation run per asymmetry: ``table`` rows align with ``spread`` (networks, epochs)."""

    table: pd.DataFrame
    spread: np.ndarray
    history: History


def tie_breaking_study(
    X: np.ndarray,
    Y: np.ndarray,
    asymmetries: Sequence[float],
    *,
    epochs: int,
    learning_rate: float,
    layer_sizes: Sequence[int] = (8, 3, 8),
) -> TieBreaking:
    """Train networks with zero weights whose biases start at ``asymmetry`` times one standard normal draw.

    Asymmetry 0 is the exactly tied start, which only the machine's round-off can untie. Training runs epoch
    by epoch (the same arithmetic as one call) to record :func:`unit_spread` after every epoch. The table
    gives, per asymmetry, the first epoch at which the units differ by more than :data:`TIE_BROKEN`, the first
    epoch at 100 % accuracy and the final accuracy (NaN: never).
    """
    # One generic direction for every bias: it must untie the hidden units *and* the inputs (with zero weights and
    # equal output biases, permuting inputs and outputs together is a symmetry too, which round-off alone would
    # otherwise have to break).
    start = Network(layer_sizes, init="zeros", bias_init="normal", seed=0)
    networks = []
    for asymmetry in asymmetries:
        network = Network(layer_sizes, init="zeros", bias_init="zeros")
        network.biases = [asymmetry * bias for bias in start.biases]
        networks.append(network)
    spread = np.empty((len(networks), epochs))
    losses = np.empty((len(networks), epochs))
    accuracies = np.empty((len(networks), epochs))
    for epoch in range(epochs):
        step = train_stacked(networks, X, Y, 1, learning_rate)
        losses[:, epoch], accuracies[:, epoch] = step.loss[:, 0], step.accuracy[:, 0]
        spread[:, epoch] = [unit_spread(network) for network in networks]
    history = History(losses, accuracies)
    broken = spread > TIE_BROKEN
    table = pd.DataFrame(
        {
            "asymmetry": list(asymmetries),
            "epochs_to_tie_broken": np.where(broken.any(axis=1), broken.argmax(axis=1) + 1.0, np.nan),
            "epochs_to_100": history.epochs_to_accuracy(1.0),
            "final_accuracy": accuracies[:, -1],
        }
    )
    return TieBreaking(table, spread, history)


def tie_verdict(ties: TieBreaking) -> str:
    """What round-off did to the exactly tied start (asymmetry 0) of ``ties`` on this machine, as Markdown.

    Generated rather than written by hand, because the outcome depends on how the CPU's BLAS kernels round.
    """
    exact = np.flatnonzero(ties.table.asymmetry.to_numpy() == 0)
    if exact.size == 0:
        raise ValueError("the tie-breaking study has no exactly tied start: include asymmetry 0.0")
    row, spread = ties.table.iloc[exact[0]], ties.spread[exact[0]]
    if not spread.any():
        return (
            f"**On this machine the tie held.** The all-zero network's hidden units stayed exactly equal (difference "
            f"0.0) for all {spread.size:,} epochs, and accuracy ended at {row.final_accuracy:.1%}: this "
            "CPU's BLAS kernels round the three columns alike, so floating point behaved like exact arithmetic."
        )
    first = int(np.argmax(spread > 0)) + 1
    verdict = (
        f"**On this machine round-off made the units differ** from epoch {first} on, first by "
        f"{spread[first - 1]:.1e}, a last-bit rounding difference. "
    )
    if np.isnan(row.epochs_to_tie_broken):
        held = f"The gap stayed below {TIE_BROKEN:g} for all {spread.size:,} epochs: the tie effectively held."
        return verdict + held
    verdict += f"Training amplified it past {TIE_BROKEN:g} by epoch {row.epochs_to_tie_broken:,.0f}, and the network "
    if np.isnan(row.epochs_to_100):
        return verdict + "never reached 100 % accuracy."
    return verdict + (
        f"reached 100 % accuracy at epoch {row.epochs_to_100:,.0f}: it escaped through noise in the arithmetic, not "
        "through anything in its initialisation."
    )
