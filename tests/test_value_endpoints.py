"""Value endpoints (issue 14; docs/semantics.md 11): hand-checked cases of each rule, in all
three engines, the printer's round trip, and the properties of the NCA summaries.

Every case runs the compiled engine, the reference interpreter and the SQL engine, which
must give the same frames; the expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import endpointdsl
from endpointdsl.language.printer import format_program
from endpointdsl.language.transformer import parse

HEAD = """\
table adsl: one row per subject
table adpc: many rows per subject
series conc = adpc.AVAL at TIME hours
    unit UNIT
    below lloq if FLAG = "<BLQ": {blq}
    lloq 0.2
    duplicate times: {dup}
    sequence SEQ
"""


ENGINES = ("compiled", "interpreter", "sql")


def run(endpoints: str, rows: list[tuple], blq: str = "zero", dup: str = "refuse", subjects=("S1",),
        engines=ENGINES) -> dict:  # fmt: skip
    """{engine: RunResult} for the endpoints on rows (subject, time, value, flag, seq[, unit]),
    the engines' results compared (the properties run the compiled engine alone: the
    three-way tests hold the others to it)."""
    text = HEAD.format(blq=blq, dup=dup) + endpoints
    compiled = endpointdsl.CompiledFile.from_model(endpointdsl.check_text(text, "value.ept"))
    adpc = pd.DataFrame(
        [(*r, "ug/mL")[:6] for r in rows], columns=["USUBJID", "TIME", "AVAL", "FLAG", "SEQ", "UNIT"]
    )
    tables = {"adsl": pd.DataFrame({"USUBJID": list(subjects)}), "adpc": adpc}
    out = {engine: compiled.run(tables, engine=engine) for engine in engines}
    for engine in engines[1:]:
        pd.testing.assert_frame_equal(out["compiled"].adtte, out[engine].adtte)
        pd.testing.assert_frame_equal(out["compiled"].report, out[engine].report)
    return out


def values(result) -> dict:
    return {(r.USUBJID, r.PARAMCD): r.AVAL for r in result.adtte.itertuples()}


def endpoints(**clauses: str) -> str:
    return "".join(f'endpoint {code} "{code}"\n    {clause}\nend\n' for code, clause in clauses.items())


PROFILE = [  # S1: pre-dose BLQ, a rise to 4 at 2 h (twice), a fall, BLQ at 12 h, 2 again at 24 h
    ("S1", 0, None, "<BLQ", 1),
    ("S1", 1, 2.0, None, 2),
    ("S1", 2, 4.0, None, 3),
    ("S1", 4, 4.0, None, 4),
    ("S1", 8, 1.0, None, 5),
    ("S1", 12, None, "<BLQ", 6),
    ("S1", 24, 2.0, None, 7),
]


def test_the_summaries_of_one_profile():
    eps = endpoints(
        CMAX="value max of conc", TMAX="value time of max of conc", CLST="value last of conc",
        TLST="value time of last of conc", CMIN="value min of conc", TMIN="value time of min of conc",
        AUC="value auc of conc linear", AUC8="value auc of conc over 0 to 8 hours linear",
        AUCLD="value auc of conc over 0 to 8 hours linear up log down", CHG="value change from min of conc",
        C8="value of conc at 7 hours within 2 hours", D12="value detectable of conc at 12 hours within 1 hours",
        D24="value detectable of conc at 1 day within 1 hours",
    )  # fmt: skip
    result = run(eps, PROFILE)["compiled"]
    got = values(result)
    # BLQ as zero: 0 at 0 and 12 h. Cmax 4 first at 2 h; Clast 2 at 24 h; the minimum 0 first at 0 h.
    assert got[("S1", "CMAX")] == 4.0 and got[("S1", "TMAX")] == 2.0
    assert got[("S1", "CLST")] == 2.0 and got[("S1", "TLST")] == 24.0
    assert got[("S1", "CMIN")] == 0.0 and got[("S1", "TMIN")] == 0.0
    # trapezoids: 0-1: 1, 1-2: 3, 2-4: 8, 4-8: 10, 8-12: 2, 12-24: 12 -> 36; to 8 h: 22
    assert got[("S1", "AUC")] == 36.0 and got[("S1", "AUC8")] == 22.0
    # log-down only where the value falls between positive values: 4-8 h, 4 to 1: 4 x 3 / ln 4
    assert got[("S1", "AUCLD")] == pytest.approx(1 + 3 + 8 + 12 / math.log(4))
    assert got[("S1", "CHG")] == 2.0  # the last value (2) minus the minimum (0)
    assert got[("S1", "C8")] == 1.0  # 8 h is nearest 7 h (1 h away; 4 h is 3 h away)
    assert got[("S1", "D12")] == 0.0 and got[("S1", "D24")] == 1.0
    rows = result.adtte.set_index("PARAMCD")
    assert rows.loc["D12", "AVALC"] == "N" and rows.loc["D24", "AVALC"] == "Y"
    assert rows.loc["AUC", "AVALU"] == "h*ug/mL" and rows.loc["TMAX", "AVALU"] == "h"
    assert rows.loc["CMAX", "AVALU"] == "ug/mL" and pd.isna(rows.loc["D12", "AVALU"])
    assert rows.loc["CMAX", "SRCSEQ"] == 3 and rows.loc["TLST", "SRCVAR"] == "TIME"
    assert pd.isna(rows.loc["AUC", "SRCSEQ"])


def test_blq_before_and_after_the_first_quantifiable_sample():
    eps = endpoints(AUC="value auc of conc linear", CLST="value last of conc", CMIN="value min of conc")
    # zero before (0 h), half the LLOQ (0.1) after (12 h): 1 + 3 + 8 + 10 + (0.5 + 0.55 x 4) ... by hand:
    # 0-1: 1, 1-2: 3, 2-4: 8, 4-8: 10, 8-12: (1 + 0.1) x 2 = 2.2, 12-24: (0.1 + 2) x 6 = 12.6
    got = values(run(eps, PROFILE, blq="zero before first quantifiable, half lloq after")["compiled"])
    assert got[("S1", "AUC")] == pytest.approx(36.8) and got[("S1", "CMIN")] == 0.0
    assert got[("S1", "CLST")] == 2.0  # a BLQ sample is never the last quantifiable one
    # missing after: 8-24: (1 + 2) / 2 x 16 = 24 -> 1 + 3 + 8 + 10 + 24
    got = values(run(eps, PROFILE, blq="zero before first quantifiable, missing after")["compiled"])
    assert got[("S1", "AUC")] == 46.0


def test_duplicate_times_are_refused_or_averaged():
    rows = [
        ("S1", 0, 1.0, None, 1),
        ("S1", 1, 2.0, None, 2),
        ("S1", 1, 4.0, None, 3),
        ("S1", 2, 0.5, None, 4),
    ]
    eps = endpoints(CMAX="value max of conc", AUC="value auc of conc linear")
    refused = run(eps, rows)["sql"]
    assert refused.adtte.empty
    assert set(refused.excluded.MESSAGE) == {
        "conc: adpc rows 2, 3 have the same TIME; duplicate times are refused"
    }
    got = values(run(eps, rows, dup="mean")["compiled"])
    assert got[("S1", "CMAX")] == 3.0  # the mean of 2 and 4
    assert got[("S1", "AUC")] == 2.0 + 1.75  # (1 + 3) / 2 + (3 + 0.5) / 2


def test_every_subject_has_a_value_or_a_reason():
    rows = [
        ("S1", 0, None, "<BLQ", 1), ("S1", 1, None, "<BLQ", 2),  # all below the LLOQ
        ("S2", 3, 5.0, None, 1),  # a single sample
        ("S3", "soon", 5.0, None, 1), ("S3", 1, "high", None, 2),  # nothing usable, two findings
    ]  # fmt: skip
    eps = endpoints(
        CMAX="value max of conc", CLST="value last of conc", AUC="value auc to last of conc linear"
    )
    result = run(eps, rows, blq="missing", subjects=("S1", "S2", "S3", "S4"))["compiled"]
    got = values(result)
    assert got == {("S2", "CMAX"): 5.0, ("S2", "CLST"): 5.0, ("S2", "AUC"): 0.0}
    reasons = {(r.USUBJID, r.PARAMCD): r.MESSAGE for r in result.excluded.itertuples()}
    assert reasons[("S1", "CMAX")] == "conc: no usable sample"  # BLQ as missing: none left
    assert reasons[("S4", "CLST")] == "conc: no usable sample"  # no rows at all
    assert set(result.findings.MESSAGE) == {
        "conc: adpc row 4 has no usable TIME; not used", "conc: adpc row 5 has no usable AVAL; not used",
    }  # fmt: skip


def test_no_quantifiable_sample_and_several_units():
    rows = [("S1", 0, None, "<BLQ", 1), ("S1", 1, None, "<BLQ", 2), ("S2", 0, 1.0, None, 1, "ug/mL"),
            ("S2", 1, 2.0, None, 2, "ng/mL")]  # fmt: skip
    eps = endpoints(CLST="value last of conc", TMAX="value time of max of conc")
    result = run(eps, rows, subjects=("S1", "S2"))["compiled"]
    reasons = {(r.USUBJID, r.PARAMCD): r.MESSAGE for r in result.excluded.itertuples()}
    assert reasons == {
        ("S1", "CLST"): "conc: no quantifiable sample",
        ("S2", "CLST"): "conc: samples in several units (ng/mL, ug/mL)",
        # Tmax compares the values (1 ug/mL is 1000 ng/mL): review 14, tests/test_review14.py
        ("S2", "TMAX"): "conc: samples in several units (ng/mL, ug/mL)",
    }
    assert values(result) == {("S1", "TMAX"): 0.0}


def test_nearest_sample_tie_takes_the_earlier_one():
    rows = [("S1", 1, 3.0, None, 1), ("S1", 3, 5.0, None, 2)]
    got = values(run(endpoints(C2="value of conc at 2 hours within 1 hours"), rows)["compiled"])
    assert got == {("S1", "C2"): 3.0}


def test_series_and_value_clauses_print_back():
    text = HEAD.format(blq="zero before first quantifiable, half lloq after", dup="mean") + endpoints(
        A="value auc to last of conc over 0 to 28 days linear up log down",
        B="value detectable of conc at 3 months within 14 days",
        C="value of conc at 2 hours within 30 minutes over 0 to 1 week",
    )
    program = parse(text)
    assert parse(format_program(program)) == program


# ---- properties (issue 14): row order, additivity, scaling, Tmax in its window ------------------

TIMES = st.lists(st.sampled_from([0, 0.5, 1, 2, 3, 4, 6, 8, 12, 24]), min_size=1, max_size=8, unique=True)
LEVELS = st.lists(st.sampled_from([0.0, 0.25, 1.0, 1.5, 2.0, 3.0, 8.0, 0.01]), min_size=8, max_size=8)
PROPERTY_RUNS = settings(max_examples=15, deadline=None)


def profile(times, levels, order=None) -> list[tuple]:
    rows = [("S1", t, v, None, i + 1) for i, (t, v) in enumerate(zip(times, levels, strict=False))]
    return [rows[i] for i in order] if order is not None else rows


def quick(eps: str, rows: list[tuple]):
    return run(eps, rows, engines=("compiled",))["compiled"]


@PROPERTY_RUNS
@given(TIMES, LEVELS, st.randoms(use_true_random=False))
def test_auc_does_not_depend_on_row_order(times, levels, rnd):
    eps = endpoints(AUC="value auc of conc linear", LD="value auc of conc linear up log down")
    order = list(range(len(times)))
    rnd.shuffle(order)
    first = quick(eps, profile(times, levels)).adtte
    again = quick(eps, profile(times, levels, order)).adtte
    assert list(first.AVAL) == list(again.AVAL)


@PROPERTY_RUNS
@given(TIMES, LEVELS)
def test_linear_auc_is_additive_over_adjacent_windows(times, levels):
    cut = sorted(times)[len(times) // 2]  # a sample time: both windows hold it
    eps = endpoints(
        ALL="value auc of conc over 0 to 24 hours linear", A=f"value auc of conc over 0 to {cut} hours linear",
        B=f"value auc of conc over {cut} to 24 hours linear",
    )  # fmt: skip
    got = values(quick(eps, profile(times, levels)))
    assert got[("S1", "ALL")] == pytest.approx(got[("S1", "A")] + got[("S1", "B")], rel=1e-12, abs=1e-12)


@PROPERTY_RUNS
@given(TIMES, LEVELS, st.sampled_from([2.0, 0.5, 10.0, 3.0]))
def test_scaling_the_values_scales_cmax_clast_and_auc(times, levels, k):
    eps = endpoints(CMAX="value max of conc", CLST="value last of conc", AUC="value auc of conc linear",
                    LD="value auc of conc linear up log down", TMAX="value time of max of conc")  # fmt: skip
    base = values(quick(eps, profile(times, levels)))
    scaled = values(quick(eps, profile(times, [v * k for v in levels])))
    assert scaled.keys() == base.keys()
    for key, v in base.items():
        expected = v if key[1] == "TMAX" else v * k
        assert scaled[key] == pytest.approx(expected, rel=1e-12, abs=1e-15), key


@PROPERTY_RUNS
@given(TIMES, LEVELS, st.sampled_from([(0, 2), (1, 4), (3, 12), (6, 6)]))
def test_tmax_lies_within_its_window(times, levels, window):
    a, b = window
    eps = endpoints(TMAX=f"value time of max of conc over {a} to {b} hours",
                    TLST=f"value time of last of conc over {a} to {b} hours")  # fmt: skip
    result = quick(eps, profile(times, levels))
    for t in result.adtte.AVAL:
        assert a <= t <= b
    inside = [t for t in times if a <= t <= b]
    assert (result.adtte.PARAMCD == "TMAX").sum() == (1 if inside else 0)


# ---- the value summary (issue 14): the usual PK table ----------------------------------------


def test_the_value_summary_by_hand():
    from endpointdsl.data.value_summary import format_value_summary, summarise_values

    records = pd.DataFrame({"USUBJID": ["A", "B", "C", "D"], "PARAMCD": ["CMAX"] * 4,
                            "AVAL": [0.0, 1.0, 4.0, 16.0], "AVALU": ["ug/mL"] * 4})  # fmt: skip
    excluded = pd.DataFrame({"USUBJID": ["E", "E"], "PARAMCD": ["CMAX", "CMAX"]})
    (row,) = summarise_values(records, [("CMAX", "Max Conc")], excluded).itertuples(index=False)
    assert (row.N, row.MEAN, row.MEDIAN, row.MIN, row.MAX) == (4, 5.25, 2.5, 0.0, 16.0)
    assert row.SD == pytest.approx(math.sqrt(((5.25**2) + 4.25**2 + 1.25**2 + 10.75**2) / 3))
    # geometric: over 1, 4 and 16 only (0 has no logarithm): 4; the logs' SD is ln 4
    assert (row.NGEO, row.GEOMEAN, row.EXCLUDED) == (3, pytest.approx(4.0), 1)
    assert row.GEOCV == pytest.approx(100 * math.sqrt(math.exp(math.log(4) ** 2) - 1))
    text = format_value_summary(summarise_values(records, [("CMAX", "Max Conc")], excluded))
    assert "CMAX: geometric statistics over 3 positive values (1 zero or negative left out)" in text
    assert "CMAX: 1 subject without a value (see the report)" in text


def test_run_prints_and_writes_the_value_summary(tmp_path, capsys):
    from conftest import EXAMPLES

    from endpointdsl.cli import main

    out = tmp_path / "adpp.csv"
    ept, data = EXAMPLES / "her2_cart_kinetics.ept", EXAMPLES / "her2_cart_kinetics"
    assert main(["run", str(ept), "--data", str(data), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(tmp_path / "adpp.values.csv")
    assert list(table.PARAMCD) == ["CMAX", "TMAX", "AUC28", "CLST", "TLST"]  # not the Y/N flags
    cmax = table.set_index("PARAMCD").loc["CMAX"]
    assert (cmax.N, cmax.MAX, cmax.NGEO, cmax.EXCLUDED) == (6, 25000.0, 5, 1)  # C04: 0; C06: none
    flags = pd.read_csv(tmp_path / "adpp.summary.csv")
    assert list(flags.PARAMCD) == ["PERS3M", "PERS6M"] and list(flags.n) == [4, 3]
    assert "GEOCV%" in printed and "PERS3M" in printed


# ---- a time axis of dates: days from the subject's origin date ---------------------------------

DATED = """\
table adsl: one row per subject
table adpc: many rows per subject
event infusion = adsl.INFDT
series conc = adpc.AVAL at ADT days
    from infusion
    origin is day {day}
    below lloq if FLAG = "<BLQ": zero
endpoint TMAX "Day of Cmax"
    value time of max of conc
end
endpoint AUC "AUC from day 0 to 7"
    value auc of conc over 0 to 7 days linear
end
"""


@pytest.mark.parametrize("day", [0, 1])
def test_a_series_on_dates_counts_days_from_the_origin(day):
    compiled = endpointdsl.CompiledFile.from_model(endpointdsl.check_text(DATED.format(day=day), "dated.ept"))
    adsl = pd.DataFrame({"USUBJID": ["S1", "S2", "S3"], "INFDT": ["2024-01-10", None, "2024-01-10"]})
    adpc = pd.DataFrame({
        "USUBJID": ["S1", "S1", "S1", "S1", "S2", "S3"],
        "ADT": ["2024-01-09", "2024-01-10", "2024-01-13", "2024-01-15", "2024-01-12", "2024-13-01"],
        "AVAL": [1.0, 2.0, 6.0, 4.0, 3.0, 1.0], "FLAG": [None] * 6,
    })  # fmt: skip
    tables = {"adsl": adsl, "adpc": adpc}
    results = {e: compiled.run(tables, engine=e) for e in ("compiled", "interpreter", "sql")}
    for engine in ("interpreter", "sql"):
        pd.testing.assert_frame_equal(results["compiled"].adtte, results[engine].adtte)
        pd.testing.assert_frame_equal(results["compiled"].report, results[engine].report)
    result = results["compiled"]
    got = values(result)
    # origin is day 0: the day before is -1, the infusion 0, Jan 13 day 3, Jan 15 day 5;
    # origin is day 1: -1, 1, 4, 6 (no day 0). AUC over days 0..7 from the infusion on.
    assert got[("S1", "TMAX")] == (3.0 if day == 0 else 4.0)
    assert got[("S1", "AUC")] == 3 * 8 / 2 + 2 * 10 / 2  # both: 3 days from 2 to 6, then 2 days to 4
    reasons = {(r.USUBJID, r.PARAMCD): r.MESSAGE for r in result.excluded.itertuples()}
    assert reasons[("S2", "TMAX")] == "no origin date: infusion has no usable date"
    assert reasons[("S3", "TMAX")] == "conc: no usable sample"
    assert "conc: adpc row 6 has no usable ADT; not used" in set(result.findings.MESSAGE)
    assert result.adtte.set_index("PARAMCD").loc["TMAX", "AVALU"] == "d"
