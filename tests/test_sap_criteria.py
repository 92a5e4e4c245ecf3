"""SAP gallery, response criteria as declarations (issue 13, item 1): oracles from the wording.

Each entry of examples/sap/ quotes its SAP sentence and states the conventions the wording
leaves open. The oracles below restate that text in plain Python over the entry's CSV
files (iRECIST, Lugano 2014, IMWG as the papers state them); none calls endpointdsl. Every
engine, through the API and through `endpointdsl run --engine ...`, must give the oracle's
rows; a few literal rows show the answer for the interesting subjects.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from conftest import EXAMPLES
from sap_support import api_run, cell_number, cell_text, cli_run, day
from sap_support import rows as read_rows

SAP = EXAMPLES / "sap"
ENGINES = ("sql", "compiled", "interpreter")


_text, _num = cell_text, cell_number


def normalised(records: list[dict]) -> list[tuple]:
    """(USUBJID, PARAMCD, STARTDT, ADT, AVAL, AVALC, CNSR, EVNTDESC, CNSDTDSC, SRCDOM, SRCVAR, SRCSEQ)."""
    out = []
    for r in records:
        cnsr = _num(r["CNSR"])
        out.append((
            _text(r["USUBJID"]), _text(r["PARAMCD"]), _text(r["STARTDT"]), _text(r["ADT"]), _num(r["AVAL"]),
            _text(r.get("AVALC")), None if cnsr is None else int(cnsr), _text(r["EVNTDESC"]),
            _text(r["CNSDTDSC"]), _text(r["SRCDOM"]), _text(r["SRCVAR"]), _num(r["SRCSEQ"]),
        ))  # fmt: skip
    return sorted(out, key=repr)


def derived(slug: str, tmp_path: Path) -> dict[str, list[tuple]]:
    """The rows of every engine, through the API (`load`, `run`) and the command line."""
    out = {}
    for engine in ENGINES:
        result = api_run(slug, engine)
        out[f"api {engine}"] = normalised(result.adtte.to_dict("records"))
        target = cli_run(slug, engine, tmp_path)
        with open(target, newline="", encoding="utf-8") as f:
            out[f"run --engine {engine}"] = normalised(list(csv.DictReader(f)))
    return out


def check(slug: str, expected: list[tuple], tmp_path: Path) -> dict[tuple, tuple]:
    for path, records in derived(slug, tmp_path).items():
        assert records == sorted(expected, key=repr), path
    return {(r[0], r[1]): r for r in expected}


def response_row(subject, paramcd, start, visit, avalc, aval):
    """A response row: ADT and source of the deciding visit (none: empty)."""
    if visit is None:
        return (
            subject,
            paramcd,
            start.isoformat(),
            None,
            float(aval),
            avalc,
            None,
            None,
            None,
            None,
            None,
            None,
        )
    return (subject, paramcd, start.isoformat(), visit["date"].isoformat(), float(aval), avalc, None, None,
            None, "ADRS", "ADT", float(visit["seq"]))  # fmt: skip


def visits(
    slug: str, paramcd: str, subject: str, origin: dt.date, order: list[str], ne: str = "NE"
) -> list[dict]:
    """One visit per date from the origin on: the worst response of the date (NE the mildest)."""
    mild = [ne, *[x for x in order if x != ne]]
    by_date: dict[dt.date, dict] = {}
    for r in rows(slug, "adrs"):
        if r["USUBJID"] != subject or r["PARAMCD"] != paramcd or day(r["ADT"]) < origin:
            continue
        v = {"date": day(r["ADT"]), "response": r["AVALC"], "seq": r["ASEQ"]}
        kept = by_date.get(v["date"])
        if kept is None or mild.index(v["response"]) > mild.index(kept["response"]):
            by_date[v["date"]] = v
    return [by_date[d] for d in sorted(by_date)]


def best_of(vs: list[dict], cats: list[str], order: list[str]) -> tuple[dict | None, str]:
    if not vs:
        return None, "MISSING"
    best = min(cats, key=order.index)
    return vs[cats.index(best)], best


def rows(slug: str, table: str) -> list[dict]:
    return read_rows(slug, table, blank_as_none=True)


# ---- 1. irecist_orr ------------------------------------------------------------------------

IRECIST = ["iCR", "iPR", "iSD", "NON-iCR/NON-iUPD", "iUPD", "iCPD", "NE"]


def irecist_categories(vs: list[dict], origin: dt.date) -> list[str]:
    """iRECIST as the header states it: iSD from day 42 on; an iUPD confirmed by the next
    non-iUPD assessment being iCPD 4-8 weeks after the assessment before it counts as iCPD."""
    out = []
    for i, v in enumerate(vs):
        r = v["response"]
        if r in ("iSD", "NON-iCR/NON-iUPD") and (v["date"] - origin).days < 42:
            r = "NE"
        elif r == "iUPD":
            j = i + 1
            while j < len(vs) and vs[j]["response"] == "iUPD":
                j += 1
            if (
                j < len(vs)
                and vs[j]["response"] == "iCPD"
                and 28 <= (vs[j]["date"] - vs[j - 1]["date"]).days <= 56
            ):
                r = "iCPD"
        out.append(r)
    return out


def irecist_oracle() -> list[tuple]:
    out = []
    for s in rows("irecist_orr", "adsl"):
        origin = day(s["TRTSDT"])
        vs = visits("irecist_orr", "OVR", s["USUBJID"], origin, IRECIST)
        stop = next((i for i, v in enumerate(vs) if v["response"] == "iCPD"), None)
        vs = vs if stop is None else vs[: stop + 1]  # nothing after the first iCPD
        cats = irecist_categories(vs, origin)
        visit, bor = best_of(vs, cats, IRECIST)
        out.append(
            response_row(
                s["USUBJID"],
                "IBOR",
                origin,
                visit,
                bor,
                {**{c: i + 1 for i, c in enumerate(IRECIST)}, "MISSING": 8}[bor],
            )
        )
        hit = next((v for v, c in zip(vs, cats, strict=True) if c in ("iCR", "iPR")), None)
        out.append(response_row(s["USUBJID"], "IORR", origin, hit, "Y" if hit else "N", 1 if hit else 0))
    return out


def test_irecist_orr(tmp_path):
    got = check("irecist_orr", irecist_oracle(), tmp_path)
    assert got["I01", "IBOR"][3:6] == (
        "2024-02-12",
        6.0,
        "iCPD",
    )  # iUPD confirmed at the next: iCPD from its date
    assert got["I02", "IBOR"][3:6] == ("2024-03-25", 2.0, "iPR")  # iUPD, then iPR: reset, the iPR counts
    assert got["I02", "IORR"][5] == "Y"
    assert got["I03", "IBOR"][5] == "iCPD"  # iUPD, iUPD, iCPD: confirmed (Table 3, example 7)
    assert got["I05", "IBOR"][5] == "iUPD"  # iCPD 14 weeks later: not 4-8 weeks, not confirmed
    assert got["I07", "IBOR"][3:6] == ("2024-04-15", 3.0, "iSD")  # the iSD between two iUPD
    assert got["I08", "IBOR"][3:6] == (None, 8.0, "MISSING")
    assert got["I09", "IORR"][3] == "2024-02-12"  # the iCR after iCPD is not used


# ---- 2. lugano_cmr_rate --------------------------------------------------------------------

LUGANO_PET = ["CMR", "PMR", "NMR", "PMD", "NE"]


def lugano_oracle() -> list[tuple]:
    out = []
    for s in rows("lugano_cmr_rate", "adsl"):
        origin = day(s["RANDDT"])
        vs = visits("lugano_cmr_rate", "OVRPET", s["USUBJID"], origin, LUGANO_PET)
        stop = next((i for i, v in enumerate(vs) if v["response"] == "PMD"), None)
        vs = vs if stop is None else vs[: stop + 1]
        cats = [
            "NE" if v["response"] == "NMR" and (v["date"] - origin).days < 42 else v["response"] for v in vs
        ]
        visit, bor = best_of(vs, cats, LUGANO_PET)
        codes = {**{c: i + 1 for i, c in enumerate(LUGANO_PET)}, "MISSING": 6}
        out.append(response_row(s["USUBJID"], "LBOR", origin, visit, bor, codes[bor]))
        cmr = next((v for v, c in zip(vs, cats, strict=True) if c == "CMR"), None)
        out.append(response_row(s["USUBJID"], "CMRR", origin, cmr, "Y" if cmr else "N", 1 if cmr else 0))
    return out


def test_lugano_cmr_rate(tmp_path):
    got = check("lugano_cmr_rate", lugano_oracle(), tmp_path)
    assert got["L01", "CMRR"][3:6] == ("2024-04-22", 1.0, "Y")
    assert got["L03", "LBOR"][5] == "PMD"  # the CMR after PMD is not used; the early NMR is NE
    assert got["L05", "CMRR"][5] == "N"  # CMR and PMR on one date: the worse, PMR
    assert got["L06", "LBOR"][5] == "NE"  # NMR before 6 weeks
    assert got["L08", "CMRR"][5] == "N"  # a CMR before randomisation does not count


# ---- 3. imwg_vgpr_rate ---------------------------------------------------------------------

IMWG = ["sCR", "CR", "VGPR", "PR", "MR", "SD", "PD", "NE"]


def imwg_oracle() -> list[tuple]:
    """>= VGPR confirmed by two consecutive assessments: this one and the next are both VGPR or
    better (CR then VGPR is a confirmed VGPR), dated at the first of the pair."""
    out = []
    for s in rows("imwg_vgpr_rate", "adsl"):
        origin = day(s["TRTSDT"])
        vs = visits("imwg_vgpr_rate", "OVRIMWG", s["USUBJID"], origin, IMWG)
        stop = next((i for i, v in enumerate(vs) if v["response"] == "PD"), None)
        vs = vs if stop is None else vs[: stop + 1]
        hit = None
        for i, v in enumerate(vs[:-1]):
            r, nxt = v["response"], vs[i + 1]["response"]
            if r in ("sCR", "CR", "VGPR") and nxt in ("sCR", "CR", "VGPR"):
                hit = v
                break
        out.append(response_row(s["USUBJID"], "VGPRR", origin, hit, "Y" if hit else "N", 1 if hit else 0))
    return out


def test_imwg_vgpr_rate(tmp_path):
    got = check("imwg_vgpr_rate", imwg_oracle(), tmp_path)
    assert got["M01", "VGPRR"][3:6] == ("2024-02-26", 1.0, "Y")  # VGPR, VGPR: the first of the pair
    assert got["M02", "VGPRR"][5] == "N"  # VGPR then PR: a confirmed PR, not >= VGPR
    assert got["M03", "VGPRR"][3] == "2024-01-29"  # VGPR confirmed by a CR
    assert got["M04", "VGPRR"][5] == "N"  # an NE between breaks the pair
    assert got["M05", "VGPRR"][3] == "2024-01-29"  # CR, VGPR, VGPR: a confirmed VGPR from the CR
    assert got["M09", "VGPRR"][3:6] == ("2024-01-29", 1.0, "Y")  # CR then VGPR: a confirmed VGPR
    assert got["M10", "VGPRR"][5] == "N"  # VGPR, PR, PR: a confirmed PR
    assert got["M06", "VGPRR"][5] == "N"  # the VGPR after PD is not used


# ---- 4. docr -------------------------------------------------------------------------------


def docr_oracle() -> list[tuple]:
    out = []
    lugano_ct = ["CR", "PR", "SD", "PD", "NE"]
    for s in rows("docr", "adsl"):
        sid, origin, death = s["USUBJID"], day(s["RANDDT"]), day(s["DTHDT"])
        vs = visits("docr", "OVRCT", sid, origin, lugano_ct)
        stop = next((i for i, v in enumerate(vs) if v["response"] == "PD"), None)
        vs = vs if stop is None else vs[: stop + 1]
        first_cr = next((v for v in vs if v["response"] == "CR"), None)
        out.append(response_row(sid, "CRF", origin, first_cr, "Y" if first_cr else "N", 1 if first_cr else 0))
        if first_cr is None:
            continue  # not in the population (reported)
        start = first_cr["date"]
        pd = next((v for v in vs if v["response"] == "PD"), None)
        events = [(pd["date"], 0, "DISEASE PROGRESSION", "ADRS", "ADT", pd["seq"])] if pd else []
        events += [(death, 1, "DEATH", "ADSL", "DTHDT", None)] if death else []
        if events:
            adt, _, desc, dom, var, seq = min(events)  # a tie: progression, listed first
            out.append((sid, "DOCR", start.isoformat(), adt.isoformat(), float((adt - start).days + 1), None, 0,
                        desc, None, dom, var, None if seq is None else float(seq)))  # fmt: skip
            continue
        adequate = [v for v in vs if v["response"] in ("CR", "PR", "SD") and v["date"] >= start]
        last = adequate[-1]
        out.append((sid, "DOCR", start.isoformat(), last["date"].isoformat(), float((last["date"] - start).days + 1),
                    None, 1, "Adequate assessment", "LAST ADEQUATE ASSESSMENT", "ADRS", "ADT", float(last["seq"])))  # fmt: skip
    return out


def test_docr(tmp_path):
    got = check("docr", docr_oracle(), tmp_path)
    assert got["D01", "DOCR"][2:8] == ("2024-04-22", "2024-08-12", 113.0, None, 0, "DISEASE PROGRESSION")
    assert got["D02", "DOCR"][3:7] == ("2024-04-22", 57.0, None, 1)  # the NE last is not adequate
    assert got["D03", "DOCR"][3:8] == ("2024-04-10", 45.0, None, 0, "DEATH")
    assert ("D04", "DOCR") not in got  # never a CR: not in the population
    assert got["D06", "DOCR"][7] == "DISEASE PROGRESSION"  # PD and death on one date
