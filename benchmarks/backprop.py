"""Speed of the NumPy backpropagation network, measured side by side in one run.

Prints: seconds for 10,000 epochs of one 8-3-8 network; a sweep of many networks x 10,000 epochs trained
stacked vs as a Python loop of single networks; and the same network trained with Keras (TensorFlow), per
epoch. Targets (issue 2): sweep of 300 networks under 5 s, stacked >= 20x faster than the loop, NumPy >= 50x
faster per epoch than Keras. Usage: python benchmarks/backprop.py [--networks 300] [--loop-networks N]
"""

import argparse
import os
import time

import numpy as np

from coursework.backprop import Network, encoder_dataset, train_stacked

EPOCHS = 10_000
X, Y = encoder_dataset(8)


def seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def keras_seconds_per_epoch(epochs: int) -> float:
    """Full-batch SGD on the same 8-3-8 sigmoid network with Keras' own fit loop, warm-up excluded."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--networks", type=int, default=300, help="networks in the stacked sweep")
    parser.add_argument(
        "--loop-networks",
        type=int,
        help="time the loop on only this many networks and scale up (default: all)",
    )
    parser.add_argument("--keras-epochs", type=int, default=1000)
    args = parser.parse_args()
    rates = np.geomspace(0.5, 50, args.networks)
    loop_networks = args.loop_networks or args.networks

    Network(seed=0).train(X, Y, 10, 1.0)  # warm-up
    single = seconds(lambda: Network(seed=0).train(X, Y, EPOCHS, 50.0))
    stacked = seconds(lambda: train_stacked([Network(seed=s) for s in range(args.networks)], X, Y, EPOCHS, rates))
    loop_part = seconds(lambda: [Network(seed=s).train(X, Y, EPOCHS, rates[s]) for s in range(loop_networks)])
    loop = loop_part * args.networks / loop_networks
    keras_epoch = keras_seconds_per_epoch(args.keras_epochs)
    numpy_epoch = single / EPOCHS

    print(f"one 8-3-8 network, {EPOCHS:,} epochs (NumPy):        {single:8.2f} s")
    print(f"{args.networks} networks x {EPOCHS:,} epochs, stacked:        {stacked:8.2f} s   (target < 5 s)")
    scaled = f"   (measured on {loop_networks}, scaled)" if loop_networks != args.networks else ""
    print(f"{args.networks} networks x {EPOCHS:,} epochs, one by one:     {loop:8.2f} s{scaled}")
    print(f"  stacked speed-up over the loop:                 {loop / stacked:8.1f}x (target >= 20x)")
    print(f"Keras (TensorFlow) fit, per epoch ({args.keras_epochs} epochs):   {keras_epoch * 1e3:8.3f} ms")
    print(f"NumPy, per epoch:                                 {numpy_epoch * 1e3:8.3f} ms")
    print(f"  NumPy speed-up over Keras per epoch:            {keras_epoch / numpy_epoch:8.1f}x (target >= 50x)")


if __name__ == "__main__":
    main()
