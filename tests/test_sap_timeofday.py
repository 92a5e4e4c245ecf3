"""SAP gallery, times of day and event-only endpoints (issue 12): oracles from the SAP wording.

Each expected record is computed here in plain Python from the sentence quoted in the
`.ept` file's header and the conventions it states, without the compiler; then the file
is run by the three engines (the API and `endpointdsl run --engine ...`) and the records
must be these. A few literal records show the answer for the interesting subjects.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import EXAMPLES
from sap_support import rows

import endpointdsl
from endpointdsl.cli import main
from endpointdsl.data.read import read_tables

SAP = EXAMPLES / "sap"
ENGINES = ("compiled", "interpreter", "sql")


def derive(slug: str, engine: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    compiled = endpointdsl.load(SAP / f"{slug}.ept")
    tables = read_tables(SAP / "data" / slug, [t.name for t in compiled.model.tables])
    result = compiled.run(tables, engine=engine)
    return result.adtte, result.report


def records(adtte: pd.DataFrame, paramcd: str, columns: list[str]) -> dict[str, tuple]:
    got = adtte[adtte.PARAMCD == paramcd]
    return {r["USUBJID"]: tuple(r[c] for c in columns) for r in got.to_dict("records")}


def exclusions(report: pd.DataFrame, paramcd: str) -> dict[str, str]:
    got = report[(report.PARAMCD == paramcd) & (report.STATUS == "excluded")]
    return dict(zip(got.USUBJID, got.MESSAGE, strict=True))


# ---- time_to_response: "time from the first dose to the first documented objective
# response (CR or PR, confirmed), in months, among responders" -------------------------


def ttr_oracle() -> tuple[dict, set]:
    """(records, non-responders): {subject: (ADT, AVAL, CNSR)} for the responders."""
    first_dose = {r["USUBJID"]: dt.date.fromisoformat(r["TRTSDT"]) for r in rows("time_to_response", "adsl")}
    visits: dict[str, list] = {s: [] for s in first_dose}
    for r in rows("time_to_response", "adrs"):
        visits[r["USUBJID"]].append((dt.date.fromisoformat(r["ADT"]), r["AVALC"]))
    out, non = {}, set()
    for subject, start in first_dose.items():
        seen = sorted(v for v in visits[subject] if v[0] >= start)  # from the first dose on
        if any(resp == "PD" for _, resp in seen):  # up to the first PD
            seen = seen[: [resp for _, resp in seen].index("PD") + 1]
        response = None
        for i, (day, resp) in enumerate(seen):
            if resp not in ("CR", "PR"):
                continue
            ok_later = ("CR",) if resp == "CR" else ("CR", "PR")
            allowed = ("CR", "NE") if resp == "CR" else ("CR", "PR", "NE", "SD")
            between = []
            for later_day, later in seen[i + 1 :]:
                between.append(later)
                if later not in allowed:
                    break
                if later in ok_later and later_day >= day + dt.timedelta(days=28):
                    ne, sd = between.count("NE"), between.count("SD")
                    after_cr = (
                        resp == "PR" and "PR" in between[between.index("CR") :] if "CR" in between else False
                    )
                    if ne <= 1 and sd == 0 and not after_cr:
                        response = day
                    break
            if response is not None:
                break
        if response is None:
            non.add(subject)
        else:
            out[subject] = (response, ((response - start).days + 1) / 30.4375, 0)
    return out, non


@pytest.mark.parametrize("engine", ENGINES)
def test_time_to_response_follows_the_sap(engine):
    want, non = ttr_oracle()
    adtte, report = derive("time_to_response", engine)
    assert records(adtte, "TTR", ["ADT", "AVAL", "CNSR"]) == want
    assert exclusions(report, "TTR") == {s: "not in population: responders" for s in non}
    # every subject is either a record or an exclusion
    assert set(want) | non == {r["USUBJID"] for r in rows("time_to_response", "adsl")}


def test_time_to_response_literal_records():
    adtte, report = derive("time_to_response", "compiled")
    got = records(adtte, "TTR", ["STARTDT", "ADT", "CNSR"])
    # PR confirmed by a CR 30 days later: the response date is the PR's
    assert got["TTR-02"] == (dt.date(2023, 1, 9), dt.date(2023, 4, 1), 0)
    # PR, NE, PR 37 days later: one NE between is allowed
    assert got["TTR-04"] == (dt.date(2023, 1, 23), dt.date(2023, 2, 27), 0)
    # PR followed by PD: unconfirmed, not a responder; a PR before the first dose does not count
    assert {"TTR-03", "TTR-08"} <= set(exclusions(report, "TTR"))
    assert adtte[adtte.USUBJID == "TTR-01"].AVAL.tolist()[1] == pytest.approx(57 / 30.4375)


def test_time_to_response_needs_no_censoring_rule():
    model = endpointdsl.check_file(SAP / "time_to_response.ept")
    assert model.endpoint("TTR").censoring == ()
    assert not [w for w in model.warnings if w.code == "W102"]


# ---- crs_onset_hours: "time in hours from the end of the CAR-T infusion to the onset of
# the first CRS event, among patients who experienced CRS" ---------------------------------


def moment(text: str) -> dt.datetime | dt.date:
    """A date-time text as written (ISO 8601, T or blank); a date alone stays a date."""
    return dt.datetime.fromisoformat(text) if len(text) > 10 else dt.date.fromisoformat(text)


def crs_oracle() -> tuple[dict, dict]:
    """({subject: (STARTDTM, ADTM, AVAL hours)}, {subject: exclusion reason})."""
    infusion = {r["USUBJID"]: moment(r["CARTDTM"]) for r in rows("crs_onset_hours", "adsl")}
    onsets: dict[str, list] = {}
    for r in rows("crs_onset_hours", "adae"):
        if r["AEDECOD"] == "Cytokine release syndrome":
            onsets.setdefault(r["USUBJID"], []).append((moment(r["ASTDTM"]), int(r["AESEQ"])))
    out, why = {}, {}
    for subject, start in infusion.items():
        if subject not in onsets:
            why[subject] = "not in population: crs_patients"
            continue
        if not isinstance(start, dt.datetime):
            why[subject] = f"no time of day: the origin infusion on {start} has a date only"
            continue

        def after_start(onset, start=start):
            day = onset.date() if isinstance(onset, dt.datetime) else onset
            if day != start.date():
                return day > start.date()
            return not isinstance(onset, dt.datetime) or onset >= start  # a date only: not known to be before

        def order(item):  # by date, a date only first on its day, then time, then AESEQ
            onset, seq = item
            timed = isinstance(onset, dt.datetime)
            return (onset.date() if timed else onset, timed, onset.time() if timed else dt.time(), seq)

        kept = sorted((o for o in onsets[subject] if after_start(o[0])), key=order)
        if not kept:
            why[subject] = "no event, and no censoring rule applies"
            continue
        first = kept[0][0]
        if not isinstance(first, dt.datetime):
            why[subject] = f"no time of day: the event crs on {first} has a date only"
            continue
        out[subject] = (start, first, (first - start).total_seconds() / 3600)
    return out, why


@pytest.mark.parametrize("engine", ENGINES)
def test_crs_onset_follows_the_sap(engine):
    want, why = crs_oracle()
    adtte, report = derive("crs_onset_hours", engine)
    got = records(adtte, "CRSONSET", ["STARTDTM", "ADTM", "AVAL"])
    assert {s: (a.to_pydatetime(), b.to_pydatetime(), c) for s, (a, b, c) in got.items()} == want
    assert exclusions(report, "CRSONSET") == why
    assert set(adtte.AVALU) == {"HOURS"}


def test_crs_onset_literal_records():
    adtte, report = derive("crs_onset_hours", "sql")
    got = records(adtte, "CRSONSET", ["ADTM", "AVAL", "SRCSEQ"])
    # the earlier of two CRS events, 36 h 45 min after the infusion end
    assert got["CRS-02"] == (pd.Timestamp("2023-01-11T22:45"), 36.75, 2.0)
    # a CRS onset 3 hours before the infusion end on the same day is ignored (reported)
    assert got["CRS-05"] == (pd.Timestamp("2023-02-02T11:00"), 24.0, 2.0)
    # onset at the infusion end itself: 0 hours; seconds count
    assert got["CRS-07"][1] == 0.0
    assert got["CRS-10"][1] == pytest.approx(12 + 45.5 / 60)
    findings = report[report.STATUS == "finding"].MESSAGE.tolist()
    assert "crs on 2023-02-01T08:00:00 is before the origin 2023-02-01T11:00:00; ignored" in findings
    excluded = exclusions(report, "CRSONSET")
    # an onset recorded with a date only: the hours cannot be counted
    assert excluded["CRS-04"] == "no time of day: the event crs on 2023-01-20 has a date only"
    assert excluded["CRS-06"] == "no time of day: the origin infusion on 2023-02-10 has a date only"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("slug", ["time_to_response", "crs_onset_hours", "crs_duration"])
def test_the_command_line_gives_the_same_records(tmp_path, slug, engine):
    out = tmp_path / "adtte.csv"
    assert main(["run", str(SAP / f"{slug}.ept"), "--data", str(SAP / "data" / slug), "--out", str(out),
                 "--engine", engine]) == 0  # fmt: skip
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    adtte, _ = derive(slug, "compiled")
    assert written.USUBJID.tolist() == adtte.USUBJID.tolist()
    assert written.ADT.tolist() == [d.isoformat() if d else "" for d in adtte.ADT]
    if "ADTM" in adtte.columns:
        assert written.ADTM.tolist() == [d.isoformat() for d in adtte.ADTM]


# ---- the engines on censored endpoints in minutes (no gallery entry: the rules of section 7) ----

CENSORED = """\
table adsl: one row per subject
table adae: many rows per subject
event dose = adsl.DOSEDTM with time
event contact = adsl.LSTCNDTM with time label "Last contact"
event crs = adae.ASTDTM with time where AEDECOD = "CRS" sequence AESEQ
event visit = adae.ASTDTM with time sequence AESEQ label "Last AE record"
endpoint CRSMIN "Time to CRS (minutes)"
  from dose
  to crs
  censor at contact cnsr 1
  censor at last visit cnsr 2
  censor at origin cnsr 3
  time in minutes
end
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_censoring_in_minutes(tmp_path, engine):
    adsl = pd.DataFrame({
        "USUBJID": ["A", "B", "C", "D", "E"],
        "DOSEDTM": ["2023-01-01T10:00", "2023-01-01T10:00", "2023-01-01T10:00", "2023-01-01T10:00",
                    "2023-01-01T10:00"],
        "LSTCNDTM": ["2023-01-01T12:30", "2023-01-01T09:00", None, None, "2023-01-03"],
    })  # fmt: skip
    adae = pd.DataFrame({
        "USUBJID": ["A", "B", "B", "C", "D"],
        "AESEQ": [1, 1, 2, 1, 1],
        "AEDECOD": ["CRS", "NAUSEA", "NAUSEA", "NAUSEA", "NAUSEA"],
        "ASTDTM": ["2023-01-01T11:15", "2023-01-01T09:30", "2023-01-02 08:00:00", "2023-01-01T08:00", None],
    })  # fmt: skip
    path = tmp_path / "censored.ept"
    path.write_text(CENSORED, encoding="utf-8")
    result = endpointdsl.load(path).run({"adsl": adsl, "adae": adae}, engine=engine)
    got = records(result.adtte, "CRSMIN", ["ADTM", "AVAL", "CNSR", "SRCVAR"])
    assert got == {
        "A": (pd.Timestamp("2023-01-01T11:15"), 75.0, 0, "ASTDTM"),  # the event
        # last contact before the dose (reported); the last AE record not before the dose
        "B": (pd.Timestamp("2023-01-02T08:00"), 1320.0, 2, "ASTDTM"),
        "C": (pd.Timestamp("2023-01-01T10:00"), 0.0, 3, "DOSEDTM"),  # nothing after the dose
        "D": (pd.Timestamp("2023-01-01T10:00"), 0.0, 3, "DOSEDTM"),
    }
    assert exclusions(result.report, "CRSMIN") == {
        "E": "no time of day: the censoring date contact on 2023-01-03 has a date only"
    }
    findings = result.report[result.report.STATUS == "finding"].MESSAGE.tolist()
    assert "contact on 2023-01-01T09:00:00 is before the origin 2023-01-01T10:00:00; ignored" in findings


@pytest.mark.parametrize("engine", ENGINES)
def test_the_time_orders_occurrences_only_in_endpoints_timed_by_the_clock(tmp_path, engine):
    """Two AEs on one day, the lower sequence later in the day: an endpoint in days picks
    by sequence (section 2), one in hours by time (section 7)."""
    text = CENSORED.replace("time in minutes", "time in hours") + (
        'endpoint CRSDAY "Time to first AE record (days)"\n  from dose\n  to visit\n  censor at origin cnsr 1\nend\n'
    )
    path = tmp_path / "order.ept"
    path.write_text(text.replace("to crs", "to visit"), encoding="utf-8")
    adsl = pd.DataFrame({"USUBJID": ["A"], "DOSEDTM": ["2023-01-01T10:00"], "LSTCNDTM": [None]})
    adae = pd.DataFrame(
        {"USUBJID": ["A", "A"], "AESEQ": [1, 2], "AEDECOD": ["X", "X"],
         "ASTDTM": ["2023-01-02T18:00", "2023-01-02T07:30"]}
    )  # fmt: skip
    result = endpointdsl.load(path).run({"adsl": adsl, "adae": adae}, engine=engine)
    assert records(result.adtte, "CRSMIN", ["AVAL", "SRCSEQ"]) == {"A": (21.5, 2.0)}
    assert records(result.adtte, "CRSDAY", ["AVAL", "SRCSEQ"]) == {"A": (2.0, 1.0)}


# ---- crs_duration: "time in days from the onset of the first CRS event to its resolution;
# not resolved: censored at the last date known alive", among patients with CRS ----------


def duration_oracle() -> tuple[dict, dict]:
    """({subject: (STARTDT, ADT, AVAL, CNSR)}, {subject: exclusion reason})."""
    alive = {r["USUBJID"]: r["LSTALVDT"] for r in rows("crs_duration", "adsl")}
    crs: dict[str, list] = {}
    for r in rows("crs_duration", "adae"):
        if r["AEDECOD"] == "Cytokine release syndrome":
            crs.setdefault(r["USUBJID"], []).append(r)
    out, why = {}, {}
    for subject, last_alive in alive.items():
        if subject not in crs:
            why[subject] = "not in population: subjects with crs_onset"
            continue
        onset = min(dt.date.fromisoformat(r["ASTDT"]) for r in crs[subject])
        ends = [dt.date.fromisoformat(r["AENDT"]) for r in crs[subject] if r["AENDT"]]
        ends = [d for d in ends if d >= onset]
        if ends:
            end, cnsr = min(ends), 0
        elif last_alive and dt.date.fromisoformat(last_alive) >= onset:
            end, cnsr = dt.date.fromisoformat(last_alive), 1
        else:
            why[subject] = "no event, and no censoring rule applies"
            continue
        out[subject] = (onset, end, float((end - onset).days + 1), cnsr)
    return out, why


@pytest.mark.parametrize("engine", ENGINES)
def test_crs_duration_follows_the_sap(engine):
    want, why = duration_oracle()
    adtte, report = derive("crs_duration", engine)
    assert records(adtte, "CRSDUR", ["STARTDT", "ADT", "AVAL", "CNSR"]) == want
    assert exclusions(report, "CRSDUR") == why
    assert report[report.STATUS == "finding"].empty  # ongoing events say nothing: `AENDT is not missing`


def test_crs_duration_literal_records():
    adtte, _ = derive("crs_duration", "sql")
    got = records(adtte, "CRSDUR", ["ADT", "AVAL", "CNSR", "EVNTDESC"])
    assert got["D-02"][1:3] == (1.0, 0)  # starts and ends on one day: 1 day
    assert got["D-03"] == (dt.date(2023, 2, 20), 37.0, 1, "CRS not resolved")
    # an ongoing first CRS, a second one resolved: the first end after the first onset
    assert got["D-07"][:3] == (dt.date(2023, 1, 22), 18.0, 0)
