"""Where the project keeps its figures, models and cached data (anchored to the repository, not the cwd).

A checkout (``pip install -e .``, what ``make setup`` does) keeps ``figures/``, ``models/`` and ``data/`` beside the
package. An installed copy (``pip install .``) lives in site-packages, where nothing should be written: there figures
go to ``./figures`` and the data cache to ``~/.cache/coursework``, and the models are missing (coursework.store says
how to get them). ``COURSEWORK_FIGURES_DIR`` and ``COURSEWORK_DATA_DIR`` override both. :func:`atomic_path` is how
every file the package writes for later (models, checkpoints, the data cache) is written, :func:`read_json` how its
JSON files are read back.
"""

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def writable_dirs(repo_root: Path, environ: dict[str, str] | os._Environ) -> tuple[Path, Path]:
    """(figures, data cache) folders for a package whose repository root would be ``repo_root``."""
    in_checkout = (repo_root / "pyproject.toml").is_file()
    figures = repo_root / "figures" if in_checkout else Path.cwd() / "figures"
    data = repo_root / "data" if in_checkout else Path.home() / ".cache" / "coursework"
    return Path(environ.get("COURSEWORK_FIGURES_DIR", figures)), Path(environ.get("COURSEWORK_DATA_DIR", data))


# COURSEWORK_FIGURES_DIR redirects figures, so that `make test` (nbval runs the notebooks) leaves figures/ untouched.
FIGURES_DIR, DATA_DIR = writable_dirs(REPO_ROOT, os.environ)
# The committed models: only a checkout has them.
MODELS_DIR = REPO_ROOT / "models"


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """A temporary path beside ``final`` to write to; renamed to ``final`` when the block ends without an error, and
    removed otherwise, so that ``final`` is never seen half-written (it keeps ``final``'s suffix: Keras needs it)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.stem}.{secrets.token_hex(4)}.tmp{final.suffix}")
    try:
        yield temporary
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


def read_json(path: Path, fix: str) -> dict:
    """The JSON object in the file ``path``, else a ValueError naming the file, what is wrong with it and ``fix``."""
    if not path.is_file():
        what = "is missing" if not path.exists() else "is not a regular file"
        raise ValueError(f"{path} {what}: {fix}")
    try:
        value = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is truncated or corrupt ({type(error).__name__}: {error}): {fix}") from error
    if not isinstance(value, dict):
        raise ValueError(f"{path} holds a {type(value).__name__}, not a JSON object: {fix}")
    return value
