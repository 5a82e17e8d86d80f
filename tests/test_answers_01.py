"""The sentence notebook 01 builds from the tie-breaking study's facts (notebooks/answers_01.py)."""

import sys

import numpy as np
from helpers import numbers, tie_study

from coursework.backprop.studies import tie_outcome
from coursework.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "notebooks"))
from answers_01 import describe_tie  # noqa: E402  (beside the notebook it words)


def test_describe_tie_builds_one_sentence_from_the_facts() -> None:
    held = describe_tie(tie_outcome(tie_study(np.zeros(10), np.nan, np.nan)))
    assert {10, 50.0, 5, 4, 1} <= set(numbers(held))  # epochs held, accuracy, input rows, codes, with a margin
    small = describe_tie(tie_outcome(tie_study(np.array([0.0, 0.0, 3e-17, 1e-16]), np.nan, np.nan)))
    assert {3, 3e-17, 50.0} <= set(numbers(small))  # the epoch they differ after, by how much, final accuracy
    escaped = describe_tie(tie_outcome(tie_study(np.array([0.0, 1e-16, 1e-2, 1.0]), 3.0, 4.0)))
    assert {2, 1e-16, 100, 4} <= set(numbers(escaped))  # differ after epoch 2 by 1e-16; 100 % at epoch 4
