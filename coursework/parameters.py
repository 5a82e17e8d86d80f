"""Notebook parameters read from the environment, so that a run can be changed without editing cells.

Each notebook's parameters cell (tagged ``parameters``, papermill's convention) reads its knobs here, e.g.
``QUICK=1 make report`` for a fast exploratory run, or ``SEEDS=5 make report``. A value that is not understood
raises instead of falling back to the default, so a typo never silently gives the full (or the quick) run; so does a
variable whose name is a parameter's mis-cased or misspelled (``Quick=1``, ``SEED=5``).

:data:`PARAMETERS` lists every parameter of the notebooks. ``python -m coursework.parameters`` checks the ones set in
the environment and prints ``full`` when none is set to change the report or ``exploratory`` otherwise: ``make report``
then executes copies, so the committed notebooks and figures keep the full run's results.
"""

from __future__ import annotations

import difflib
import os
import re
import sys

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")
# Every notebook parameter: name -> kind.
PARAMETERS = {"QUICK": "flag", "SEEDS": "int", "LR_SEEDS": "int", "EPOCHS": "int", "EVAL_IMAGES": "int"}


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
    if not re.fullmatch(r"[0-9]+(_[0-9]{3})*", value.strip()):
        raise ValueError(f"{name}={value!r} is not a whole number (digits, optionally grouped as 10_000)")
    number = int(value.strip())
    if number < minimum:
        raise ValueError(f"{name}={number} must be at least {minimum}")
    return number


def check_names() -> None:
    """A ValueError for a variable named like a parameter but not one: mis-cased or misspelled."""
    for name in os.environ:
        if name in PARAMETERS:
            continue
        close = difflib.get_close_matches(name.upper(), PARAMETERS, n=1, cutoff=0.8)
        if close:
            raise ValueError(
                f"{name} is not a parameter: did you mean {close[0]}? (parameters: {', '.join(PARAMETERS)})"
            )


def run_kind() -> str:
    """``"full"`` if no parameter set in the environment changes the report's results, else ``"exploratory"``;
    a ValueError for any value that cannot be read, or a name that is not quite a parameter's."""
    check_names()
    changed = False
    for name, kind in PARAMETERS.items():
        if name in os.environ:
            value = env_flag(name) if kind == "flag" else env_int(name, 1)
            changed |= kind == "int" or value
    return "exploratory" if changed else "full"


def backprop_run_sizes() -> tuple[int, int, int]:
    """Notebook 01's seeds per learning rate, seeds in section 7 and epochs of the long runs: (30, 60, 10,000)
    unless LR_SEEDS, SEEDS, EPOCHS or QUICK (6 and 4 seeds) are set."""
    quick = env_flag("QUICK")
    return env_int("LR_SEEDS", 6 if quick else 30), env_int("SEEDS", 4 if quick else 60), env_int("EPOCHS", 10_000)


def backprop_seeds() -> tuple[range, range]:
    """Notebook 01's seeds: the first three times LR_SEEDS choose the learning rate, the next two times test it."""
    per_rate = backprop_run_sizes()[0]
    return range(3 * per_rate), range(3 * per_rate, 5 * per_rate)


if __name__ == "__main__":
    try:
        print(run_kind())
    except ValueError as error:
        sys.exit(f"error: {error}")
