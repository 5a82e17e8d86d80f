"""Sweeps over many 8-3-8 networks, summarised as pandas tables for the notebook's studies."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursework.backprop.gradient_check import gradient_check
from coursework.backprop.network import ACTIVATIONS, Backward, History, Network, backward
from coursework.backprop.stacked import rounded_right, train_stacked

REFERENCE_LOSS = 0.0018  # the reference report's final loss; a sweep's default loss threshold
MARGIN = 1e-6  # an output counts as the largest only if it beats every other by more than this (no argmax tie)
TIE_BROKEN = 0.1  # hidden units this far apart in some parameter: in notebook 01 the loss leaves its plateau about then


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
    batch_size: int | None = None,
) -> Sweep:
    """Train one network per combination of the arguments, stacked (one stack per activation).

    Full batch unless ``batch_size`` is given (then every network shuffles its own mini-batches each epoch).
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
            batch_size=batch_size,
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
    """Per group: networks solving the task (``solved``, ``solved_%``), median / quartiles of the epochs they needed,
    median / quartiles of the epoch from which each network stays at 100 % (``*_stable_epoch``), and
    ``all_stable_epoch``: the epoch from which every network of the group stays at 100 % (NaN if one does not).

    "Solved" means 100 % accuracy at the last epoch; epoch statistics are over the networks that got there.
    """
    groups = table.groupby(by, sort=False)
    summary = pd.DataFrame(
        {
            "networks": groups.size(),
            "solved": groups.final_accuracy.apply(lambda a: int((a == 1.0).sum())),
            "median_epochs_to_100": groups.epochs_to_100.median(),
            "q25_epochs_to_100": groups.epochs_to_100.quantile(0.25),
            "q75_epochs_to_100": groups.epochs_to_100.quantile(0.75),
            "median_epochs_to_loss": groups.epochs_to_loss.median(),
            "median_final_loss": groups.final_loss.median(),
            "median_stable_epoch": groups.epochs_to_stable_100.median(),
            "q25_stable_epoch": groups.epochs_to_stable_100.quantile(0.25),
            "q75_stable_epoch": groups.epochs_to_stable_100.quantile(0.75),
            "all_stable_epoch": groups.epochs_to_stable_100.apply(lambda e: e.max() if e.notna().all() else np.nan),
        }
    )
    summary.insert(2, "solved_%", 100 * summary.solved / summary.networks)
    if "rounded_first" in table:  # joined from epochs_to_rounded(...).add_prefix("rounded_")
        first, stays = groups.rounded_first, groups.rounded_stays
        summary["rounded"] = stays.count()
        summary["rounded_lost"] = groups.apply(lambda g: int((g.rounded_first < g.rounded_stays.fillna(np.inf)).sum()))
        summary["all_rounded_epoch"] = stays.apply(lambda e: e.max() if e.notna().all() else np.nan)
        summary["median_epochs_to_rounded"] = first.median()
        summary["median_epochs_solved_for_good"] = stays.median()
        summary["q25_epochs_solved_for_good"] = stays.quantile(0.25)
        summary["q75_epochs_solved_for_good"] = stays.quantile(0.75)
    return summary


def round_epochs(value: float) -> str:
    """An epoch count, or a median or quartile of them, to the nearest half epoch (so a median prints exactly), or
    "never" for NaN."""
    return "never" if np.isnan(value) else f"{np.floor(2 * value + 0.5) / 2:g}"


def gradient_check_table(
    layer_sizes: Iterable[Sequence[int]],
    activations: Iterable[str] = ("sigmoid", "tanh"),
    weight_decays: Iterable[float] = (0.0, 0.1),
    samples: int = 6,
    seed: int = 0,
    step: float = 1e-3,
    backward: Backward = backward,
) -> pd.DataFrame:
    """:func:`gradient_check` (with ``step`` and ``backward``) over network shapes, activations and weight decays:
    one row per combination.

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
                error = gradient_check(net, inputs, targets, decay, step, backward)
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


def hidden_codes(networks: Iterable[Network], X: np.ndarray) -> pd.DataFrame:
    """Per network, its hidden code (:func:`hidden_code`): ``distinct_codes`` (of ``len(X)``), ``distance`` (the
    largest distance of an activation from its bit) and ``signs_match``: whether every output's column of the last
    weight matrix is positive exactly on the units that are 1 in its input's code (one-hot ``X`` in order)."""
    rows = []
    for network in networks:
        bits, distance = hidden_code(network, X)
        signs_match = bool((np.sign(network.weights[-1]).T == 2 * bits - 1).all())
        rows.append((len({tuple(code) for code in bits}), distance, signs_match))
    return pd.DataFrame(rows, columns=["distinct_codes", "distance", "signs_match"])


def decoding_table(network: Network, X: np.ndarray) -> pd.DataFrame:
    """How the last layer reads each input's hidden code, for one-hot ``X`` in order (input ``i``'s target is output
    ``i``): per input, its code (:func:`hidden_code`), its own output's pre-activation ``z`` split into the weights'
    part ``a W`` and the bias ``b``, and the largest pre-activation of any other output. The input is decoded
    correctly where ``z`` exceeds that largest other one."""
    bits, _ = hidden_code(network, X)
    weighted = network.forward(X)[-2].dot(network.weights[-1])
    z = weighted + network.biases[-1]
    own = np.arange(len(X))
    return pd.DataFrame(
        {
            "input": own,
            "code": _digits(bits),
            "a W": weighted[own, own],
            "b": network.biases[-1][own],
            "z": z[own, own],
            "largest other z": np.where(np.eye(len(X), dtype=bool), -np.inf, z).max(axis=1),
        }
    )


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

    Asymmetry 0 is the exactly tied start, which only the machine's round-off can untie. Each network trains with
    :meth:`Network.train`, one epoch per call (the same arithmetic as one call for all epochs), to record
    :func:`unit_spread` after every epoch. The table
    gives, per asymmetry, the first epoch at which the units differ by more than :data:`TIE_BROKEN`, the first
    epoch at 100 % accuracy (NaN: never), the final accuracy, the number of distinct rows of the final ``W_1``
    (one per input; all equal while the inputs stay tied), of distinct hidden codes and
    :func:`decoded_with_margin`.
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
    for index, network in enumerate(networks):
        for epoch in range(epochs):
            step = network.train(X, Y, 1, learning_rate)
            losses[index, epoch], accuracies[index, epoch] = step.loss[0], step.accuracy[0]
            spread[index, epoch] = unit_spread(network)
    history = History(losses, accuracies)
    broken = spread > TIE_BROKEN
    table = pd.DataFrame(
        {
            "asymmetry": list(asymmetries),
            "epochs_to_tie_broken": np.where(broken.any(axis=1), broken.argmax(axis=1) + 1.0, np.nan),
            "epochs_to_100": history.epochs_to_accuracy(1.0),
            "final_accuracy": accuracies[:, -1],
            "distinct_input_rows": [len(np.unique(network.weights[0].round(6), axis=0)) for network in networks],
            "distinct_codes": [len(np.unique(network.hidden_activations(X).round(6), axis=0)) for network in networks],
            "decoded_with_margin": [decoded_with_margin(network, X) for network in networks],
        }
    )
    return TieBreaking(table, spread, history)


def decoded_with_margin(network: Network, X: np.ndarray, margin: float = MARGIN) -> int:
    """How many one-hot inputs ``X`` (in order) have their own output above every other output by more than
    ``margin``: accuracy without the ties that ``argmax`` gives to the first index."""
    outputs = network.predict(X)
    own = outputs[np.arange(len(X)), np.arange(len(X))]
    others = np.where(np.eye(len(X), outputs.shape[1], dtype=bool), -np.inf, outputs).max(axis=1)
    return int((own - others > margin).sum())


@dataclass(frozen=True)
class TieOutcome:
    """What happened to the exactly tied start (asymmetry 0) of a tie-breaking study: facts, no prose.

    ``first_difference_epoch`` is the first epoch (1-based) after which the hidden units differed at all (NaN:
    never), ``first_difference`` that difference (0.0 if never), ``epochs_to_tie_broken`` the first epoch past
    :data:`TIE_BROKEN`, ``epochs_to_100`` the first at 100 % accuracy (NaN: never), ``distinct_input_rows`` the
    number of distinct rows of the final ``W_1`` and ``distinct_codes`` of distinct hidden codes (both to 1e-6), and
    ``decoded_with_margin`` the inputs whose own output wins by more than :data:`MARGIN`.
    """

    epochs: int
    held_exactly: bool
    first_difference_epoch: float
    first_difference: float
    epochs_to_tie_broken: float
    epochs_to_100: float
    final_accuracy: float
    distinct_input_rows: int
    distinct_codes: int
    decoded_with_margin: int


def tie_outcome(ties: TieBreaking) -> TieOutcome:
    """The facts about the exactly tied start of ``ties``, which depend on how the CPU's BLAS kernels round."""
    exact = np.flatnonzero(ties.table.asymmetry.to_numpy() == 0)
    if exact.size == 0:
        raise ValueError("the tie-breaking study has no exactly tied start: include asymmetry 0.0")
    row, spread = ties.table.iloc[exact[0]], ties.spread[exact[0]]
    differs = spread > 0
    first = float(np.argmax(differs) + 1) if differs.any() else float("nan")
    return TieOutcome(
        epochs=int(spread.size),
        held_exactly=not differs.any(),
        first_difference_epoch=first,
        first_difference=float(spread[int(first) - 1]) if differs.any() else 0.0,
        epochs_to_tie_broken=float(row.epochs_to_tie_broken),
        epochs_to_100=float(row.epochs_to_100),
        final_accuracy=float(row.final_accuracy),
        distinct_input_rows=int(row.distinct_input_rows),
        distinct_codes=int(row.distinct_codes),
        decoded_with_margin=int(row.decoded_with_margin),
    )


def stopping_rules(study: Sweep, rows: Sequence[int], X: np.ndarray, Y: np.ndarray, limit: int) -> pd.DataFrame:
    """What four stopping rules return for the networks ``rows`` of a full-batch sweep joined by
    :func:`with_rounded`: stop at the first 100 % accuracy, at twice that epoch, at the first solved epoch (every
    output rounded at 0.5 equals its target), or at the first loss below 0.25 / ``Y.size`` (which guarantees
    solved); each capped at ``limit`` epochs.

    Per rule: the median stop epoch, the networks at 100 % accuracy at that epoch, and the networks solved at that
    epoch (each network retrained from its start to there).
    """
    table, rows = study.table.loc[rows], np.asarray(rows)
    first = table.epochs_to_100.to_numpy()
    stops = {
        "first 100 %": first,
        "twice that epoch": 2 * first,
        "first solved": table.rounded_first.to_numpy(),
        f"loss below 0.25/{Y.size}": History(study.history.loss[rows], study.history.accuracy[rows]).epochs_to_loss(
            0.25 / Y.size
        ),
    }
    stops = {rule: np.minimum(np.nan_to_num(stop, nan=limit), limit).astype(int) for rule, stop in stops.items()}
    copies = _copies(study, rows, stops, X, Y)
    result = {}
    for rule, stop in stops.items():
        result[rule] = {
            "median stop": float(np.median(stop)),
            "100 % at stop": int((study.history.accuracy[rows, stop - 1] == 1).sum()),
            "solved at stop": copies[rule],
        }
    table = pd.DataFrame(result).T.rename_axis("stop at")
    return table.astype({column: int for column in table.columns if column != "median stop"})


def epochs_to_rounded(study: Sweep, rows: Sequence[int], X: np.ndarray, Y: np.ndarray) -> pd.DataFrame:
    """Per network ``rows`` of a full-batch sweep: ``first``, the first epoch whose outputs, rounded at 0.5, all equal
    ``Y``, and ``stays``, the epoch from which they do to the sweep's last epoch (NaN: never).

    An epoch whose loss is below 0.25 / ``Y.size`` has every squared error below 0.25, so every rounded output right;
    the networks that ever reach 100 % accuracy (rounded right implies it) are retrained together from their starts,
    up to their last epoch above that loss.
    """
    rows = np.asarray(rows)
    loss = study.history.loss[rows]
    right = loss < 0.25 / Y.size
    horizons = np.where((~right).any(axis=1), loss.shape[1] - np.argmax(~right[:, ::-1], axis=1), 0)
    retrain = np.flatnonzero((horizons > 0) & (study.history.accuracy[rows] == 1).any(axis=1))
    if len(retrain):
        settings = study.table.loc[rows[retrain]]
        checked = rounded_right(
            [_start(study, row) for row in rows[retrain]],
            X,
            Y,
            int(horizons[retrain].max()),
            settings.learning_rate.to_numpy(),
            settings.weight_decay.to_numpy(),
        )
        for index, row_right in zip(retrain, checked):
            right[index, : horizons[index]] = row_right[: horizons[index]]
    history = History(loss, right.astype(float))
    return pd.DataFrame(
        {"first": history.epochs_to_accuracy(1.0), "stays": history.epochs_to_accuracy(1.0, stable=True)},
        index=study.table.index[rows],
    )


def with_rounded(study: Sweep, X: np.ndarray, Y: np.ndarray) -> Sweep:
    """``study`` with :func:`epochs_to_rounded` of every network joined to its table as ``rounded_first`` and
    ``rounded_stays`` (which :func:`summarise` then uses)."""
    study.table = study.table.join(epochs_to_rounded(study, study.table.index, X, Y).add_prefix("rounded_"))
    return study


def _start(study: Sweep, row: int) -> Network:
    """The untrained start of the sweep's network ``row``."""
    setting = study.table.loc[row]
    return Network(
        study.networks[row].layer_sizes,
        init=setting.init,
        bias_init=setting.bias_init,
        activation=setting.activation,
        seed=int(setting.seed),
    )


def _copies(
    study: Sweep, rows: np.ndarray, stops: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray
) -> dict[str, int]:
    """Per rule, the networks ``rows`` of a full-batch sweep whose outputs, rounded at 0.5, equal ``Y`` for every
    sample at their stop (the outputs the sweep's stop epoch recorded): each network is retrained once from its
    start, on through its stops in order (training in parts is the same arithmetic as in one call)."""
    counts = dict.fromkeys(stops, 0)
    for index, row in enumerate(rows):
        setting, network = study.table.loc[row], _start(study, row)
        trained = 0
        for rule in sorted(stops, key=lambda rule: stops[rule][index]):
            epochs = int(stops[rule][index]) - 1
            if epochs > trained:
                network.train(X, Y, epochs - trained, setting.learning_rate, weight_decay=setting.weight_decay)
                trained = epochs
            counts[rule] += bool(np.array_equal(network.predict(X) > 0.5, Y > 0.5))
    return counts


def solved_text(row: pd.Series) -> str:
    """A :func:`summarise` row's networks solved, as ``"solved/networks"``."""
    return f"{int(row.solved)}/{int(row.networks)}"


def epochs_text(row: pd.Series, statistic: str = "epochs_to_100") -> str:
    """A :func:`summarise` row's median (interquartile range) of ``statistic`` (default: epochs to 100 %), rounded,
    or "never"."""
    if np.isnan(row[f"median_{statistic}"]):
        return "never"
    quartiles = (round_epochs(row[f"q{q}_{statistic}"]) for q in (25, 75))
    return f"{round_epochs(row[f'median_{statistic}'])} ({'-'.join(quartiles)})"


EPOCH_TABLE_LEGEND = (
    "converged: solved at every epoch from then to the last; epochs to converge over the networks that do;\n"
    "lapsed: solved at some epoch and unsolved at a later one;\n"
    "all converged from: the epoch from which every network is solved at every later epoch"
)


def _solved_share(summary: pd.DataFrame) -> pd.Series:
    """Per row of a :func:`summarise` table joined by :func:`with_rounded`: "solved at the end/networks" as text."""
    return summary.rounded.astype(int).astype(str) + "/" + summary.networks.astype(str)


def epoch_table(summary: pd.DataFrame) -> pd.DataFrame:
    """A :func:`summarise` table of a sweep joined by :func:`with_rounded`, as text for printing: networks converged
    (solved from some epoch to the last), their median (IQR) epochs to converge, networks that lapsed (solved at some
    epoch, unsolved at a later one), the epoch from which all stay solved and networks at 100 % accuracy at the end
    (:data:`EPOCH_TABLE_LEGEND` says so in print)."""
    columns = {
        "converged": _solved_share(summary),
        "epochs to converge: median (IQR)": summary.apply(epochs_text, axis=1, statistic="epochs_solved_for_good"),
        "lapsed": summary.rounded_lost,
        "all converged from": summary.all_rounded_epoch.map(round_epochs),
        "100 % at end": summary.apply(solved_text, axis=1),
    }
    return pd.DataFrame(columns, index=summary.index)


def spaced(table: pd.DataFrame) -> str:
    """``table`` as text with three spaces or more between column headers, so that headers of several words stay
    apart."""
    return table.to_string(col_space=[len(str(column)) + 2 for column in table.columns])


def epochs_at(study: Sweep, rate: float, column: str = "rounded_first") -> pd.Series:
    """One column of a sweep's table (default: the first solved epoch) at one learning rate, indexed by seed."""
    return study.table[study.table.learning_rate == rate].set_index("seed")[column]


def _per_seed(studies: Sequence[Sweep], rate: float, column: str = "rounded_first") -> pd.Series:
    """:func:`epochs_at` over several sweeps (different seeds), one series."""
    return pd.concat([epochs_at(study, rate, column) for study in studies])


def failing_seeds(studies: Sequence[Sweep], rate: float) -> list[int]:
    """The seeds of ``studies`` (sweeps joined by :func:`with_rounded`) whose network at ``rate`` ends unsolved or
    lapses: is solved at some epoch and unsolved at a later one."""
    first, stays = _per_seed(studies, rate), _per_seed(studies, rate, "rounded_stays")
    return sorted(first.index[stays.isna() | (first < stays)])


def rate_comparison(studies: Sequence[Sweep], rate: float, others: Iterable[float]) -> pd.DataFrame:
    """Each rate of ``others`` against ``rate`` over the seeds of ``studies`` (sweeps joined by :func:`with_rounded`):
    the seeds where it is solved for good sooner (a network never solved for good counts as latest), the untied
    seeds and the :func:`sign_test` p-value; its :func:`failing_seeds`, and the paired p-value that it fails on as
    many seeds as ``rate`` (McNemar's exact test: the sign test over the seeds where exactly one of the two fails)."""
    seeds = _per_seed(studies, rate).index
    base = seeds.isin(failing_seeds(studies, rate))
    rows = {}
    for other in others:
        stays = [_per_seed(studies, r, "rounded_stays").fillna(np.inf) for r in (other, rate)]
        smaller, untied, p = sign_test(*stays)
        seeds_failing = failing_seeds(studies, other)
        rows[other] = {
            "sooner": smaller,
            "untied": untied,
            "sign p": p,
            "failing seeds": seeds_failing,
            "fail p": sign_test(base, seeds.isin(seeds_failing))[2],
        }
    return pd.DataFrame(rows).T.rename_axis("rate")


def start_grid(summary: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """A :func:`summarise` table by ``init`` and ``bias_init`` as text: "solved/networks (median epochs to solved for
    good)" per weight start (rows) and bias start (columns), both in the order of ``names``."""
    medians = summary.median_epochs_solved_for_good.map(round_epochs)
    cells = _solved_share(summary) + " (" + medians + ")"
    return cells.unstack().loc[names, names].rename_axis(index="weights", columns="biases")


def shared_code_gaps(networks: Iterable[Network], X: np.ndarray) -> list[float]:
    """Per network whose hidden code (activations rounded at 0.5) is shared by two inputs: the largest difference,
    in some unit, between the first two inputs that share one."""
    gaps = []
    for network in networks:
        hidden = network.hidden_activations(X)
        bits = [tuple(code) for code in (hidden > 0.5).astype(int)]
        shared = [i for i in range(len(X)) if bits.count(bits[i]) > 1]
        if shared:
            gaps.append(float(np.abs(hidden[shared[0]] - hidden[shared[1]]).max()))
    return gaps


def decay_table(study: Sweep, summary: pd.DataFrame) -> pd.DataFrame:
    """Per weight decay of a sweep (joined by :func:`with_rounded`, and its :func:`summarise` table by
    ``weight_decay``): networks converged, their median epochs to converge ("-" where fewer than half converge),
    networks at 100 % accuracy at the end, median data loss and the median over networks of the largest absolute
    weight."""
    largest = pd.Series([max(np.abs(W).max() for W in net.weights) for net in study.networks], study.table.index)
    medians = summary.median_epochs_solved_for_good.map(round_epochs)
    return pd.DataFrame(
        {
            "converged": _solved_share(summary),
            "epochs to converge": medians.where(2 * summary.rounded >= summary.networks, "-"),
            "100 % at end": summary.apply(solved_text, axis=1),
            "data loss": summary.median_final_loss.map("{:.1e}".format),
            "largest |w|": largest.groupby(study.table.weight_decay).median().map("{:.1f}".format),
        }
    ).rename_axis("weight decay")


def sign_test(a: Sequence[float], b: Sequence[float]) -> tuple[int, int, float]:
    """Paired epochs ``a`` and ``b`` (one pair per seed): the pairs where ``a`` is smaller, the untied pairs, and the
    exact two-sided sign-test p-value (binomial with p = 1/2 over the untied pairs)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or np.isnan(a).any() or np.isnan(b).any():
        raise ValueError("the sign test needs two equally long series of epochs without NaN")
    untied = int((a != b).sum())
    smaller = int((a < b).sum())
    tail = min(smaller, untied - smaller)
    p = 2 * sum(math.comb(untied, k) for k in range(tail + 1)) / 2**untied if untied else 1.0
    return smaller, untied, min(1.0, p)


def median_interval(
    values: Sequence[float], level: float = 0.95, resamples: int = 10_000, seed: int = 0
) -> tuple[float, float]:
    """The percentile bootstrap interval (``level``) of the median of ``values``, from a seeded numpy Generator."""
    values = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    medians = np.median(rng.choice(values, size=(resamples, len(values))), axis=1)
    low, high = np.quantile(medians, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (95 % for the default ``z``) of a share ``successes / trials``, as fractions."""
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials >= 1, got {successes}/{trials}")
    share, z2 = successes / trials, z * z
    centre = (share + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * np.sqrt(share * (1 - share) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))
