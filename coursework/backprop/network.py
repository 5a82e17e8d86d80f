"""A fully connected network trained with hand-written backpropagation (NumPy only, no autodiff).

Row-vector convention: a batch ``X`` has one sample per row. For layer ``l`` (1..L), with ``a_0 = X``::

    z_l = a_{l-1} W_l + b_l          a_l = f(z_l)
    loss = mean((a_L - Y) ** 2)      over all samples and outputs
    delta_L = 2 (a_L - Y) / (N * n_out) * f'(z_L)
    delta_l = (delta_{l+1} W_{l+1}^T) * f'(z_l)
    dloss/dW_l = a_{l-1}^T delta_l   dloss/db_l = sum over samples of delta_l

:func:`forward` and :func:`backward` are these lines, and :meth:`Network.train` runs on them. Sweeps of many
networks use the same arithmetic stacked (:mod:`coursework.backprop.stacked`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from coursework.checks import check_real, check_whole, is_whole


class Activation(NamedTuple):
    """An elementwise nonlinearity, its derivative written in terms of its own output, and its output range.

    ``value`` and ``derivative_from_output`` take an optional ``out`` array (the stacked training loop reuses its
    buffers). Sigmoid's ``exp(-z)`` overflows to inf for z < -709, where ``1 / (1 + inf) = 0`` is the right limit:
    callers silence that warning once per pass with ``np.errstate``. ``output_range`` (low, high) says which values
    mean a unit is "off" and "on", e.g. to read hidden activations as bits.
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
    if not is_whole(n) or n < 2:
        raise ValueError(f"encoder_dataset needs an integer n >= 2, got {n!r}")
    eye = np.eye(n)
    return eye, eye.copy()


def choose(name: str, options: dict, what: str):
    """``options[name]``, or a ValueError that lists the choices."""
    if name not in options:
        raise ValueError(f"unknown {what} {name!r}; choose one of {sorted(options)}")
    return options[name]


@dataclass
class History:
    """Per-epoch training metrics: ``loss`` and ``accuracy`` have shape (epochs,) or (networks, epochs).

    Both are measured on the forward pass that produced each update (averaged over an epoch's mini-batches), as
    Keras reports them. Loss is the data MSE, without the weight-decay penalty. An epoch whose loss is not finite
    (the network diverged) has NaN accuracy: its outputs are NaN, and no class can be read from them.
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


def finished_history(squared_errors: np.ndarray, hits: np.ndarray, samples: int, outputs: int) -> History:
    """A History from each epoch's summed squared error and correct predictions; warns where training diverged.

    A diverged epoch's outputs are NaN, whose argmax is class 0: its accuracy becomes NaN, not 1/classes.
    """
    loss = squared_errors / (samples * outputs)
    accuracy = hits / samples
    diverged = ~np.isfinite(loss)
    if diverged.any():
        accuracy = np.where(diverged, np.nan, accuracy)
        networks = int(diverged.any(axis=-1).sum()) if diverged.ndim == 2 else 1
        warnings.warn(
            f"training diverged ({networks} network(s): the loss became NaN or infinite); their accuracy is NaN "
            "from there on; lower the learning rate (or learning_rate * weight_decay below 2)",
            RuntimeWarning,
            stacklevel=3,
        )
    return History(loss, accuracy)


def forward(weights: list[np.ndarray], biases: list[np.ndarray], X: np.ndarray, f: Activation) -> list[np.ndarray]:
    """Every layer's activations, input first: ``a_0 = X``, then ``a_l = f(a_{l-1} W_l + b_l)``; ``a.dot(W)`` is
    ``a @ W``."""
    activations = [X]
    for W, b in zip(weights, biases):
        activations.append(f.value(activations[-1].dot(W) + b))
    return activations


def backward(
    weights: list[np.ndarray], activations: list[np.ndarray], Y: np.ndarray, f: Activation, weight_decay: float
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Gradients of ``mean((a_L - Y)^2) + weight_decay / 2 * sum(W^2)`` for every ``W_l`` and ``b_l``."""
    a_L = activations[-1]
    delta = (2.0 / Y.size) * (a_L - Y) * f.derivative_from_output(a_L)  # dloss/dz_L
    grads_w, grads_b = [], []
    for layer in reversed(range(len(weights))):  # l = L, ..., 1 (list index l - 1)
        a_previous = activations[layer]
        grad_w = a_previous.T.dot(delta)
        grads_w.insert(0, grad_w + weight_decay * weights[layer] if weight_decay else grad_w)
        grads_b.insert(0, np.add.reduce(delta, 0))  # the sum over samples
        if layer > 0:
            delta = delta.dot(weights[layer].T) * f.derivative_from_output(a_previous)  # dloss/dz_{l-1}
    return grads_w, grads_b


Backward = Callable[
    [list[np.ndarray], list[np.ndarray], np.ndarray, Activation, float], tuple[list[np.ndarray], list[np.ndarray]]
]  # the signature of backward


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
        if len(sizes) < 2 or not all(is_whole(s) and s >= 1 for s in sizes):
            raise ValueError(f"layer_sizes must list at least 2 positive integers, got {layer_sizes!r}")
        weight_initialiser = choose(init, INITIALISERS, "init")
        bias_initialiser = choose(bias_init, INITIALISERS, "bias_init")
        choose(activation, ACTIVATIONS, "activation")
        seed = check_whole(seed, "seed", minimum=0)
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

    def forward(self, X: np.ndarray) -> list[np.ndarray]:
        """Activations of every layer, input first: ``[X, a_1, ..., a_L]``."""
        X = check_inputs(X, self.layer_sizes[0], "X")
        with np.errstate(over="ignore"):
            return forward(self.weights, self.biases, X, ACTIVATIONS[self.activation])

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Network outputs, shape (samples, output units)."""
        return self.forward(X)[-1]

    def hidden_activations(self, X: np.ndarray, layer: int = 1) -> np.ndarray:
        """Activations of hidden layer ``layer`` (1 = first hidden layer), shape (samples, units)."""
        if not is_whole(layer) or not 1 <= layer < len(self.layer_sizes) - 1:
            raise ValueError(f"layer must be a hidden layer, 1..{len(self.layer_sizes) - 2}; got {layer!r}")
        return self.forward(X)[layer]

    def loss(self, X: np.ndarray, Y: np.ndarray, weight_decay: float = 0.0) -> float:
        """Mean squared error over all outputs and samples, plus ``weight_decay / 2 * sum(W ** 2)``."""
        X, Y = check_data(X, Y, self.layer_sizes)
        weight_decay = check_real(weight_decay, "weight_decay", minimum=0.0)
        penalty = 0.5 * weight_decay * sum(float(np.sum(w * w)) for w in self.weights)
        return float(np.mean((self.predict(X) - Y) ** 2)) + penalty

    def gradients(
        self, X: np.ndarray, Y: np.ndarray, weight_decay: float = 0.0, backward: Backward = backward
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Backpropagated gradients of :meth:`loss` for every weight matrix and bias vector, by :func:`backward` or
        by another function with its signature (e.g. a deliberately wrong one, for a gradient check to catch)."""
        X, Y = check_data(X, Y, self.layer_sizes)
        weight_decay = check_real(weight_decay, "weight_decay", minimum=0.0)
        f = ACTIVATIONS[self.activation]
        with np.errstate(over="ignore"):
            activations = forward(self.weights, self.biases, X, f)
            return backward(self.weights, activations, Y, f, weight_decay)

    def train(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        epochs: int,
        learning_rate: float,
        weight_decay: float = 0.0,
        batch_size: int | None = None,
    ) -> History:
        """Train in place with (mini-batch) gradient descent, by :func:`forward` and :func:`backward`; full batch
        unless ``batch_size`` is given (a new random order of the samples every epoch)."""
        X, Y = check_data(X, Y, self.layer_sizes)
        epochs, splits = check_schedule(epochs, batch_size, len(X))
        rate = check_real(learning_rate, "learning_rate", positive=True)
        decay = check_real(weight_decay, "weight_decay", minimum=0.0)
        f, record = ACTIVATIONS[self.activation], _Recorder(Y, epochs)
        orders = self.shuffled_orders(len(X), epochs) if batch_size else None
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(epochs):
                batches = [slice(None)] if orders is None else np.split(orders[epoch], splits)
                for rows in batches:
                    activations = forward(self.weights, self.biases, X[rows], f)
                    grads_w, grads_b = backward(self.weights, activations, Y[rows], f, decay)
                    for W, b, grad_w, grad_b in zip(self.weights, self.biases, grads_w, grads_b):
                        W -= rate * grad_w
                        b -= rate * grad_b
                    record(epoch, activations[-1], rows)
        return record.history()


class _Recorder:
    """Each epoch's loss and accuracy, from the outputs of its forward passes.

    A full-batch epoch's outputs are copied into a block of epochs and measured a block at a time (two NumPy calls
    per block instead of five per epoch: for a network this small, calls are what an epoch costs); mini-batches are
    measured as they come and summed.
    """

    BLOCK = 256

    def __init__(self, Y: np.ndarray, epochs: int) -> None:
        self.Y, self.labels = Y, Y.argmax(axis=1)
        self.squared_errors, self.hits = np.zeros(epochs), np.zeros(epochs, dtype=np.intp)
        self.outputs = np.empty((min(epochs, self.BLOCK), *Y.shape))
        self.first = 0  # the first epoch whose full-batch outputs are kept in ``outputs`` and not yet measured
        self.epoch = -1

    def __call__(self, epoch: int, output: np.ndarray, rows: slice | np.ndarray) -> None:
        if isinstance(rows, slice):  # full batch
            self.outputs[epoch - self.first] = output
            self.epoch = epoch
            if epoch - self.first == len(self.outputs) - 1:
                self._measure()
            return
        error = output - self.Y[rows]
        self.squared_errors[epoch] += np.vdot(error, error)
        self.hits[epoch] += np.count_nonzero(output.argmax(1) == self.labels[rows])

    def _measure(self) -> None:
        """The kept epochs' summed squared errors and correct predictions."""
        done = slice(self.first, self.epoch + 1)
        kept = self.outputs[: self.epoch + 1 - self.first]
        errors = kept - self.Y
        self.squared_errors[done] = np.einsum("enk,enk->e", errors, errors)
        self.hits[done] = np.count_nonzero(kept.argmax(-1) == self.labels, axis=-1)
        self.first = self.epoch + 1

    def history(self) -> History:
        if self.epoch >= self.first:
            self._measure()
        return finished_history(self.squared_errors, self.hits, *self.Y.shape)


def check_schedule(epochs: int, batch_size: int | None, samples: int) -> tuple[int, list[int]]:
    """``epochs`` as an int, and where an epoch's shuffled samples are split into mini-batches (none: full batch)."""
    epochs = check_whole(epochs, "epochs", minimum=1)
    if batch_size is None:
        return epochs, []
    batch_size = check_whole(batch_size, f"batch_size (samples: {samples})", minimum=1, maximum=samples)
    return epochs, list(range(batch_size, samples, batch_size))


def check_inputs(array: np.ndarray, columns: int, name: str) -> np.ndarray:
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


def check_data(X: np.ndarray, Y: np.ndarray, layer_sizes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets checked against the network's input and output sizes, and against each other."""
    X = check_inputs(X, layer_sizes[0], "X")
    Y = check_inputs(Y, layer_sizes[-1], "Y")
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but Y has {Y.shape[0]}")
    return X, Y
