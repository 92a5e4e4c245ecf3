"""SAP gallery, ADaM-complete output (issue 13, part 4): rfs, dfs, dor.

Each expected record is computed here from the SAP wording quoted in the .ept header (and
the conventions stated there) in plain Python from the CSV files, never by the compiler;
then the file runs through all three engines (the API and `endpointdsl run --engine`) and
every record must match, carried columns (`keep`) and PARAMN included.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import EXAMPLES
from sap_support import day, rows

import endpointdsl
from endpointdsl.cli import main
from endpointdsl.data.read import read_tables

SAP = EXAMPLES / "sap"
ENGINES = ("compiled", "interpreter", "sql")
FIELDS = [
    "STUDYID",
    "USUBJID",
    "PARAMN",
    "STARTDT",
    "ADT",
    "AVAL",
    "CNSR",
    "EVNTDESC",
    "SRCDOM",
    "SRCVAR",
    "SRCSEQ",
]


def record(s: dict, paramn: int, start, adt, cnsr, desc, dom, var, seq, carried: dict) -> dict:
    return {
        "STUDYID": s["STUDYID"], "USUBJID": s["USUBJID"], "PARAMN": paramn, "STARTDT": start, "ADT": adt,
        "AVAL": float((adt - start).days + 1), "CNSR": cnsr, "EVNTDESC": desc, "SRCDOM": dom, "SRCVAR": var,
        "SRCSEQ": seq, **carried,
    }  # fmt: skip


def first_event(candidates: list[tuple]) -> tuple | None:
    """The earliest (date, rank, ...) candidate: on one date the event listed first."""
    return min(candidates, key=lambda c: (c[0], c[1])) if candidates else None


# ---- rfs: "time from the date of first documented CR to relapse or death from any cause,
# censored at the last disease assessment", among subjects in CR --------------------------


def expected_rfs() -> dict[str, dict]:
    out = {}
    for s in rows("rfs", "adsl"):
        mine = [r for r in rows("rfs", "adrs") if r["USUBJID"] == s["USUBJID"]]
        crs = [day(r["ADT"]) for r in mine if r["AVALC"] == "CR"]
        if not crs:
            continue  # not in remission: excluded
        start = min(crs)
        carried = {"TRTP": s["TRT01P"], "AGE": s["AGE"], "SEX": s["SEX"]}
        events = [(day(r["ADT"]), 0, "Relapse", "ADRS", "ADT", float(r["ASEQ"])) for r in mine
                  if r["AVALC"] == "RELAPSE" and day(r["ADT"]) >= start]  # fmt: skip
        if s["DTHDT"] and day(s["DTHDT"]) >= start:
            events.append((day(s["DTHDT"]), 1, "Death", "ADSL", "DTHDT", None))
        event = first_event(events)
        if event:
            out[s["USUBJID"]] = record(s, 1, start, event[0], 0, *event[2:], carried)
            continue
        last = max((r for r in mine if day(r["ADT"]) >= start), key=lambda r: (day(r["ADT"]), int(r["ASEQ"])))
        out[s["USUBJID"]] = record(
            s,
            1,
            start,
            day(last["ADT"]),
            1,
            "Last disease assessment",
            "ADRS",
            "ADT",
            float(last["ASEQ"]),
            carried,
        )
    return out


# ---- dfs: "time from surgery (complete resection) to recurrence, a new primary cancer or
# death from any cause; censored at the last tumour assessment showing no disease" --------


def expected_dfs() -> dict[str, dict]:
    out = {}
    for s in rows("dfs", "adsl"):
        if s["RESECT"] != "R0" or not s["SURGDT"]:
            continue
        start = day(s["SURGDT"])
        mine = [r for r in rows("dfs", "adrs") if r["USUBJID"] == s["USUBJID"] and day(r["ADT"]) >= start]
        carried = {"TRTP": s["ARM"], "AGE": s["AGE"], "SEX": s["SEX"]}
        events = [(day(r["ADT"]), 0, "Disease recurrence", "ADRS", "ADT", float(r["ASEQ"])) for r in mine
                  if r["PARAMCD"] == "TUMASS" and r["AVALC"] == "RECURRENCE"]  # fmt: skip
        events += [(day(r["ADT"]), 1, "New primary cancer", "ADRS", "ADT", float(r["ASEQ"])) for r in mine
                   if r["PARAMCD"] == "NEWPRIM"]  # fmt: skip
        if s["DTHDT"] and day(s["DTHDT"]) >= start:
            events.append((day(s["DTHDT"]), 2, "Death", "ADSL", "DTHDT", None))
        event = first_event(events)
        ned = [r for r in mine if r["PARAMCD"] == "TUMASS" and r["AVALC"] == "NED"]
        if event:
            out[s["USUBJID"]] = record(s, 1, start, event[0], 0, *event[2:], carried)
        elif ned:
            last = max(ned, key=lambda r: (day(r["ADT"]), int(r["ASEQ"])))
            out[s["USUBJID"]] = record(
                s, 1, start, day(last["ADT"]), 1, "No evidence of disease", "ADRS", "ADT", float(last["ASEQ"]),
                carried,
            )  # fmt: skip
        else:
            out[s["USUBJID"]] = record(
                s, 1, start, start, 2, "No assessment showing no disease", "ADSL", "SURGDT", None, carried
            )
    return out


# ---- dor: "among responders (confirmed CR or PR), time from the first documented response
# to progression or death; a new anticancer therapy before progression: censored at the
# last adequate assessment before it" ------------------------------------------------------


def first_confirmed_response(assessments: list[tuple[dt.date, str]]) -> dt.date | None:
    """The first CR or PR confirmed by a CR or PR (a CR by a CR) at least 28 days later, with
    at most one NE and no SD or PD between; assessments up to the first PD."""
    upto = []
    for date, response in sorted(assessments):
        upto.append((date, response))
        if response == "PD":
            break
    for i, (date, response) in enumerate(upto):
        if response not in ("CR", "PR"):
            continue
        ne = 0
        for later, other in upto[i + 1 :]:
            if (later - date).days >= 28 and (other == "CR" if response == "CR" else other in ("CR", "PR")):
                return date
            if other in ("SD", "PD"):
                break
            ne += other == "NE"
            if ne > 1:
                break
    return None


def expected_dor() -> dict[str, dict]:
    out = {}
    for s in rows("dor", "adsl"):
        first_dose = day(s["TRTSDT"])
        mine = [r for r in rows("dor", "adrs") if r["USUBJID"] == s["USUBJID"] and r["PARAMCD"] == "OVR"]
        start = first_confirmed_response(
            [(day(r["ADT"]), r["AVALC"]) for r in mine if day(r["ADT"]) >= first_dose]
        )
        if start is None:
            continue  # not a responder: excluded from DOR
        carried = {"TRTP": s["TRT01P"], "AGE": s["AGE"]}
        new_therapy = day(s["NACTDT"])
        end = max(new_therapy - dt.timedelta(days=1), start) if new_therapy and new_therapy >= start else None
        seen = [r for r in mine if day(r["ADT"]) >= start and (end is None or day(r["ADT"]) <= end)]
        events = [(day(r["ADT"]), 0, "Progressive disease", "ADRS", "ADT", float(r["ASEQ"])) for r in seen
                  if r["AVALC"] == "PD"]  # fmt: skip
        death = day(s["DTHDT"])
        if death and death >= start and (end is None or death <= end):
            events.append((death, 1, "Death", "ADSL", "DTHDT", None))
        event = first_event(events)
        if event:
            out[s["USUBJID"]] = record(s, 2, start, event[0], 0, *event[2:], carried)
            continue
        last = max((r for r in seen if r["AVALC"] != "NE"), key=lambda r: (day(r["ADT"]), int(r["ASEQ"])))
        cnsr, desc = (
            (2, "New anticancer therapy before progression") if end else (1, "Last adequate assessment")
        )
        out[s["USUBJID"]] = record(
            s, 2, start, day(last["ADT"]), cnsr, desc, "ADRS", "ADT", float(last["ASEQ"]), carried
        )
    return out


EXPECTED = {"rfs": expected_rfs, "dfs": expected_dfs, "dor": expected_dor}
PARAMCD = {"rfs": "RFS", "dfs": "DFS", "dor": "DOR"}
CARRIED = {"rfs": ["TRTP", "AGE", "SEX"], "dfs": ["TRTP", "AGE", "SEX"], "dor": ["TRTP", "AGE"]}


def derived(frame: pd.DataFrame, slug: str) -> dict[str, dict]:
    """An engine's records of the slug's endpoint, as plain values."""
    frame = frame[frame.PARAMCD == PARAMCD[slug]]
    out = {}
    for r in frame.to_dict("records"):
        values = {c: r[c] for c in [*FIELDS, *CARRIED[slug]]}
        values["SRCSEQ"] = None if pd.isna(values["SRCSEQ"]) else float(values["SRCSEQ"])
        values["CNSR"], values["PARAMN"] = int(values["CNSR"]), int(values["PARAMN"])
        out[r["USUBJID"]] = values
    return out


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_engines_derive_what_the_wording_says(slug, engine):
    compiled = endpointdsl.load(SAP / f"{slug}.ept")
    tables = read_tables(SAP / "data" / slug, [t.name for t in compiled.model.tables], arrow=engine == "sql")
    result = compiled.run(tables, engine=engine)
    want = EXPECTED[slug]()
    assert derived(result.adtte, slug) == want
    adsl = {s["USUBJID"] for s in rows(slug, "adsl")}
    excluded = set(result.excluded[result.excluded.PARAMCD == PARAMCD[slug]].USUBJID)
    assert excluded == adsl - set(want)  # every subject: a record or a reason
    columns = list(result.adtte.columns)
    assert columns[: 2 + len(CARRIED[slug])] == ["STUDYID", "USUBJID", *CARRIED[slug]]
    assert columns[columns.index("PARAMCD") : columns.index("PARAMCD") + 3] == ["PARAMCD", "PARAM", "PARAMN"]


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_run_command_agrees_on_every_engine(slug, tmp_path):
    written = []
    for engine in ENGINES:
        out = tmp_path / f"{engine}.csv"
        assert main(["run", str(SAP / f"{slug}.ept"), "--data", str(SAP / "data" / slug), "--out", str(out),
                     "--engine", engine]) == 0  # fmt: skip
        written.append(out.read_text(encoding="utf-8"))
    assert written[0] == written[1] == written[2]
    want = EXPECTED[slug]()
    got = pd.read_csv(tmp_path / "sql.csv", dtype=str, keep_default_na=False)
    got = got[got.PARAMCD == PARAMCD[slug]]
    assert list(got.USUBJID) == sorted(want)
    assert list(got.ADT) == [want[k]["ADT"].isoformat() for k in sorted(want)]


def test_hand_checked_records():
    rfs, dfs, dor = expected_rfs(), expected_dfs(), expected_dor()
    # rfs: relapse and death on 2023-06-01: the relapse; the CR alone: censored on day 1
    assert (rfs["RFS-06"]["ADT"], rfs["RFS-06"]["EVNTDESC"]) == (dt.date(2023, 6, 1), "Relapse")
    assert (rfs["RFS-05"]["AVAL"], rfs["RFS-05"]["CNSR"]) == (1.0, 1)
    assert (rfs["RFS-07"]["ADT"], rfs["RFS-07"]["CNSR"]) == (
        dt.date(2023, 12, 1),
        0,
    )  # death after the last visit
    assert "RFS-04" not in rfs
    # dfs: a pre-operative NED does not count: censored on the day of surgery, CNSR 2
    assert (dfs["DFS-08"]["ADT"], dfs["DFS-08"]["CNSR"]) == (dt.date(2022, 4, 1), 2)
    assert (dfs["DFS-02"]["EVNTDESC"], dfs["DFS-02"]["AVAL"]) == ("New primary cancer", 140.0)
    assert (dfs["DFS-04"]["ADT"], dfs["DFS-04"]["CNSR"]) == (dt.date(2022, 10, 20), 1)
    # dor: new therapy on the day of an assessment: that one does not count (CNSR 2 on day 1);
    # progression after a new therapy is not an event
    assert (dor["DOR-07"]["ADT"], dor["DOR-07"]["AVAL"], dor["DOR-07"]["CNSR"]) == (
        dt.date(2023, 4, 10),
        1.0,
        2,
    )
    assert (dor["DOR-03"]["ADT"], dor["DOR-03"]["CNSR"]) == (dt.date(2023, 6, 12), 2)
    assert (dor["DOR-08"]["STARTDT"], dor["DOR-08"]["ADT"]) == (dt.date(2023, 4, 17), dt.date(2023, 8, 14))
    assert set(dor) == {"DOR-01", "DOR-02", "DOR-03", "DOR-04", "DOR-07", "DOR-08"}


# ---- a kept column the data lacks: a clear stop (exit 2), at run and at `check --data` ----


def test_a_kept_column_missing_from_the_data_names_the_column_and_the_keep_line(tmp_path, capsys):
    ept = tmp_path / "rfs.ept"
    ept.write_text((SAP / "rfs.ept").read_text(encoding="utf-8").replace("AGE, SEX from", "AGE, SEXX from"))
    line = next(i for i, text in enumerate(ept.read_text().splitlines(), 1) if text.startswith("keep "))
    data = SAP / "data" / "rfs"
    for engine in ENGINES:
        assert (
            main(["run", str(ept), "--data", str(data), "--out", str(tmp_path / "o.csv"), "--engine", engine])
            == 2
        )
        err = capsys.readouterr().err
        assert f"has no column SEXX, kept by `keep` at {ept}:{line} (did you mean SEX?)" in err, err
        assert "Traceback" not in err
    assert main(["check", str(ept), "--data", str(data)]) != 0
    captured = capsys.readouterr()
    assert "has no column SEXX, kept by `keep`" in captured.out + captured.err
    assert not (tmp_path / "o.csv").exists()


def test_a_kept_dt_column_that_holds_no_date_stops_the_run(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    adsl = (SAP / "data" / "rfs" / "adsl.csv").read_text(encoding="utf-8").replace("Drug A,61", "soon,61", 1)
    (data / "adsl.csv").write_text(adsl, encoding="utf-8")
    (data / "adrs.csv").write_text(
        (SAP / "data" / "rfs" / "adrs.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    ept = tmp_path / "rfs.ept"
    ept.write_text(
        (SAP / "rfs.ept").read_text(encoding="utf-8").replace("TRT01P as TRTP", "TRT01P as TRTSDT")
    )
    for engine in ENGINES:
        assert (
            main(["run", str(ept), "--data", str(data), "--out", str(tmp_path / "o.csv"), "--engine", engine])
            == 2
        )
        err = capsys.readouterr().err
        assert "kept column TRTSDT" in err and "holds 'soon', not a date" in err, err
