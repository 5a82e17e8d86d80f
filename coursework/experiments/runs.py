"""Trained experiments: load one from the store (never training), or train one explicitly and save it.

Evaluation and the notebooks call :func:`load`, which raises a clear error naming the training command when a
model is missing or was trained with another config. Only :func:`train` (the CLI, ``make retrain``) trains.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import NamedTuple

from coursework import cpu_name
from coursework._tensorflow import keras
from coursework.autoencoders import train_cae
from coursework.colorization import train_colorizer
from coursework.configs import CAEConfig, Config
from coursework.data import Split
from coursework.experiments.registry import experiment
from coursework.paths import DATA_DIR
from coursework.store import load_experiment, model_paths, save_experiment, training_command


class Trained(NamedTuple):
    """One experiment's model with the history and config it was trained with."""

    model: keras.Model
    history: dict
    config: Config


def load(name: str) -> Trained:
    """The committed model, history and config of experiment ``name``.

    Raises FileNotFoundError when it was never trained, and ValueError when its stored config differs from the
    registry's (the registry changed since): each names the command that trains it.
    """
    config = experiment(name).config
    if not model_paths(name)["model"].exists():
        command = training_command(name, retrain=False)
        raise FileNotFoundError(f"experiment {name!r} is not trained yet: train it with {command}")
    saved = Trained(*load_experiment(name, type(config)))
    if saved.config != config:
        raise ValueError(
            f"the stored model of {name!r} was trained with {saved.config}, but the registry now says {config}: "
            f"retrain it with {training_command(name)}"
        )
    return saved


def train(name: str, data: Split, verbose: bool = True) -> Trained:
    """Train experiment ``name`` on ``data`` from scratch (same code, same seed as the committed model), save it,
    and return it. An interrupted run, even one killed while saving, resumes from its last epoch
    (:func:`checkpoint_dir`), which is deleted only once the model, history and config are saved."""
    config = experiment(name).config
    print(f"training {name}: {config}", flush=True)
    fit = train_cae if isinstance(config, CAEConfig) else train_colorizer
    model, history = fit(config, data.x_train, data.x_val, verbose=verbose, checkpoint_dir=checkpoint_dir(name))
    history["cpu"] = cpu_name()  # beside the per-epoch "seconds": what the training time was measured on
    save_experiment(name, model, history, config)
    shutil.rmtree(checkpoint_dir(name))
    return Trained(model, history, config)


def checkpoint_dir(name: str) -> Path:
    """Where the training of experiment ``name`` keeps its checkpoint until its model is saved."""
    return DATA_DIR / "checkpoints" / name
