"""SAP gallery, dates relative to other dates (issue 12): oracles written from the SAP wording.

Each oracle reads the gallery's CSV files with the csv module and computes the expected
records in plain Python from the sentence quoted in the `.ept` file's header and the
conventions stated there, without the compiler. The `.ept` file is then run through the
three engines (the API and `endpointdsl run --engine ...`) and must give exactly that.
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
    "USUBJID",
    "PARAMCD",
    "STARTDT",
    "ADT",
    "AVAL",
    "AVALC",
    "CNSR",
    "EVNTDESC",
    "SRCDOM",
    "SRCVAR",
    "SRCSEQ",
]


# ---- reading the data by hand --------------------------------------------------------------


def by_subject(records: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in records:
        out.setdefault(r["USUBJID"], []).append(r)
    return out


def tte(sid, code, start, adt, cnsr, desc, src=(None, None, None)) -> dict:
    return {
        "USUBJID": sid, "PARAMCD": code, "STARTDT": start, "ADT": adt, "AVAL": float((adt - start).days + 1),
        "AVALC": None, "CNSR": cnsr, "EVNTDESC": desc, "SRCDOM": src[0], "SRCVAR": src[1], "SRCSEQ": src[2],
    }  # fmt: skip


# ---- the oracles -----------------------------------------------------------------------------


def oracle_tsst() -> list[dict]:
    """From randomisation to the start of the 2nd therapy started strictly after the last
    dose (ordered by start date, then CMSEQ), or death, whichever first; else censored at
    last known alive; neither: excluded."""
    therapies = by_subject(rows("second_subsequent_therapy", "ct"))
    out = []
    for s in rows("second_subsequent_therapy", "adsl"):
        sid, rand, last = s["USUBJID"], day(s["RANDDT"]), day(s["TRTEDT"])
        after = sorted(
            (day(t["CMSTDT"]), float(t["CMSEQ"]))
            for t in therapies.get(sid, [])
            if last and day(t["CMSTDT"]) > last
        )
        candidates = []
        if len(after) >= 2:
            candidates.append(
                (
                    after[1][0],
                    0,
                    "Start of second subsequent anticancer therapy",
                    ("CT", "CMSTDT", after[1][1]),
                )
            )
        if s["DTHDT"]:
            candidates.append((day(s["DTHDT"]), 1, "Death", ("ADSL", "DTHDT", None)))
        if candidates:
            date, _, desc, src = min(candidates)
            out.append(tte(sid, "TSST", rand, date, 0, desc, src))
        elif s["LSTALVDT"]:
            out.append(
                tte(sid, "TSST", rand, day(s["LSTALVDT"]), 1, "Last known alive", ("ADSL", "LSTALVDT", None))
            )
    return out


def oracle_pfs2() -> list[dict]:
    """Next line: first therapy strictly after the last dose. PFS2 progression: first
    investigator progression strictly after the next line starts. First of it and death;
    else censored at last known alive."""
    therapies = by_subject(rows("pfs2", "ct"))
    progs = by_subject([r for r in rows("pfs2", "adrs") if r["PARAMCD"] == "PROG" and r["AVALC"] == "Y"])
    out = []
    for s in rows("pfs2", "adsl"):
        sid, rand, last = s["USUBJID"], day(s["RANDDT"]), day(s["TRTEDT"])
        starts = sorted(day(t["CMSTDT"]) for t in therapies.get(sid, []) if last and day(t["CMSTDT"]) > last)
        candidates = []
        if starts:
            later = sorted(
                (day(p["ADT"]), float(p["ASEQ"])) for p in progs.get(sid, []) if day(p["ADT"]) > starts[0]
            )
            if later:
                candidates.append(
                    (later[0][0], 0, "Progression on next line of treatment", ("ADRS", "ADT", later[0][1]))
                )
        if s["DTHDT"]:
            candidates.append((day(s["DTHDT"]), 1, "Death", ("ADSL", "DTHDT", None)))
        if candidates:
            date, _, desc, src = min(candidates)
            out.append(tte(sid, "PFS2", rand, date, 0, desc, src))
        elif s["LSTALVDT"]:
            out.append(
                tte(sid, "PFS2", rand, day(s["LSTALVDT"]), 1, "Last known alive", ("ADSL", "LSTALVDT", None))
            )
    return out


ORDER = ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"]


def oracle_efs() -> list[dict]:
    """EFS events: the first PD, death, or (best response up to the Day 150 assessment is SD)
    the Day 150 assessment: the first assessment on or after randomisation + 149 days.
    Else censored at the last adequate (CR/PR/SD/PD) assessment, or at randomisation."""
    visits = by_subject(rows("efs_day150", "adrs"))
    out = []
    for s in rows("efs_day150", "adsl"):
        sid, rand = s["USUBJID"], day(s["RANDDT"])
        mine = sorted((day(v["ADT"]), float(v["ASEQ"]), v["AVALC"]) for v in visits.get(sid, []))
        day150 = next((v for v in mine if v[0] >= rand + dt.timedelta(days=149)), None)
        candidates = []
        first_pd = next((v for v in mine if v[2] == "PD" and v[0] >= rand), None)
        if first_pd:
            candidates.append(
                (first_pd[0], 0, "Progressive disease or relapse", ("ADRS", "ADT", first_pd[1]))
            )
        if s["DTHDT"]:
            candidates.append((day(s["DTHDT"]), 1, "Death", ("ADSL", "DTHDT", None)))
        if day150 is not None:
            upto = [v for v in mine if rand <= v[0] <= day150[0]]
            if first_pd:  # RECIST: visits after the first PD are not used
                upto = [v for v in upto if v[0] <= first_pd[0]]
            best = min((ORDER.index(v[2]) for v in upto), default=None)
            if best == ORDER.index("SD"):
                candidates.append(
                    (day150[0], 2, "Failure to achieve PR by Day 150", ("ADRS", "ADT", day150[1]))
                )
        if candidates:
            date, _, desc, src = min(candidates)
            out.append(tte(sid, "EFS", rand, date, 0, desc, src))
            continue
        adequate = [v for v in mine if v[2] in ("CR", "PR", "SD", "PD") and v[0] >= rand]
        if adequate:
            last = adequate[-1]
            out.append(
                tte(
                    sid, "EFS", rand, last[0], 1, "Last adequate disease assessment", ("ADRS", "ADT", last[1])
                )
            )
        else:
            out.append(
                tte(sid, "EFS", rand, rand, 2, "No adequate disease assessment", ("ADSL", "RANDDT", None))
            )
    return out


def oracle_teae() -> list[dict]:
    """Safety population (SAFFL = Y); Y when an AE onset is from the first dose through the
    last dose + 30 days (both included), with the first such AE; no last dose: excluded."""
    aes = by_subject(rows("teae_last_dose_30", "adae"))
    out = []
    for s in rows("teae_last_dose_30", "adsl"):
        sid, first, last = s["USUBJID"], day(s["TRTSDT"]), day(s["TRTEDT"])
        if s["SAFFL"] != "Y" or last is None:
            continue
        inside = sorted(
            (day(a["ASTDT"]), float(a["AESEQ"]))
            for a in aes.get(sid, [])
            if a["ASTDT"] and first <= day(a["ASTDT"]) <= last + dt.timedelta(days=30)
        )
        hit = inside[0] if inside else None
        out.append({
            "USUBJID": sid, "PARAMCD": "TEAE", "STARTDT": first, "ADT": hit[0] if hit else None,
            "AVAL": 1.0 if hit else 0.0, "AVALC": "Y" if hit else "N", "CNSR": None, "EVNTDESC": None,
            "SRCDOM": "ADAE" if hit else None, "SRCVAR": "ASTDT" if hit else None, "SRCSEQ": hit[1] if hit else None,
        })  # fmt: skip
    return out


ORACLES = {
    "second_subsequent_therapy": ("TSST", oracle_tsst),
    "pfs2": ("PFS2", oracle_pfs2),
    "efs_day150": ("EFS", oracle_efs),
    "teae_last_dose_30": ("TEAE", oracle_teae),
}


# ---- the engines -----------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("slug", sorted(ORACLES))
def test_engines_give_what_the_sap_says(slug, engine):
    code, oracle = ORACLES[slug]
    assert normal(api_run(slug, engine).adtte, COLUMNS, code) == oracle()


@pytest.mark.parametrize("slug", sorted(ORACLES))
def test_the_command_line_engines_write_what_the_sap_says(slug, tmp_path):
    code, oracle = ORACLES[slug]
    written = []
    for engine in ENGINES:
        out = cli_run(slug, engine, tmp_path)
        written.append((out.read_text(encoding="utf-8"), Path(f"{out}.report.csv").exists()))
        frame = written_frame(out)
        assert normal(frame, COLUMNS, code) == oracle(), engine
    assert written[0] == written[1] == written[2]


# ---- a few records by hand, so that a reader sees the answers ---------------------------------


def record(slug: str, sid: str) -> dict:
    code, _ = ORACLES[slug]
    (rec,) = [r for r in normal(api_run(slug, "sql").adtte, COLUMNS, code) if r["USUBJID"] == sid]
    return rec


def test_tsst_literal_records():
    # lines on 2021-07-01 and 2021-09-01 after the last dose 2021-06-01: the second is the event
    r = record("second_subsequent_therapy", "T01")
    assert (r["ADT"], r["CNSR"], r["SRCDOM"], r["SRCSEQ"]) == (dt.date(2021, 9, 1), 0, "CT", 2.0)
    # a therapy on the day of the last dose is not subsequent: one line only, then death
    assert record("second_subsequent_therapy", "T02")["EVNTDESC"] == "Death"
    # two lines the same day: ordered by CMSEQ, the second (CMSEQ 3) is the event
    assert record("second_subsequent_therapy", "T06")["SRCSEQ"] == 3.0
    # a line before the end of treatment does not count
    assert record("second_subsequent_therapy", "T05")["ADT"] == dt.date(2021, 7, 1)


def test_pfs2_literal_records():
    # next line 2021-05-01; a progression that day ended the first line; the next one is PFS2
    r = record("pfs2", "P02")
    assert (r["ADT"], r["CNSR"], r["SRCSEQ"]) == (dt.date(2021, 11, 1), 0, 3.0)
    # a progression before the next line (started after the last dose) is not PFS2: censored
    r = record("pfs2", "P04")
    assert (r["ADT"], r["CNSR"], r["EVNTDESC"]) == (dt.date(2022, 5, 1), 1, "Last known alive")
    # progression and death on the same day: the progression is written
    assert record("pfs2", "P06")["EVNTDESC"] == "Progression on next line of treatment"


def test_efs_literal_records():
    # SD throughout: an event on the Day 150 assessment (2021-06-02, the first on or after Day 150)
    r = record("efs_day150", "E02")
    assert (r["ADT"], r["AVAL"], r["CNSR"]) == (dt.date(2021, 6, 2), 153.0, 0)
    # an assessment exactly on Day 150 (2021-05-30) is the Day 150 assessment
    assert record("efs_day150", "E04")["ADT"] == dt.date(2021, 5, 30)
    # a PR before Day 150: no failure, censored at the last adequate assessment
    assert (record("efs_day150", "E01")["CNSR"], record("efs_day150", "E01")["ADT"]) == (
        1,
        dt.date(2021, 9, 1),
    )
    # the Day 150 assessment may itself be NE: the best response before it (SD) decides
    assert record("efs_day150", "E09")["EVNTDESC"] == "Failure to achieve PR by Day 150"


def test_teae_literal_records():
    result = api_run("teae_last_dose_30", "sql")
    got = {r["USUBJID"]: r for r in normal(result.adtte, COLUMNS, "TEAE")}
    assert got["A02"]["ADT"] == dt.date(2021, 7, 30)  # last dose 2021-06-30 + 30 days: counted
    assert got["A03"]["AVALC"] == "N"  # 2021-07-31 is the 31st day after the last dose
    assert got["A04"]["SRCSEQ"] == 2.0  # the AE on the first-dose day, not the one the day before
    excluded = dict(zip(result.excluded.USUBJID, result.excluded.MESSAGE, strict=True))
    assert excluded["A06"] == "no window end date: last_dose + 30 days has no usable date"
