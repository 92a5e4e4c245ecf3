"""SAP gallery (issue 12): TTNT with partial dates, OS and PFS with the FDA conventions.

Each entry is examples/sap/<slug>.ept with its data in examples/sap/data/<slug>/. The
expected records are computed here from the SAP wording quoted in the .ept header, in
plain Python (csv and datetime, nothing from endpointdsl), and compared with what the
three engines derive: through the API (`endpointdsl.load`, `compile_file`) and through
`endpointdsl run --engine sql|compiled|interpreter`. A few hand-checked literal records
show the answers for the interesting subjects.
"""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import pandas as pd
from conftest import EXAMPLES
from sap_support import day
from sap_support import rows as read_rows

import endpointdsl
from endpointdsl.cli import main
from endpointdsl.data.read import read_tables

SAP = EXAMPLES / "sap"
ENGINES = ("sql", "compiled", "interpreter")
FIELDS = ("STARTDT", "ADT", "ADTF", "AVAL", "CNSR", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "SRCSEQ")


def rows(slug: str, table: str) -> list[dict]:
    return read_rows(slug, table, blank_as_none=True)


# ---- reading the hand-made data, and the engines' records --------------------------------


def record(startdt, adt, adtf, cnsr, evntdesc, cnsdtdsc, srcdom, srcvar, srcseq) -> dict:
    """One expected record; AVAL in days with the origin as day 1 (ADaM)."""
    return {
        "STARTDT": startdt, "ADT": adt, "ADTF": adtf, "AVAL": float((adt - startdt).days + 1), "CNSR": cnsr,
        "EVNTDESC": evntdesc, "CNSDTDSC": cnsdtdsc, "SRCDOM": srcdom, "SRCVAR": srcvar,
        "SRCSEQ": None if srcseq is None else float(srcseq),
    }  # fmt: skip


def _value(field: str, v):
    if v is None or v == "" or (not isinstance(v, str) and pd.isna(v)):
        return None  # the CLI's CSV writes a missing value as an empty cell
    if field in ("STARTDT", "ADT"):
        return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])
    if field in ("AVAL", "SRCSEQ"):
        return float(v)
    if field == "CNSR":
        return int(v)
    return str(v)


def records(frame: pd.DataFrame, paramcd: str) -> dict[str, dict]:
    """{USUBJID: {field: value}} of one PARAMCD, values as the oracle writes them."""
    out = {}
    for row in frame.to_dict("records"):
        if row["PARAMCD"] == paramcd:
            out[str(row["USUBJID"])] = {f: _value(f, row[f]) for f in FIELDS}
    return out


def derived(slug: str, tmp_path: Path) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """(ADTTE, report) of every way to run the file: the API per engine and the CLI per engine."""
    path = SAP / f"{slug}.ept"
    compiled = endpointdsl.load(path)
    tables = read_tables(SAP / "data" / slug, [t.name for t in compiled.model.tables])
    out = {}
    for engine in ENGINES:
        result = compiled.run(tables, engine=engine)
        out[f"load/{engine}"] = (result.adtte, result.report)
    result = endpointdsl.compile_file(path).run(tables, engine="sql")
    out["compile_file/sql"] = (result.adtte, result.report)
    for engine in ENGINES:
        target = tmp_path / f"{slug}-{engine}.csv"
        assert main(["run", str(path), "--data", str(SAP / "data" / slug), "--out", str(target),
                     "--engine", engine]) == 0  # fmt: skip
        report = pd.read_csv(tmp_path / f"{slug}-{engine}.report.csv", dtype=str, keep_default_na=False)
        out[f"cli/{engine}"] = (pd.read_csv(target, dtype=str, keep_default_na=False), report)
    return out


def findings(report: pd.DataFrame, paramcd: str) -> set[str]:
    return {str(r["USUBJID"]) for r in report.to_dict("records") if r["PARAMCD"] == paramcd}


def check(slug: str, paramcd: str, expected: dict, noted: set, tmp_path: Path) -> None:
    for how, (adtte, report) in derived(slug, tmp_path).items():
        got = records(adtte, paramcd)
        assert sorted(got) == sorted(expected), how
        for subject, want in expected.items():
            assert got[subject] == want, (how, subject)
        assert findings(report, paramcd) == noted, how


# ---- 1. ttnt_partial_dates ----------------------------------------------------------------


def ttnt_oracle() -> tuple[dict, set]:
    """The SAP: from randomisation to the start of the next anticancer therapy or death,
    whichever first; partial start dates imputed to the 1st of the month, not earlier than
    the day after the last dose; a missing month not imputed; else censored at last known
    alive (conventions in the .ept header: no such date, randomisation, CNSR 2)."""
    therapies: dict[str, list] = {}
    noted = set()
    for cm in rows("ttnt_partial_dates", "adcm"):
        if cm["CMCAT"] != "NEXT LINE":
            continue
        therapies.setdefault(cm["USUBJID"], []).append(cm)
    expected = {}
    for s in rows("ttnt_partial_dates", "adsl"):
        subject, rand = s["USUBJID"], day(s["RANDDT"])
        last_dose, death, alive = day(s["TRTEDT"]), day(s["DTHDT"]), day(s["LSTALVDT"])
        candidates = []  # (date, listed order, sequence, flag, source)
        for cm in therapies.get(subject, []):
            text = cm["CMSTDTC"]
            if len(text) == 10:
                start, flag = dt.date.fromisoformat(text), None
            elif len(text) == 7:  # the first day of the month ...
                year, month = int(text[:4]), int(text[5:7])
                start, flag = dt.date(year, month, 1), "D"
                # ... but not earlier than the day after the last dose, when that day is in the month
                if last_dose is not None:
                    floor = last_dose + dt.timedelta(days=1)
                    if (floor.year, floor.month) == (year, month) and start < floor:
                        start = floor
            else:  # a missing month: not imputed, no date, reported
                noted.add(subject)
                continue
            if start < rand:  # before randomisation: not an event, reported
                noted.add(subject)
                continue
            candidates.append((start, 0, float(cm["CMSEQ"]), flag, ("ADCM", "CMSTDTC")))
        if death is not None:
            candidates.append((death, 1, -1.0, None, ("ADSL", "DTHDT")))
        if candidates:
            date, order, seq, flag, (dom, var) = min(candidates)
            desc = "Start of next anticancer therapy" if order == 0 else "Death"
            expected[subject] = record(rand, date, flag, 0, desc, None, dom, var, seq if order == 0 else None)
        elif alive is not None:
            expected[subject] = record(rand, alive, None, 1, "Last known alive", "Last known alive",
                                       "ADSL", "LSTALVDT", None)  # fmt: skip
        else:
            expected[subject] = record(rand, rand, None, 2, "No follow-up after randomization", "Randomization",
                                       "ADSL", "RANDDT", None)  # fmt: skip
    return expected, noted


def test_ttnt_partial_dates_oracle(tmp_path):
    expected, noted = ttnt_oracle()
    check("ttnt_partial_dates", "TTNT", expected, noted, tmp_path)


def test_ttnt_partial_dates_hand_checked():
    expected, noted = ttnt_oracle()
    pick = {s: (r["ADT"].isoformat(), r["ADTF"], r["CNSR"]) for s, r in expected.items()}
    assert pick["T02"] == ("2023-07-01", "D", 0)  # 2023-07: the 1st; last dose + 1 is in May
    assert pick["T03"] == ("2023-05-11", "D", 0)  # 2023-05: not before last dose 05-10 + 1 day
    assert pick["T04"] == ("2023-11-20", None, 1)  # 2023 (no month): no event, censored at last alive
    assert pick["T08"] == ("2023-09-20", None, 0)  # the year-only therapy is skipped, the next counts
    assert pick["T09"] == ("2023-04-01", "D", 0)  # last dose 04-30 + 1 day is in May: April keeps the 1st
    assert pick["T10"] == ("2023-08-01", "D", 0)  # imputed 08-01 is before the death on 08-03
    assert pick["T11"] == ("2023-01-10", None, 2)  # no date last known alive
    assert noted == {"T04", "T08", "T12"}


# ---- 2. os_fda ------------------------------------------------------------------------------

CUTOFF = dt.date(2024, 6, 30)


def os_oracle() -> dict:
    """The SAP: from randomisation to death from any cause; not known to have died:
    censored at the last date known alive, or at the cut-off if that is earlier; deaths
    after the cut-off not counted. Partial death dates (the .ept header): the first
    possible day, but not before the day after the last date known alive when possible."""
    expected = {}
    for s in rows("os_fda", "adsl"):
        subject, rand, alive, text = s["USUBJID"], day(s["RANDDT"]), day(s["LSTALVDT"]), s["DTHDTC"]
        death, flag = None, None
        if text is not None and len(text) == 10:
            death = dt.date.fromisoformat(text)
        elif text is not None:  # "2024-04" or "2024": the first possible day ...
            year = int(text[:4])
            month = int(text[5:7]) if len(text) == 7 else None
            low = dt.date(year, month or 1, 1)
            high = dt.date(year, month or 12, calendar.monthrange(year, month or 12)[1])
            death, flag = low, ("D" if month else "M")
            if alive is not None and low <= alive + dt.timedelta(days=1) <= high:  # ... not before alive + 1
                death = max(death, alive + dt.timedelta(days=1))
        if death is not None and rand <= death <= CUTOFF:
            expected[subject] = record(rand, death, flag, 0, "Death", None, "ADSL", "DTHDTC", None)
        elif alive is not None and alive > CUTOFF:  # known alive after the cut-off
            expected[subject] = record(rand, CUTOFF, None, 1, "Alive at data cut-off", "Data cut-off",
                                       None, None, None)  # fmt: skip
        elif alive is not None:
            expected[subject] = record(rand, alive, None, 1, "Last known alive", "Last known alive",
                                       "ADSL", "LSTALVDT", None)  # fmt: skip
        else:
            expected[subject] = record(rand, rand, None, 2, "No follow-up after randomization", "Randomization",
                                       "ADSL", "RANDDT", None)  # fmt: skip
    return expected


def test_os_fda_oracle(tmp_path):
    check("os_fda", "OS", os_oracle(), set(), tmp_path)


def test_os_fda_hand_checked():
    pick = {s: (r["ADT"].isoformat(), r["ADTF"], r["CNSR"], r["AVAL"]) for s, r in os_oracle().items()}
    assert pick["O03"] == ("2024-06-30", None, 1, 273.0)  # alive on 2024-08-15: censored at the cut-off
    assert pick["O04"] == ("2024-06-30", None, 1, 259.0)  # died 2024-07-10, after the cut-off: not counted
    assert pick["O05"] == ("2024-04-13", "D", 0, 160.0)  # 2024-04, alive on 04-12: the day after
    assert pick["O06"] == ("2024-02-01", "D", 0, 74.0)  # 2024-02, alive on 01-20: the 1st
    assert pick["O07"] == ("2024-04-01", "M", 0, 120.0)  # 2024, alive on 03-31: the day after
    assert pick["O09"] == ("2024-06-20", None, 1, 165.0)  # 2024-07 is after the cut-off: last alive
    assert pick["O10"] == ("2024-06-30", None, 0, 161.0)  # a death on the cut-off day counts


# ---- 3. pfs_fda_table ---------------------------------------------------------------------

PFS_CUTOFF = dt.date(2024, 10, 1)
ADEQUATE = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD")


def missed_visits_threshold(last: dt.date, rand: dt.date) -> int:
    """B9: two missed visits of the schedule in force after the last adequate assessment
    (every 8 weeks up to week 48, then every 12), plus the 7-day window."""
    interval = 56 if (last - rand).days < 48 * 7 else 84
    return 2 * interval + 7


def pfs_oracle() -> dict:
    """The FDA table, row by row, with the conventions of the .ept header."""
    scans: dict[str, list] = {}
    for r in rows("pfs_fda_table", "adrs"):
        if r["PARAMCD"] == "OVR":
            scans.setdefault(r["USUBJID"], []).append(
                (day(r["ADT"]), float(r["ASEQ"]), r["AVALC"], r["ABLFL"])
            )
    expected = {}
    for s in rows("pfs_fda_table", "adsl"):
        subject, rand, death, nact = s["USUBJID"], day(s["RANDDT"]), day(s["DTHDT"]), day(s["NACTDT"])
        # observation: up to the cut-off, or up to the day before a new anticancer therapy
        end, stopped = PFS_CUTOFF, False
        if nact is not None and max(nact - dt.timedelta(days=1), rand) < end:
            end, stopped = max(nact - dt.timedelta(days=1), rand), True
        mine = sorted(scans.get(subject, []))
        baseline = [x for x in mine if x[3] == "Y" and x[0] <= end]
        adequate = [x for x in mine if x[3] is None and x[2] in ADEQUATE and rand <= x[0] <= end]
        progressions = [x for x in adequate if x[2] == "PD"]

        def at_scan(x, cnsr, evntdesc, cnsdtdsc, rand=rand):
            return record(rand, x[0], None, cnsr, evntdesc, cnsdtdsc, "ADRS", "ADT", x[1])

        # B3 / B7 / B8: the first progression or death (a progression first on the same day)
        events = [(x[0], 0, x) for x in progressions[:1]]
        if death is not None and rand <= death <= end:
            events.append((death, 1, None))
        if events:
            date, _, scan = min(events, key=lambda e: (e[0], e[1]))
            before = [x for x in adequate if x[0] < date]
            last = before[-1][0] if before else rand
            if (date - last).days > missed_visits_threshold(last, rand) and before:  # B9
                expected[subject] = at_scan(
                    before[-1], 5, "Event after two or more missed assessments", "Last adequate assessment"
                )
            elif (date - last).days > missed_visits_threshold(last, rand):  # B9, no assessment: randomisation
                why = ("Event after two or more missed assessments", "Last adequate assessment")
                expected[subject] = record(rand, rand, None, 5, *why, "ADSL", "RANDDT", None)
            elif scan is not None:
                expected[subject] = at_scan(scan, 0, "Disease progression", None)
            else:
                expected[subject] = record(rand, date, None, 0, "Death", None, "ADSL", "DTHDT", None)
            continue
        discontinued = (
            s["DCTDT"] is not None and s["DCTREAS"] != "PROGRESSIVE DISEASE" and day(s["DCTDT"]) <= end
        )
        last = adequate[-1] if adequate else None
        if not baseline:  # B1
            expected[subject] = record(rand, rand, None, 2, "No baseline tumour assessment", "Randomization",
                                       "ADSL", "RANDDT", None)  # fmt: skip
        elif stopped and last:  # B6
            expected[subject] = at_scan(
                last, 4, "New anticancer therapy before progression", "Last adequate assessment"
            )
        elif discontinued and last:  # B5
            expected[subject] = at_scan(
                last, 6, "Treatment discontinued without progression", "Last adequate assessment"
            )
        elif last:  # B4 (also: discontinued for undocumented progression)
            expected[subject] = at_scan(
                last, 1, "Last adequate tumour assessment", "Last adequate assessment"
            )
        else:  # B2
            expected[subject] = record(rand, rand, None, 3, "No adequate post-baseline assessment", "Randomization",
                                       "ADSL", "RANDDT", None)  # fmt: skip
    return expected


def test_pfs_fda_table_oracle(tmp_path):
    check("pfs_fda_table", "PFS", pfs_oracle(), set(), tmp_path)


def test_pfs_fda_table_hand_checked():
    pick = {s: (r["ADT"].isoformat(), r["CNSR"], r["AVAL"]) for s, r in pfs_oracle().items()}
    # the worked examples of the FDA table (as tests/test_fda_pfs.py holds them for examples/fda_pfs.ept)
    assert pick["B1"] == ("2024-01-15", 2, 1.0)
    assert pick["B2"] == ("2024-01-15", 3, 1.0)
    assert pick["B3A"] == ("2024-04-20", 0, 97.0)
    assert pick["B4"] == ("2024-08-26", 1, 225.0)
    assert pick["B5"] == ("2024-03-11", 6, 57.0)
    assert pick["B6"] == ("2024-05-06", 4, 113.0)
    assert pick["B7"] == ("2024-02-20", 0, 37.0)
    assert pick["B8"] == ("2024-04-02", 0, 79.0)
    assert pick["B9"] == ("2024-03-11", 5, 57.0)
    # the edges this gallery adds
    assert pick["B4U"] == ("2024-05-06", 1, 113.0)  # discontinued for undocumented progression
    assert pick["B4C"] == ("2024-08-26", 1, 225.0)  # progression 2024-10-15, after the cut-off
    assert pick["B6S"] == ("2024-03-11", 4, 57.0)  # progression on the day the new therapy starts
    assert pick["B7N"] == ("2024-03-01", 0, 47.0)  # no baseline, but a death: an event
    assert pick["B9E"] == ("2024-07-08", 0, 176.0)  # death 119 days after the last scan: not B9
