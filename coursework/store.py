"""Trained models on disk: ``<name>.keras`` beside its training history and the config that produced it (JSON).

One store for autoencoders and colorizers alike. The committed models live in the repository's ``models/``
(:data:`coursework.paths.MODELS_DIR`). An installed copy of the package (``pip install .``) has no such folder: then
every call without ``directory=`` raises a FileNotFoundError that says how to get one.

A name is a plain experiment name (:data:`NAME_PATTERN`), never a path. Each file is written through a temporary name
and renamed (:func:`coursework.paths.atomic_path`); the config goes last and is removed before the others are
renamed, so it marks a whole save: a model whose save was interrupted has no config and is refused on load.
"""

from __future__ import annotations

import json
import re
import shlex
import zipfile
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coursework.paths import MODELS_DIR, atomic_path, read_json

if TYPE_CHECKING:
    from coursework._tensorflow import keras

# What an experiment name may be: letters, digits, "_", "." and "-", not starting with "." or "-", without "/".
NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")


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


def check_name(name: object) -> str:
    """``name`` if it is a plain experiment name (:data:`NAME_PATTERN`), else a ValueError that says what a name is."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ValueError(
            f"{name!r} is not an experiment name: use letters, digits, '_', '.' and '-' (not first), no '/'; "
            "a .keras file elsewhere is loaded with load_model_file(path)"
        )
    return name


def model_paths(name: str, directory: str | Path | None = None) -> dict[str, Path]:
    """Where experiment ``name`` keeps its model (.keras), training history and config (JSON)."""
    folder, name = models_dir(directory), check_name(name)
    return {
        "model": folder / f"{name}.keras",
        "history": folder / f"{name}.history.json",
        "config": folder / f"{name}.config.json",
    }


def save_experiment(
    name: str, model: keras.Model, history: dict, config: Any, directory: str | Path | None = None
) -> None:
    """Save the model, its training history and the config (a dataclass) that produced it, side by side.

    The history and config are serialised first (a TypeError for values JSON cannot hold, a NumPy array say), and
    all three files are written before any replaces its old version: a failed save leaves the old set whole.
    """
    files = model_paths(name, directory)
    if not is_dataclass(config) or isinstance(config, type):
        raise TypeError(
            f"config must be a dataclass instance (CAEConfig, ColorizerConfig), got {type(config).__name__}"
        )
    texts = {"history": _json(history, "history"), "config": _json(asdict(config), "config")}
    # Renamed as the blocks end, innermost first: the model, the history, then the config.
    with atomic_path(files["config"]) as config_file, atomic_path(files["history"]) as history_file:
        with atomic_path(files["model"]) as model_file:
            model.save(model_file)
            history_file.write_text(texts["history"])
            config_file.write_text(texts["config"])
            files["config"].unlink(missing_ok=True)  # until the new config is in place, the set is incomplete


def _json(value: Any, what: str) -> str:
    """``value`` as indented JSON, or a TypeError naming what could not be written (before any file is)."""
    try:
        return json.dumps(value, indent=1) + "\n"
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"the {what} cannot be saved as JSON ({error}): give plain lists, numbers and strings (e.g. array.tolist())"
        ) from error


def load_experiment(name: str, config_type: type, directory: str | Path | None = None) -> tuple[keras.Model, dict, Any]:
    """Load (model, history, config) saved by :func:`save_experiment`; ``config_type`` is the config's dataclass.

    A damaged, missing or mismatched side file gives a ValueError that names the file and the fix.
    """
    config = read_config(name, config_type, directory)  # first: without it, the save was not completed
    return load_model_file(model_paths(name, directory)["model"]), read_history(name, directory), config


def read_config(name: str, config_type: type, directory: str | Path | None = None) -> Any:
    """The config saved with experiment ``name``, as a ``config_type``, without loading its model.

    A config with keys ``config_type`` does not have was written by another version of this code: a ValueError
    names them, since guessing what they meant could pair the model with the wrong settings.
    """
    files = model_paths(name, directory)
    config = read_json(files["config"], _beside_model(name))
    unknown = sorted(set(config) - {f.name for f in fields(config_type)})
    if unknown:
        raise ValueError(
            f"{files['config']} has settings {unknown} that {config_type.__name__} does not know: it was written by "
            f"another version of this code; retrain it with {training_command(name)}"
        )
    try:
        return config_type(**{k: tuple(v) if isinstance(v, list) else v for k, v in config.items()})
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{files['config']} holds an invalid config ({error}); retrain it with {training_command(name)}"
        ) from error


def read_history(name: str, directory: str | Path | None = None) -> dict:
    """The training history saved with experiment ``name``, without loading its model."""
    return read_json(model_paths(name, directory)["history"], _beside_model(name))


def older_pipeline(name: str) -> bool:
    """Whether the run ``name`` was trained by the older pipeline, whose batch order came from TensorFlow's
    reshuffling (so a rerun does not repeat it): its history has no per-epoch time record (``seconds``), which was
    added together with today's seeded batch order."""
    return "seconds" not in read_history(name)


def _beside_model(name: str) -> str:
    """The fix for a damaged file beside the model of experiment ``name`` (or one its interrupted save left out)."""
    return f"the model beside it cannot be used without it; retrain it with {training_command(name)}"


def load_model_file(path: str | Path) -> keras.Model:
    """``keras.models.load_model`` with one-line errors that say what is wrong with the file and how to make a good
    one (Keras reports a truncated ``.keras`` file, which is no readable zip archive, as "File not found")."""
    from coursework._tensorflow import keras  # only here: reading histories and configs needs no TensorFlow

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: train it with {training_command(path.stem, retrain=False)}")
    try:
        if not zipfile.is_zipfile(path):
            raise ValueError("not a zip archive: truncated or corrupt, e.g. by an interrupted copy")
        return keras.models.load_model(path)
    except Exception as error:  # Keras raises many types for a damaged file or a config it cannot build
        problem = str(error).strip().split("\n")[0]
        raise ValueError(
            f"{path} is not a model this code can load ({type(error).__name__}: {problem}); retrain it with "
            f"{training_command(path.stem)}"
        ) from error


def training_command(name: str, retrain: bool = True) -> str:
    """The command line that trains experiment ``name`` (and overwrites its files where ``retrain``), quoted for a
    shell."""
    return f"`python -m coursework.experiments {shlex.quote(name)}{' --retrain' if retrain else ''}`"
