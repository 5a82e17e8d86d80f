"""Trained models on disk: ``<name>.keras`` beside its training history and the config that produced it (JSON).

One store for autoencoders and colorizers alike. The committed models live in the repository's ``models/``
(:data:`coursework.paths.MODELS_DIR`). An installed copy of the package (``pip install .``) has no such folder: then
every call without ``directory=`` raises a FileNotFoundError that says how to get one, rather than looking in, or
training into, the installation's folder.

A name is a plain experiment name (:data:`NAME_PATTERN`), never a path, so that it cannot reach outside the folder.
Saves are all-or-nothing: the three files are written under temporary names (in ``data/saving/`` for the committed
models, so that a killed save leaves nothing in ``models/``), a journal (``<name>.saving``) records
their checksums and those of the set they replace, and only then are they renamed into place. While a journal
remains, :func:`load_experiment` loads the files only if all three are the journal's new set or all three its previous
one, and refuses any mix. A save over a mix (a second save after an interrupted one) records no previous set, so that
the mix is never taken for a whole set, however many saves are interrupted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shlex
import zipfile
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import Any

from coursework._tensorflow import keras
from coursework.checks import read_json
from coursework.paths import DATA_DIR, MODELS_DIR

# What an experiment name may be: letters, digits, "_", "." and "-", not starting with "." or "-" (no hidden files,
# no command-line options), without "/" (no other folder), at most 100 characters.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
KINDS = ("model", "history", "config")
MAX_CONFIG_BYTES = 16 << 20  # of a .keras file's config.json, read for error messages


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

    All or nothing: the history and config are serialised before any file is touched (a TypeError for values JSON
    cannot hold, a NumPy array say), and the files replace the old ones only once all three are written.
    """
    files = model_paths(name, directory)
    if not is_dataclass(config) or isinstance(config, type):
        raise TypeError(
            f"config must be a dataclass instance (CAEConfig, ColorizerConfig), got {type(config).__name__}"
        )
    texts = {"history": _json(history, "history"), "config": _json(asdict(config), "config")}
    folder = files["model"].parent
    # The files are written in data/saving/ (the same disk, git-ignored) for the committed models, so that a save
    # killed before its renames leaves nothing in models/; a run killed there is redone from its kept checkpoint.
    staging = DATA_DIR / "saving" if directory is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    staging.mkdir(parents=True, exist_ok=True)
    if staging.stat().st_dev != folder.stat().st_dev:  # COURSEWORK_DATA_DIR on another disk: no rename across it
        staging = folder
    for path in staging.glob(f".{name}.????????.*.tmp*"):  # left by a save of this name killed before its renames
        path.unlink(missing_ok=True)
    token = secrets.token_hex(4)
    temporary = {kind: staging / f".{name}.{token}.{kind}.tmp{path.suffix}" for kind, path in files.items()}
    temporary["journal"] = staging / f".{name}.{token}.saving.tmp"
    journal = folder / f"{name}.saving"
    try:
        model.save(temporary["model"])
        for kind, text in texts.items():
            temporary[kind].write_text(text)
        previous = _whole_set(files, journal)  # before the journal is replaced: the set the folder holds now
        new = {kind: _digest(temporary[kind]) for kind in KINDS}
        temporary["journal"].write_text(json.dumps({"new": new, "previous": previous}))
        os.replace(temporary["journal"], journal)
        for kind in KINDS:
            os.replace(temporary[kind], files[kind])
        journal.unlink()
    finally:
        for path in temporary.values():
            path.unlink(missing_ok=True)


def _json(value: Any, what: str) -> str:
    """``value`` as indented JSON, or a TypeError naming what could not be written (before any file is)."""
    try:
        return json.dumps(value, indent=1) + "\n"
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"the {what} cannot be saved as JSON ({error}): give plain lists, numbers and strings (e.g. array.tolist())"
        ) from error


def _state_of(path: Path) -> str | None:
    """What a journal compares: the file's SHA-256, None if it is missing, or a mark for a folder, FIFO or device
    (never opened: a FIFO would block)."""
    if path.is_file():
        return _digest(path)
    return "not a regular file" if path.exists() or path.is_symlink() else None


def _digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def load_experiment(name: str, config_type: type, directory: str | Path | None = None) -> tuple[keras.Model, dict, Any]:
    """Load (model, history, config) saved by :func:`save_experiment`; ``config_type`` is the config's dataclass.

    A config with keys ``config_type`` does not have was written by another version of this code: a ValueError
    names them, since guessing what they meant could pair the model with the wrong settings. A damaged, missing or
    mismatched side file also gives a ValueError that names the file and the fix.
    """
    files = model_paths(name, directory)
    _check_complete_save(name, files)
    config = read_json(files["config"], _beside_model(name))
    unknown = sorted(set(config) - {f.name for f in fields(config_type)})
    if unknown:
        raise ValueError(
            f"{files['config']} has settings {unknown} that {config_type.__name__} does not know: it was written by "
            f"another version of this code; retrain it with {training_command(name)}"
        )
    try:
        config = config_type(**{k: tuple(v) if isinstance(v, list) else v for k, v in config.items()})
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{files['config']} holds an invalid config ({error}); retrain it with {training_command(name)}"
        ) from error
    return load_model_file(files["model"]), read_history(name, directory), config


def read_history(name: str, directory: str | Path | None = None) -> dict:
    """The training history saved with experiment ``name``, without loading its model."""
    return read_json(model_paths(name, directory)["history"], _beside_model(name))


def _check_complete_save(name: str, files: dict[str, Path]) -> None:
    """A ValueError if a save of ``name`` was interrupted and left a mix of files from different saves.

    The journal records the new set's checksums and the previous set's (None where the folder held no whole set):
    the files are one whole set only if all three match one of them.
    """
    journal = files["model"].with_name(f"{name}.saving")
    if journal.exists() and _whole_set(files, journal) is None:
        raise ValueError(
            f"a save of {name!r} was interrupted ({journal} remains): its model, history and config may come from "
            f"different runs; retrain it with {training_command(name)}"
        )


def _whole_set(files: dict[str, Path], journal: Path) -> dict[str, str | None] | None:
    """The checksums of the files in place (None for a missing one) if they are one whole set, else None.

    Without a journal the files in place are whole (saves rename only while a journal is there); with one, they are
    whole when all three match its new set or all three its previous set. An unreadable journal vouches for none.
    """
    current = {kind: _state_of(files[kind]) for kind in KINDS}
    if not journal.exists():
        return current
    try:
        recorded = json.loads(journal.read_text()) if journal.is_file() else {}
        sets = [recorded.get("new"), recorded.get("previous")] if isinstance(recorded, dict) else []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        sets = []
    return current if any(isinstance(known, dict) and known == current for known in sets) else None


def _beside_model(name: str) -> str:
    """The fix for a damaged file beside the model of experiment ``name``."""
    return f"the model beside it cannot be used without it; retrain it with {training_command(name)}"


MAX_MODEL_BYTES = 1 << 30  # all members of a .keras file, inflated: the committed models hold kilobytes


def _check_inflated_sizes(path: Path) -> None:
    """A ValueError, before Keras reads anything, for a .keras zip whose members declare more than they may inflate
    to: a config.json over ``MAX_CONFIG_BYTES``, or more than ``MAX_MODEL_BYTES`` in all (a zip bomb)."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    config = sum(member.file_size for member in members if member.filename == "config.json")
    total = sum(member.file_size for member in members)
    if config > MAX_CONFIG_BYTES or total > MAX_MODEL_BYTES:
        raise ValueError(
            f"{path} declares {total:,} bytes ({config:,} of config.json) once inflated: not a model this code made "
            f"(at most {MAX_MODEL_BYTES:,}); retrain it with {training_command(path.stem)}"
        )


def load_model_file(path: str | Path) -> keras.Model:
    """``keras.models.load_model`` with errors that say what is wrong with the file and how to make a good one.

    Keras reports a truncated or corrupt ``.keras`` file (not a readable zip archive) as "File not found", and one
    without its ``config.json`` with a KeyError.
    """
    path = Path(path)
    if not path.is_file():
        if path.exists():
            raise ValueError(f"{path} is not a regular file (a folder, FIFO or device): give a .keras file")
        raise FileNotFoundError(f"{path} not found: train it with {training_command(path.stem, retrain=False)}")
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path} is not a valid .keras file (a zip archive): it is truncated or corrupt, e.g. by an interrupted "
            f"copy or download; retrain it with {training_command(path.stem)}"
        )
    _check_inflated_sizes(path)
    try:
        return keras.models.load_model(path)
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, json.JSONDecodeError) as error:
        raise ValueError(
            f"{path} is corrupt or incomplete ({type(error).__name__}: {error}); retrain it with "
            f"{training_command(path.stem)}"
        ) from error
    except TypeError as error:  # Keras' message for a config that names classes or functions it cannot build
        raise _not_loadable(path, error) from error


def _not_loadable(path: Path, error: TypeError) -> ValueError:
    """The ValueError for a .keras file whose config Keras cannot build: a custom layer class this code no longer
    registers (an older colorizer's AnnealedMean), or a config this code never wrote (a function such as os.system
    where an activation belongs, a class of another module)."""
    missing = re.search(r"Could not locate class '([^']+)'", str(error))
    if missing and any(
        node.get("class_name") == missing[1] and ">" in str(node.get("registered_name")) for node in _config_nodes(path)
    ):
        return ValueError(
            f"{path} uses a layer class this version of the code does not have ({missing[1]}, as an older "
            f"colour-class colorizer's AnnealedMean): retrain it with {training_command(path.stem)}"
        )
    foreign = sorted({_qualified(node) for node in _config_nodes(path) if _qualified(node)})
    named = f"it names {', '.join(foreign)}" if foreign else str(error).strip().split("\n")[0]
    return ValueError(
        f"{path} is not a model this code made: its config names classes or functions that are no Keras layers of "
        f"this code ({named}); make it again with {training_command(path.stem)}"
    )


def _qualified(node: dict) -> str | None:
    """``module.name`` of a config object from outside Keras and this package (``os.system``), else None."""
    module, name, config = node.get("module"), node.get("class_name"), node.get("config")
    if not isinstance(module, str) or module.split(".")[0] in ("keras", "coursework"):
        return None
    return f"{module}.{config if name == 'function' and isinstance(config, str) else name}"


def _config_nodes(path: Path) -> list[dict]:
    """Every object (dict) in a .keras file's config.json, for error messages; none if it cannot be read."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open("config.json") as stream:
            pending = [json.loads(stream.read(MAX_CONFIG_BYTES))]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError):
        return []
    nodes = []
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            nodes.append(value)
        if isinstance(value, (dict, list)):
            pending.extend(value.values() if isinstance(value, dict) else value)
    return nodes


def training_command(name: str, retrain: bool = True) -> str:
    """The command line that trains experiment ``name`` (and overwrites its files where ``retrain``), quoted for a
    shell."""
    return f"`python -m coursework.experiments {shlex.quote(name)}{' --retrain' if retrain else ''}`"
