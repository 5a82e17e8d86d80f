"""Notebook parameters read from the environment, so that a run can be changed without editing cells.

Each notebook's first code cell (tagged ``parameters``, papermill's convention) reads its knobs here, e.g.
``QUICK=1 make report`` for a fast exploratory run, or ``SEEDS=5 make report``. A value that is not understood
raises instead of falling back to the default, so a typo never silently gives the full (or the quick) run.
"""

from __future__ import annotations

import os

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


def env_flag(name: str, default: bool = False) -> bool:
    """The environment variable ``name`` as a yes/no switch (1/0, true/false, yes/no, on/off); ``default`` if unset."""
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{name}={value!r} is not a yes/no value: use one of {TRUE_WORDS + FALSE_WORDS[:-1]}")


def env_int(name: str, default: int, minimum: int = 1) -> int:
    """The environment variable ``name`` as a whole number of at least ``minimum``; ``default`` if unset."""
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value.strip().replace("_", ""))
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a whole number") from None
    if number < minimum:
        raise ValueError(f"{name}={number} must be at least {minimum}")
    return number
