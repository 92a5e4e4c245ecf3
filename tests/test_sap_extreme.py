"""SAP gallery, worst or best of ordered categories (issue 19, part 2): oracles from the wording.

Each entry of examples/sap/ quotes its SAP sentence and states the conventions the wording
leaves open. The oracles below restate that text in plain Python over the entry's CSV files;
none calls endpointdsl. Every engine, through the API and through `endpointdsl run --engine
...`, must give the oracle's rows; a few literal rows show the answer for the interesting
subjects (for worst_sleep: admiral's own documented output of its example).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sap_support import api_run, cell_number, cell_text, cli_run, day
from sap_support import rows as read_rows

import endpointdsl
from endpointdsl.api import CompiledFile

ENGINES = ("sql", "compiled", "interpreter")


def rows(slug: str, table: str) -> list[dict]:
    return read_rows(slug, table, blank_as_none=True)


_text, _num = cell_text, cell_number


def normalised(records: list[dict]) -> list[tuple]:
    """(USUBJID, PARAMCD, STARTDT, ADT, AVAL, AVALC, CNSR, EVNTDESC, CNSDTDSC, SRCDOM, SRCVAR, SRCSEQ)."""
    out = []
    for r in records:
        out.append((
            _text(r["USUBJID"]), _text(r["PARAMCD"]), _text(r["STARTDT"]), _text(r["ADT"]), _num(r["AVAL"]),
            _text(r["AVALC"]), _num(r["CNSR"]), _text(r["EVNTDESC"]), _text(r["CNSDTDSC"]),
            _text(r["SRCDOM"]), _text(r["SRCVAR"]), _num(r["SRCSEQ"]),
        ))  # fmt: skip
    return sorted(out, key=repr)


def check(slug: str, expected: list[tuple], tmp_path: Path) -> dict[str, tuple]:
    """Every engine, by the API and the command line, gives the oracle's rows."""
    for engine in ENGINES:
        assert normalised(api_run(slug, engine).adtte.to_dict("records")) == sorted(expected, key=repr), (
            engine
        )
        with open(cli_run(slug, engine, tmp_path), newline="", encoding="utf-8") as f:
            assert normalised(list(csv.DictReader(f))) == sorted(expected, key=repr), f"run --engine {engine}"
    return {r[0]: r for r in expected}


def row(subject, paramcd, start, avalc, aval, src=None) -> tuple:
    """A result row; `src` (date, domain, column, seq) of the row that dates it, or None."""
    date, dom, var, seq = src if src else (None, None, None, None)
    return (subject, paramcd, start.isoformat(), date.isoformat() if date else None,
            None if aval is None else float(aval), avalc, None, None, None, dom, var,
            None if seq is None else float(seq))  # fmt: skip


def report(slug: str) -> set[tuple]:
    """(USUBJID, STATUS, MESSAGE) of the SQL run's report; the three-way tests hold the
    engines' reports equal."""
    rep = api_run(slug, "sql").report
    return {(r.USUBJID, r.STATUS, r.MESSAGE) for r in rep.itertuples()}


# ---- 1. worst_sleep: admiral's WSP example -------------------------------------------------

SLEEP_ITEMS = ("NO SLEEP", "WAKE UP 3X")


def worst_sleep_oracle() -> tuple[list[tuple], set[str]]:
    """Worst first: no sleep, waking up three times, no problems (every answer N); other
    answers Missing dated by the latest; none at all Missing without a date."""
    answers = [r for r in rows("worst_sleep", "adqs") if r["PARAMCD"] in SLEEP_ITEMS and r["ADT"]]
    out, excluded = [], set()
    for s in rows("worst_sleep", "adsl"):
        origin = day(s["RANDDT"])
        if origin is None:
            excluded.add(s["USUBJID"])
            continue
        mine = [a for a in answers if a["USUBJID"] == s["USUBJID"] and day(a["ADT"]) >= origin]

        def latest(found):
            a = max(found, key=lambda a: (day(a["ADT"]), int(a["ASEQ"])))  # the latest report
            return (day(a["ADT"]), "ADQS", "ADT", a["ASEQ"])

        no_sleep = [a for a in mine if a["PARAMCD"] == "NO SLEEP" and a["AVALC"] == "Y"]
        wake = [a for a in mine if a["PARAMCD"] == "WAKE UP 3X" and a["AVALC"] == "Y"]
        if no_sleep:
            out.append(row(s["USUBJID"], "WSP", origin, "No sleep", 1, latest(no_sleep)))
        elif wake:
            out.append(row(s["USUBJID"], "WSP", origin, "Waking up three times", 2, latest(wake)))
        elif mine and all(a["AVALC"] == "N" for a in mine):
            out.append(row(s["USUBJID"], "WSP", origin, "No sleeping problems", 3, latest(mine)))
        elif mine:
            out.append(row(s["USUBJID"], "WSP", origin, "Missing", 99, latest(mine)))
        else:
            out.append(row(s["USUBJID"], "WSP", origin, "Missing", 99))
    return out, excluded


def test_worst_sleep_follows_the_wording_in_every_engine(tmp_path):
    expected, excluded = worst_sleep_oracle()
    got = check("worst_sleep", expected, tmp_path)
    jan = dt.date(2023, 1, 1)
    # admiral's documented output (ADY 1 = 2023-01-01): subject 1 no problems at ADY 2,
    # subject 2 waking up at ADY 3 (the latest of two), subject 3 Missing at ADY 1
    assert got["1"] == row(
        "1", "WSP", jan, "No sleeping problems", 3, (dt.date(2023, 1, 2), "ADQS", "ADT", 2)
    )
    assert got["2"] == row(
        "2", "WSP", jan, "Waking up three times", 2, (dt.date(2023, 1, 3), "ADQS", "ADT", 3)
    )
    assert got["3"] == row("3", "WSP", jan, "Missing", 99, (jan, "ADQS", "ADT", 1))
    assert got["4"] == row("4", "WSP", jan, "Missing", 99)  # no answer at all: `otherwise`
    # a "No sleep" before randomisation is not used: every later answer is N
    assert got["5"][5] == "No sleeping problems"
    # two "No sleep" answers on the day: the last by date takes the higher ASEQ
    assert got["6"] == row("6", "WSP", jan, "No sleep", 1, (dt.date(2023, 1, 4), "ADQS", "ADT", 2))
    rep = report("worst_sleep")
    assert {s for s, status, _ in rep if status == "excluded"} == excluded == {"8"}
    assert ("5", "finding", "sleep on 2023-01-05 is before the origin 2023-01-10; ignored") in rep
    assert ("7", "finding", "sleep: adqs row 15 has no usable ADT (missing); not counted") in rep


# ---- 2. ae_worst_infection: the worst CTCAE grade of any infection -------------------------


def infection_oracle() -> tuple[list[tuple], set[str]]:
    """The highest grade 1-5 of the treatment-emergent infections from the first dose, dated
    by the first infection at that grade; only ungraded ones: UNKNOWN; none: NONE (0)."""
    infections = [
        r for r in rows("ae_worst_infection", "adae")
        if r["AEBODSYS"] == "Infections and infestations" and r["TRTEMFL"] == "Y" and r["ASTDT"]
    ]  # fmt: skip
    out, excluded = [], set()
    for s in rows("ae_worst_infection", "adsl"):
        if s["SAFFL"] != "Y" or s["TRTSDT"] is None:
            excluded.add(s["USUBJID"])
            continue
        origin = day(s["TRTSDT"])
        mine = [r for r in infections if r["USUBJID"] == s["USUBJID"] and day(r["ASTDT"]) >= origin]
        graded = [r for r in mine if r["AETOXGR"] in ("1", "2", "3", "4", "5")]

        def first(found):
            r = min(found, key=lambda r: (day(r["ASTDT"]), int(r["AESEQ"])))
            return (day(r["ASTDT"]), "ADAE", "ASTDT", r["AESEQ"])

        if graded:
            worst = max(int(r["AETOXGR"]) for r in graded)
            at = [r for r in graded if int(r["AETOXGR"]) == worst]
            out.append(row(s["USUBJID"], "WINFGR", origin, f"GRADE {worst}", worst, first(at)))
        elif mine:
            out.append(row(s["USUBJID"], "WINFGR", origin, "UNKNOWN", None, first(mine)))
        else:
            out.append(row(s["USUBJID"], "WINFGR", origin, "NONE", 0))
    return out, excluded


def test_worst_infection_grade_follows_the_wording_in_every_engine(tmp_path):
    expected, excluded = infection_oracle()
    got = check("ae_worst_infection", expected, tmp_path)
    march = dt.date(2023, 3, 1)
    # two grade-3 infections: the first one's onset; the grade-4 neutropenia is no infection
    assert got["A01"] == row("A01", "WINFGR", march, "GRADE 3", 3, (dt.date(2023, 3, 20), "ADAE", "ASTDT", 1))
    assert got["A02"] == row("A02", "WINFGR", march, "NONE", 0)
    assert got["A03"] == row(
        "A03", "WINFGR", march, "UNKNOWN", None, (dt.date(2023, 3, 2), "ADAE", "ASTDT", 2)
    )
    # the grade-5 sepsis is not treatment-emergent; two grade-4 the same day: the lower AESEQ
    assert got["A04"] == row("A04", "WINFGR", march, "GRADE 4", 4, (dt.date(2023, 3, 12), "ADAE", "ASTDT", 1))
    rep = report("ae_worst_infection")
    assert {s for s, status, _ in rep if status == "excluded"} == excluded == {"A06", "A07"}
    assert ("A08", "finding", "infection on 2023-03-02 is before the origin 2023-03-10; ignored") in rep


def test_the_summary_counts_each_grade_in_the_order_written():
    compiled = endpointdsl.load(
        Path(__file__).resolve().parent.parent / "examples/sap/ae_worst_infection.ept"
    )
    summary = compiled.summary(api_run("ae_worst_infection", "compiled"))
    expected, _ = infection_oracle()
    order = ["GRADE 5", "GRADE 4", "GRADE 3", "GRADE 2", "GRADE 1", "UNKNOWN", "NONE"]
    assert list(summary.CATEGORY) == order
    assert list(summary.n) == [sum(r[5] == c for r in expected) for c in order]
    assert set(summary.N) == {len(expected)}


# ---- 3. bor_custom_outcomes: best overall response written out as outcomes -----------------

MRECIST = ["CR", "PR", "SD", "PD", "NE"]


def mbor_oracle() -> list[tuple]:
    """The best of CR, PR, SD (>= 42 days after randomisation, else NE), PD, NE (anything
    else) over the assessments from randomisation up to and including the first PD."""
    assessments = [r for r in rows("bor_custom_outcomes", "adrs") if r["PARAMCD"] == "OVRLRESP" and r["ADT"]]
    out = []
    for s in rows("bor_custom_outcomes", "adsl"):
        if s["RANDDT"] is None:
            continue
        origin = day(s["RANDDT"])
        mine = [r for r in assessments if r["USUBJID"] == s["USUBJID"] and day(r["ADT"]) >= origin]
        pds = [day(r["ADT"]) for r in mine if r["AVALC"] == "PD"]
        if pds:
            mine = [r for r in mine if day(r["ADT"]) <= min(pds)]

        def category(r, origin=origin) -> str:
            if r["AVALC"] == "SD":
                return "SD" if (day(r["ADT"]) - origin).days >= 42 else "NE"
            return r["AVALC"] if r["AVALC"] in ("CR", "PR", "PD") else "NE"

        if not mine:
            out.append(row(s["USUBJID"], "MBOR", origin, "MISSING", 6))
            continue
        best = min((category(r) for r in mine), key=MRECIST.index)
        r = min((r for r in mine if category(r) == best), key=lambda r: (day(r["ADT"]), int(r["ASEQ"])))
        out.append(row(s["USUBJID"], "MBOR", origin, best, MRECIST.index(best) + 1,
                       (day(r["ADT"]), "ADRS", "ADT", r["ASEQ"])))  # fmt: skip
    return out


def test_custom_best_response_follows_the_wording_in_every_engine(tmp_path):
    got = check("bor_custom_outcomes", mbor_oracle(), tmp_path)
    jan = dt.date(2023, 1, 1)
    # an SD on day 42 after randomisation (2023-02-12) counts; the one the day before is NE
    assert got["R02"] == row("R02", "MBOR", jan, "SD", 3, (dt.date(2023, 2, 12), "ADRS", "ADT", 2))
    # a PR after the first PD is not used
    assert got["R03"] == row("R03", "MBOR", jan, "PD", 4, (dt.date(2023, 3, 1), "ADRS", "ADT", 2))
    assert got["R04"][5] == "NE" and got["R05"] == row("R05", "MBOR", jan, "MISSING", 6)


# ---- 4. first_hosp_icu_death: the first of several events, with its own date --------------

SEVERITY = ["DEATH", "ICU", "HOSPITALISATION"]  # the same-day order
CODES = {"DEATH": 3, "ICU": 2, "HOSPITALISATION": 1}


def deterioration_oracle() -> list[tuple]:
    """The earliest of death, ICU admission and hospitalisation 0 to 28 days after
    randomisation; on one day the most severe; none: NONE (0)."""
    admissions = [r for r in rows("first_hosp_icu_death", "adho") if r["HOSTDT"]]
    out = []
    for s in rows("first_hosp_icu_death", "adsl"):
        if s["RANDDT"] is None:
            continue
        origin = day(s["RANDDT"])

        def inside(d: dt.date | None, origin=origin) -> bool:
            return d is not None and 0 <= (d - origin).days <= 28

        found = []  # (date, severity, AVALC, source)
        if inside(day(s["DTHDT"])):
            found.append((day(s["DTHDT"]), 0, "DEATH", (day(s["DTHDT"]), "ADSL", "DTHDT", None)))
        for r in admissions:
            kind = {"ICU": "ICU", "HOSPITAL": "HOSPITALISATION"}.get(r["HOCAT"])
            if r["USUBJID"] == s["USUBJID"] and kind and inside(day(r["HOSTDT"])):
                found.append((day(r["HOSTDT"]), SEVERITY.index(kind), kind, (day(r["HOSTDT"]), "ADHO", "HOSTDT",
                                                                              r["HOSEQ"])))  # fmt: skip
        if not found:
            out.append(row(s["USUBJID"], "FDETER", origin, "NONE", 0))
            continue
        _, _, kind, src = min(found, key=lambda f: (f[0], f[1], float(f[3][3] or 0)))
        out.append(row(s["USUBJID"], "FDETER", origin, kind, CODES[kind], src))
    return out


def test_first_deterioration_follows_the_wording_in_every_engine(tmp_path):
    got = check("first_hosp_icu_death", deterioration_oracle(), tmp_path)
    june = dt.date(2023, 6, 1)
    # hospitalisation, ICU admission and death on one day: death
    assert got["H04"] == row("H04", "FDETER", june, "DEATH", 3, (dt.date(2023, 6, 8), "ADSL", "DTHDT", None))
    # an ICU admission the day of hospitalisation: ICU
    assert got["H05"] == row("H05", "FDETER", june, "ICU", 2, (dt.date(2023, 6, 3), "ADHO", "HOSTDT", 1))
    # day 28 counts, day 29 does not
    assert got["H06"] == row(
        "H06", "FDETER", june, "HOSPITALISATION", 1, (dt.date(2023, 6, 29), "ADHO", "HOSTDT", 1)
    )
    assert got["H08"] == row("H08", "FDETER", june, "NONE", 0)


# ---- the rules of semantics 6.8 on small hand-made tables ------------------------------------

RULES = """\
table adsl: one row per subject
table adqs: many rows per subject
event rand = adsl.RANDDT
event item = adqs.ADT sequence ASEQ
endpoint WX "Worst"
  from rand
  worst of
    outcome "Y" = 1 if any item has AVALC = "Y"
    outcome "N" = 0 if every item has AVALC = "N"
  last by date
  cutoff 2023-01-20
end
"""


def run_rules(text: str) -> dict[str, pd.DataFrame]:
    adsl = pd.DataFrame({"USUBJID": ["1", "2", "3", "4", "5"], "RANDDT": ["2023-01-01"] * 5})
    adqs = pd.DataFrame({
        "USUBJID": ["1", "1", "2", "2", "3", "4", "4", "5"],
        "ASEQ": [1, 2, 1, 2, 1, 1, 2, 1],
        "AVALC": ["N", None, "N", "N", "Y", "N", "Y", "N"],
        "ADT": ["2023-01-02", "2023-01-03", "2023-01-02", "2023-01-25", "2023-01-30", "2023-01-05",
                "2023-01-21", "2022-12-30"],
    })  # fmt: skip
    compiled = CompiledFile.from_model(endpointdsl.check_text(text, "rules.ept"))
    return {e: compiled.run({"adsl": adsl, "adqs": adqs}, engine=e) for e in ENGINES}


@pytest.mark.parametrize("engine", ENGINES)
def test_every_row_must_satisfy_the_condition_and_a_missing_value_does_not(engine):
    """Subject 1: an N and a missing answer (admiral's all(AVALC == "N") is NA): no outcome,
    and without `otherwise` excluded; 2: the N after the cut-off is not read: N, dated by the
    last N inside; 3 and 5: no row inside the window (after the cut-off, before the origin):
    excluded; 4: the Y after the cut-off is not read."""
    result = run_rules(RULES)[engine]
    got = {r.USUBJID: (r.AVALC, r.ADT) for r in result.adtte.itertuples()}
    assert got == {"2": ("N", dt.date(2023, 1, 2)), "4": ("N", dt.date(2023, 1, 5))}
    reasons = {r.USUBJID: r.MESSAGE for r in result.report.itertuples() if r.STATUS == "excluded"}
    assert reasons == {s: "no outcome holds, and the endpoint has no `otherwise`" for s in ("1", "3", "5")}


BY_AVAL = """\
table adsl: one row per subject
table adlb: many rows per subject
event rand = adsl.RANDDT
event lab = adlb.ADT where PARAMCD = "ALT" sequence ASEQ
endpoint WALT "Worst ALT"
  from rand
  worst of
    outcome "HIGH" = 2 if any lab has ANRIND = "HIGH"
    outcome "NORMAL" = 1 if every lab has ANRIND = "NORMAL"
    outcome "OTHER" if any lab
  last by AVAL
end
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_last_by_a_column_takes_its_largest_number(engine):
    """A: the HIGH row with the larger AVAL (80), not the later one; B: every row NORMAL, the
    one with a number beats the one without; C: a tie on AVAL goes to the later row (ASEQ 2);
    D: no number at all (a text, a blank): the last row in date order."""
    adsl = pd.DataFrame({"USUBJID": list("ABCD"), "RANDDT": ["2023-01-01"] * 4})
    adlb = pd.DataFrame({
        "USUBJID": list("AAABBCCDD"), "ASEQ": [1, 2, 3, 1, 2, 1, 2, 1, 2], "PARAMCD": ["ALT"] * 9,
        "ANRIND": ["HIGH", "HIGH", "HIGH", "NORMAL", "NORMAL", "HIGH", "HIGH", "LOW", "NORMAL"],
        "AVAL": ["50", "80", "10", "20", "", "60", "60", "x", None],
        "ADT": ["2023-01-02", "2023-01-03", "2023-01-04", "2023-01-02", "2023-01-03", "2023-01-02",
                "2023-01-05", "2023-01-02", "2023-01-03"],
    })  # fmt: skip
    compiled = CompiledFile.from_model(endpointdsl.check_text(BY_AVAL, "walt.ept"))
    result = compiled.run({"adsl": adsl, "adlb": adlb}, engine=engine)
    got = {r.USUBJID: (r.AVALC, r.ADT.isoformat(), r.SRCSEQ) for r in result.adtte.itertuples()}
    assert got == {
        "A": ("HIGH", "2023-01-03", 2), "B": ("NORMAL", "2023-01-02", 1),
        "C": ("HIGH", "2023-01-05", 2), "D": ("OTHER", "2023-01-03", 2),
    }  # fmt: skip
    first = CompiledFile.from_model(
        endpointdsl.check_text(BY_AVAL.replace("last by", "first by"), "walt.ept")
    )
    result = first.run({"adsl": adsl, "adlb": adlb}, engine=engine)
    got = {r.USUBJID: (r.ADT.isoformat(), r.SRCSEQ) for r in result.adtte.itertuples()}
    # A: the smallest AVAL (10, ASEQ 3); C: a tie goes to the earlier row; D: the first row
    assert got == {
        "A": ("2023-01-04", 3),
        "B": ("2023-01-02", 1),
        "C": ("2023-01-02", 1),
        "D": ("2023-01-02", 1),
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_first_by_date_and_an_outcome_without_aval(engine):
    text = RULES.replace("last by date", "first by date").replace('"N" = 0 if', '"N" if')
    text = text.replace("  cutoff 2023-01-20\n", "").replace("  first by", '    otherwise "NONE"\n  first by')
    result = run_rules(text)[engine]
    got = {r.USUBJID: (r.AVALC, r.ADT, r.AVAL) for r in result.adtte.itertuples()}
    assert got["2"][:2] == ("N", dt.date(2023, 1, 2)) and pd.isna(got["2"][2])
    assert got["4"][:2] == ("Y", dt.date(2023, 1, 21))
    assert got["1"][0] == "NONE" and pd.isna(got["1"][1]) and pd.isna(got["1"][2])
