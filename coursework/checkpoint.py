"""Resumable training: a checkpoint after every epoch, from which an interrupted run goes on as if never stopped.

A checkpoint is one consistent snapshot: the model's and optimizer's weights after an epoch, early stopping's state
(best loss, its weights, epochs waited, whether it stopped) and the history of every epoch so far. The weights go to
files named by their epoch; ``state.json``, written through a temporary name and renamed, then names them and so
commits the snapshot. A run killed at any moment therefore finds the previous snapshot or the new one, never a mix:
the history of an interrupted and resumed run equals that of an uninterrupted one.

A checkpoint belongs to one run, its config and its data (shapes and content hash): another run's is refused before
training. The folder outlives training: its owner deletes it once the trained model is saved, so that a run killed
while saving resumes at its last epoch and trains nothing again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from coursework._tensorflow import keras
from coursework.paths import atomic_path, read_json

STATE_FILE = "state.json"
FORMAT = 2  # of state.json: bump it when the snapshot's layout changes
SNAPSHOT_FILES = ("epoch-*.weights.h5", "best-*.npz")  # what a state names, one of each per epoch at most


def data_fingerprint(*arrays: np.ndarray) -> str:
    """The shapes and a SHA-256 of the contents of ``arrays``: which images a run trains and validates on."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(f"{array.dtype}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).data)
    return f"{' '.join(str(array.shape) for array in arrays)} sha256 {digest.hexdigest()[:16]}"


class ResumableTraining(keras.callbacks.Callback):
    """Save a snapshot after every epoch and, when a run starts again, restore the last one (see the module).

    ``stopping``: the run's early stopping callback (placed before this one), whose state is saved and restored;
    ``config`` and ``data``: what the run is (``repr`` of its config, :func:`data_fingerprint` of its images).
    :meth:`initial_epoch` is the epoch to resume from: pass it to ``fit``. The folder is kept when training ends.
    """

    def __init__(self, directory: Path, stopping: keras.callbacks.EarlyStopping | None, config: str, data: str):
        super().__init__()
        self.directory, self.stopping, self.config, self.data = Path(directory), stopping, config, data
        self.state = _read_state(self.directory, config, data)
        self.history: dict[str, list[float]] = dict(self.state["history"]) if self.state else {}

    def initial_epoch(self, epochs: int) -> int:
        """The epoch to resume a run of ``epochs`` from: the epochs the checkpoint holds (0 for a new run), or
        ``epochs`` where early stopping had ended the run (no epoch is left to train)."""
        if not self.state:
            return 0
        return epochs if self.state["stopped"] else self.state["epoch"]

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Restore the snapshot: weights, optimizer, and early stopping's state (after its own reset)."""
        if not self.state:
            return
        if self.model.optimizer is not None and not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        saved, best_weights = self.state["stopping"], None
        try:
            self.model.load_weights(self.directory / self.state["weights"])
            if saved is not None and saved["best_weights"] is not None:
                with np.load(self.directory / saved["best_weights"]) as best:
                    best_weights = [best[f"arr_{index}"] for index in range(len(best.files))]
        except (OSError, ValueError, KeyError) as error:
            raise ValueError(
                f"the checkpoint in {self.directory} is damaged ({type(error).__name__}: {error}): delete the folder "
                "to train from scratch"
            ) from error
        if self.stopping is not None and saved is not None:
            stopping = self.stopping
            stopping.best, stopping.wait, stopping.best_epoch = saved["best"], saved["wait"], saved["best_epoch"]
            stopping.stopped_epoch, stopping.best_weights = saved["stopped_epoch"], best_weights

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Write this epoch's weights, then commit them by renaming the new state into place."""
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        self.directory.mkdir(parents=True, exist_ok=True)
        weights = f"epoch-{epoch + 1}.weights.h5"
        self.model.save_weights(self.directory / weights)
        state = {
            "format": FORMAT,
            "config": self.config,
            "data": self.data,
            "epoch": epoch + 1,
            "history": self.history,
            "weights": weights,
            "stopping": self._stopping_state(epoch),
            "stopped": bool(self.model.stop_training),
        }
        with atomic_path(self.directory / STATE_FILE) as temporary:
            temporary.write_text(json.dumps(state))
        self.state = state
        named = {weights, (state["stopping"] or {}).get("best_weights")}
        for pattern in SNAPSHOT_FILES:  # the snapshot files of earlier epochs, which the state no longer names
            for path in self.directory.glob(pattern):
                if path.name not in named:
                    path.unlink()

    def _stopping_state(self, epoch: int) -> dict | None:
        """Early stopping's state after ``epoch``, its best weights saved when they are new."""
        stopping = self.stopping
        if stopping is None:
            return None
        best_weights = self.state["stopping"]["best_weights"] if self.state and self.state["stopping"] else None
        if stopping.best_weights is not None and stopping.best_epoch == epoch:
            best_weights = f"best-{epoch + 1}.npz"
            np.savez(self.directory / best_weights, *stopping.best_weights)
        return {
            "best": None if stopping.best is None else float(stopping.best),
            "wait": int(stopping.wait),
            "best_epoch": int(stopping.best_epoch),
            "stopped_epoch": int(stopping.stopped_epoch),
            "best_weights": best_weights if stopping.best_weights is not None else None,
        }


def epochs_done(directory: Path) -> int:
    """How many epochs the checkpoint in ``directory`` holds (0 where there is none or it cannot be read)."""
    try:
        return int(json.loads((directory / STATE_FILE).read_text())["epoch"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def _read_state(directory: Path, config: str, data: str) -> dict | None:
    """The committed state in ``directory`` (None for a new run), or a ValueError naming the file and the fix where
    it is damaged, of another version of this code, or of another run (config or images)."""
    path = directory / STATE_FILE
    if not path.exists():
        return None
    fix = f"delete this folder, {directory}, to train from scratch"
    state = read_json(path, fix)
    if state.get("format") != FORMAT:
        raise ValueError(f"{path} was written by another version of this code: {fix}")
    for key, ours, what in (("config", config, "is of another run"), ("data", data, "was trained on other images")):
        if state.get(key) != ours:
            raise ValueError(f"the checkpoint in {directory} {what} ({state.get(key)}), not {ours}: {fix}")
    return state
