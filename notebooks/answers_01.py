"""The sentence of notebook 01 that depends on the machine that ran it: made here, beside the report, from facts.

Reword it here; the facts come from :func:`coursework.backprop.studies.tie_outcome`.
"""

from __future__ import annotations

import numpy as np

from coursework.backprop.studies import MARGIN, TieOutcome


def describe_tie(tie: TieOutcome) -> str:
    """One sentence, in plain words, on what the exactly tied start of a tie-breaking study did on this machine,
    built from its facts (they depend on how the CPU rounds)."""
    rows = f"W1's eight rows took {tie.distinct_input_rows} distinct values (to 6 decimals)"
    if tie.held_exactly:
        units = f"the three hidden units stayed identical for {tie.epochs:,} epochs, but {rows}"
    else:
        units = (
            f"round-off made the hidden units differ after epoch {tie.first_difference_epoch:.0f} "
            f"(by {tie.first_difference:.0e}), and {rows}"
        )
    if np.isnan(tie.epochs_to_100):
        result = f"Accuracy ends at {100 * tie.final_accuracy:.1f} % by the largest output"
    else:
        result = f"The network reached 100 % accuracy at epoch {tie.epochs_to_100:,.0f}"
    hits = round(8 * tie.final_accuracy)
    closer = hits - tie.decoded_with_margin
    ties = f"; {closer} come only from ties going to the first output" if closer else ""
    codes = (
        f"Of its {hits} hits, {tie.decoded_with_margin} win by more than {MARGIN:g}{ties}; the hidden layer takes "
        f"{tie.distinct_codes} distinct patterns over the 8 inputs"
    )
    return f"On this machine {units}. {result}. {codes}."
