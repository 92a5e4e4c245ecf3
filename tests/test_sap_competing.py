"""SAP gallery, competing events and composite endpoints of transplant and AML trials (issue 13):
oracles written from the SAP wording.

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
    "CNSR",
    "EVNTDESC",
    "CNSDTDSC",
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


def tte(sid, code, start, adt, cnsr, desc, src=(None, None, None), cnsdtdsc=None) -> dict:
    return {
        "USUBJID": sid, "PARAMCD": code, "STARTDT": start, "ADT": adt, "AVAL": float((adt - start).days + 1),
        "CNSR": cnsr, "EVNTDESC": desc, "CNSDTDSC": cnsdtdsc, "SRCDOM": src[0], "SRCVAR": src[1], "SRCSEQ": src[2],
    }  # fmt: skip


def first_on_or_after(records: list[tuple[dt.date, float]], start: dt.date) -> tuple[dt.date, float] | None:
    """The earliest (date, sequence) on or after `start`; a same-day tie: the lower sequence."""
    kept = sorted(r for r in records if r[0] >= start)
    return kept[0] if kept else None


# ---- the oracles -----------------------------------------------------------------------------


def oracle_cir_nrm(code: str) -> list[dict]:
    """CIR: relapse (CNSR 0) with death without prior relapse competing (CNSR 2); NRM: death
    without prior relapse (CNSR 0) with relapse competing (CNSR 2). Relapses before the
    infusion do not count; a relapse and a death on one day are a relapse in both; neither:
    censored at last contact (CNSR 1); no infusion date or no last contact: excluded."""
    relapses = by_subject(rows("cart_nrm_cir", "adrs"))
    out = []
    for s in rows("cart_nrm_cir", "adsl"):
        sid, start, death, contact = s["USUBJID"], day(s["INFDT"]), day(s["DTHDT"]), day(s["LSTCNDT"])
        if start is None:
            continue
        rel = first_on_or_after(
            [(day(r["ADT"]), float(r["ASEQ"])) for r in relapses.get(sid, []) if r["PARAMCD"] == "RELPROG"],
            start,
        )
        relapse_src = ("ADRS", "ADT", rel[1]) if rel else None
        death_src = ("ADSL", "DTHDT", None)
        if rel is not None and (death is None or rel[0] <= death):  # relapse first, or the same day
            if code == "CIR":
                out.append(tte(sid, code, start, rel[0], 0, "Relapse or progression", relapse_src))
            else:
                out.append(
                    tte(sid, code, start, rel[0], 2, "Relapse or progression (competing)", relapse_src)
                )
        elif death is not None and death >= start:  # death without prior relapse
            if code == "CIR":
                out.append(tte(sid, code, start, death, 2, "Death without relapse (competing)", death_src))
            else:
                out.append(tte(sid, code, start, death, 0, "Death", death_src))
        elif contact is not None and contact >= start:
            out.append(tte(sid, code, start, contact, 1, "Last contact", ("ADSL", "LSTCNDT", None)))
    return out


def oracle_grfs() -> list[dict]:
    """The first of grade III-IV acute GVHD, chronic GVHD with systemic treatment, relapse,
    death (a same-day tie in that order); else censored at last contact."""
    gvhd = by_subject(rows("grfs", "gvhd"))
    relapses = by_subject(rows("grfs", "adrs"))
    out = []
    for s in rows("grfs", "adsl"):
        sid, start = s["USUBJID"], day(s["TRANSDT"])
        g = gvhd.get(sid, [])
        kinds = [
            ("Grade III-IV acute GVHD", "GVHD", "ONSETDT",
             [(day(r["ONSETDT"]), float(r["GVSEQ"])) for r in g
              if r["GVHDTYPE"] == "ACUTE" and r["GRADE"] and float(r["GRADE"]) >= 3]),
            ("Chronic GVHD requiring systemic immunosuppression", "GVHD", "ONSETDT",
             [(day(r["ONSETDT"]), float(r["GVSEQ"])) for r in g if r["GVHDTYPE"] == "CHRONIC" and r["SYSTX"] == "Y"]),
            ("Relapse", "ADRS", "ADT",
             [(day(r["ADT"]), float(r["ASEQ"])) for r in relapses.get(sid, []) if r["PARAMCD"] == "RELAPSE"]),
            ("Death", "ADSL", "DTHDT", [(day(s["DTHDT"]), None)] if s["DTHDT"] else []),
        ]  # fmt: skip
        found = []
        for position, (desc, dom, var, recs) in enumerate(kinds):
            kept = sorted((d, seq if seq is not None else 0.0) for d, seq in recs if d >= start)
            if kept:
                seq = kept[0][1] if dom != "ADSL" else None
                found.append((kept[0][0], position, desc, (dom, var, seq)))
        if found:
            adt, _, desc, src = min(found)
            out.append(tte(sid, "GRFS", start, adt, 0, desc, src))
        else:
            out.append(
                tte(sid, "GRFS", start, day(s["LSTCNDT"]), 1, "Last contact", ("ADSL", "LSTCNDT", None))
            )
    return out


def oracle_efs_aml() -> list[dict]:
    """Induction failure (no CR/CRi from randomisation through the end of induction; only with an
    end-of-induction date) on the randomisation date, relapse from CR, death: the earliest (a tie
    in that order); else censored at last contact."""
    resp = by_subject(rows("efs_aml", "adrs"))
    out = []
    for s in rows("efs_aml", "adsl"):
        sid, start, ind_end = s["USUBJID"], day(s["RANDDT"]), day(s["INDENDDT"])
        recs = resp.get(sid, [])
        found = []
        if ind_end is not None:
            cr = [r for r in recs if r["PARAMCD"] == "RESP" and r["AVALC"] in ("CR", "CRi")]
            if not any(start <= day(r["ADT"]) <= ind_end for r in cr):
                found.append((start, 0, "Induction treatment failure", (None, None, None)))
        rel = first_on_or_after(
            [(day(r["ADT"]), float(r["ASEQ"])) for r in recs if r["PARAMCD"] == "RELAPSE"], start
        )
        if rel:
            found.append((rel[0], 1, "Relapse from CR", ("ADRS", "ADT", rel[1])))
        if s["DTHDT"] and day(s["DTHDT"]) >= start:
            found.append((day(s["DTHDT"]), 2, "Death", ("ADSL", "DTHDT", None)))
        if found:
            adt, _, desc, src = min(found)
            out.append(tte(sid, "EFS", start, adt, 0, desc, src))
        else:
            out.append(
                tte(sid, "EFS", start, day(s["LSTCNDT"]), 1, "Last contact", ("ADSL", "LSTCNDT", None))
            )
    return out


def oracle_nrm_one_year() -> list[dict]:
    """Death without prior relapse (CNSR 0), relapse competing (CNSR 2; a same-day relapse and
    death is a relapse), within 365 days of transplant; else censored at last contact, or at
    transplant + 365 days when last contact (or the event) is later."""
    relapses = by_subject(rows("nrm_one_year", "adrs"))
    out = []
    for s in rows("nrm_one_year", "adsl"):
        sid, start, death, contact = s["USUBJID"], day(s["TRANSDT"]), day(s["DTHDT"]), day(s["LSTCNDT"])
        end = start + dt.timedelta(days=365)
        rel = first_on_or_after([(day(r["ADT"]), float(r["ASEQ"])) for r in relapses.get(sid, [])], start)
        rel = rel if rel and rel[0] <= end else None
        death = death if death and start <= death <= end else None
        if rel and (death is None or rel[0] <= death):
            out.append(tte(sid, "NRM1Y", start, rel[0], 2, "Relapse (competing)", ("ADRS", "ADT", rel[1])))
        elif death:
            out.append(tte(sid, "NRM1Y", start, death, 0, "Death", ("ADSL", "DTHDT", None)))
        elif contact <= end:
            out.append(tte(sid, "NRM1Y", start, contact, 1, "Last contact", ("ADSL", "LSTCNDT", None)))
        else:
            out.append(tte(sid, "NRM1Y", start, end, 1, "Last contact", cnsdtdsc="Horizon (365 days)"))
    return out


ORACLES = {
    ("cart_nrm_cir", "CIR"): lambda: oracle_cir_nrm("CIR"),
    ("cart_nrm_cir", "NRM"): lambda: oracle_cir_nrm("NRM"),
    ("grfs", "GRFS"): oracle_grfs,
    ("efs_aml", "EFS"): oracle_efs_aml,
    ("nrm_one_year", "NRM1Y"): oracle_nrm_one_year,
}


# ---- the engines -----------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("slug,code", sorted(ORACLES))
def test_engines_give_what_the_sap_says(slug, code, engine):
    assert normal(api_run(slug, engine).adtte, COLUMNS, code) == ORACLES[slug, code]()


@pytest.mark.parametrize("slug", sorted({s for s, _ in ORACLES}))
def test_the_command_line_engines_write_what_the_sap_says(slug, tmp_path):
    written = []
    for engine in ENGINES:
        out = cli_run(slug, engine, tmp_path)
        written.append(out.read_text(encoding="utf-8"))
        frame = written_frame(out)
        for (s, code), oracle in ORACLES.items():
            if s == slug:
                assert normal(frame, COLUMNS, code) == oracle(), engine
    assert written[0] == written[1] == written[2]


# ---- a few records by hand, so that a reader sees the answers ---------------------------------


def record(slug: str, code: str, sid: str) -> dict:
    (rec,) = [r for r in normal(api_run(slug, "sql").adtte, COLUMNS, code) if r["USUBJID"] == sid]
    return rec


def test_cart_same_day_relapse_and_death_is_a_relapse_in_both_endpoints():
    # C01: relapse and death on 2023-04-01: CIR's event, NRM's competing event
    cir, nrm = record("cart_nrm_cir", "CIR", "C01"), record("cart_nrm_cir", "NRM", "C01")
    assert (cir["ADT"], cir["CNSR"], cir["EVNTDESC"]) == (dt.date(2023, 4, 1), 0, "Relapse or progression")
    assert (nrm["ADT"], nrm["CNSR"], nrm["SRCDOM"]) == (dt.date(2023, 4, 1), 2, "ADRS")
    # C03: death without relapse: NRM's event (AVAL 116), CIR's competing event
    assert (record("cart_nrm_cir", "NRM", "C03")["CNSR"], record("cart_nrm_cir", "CIR", "C03")["CNSR"]) == (
        0,
        2,
    )
    # C06: a relapse before the infusion does not count; the later death is non-relapse
    assert record("cart_nrm_cir", "NRM", "C06")["ADT"] == dt.date(2023, 8, 1)
    # C05: neither, censored at last contact in both
    assert record("cart_nrm_cir", "NRM", "C05")["CNSR"] == record("cart_nrm_cir", "CIR", "C05")["CNSR"] == 1
    excluded = api_run("cart_nrm_cir", "sql").excluded
    assert set(excluded.USUBJID) == {"C09"}  # no infusion date


def test_nrm_one_year_competing_event_after_the_horizon_is_censored():
    # N03: relapse on day 401 (2023-02-05): after one year, censored at transplant + 365 days
    r = record("nrm_one_year", "NRM1Y", "N03")
    assert (r["ADT"], r["CNSR"], r["CNSDTDSC"], r["SRCDOM"]) == (
        dt.date(2023, 1, 1),
        1,
        "Horizon (365 days)",
        None,
    )
    # N08: relapse exactly 365 days after: inside, a competing event
    assert (
        record("nrm_one_year", "NRM1Y", "N08")["CNSR"],
        record("nrm_one_year", "NRM1Y", "N08")["AVAL"],
    ) == (2, 366.0)
    # N05: relapse and death on one day: the competing relapse
    assert record("nrm_one_year", "NRM1Y", "N05")["EVNTDESC"] == "Relapse (competing)"


def test_grfs_and_efs_aml_literal_records():
    # G07: grade IV acute GVHD and relapse on one day: the GVHD (listed first) is written
    assert record("grfs", "GRFS", "G07")["EVNTDESC"] == "Grade III-IV acute GVHD"
    # G08: acute GVHD without a grade does not count: censored
    assert record("grfs", "GRFS", "G08")["CNSR"] == 1
    # A02: CR only after the end of induction: induction failure on Day 1 (AVAL 1)
    r = record("efs_aml", "EFS", "A02")
    assert (r["ADT"], r["AVAL"], r["CNSR"]) == (dt.date(2022, 1, 5), 1.0, 0)
    # A06: no end-of-induction date: not judged, censored at last contact
    assert record("efs_aml", "EFS", "A06")["CNSR"] == 1


def test_the_files_are_found():
    assert all((SAP / f"{s}.ept").is_file() for s, _ in ORACLES)
    assert Path(__file__).name == "test_sap_competing.py"
