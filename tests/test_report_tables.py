"""The report's tables refuse what they would misreport."""

import pandas as pd
import pytest

from coursework.report import tables


def test_tables_refuse_columns_and_rows_they_do_not_have() -> None:
    with pytest.raises(ValueError, match="no columns \\['nope'\\]"):
        tables.readable(pd.DataFrame({"test_mse": [1.0]}), ["nope"])
    with pytest.raises(ValueError, match="no row for the base model"):
        tables.study_summary(pd.DataFrame())
