"""``python -m coursework.experiments [NAME ...] [--retrain] [--list]``: train what is missing, or retrain.

Every name is checked before any data is decoded or any model trained; a typo ends with one line that lists the
closest registered names.
"""

from __future__ import annotations

import argparse

from coursework.experiments.registry import REGISTRY, experiment
from coursework.store import model_paths


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, check every name, then train the experiments that need it, one after another."""
    parser = argparse.ArgumentParser(description="Train the autoencoders and colorizers of notebook 02.")
    parser.add_argument("names", nargs="*", help="experiments to train (default: every registered one)")
    parser.add_argument("--retrain", action="store_true", help="train even where a committed model exists")
    parser.add_argument("--list", action="store_true", help="list the registered experiments and exit")
    parser.add_argument("--source", help="CIFAR-10 source (default: CIFAR10_SOURCE or keras' cache)")
    args = parser.parse_args(argv)
    if args.list:
        for name, entry in REGISTRY.items():
            print(f"{name:<34} {entry.group:<12} {entry.change}")
        return
    for name in args.names:
        try:
            experiment(name)
        except ValueError as error:
            parser.error(str(error))
    names = list(dict.fromkeys(args.names)) or list(REGISTRY)
    todo = [name for name in names if args.retrain or not model_paths(name)["model"].exists()]
    if not todo:
        print("every experiment asked for is trained; --retrain trains them again")
        return
    from coursework.data import cifar_split  # only now: decoding takes a while
    from coursework.experiments.runs import train

    data = cifar_split(args.source)
    for name in todo:
        train(name, data)


if __name__ == "__main__":
    main()
