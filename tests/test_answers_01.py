"""The sentence notebook 01 builds from the tie-breaking study's facts (notebooks/answers_01.py)."""

import sys

import numpy as np
from helpers import tie_study

from coursework.backprop.studies import tie_outcome
from coursework.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "notebooks"))
from answers_01 import describe_tie  # noqa: E402  (beside the notebook it words)


def test_describe_tie_builds_one_sentence_from_the_facts() -> None:
    held = describe_tie(tie_outcome(tie_study(np.zeros(10), np.nan, np.nan)))
    assert "stayed identical for 10 epochs" in held and "final accuracy 50.0 %" in held
    assert "took 5 distinct values: rounding untied the inputs" in held
    small = describe_tie(tie_outcome(tie_study(np.array([0.0, 0.0, 3e-17, 1e-16]), np.nan, np.nan)))
    assert "differ after epoch 3 (by 3e-17)" in small and "final accuracy 50.0 %" in small
    escaped = describe_tie(tie_outcome(tie_study(np.array([0.0, 1e-16, 1e-2, 1.0]), 3.0, 4.0)))
    assert escaped.endswith("reached 100 % accuracy at epoch 4.") and "stayed identical" not in escaped
