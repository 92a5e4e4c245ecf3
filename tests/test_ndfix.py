"""A category with no role confirmed by a visit whose role is `not evaluable` (docs/semantics.md
6.6, items 4 and 5; found by tests/test_sql_backend.py's hypothesis run).

The criteria set is the generated one that disagreed: ND has no code and no role and is
`confirmed by next ("NON-CR/NON-PD", "SD") from 1 through 14 months`; SD's role is `not
evaluable`. The rules, by hand:

* item 5: a category that is not a response is confirmed by the next visit whose response is
  not allowed between (none is), in its `confirmed by` list, dated 1 to 14 months (30.4375 to
  426.125 days) after the visit just before it; the limits on not-evaluable and
  disease-control visits between (`at most K ne`, `at most J sd`) and the `confirm after N`
  distance are a response's, so they do not apply to ND;
* item 4: a confirmed category with no role counts as the confirming visit's category from
  its own date; 6.2 / 6.7 ("the response date"): the best category is dated by its first visit.

The SQL engine read ND's missing role as SQL NULL in `arole <> 'response'`, so the
not-evaluable SD counted against `at most 0 ne` and ND was never confirmed (SD dated at the
SD visit). Expected values below are worked out from the dates, not read from an engine.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from endpointdsl.api import CompiledFile, check_text

ENGINES = ("compiled", "interpreter", "sql")

CRITERIA = """
criteria crit9
  category "PR" = 8, disease control
  category "PD" = 14, confirmed by next ("SD") from 14 through 20 weeks
  category "NON-CR/NON-PD" = 6, progressive disease
  category "SD" = 10, not evaluable
  category "ND" = none, confirmed by next ("NON-CR/NON-PD", "SD") from 1 through 14 months
  category "NE" = 19, response, confirmed by next ("ND", "NE") from 1 through 40 days with ("NE", "ND") between
  category "CR" = 5, progressive disease
end
"""


def program(confirm: str) -> str:
    return f"""
table adsl: one row per subject, key SUBJID
table adrs: many rows per subject, key SUBJID
event rand = adsl.RANDDT
event assess = adrs.ADT response OVRRESP
{CRITERIA}
endpoint R1 "Best response"
  criteria crit9
  sd at least 42 days after origin
{confirm}  best response of assess
  from rand
end
"""


RAND = "2020-01-02"
VISITS = [
    # the hypothesis case: ND, then SD 32 days later (within 1-14 months): ND confirmed,
    # counts as SD from 2020-02-24, the first visit at the best category SD
    ("S1", "2020-02-24", "ND"),
    ("S1", "2020-03-27", "SD"),
    # SD only 20 days after the ND (< 30.4375): ND stays ND; SD ranks above ND, so SD at its date
    ("S2", "2020-02-24", "ND"),
    ("S2", "2020-03-15", "SD"),
    # ND confirmed by NON-CR/NON-PD (a progressive-disease role, not `not evaluable`): counts
    # as NON-CR/NON-PD from the ND's date; it ranks above SD and ND
    ("S3", "2020-02-24", "ND"),
    ("S3", "2020-04-01", "NON-CR/NON-PD"),
]
# subject -> (AVALC, AVAL, ADT): the same with and without `confirm after 60 days` (the
# distance N is for response categories; ND is not one, its own window decides)
EXPECTED = {
    "S1": ("SD", 10.0, dt.date(2020, 2, 24)),
    "S2": ("SD", 10.0, dt.date(2020, 3, 15)),
    "S3": ("NON-CR/NON-PD", 6.0, dt.date(2020, 2, 24)),
}


def tables() -> dict[str, pd.DataFrame]:
    subjects = sorted({s for s, _, _ in VISITS})
    adsl = pd.DataFrame({"SUBJID": subjects, "RANDDT": [RAND] * len(subjects)})
    adrs = pd.DataFrame(VISITS, columns=["SUBJID", "ADT", "OVRRESP"])
    return {"adsl": adsl, "adrs": adrs}


@pytest.mark.parametrize("confirm", ["", "  confirm after 60 days\n"], ids=["no-confirm", "confirm-60-days"])
@pytest.mark.parametrize("engine", ENGINES)
def test_a_confirmed_nd_counts_as_its_confirming_category_from_its_own_date(engine, confirm):
    compiled = CompiledFile.from_model(check_text(program(confirm), "ndfix.ept"))
    out = compiled.run(tables(), engine=engine).adtte
    got = {
        row.USUBJID: (row.AVALC, float(row.AVAL), pd.Timestamp(row.ADT).date())
        for row in out.itertuples()
        if row.PARAMCD == "R1"
    }
    assert got == EXPECTED
