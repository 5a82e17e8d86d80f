"""The sentence of notebook 01 that depends on the machine that ran it: made here, beside the report, from facts.

Reword it here; the facts come from :func:`coursework.backprop.studies.tie_outcome`.
"""

from __future__ import annotations

import numpy as np

from coursework.backprop.studies import TieOutcome


def describe_tie(tie: TieOutcome) -> str:
    """One sentence, in plain words, on what the exactly tied start of a tie-breaking study did on this machine,
    built from its facts (they depend on how the CPU rounds)."""
    if tie.held_exactly:
        units = f"the three hidden units were still identical after {tie.epochs:,} epochs"
    else:
        units = (
            f"round-off made the hidden units differ after epoch {tie.first_difference_epoch:.0f} "
            f"(by {tie.first_difference:.0e})"
        )
    if np.isnan(tie.epochs_to_100):
        result = f"accuracy after {tie.epochs:,} epochs was {100 * tie.final_accuracy:.1f} %"
    else:
        result = f"the network reached 100 % accuracy at epoch {tie.epochs_to_100:,.0f}"
    return (
        f"In exact arithmetic the units would stay identical and every input would get the same output, accuracy "
        f"1 in 8 (Appendix B). On the machine that ran this notebook, {units}, and {result}."
    )
