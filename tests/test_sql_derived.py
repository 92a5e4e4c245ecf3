"""Issue 16: endpoints that read another endpoint's rows (semantics 6.5) derived set-based in SQL.

The expected records below are worked out by hand from the tables in each test; the
three engines must give them (the SQL script derives the endpoints in dependency order,
engines/sql/derived.py)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import EXAMPLES
from hypothesis import HealthCheck, given, settings
from strategies import programs
from test_differential import compile_text

import endpointdsl
from endpointdsl.engines.sql.generate import generate_sql

ENGINES = ("sql", "compiled", "interpreter")

HEAD = """
table adsl: one row per subject
table adrs: many rows per subject

event first_dose = adsl.TRTSDT label "First dose"
event assessment = adrs.ADT where PARAMCD = "OVR" response AVALC sequence ASEQ
event progression = adrs.ADT where PARAMCD = "OVR" and AVALC = "PD" sequence ASEQ label "Progression"
event adequate = adrs.ADT where PARAMCD = "OVR" and AVALC != "NE" sequence ASEQ
"""

DOR = (
    HEAD
    + """
event responded = RSP.ADT where AVALC = "Y" label "First response"

endpoint RSP "Objective response"
  from first_dose
  best response of assessment
  responder if response in ("CR", "PR")
end

endpoint DOR "Duration of response"
  among subjects with responded
  from responded
  to progression evntdesc "PD"
  censor at last adequate cnsr 1 cnsdtdsc "Last adequate assessment"
  ascertainment: at visits
end

endpoint TTR "Time to response"
  from first_dose
  to responded evntdesc "RESPONSE"
  no censoring date: excluded
  censor at last adequate cnsr 1 cnsdtdsc "Last adequate assessment"
  ascertainment: at visits
end
"""
)


def tables() -> dict[str, pd.DataFrame]:
    adsl = pd.DataFrame({"USUBJID": ["S1", "S2", "S3", "S4"],
                         "TRTSDT": ["2024-01-01", "2024-01-01", "2024-01-01", None]})  # fmt: skip
    rows = [  # USUBJID, ASEQ, AVALC, ADT
        ("S1", 1, "SD", "2024-02-01"), ("S1", 2, "PR", "2024-03-01"), ("S1", 3, "PR", "2024-04-01"),
        ("S1", 4, "PD", "2024-05-01"), ("S2", 1, "SD", "2024-02-01"), ("S2", 2, "NE", "2024-03-01"),
        ("S3", 1, "CR", "2024-02-15"), ("S3", 2, "NE", "2024-03-15"),
    ]  # fmt: skip
    adrs = pd.DataFrame(rows, columns=["USUBJID", "ASEQ", "AVALC", "ADT"]).assign(PARAMCD="OVR")
    return {"adsl": adsl, "adrs": adrs}


def records(result, code: str) -> dict[str, tuple]:
    out = {}
    for r in result.adtte[result.adtte.PARAMCD == code].to_dict("records"):
        seq = None if pd.isna(r["SRCSEQ"]) else int(r["SRCSEQ"])
        cnsr = None if pd.isna(r["CNSR"]) else int(r["CNSR"])
        out[r["USUBJID"]] = (r["STARTDT"], r["ADT"], float(r["AVAL"]), cnsr, r["SRCDOM"], seq)
    return out


def agree(compiled, data=None, report: bool = True) -> dict:
    """Each engine's run (on copies of `data`, default `tables()`), the SQL engine's records
    (and, with `report`, its report) equal to the other engines'."""
    runs = {
        engine: compiled.run(
            tables() if data is None else {k: v.copy() for k, v in data.items()}, engine=engine
        )
        for engine in ENGINES
    }
    for engine in ENGINES[1:]:
        pd.testing.assert_frame_equal(runs["sql"].adtte, runs[engine].adtte)
        if report:
            pd.testing.assert_frame_equal(runs["sql"].report, runs[engine].report)
    return runs


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_duration_and_time_to_response_read_the_response_rows_in_sql():
    compiled = compile_text(DOR)
    program = generate_sql(compiled.model)
    assert program.fallback == {}
    assert program.endpoints == ("RSP", "DOR", "TTR")
    # RSP's records are a relation the later endpoints read, after RSP is derived
    assert program.text.index('CREATE OR REPLACE TEMP VIEW "rows_RSP"') > program.text.index('"res_RSP" AS')
    runs = agree(compiled)
    sql = runs["sql"]
    # S1: first PR on 2024-03-01 (ASEQ 2), PD on 2024-05-01 (ASEQ 4): 61 days + 1
    # S3: CR on 2024-02-15 (ASEQ 1), no PD: censored at the last adequate visit, the same day
    assert records(sql, "DOR") == {
        "S1": (day("2024-03-01"), day("2024-05-01"), 62.0, 0, "ADRS", 4),
        "S3": (day("2024-02-15"), day("2024-02-15"), 1.0, 1, "ADRS", 1),
    }
    # the response event is traced to the assessment row that decided RSP, not to RSP's row:
    # S1 2024-03-01 is day 61 (Jan 31 + Feb 29 days + 1); S3 2024-02-15 is day 46;
    # S2 has no response: censored at its last adequate visit, SD on 2024-02-01 (day 32)
    assert records(sql, "TTR") == {
        "S1": (day("2024-01-01"), day("2024-03-01"), 61.0, 0, "ADRS", 2),
        "S2": (day("2024-01-01"), day("2024-02-01"), 32.0, 1, "ADRS", 1),
        "S3": (day("2024-01-01"), day("2024-02-15"), 46.0, 0, "ADRS", 1),
    }
    excluded = set(zip(sql.excluded.USUBJID, sql.excluded.PARAMCD, strict=True))
    # S2 has no response (N), S4 no first dose: RSP excludes S4, so S4 has no row to read
    assert {("S2", "DOR"), ("S4", "DOR"), ("S4", "RSP"), ("S4", "TTR")} == excluded


def test_an_endpoint_reading_rows_of_one_not_chosen_derives_that_one_first_without_output():
    compiled = compile_text(DOR)
    program = generate_sql(compiled.model, ["DOR"])
    assert program.endpoints == ("DOR",) and '"res_RSP"' in program.text
    only = endpointdsl.engines.sql.run.run_sql(compiled.model, tables(), {}, ["DOR"])
    assert set(only.adtte.PARAMCD) == {"DOR"}
    assert records(only, "DOR") == records(compiled.run(tables(), engine="interpreter"), "DOR")


def test_a_missing_date_of_a_selected_row_is_reported_and_a_time_to_event_row_is_read():
    """TTR's rows read by another endpoint: CNSR and AVAL are numbers, a censored row has its
    date; `where AVALC is missing` selects the RSP row of S2 (flag N), whose ADT is missing."""
    text = (
        DOR
        + """
event censored_ttr = TTR.ADT where CNSR = 1
event no_date = RSP.ADT where AVAL = 0
endpoint AFTER "From censoring of TTR"
  among subjects with censored_ttr
  from censored_ttr
  to progression
  censor at last adequate cnsr 1
  ascertainment: at visits
end
endpoint NOD "From the N row"
  from first_dose
  to no_date
  censor at last adequate cnsr 1
  ascertainment: at visits
end
"""
    )
    compiled = compile_text(text)
    assert generate_sql(compiled.model).fallback == {}
    runs = agree(compiled)
    # S2's TTR is censored on 2024-02-01 (ASEQ 1): AFTER starts there, no PD: censored the same day
    assert records(runs["sql"], "AFTER") == {"S2": (day("2024-02-01"), day("2024-02-01"), 1.0, 1, "ADRS", 1)}
    findings = runs["sql"].report[runs["sql"].report.STATUS == "finding"]
    assert list(zip(findings.USUBJID, findings.PARAMCD, findings.MESSAGE, strict=True)) == [
        ("S2", "NOD", "no_date: RSP row 1 has no usable ADT (missing); not counted")
    ]


def test_a_text_column_read_as_a_number_is_left_to_the_per_subject_path():
    text = DOR.replace(
        'event responded = RSP.ADT where AVALC = "Y"', "event responded = RSP.ADT where AVALC = 1"
    )
    compiled = compile_text(text)
    fallback = generate_sql(compiled.model).fallback
    assert set(fallback) == {"DOR", "TTR"}
    assert "reads RSP's AVALC as a num" in fallback["DOR"]
    sql, other = (compiled.run(tables(), engine=e) for e in ("sql", "interpreter"))
    pd.testing.assert_frame_equal(sql.adtte, other.adtte)


@pytest.mark.parametrize("ept", sorted(EXAMPLES.rglob("*.ept")), ids=lambda p: p.name)
def test_no_example_file_leaves_an_endpoint_to_the_per_subject_path(ept):
    model = endpointdsl.load(ept).model
    assert generate_sql(model).fallback == {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(responses=True, reldates=True, confirmed=True, issue12=True, others=True, groups=True))
def test_no_generated_program_leaves_an_endpoint_to_the_per_subject_path(desc):
    assert generate_sql(compile_text(desc.text).model).fallback == {}


def test_a_grouped_endpoint_reading_another_endpoint_s_rows_derives_it_in_its_second_pass():
    """TTAE0 ends at the last dose (adsl only, so E285 allows it); AFTER, one parameter per
    term, starts from TTAE0's ADT: every AFTER record starts on its subject's TRTEDT."""
    text = (
        (EXAMPLES / "sap" / "ae_each_term.ept").read_text()
        + """
event end_of_dosing = TTAE0.ADT where CNSR = 0 label "Last dose"
endpoint TTAE0 "Treatment duration"
  from first_dose
  to last_dose
  censor at data_cut cnsr 1
end
endpoint AFTER "From the last dose, by term"
  for each AEDECOD of teae
  from end_of_dosing
  to teae
  censor at te_end cnsr 1
  before origin: move to origin
  ascertainment: continuous
  no censoring date: excluded
end
"""
    )
    compiled = compile_text(text)
    assert generate_sql(compiled.model).fallback == {}
    folder = EXAMPLES / "sap" / "data" / "ae_each_term"
    data = {name: pd.read_csv(folder / f"{name}.csv", dtype=str) for name in ("adsl", "adae")}
    runs = agree(compiled, data)
    after = runs["sql"].adtte[runs["sql"].adtte.PARAMCD.str.startswith("AFTER")]
    last_dose = dict(zip(data["adsl"].USUBJID, data["adsl"].TRTEDT, strict=True))
    assert len(after) > 0
    assert all(str(r.STARTDT) == last_dose[r.USUBJID] for r in after.itertuples())


def test_a_best_response_of_another_endpoint_s_rows_is_derived_in_sql():
    """BOR's row is one assessment per subject: S1's PR of 2024-03-01 (ASEQ 2), S3's CR of
    2024-02-15 (ASEQ 1), each traced to the assessment that decided BOR."""
    text = (
        HEAD
        + """
event bor_row = BOR.ADT response AVALC label "Best overall response"
endpoint BOR "Best overall response"
  from first_dose
  best response of assessment
  sd at least 42 days after origin
end
endpoint B2 "Best response of BOR's rows"
  from first_dose
  best response of bor_row
  sd at least 42 days after origin
end
"""
    )
    compiled = compile_text(text)
    assert generate_sql(compiled.model).fallback == {}
    runs = agree(compiled)
    b2 = runs["sql"].adtte[runs["sql"].adtte.PARAMCD == "B2"].set_index("USUBJID")
    assert (b2.loc["S1", "AVALC"], b2.loc["S1", "ADT"], b2.loc["S1", "SRCSEQ"]) == (
        "PR",
        day("2024-03-01"),
        2,
    )
    assert (b2.loc["S3", "AVALC"], b2.loc["S3", "ADT"], b2.loc["S3", "SRCSEQ"]) == (
        "CR",
        day("2024-02-15"),
        1,
    )
    assert b2.loc["S1", "SRCDOM"] == b2.loc["S3", "SRCDOM"] == "ADRS"


def test_best_response_of_a_bounded_imputed_or_a_confirmed_assessment_event_is_derived_in_sql():
    """Issue 16, the remaining response fallbacks. `sure` keeps the visits with any assessment
    28 days or more later: S1's SD (day 31: too early for SD, so NE), PR 2024-03-01 and PR
    2024-04-01, not its PD; S3's CR of 2024-02-15 (an NE 29 days later). S2's partial date
    2024-01 is imputed to its first day, not before the first dose (2024-01-01)."""
    text = (
        HEAD
        + """
event imputed = adrs.ADT where PARAMCD = "OVR" response AVALC sequence ASEQ
    impute first not before first_dose
event sure = assessment confirmed by assessment at least 28 days later
endpoint BI "Best response, imputed dates"
  from first_dose
  best response of imputed
  sd at least 42 days after origin
end
endpoint BC "Best response of confirmed visits"
  from first_dose
  best response of sure
  sd at least 42 days after origin
end
"""
    )
    compiled = compile_text(text)
    assert generate_sql(compiled.model).fallback == {}
    data = tables()
    extra = pd.DataFrame([{"USUBJID": "S2", "ASEQ": 3, "AVALC": "PR", "ADT": "2024-01", "PARAMCD": "OVR"}])
    data["adrs"] = pd.concat([data["adrs"], extra], ignore_index=True)
    runs = agree(compiled, data)
    out = runs["sql"].adtte.set_index(["PARAMCD", "USUBJID"])
    assert (out.loc[("BC", "S1"), "AVALC"], out.loc[("BC", "S1"), "ADT"]) == ("PR", day("2024-03-01"))
    assert (out.loc[("BC", "S3"), "AVALC"], out.loc[("BC", "S3"), "ADT"]) == ("CR", day("2024-02-15"))
    # S2's PR on the imputed 2024-01-01 (flag D), the best of its visits
    s2 = out.loc[("BI", "S2")]
    assert (s2.AVALC, s2.ADT, s2.ADTF, s2.SRCSEQ) == ("PR", day("2024-01-01"), "D", 3)


def test_a_number_of_an_endpoint_s_rows_read_as_text_has_no_decimal_point():
    """as_text(61.0) is "61": S1's TTR AVAL (61 days) matches, S2's 32 and S3's 46 do not."""
    text = (
        DOR
        + """
event day61 = TTR.ADT where AVAL = "61" label "Response on day 61"
endpoint D61 "Response on day 61"
  from first_dose
  to day61
  censor at last adequate cnsr 1
  ascertainment: at visits
end
"""
    )
    compiled = compile_text(text)
    assert generate_sql(compiled.model).fallback == {}
    runs = agree(compiled, report=False)
    d61 = runs["sql"].adtte[runs["sql"].adtte.PARAMCD == "D61"]
    assert dict(zip(d61.USUBJID, d61.CNSR, strict=True)) == {"S1": 0, "S2": 1, "S3": 1}


def test_a_text_of_an_endpoint_s_rows_loses_its_trailing_blanks_as_every_engine_reads_it():
    """EVNTDESC "PD  " reads as "PD" (normalise): S1's DOR event (PD on 2024-05-01) matches."""
    text = (
        DOR.replace('to progression evntdesc "PD"', 'to progression evntdesc "PD  "')
        + """
event dor_pd = DOR.ADT where EVNTDESC = "PD" label "Progression after response"
endpoint AFTER "Progression after response"
  from first_dose
  to dor_pd
  censor at last adequate cnsr 1
  ascertainment: at visits
end
"""
    )
    compiled = compile_text(text)
    assert generate_sql(compiled.model).fallback == {}
    runs = agree(compiled, report=False)
    after = runs["sql"].adtte[runs["sql"].adtte.PARAMCD == "AFTER"].set_index("USUBJID")
    assert (after.loc["S1", "ADT"], after.loc["S1", "CNSR"]) == (day("2024-05-01"), 0)
    assert set(after.CNSR[after.index != "S1"]) == {1}


# a text read off an endpoint's rows, as the rows_ view's SQL reads it and as normalise does;
# the view's rtrim runs only on texts that are empty or end in a blank (issue 16: its cost)
TEXTS = [
    None, "", " ", "CR", "CR ", "CR  ", "C R", " CR", "CR\t", "CR\n", "CR\x1f", "CR\x85",
    "CR\xa0", "CR\u2000", "CR\u3000", "CR\u200b", "\u3000", "CR \u2028 ", "PR\u00e9", "\u00e9 ", "x" * 300 + " ",
]  # fmt: skip


def test_the_rows_text_view_is_normalise_for_every_blank_and_none_other():
    import duckdb

    from endpointdsl.data.values import normalise
    from endpointdsl.engines.sql.derived import _views
    from endpointdsl.engines.sql.prepare import PY_WHITESPACE

    texts = [*TEXTS, *(f"R{ch}" for ch in PY_WHITESPACE), *(f"{ch}R" for ch in PY_WHITESPACE)]
    frame = pd.DataFrame({"avalc": pd.Series(texts, dtype=object)})  # noqa: F841 (read by DuckDB)
    got = duckdb.sql(f"SELECT {_views('AVALC')['text']} AS v FROM frame AS r").fetchall()
    assert [v for (v,) in got] == [normalise(t) for t in texts]
    assert normalise("CR\u200b") == "CR\u200b"  # a zero-width space is no blank: kept
