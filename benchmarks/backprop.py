"""Speed of the NumPy backpropagation network, measured side by side in one run.

Prints: 10,000 epochs of one 8-3-8 network with `Network.train` and with a naive NumPy loop (the ratio); a sweep of
many networks x 10,000 epochs trained stacked vs as a Python loop of single networks; the same network trained
with Keras (TensorFlow), per epoch; and the sigmoid's cost per element in its two forms, through exp and through
tanh. Targets: sweep of 300 networks under 5 s, stacked >= 20x faster than the loop, `Network.train` at most 1.0x
the naive loop's time, NumPy >= 50x faster per epoch than Keras. The first line says which kernels ran: NumPy's
SIMD level and the one its float64 exp and tanh dispatch to, and OpenBLAS's kernel.

    python benchmarks/backprop.py [--networks 300] [--loop-networks N] [--repeats 5]

Other CPU kinds, emulated by hand on an AVX-512 machine (never in tests or CI):

    OPENBLAS_CORETYPE=Haswell NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR" \\
        python benchmarks/backprop.py          # AVX2 kernels (BLAS and NumPy's own loops)
"""

import argparse
import ctypes
import glob
import json
import os
import time
from collections.abc import Callable

import numpy as np

from coursework.backprop import ACTIVATIONS, Network, encoder_dataset, train_stacked

EPOCHS = 10_000
X, Y = encoder_dataset(8)


def seconds(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def naive_loop(epochs: int, learning_rate: float, seed: int = 0) -> np.ndarray:
    """What one writes by hand for one 8-3-8 sigmoid network: full-batch gradient descent, no checks, no history."""
    network = Network(seed=seed)
    (w1, w2), (b1, b2) = [w.copy() for w in network.weights], [b.copy() for b in network.biases]
    for _ in range(epochs):
        hidden = 1 / (1 + np.exp(-(X @ w1 + b1)))
        output = 1 / (1 + np.exp(-(hidden @ w2 + b2)))
        delta2 = 2 * (output - Y) / output.size * output * (1 - output)
        delta1 = delta2 @ w2.T * hidden * (1 - hidden)
        w2 -= learning_rate * hidden.T @ delta2
        b2 -= learning_rate * delta2.sum(axis=0)
        w1 -= learning_rate * X.T @ delta1
        b1 -= learning_rate * delta1.sum(axis=0)
    return output


def kernels() -> str:
    """NumPy's version, SIMD level and the targets of its float64 exp and tanh, and OpenBLAS's kernel: what the
    timings below ran on."""
    from numpy._core._multiarray_umath import __cpu_features__
    from numpy.lib.introspect import opt_func_info

    simd = [name for name in ("AVX512_SKX", "AVX2", "SSE42") if __cpu_features__.get(name)]
    try:  # the OpenBLAS that NumPy's wheels bundle can name its kernel (OPENBLAS_CORETYPE overrides it)
        library = ctypes.CDLL(glob.glob(os.path.join(os.path.dirname(np.__path__[0]), "numpy.libs", "*openblas*"))[0])
        library.scipy_openblas_get_corename64_.restype = ctypes.c_char_p
        blas = f"OpenBLAS kernel {library.scipy_openblas_get_corename64_().decode()}"
    except (IndexError, OSError, AttributeError):
        blas = "BLAS kernel unknown"
    targets = opt_func_info(func_name="^(exp|tanh)$", signature="float64")
    ufuncs = ", ".join(f"{name} on {targets[name]['dd']['current']}" for name in ("exp", "tanh"))
    simd_level = simd[0] if simd else "baseline"
    return f"NumPy {np.__version__}, SIMD up to {simd_level} (float64 {ufuncs}), {blas}, {os.cpu_count()} CPUs"


def sigmoid_nanoseconds(elements: int, calls: int = 300) -> tuple[float, float]:
    """Nanoseconds per element of the sigmoid in place, as ``1 / (1 + exp(-z))`` (the project's) and as
    ``(1 + tanh(z / 2)) / 2``, best of 5 rounds: which is cheaper depends on which NumPy vectorises on this CPU."""
    z, out = np.random.default_rng(0).normal(0.0, 4.0, elements), np.empty(elements)

    def through_tanh() -> None:
        np.multiply(z, 0.5, out)
        np.tanh(out, out)
        np.add(out, 1.0, out)
        np.multiply(out, 0.5, out)

    def best(function: Callable[[], object]) -> float:
        return min(seconds(lambda: [function() for _ in range(calls)]) for _ in range(5)) / calls / elements * 1e9

    return best(lambda: ACTIVATIONS["sigmoid"].value(z, out)), best(through_tanh)


def keras_seconds_per_epoch(epochs: int) -> float:
    """Full-batch SGD on the same 8-3-8 sigmoid network with Keras' own fit loop, warm-up excluded."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(3, activation="sigmoid"),
            keras.layers.Dense(8, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=50.0), loss="mse")
    model.fit(X, Y, epochs=5, batch_size=8, verbose=0)  # warm-up: tracing and graph building
    return seconds(lambda: model.fit(X, Y, epochs=epochs, batch_size=8, verbose=0)) / epochs


def loop_seconds(rates: np.ndarray, networks: int) -> float:
    """The first ``networks`` of the sweep trained one by one, with a progress line every tenth of the way."""
    start = time.perf_counter()
    every = max(1, networks // 10)
    for seed in range(networks):
        Network(seed=seed).train(X, Y, EPOCHS, rates[seed])
        if (seed + 1) % every == 0 or seed + 1 == networks:
            elapsed = time.perf_counter() - start
            print(f"  one by one: {seed + 1}/{networks} networks, {elapsed:.0f} s so far", flush=True)
    return time.perf_counter() - start


def row(label: str, value: str, note: str = "") -> None:
    """One aligned line of the printed table, at once (the slow rows come minutes apart)."""
    print(f"{label:<58} {value:>10}{f'   {note}' if note else ''}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--networks", type=int, default=300, help="networks in the stacked sweep")
    parser.add_argument(
        "--loop-networks",
        type=int,
        help="time the loop on only this many networks and scale up (default: all)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="interleaved runs of the single-network rows (median)")
    parser.add_argument("--keras-epochs", type=int, default=1000)
    args = parser.parse_args()
    rates = np.geomspace(0.5, 50, args.networks)
    loop_networks = args.loop_networks or args.networks
    print(kernels(), flush=True)

    Network(seed=0).train(X, Y, 10, 1.0)  # warm-up
    # Alternate the two single-network runs, so that a slow spell of a shared machine hits both alike.
    singles, naives = [], []
    for _ in range(args.repeats):
        singles.append(seconds(lambda: Network(seed=0).train(X, Y, EPOCHS, 50.0)))
        naives.append(seconds(lambda: naive_loop(EPOCHS, 50.0)))
    single, naive = float(np.median(singles)), float(np.median(naives))
    row(f"one 8-3-8 network, {EPOCHS:,} epochs, Network.train", f"{single:.2f} s", f"median of {args.repeats}")
    row(f"the same, naive NumPy loop (naive_loop in {os.path.basename(__file__)})", f"{naive:.2f} s")
    row("  Network.train / naive loop", f"{single / naive:.2f}x", "target <= 1.0x")
    sweep = [Network(seed=s) for s in range(args.networks)]
    stacked = seconds(lambda: train_stacked(sweep, X, Y, EPOCHS, rates))
    row(f"{args.networks} networks x {EPOCHS:,} epochs, stacked (train_stacked)", f"{stacked:.2f} s", "target < 5 s")
    loop = loop_seconds(rates, loop_networks) * args.networks / loop_networks
    scaled = f"measured on {loop_networks}, scaled" if loop_networks != args.networks else ""
    row(f"{args.networks} networks x {EPOCHS:,} epochs, one by one (Network.train)", f"{loop:.2f} s", scaled)
    row("  stacked speed-up over the loop", f"{loop / stacked:.1f}x", "target >= 20x")
    keras_epoch = keras_seconds_per_epoch(args.keras_epochs)
    numpy_epoch = single / EPOCHS
    row(f"Keras (TensorFlow) fit, per epoch ({args.keras_epochs} epochs)", f"{keras_epoch * 1e3:.3f} ms")
    row("NumPy (Network.train), per epoch", f"{numpy_epoch * 1e3:.3f} ms")
    row("  NumPy speed-up over Keras per epoch", f"{keras_epoch / numpy_epoch:.1f}x", "target >= 50x")
    elements = X.shape[0] * args.networks * (3 + 8)  # one epoch of the sweep's sigmoids
    via_exp, via_tanh = sigmoid_nanoseconds(elements)
    row(f"sigmoid as 1 / (1 + exp(-z)), {elements:,} elements", f"{via_exp:.2f} ns", "per element (the project's)")
    row("sigmoid as (1 + tanh(z / 2)) / 2, same elements", f"{via_tanh:.2f} ns", "per element")
    result = {
        "networks": args.networks,
        "loop_networks": loop_networks,
        "single_s": single,
        "naive_s": naive,
        "stacked_s": stacked,
        "loop_s": loop,
        "keras_epoch_ms": keras_epoch * 1e3,
        "numpy_epoch_ms": numpy_epoch * 1e3,
        "sigmoid_exp_ns": via_exp,
        "sigmoid_tanh_ns": via_tanh,
    }
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
