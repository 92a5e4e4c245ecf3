"""Where the parts of issue 19 (and 14, 15) meet: cases found when merging them, run in all
three engines and worked out by hand from the documented rules (docs/semantics.md 6.7)."""

from __future__ import annotations

import pandas as pd
import pytest

from endpointdsl.api import CompiledFile, check_text

ENGINES = ("interpreter", "compiled", "sql")

NO_ORIGIN_NO_VISITS = """
table adsl: one row per subject
table adrs: many rows per subject
event trt = adsl.TRTSDT
event ovr = adrs.ADT response AVALC
endpoint BOR "Best overall response"
  from trt
  best response of ovr
  sd at least 42 days after origin
  no origin: not assessed
  no visits: not evaluable
end
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_subject_without_origin_kept_as_not_assessed_is_ne_under_no_visits_not_evaluable(engine):
    # admiralonco's missing_as_ne gives NE to every subject without a record; a subject
    # without TRTSDT has none, and `no origin: not assessed` keeps it: NE (AVAL 6), no STARTDT.
    tables = {
        "adsl": pd.DataFrame({"USUBJID": ["S1", "S2"], "TRTSDT": ["", "2024-01-01"]}),
        "adrs": pd.DataFrame({"USUBJID": ["S2"], "ADT": ["2024-02-01"], "AVALC": ["PR"]}),
    }
    compiled = CompiledFile.from_model(check_text(NO_ORIGIN_NO_VISITS))
    out = compiled.run(tables, engine=engine).adtte.set_index("USUBJID")
    assert out.loc["S1", "AVALC"] == "NE" and out.loc["S1", "AVAL"] == 6
    assert out.loc["S2", "AVALC"] == "PR" and out.loc["S2", "AVAL"] == 2
