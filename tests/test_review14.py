"""Review 14: value endpoints and the Kaplan-Meier summary, broken as a statistician would
break them. Every expected value is worked out by hand in the test."""

from __future__ import annotations

import pandas as pd
import pytest

import endpointdsl

ENGINES = ("compiled", "interpreter", "sql")


def run_all(text: str, tables: dict) -> endpointdsl.RunResult:
    """The compiled engine's result, the other two engines held to it."""
    compiled = endpointdsl.CompiledFile.from_model(endpointdsl.check_text(text, "review14.ept"))
    out = {engine: compiled.run(tables, engine=engine) for engine in ENGINES}
    for engine in ENGINES[1:]:
        pd.testing.assert_frame_equal(out["compiled"].adtte, out[engine].adtte)
        pd.testing.assert_frame_equal(out["compiled"].report, out[engine].report)
    return out["compiled"]


def values(result) -> dict:
    return {(r.USUBJID, r.PARAMCD): r.AVAL for r in result.adtte.itertuples()}


DATED = """\
table adsl: one row per subject
table adpc: many rows per subject
event infusion = adsl.INFDT
series car = adpc.AVAL at ADT days from infusion origin is day {day}
    below lloq if FLAG = "Y": zero
endpoint AUC "AUC"
    value auc of car linear
end
endpoint AUCLL "AUC log down"
    value auc of car linear up log down
end
endpoint AUCT "AUC to last"
    value auc to last of car linear
end
"""


@pytest.mark.parametrize("day", [0, 1])
def test_auc_across_the_origin_counts_the_days_elapsed(day):
    # A pre-infusion sample on Jan 9 (day -1 in both numberings), the infusion day Jan 10
    # (day 0 or day 1), Jan 11 (day 1 or 2), Jan 13 (day 3 or 4). The trapezoids' widths are
    # the days between the samples: 1, 1, 2, whatever the numbering (with `origin is day 1`
    # day -1 and day 1 are one day apart: there is no day 0).
    #   linear: 1 x (5 + 10)/2 + 1 x (10 + 40)/2 + 2 x (40 + 10)/2 = 7.5 + 25 + 50 = 82.5
    #   log down on the last: 2 x (40 - 10)/ln(4) = 60/ln 4
    import math

    adsl = pd.DataFrame({"USUBJID": ["S1"], "INFDT": ["2024-01-10"]})
    adpc = pd.DataFrame({
        "USUBJID": ["S1"] * 4, "ADT": ["2024-01-09", "2024-01-10", "2024-01-11", "2024-01-13"],
        "AVAL": [5.0, 10.0, 40.0, 10.0], "FLAG": ["N"] * 4,
    })  # fmt: skip
    got = values(run_all(DATED.format(day=day), {"adsl": adsl, "adpc": adpc}))
    assert got[("S1", "AUC")] == 82.5
    assert got[("S1", "AUCT")] == 82.5
    assert got[("S1", "AUCLL")] == pytest.approx(7.5 + 25 + 60 / math.log(4), rel=1e-12)


KM_HEADER = "USUBJID,PARAMCD,PARAM,AVAL,AVALU,CNSR\n"


@pytest.mark.parametrize(
    "rows, message",
    [
        (
            "S1,OS,OS,4,DAYS,1\nS2,OS,OS,5,DAYS,0.5\n",
            "OS: CNSR must be a whole number of at least 0 (subjects S2)",
        ),
        (
            "S1,OS,OS,4,DAYS,1\nS2,OS,OS,5,DAYS,-1\n",
            "OS: CNSR must be a whole number of at least 0 (subjects S2)",
        ),
        ("S1,OS,OS,abc,DAYS,0\nS2,OS,OS,5,DAYS,0\n", "OS: AVAL must be a number of at least 0 (subjects S1)"),
        (
            "S1,OS,OS,-3,DAYS,0\nS2,OS,OS,inf,DAYS,0\n",
            "OS: AVAL must be a number of at least 0 (subjects S1, S2)",
        ),
    ],
)
def test_km_summary_of_a_bad_adtte_says_why(tmp_path, capsys, rows, message):
    # a CNSR of 0.5 was an internal error (int() of '0.5'); a text AVAL too
    pytest.importorskip("lifelines")
    from endpointdsl.cli import main

    path = tmp_path / "adtte.csv"
    path.write_text(KM_HEADER + rows)
    assert main(["summary", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "internal error" not in err


HOURS = """\
table adsl: one row per subject
table adpc: many rows per subject
series conc = adpc.AVAL at TIME hours
    unit UNIT
    below lloq if FLAG = "Y": zero
"""


@pytest.mark.parametrize(
    "clause, expected",
    [
        # 4 ug/mL at 1 h is 4000 ng/mL: the largest, yet 5 (ng/mL) at 2 h was taken as the max
        ("value time of max of conc", None),
        ("value time of min of conc", None),
        ("value max of conc", None),
        # whether a sample is quantifiable does not depend on its unit
        ("value time of last of conc", 2.0),
        ("value detectable of conc at 2 hours within 0 hours", 1.0),
    ],
)
def test_statistics_comparing_values_refuse_several_units(clause, expected):
    adpc = pd.DataFrame({
        "USUBJID": ["S1", "S1"], "TIME": [1.0, 2.0], "AVAL": [4.0, 5.0], "FLAG": ["N", "N"],
        "UNIT": ["ug/mL", "ng/mL"],
    })  # fmt: skip
    text = HOURS + f'endpoint P "P"\n    {clause}\nend\n'
    result = run_all(text, {"adsl": pd.DataFrame({"USUBJID": ["S1"]}), "adpc": adpc})
    got = values(result)
    if expected is None:
        assert got == {}
        assert list(result.excluded.MESSAGE) == ["conc: samples in several units (ng/mL, ug/mL)"]
    else:
        assert got == {("S1", "P"): expected}


def test_detectable_on_a_series_that_drops_blq_samples_is_refused():
    # Samples at day 170 (quantifiable) and day 183 (BLQ); month 6 is day 182.6. With
    # `missing after` the BLQ sample was dropped, so day 170 was the nearest within 21 days
    # and the subject was "detectable" (Y); the sample at the landmark says N.
    text = (
        "table adsl: one row per subject\ntable adpc: many rows per subject\n"
        "series car = adpc.AVAL at DAY days\n"
        '    below lloq if FLAG = "Y": zero before first quantifiable, missing after\n'
        'endpoint P6 "Detectable at 6 months"\n'
        "    value detectable of car at 6 months within 21 days\nend\n"
    )
    with pytest.raises(endpointdsl.EptError) as info:
        endpointdsl.check_text(text, "review14.ept")
    assert [d.code for d in info.value.diagnostics] == ["E376"]
    kept = text.replace("missing after", "half lloq after\n    lloq 50")
    adpc = pd.DataFrame(
        {"USUBJID": ["S1", "S1"], "DAY": [170.0, 183.0], "AVAL": [100.0, None], "FLAG": ["N", "Y"]}
    )
    result = run_all(kept, {"adsl": pd.DataFrame({"USUBJID": ["S1"]}), "adpc": adpc})
    assert values(result) == {("S1", "P6"): 0.0}
    assert list(result.adtte.AVALC) == ["N"]


def test_missing_texts_of_the_summaries_stay_missing(tmp_path):
    # pandas before 3 (which the km extra needs) cast None to the text "None" and NaN to
    # "nan": the PK table's AVALU of a series without a unit, and the KM table's EVNTDESC,
    # CNSDTDSC and TIMEU of its count rows, were written as those words
    from endpointdsl.data.value_summary import summarise_values

    records = pd.DataFrame({"USUBJID": ["S1"], "PARAMCD": ["CMAX"], "AVAL": [2.0], "AVALU": [None]})
    table = summarise_values(records, [("CMAX", "Cmax")])
    assert table.AVALU.isna().all()
    pytest.importorskip("lifelines")
    from endpointdsl.data import km

    adtte = pd.DataFrame({
        "USUBJID": ["S1", "S2"], "PARAMCD": ["OS", "OS"], "PARAM": ["OS", "OS"], "AVAL": [1.0, 2.0],
        "AVALU": ["DAYS", "DAYS"], "CNSR": [0, 1], "EVNTDESC": ["DEATH", None], "CNSDTDSC": [None, "LAST ALIVE"],
    })  # fmt: skip
    out = km.summarise_km(adtte)
    texts = set(out.EVNTDESC.dropna()) | set(out.CNSDTDSC.dropna()) | set(out.TIMEU.dropna())
    assert not texts & {"nan", "None"}
    counts = out[out.STAT == "SUBJECTS"].iloc[0]
    assert pd.isna(counts.EVNTDESC) and pd.isna(counts.TIMEU)


def test_km_estimates_after_the_curve_has_ended():
    # OS: events at 1, 2, 3 and 5, censored at 2 (after the event) and 4. By hand:
    # S(1) = 5/6, S(2) = 5/6 x 4/5 = 2/3, S(3) = 2/3 x 2/3 = 4/9, S(5) = 0: the last subject
    # died at 5, so S(10) is 0 (it was missing: "not estimable" after the largest AVAL).
    # A group whose last subject is censored (A: 1, 2 events, 2 censored) is not estimable.
    # log-log limits at 2 (Greenwood: 1/30 + 1/20): S^exp(+-1.96 x sqrt(1/12) / |log S|).
    pytest.importorskip("lifelines")
    from endpointdsl.data import km

    adtte = pd.DataFrame({
        "USUBJID": [f"S{i}" for i in range(1, 7)], "PARAMCD": ["OS"] * 6, "AVAL": [1.0, 2, 2, 3, 4, 5],
        "AVALU": ["DAYS"] * 6, "CNSR": [0, 0, 1, 0, 1, 0], "GRP": ["A", "A", "A", "B", "B", "B"],
    })  # fmt: skip
    out = km.summarise_km(adtte, at=[2, 4, 10])
    surv = out[out.STAT == "SURVIVAL"].set_index("TIME")
    assert surv.loc[2.0, "ESTIMATE"] == pytest.approx(2 / 3)
    assert surv.loc[2.0, "LOWER"] == pytest.approx(0.19462, abs=5e-5)
    assert surv.loc[2.0, "UPPER"] == pytest.approx(0.90443, abs=5e-5)
    assert surv.loc[4.0, "ESTIMATE"] == pytest.approx(4 / 9)
    assert surv.loc[10.0, "ESTIMATE"] == 0.0 and surv.loc[10.0, "COUNT"] == 0
    assert pd.isna(surv.loc[10.0, "LOWER"]) and pd.isna(surv.loc[10.0, "UPPER"])
    med = out[out.STAT == "MEDIAN"].iloc[0]
    assert (med.ESTIMATE, med.LOWER) == (3.0, 1.0) and pd.isna(med.UPPER)
    by = km.summarise_km(adtte, by="GRP", at=[10])
    at10 = by[by.STAT == "SURVIVAL"].set_index("GRP").ESTIMATE
    assert pd.isna(at10["A"]) and at10["B"] == 0.0
    # competing: relapse at 1 and 3, death (CNSR 2) at 2. F(1) = 1/3; all-cause S(2) = 1/3;
    # F(3) = 1/3 + 1/3 x 1/1 = 2/3, and every subject has had an event: F(9) = 2/3
    cr = pd.DataFrame({
        "USUBJID": ["S1", "S2", "S3"], "PARAMCD": ["R"] * 3, "AVAL": [1.0, 2.0, 3.0], "CNSR": [0, 2, 0],
    })  # fmt: skip
    cif = km.summarise_km(cr, at=[3, 9], competing={"R": [2]})
    cif = cif[cif.STAT == "CIF"].set_index("TIME").ESTIMATE
    assert cif[3.0] == pytest.approx(2 / 3) and cif[9.0] == pytest.approx(2 / 3)
