"""Many networks of one shape trained at once: the arithmetic of :mod:`coursework.backprop.network`, stacked.

Parameters carry a leading axis of length K, so a sweep over learning rates, initialisations and seeds is a handful
of batched NumPy calls per epoch instead of K times as many. Each network's result equals training it alone with
:meth:`Network.train` (tested); only the speed differs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

import numpy as np

from coursework.backprop.network import (
    ACTIVATIONS,
    Activation,
    History,
    Network,
    check_data,
    check_schedule,
    finished_history,
)
from coursework.checks import check_whole

Logger = Callable[[int, np.ndarray, np.ndarray], None]


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

    ``learning_rate`` and ``weight_decay`` take one value or one per network. The result equals training each
    network on its own with :meth:`Network.train`; the returned History has shape (networks, epochs).
    ``log_every`` prints the mean loss and accuracy every that many epochs.
    """
    stack, epochs = _stack(networks, X, Y, epochs, learning_rate, weight_decay, batch_size)
    samples, (weights, biases) = len(stack.X), stack[:2]
    if log_every is not None:
        check_whole(log_every, "log_every (None: no log)", minimum=1)
    log = _epoch_logger(epochs, log_every, *stack.Y.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        if batch_size is None:
            squared_errors, hits = _FullBatch(stack).run(epochs, log)
        else:
            squared_errors, hits = _mini_batches(stack, _batch_orders(networks, samples, epochs, batch_size), log)
    for index, net in enumerate(networks):
        net.weights = [w[index].copy() for w in weights]
        net.biases = [b[index].copy() for b in biases]
    return finished_history(squared_errors.T, hits.T, *stack.Y.shape)


def rounded_right(
    networks: Sequence[Network],
    X: np.ndarray,
    Y: np.ndarray,
    epochs: int,
    learning_rates: np.ndarray,
    weight_decays: np.ndarray,
) -> np.ndarray:
    """Full-batch training as :func:`train_stacked` (one rate and decay per network), on copies (``networks`` are
    not changed): per network and epoch (shape (networks, epochs)), whether every output of the epoch's forward
    pass, rounded at 0.5, equals ``Y``."""
    stack, epochs = _stack(networks, X, Y, epochs, learning_rates, weight_decays, None)
    training = _FullBatch(stack)
    outputs = training.output.reshape(len(stack.X), len(networks), -1)
    targets = (stack.Y > 0.5)[:, None, :]
    right = np.empty((len(networks), epochs), dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            training.run(1, None)
            right[:, epoch] = ((outputs > 0.5) == targets).all(axis=(0, 2))
    return right


def _stack(
    networks: Sequence[Network],
    X: np.ndarray,
    Y: np.ndarray,
    epochs: int,
    learning_rate: float | Sequence[float],
    weight_decay: float | Sequence[float],
    batch_size: int | None,
) -> tuple[Stack, int]:
    """The checked networks' parameters stacked (copies), with their data, step sizes and decays; and ``epochs``."""
    _check_networks(networks)
    X, Y = check_data(X, Y, networks[0].layer_sizes)
    count = len(networks)
    epochs, _ = check_schedule(epochs, batch_size, X.shape[0])
    rates = _per_network(learning_rate, count, "learning_rate", positive=True)
    decays = _per_network(weight_decay, count, "weight_decay", positive=False)
    weights = [np.stack(layer) for layer in zip(*(net.weights for net in networks))]
    biases = [np.stack(layer) for layer in zip(*(net.biases for net in networks))]
    return Stack(weights, biases, X, Y, rates, decays, ACTIVATIONS[networks[0].activation]), epochs


def _check_networks(networks: Sequence[Network]) -> None:
    """At least one network, each passed once, all of one shape and activation."""
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


def _epoch_logger(epochs: int, log_every: int | None, samples: int, outputs: int) -> Logger | None:
    """A function of (epoch, squared errors, hits), each (epochs, K) summed over samples, that prints the mean loss
    and accuracy every ``log_every`` epochs (and after the last); None without ``log_every``."""
    if not log_every:
        return None

    def log(epoch: int, squared_errors: np.ndarray, hits: np.ndarray) -> None:
        if (epoch + 1) % log_every == 0 or epoch + 1 == epochs:
            loss, accuracy = squared_errors[epoch].mean() / (samples * outputs), hits[epoch].mean() / samples
            print(
                f"epoch {epoch + 1:>{len(str(epochs))}}/{epochs}  mean loss {loss:.6f}  mean accuracy {accuracy:.3f}",
                flush=True,
            )

    return log


def _forward(weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray, f: Activation) -> list[np.ndarray]:
    """:func:`coursework.backprop.network.forward` for K stacked networks: W_l (K, in, out), b_l (K, out), x (K, N,
    in); returns ``[x, a_1, ..., a_L]`` with a_l of shape (K, N, out_l)."""
    activations = [x]
    for w, b in zip(weights, biases):
        activations.append(f.value(activations[-1] @ w + b[:, None, :]))
    return activations


def _backward(
    weights: list[np.ndarray], activations: list[np.ndarray], y: np.ndarray, f: Activation, weight_decay: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """:func:`coursework.backprop.network.backward` for K stacked networks (``weight_decay``: (K, 1, 1)); returns
    dloss/dW_l (K, in, out) and dloss/db_l (K, out), each network's gradient of its own loss."""
    output = activations[-1]
    delta = (2.0 / (output.shape[-2] * output.shape[-1])) * (output - y) * f.derivative_from_output(output)
    use_decay = bool(np.any(weight_decay))
    grads_w: list[np.ndarray] = []
    grads_b: list[np.ndarray] = []
    for layer in reversed(range(len(weights))):
        previous = activations[layer]
        grad_w = np.swapaxes(previous, -1, -2) @ delta
        grads_w.insert(0, grad_w + weight_decay * weights[layer] if use_decay else grad_w)
        grads_b.insert(0, np.add.reduce(delta, -2))
        if layer > 0:
            delta = (delta @ np.swapaxes(weights[layer], -1, -2)) * f.derivative_from_output(previous)
    return grads_w, grads_b


class Stack(NamedTuple):
    """K networks' stacked parameters (W_l: (K, in, out), b_l: (K, out)), their data, step sizes and decays (each
    (K, 1, 1)) and activation: what a training loop of :func:`train_stacked` updates in place."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    X: np.ndarray
    Y: np.ndarray
    rates: np.ndarray
    decays: np.ndarray
    f: Activation


def _mini_batches(
    stack: Stack, batches: Iterator[list[np.ndarray]], log: Logger | None
) -> tuple[np.ndarray, np.ndarray]:
    """Mini-batch gradient descent of K stacked networks, in place: each epoch's (epochs, K) summed squared error
    and correct predictions."""
    weights, biases, X, Y, rates, decays, f = stack
    epochs_batches = list(batches)
    squared_errors = np.zeros((len(epochs_batches), len(rates)))
    hits = np.zeros((len(epochs_batches), len(rates)), dtype=np.intp)
    labels = Y.argmax(axis=1)
    for epoch, epoch_batches in enumerate(epochs_batches):
        for rows in epoch_batches:
            x, y = X[rows], Y[rows]
            activations = _forward(weights, biases, x, f)
            grads_w, grads_b = _backward(weights, activations, y, f, decays)
            for w, b, gw, gb in zip(weights, biases, grads_w, grads_b):
                w -= rates * gw
                b -= rates[:, 0] * gb
            error = activations[-1] - y
            squared_errors[epoch] += np.einsum("kij,kij->k", error, error)
            hits[epoch] += np.sum(activations[-1].argmax(axis=-1) == labels[rows], axis=-1)
        if log is not None:
            log(epoch, squared_errors, hits)
    return squared_errors, hits


def _batch_orders(networks: Sequence[Network], samples: int, epochs: int, batch_size: int) -> Iterator[list]:
    """Yield, per epoch, the index arrays of its mini-batches: (K, batch) rows, each network's from its own stream
    (:meth:`Network.shuffled_orders`), drawn a block of epochs at a time."""
    block = 256
    starts = range(0, samples, batch_size)
    for first_epoch in range(0, epochs, block):
        size = min(block, epochs - first_epoch)
        orders = np.stack([net.shuffled_orders(samples, size) for net in networks])
        for epoch in range(size):
            yield [orders[:, epoch, start : start + batch_size] for start in starts]


class _FullBatch:
    """Full-batch gradient descent of K stacked networks, arranged for speed; same arithmetic per network.

    The same products, sums and updates as :func:`coursework.backprop.network.backward` in the same order. A sweep is
    thousands of epochs of tiny products, whose cost is mostly per NumPy call and per pass over memory, so:

    * every network sees the same ``X``: the first layer of all K networks is one product ``X @ W`` with ``W`` of
      shape (in, K * units), and so is its weight gradient ``X^T @ delta``;
    * activations and deltas are stored sample-major, (samples, K * units), so bias additions and elementwise steps
      are single passes over contiguous memory; later layers' batched products read and write the same buffers
      through (K, samples, units) views;
    * all parameters live in one flat array and all gradients in another: the update is two calls;
    * every intermediate array is allocated once, and every call writes into its ``out``.
    """

    def __init__(self, stack: Stack) -> None:
        weights, biases, X, Y, rates, decays, f = stack
        self.weights, self.biases, self.X, self.Y, self.f = weights, biases, X, Y, f
        self.count, self.samples, self.layers = len(rates), X.shape[0], len(weights)
        self.units = [w.shape[2] for w in weights]
        self._flat_parameters(rates, decays)
        self._buffers()

    def _flat_parameters(self, rates: np.ndarray, decays: np.ndarray) -> None:
        """Every weight matrix, then every bias, in one flat array; gradients, step sizes and decays in three more,
        position for position. The first layer is (in, K, units): its K matrices side by side are the
        (in, K * units) matrix of one product. Later weights are (K, in, out), as stacked."""
        count, layers, X = self.count, self.layers, self.X
        shapes = [(X.shape[1], count, self.units[0])] + [w.shape for w in self.weights[1:]]
        shapes += [b.shape for b in self.biases]
        sizes = [math.prod(shape) for shape in shapes]
        ends = list(itertools.accumulate(sizes))

        def parts(flat: np.ndarray) -> list[np.ndarray]:
            return [flat[end - size : end].reshape(shape) for end, size, shape in zip(ends, sizes, shapes)]

        self.params, self.grads, self.step_sizes = np.empty(sum(sizes)), np.empty(sum(sizes)), np.empty(sum(sizes))
        ws, gws = parts(self.params), parts(self.grads)
        self.ws, self.bs, self.gws, self.gbs = ws[:layers], ws[layers:], gws[:layers], gws[layers:]
        for target, source in zip(self.ws + self.bs, self._originals()):
            target[...] = source
        per_rate = [rates.reshape(1, count, 1)] + [rates] * (layers - 1) + [rates[:, 0]] * layers
        for target, rate in zip(parts(self.step_sizes), per_rate):
            target[...] = rate
        self.use_decay = bool(np.any(decays))  # skip the decay term's products when every decay is zero
        weight_decays = np.zeros(sum(sizes))  # biases have none
        for target, decay in zip(parts(weight_decays), [decays.reshape(1, count, 1)] + [decays] * (layers - 1)):
            target[...] = decay
        weight_count = ends[layers - 1]
        self.weight_decays, self.weight_grads = weight_decays[:weight_count], self.grads[:weight_count]
        self.weight_params, self.decay_term = self.params[:weight_count], np.empty(weight_count)

    def _originals(self) -> list[np.ndarray]:
        """The stacked weights and biases, the first layer's seen as (in, K, units)."""
        return [self.weights[0].transpose(1, 0, 2)] + self.weights[1:] + self.biases

    def _stacked(self, flat: np.ndarray) -> np.ndarray:
        """The (K, samples, units) view of a sample-major (samples, K * units) array."""
        return flat.reshape(self.samples, self.count, -1).transpose(1, 0, 2)

    def _buffers(self) -> None:
        """The activations, deltas and derivatives (sample-major), and per layer the arrays each call reads and
        writes: forward (input, weights, product, output, bias); backward, last layer first (a_{l-1}^T, delta_l
        stacked and flat, weight and bias gradients, W_l^T as a view and as a contiguous copy made every epoch,
        delta_{l-1} stacked and flat, a_{l-1} and its derivative's buffer)."""
        X, count, stacked = self.X, self.count, self._stacked
        outputs = [np.empty((self.samples, count * u)) for u in self.units]
        deltas = [np.empty_like(a) for a in outputs]
        self.derivatives = [np.empty_like(a) for a in outputs]
        self.flat_bias_grads = [g.reshape(-1) for g in self.gbs]
        self.forward = [(X, self.ws[0].reshape(X.shape[1], -1), outputs[0], outputs[0], self.bs[0].reshape(-1))]
        self.forward += [
            (stacked(outputs[i - 1]), self.ws[i], stacked(outputs[i]), outputs[i], self.bs[i].reshape(-1))
            for i in range(1, self.layers)
        ]
        self.backward = [
            (stacked(outputs[i - 1]).transpose(0, 2, 1), stacked(deltas[i]), deltas[i], self.gws[i])
            + (
                self.flat_bias_grads[i],
                self.ws[i].transpose(0, 2, 1),
                np.empty((count, self.units[i], self.units[i - 1])),
            )
            + (stacked(deltas[i - 1]), deltas[i - 1], outputs[i - 1], self.derivatives[i - 1])
            for i in reversed(range(1, self.layers))
        ]
        self.first_grads, self.X_t = self.gws[0].reshape(X.shape[1], -1), np.ascontiguousarray(X.T)
        self.output, self.deltas = outputs[-1], deltas
        self.targets = np.repeat(self.Y[:, None, :], count, axis=1).reshape(self.samples, -1)  # sample-major

    def run(self, epochs: int, log: Logger | None) -> tuple[np.ndarray, np.ndarray]:
        """Train ``epochs`` epochs in place: each epoch's (epochs, K) summed squared error and correct predictions.

        Both are summed for a block of epochs at a time, from each epoch's errors and hits kept until then. Outputs
        are passed positionally and argmax is called as a method: for one network, the cost of an epoch is mostly the
        calls' overhead."""
        samples, count = self.samples, self.count
        output, last_delta, first_delta = self.output, self.deltas[-1], self.deltas[0]
        output_samples, targets = output.reshape(samples, count, -1), self.targets
        scale, target_class = 2.0 / (samples * self.Y.shape[1]), self.Y.argmax(axis=1)[:, None]
        predicted = np.empty((samples, count), dtype=np.intp)
        block = 1 if log is not None else min(epochs, 32)
        errors, corrects = np.empty((block, *targets.shape)), np.empty((block, samples, count), dtype=bool)
        squared_errors, hits = np.empty((epochs, count)), np.empty((epochs, count), dtype=np.intp)
        value, derivative, last_derivative = self.f.value, self.f.derivative_from_output, self.derivatives[-1]
        forward, backward, X_t, first_grads, first_bias_grads = (
            self.forward,
            self.backward,
            self.X_t,
            self.first_grads,
            self.flat_bias_grads[0],
        )
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
            np.multiply(last_delta, derivative(output, last_derivative), last_delta)
            for a_t, delta, delta_flat, grad, bias_grad, w_t, w_t_copy, below, below_flat, a, a_derivative in backward:
                np.matmul(a_t, delta, grad)
                np.add.reduce(delta_flat, 0, None, bias_grad)
                w_t_copy[...] = w_t
                np.matmul(delta, w_t_copy, below)
                np.multiply(below_flat, derivative(a, a_derivative), below_flat)
            np.matmul(X_t, first_delta, first_grads)
            np.add.reduce(first_delta, 0, None, first_bias_grads)
            self._update()
            if slot == block - 1 or epoch == epochs - 1:
                done, kept = slice(epoch - slot, epoch + 1), errors[: slot + 1].reshape(slot + 1, samples, count, -1)
                np.einsum("enki,enki->ek", kept, kept, out=squared_errors[done])
                np.add.reduce(corrects[: slot + 1], 1, None, hits[done])
                if log is not None:
                    log(epoch, squared_errors, hits)
        for target, source in zip(self._originals(), self.ws + self.bs):
            target[...] = source
        return squared_errors, hits

    def _update(self) -> None:
        """One gradient-descent step of every parameter: decay added to the weights' gradients, then two calls."""
        if self.use_decay:
            np.add(
                self.weight_grads,
                np.multiply(self.weight_decays, self.weight_params, self.decay_term),
                self.weight_grads,
            )
        np.multiply(self.grads, self.step_sizes, self.grads)
        np.subtract(self.params, self.grads, self.params)
