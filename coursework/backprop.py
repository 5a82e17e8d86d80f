"""A fully connected network trained with hand-written backpropagation (NumPy only, no autodiff).

Row-vector convention: a batch ``X`` has one sample per row. For layer ``l`` (1..L), with ``a_0 = X``::

    z_l = a_{l-1} W_l + b_l          a_l = f(z_l)
    loss = mean((a_L - Y) ** 2)      over all samples and outputs
    delta_L = 2 (a_L - Y) / (N * n_out) * f'(z_L)
    delta_l = (delta_{l+1} W_{l+1}^T) * f'(z_l)
    dloss/dW_l = a_{l-1}^T delta_l   dloss/db_l = sum over samples of delta_l

Every function below works on *stacks* of K independent networks: parameters carry a leading axis of
length K, so a sweep over learning rates, initialisations and seeds is a handful of batched NumPy calls.
A single :class:`Network` is trained as a stack of one, through the same code.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "INITIALISERS",
    "History",
    "Network",
    "encoder_dataset",
    "gradient_check",
    "train_stacked",
]


class Activation(NamedTuple):
    """An elementwise nonlinearity, its derivative written in terms of its own output, and its output range.

    ``value`` and ``derivative_from_output`` take an optional ``out`` array (which may be the input itself), so that
    the full-batch training loop reuses its buffers instead of allocating arrays every epoch; the arithmetic is the
    same either way. Sigmoid's ``exp(-z)`` overflows to inf for z < -709, where ``1 / (1 + inf) = 0`` is the right
    limit: callers silence the warning with ``np.errstate(over="ignore")``, once per pass rather than per call (for
    arrays this small the context manager costs more than the arithmetic). ``output_range`` (low, high) says which
    values mean a unit is "off" and "on", e.g. to read hidden activations as bits.
    """

    value: Callable[..., np.ndarray]
    derivative_from_output: Callable[..., np.ndarray]
    output_range: tuple[float, float]


def _sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``1 / (1 + exp(-z))``, computed in ``out``."""
    out = np.negative(z, out)
    np.exp(out, out)
    np.add(out, 1.0, out)
    return np.divide(1.0, out, out)


def _sigmoid_derivative(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a (1 - a)`` for sigmoid outputs ``a``."""
    out = np.subtract(1.0, a, out)
    return np.multiply(out, a, out)


def _tanh_derivative(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``1 - a^2`` for tanh outputs ``a``."""
    out = np.multiply(a, a, out)
    return np.subtract(1.0, out, out)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(_sigmoid, _sigmoid_derivative, (0.0, 1.0)),
    "tanh": Activation(np.tanh, _tanh_derivative, (-1.0, 1.0)),
}


def _xavier_limit(fan_in: int, fan_out: int) -> float:
    return float(np.sqrt(6.0 / (fan_in + fan_out)))


# Each initialiser draws an array of `shape` for a layer with the given fan-in and fan-out.
INITIALISERS: dict[str, Callable[[np.random.Generator, tuple[int, ...], int, int], np.ndarray]] = {
    "zeros": lambda rng, shape, fan_in, fan_out: np.zeros(shape),
    "uniform": lambda rng, shape, fan_in, fan_out: rng.uniform(-1.0, 1.0, shape),
    "normal": lambda rng, shape, fan_in, fan_out: rng.standard_normal(shape),
    "xavier": lambda rng, shape, fan_in, fan_out: rng.uniform(-1.0, 1.0, shape) * _xavier_limit(fan_in, fan_out),
}


def encoder_dataset(n: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Return the n one-hot vectors as inputs ``X`` and as targets ``Y`` (the n-?-n encoder task)."""
    if not _is_integer(n) or n < 2:
        raise ValueError(f"encoder_dataset needs an integer n >= 2, got {n!r}")
    eye = np.eye(n)
    return eye, eye.copy()


def _choose(name: str, options: dict, what: str):
    if name not in options:
        raise ValueError(f"unknown {what} {name!r}; choose one of {sorted(options)}")
    return options[name]


@dataclass
class History:
    """Per-epoch training metrics: ``loss`` and ``accuracy`` have shape (epochs,) or (networks, epochs).

    Both are measured on the forward pass that produced each update (averaged over an epoch's
    mini-batches), as Keras reports them. Loss is the data MSE, without the weight-decay penalty.
    """

    loss: np.ndarray
    accuracy: np.ndarray

    def epochs_to_accuracy(self, target: float = 1.0, stable: bool = False) -> np.ndarray | float:
        """Epochs (1-based) until accuracy first reaches ``target``; ``stable=True``: and stays there.

        NaN where it never does.
        """
        return _epochs_until(self.accuracy >= target, stable)

    def epochs_to_loss(self, threshold: float, stable: bool = False) -> np.ndarray | float:
        """Epochs (1-based) until the loss first falls below ``threshold`` (NaN where it never does)."""
        return _epochs_until(self.loss < threshold, stable)

    def __getitem__(self, index: int) -> History:
        """The history of one network of a stacked run."""
        if self.loss.ndim != 2:
            raise ValueError("only a stacked History (networks, epochs) can be indexed")
        return History(self.loss[index], self.accuracy[index])


def _epochs_until(reached: np.ndarray, stable: bool) -> np.ndarray | float:
    if stable:
        # Reached and never lost again: every epoch from there to the end satisfies the condition.
        reached = np.flip(np.logical_and.accumulate(np.flip(reached, -1), axis=-1), -1)
    first = np.argmax(reached, axis=-1) + 1.0
    result = np.where(reached.any(axis=-1), first, np.nan)
    return float(result) if result.ndim == 0 else result


class Network:
    """A fully connected network with one activation for every layer, trained by backpropagation.

    ``layer_sizes`` lists the units per layer, input first: ``(8, 3, 8)`` is the 8-3-8 encoder.
    ``init`` / ``bias_init`` name an entry of :data:`INITIALISERS`, ``activation`` one of
    :data:`ACTIVATIONS`. Weights, biases and the mini-batch order come from three independent streams
    of ``seed``, so changing the bias initialiser leaves the weights unchanged.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int] = (8, 3, 8),
        init: str = "uniform",
        bias_init: str = "zeros",
        activation: str = "sigmoid",
        seed: int = 0,
    ) -> None:
        sizes = tuple(layer_sizes)
        if len(sizes) < 2 or not all(_is_integer(s) and s >= 1 for s in sizes):
            raise ValueError(f"layer_sizes must list at least 2 positive integers, got {layer_sizes!r}")
        weight_initialiser = _choose(init, INITIALISERS, "init")
        bias_initialiser = _choose(bias_init, INITIALISERS, "bias_init")
        _choose(activation, ACTIVATIONS, "activation")
        if not _is_integer(seed) or seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
        weight_rng, bias_rng, self._shuffle_rng = (
            np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
        )
        self.layer_sizes = sizes
        self.init, self.bias_init, self.activation, self.seed = init, bias_init, activation, seed
        pairs = list(zip(sizes[:-1], sizes[1:]))
        self.weights = [weight_initialiser(weight_rng, (i, o), i, o) for i, o in pairs]
        self.biases = [bias_initialiser(bias_rng, (o,), i, o) for i, o in pairs]

    def __repr__(self) -> str:
        return (
            f"Network({self.layer_sizes}, init={self.init!r}, bias_init={self.bias_init!r}, "
            f"activation={self.activation!r}, seed={self.seed})"
        )

    def parameters(self) -> dict[str, np.ndarray]:
        """Every weight matrix and bias vector by name: ``W1, W2, ..., b1, b2, ...`` (``W1`` feeds hidden layer 1).

        The arrays are the network's own, not copies, so changing one in place changes the network (as
        :func:`gradient_check` does). Weights come before biases, the order in which training stacks them.
        """
        names = [f"W{layer}" for layer in range(1, len(self.weights) + 1)]
        names += [f"b{layer}" for layer in range(1, len(self.biases) + 1)]
        return dict(zip(names, self.weights + self.biases))

    def shuffled_orders(self, samples: int, epochs: int) -> np.ndarray:
        """One random order of ``samples`` sample indices per epoch, (epochs, samples), from this network's own
        mini-batch stream (seeded by ``seed``); each call continues the stream."""
        return self._shuffle_rng.permuted(np.tile(np.arange(samples), (epochs, 1)), axis=1)

    def _stacked(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        return [w[None] for w in self.weights], [b[None] for b in self.biases]

    def forward(self, X: np.ndarray) -> list[np.ndarray]:
        """Activations of every layer, input first: ``[X, a_1, ..., a_L]``."""
        X = _check_inputs(X, self.layer_sizes[0], "X")
        weights, biases = self._stacked()
        return [X] + [a[0] for a in _forward(weights, biases, X, ACTIVATIONS[self.activation])[1:]]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Network outputs, shape (samples, output units)."""
        return self.forward(X)[-1]

    def hidden_activations(self, X: np.ndarray, layer: int = 1) -> np.ndarray:
        """Activations of hidden layer ``layer`` (1 = first hidden layer), shape (samples, units)."""
        if not 1 <= layer < len(self.layer_sizes) - 1:
            raise ValueError(f"layer must be a hidden layer, 1..{len(self.layer_sizes) - 2}; got {layer}")
        return self.forward(X)[layer]

    def loss(self, X: np.ndarray, Y: np.ndarray, weight_decay: float = 0.0) -> float:
        """Mean squared error over all outputs and samples, plus ``weight_decay / 2 * sum(W ** 2)``."""
        X, Y = _check_data(X, Y, self.layer_sizes)
        penalty = 0.5 * weight_decay * sum(float(np.sum(w * w)) for w in self.weights)
        return float(np.mean((self.predict(X) - Y) ** 2)) + penalty

    def gradients(
        self, X: np.ndarray, Y: np.ndarray, weight_decay: float = 0.0
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Backpropagated gradients of :meth:`loss` for every weight matrix and bias vector."""
        X, Y = _check_data(X, Y, self.layer_sizes)
        weights, biases = self._stacked()
        activations = _forward(weights, biases, X, ACTIVATIONS[self.activation])
        grads_w, grads_b = _backward(weights, activations, Y, ACTIVATIONS[self.activation], weight_decay)
        return [g[0] for g in grads_w], [g[0] for g in grads_b]

    def train(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        epochs: int,
        learning_rate: float,
        weight_decay: float = 0.0,
        batch_size: int | None = None,
    ) -> History:
        """Train in place with (mini-batch) gradient descent; full batch unless ``batch_size`` is given."""
        history = train_stacked([self], X, Y, epochs, learning_rate, weight_decay, batch_size)
        return history[0]


def _forward(
    weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray, activation: Activation
) -> list[np.ndarray]:
    """Forward pass of K stacked networks.

    Inputs:
    - weights: per layer l, W_l of shape (K, in_l, out_l)
    - biases: per layer l, b_l of shape (K, out_l)
    - x: inputs, (N, in_1) shared by all K networks, or (K, N, in_1) (a mini-batch per network)

    Returns ``[x, a_1, ..., a_L]``: x as given, then each layer's activations a_l of shape (K, N, out_l).
    """
    activations = [x]
    with np.errstate(over="ignore"):
        for w, b in zip(weights, biases):
            activations.append(activation.value(activations[-1] @ w + b[:, None, :]))
    return activations


def _backward(
    weights: list[np.ndarray],
    activations: list[np.ndarray],
    y: np.ndarray,
    activation: Activation,
    weight_decay: float | np.ndarray,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Backward pass of the mean squared error (plus ``weight_decay / 2 * sum(W ** 2)``) of K stacked networks.

    Inputs:
    - weights: per layer l, W_l of shape (K, in_l, out_l)
    - activations: :func:`_forward`'s ``[x, a_1, ..., a_L]``: x (N, in_1) or (K, N, in_1), a_l (K, N, out_l)
    - y: targets, (N, out_L) or (K, N, out_L)
    - weight_decay: a scalar, or one per network as a (K, 1, 1) array

    Returns ``(grads_w, grads_b)`` in layer order: dloss/dW_l of shape (K, in_l, out_l) and dloss/db_l of shape
    (K, out_l), each network's gradient of its own loss.
    """
    output = activations[-1]
    count = output.shape[-2] * output.shape[-1]
    delta = (2.0 / count) * (output - y) * activation.derivative_from_output(output)
    use_decay = bool(np.any(weight_decay))  # skip the decay term's products when every decay is zero
    grads_w: list[np.ndarray] = []
    grads_b: list[np.ndarray] = []
    for layer in reversed(range(len(weights))):
        previous = activations[layer]
        grad_w = np.swapaxes(previous, -1, -2) @ delta
        grads_w.append(grad_w + weight_decay * weights[layer] if use_decay else grad_w)
        grads_b.append(np.einsum("...ni->...i", delta))  # sum over samples; 4x faster than .sum(-2) here
        if layer > 0:
            # A contiguous copy of W^T makes the batched product twice as fast as on the transposed view.
            weights_t = np.ascontiguousarray(np.swapaxes(weights[layer], -1, -2))
            delta = (delta @ weights_t) * activation.derivative_from_output(previous)
    return grads_w[::-1], grads_b[::-1]


def _per_network(value: float | Sequence[float], count: int, name: str, positive: bool) -> np.ndarray:
    """One value per network as a (count, 1, 1) array; must be finite and > 0 (``positive``) or >= 0."""
    raw = np.asarray(value)
    if raw.dtype.kind not in "iuf":  # a string such as "10", a bool or an object: refuse rather than convert
        raise ValueError(f"{name} must be a number or a sequence of numbers, got {value!r}")
    values = raw.astype(float)
    if values.ndim == 0:
        values = np.full(count, float(values))
    if values.shape != (count,):
        raise ValueError(f"{name} needs one value or one per network ({count}), got shape {values.shape}")
    if not np.all(np.isfinite(values)) or np.any(values <= 0 if positive else values < 0):
        raise ValueError(f"{name} must be finite and {'> 0' if positive else '>= 0'}, got {value!r}")
    return values[:, None, None]


def _check_inputs(array: np.ndarray, columns: int, name: str) -> np.ndarray:
    """``array`` as a finite 2-D float array with ``columns`` columns; else a ValueError saying why."""
    array = np.asarray(array, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (samples, features), got shape {array.shape}")
    if array.shape[1] != columns:
        raise ValueError(f"{name} has {array.shape[1]} columns but the network expects {columns}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} has no samples")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _check_data(X: np.ndarray, Y: np.ndarray, layer_sizes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    X = _check_inputs(X, layer_sizes[0], "X")
    Y = _check_inputs(Y, layer_sizes[-1], "Y")
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but Y has {Y.shape[0]}")
    return X, Y


def train_stacked(
    networks: Sequence[Network],
    X: np.ndarray,
    Y: np.ndarray,
    epochs: int,
    learning_rate: float | Sequence[float],
    weight_decay: float | Sequence[float] = 0.0,
    batch_size: int | None = None,
    log_every: int | None = None,
) -> History:
    """Train many networks of one shape and activation at once, in place, on the same data.

    ``learning_rate`` and ``weight_decay`` take one value or one per network. The result equals
    training each network on its own with :meth:`Network.train`; the returned History has shape
    (networks, epochs). ``log_every`` prints the mean loss and accuracy every that many epochs.
    """
    if not networks:
        raise ValueError("train_stacked needs at least one network")
    if len({id(net) for net in networks}) != len(networks):
        raise ValueError("train_stacked got the same Network object more than once; pass distinct networks")
    first = networks[0]
    for net in networks:
        if (net.layer_sizes, net.activation) != (first.layer_sizes, first.activation):
            raise ValueError(
                "stacked networks must share layer sizes and activation; got "
                f"{net.layer_sizes}/{net.activation!r} and {first.layer_sizes}/{first.activation!r}"
            )
    X, Y = _check_data(X, Y, first.layer_sizes)
    if not _is_integer(epochs) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    samples = X.shape[0]
    if batch_size is not None and (not _is_integer(batch_size) or not 1 <= batch_size <= samples):
        raise ValueError(f"batch_size must be an integer in 1..{samples} (samples), got {batch_size!r}")
    if log_every is not None and (not _is_integer(log_every) or log_every < 1):
        raise ValueError(f"log_every must be a positive integer or None, got {log_every!r}")
    count = len(networks)
    rates = _per_network(learning_rate, count, "learning_rate", positive=True)
    decays = _per_network(weight_decay, count, "weight_decay", positive=False)
    activation = ACTIVATIONS[first.activation]
    weights = [np.stack(layer) for layer in zip(*(net.weights for net in networks))]
    biases = [np.stack(layer) for layer in zip(*(net.biases for net in networks))]

    losses = np.empty((count, epochs))
    accuracies = np.empty((count, epochs))
    log = _epoch_logger(epochs, log_every)
    if batch_size is None:
        _train_full_batch(weights, biases, X, Y, rates, decays, activation, losses, accuracies, log)
    else:
        target_class = Y.argmax(axis=1)
        batches = _batch_orders(networks, samples, epochs, batch_size)
        for epoch in range(epochs):
            epoch_loss = np.zeros(count)
            epoch_hits = np.zeros(count)
            for rows in next(batches):
                x, y = X[rows], Y[rows]
                activations = _forward(weights, biases, x, activation)
                output = activations[-1]
                grads_w, grads_b = _backward(weights, activations, y, activation, decays)
                for w, b, gw, gb in zip(weights, biases, grads_w, grads_b):
                    w -= rates * gw
                    b -= rates[:, 0] * gb
                error = output - y
                epoch_loss += np.einsum("kij,kij->k", error, error) / y.shape[1]
                epoch_hits += np.sum(output.argmax(axis=-1) == target_class[rows], axis=-1)
            losses[:, epoch] = epoch_loss / samples
            accuracies[:, epoch] = epoch_hits / samples
            if log is not None:
                log(epoch, losses, accuracies)

    for index, net in enumerate(networks):
        net.weights = [w[index].copy() for w in weights]
        net.biases = [b[index].copy() for b in biases]
    return History(losses, accuracies)


def _is_integer(value: object) -> bool:
    """An int or NumPy integer, but not a bool (``epochs=True`` is a mistake, not one epoch)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _epoch_logger(epochs: int, log_every: int | None) -> Callable[[int, np.ndarray, np.ndarray], None] | None:
    """A function of (epoch, losses, accuracies) that prints the mean loss and accuracy every ``log_every`` epochs
    (and after the last); None without ``log_every``, so that training skips the call."""
    if not log_every:
        return None

    def log(epoch: int, losses: np.ndarray, accuracies: np.ndarray) -> None:
        if (epoch + 1) % log_every == 0 or epoch + 1 == epochs:
            print(
                f"epoch {epoch + 1:>{len(str(epochs))}}/{epochs}  "
                f"mean loss {losses[:, epoch].mean():.6f}  mean accuracy {accuracies[:, epoch].mean():.3f}",
                flush=True,
            )

    return log


def _train_full_batch(
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    rates: np.ndarray,
    decays: np.ndarray,
    activation: Activation,
    losses: np.ndarray,
    accuracies: np.ndarray,
    log: Callable[[int, np.ndarray, np.ndarray], None] | None,
) -> None:
    """Full-batch gradient descent of K stacked networks, in place; fills ``losses`` and ``accuracies`` (K, epochs).

    Per network, the arithmetic of :func:`_forward`, :func:`_backward` and ``w -= rate * grad``: the same products,
    sums and updates in the same order (on the CPUs tried, the same weights to the last bit; the loss is summed in
    another order, so it may differ there). Arranged for speed, because a sweep is thousands of epochs of tiny
    products, whose cost is mostly per NumPy call and per pass over memory:

    * Every network sees the same ``X``, so the first layer of all K networks is one matrix product ``X @ W``, with
      ``W`` of shape (in, K * units), and so is its weight gradient ``X^T @ delta``.
    * Activations and deltas are stored sample-major, (samples, K * units), so bias additions and elementwise steps
      are single passes over contiguous memory; the batched products of later layers read and write the same
      buffers through (K, samples, units) views, which matmul hands to BLAS as they are.
    * All parameters live in one flat array and all gradients in another: the update is two calls.
    * Every intermediate array is allocated once, and every call writes into its ``out``.
    """
    count, samples, layers = len(rates), X.shape[0], len(weights)
    units = [w.shape[2] for w in weights]
    # Parameters: every weight matrix, then every bias, in one flat array; gradients and learning rates in two more,
    # position for position. The first layer is (in, K, units): its K matrices side by side are the (in, K * units)
    # matrix of one product. Later weights are (K, in, out), as stacked.
    shapes = [(X.shape[1], count, units[0])] + [w.shape for w in weights[1:]] + [b.shape for b in biases]
    sizes = [math.prod(shape) for shape in shapes]
    ends = list(itertools.accumulate(sizes))
    weight_count = ends[layers - 1]

    def parts(flat: np.ndarray) -> list[np.ndarray]:
        """``flat`` cut into one array per weight matrix and bias vector, shaped as in ``shapes``."""
        return [flat[end - size : end].reshape(shape) for end, size, shape in zip(ends, sizes, shapes)]

    params, grads, step_sizes = np.empty(sum(sizes)), np.empty(sum(sizes)), np.empty(sum(sizes))
    ws, gws, per_rate = parts(params), parts(grads), parts(step_sizes)
    ws, bs, gws, gbs = ws[:layers], ws[layers:], gws[:layers], gws[layers:]
    for target, source in zip(ws + bs, [weights[0].transpose(1, 0, 2)] + weights[1:] + biases):
        target[...] = source
    for target, rate in zip(per_rate, [rates.reshape(1, count, 1)] + [rates] * (layers - 1) + [rates[:, 0]] * layers):
        target[...] = rate
    use_decay = bool(np.any(decays))  # skip the decay term's products when every decay is zero
    weight_decays = np.zeros(sum(sizes))  # biases have none
    for target, decay in zip(parts(weight_decays), [decays.reshape(1, count, 1)] + [decays] * (layers - 1)):
        target[...] = decay
    weight_decays, weight_grads, weight_params = (a[:weight_count] for a in (weight_decays, grads, params))
    decay_term = np.empty(weight_count)

    def stacked(flat: np.ndarray) -> np.ndarray:
        """The (K, samples, units) view of a sample-major (samples, K * units) array."""
        return flat.reshape(samples, count, -1).transpose(1, 0, 2)

    outputs = [np.empty((samples, count * u)) for u in units]  # a_1 .. a_L, sample-major
    deltas = [np.empty_like(a) for a in outputs]
    derivatives = [np.empty_like(a) for a in outputs]
    flat_bias_grads = [g.reshape(-1) for g in gbs]
    # Per layer: its input, weights, output as the product writes it, the output sample-major and the bias.
    forward = [(X, ws[0].reshape(X.shape[1], -1), outputs[0], outputs[0], bs[0].reshape(-1))] + [
        (stacked(outputs[i - 1]), ws[i], stacked(outputs[i]), outputs[i], bs[i].reshape(-1)) for i in range(1, layers)
    ]
    # Per later layer l, last first: a_{l-1}^T, delta_l (stacked, then sample-major), the weight and bias gradients,
    # W_l^T as a view and as a contiguous copy made every epoch (the batched product is twice as fast on it), then
    # delta_{l-1} (stacked, then sample-major), a_{l-1} and the buffer for its derivative.
    backward = [
        (
            stacked(outputs[i - 1]).transpose(0, 2, 1),
            stacked(deltas[i]),
            deltas[i],
            gws[i],
            flat_bias_grads[i],
            ws[i].transpose(0, 2, 1),
            np.empty((count, units[i], units[i - 1])),
            stacked(deltas[i - 1]),
            deltas[i - 1],
            outputs[i - 1],
            derivatives[i - 1],
        )
        for i in reversed(range(1, layers))
    ]
    first_grads, X_t = gws[0].reshape(X.shape[1], -1), np.ascontiguousarray(X.T)
    output, output_samples, last_delta = outputs[-1], outputs[-1].reshape(samples, count, -1), deltas[-1]
    targets = np.repeat(Y[:, None, :], count, axis=1).reshape(samples, -1)  # sample-major, like the outputs
    scale = 2.0 / (samples * Y.shape[1])
    target_class = Y.argmax(axis=1)[:, None]
    predicted = np.empty((samples, count), dtype=np.intp)
    # Loss and accuracy are summed for a block of epochs at a time, from each epoch's errors and hits kept until then:
    # two calls per block instead of two per epoch. Epoch-major results, so that a block fills contiguous rows.
    epochs = losses.shape[1]
    block = 1 if log is not None else min(epochs, 32)
    errors = np.empty((block, *targets.shape))
    corrects = np.empty((block, samples, count), dtype=bool)
    squared_errors = np.empty((epochs, count))
    hits = np.empty((epochs, count), dtype=np.intp)
    value, derivative = activation.value, activation.derivative_from_output
    # Outputs are passed positionally and argmax is called as a method: for one network, the cost of an epoch is
    # mostly the ~30 calls' overhead, and keyword parsing or a Python-level wrapper would add a tenth to it.
    with np.errstate(over="ignore"):
        for epoch in range(epochs):
            slot = epoch % block
            error, correct = errors[slot], corrects[slot]
            for inputs, w, product, a, bias in forward:
                np.matmul(inputs, w, product)
                np.add(a, bias, a)
                value(a, a)

            np.subtract(output, targets, error)
            output_samples.argmax(-1, predicted)
            np.equal(predicted, target_class, correct)

            np.multiply(error, scale, last_delta)
            np.multiply(last_delta, derivative(output, derivatives[-1]), last_delta)
            for a_t, delta, delta_flat, grad, bias_grad, w_t, w_t_copy, below, below_flat, a, a_derivative in backward:
                np.matmul(a_t, delta, grad)
                np.add.reduce(delta_flat, 0, None, bias_grad)
                w_t_copy[...] = w_t
                np.matmul(delta, w_t_copy, below)
                np.multiply(below_flat, derivative(a, a_derivative), below_flat)
            np.matmul(X_t, deltas[0], first_grads)
            np.add.reduce(deltas[0], 0, None, flat_bias_grads[0])

            if use_decay:
                np.add(weight_grads, np.multiply(weight_decays, weight_params, decay_term), weight_grads)
            np.multiply(grads, step_sizes, grads)
            np.subtract(params, grads, params)

            if slot == block - 1 or epoch == epochs - 1:
                done = slice(epoch - slot, epoch + 1)
                kept = errors[: slot + 1].reshape(slot + 1, samples, count, -1)
                np.einsum("enki,enki->ek", kept, kept, out=squared_errors[done])
                np.add.reduce(corrects[: slot + 1], 1, None, hits[done])
                if log is not None:
                    losses[:, epoch] = squared_errors[epoch] / Y.shape[1] / samples
                    accuracies[:, epoch] = hits[epoch] / samples
                    log(epoch, losses, accuracies)
    losses[...] = squared_errors.T / Y.shape[1] / samples
    accuracies[...] = hits.T / samples
    for target, source in zip([weights[0].transpose(1, 0, 2)] + weights[1:] + biases, ws + bs):
        target[...] = source


def _batch_orders(networks: Sequence[Network], samples: int, epochs: int, batch_size: int):
    """Yield, per epoch, the index arrays of its mini-batches: (K, batch) rows.

    Each network shuffles with its own generator, so a stacked run matches one-by-one runs; shuffles are
    drawn a block of epochs at a time to keep a sweep vectorised.
    """
    block = 256
    starts = range(0, samples, batch_size)
    for first_epoch in range(0, epochs, block):
        size = min(block, epochs - first_epoch)
        orders = np.stack([net.shuffled_orders(samples, size) for net in networks])
        for epoch in range(size):
            yield [orders[:, epoch, start : start + batch_size] for start in starts]


def gradient_check(net: Network, X: np.ndarray, Y: np.ndarray, weight_decay: float = 0.0, step: float = 1e-3) -> float:
    """Largest relative error between backpropagated and numerical gradients, over every parameter.

    The numerical gradient is the fourth-order central difference
    ``(8 (f(p+h) - f(p-h)) - (f(p+2h) - f(p-2h))) / 12h``: its truncation error is O(h^4), so a step large
    enough to keep float64 round-off negligible even for tiny gradient entries is still accurate. Relative
    error is ``|analytic - numeric| / max(|analytic| + |numeric|, 1e-8)`` (as in cs231n); below 1e-7 means
    the backward pass is right.

    Raises ValueError for a ``step`` that is not finite and > 0, and where the loss or a backpropagated gradient
    is NaN or infinite: no error can be measured there, and a number (NaN compares as "not worse") would hide it.
    """
    if isinstance(step, bool) or not isinstance(step, (int, float, np.integer, np.floating)):
        raise ValueError(f"step must be a finite number > 0, got {step!r}")
    if not (np.isfinite(step) and step > 0):
        raise ValueError(f"step must be a finite number > 0, got {step!r}")
    grads_w, grads_b = net.gradients(X, Y, weight_decay)
    worst = 0.0
    for (name, parameter), analytic in zip(net.parameters().items(), grads_w + grads_b):
        if not np.all(np.isfinite(analytic)):
            raise ValueError(f"the backpropagated gradient of {name} contains NaN or infinite values")
        for index in np.ndindex(parameter.shape):
            original = parameter[index]
            losses = {}
            for shift in (-2, -1, 1, 2):
                parameter[index] = original + shift * step
                losses[shift] = net.loss(X, Y, weight_decay)
            parameter[index] = original
            if not all(np.isfinite(loss) for loss in losses.values()):
                raise ValueError(f"the loss is NaN or infinite near {name}[{', '.join(map(str, index))}]")
            numeric = (8 * (losses[1] - losses[-1]) - (losses[2] - losses[-2])) / (12 * step)
            error = abs(analytic[index] - numeric) / max(abs(analytic[index]) + abs(numeric), 1e-8)
            worst = max(worst, error)
    return worst
