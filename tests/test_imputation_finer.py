"""Finer imputation (issue 12): `impute RULE day` and imputation bounds moved by whole days.

Literal cases, each derived by the three engines (interpreter, compiled, SQL) from one table
of subjects; docs/semantics.md section 1 gives the rules.
"""

from __future__ import annotations

import pandas as pd
import pytest

import endpointdsl

PROGRAM = """
table adsl: one row per subject
table adcm: many rows per subject
event rand = adsl.RANDDT
event last_dose = adsl.TRTEDT
event alive = adsl.LSTALVDT
event day_first = adcm.STDTC impute first day label "Therapy"
event day_last = adcm.STDTC impute last day label "Therapy"
event moved = adcm.STDTC impute first day not before last_dose + 1 day label "Therapy"
event capped = adcm.STDTC impute last not after alive - 1 week label "Therapy"
event both = adcm.STDTC impute mid not before last_dose -2 days not after alive +1 day label "Therapy"
endpoint DF "day first"
  from rand
  to day_first
  censor at origin cnsr 1
end
endpoint DL "day last" like DF
  to day_last
end
endpoint MV "moved" like DF
  to moved
end
endpoint CP "capped" like DF
  to capped
end
endpoint BO "both" like DF
  to both
end
"""

# subject: (TRTEDT, LSTALVDT, STDTC)
SUBJECTS = {
    "S01": ("2024-03-10", "2024-12-01", "2024-03"),
    "S02": ("2024-03-31", "2024-12-01", "2024-03"),
    "S03": (None, "2024-12-01", "2024-03"),
    "S04": ("2024-03-10", "2024-12-01", "2024"),
    "S05": ("2024-03-10", "2024-05-20", "2024-05"),
    "S06": ("2024-03-10", "2024-06-03", "2024-05"),
    "S07": ("2024-03-10", "2024-05-20", "2024-05-17"),
    "S08": ("2024-05-17", "2024-05-10", "2024-05"),
    "S09": ("9999-12-31", "2024-12-01", "2024-03"),
}
RAND = "2024-01-02"

# (PARAMCD, subject) -> (ADT, ADTF, CNSR); a year-only date is no date under `day`
EXPECTED = {
    ("DF", "S01"): ("2024-03-01", "D", 0),
    ("DF", "S04"): ("2024-01-02", None, 1),  # '2024': not a date, censored at the origin
    ("DL", "S01"): ("2024-03-31", "D", 0),
    ("DL", "S04"): ("2024-01-02", None, 1),
    ("MV", "S01"): ("2024-03-11", "D", 0),  # the day after the last dose, in March
    ("MV", "S02"): ("2024-03-01", "D", 0),  # last dose + 1 day is in April: the 1st
    ("MV", "S03"): ("2024-03-01", "D", 0),  # no last dose: no bound
    ("MV", "S09"): ("2024-03-01", "D", 0),  # the moved bound is off the calendar: no bound
    ("CP", "S04"): ("2024-11-24", "M", 0),  # year only (no `day`): 12-31, not after 12-01 - 7 days
    ("CP", "S05"): ("2024-05-13", "D", 0),  # last of May, not after 05-20 - 7 days
    ("CP", "S06"): ("2024-05-27", "D", 0),  # 06-03 - 1 week = 05-27
    ("CP", "S07"): ("2024-05-17", None, 0),  # a complete date is never moved
    ("BO", "S05"): ("2024-05-15", "D", 0),  # mid; 03-08 is outside May, 05-21 later than the 15th
    ("BO", "S08"): ("2024-05-11", "D", 0),  # not before 05-15, then not after 05-11 wins
}


def frames():
    adsl = pd.DataFrame(
        [{"USUBJID": s, "RANDDT": RAND, "TRTEDT": d, "LSTALVDT": a} for s, (d, a, _) in SUBJECTS.items()]
    )
    adcm = pd.DataFrame([{"USUBJID": s, "STDTC": c} for s, (_, _, c) in SUBJECTS.items()])
    return {"adsl": adsl, "adcm": adcm}


@pytest.fixture(scope="module")
def results():
    compiled = endpointdsl.CompiledFile.from_model(endpointdsl.check_text(PROGRAM, "finer.ept"))
    return {engine: compiled.run(frames(), engine=engine) for engine in ("interpreter", "compiled", "sql")}


def test_the_three_engines_agree(results):
    base = results["interpreter"]
    for engine in ("compiled", "sql"):
        pd.testing.assert_frame_equal(results[engine].adtte, base.adtte)
        pd.testing.assert_frame_equal(results[engine].report, base.report)


@pytest.mark.parametrize("engine", ["interpreter", "compiled", "sql"])
@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_literal_records(results, engine, key):
    adtte = results[engine].adtte.set_index(["PARAMCD", "USUBJID"])
    rec = adtte.loc[key]
    flag = None if pd.isna(rec.ADTF) else rec.ADTF
    assert (rec.ADT.isoformat(), flag, int(rec.CNSR)) == EXPECTED[key]


def test_a_year_only_date_under_day_is_reported(results):
    report = results["sql"].report
    messages = set(report.loc[(report.USUBJID == "S04") & (report.PARAMCD == "DF"), "MESSAGE"])
    assert messages == {
        "day_first: adcm row 4 has no usable STDTC ('2024' has no month; only the day is imputed); not counted"
    }


def test_a_column_of_mostly_years_under_day_stops_the_run_with_advice():
    """The whole-column check reads as the engines do: under `day` a year alone is no date."""
    from endpointdsl.data.errors import DataError

    compiled = endpointdsl.CompiledFile.from_model(endpointdsl.check_text(PROGRAM, "finer.ept"))
    subjects = [f"S{i}" for i in range(8)]
    adsl = pd.DataFrame({"USUBJID": subjects, "RANDDT": RAND, "TRTEDT": None, "LSTALVDT": None})
    adcm = pd.DataFrame({"USUBJID": subjects, "STDTC": ["2024"] * 6 + ["2024-03", "2024-04-02"]})
    for engine in ("interpreter", "compiled", "sql"):
        with pytest.raises(DataError) as err:
            compiled.run({"adsl": adsl, "adcm": adcm}, engine=engine)
        assert "6 of its 8 non-empty values" in str(err.value)
        assert "most have only a year: `impute RULE day` imputes only the day" in str(err.value)
