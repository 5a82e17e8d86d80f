"""Resumable training: a checkpoint after every epoch, from which an interrupted run goes on as if never stopped.

A checkpoint is one consistent snapshot: the model's and optimizer's weights after an epoch, early stopping's state
(best loss, its weights, epochs waited, whether it stopped) and the history of every epoch so far. Its files are
written first; ``state.json``, written through a temporary name and renamed, then names them and so commits the
snapshot. A run killed at any moment therefore finds the previous snapshot or the new one, never a mix, and goes on
from there: the history of an interrupted and resumed run equals that of an uninterrupted one.

A checkpoint belongs to one run: its config and its data (shape and content hash). Another run's checkpoint, or one
from other images, is refused before training, as is a folder that holds other files or a symbolic link. The folder
outlives training: its owner deletes it once the trained model is saved, so that a run killed while
saving resumes at its last epoch and trains nothing again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from pathlib import Path

import numpy as np

from coursework._tensorflow import keras
from coursework.checks import read_json

STATE_FILE = "state.json"
FORMAT = 2  # of state.json: bump it when the snapshot's layout changes
# The files a checkpoint writes (the snapshot files a state names, state.json and its temporary names), and those of
# the earlier layout, which Keras' BackupAndRestore wrote.
_OWN_FILE = re.compile(
    r"epoch-\d+\.weights\.h5|best-\d+\.npz|\.state\.json\.[0-9a-f]+\.tmp|state\.json"
    r"|latest\.weights\.h5|training_metadata\.json|best_weights\.npz"
)


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
    ``config`` and ``data``: what the run is (``repr`` of its config, :func:`data_fingerprint` of its images);
    ``epochs``: how many it trains (a checkpoint of more is refused).
    :attr:`initial_epoch` is the epoch to resume from: pass it to ``fit``. The folder is kept when training ends.
    """

    def __init__(
        self,
        directory: Path,
        stopping: keras.callbacks.EarlyStopping | None,
        config: str,
        data: str,
        epochs: int | None = None,
    ):
        super().__init__()
        self.directory, self.stopping, self.config, self.data = Path(directory), stopping, config, data
        self.state = _check_folder(self.directory, config, data)
        if self.state:
            _check_state(self.state, self.directory / STATE_FILE, epochs, stopping is not None)
        self.history: dict[str, list[float]] = dict(self.state["history"]) if self.state else {}

    @property
    def initial_epoch(self) -> int:
        """The number of epochs the checkpoint holds (0 for a new run)."""
        return self.state["epoch"] if self.state else 0

    @property
    def stopped(self) -> bool:
        """Whether early stopping had ended the run: then no epoch is left to train."""
        return bool(self.state and self.state["stopped"])

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Restore the snapshot: weights, optimizer, and early stopping's state (after its own reset)."""
        if not self.state:
            return
        weights = self._snapshot_file(self.state["weights"])
        if self.model.optimizer is not None and not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        try:
            self.model.load_weights(weights)
        except (OSError, ValueError) as error:
            raise ValueError(f"{weights} is damaged ({error}): delete this folder, {self.directory}") from error
        saved = self.state["stopping"]
        if self.stopping is not None and saved is not None:
            stopping = self.stopping
            stopping.best, stopping.wait, stopping.best_epoch = saved["best"], saved["wait"], saved["best_epoch"]
            stopping.stopped_epoch = saved["stopped_epoch"]
            if saved["best_weights"] is not None:
                stopping.best_weights = _load_weights_list(self._snapshot_file(saved["best_weights"]), self.directory)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Write this epoch's snapshot files, then commit them by renaming the new state into place."""
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
        temporary = self.directory / f".{STATE_FILE}.{secrets.token_hex(4)}.tmp"
        temporary.write_text(json.dumps(state))
        os.replace(temporary, self.directory / STATE_FILE)
        self.state = state
        _remove_unnamed(self.directory, state)

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

    def _snapshot_file(self, name: str) -> Path:
        """A file the state names; a ValueError naming the fix if it is missing or not a regular file."""
        path = self.directory / name
        if path.is_symlink() or not path.is_file():
            what = "is missing" if not (path.exists() or path.is_symlink()) else "is not a regular file"
            raise ValueError(
                f"{path} {what}, though {self.directory / STATE_FILE} names it: the checkpoint is incomplete; "
                "delete this folder to train from scratch"
            )
        return path


def epochs_done(directory: Path) -> int:
    """How many epochs the checkpoint in ``directory`` holds (0 where there is none or it cannot be read)."""
    try:
        return int(json.loads((directory / STATE_FILE).read_text())["epoch"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def _check_folder(directory: Path, config: str, data: str) -> dict | None:
    """The state of the checkpoint in ``directory`` (None for a new run), or a ValueError before training: the folder
    is deleted once the model is saved, so it must be new, empty or a checkpoint of this very run."""
    if directory.is_symlink():
        raise ValueError(
            f"checkpoint_dir {directory} is a symbolic link (to {directory.resolve()}): the folder is deleted once "
            "the model is saved; give a real folder"
        )
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"checkpoint_dir {directory} is a file: give a folder for the checkpoints")
    entries = sorted(entry.name for entry in directory.iterdir()) if directory.is_dir() else []
    if any(not _OWN_FILE.fullmatch(name) for name in entries):
        raise ValueError(
            f"checkpoint_dir {directory} holds files that are not a checkpoint of this code, and the folder is "
            "deleted once the model is saved: give a new or empty folder"
        )
    for name in entries:  # a folder or link where a snapshot file belongs: never followed, never loaded
        if (directory / name).is_symlink() or not (directory / name).is_file():
            raise ValueError(
                f"{directory / name} is not a regular file, where a checkpoint keeps one: delete this folder, "
                f"{directory}, to train from scratch"
            )
    if STATE_FILE not in entries:
        for name in entries:  # the files of a first snapshot that was never committed
            (directory / name).unlink()
        return None
    state = _read_state(directory / STATE_FILE)
    for key, ours, what in (("config", config, "is of another run"), ("data", data, "was trained on other images")):
        if state.get(key) != ours:
            raise ValueError(
                f"the checkpoint in {directory} {what} ({state.get(key)}), not {ours}: delete the folder to train "
                "from scratch"
            )
    return state


def _read_state(path: Path) -> dict:
    """The committed state in ``path``; a ValueError naming the file and the fix if it is damaged or of another
    version of this code."""
    fix = f"delete this folder, {path.parent}, to train from scratch"
    state = read_json(path, fix)
    if state.get("format") != FORMAT:
        raise ValueError(f"{path} was written by another version of this code: {fix}")
    return state


def _check_state(state: dict, path: Path, epochs: int | None, stopping: bool) -> None:
    """A ValueError naming ``path`` and the fix unless ``state`` is one this code writes for a run of ``epochs``
    epochs (None: any number), with early stopping's state where the run has early ``stopping``."""
    fix = f"delete this folder, {path.parent}, to train from scratch"
    epoch, history, saved = state.get("epoch"), state.get("history"), state.get("stopping", False)
    if type(epoch) is not int or not 0 < epoch <= (epochs or epoch):
        problem = f"epoch {epoch!r}, not a whole number 1..{epochs or 'the epochs of the run'}"
    elif not isinstance(history, dict) or not history or not all(_is_history(v, epoch) for v in history.values()):
        problem = f"a history that is not {epoch} numbers for each of its measures"
    elif not isinstance(state.get("stopped"), bool):
        problem = f"stopped {state.get('stopped')!r}, not true or false"
    elif state.get("weights") != f"epoch-{epoch}.weights.h5":
        problem = f"weights {state.get('weights')!r}, not the file of its epoch, epoch-{epoch}.weights.h5"
    elif (saved is None) == stopping or (stopping and not _is_stopping_state(saved, epoch)):
        problem = f"early stopping's state {saved!r}, not what this run's early stopping needs"
    else:
        return
    raise ValueError(f"{path} is damaged or not written by this code (it holds {problem}): {fix}")


def _is_history(values: object, epoch: int) -> bool:
    """Whether ``values`` is one measure's history of ``epoch`` epochs: a list of ``epoch`` numbers."""
    return isinstance(values, list) and len(values) == epoch and all(_is_number(value) for value in values)


def _is_number(value: object) -> bool:
    """An int or a float, not a bool (JSON's true is no loss)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_stopping_state(saved: object, epoch: int) -> bool:
    """Whether ``saved`` is early stopping's state as :meth:`ResumableTraining._stopping_state` writes it after
    ``epoch`` epochs: a best loss, and the best epoch's weights in ``best-<best epoch + 1>.npz``."""
    if not isinstance(saved, dict) or set(saved) != {"best", "wait", "best_epoch", "stopped_epoch", "best_weights"}:
        return False
    wait, best_epoch, stopped_epoch = saved["wait"], saved["best_epoch"], saved["stopped_epoch"]
    if not all(type(count) is int for count in (wait, best_epoch, stopped_epoch)):
        return False
    in_range = 0 <= wait <= epoch and 0 <= best_epoch < epoch and 0 <= stopped_epoch < epoch
    return in_range and _is_number(saved["best"]) and saved["best_weights"] == f"best-{best_epoch + 1}.npz"


def _load_weights_list(path: Path, directory: Path) -> list[np.ndarray]:
    """Early stopping's best weights, in the order ``np.savez`` stored them."""
    try:
        with np.load(path) as saved:
            return [saved[f"arr_{index}"] for index in range(len(saved.files))]
    except (OSError, ValueError, KeyError, EOFError) as error:
        raise ValueError(f"{path} is damaged ({error}): delete this folder, {directory}") from error


def _remove_unnamed(directory: Path, state: dict) -> None:
    """Delete the snapshot files of earlier epochs that the committed ``state`` no longer names."""
    named = {STATE_FILE, state["weights"], (state["stopping"] or {}).get("best_weights")}
    for entry in directory.iterdir():
        if entry.name not in named and _OWN_FILE.fullmatch(entry.name):
            entry.unlink(missing_ok=True)
