"""The checks that repeat across the package: one wording, one definition of "a whole number".

Each returns the value as a plain Python type, or raises a ValueError that names the argument and what it got, so
that a bad value fails where it is passed, not deep inside NumPy or Keras.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_bool", "check_real", "check_whole", "is_whole"]


def is_whole(value: object) -> bool:
    """Whether ``value`` is an integer (Python or NumPy), and not a bool (``True`` is an int to Python)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_whole(value: object, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int if it is a whole number within ``[minimum, maximum]``, else a ValueError."""
    within = is_whole(value) and (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
    if not within:
        bounds = " and ".join(
            part
            for part in (f">= {minimum}" if minimum is not None else "", f"<= {maximum}" if maximum is not None else "")
            if part
        )
        raise ValueError(f"{name} must be a whole number{' ' + bounds if bounds else ''}, got {value!r}")
    return int(value)


def check_real(value: object, name: str, positive: bool = False, minimum: float | None = None) -> float:
    """``value`` as a float if it is a finite real number (> 0 with ``positive``, >= ``minimum``), else a ValueError."""
    finite = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and math.isfinite(value)
    if not finite or (positive and value <= 0) or (minimum is not None and value < minimum):
        condition = " > 0" if positive else f" >= {minimum}" if minimum is not None else ""
        raise ValueError(f"{name} must be a finite number{condition}, got {value!r}")
    return float(value)


def check_bool(value: object, name: str) -> bool:
    """``value`` if it is a bool (Python or NumPy), else a ValueError: ``"no"`` or ``0.5`` would read as true."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)
