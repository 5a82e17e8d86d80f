"""``python -m coursework.experiments [NAME ...] [--retrain] [--list]``: train what is missing, or retrain.

Every name is checked before any data is decoded or any model trained; a typo ends with one line that lists the
closest registered names. A retrain (``make retrain``) records each model it saved in ``data/retrain.json``, so that
the same command run again after an interruption skips them and resumes the interrupted one at its last epoch; the
file is removed once every model asked for is retrained. Ctrl-C ends with one line that says so.
"""

from __future__ import annotations

import argparse
import json
import re
import time

from coursework.checkpoint import epochs_done
from coursework.experiments.registry import REGISTRY, experiment
from coursework.paths import DATA_DIR, atomic_path
from coursework.store import model_paths

RETRAIN_STATE = "retrain.json"  # under DATA_DIR: the names a retrain asked for, and those it has saved


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, check every name, then train the experiments that need it, one after another."""
    parser = argparse.ArgumentParser(description="Train the autoencoders and colorizers of notebook 02.")
    parser.add_argument("names", nargs="*", help="experiments to train (default: every registered one)")
    parser.add_argument("--retrain", action="store_true", help="train even where a committed model exists")
    parser.add_argument("--list", action="store_true", help="list the registered experiments and exit")
    parser.add_argument("--source", help="the dataset's copy (default for CIFAR-10: CIFAR10_SOURCE or keras' cache)")
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
    # The config is written last: a model without it was not saved completely.
    todo = [name for name in names if args.retrain or not model_paths(name)["config"].exists()]
    done = retrained_before(names) if args.retrain else []
    if done:
        print(f"resuming a retrain: {len(done)} of {len(todo)} already retrained ({', '.join(done)})", flush=True)
    if not todo:
        print("every experiment asked for is trained; --retrain trains them again")
        return
    datasets = dict.fromkeys(experiment(name).config.dataset for name in todo)
    from coursework.data import DataError, split  # only now: decoding takes a while
    from coursework.experiments.runs import checkpoint_dir, train

    try:
        data = {dataset: split(dataset, args.source) for dataset in datasets}
    except (DataError, ValueError) as error:  # the source is missing, damaged or not CIFAR-10: no traceback
        parser.exit(1, f"{parser.prog}: error: {one_line(str(error))}\n")
    start = time.monotonic()
    for count, name in enumerate(todo, 1):
        if name in done:
            continue
        seconds = int(time.monotonic() - start)
        print(f"[{count}/{len(todo)}] {name} ({seconds // 3600} h {seconds // 60 % 60:02d} min so far)", flush=True)
        try:
            train(name, data[experiment(name).config.dataset])
        except KeyboardInterrupt:
            epoch = epochs_done(checkpoint_dir(name))
            parser.exit(130, f"{name}: interrupted after epoch {epoch}; run the same command to resume\n")
        if args.retrain:
            done.append(name)
            with atomic_path(DATA_DIR / RETRAIN_STATE) as temporary:
                temporary.write_text(json.dumps({"names": names, "done": done}))
    if args.retrain:
        (DATA_DIR / RETRAIN_STATE).unlink(missing_ok=True)
    print(f"{len(todo)} of {len(todo)} trained in {(time.monotonic() - start) / 60:.0f} min", flush=True)


def retrained_before(names: list[str]) -> list[str]:
    """The experiments an interrupted retrain of these very ``names`` saved already (none for another retrain)."""
    try:
        state = json.loads((DATA_DIR / RETRAIN_STATE).read_text())
    except (OSError, ValueError):
        return []
    return [name for name in state["done"] if name in names] if state.get("names") == names else []


def one_line(message: str) -> str:
    """A multi-line message on one line: a line ending in ":" runs on into the next, other lines join with "; "."""
    message = re.sub(r":\s*\n\s*", ": ", message.strip())
    return re.sub(r"\s*\n\s*", "; ", message)


if __name__ == "__main__":
    main()
