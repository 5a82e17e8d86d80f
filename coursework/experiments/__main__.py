"""``python -m coursework.experiments [NAME ...] [--retrain] [--list]``: train what is missing, or retrain.

Every name is checked before any data is decoded or any model trained; a typo ends with one line that lists the
closest registered names.
"""

from __future__ import annotations

import argparse
import re

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
    if args.list and args.names:
        parser.error(f"--list takes no names (got {' '.join(args.names)})")
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
    from coursework.data import DataError, cifar_split  # only now: decoding takes a while
    from coursework.experiments.runs import train

    try:
        data = cifar_split(args.source)
    except (DataError, ValueError) as error:  # the source is missing, damaged or not CIFAR-10: no traceback
        parser.exit(1, f"{parser.prog}: error: {one_line(str(error))}\n")
    for name in todo:
        train(name, data)


def one_line(message: str) -> str:
    """A multi-line message on one line: a line ending in ":" runs on into the next, other lines join with "; "."""
    message = re.sub(r":\s*\n\s*", ": ", message.strip())
    return re.sub(r"\s*\n\s*", "; ", message)


if __name__ == "__main__":
    main()
