"""SAP gallery, one parameter per group (issue 13, item 3): oracles written from the SAP wording.

Each oracle reads the gallery's CSV files with the csv module and computes the expected
records in plain Python from the sentence quoted in the `.ept` file's header and the
conventions stated there (which values make parameters, how they are numbered and named),
without the compiler. The `.ept` file is then run through the three engines (the API and
`endpointdsl run --engine ...`) and must give exactly that.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import EXAMPLES
from sap_support import api_run, cli_run, day, normal, rows, written_frame

SAP = EXAMPLES / "sap"
ENGINES = ("sql", "compiled", "interpreter")
COLUMNS = [
    "USUBJID", "PARAMCD", "PARAM", "PARCAT1", "STARTDT", "ADT", "AVAL", "AVALC", "CNSR", "EVNTDESC",
    "SRCDOM", "SRCVAR", "SRCSEQ",
]  # fmt: skip


# ---- reading the data by hand --------------------------------------------------------------


def grade(text: str) -> float | None:
    return float(text) if text else None


def parameters(code: str, title: str, column: str, values: set) -> list[tuple[str, str, str | None]]:
    """(PARAMCD, PARAM, PARCAT1) of each value: sorted by text, a missing value last, numbered
    from 1 and zero-padded so that PARAMCD has 8 characters."""
    ordered = sorted(v for v in values if v) + ([None] if None in values else [])
    width = 8 - len(code)
    return [
        (f"{code}{i:0{width}d}", f"{title}: {v if v else column + ' missing'}", v)
        for i, v in enumerate(ordered, 1)
    ]


# ---- the oracles -----------------------------------------------------------------------------


def oracle_ae_each_term() -> list[dict]:
    """For each preferred term of a TEAE (TRTEMFL = Y) of any subject: time from first dose
    (day 1) to the first TEAE of that term up to the data cut-off (lower AESEQ on a tie);
    else censored at last dose + 30 days if on or before the cut-off (source: TRTEDT), at
    the cut-off when that is earlier (no source), or at the cut-off when there is no last
    dose (source: DCUTDT)."""
    subjects = rows("ae_each_term", "adsl")
    ids = {s["USUBJID"] for s in subjects}
    teaes = [a for a in rows("ae_each_term", "adae") if a["TRTEMFL"] == "Y" and a["USUBJID"] in ids]
    params = parameters("TTAE", "Time to First TEAE", "AEDECOD", {a["AEDECOD"] or None for a in teaes})
    out = []
    for s in subjects:
        sid, first, cut = s["USUBJID"], day(s["TRTSDT"]), day(s["DCUTDT"])
        for code, param, term in params:
            mine = sorted(
                (day(a["ASTDT"]), float(a["AESEQ"]))
                for a in teaes
                if a["USUBJID"] == sid and (a["AEDECOD"] or None) == term and first <= day(a["ASTDT"]) <= cut
            )
            if mine:
                adt, cnsr, desc, src = (
                    mine[0][0],
                    0,
                    "Treatment-emergent adverse event",
                    ("ADAE", "ASTDT", mine[0][1]),
                )
            elif s["TRTEDT"]:
                te_end = day(s["TRTEDT"]) + dt.timedelta(days=30)
                if te_end <= cut:
                    adt, cnsr, desc, src = (
                        te_end,
                        1,
                        "End of treatment-emergent period",
                        ("ADSL", "TRTEDT", None),
                    )
                else:
                    adt, cnsr, desc, src = cut, 1, "Data cut-off", (None, None, None)
            else:
                adt, cnsr, desc, src = cut, 1, "Data cut-off", ("ADSL", "DCUTDT", None)
            out.append({
                "USUBJID": sid, "PARAMCD": code, "PARAM": param, "PARCAT1": term, "STARTDT": first, "ADT": adt,
                "AVAL": float((adt - first).days + 1), "AVALC": None, "CNSR": cnsr, "EVNTDESC": desc,
                "SRCDOM": src[0], "SRCVAR": src[1], "SRCSEQ": src[2],
            })  # fmt: skip
    return out


def incidence(sid, code, param, value, start, hit) -> dict:
    return {
        "USUBJID": sid, "PARAMCD": code, "PARAM": param, "PARCAT1": value, "STARTDT": start,
        "ADT": hit[0] if hit else None, "AVAL": 1.0 if hit else 0.0, "AVALC": "Y" if hit else "N", "CNSR": None,
        "EVNTDESC": None, "SRCDOM": "ADAE" if hit else None, "SRCVAR": "ASTDT" if hit else None,
        "SRCSEQ": hit[1] if hit else None,
    }  # fmt: skip


def oracle_ae_grade3_by_soc() -> list[dict]:
    """One parameter per SOC of a grade >= 3 TEAE (TRTEMFL = Y, AETOXGR >= 3) of any subject;
    for each subject of the safety population with a last dose: Y when such a TEAE of the SOC
    starts from the first dose through last dose + 30 days (the first one, lower AESEQ)."""
    subjects = rows("ae_grade3_by_soc", "adsl")
    ids = {s["USUBJID"] for s in subjects}
    severe = [
        a for a in rows("ae_grade3_by_soc", "adae")
        if a["USUBJID"] in ids and a["TRTEMFL"] == "Y" and grade(a["AETOXGR"]) is not None and grade(a["AETOXGR"]) >= 3
    ]  # fmt: skip
    params = parameters("AE3SOC", "Grade >= 3 TEAE", "AEBODSYS", {a["AEBODSYS"] or None for a in severe})
    out = []
    for s in subjects:
        sid, first = s["USUBJID"], day(s["TRTSDT"])
        if s["SAFFL"] != "Y" or not s["TRTEDT"]:
            continue
        end = day(s["TRTEDT"]) + dt.timedelta(days=30)
        for code, param, soc in params:
            inside = sorted(
                (day(a["ASTDT"]), float(a["AESEQ"]))
                for a in severe
                if a["USUBJID"] == sid and (a["AEBODSYS"] or None) == soc and first <= day(a["ASTDT"]) <= end
            )
            out.append(incidence(sid, code, param, soc, first, inside[0] if inside else None))
    return out


CRS = "Cytokine release syndrome"


def oracle_crs_grade3_28d() -> list[dict]:
    """CRS3: Y when a CRS of grade >= 3 starts from Day 0 (infusion) through Day 28. CRSGR: one
    parameter per grade of any subject's CRS (a missing grade last), Y when a CRS of that
    grade starts in the same window. Subjects without an infusion date: excluded."""
    subjects = rows("crs_grade3_28d", "adsl")
    ids = {s["USUBJID"] for s in subjects}
    crs = [a for a in rows("crs_grade3_28d", "adae") if a["AEDECOD"] == CRS and a["USUBJID"] in ids]
    params = parameters(
        "CRSGR",
        "CRS within 28 days after infusion by ASTCT grade",
        "AETOXGR",
        {a["AETOXGR"] or None for a in crs},
    )
    out = []
    for s in subjects:
        sid, day0 = s["USUBJID"], day(s["INFDT"])
        if day0 is None:
            continue

        def first_in_window(keep, sid=sid, day0=day0):
            inside = sorted(
                (day(a["ASTDT"]), float(a["AESEQ"]))
                for a in crs
                if a["USUBJID"] == sid and keep(a) and 0 <= (day(a["ASTDT"]) - day0).days <= 28
            )
            return inside[0] if inside else None

        hit = first_in_window(lambda a: grade(a["AETOXGR"]) is not None and grade(a["AETOXGR"]) >= 3)
        title = "CRS of ASTCT grade 3 or higher within 28 days after infusion"
        out.append(incidence(sid, "CRS3", title, None, day0, hit))
        for code, param, value in params:
            hit = first_in_window(lambda a, value=value: (a["AETOXGR"] or None) == value)
            out.append(incidence(sid, code, param, value, day0, hit))
    return out


ORACLES = {
    "ae_each_term": oracle_ae_each_term,
    "ae_grade3_by_soc": oracle_ae_grade3_by_soc,
    "crs_grade3_28d": oracle_crs_grade3_28d,
}


# ---- the engines -----------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("slug", sorted(ORACLES))
def test_engines_give_what_the_sap_says(slug, engine):
    assert normal(api_run(slug, engine).adtte, COLUMNS) == ORACLES[slug]()


@pytest.mark.parametrize("slug", sorted(ORACLES))
def test_the_command_line_engines_write_what_the_sap_says(slug, tmp_path):
    written = []
    for engine in ENGINES:
        out = cli_run(slug, engine, tmp_path)
        written.append(out.read_text(encoding="utf-8"))
        frame = written_frame(out)
        assert normal(frame, COLUMNS) == ORACLES[slug](), engine
        assert Path(f"{tmp_path / engine}.report.csv").exists()
    assert written[0] == written[1] == written[2]


# ---- a few records by hand, so that a reader sees the answers ---------------------------------


def record(slug: str, sid: str, code: str) -> dict:
    (rec,) = [
        r for r in normal(api_run(slug, "sql").adtte, COLUMNS) if r["USUBJID"] == sid and r["PARAMCD"] == code
    ]
    return rec


def test_ae_each_term_literal_records():
    # terms in alphabetical order, the TEAE without a term last; DIZZINESS (not emergent) makes none
    codes = {r["PARAMCD"]: r["PARCAT1"] for r in normal(api_run("ae_each_term", "sql").adtte, COLUMNS)}
    assert codes == {"TTAE0001": "HEADACHE", "TTAE0002": "NAUSEA", "TTAE0003": "RASH", "TTAE0004": None}
    # the first of two HEADACHEs; NAUSEA on last dose + 30 days is still an event
    r = record("ae_each_term", "S01", "TTAE0001")
    assert (r["ADT"], r["AVAL"], r["CNSR"], r["SRCSEQ"]) == (dt.date(2021, 2, 1), 32.0, 0, 1.0)
    assert record("ae_each_term", "S01", "TTAE0002")["ADT"] == dt.date(2021, 7, 30)
    # no RASH: censored at last dose (2021-06-30) + 30 days
    r = record("ae_each_term", "S01", "TTAE0003")
    assert (r["ADT"], r["CNSR"], r["EVNTDESC"]) == (
        dt.date(2021, 7, 30),
        1,
        "End of treatment-emergent period",
    )
    # last dose + 30 days after the cut-off: censored at the cut-off; a HEADACHE after it is not counted
    r = record("ae_each_term", "S03", "TTAE0001")
    assert (r["ADT"], r["CNSR"], r["EVNTDESC"]) == (dt.date(2021, 12, 31), 1, "Data cut-off")
    # two RASH records on one day: the lower AESEQ is the source
    assert record("ae_each_term", "S06", "TTAE0003")["SRCSEQ"] == 1.0
    # the uncoded TEAE is an event of the "AEDECOD missing" parameter
    r = record("ae_each_term", "S07", "TTAE0004")
    assert (r["PARAM"], r["ADT"], r["CNSR"]) == (
        "Time to First TEAE: AEDECOD missing",
        dt.date(2021, 5, 5),
        0,
    )


def test_ae_grade3_by_soc_literal_records():
    result = api_run("ae_grade3_by_soc", "sql")
    got = {(r["USUBJID"], r["PARCAT1"]): r for r in normal(result.adtte, COLUMNS)}
    # Cardiac disorders: a parameter although its only subject (B04) is not in the safety population
    assert got[("B01", "Cardiac disorders")]["PARAMCD"] == "AE3SOC01"
    assert ("B04", "Cardiac disorders") not in got
    # grade 3 on last dose + 30 days counts; the grade 5 and grade 3 GI on one day: the lower AESEQ
    assert got[("B03", "Skin and subcutaneous tissue disorders")]["ADT"] == dt.date(2021, 8, 30)
    assert got[("B03", "Gastrointestinal disorders")]["SRCSEQ"] == 3.0
    # a GI TEAE with a missing grade is not grade >= 3; a grade 3 without a SOC has its own parameter
    assert got[("B05", "Gastrointestinal disorders")]["AVALC"] == "N"
    assert got[("B06", None)]["AVALC"] == "Y" and got[("B06", None)]["PARAMCD"] == "AE3SOC05"
    # no infection parameter: grade 2 only
    assert not [k for k in got if k[1] == "Infections and infestations"]
    excluded = set(zip(result.excluded.USUBJID, result.excluded.PARAMCD, strict=True))
    assert ("B07", "AE3SOC03") in excluded  # no last dose: no window end


def test_crs_grade3_28d_literal_records():
    result = api_run("crs_grade3_28d", "sql")
    got = {(r["USUBJID"], r["PARAMCD"]): r for r in normal(result.adtte, COLUMNS)}
    assert got[("C02", "CRS3")]["ADT"] == dt.date(2021, 3, 29)  # Day 28: counted
    assert got[("C03", "CRS3")]["AVALC"] == "N"  # Day 29: not counted
    assert got[("C05", "CRS3")]["ADT"] == dt.date(2021, 4, 1)  # Day 0, the infusion day: counted
    assert got[("C09", "CRS3")]["AVALC"] == "N"  # before the infusion
    # the missing grade: not grade >= 3, reported as its own parameter
    assert got[("C04", "CRS3")]["AVALC"] == "N"
    missing = got[("C04", "CRSGR005")]
    assert (missing["PARAM"], missing["AVALC"]) == (
        "CRS within 28 days after infusion by ASTCT grade: AETOXGR missing",
        "Y",
    )
    # grade 1 then grade 3: a Y for each grade
    assert got[("C08", "CRSGR001")]["AVALC"] == got[("C08", "CRSGR003")]["AVALC"] == "Y"
    # grade 4 seen only on Day 29 still makes a parameter, N for everyone
    assert {r["AVALC"] for k, r in got.items() if k[1] == "CRSGR004"} == {"N"}
    assert set(result.excluded.USUBJID) == {"C06"}  # no infusion date
