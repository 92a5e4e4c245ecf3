"""perf (issue 16): the vectorised paths around the engines give what the cell-by-cell
reading gives. Expected values are worked out by hand from the tables below."""

from __future__ import annotations

import pandas as pd
import pytest

from endpointdsl.api import CompiledFile, check_text

PROGRAM = """table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event alive = adsl.LSTALVDT
event death = adrs.ADT where PARAMCD = "DEATH"
endpoint OS "Overall survival"
  from rand
  to death
  censor at alive cnsr 1
end
keep AGE, ARM as TRTP from adsl
"""


@pytest.mark.parametrize("engine", ["compiled", "sql"])
@pytest.mark.parametrize(
    "keys",
    [
        pd.Series([" S1", "S2\u3000", "S3"], dtype=object),  # blanks around keys: texts, trimmed
        pd.Series([" S1", "S2\u3000", "S3"], dtype="string[pyarrow]"),
        pd.Series([1.0, 2.0, 3.0]),  # whole numbers read as "1": the cell-by-cell path
    ],
)
def test_kept_columns_follow_each_record_to_its_subject_row(engine, keys):
    names = ["S1", "S2", "S3"] if keys.dtype != "float64" else ["1", "2", "3"]
    adsl = pd.DataFrame(
        {
            "USUBJID": keys,
            "RANDDT": ["2020-01-01"] * 3,
            "LSTALVDT": ["2020-03-01", "2020-04-01", "2020-05-01"],
            "AGE": [61, 52, 43],
            "ARM": ["A", "B", "A"],
        }
    )
    adrs = pd.DataFrame({"USUBJID": [names[1]], "PARAMCD": ["DEATH"], "ADT": ["2020-02-01"]})
    adrs["USUBJID"] = adrs.USUBJID.astype(object)
    result = CompiledFile.from_model(check_text(PROGRAM)).run({"adsl": adsl, "adrs": adrs}, engine=engine)
    adtte = result.adtte
    assert adtte.USUBJID.tolist() == names
    assert adtte.AGE.tolist() == [61, 52, 43]
    assert adtte.TRTP.tolist() == ["A", "B", "A"]
    assert adtte.PARAMN.tolist() == [1, 1, 1]
    # origin is day 1 (the default): S2 dies 31 days after, on day 32; S1 and S3 censored
    assert adtte.AVAL.tolist() == [61.0, 32.0, 122.0]
