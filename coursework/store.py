"""Trained models on disk: ``<name>.keras`` beside its training history and the config that produced it (JSON).

One store for autoencoders and colorizers alike. The committed models live in the repository's ``models/``
(:data:`coursework.paths.MODELS_DIR`). An installed copy of the package (``pip install .``) has no such folder: then
every call without ``directory=`` raises a FileNotFoundError that says how to get one, rather than looking in, or
training into, the installation's folder.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from coursework._tensorflow import keras
from coursework.paths import MODELS_DIR


def models_dir(directory: str | Path | None = None) -> Path:
    """``directory``, else the repository's ``models/`` folder; a FileNotFoundError naming the fix if it is missing."""
    if directory is not None:
        return Path(directory)
    if not MODELS_DIR.is_dir():
        raise FileNotFoundError(
            f"models directory {MODELS_DIR} not found: the trained models come with the repository, not with an "
            "installed package; clone the repository and `pip install -e .` there (or pass directory=, a folder of "
            "<name>.keras files, where a function takes it)"
        )
    return MODELS_DIR


def model_paths(name: str, directory: str | Path | None = None) -> dict[str, Path]:
    """Where experiment ``name`` keeps its model (.keras), training history and config (JSON)."""
    directory = models_dir(directory)
    return {
        "model": directory / f"{name}.keras",
        "history": directory / f"{name}.history.json",
        "config": directory / f"{name}.config.json",
    }


def save_experiment(
    name: str, model: keras.Model, history: dict, config: Any, directory: str | Path | None = None
) -> None:
    """Save the model, its training history and the config (a dataclass) that produced it, side by side."""
    files = model_paths(name, directory)
    files["model"].parent.mkdir(parents=True, exist_ok=True)
    model.save(files["model"])
    files["history"].write_text(json.dumps(history, indent=1) + "\n")
    files["config"].write_text(json.dumps(asdict(config), indent=1) + "\n")


def load_experiment(name: str, config_type: type, directory: str | Path | None = None) -> tuple[keras.Model, dict, Any]:
    """Load (model, history, config) saved by :func:`save_experiment`; ``config_type`` is the config's dataclass.

    A config with keys ``config_type`` does not have was written by another version of this code: a ValueError
    names them, since guessing what they meant could pair the model with the wrong settings.
    """
    files = model_paths(name, directory)
    config = json.loads(files["config"].read_text())
    unknown = sorted(set(config) - {f.name for f in fields(config_type)})
    if unknown:
        raise ValueError(
            f"{files['config']} has settings {unknown} that {config_type.__name__} does not know: it was written by "
            f"another version of this code; retrain it with {training_command(name)}"
        )
    config = config_type(**{k: tuple(v) if isinstance(v, list) else v for k, v in config.items()})
    return load_model_file(files["model"]), json.loads(files["history"].read_text()), config


def load_model_file(path: str | Path) -> keras.Model:
    """``keras.models.load_model`` with errors that say what is wrong with the file and how to make a good one.

    Keras reports a truncated or corrupt ``.keras`` file (not a readable zip archive) as "File not found".
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: train it with {training_command(path.stem, retrain=False)}")
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path} is not a valid .keras file (a zip archive): it is truncated or corrupt, e.g. by an interrupted "
            f"copy or download; retrain it with {training_command(path.stem)}"
        )
    try:
        return keras.models.load_model(path)
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ValueError(f"{path} is corrupt ({error}); retrain it with {training_command(path.stem)}") from error
    except TypeError as error:
        if "Could not locate class" not in str(error):
            raise
        raise ValueError(
            f"{path} uses a layer class this version of the code does not have (an older colour-class colorizer's "
            f"AnnealedMean, say): retrain it with {training_command(path.stem)}"
        ) from error


def training_command(name: str, retrain: bool = True) -> str:
    """The command line that trains experiment ``name`` (and overwrites its files where ``retrain``)."""
    return f"`python -m coursework.experiments {name}{' --retrain' if retrain else ''}`"
