"""Issue 12 review: defects found by using the new constructs through the command line.

Each test writes a small `.ept` file and tables, runs `endpointdsl run` with the three
engines and requires the same bytes from each (ADTTE and report), plus what
docs/semantics.md says the records are.
"""

from __future__ import annotations

import csv
import io

from endpointdsl.cli import main

ENGINES = ("sql", "compiled", "interpreter")

HEAD = """\
table adsl: one row per subject
table adqs: many rows per subject
event rand = adsl.RANDDT
event alive = adsl.LSTALVDT
event death = adsl.DTHDT label "Death"
event det = adqs.ADT where AVISITN > 0 and CHG <= -10 sequence QSSEQ label "Deterioration"
event visit = adqs.ADT where AVISITN > 0 and AVAL is not missing sequence QSSEQ
"""


def run_all(tmp_path, text: str, tables: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """Runs the three engines; returns the ADTTE and report rows, identical in all three."""
    data = tmp_path / "data"
    data.mkdir()
    for name, body in tables.items():
        (data / f"{name}.csv").write_text(body, encoding="utf-8")
    ept = tmp_path / "x.ept"
    ept.write_text(text, encoding="utf-8")
    outs = {}
    for engine in ENGINES:
        out = tmp_path / f"{engine}.csv"
        assert main(["run", str(ept), "--data", str(data), "--out", str(out), "--engine", engine]) == 0
        report = tmp_path / f"{engine}.report.csv"
        outs[engine] = (out.read_text(encoding="utf-8"), report.read_text(encoding="utf-8"))
    assert outs["compiled"] == outs["sql"]
    assert outs["interpreter"] == outs["sql"]
    adtte, report = outs["sql"]
    return list(csv.DictReader(io.StringIO(adtte))), list(csv.DictReader(io.StringIO(report)))


ADSL = "USUBJID,RANDDT,LSTALVDT,DTHDT\nS1,2021-01-10,2022-01-01,\nS2,2021-01-10,2022-01-01,\n"
ADQS = """\
USUBJID,QSSEQ,ADT,AVAL,CHG,AVISITN
S1,1,2021-02-10,30,-20,1
S1,2,2021-03-10,30,-20,2
S1,3,2021-04-10,30,-20,3
S1,4,2021-05-10,60,10,4
S2,1,2021-02-10,30,-20,1
S2,2,2021-03-10,60,10,2
"""


def test_a_derived_date_picks_from_a_confirmed_event(tmp_path):
    """`date d = the 2nd C` of a confirmed event C was an internal error (AttributeError in
    the checker: a confirmed event has no table of its own). Its source is C's rows."""
    text = HEAD + (
        'event c = det confirmed by det at next visit label "Confirmed deterioration"\n'
        'date second = the 2nd c label "Second confirmed deterioration"\n'
        'endpoint T2 "Time to second confirmed deterioration"\n'
        "  from rand\n  to second\n  censor at alive cnsr 1\nend\n"
    )
    adtte, report = run_all(tmp_path, text, {"adsl": ADSL, "adqs": ADQS})
    # S1: 02-10 and 03-10 are confirmed (the next visit deteriorated), 04-10 is not (05-10 improved)
    got = [(r["USUBJID"], r["ADT"], r["CNSR"], r["EVNTDESC"], r["SRCDOM"], r["SRCSEQ"]) for r in adtte]
    assert got == [
        ("S1", "2021-03-10", "0", "Second confirmed deterioration", "ADQS", "2"),
        ("S2", "2022-01-01", "1", "", "ADSL", ""),
    ]
    assert report == []


def test_a_confirmed_event_in_an_endpoint_timed_by_the_clock(tmp_path):
    """`to C` of a confirmed event C in a `time in hours` endpoint: the checker crashed
    (AttributeError: with_time), and once past it the SQL engine failed (the confirmed view
    dropped the time of day). C's occurrences are its candidate's, with their times."""
    text = (
        "table adsl: one row per subject\ntable adae: many rows per subject\n"
        'event inf = adsl.CARTDTM with time label "Infusion"\n'
        "event alive = adsl.LSTALVDTM with time\n"
        'event crs = adae.ASTDTM with time where AEDECOD = "CRS" sequence AESEQ\n'
        'event crs2 = crs held for 2 consecutive crs label "CRS on two days"\n'
        'event crs7 = crs confirmed by crs at least 1 day later label "CRS again"\n'
        'endpoint H "Hours"\n  from inf\n  to first of crs2, crs7\n  censor at alive cnsr 1\n  time in hours\nend\n'
    )
    adsl = "USUBJID,CARTDTM,LSTALVDTM\nS1,2021-01-10T08:00,2021-02-10T08:00\nS2,2021-01-10T08:00,2021-02-10T20:00\n"
    adae = (
        "USUBJID,AESEQ,ASTDTM,AEDECOD\n"
        "S1,1,2021-01-10T09:30,CRS\nS1,2,2021-01-10T12:00,CRS\nS1,3,2021-01-11,CRS\n"
        "S2,1,2021-01-10T09:30,CRS\n"
    )
    adtte, report = run_all(tmp_path, text, {"adsl": adsl, "adae": adae})
    got = [(r["USUBJID"], r["ADTM"], r["AVAL"], r["CNSR"], r["EVNTDESC"], r["SRCSEQ"]) for r in adtte]
    assert got == [
        ("S1", "2021-01-10T09:30:00", "1.5", "0", "CRS on two days", "1"),
        ("S2", "2021-02-10T20:00:00", "756.0", "1", "", ""),
    ]
    assert report == []


def test_an_imputation_bound_on_another_endpoints_rows(tmp_path):
    """`impute first not before rrow + 1 day` with `event rrow = OS.ADT`: the SQL engine
    failed (StopIteration: it wrote the endpoint's rows as an input table) because the
    per-subject path was chosen only for events an endpoint names, not for the bounds of
    their imputation. The three engines now agree; 2021-02 is imputed to the day after the
    base endpoint's date when that lies in the month."""
    text = (
        "table adsl: one row per subject\ntable adcm: many rows per subject\n"
        "event rand = adsl.RANDDT\nevent alive = adsl.LSTALVDT\nevent death = adsl.DTHDT\n"
        'endpoint OS "Overall survival"\n  from rand\n  to death\n  censor at alive cnsr 1\nend\n'
        "event os_date = OS.ADT\n"
        "event therapy = adcm.CMSTDTC sequence CMSEQ impute first not before os_date + 1 day\n"
        'endpoint TT "Time to therapy"\n  from rand\n  to therapy\n  censor at alive cnsr 1\nend\n'
    )
    adsl = "USUBJID,RANDDT,LSTALVDT,DTHDT\nS1,2021-01-10,2021-02-14,\nS2,2021-01-10,2021-05-01,\n"
    adcm = "USUBJID,CMSEQ,CMSTDTC\nS1,1,2021-02\nS2,1,2021-02\n"
    adtte, report = run_all(tmp_path, text, {"adsl": adsl, "adcm": adcm})
    got = [(r["USUBJID"], r["PARAMCD"], r["ADT"], r["ADTF"], r["CNSR"]) for r in adtte]
    assert got == [
        ("S1", "OS", "2021-02-14", "", "1"),
        ("S1", "TT", "2021-02-15", "D", "0"),
        ("S2", "OS", "2021-05-01", "", "1"),
        ("S2", "TT", "2021-02-01", "D", "0"),
    ]
    assert report == []


def test_a_column_compared_as_a_date_is_checked_whole(tmp_path):
    """`ADT <= adsl.TRTEDT + 30 days` with TRTEDT written YYYYMMDD and no event dating by it:
    every comparison was unknown, so no visit counted, silently (no finding, `check --data`
    ok). Like an event's date column, a column compared as a date that is mostly not dates
    in its format stops the run (exit 2) with the line that reads it."""
    data = tmp_path / "data"
    data.mkdir()
    adsl = "USUBJID,RANDDT,TRTEDT,LSTALVDT\n" + "".join(
        f"S0{i},2021-01-10,2021060{i},2022-01-01\n" for i in range(1, 7)
    )
    (data / "adsl.csv").write_text(adsl, encoding="utf-8")
    (data / "adqs.csv").write_text("USUBJID,QSSEQ,ADT\nS01,1,2021-07-01\n", encoding="utf-8")
    ept = tmp_path / "x.ept"
    ept.write_text(
        "table adsl: one row per subject\ntable adqs: many rows per subject\n"
        "event rand = adsl.RANDDT\nevent alive = adsl.LSTALVDT\n"
        "event visit = adqs.ADT where ADT <= adsl.TRTEDT + 30 days sequence QSSEQ\n"
        'endpoint X "x"\n  from rand\n  to visit\n  censor at alive cnsr 1\nend\n',
        encoding="utf-8",
    )
    for engine in ENGINES:
        out = tmp_path / f"{engine}.csv"
        assert main(["run", str(ept), "--data", str(data), "--out", str(out), "--engine", engine]) == 2
        assert not out.exists()
