"""Helpers shared by several test modules (no test module imports another)."""

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from coursework.backprop import History
from coursework.backprop.studies import TieBreaking


def numbers(text: str) -> list[float]:
    """The numbers a text states, in order (a figure's label, a sentence): what a test checks, not its wording."""
    return [float(number) for number in re.findall(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?", text)]


def killing_at(step: int, calls: list[int]) -> Callable[[Callable], Callable]:
    """Wraps a file operation so that the ``step``-th call of all wrapped ones (counted in ``calls``) is killed as it
    begins (KeyboardInterrupt, as Ctrl-C)."""

    def dying(original: Callable) -> Callable:
        def operation(*args, **kwargs):
            calls.append(1)
            if len(calls) == step:
                raise KeyboardInterrupt
            return original(*args, **kwargs)

        return operation

    return dying


def tie_study(spread: np.ndarray, broken: float, reached: float) -> TieBreaking:
    """A one-row TieBreaking for the exactly tied start, with a given spread history and outcome."""
    table = pd.DataFrame(
        {
            "asymmetry": [0.0],
            "epochs_to_tie_broken": [broken],
            "epochs_to_100": [reached],
            "final_accuracy": [0.5],
            "distinct_input_rows": [5],
            "distinct_codes": [4],
            "decoded_with_margin": [1],
        }
    )
    return TieBreaking(table, spread[None], History(np.ones((1, spread.size)), np.zeros((1, spread.size))))
