"""Reference interpreter on response and incidence endpoints (docs/semantics.md section 6).

Worked examples written from section 6 and ../shared/DOMAIN.md D5, D6, D7, D9, H3 and
H4; none of them looks at the compiled implementation. Base scenario of DOMAIN.md:
randomisation 2024-01-15, scans W8 2024-03-11, W16 2024-05-06, W24 2024-07-01,
W32 2024-08-26, W40 2024-10-21.
"""

from __future__ import annotations

import datetime as dt

import pytest

from endpointdsl.api import check_text
from endpointdsl.check import model as m
from endpointdsl.data.values import Subject
from endpointdsl.engines.reference import response as ir
from endpointdsl.engines.reference.interpreter import derive

ONCOLOGY = check_text("""
table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event death = adsl.DTHDT
event nact = adsl.NACTDT
event ovr = adrs.ADT where PARAMCD = "OVR" response AVALC sequence ASEQ
event pd = adrs.ADT where PARAMCD = "OVR" and AVALC = "PD" sequence ASEQ

endpoint BOR "Best overall response"
  from rand
  best response of ovr
  sd at least 42 days after origin
end
endpoint CBOR "Best overall response, confirmed"
  from rand
  best response of ovr
  confirm after 28 days
  sd at least 6 weeks after origin
end
endpoint CBORSD "Best overall response, confirmed, one SD allowed between"
  from rand
  best response of ovr
  confirm after 4 weeks, at most 1 ne between, at most 1 sd between
  sd at least 42 days after origin
end
endpoint CRSP "Confirmed response"
  from rand
  best response of ovr
  confirm after 28 days, at most 1 ne between, at most 0 sd between
  sd at least 42 days after origin
  responder if response in ("CR", "PR")
end
endpoint CBR "Clinical benefit: CR, PR or SD at least 24 weeks"
  from rand
  best response of ovr
  sd at least 24 weeks after origin
  responder if response in ("CR", "PR", "SD")
end
endpoint BORNACT "Best overall response before new anticancer therapy"
  from rand
  best response of ovr
  sd at least 42 days after origin
  stop at nact exclusive
end
endpoint ORR3 "Response at month 3"
  from rand
  origin is day 1
  response of ovr from day 77 through day 105 nearest day 91
  responder if response in ("CR", "PR")
  not evaluable: "N"
end
endpoint ORR3X "Response at month 3, evaluable subjects" like ORR3
  not evaluable: excluded
end
endpoint ORR3B "Best response in the month-3 window" like ORR3
  response of ovr from day 77 through day 105 best
end
endpoint ORR3NE "Response at month 3, NE kept" like ORR3
  not evaluable: "NE"
end

event responded = CRSP.ADT where AVALC = "Y"
endpoint DOR "Duration of response"
  among subjects with responded
  from responded
  to first of pd, death
  censor at last ovr cnsr 1
end
endpoint TTR "Time to confirmed response"
  from rand
  to first of responded
  censor at last ovr cnsr 1
end
event best_row = BOR.ADT response AVALC
endpoint BORBOR "Best response of the BOR row"
  from rand
  best response of best_row
  sd at least 42 days after origin
end
""")

SAFETY = check_text("""
table adsl: one row per subject
table adae: many rows per subject
event infusion = adsl.INFDT
event lymphodepletion = adsl.LDDT
event last_alive = adsl.LSTALVDT
event ae = adae.ASTDT where AEREL = "RELATED" sequence AESEQ
event dlt = adae.ASTDT where DLTFL = "Y" sequence AESEQ

endpoint TRAE "Related AE through Day 28 (infusion Day 0)"
  from infusion
  origin is day 0
  occurrence of ae from day 0 through day 28
end
endpoint TRAE1 "Related AE Day 1 to 28 (CDISC days)"
  from infusion
  origin is day 1
  occurrence of ae from day 1 through day 28
end
endpoint TRAEB "Related AE from baseline through Day 28"
  from infusion
  origin is day 0
  occurrence of ae from lymphodepletion through day 28
end
endpoint TRAES "Related AE through Day 28, safety set, cut-off"
  among adsl where SAFFL = "Y"
  from infusion
  origin is day 0
  occurrence of ae from day 0 through day 28
  cutoff 2024-05-20
end
endpoint TRAEPRE "Related AE in the week before the infusion (CDISC days)"
  from infusion
  origin is day 1
  occurrence of ae from day -7 through day -1
end
endpoint DLT "Dose-limiting toxicity"
  from infusion
  origin is day 0
  occurrence of dlt from lymphodepletion through day 28
  evaluable if occurred or last_alive reaches window end
end
""")

RAND = dt.date(2024, 1, 15)
INFUSION = dt.date(2024, 5, 2)


def date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def oncology(ovr=(), **adsl) -> Subject:
    """One subject: adsl columns, and OVR assessments as (date, response) in ASEQ order."""
    adrs = [
        {"USUBJID": "S1", "PARAMCD": "OVR", "ADT": day, "AVALC": resp, "ASEQ": seq}
        for seq, (day, resp) in enumerate(ovr, 1)
    ]
    return Subject.from_dicts(
        "S1", {"adsl": [{"USUBJID": "S1", "RANDDT": "2024-01-15", **adsl}], "adrs": adrs}
    )


def safety(ae=(), **adsl) -> Subject:
    """One subject infused 2024-05-02 (lymphodepletion from 2024-04-28); ae: (onset, related, DLT)."""
    row = {"USUBJID": "S1", "INFDT": "2024-05-02", "LDDT": "2024-04-28", "SAFFL": "Y", **adsl}
    adae = [
        {"USUBJID": "S1", "ASTDT": onset, "AEREL": rel, "DLTFL": dlt, "AESEQ": seq}
        for seq, (onset, rel, dlt) in enumerate(ae, 1)
    ]
    return Subject.from_dicts("S1", {"adsl": [row], "adae": adae})


def run(model, paramcd: str, subject: Subject):
    return derive(model, model.endpoint(paramcd), subject)


def outcome(model, paramcd, subject) -> tuple:
    """(AVALC, ADT) of the row, or ("excluded", reason)."""
    d = run(model, paramcd, subject)
    if d.record is None:
        return ("excluded", d.excluded)
    return (d.record.AVALC, d.record.ADT)


W8, W16, W24, W32, W40 = "2024-03-11", "2024-05-06", "2024-07-01", "2024-08-26", "2024-10-21"

# ---- 6.2 best overall response: (endpoint, assessments, AVALC, ADT) -------------------

BEST = {
    # D5: SD minimum 42 days, on or after 2024-02-26.
    "D5 SD at +35 then PD": ("BOR", [("2024-02-19", "SD"), (W8, "PD")], "PD", W8),
    "D5 SD at +35 then nothing": ("BOR", [("2024-02-19", "SD")], "NE", "2024-02-19"),
    "D5 SD exactly at +42": ("BOR", [("2024-02-26", "SD")], "SD", "2024-02-26"),
    "D5 SD at +41": ("BOR", [("2024-02-25", "SD")], "NE", "2024-02-25"),
    "D5 NON-CR/NON-PD at +42": ("BOR", [("2024-02-26", "NON-CR/NON-PD")], "NON-CR/NON-PD", "2024-02-26"),
    "D4 SD, PR, PD": ("BOR", [(W8, "SD"), (W16, "PR"), (W24, "PD")], "PR", W16),
    "D3 SD, NE, PR": ("BOR", [(W8, "SD"), (W16, "NE"), (W24, "PR")], "PR", W24),
    "first visit of the best category": ("BOR", [(W8, "SD"), (W16, "SD")], "SD", W8),
    "no assessment": ("BOR", [], "MISSING", None),
    "only NE": ("BOR", [(W8, "NE")], "NE", W8),
    "nothing after the first PD": ("BOR", [(W8, "PD"), (W16, "CR")], "PD", W8),
    "unconfirmed CR early, then PD": ("BOR", [("2024-02-12", "CR"), (W8, "PD")], "CR", "2024-02-12"),
    # D6 with confirmation: >= 28 days, no +1.
    "D6 PR + PR 28 days later": ("CBOR", [(W8, "PR"), ("2024-04-08", "PR")], "PR", W8),
    "D6 PR + PR 25 days later": ("CBOR", [(W8, "PR"), ("2024-04-05", "PR")], "SD", W8),
    "D6 25 days, next scan confirms": ("CBOR", [(W8, "PR"), ("2024-04-05", "PR"), (W16, "PR")], "PR", W8),
    "D6 PR, SD, PD": ("CBOR", [(W8, "PR"), (W16, "SD"), (W24, "PD")], "SD", W8),
    "D6 PR then PD, SD minimum met": ("CBOR", [(W8, "PR"), (W16, "PD")], "SD", W8),
    "D6 PR then PD, SD minimum not met": ("CBOR", [("2024-02-19", "PR"), (W8, "PD")], "PD", W8),
    "D6 PR then NE, SD minimum not met": ("CBOR", [("2024-02-19", "PR"), (W8, "NE")], "NE", "2024-02-19"),
    "D6 PR then CR": ("CBOR", [(W8, "PR"), (W16, "CR")], "PR", W8),
    "D6 CR + CR": ("CBOR", [(W8, "CR"), ("2024-04-08", "CR")], "CR", W8),
    "D6 CR then PR: SD": ("CBOR", [(W8, "CR"), ("2024-04-08", "PR")], "SD", W8),
    "D6 CR then PD, SD minimum not met": ("CBOR", [("2024-02-12", "CR"), (W8, "PD")], "PD", W8),
    "D6 CR then SD": ("CBOR", [(W8, "CR"), (W16, "SD")], "SD", W8),
    "CR, NE, CR: one NE allowed": ("CBOR", [(W8, "CR"), ("2024-04-08", "NE"), (W16, "CR")], "CR", W8),
    "CR, NE, NE, CR: not confirmed": (
        "CBOR",
        [(W8, "CR"), ("2024-04-08", "NE"), ("2024-04-22", "NE"), (W16, "CR")],
        "SD",
        W8,
    ),
    "PR, NE, PR: one NE allowed": ("CBOR", [(W8, "PR"), ("2024-04-08", "NE"), (W16, "PR")], "PR", W8),
    "PR, NE, NE, PR: not confirmed": (
        "CBOR",
        [(W8, "PR"), ("2024-04-08", "NE"), ("2024-04-22", "NE"), (W16, "PR")],
        "SD",
        W8,
    ),
    "PR, SD, PR: no SD allowed": ("CBOR", [(W8, "PR"), ("2024-04-08", "SD"), (W16, "PR")], "SD", W8),
    "PR, SD, PR: one SD allowed": ("CBORSD", [(W8, "PR"), ("2024-04-08", "SD"), (W16, "PR")], "PR", W8),
    "PR, SD, SD, PR: two SD": (
        "CBORSD",
        [(W8, "PR"), ("2024-04-08", "SD"), ("2024-04-22", "SD"), (W16, "PR")],
        "SD",
        W8,
    ),
    "PR, NON-CR/NON-PD, PR: not allowed": (
        "CBORSD",
        [(W8, "PR"), ("2024-04-08", "NON-CR/NON-PD"), (W16, "PR")],
        "SD",
        W8,
    ),
    "PR, CR, CR: confirmed PR": ("CBOR", [(W8, "PR"), ("2024-03-25", "CR"), ("2024-04-08", "CR")], "PR", W8),
    "PR after CR: not confirmed": (
        "CBOR",
        [(W8, "PR"), ("2024-03-25", "CR"), ("2024-04-15", "PR")],
        "SD",
        W8,
    ),
    # CRSP: the flag, ADT of the first confirmed response (the start of DOR, D7).
    "CRSP confirmed PR": ("CRSP", [(W8, "PR"), ("2024-04-08", "PR")], "Y", W8),
    "CRSP 25 days": ("CRSP", [(W8, "PR"), ("2024-04-05", "PR")], "N", None),
    "CRSP SD only": ("CRSP", [(W8, "SD"), (W16, "SD")], "N", None),
    "CRSP no assessment": ("CRSP", [], "N", None),
    "CRSP confirmed later": ("CRSP", [(W8, "SD"), (W16, "PR"), (W24, "CR")], "Y", W16),
    # D9: CBR, SD at least 24 weeks (2024-07-01).
    "D9 CBR SD W8, W16, W24, PD": ("CBR", [(W8, "SD"), (W16, "SD"), (W24, "SD"), (W32, "PD")], "Y", W24),
    "D9 CBR SD W8, W16, PD W24": ("CBR", [(W8, "SD"), (W16, "SD"), (W24, "PD")], "N", None),
    "CBR PR at W8": ("CBR", [(W8, "PR"), (W16, "PD")], "Y", W8),
}


@pytest.mark.parametrize("case", sorted(BEST))
def test_best_response(case):
    paramcd, ovr, avalc, adt = BEST[case]
    assert outcome(ONCOLOGY, paramcd, oncology(ovr)) == (avalc, date(adt))


def test_best_response_row():
    d = run(ONCOLOGY, "BOR", oncology([(W8, "SD"), (W16, "PR"), (W24, "PD")]))
    r = d.record
    assert (r.STARTDT, r.ADT, r.AVALC, r.AVAL) == (RAND, date(W16), "PR", 2)
    assert (r.CNSR, r.AVALU, r.EVNTDESC, r.CNSDTDSC) == (None, None, None, None)
    assert (r.SRCDOM, r.SRCVAR, r.SRCSEQ) == ("ADRS", "ADT", 2)
    assert d.findings == () and d.excluded is None


@pytest.mark.parametrize(
    ("avalc", "aval"),
    [("CR", 1), ("PR", 2), ("SD", 3), ("NON-CR/NON-PD", 4), ("PD", 5), ("NE", 6)],
)
def test_category_codes(avalc, aval):
    assert run(ONCOLOGY, "BOR", oncology([(W8, avalc)])).record.AVAL == aval


def test_codes_of_missing_and_flags():
    assert run(ONCOLOGY, "BOR", oncology()).record.AVAL == 7
    assert run(ONCOLOGY, "CRSP", oncology()).record.AVAL == 0
    assert run(ONCOLOGY, "CRSP", oncology([(W8, "CR"), (W16, "CR")])).record.AVAL == 1


# ---- 6.1 visits ----------------------------------------------------------------------


def test_one_date_gives_the_worst_response_and_is_reported():
    d = run(ONCOLOGY, "BOR", oncology([(W8, "PR"), (W8, "PD"), (W16, "CR")]))
    assert (d.record.AVALC, d.record.ADT, d.record.SRCSEQ) == ("PD", date(W8), 2)
    assert any("2024-03-11" in f and "PD" in f for f in d.findings)


def test_ne_is_the_mildest_on_one_date():
    d = run(ONCOLOGY, "BOR", oncology([(W8, "NE"), (W8, "CR")]))
    assert (d.record.AVALC, d.record.SRCSEQ) == ("CR", 2)


def test_same_response_twice_on_one_date_is_not_reported_and_first_supplies_the_source():
    d = run(ONCOLOGY, "BOR", oncology([(W8, "SD"), (W8, "SD")]))
    assert (d.record.AVALC, d.record.SRCSEQ, d.findings) == ("SD", 1, ())


def test_assessment_before_the_origin_is_reported_and_not_used():
    d = run(ONCOLOGY, "BOR", oncology([("2024-01-10", "CR"), (W8, "SD")]))
    assert (d.record.AVALC, d.record.ADT) == ("SD", date(W8))
    assert any("before the origin" in f and "2024-01-10" in f for f in d.findings)


@pytest.mark.parametrize("bad", [None, "", "   ", "cr", "Partial response", "NON-CR"])
def test_unusable_response_is_reported_and_not_used(bad):
    d = run(ONCOLOGY, "BOR", oncology([(W8, bad), (W16, "SD")]))
    assert (d.record.AVALC, d.record.ADT) == ("SD", date(W16))
    assert len(d.findings) == 1 and "adrs row 1" in d.findings[0]


def test_response_text_is_read_without_trailing_blanks():
    assert outcome(ONCOLOGY, "BOR", oncology([(W8, "PR  ")])) == ("PR", date(W8))


def test_assessments_after_the_end_of_observation_are_not_used():
    subject = oncology([(W8, "SD"), (W16, "PR"), (W24, "CR")], NACTDT=W16)
    assert outcome(ONCOLOGY, "BORNACT", subject) == ("SD", date(W8))
    assert outcome(ONCOLOGY, "BOR", subject) == ("CR", date(W24))


@pytest.mark.parametrize(
    ("adsl", "reason"),
    [
        ({"RANDDT": None}, "no origin date: "),
        ({"NACTDT": "2024-01-01"}, None),  # a stop before the origin does not count (section 3)
    ],
)
def test_steps_one_to_three(adsl, reason):
    d = run(ONCOLOGY, "BORNACT", oncology([(W8, "SD")], **adsl))
    assert (d.excluded or "").startswith(reason or "") and (d.record is None) == (reason is not None)


# ---- 6.3 landmark response -----------------------------------------------------------
# origin is day 1: day 77 = 2024-03-31, day 91 = 2024-04-14, day 105 = 2024-04-28.

LANDMARK = {
    "D9 PR day 57, SD day 113, none in window": ("ORR3", [(W8, "PR"), (W16, "SD")], "N", None),
    "PR on day 91": ("ORR3", [("2024-04-14", "PR")], "Y", "2024-04-14"),
    "day 77 is inside": ("ORR3", [("2024-03-31", "PR")], "Y", "2024-03-31"),
    "day 76 is outside": ("ORR3", [("2024-03-30", "PR")], "N", None),
    "day 105 is inside": ("ORR3", [("2024-04-28", "CR")], "Y", "2024-04-28"),
    "day 106 is outside": ("ORR3", [("2024-04-29", "CR")], "N", None),
    "nearest day 91": ("ORR3", [("2024-04-03", "PR"), ("2024-04-23", "SD")], "N", "2024-04-23"),
    "a tie goes to the earlier": ("ORR3", [("2024-04-09", "PR"), ("2024-04-19", "SD")], "Y", "2024-04-09"),
    "PD before the window": ("ORR3", [(W8, "PD")], "N", W8),
    "NE nearest: not evaluable, its date": (
        "ORR3",
        [("2024-04-03", "PR"), ("2024-04-14", "NE")],
        "N",
        "2024-04-14",
    ),
    "no SD minimum, no confirmation": (
        "ORR3B",
        [("2024-04-03", "SD"), ("2024-04-23", "PR")],
        "Y",
        "2024-04-23",
    ),
    "best in the window": (
        "ORR3B",
        [("2024-04-03", "PR"), ("2024-04-14", "NE"), ("2024-04-23", "SD")],
        "Y",
        "2024-04-03",
    ),
    "best: only NE": ("ORR3B", [("2024-04-03", "NE")], "N", "2024-04-03"),
    "not evaluable text": ("ORR3NE", [(W16, "PR")], "NE", None),
    "excluded, no assessment": ("ORR3X", [(W16, "PR")], "excluded", "not evaluable: "),
    "excluded, NE": ("ORR3X", [("2024-04-14", "NE")], "excluded", "not evaluable: "),
    "PD before the window is evaluable": ("ORR3X", [(W8, "PD")], "N", W8),
}


@pytest.mark.parametrize("case", sorted(LANDMARK))
def test_landmark(case):
    paramcd, ovr, avalc, adt = LANDMARK[case]
    got = outcome(ONCOLOGY, paramcd, oncology(ovr))
    if avalc == "excluded":
        assert got[0] == "excluded" and got[1].startswith(adt)
    else:
        assert got == (avalc, date(adt))


def test_landmark_and_bor_differ_d9():
    subject = oncology([(W8, "PR"), (W16, "SD")])
    assert outcome(ONCOLOGY, "ORR3", subject) == ("N", None)
    assert outcome(ONCOLOGY, "BOR", subject) == ("PR", date(W8))


def test_not_evaluable_text_code():
    assert run(ONCOLOGY, "ORR3NE", oncology()).record.AVAL == 6


# ---- 6.4 incidence in a window (H3, H4; infusion 2024-05-02) -------------------------

OCCURRENCE = {
    "H3 Day 28 with Day 0": ("TRAE", [("2024-05-30", "RELATED", None)], "Y", "2024-05-30"),
    "H3 Day 29 with Day 0": ("TRAE", [("2024-05-31", "RELATED", None)], "N", None),
    "H3 Day 29 with Day 1": ("TRAE1", [("2024-05-30", "RELATED", None)], "N", None),
    "H3 Day 28 with Day 1": ("TRAE1", [("2024-05-29", "RELATED", None)], "Y", "2024-05-29"),
    "infusion day, Day 0": ("TRAE", [("2024-05-02", "RELATED", None)], "Y", "2024-05-02"),
    "infusion day, Day 1": ("TRAE1", [("2024-05-02", "RELATED", None)], "Y", "2024-05-02"),
    "H3 lymphodepletion AE, after infusion": ("TRAE", [("2024-04-29", "RELATED", None)], "N", None),
    "H3 lymphodepletion AE, from baseline": ("TRAEB", [("2024-04-29", "RELATED", None)], "Y", "2024-04-29"),
    "not related": ("TRAE", [("2024-05-10", "NOT RELATED", None)], "N", None),
    "H3 counted once, first onset": (
        "TRAE",
        [("2024-05-20", "RELATED", None), ("2024-05-05", "RELATED", None), ("2024-05-25", "RELATED", None)],
        "Y",
        "2024-05-05",
    ),
    "cut-off ends observation": ("TRAES", [("2024-05-25", "RELATED", None)], "N", None),
    "inside the cut-off": ("TRAES", [("2024-05-20", "RELATED", None)], "Y", "2024-05-20"),
    "day -7 to -1 with Day 1": ("TRAEPRE", [("2024-04-25", "RELATED", None)], "Y", "2024-04-25"),
    "day -1 is the day before": ("TRAEPRE", [("2024-05-01", "RELATED", None)], "Y", "2024-05-01"),
    "day -8 is outside": ("TRAEPRE", [("2024-04-24", "RELATED", None)], "N", None),
    "H4 DLT on 2024-05-10": ("DLT", [("2024-05-10", None, "Y")], "Y", "2024-05-10"),
    "H4 DLT on 2024-05-31 is outside": ("DLT", [("2024-05-31", None, "Y")], "N", None),
    "DLT during lymphodepletion": ("DLT", [("2024-04-28", None, "Y")], "Y", "2024-04-28"),
}


@pytest.mark.parametrize("case", sorted(OCCURRENCE))
def test_occurrence(case):
    paramcd, ae, avalc, adt = OCCURRENCE[case]
    subject = safety(ae, LSTALVDT="2024-08-01")
    assert outcome(SAFETY, paramcd, subject) == (avalc, date(adt))


def test_occurrence_row():
    d = run(SAFETY, "TRAE", safety([("2024-05-10", "RELATED", None)]))
    r = d.record
    assert (r.STARTDT, r.ADT, r.AVALC, r.AVAL, r.SRCDOM, r.SRCVAR, r.SRCSEQ) == (
        INFUSION, date("2024-05-10"), "Y", 1, "ADAE", "ASTDT", 1,
    )  # fmt: skip
    assert (r.CNSR, r.AVALU) == (None, None)


# H4: DLT-evaluable set = had a DLT or completed the window (last alive on or after Day 28).
DLT_EVALUABLE = {
    "H4 died on 2024-05-12 without DLT": ({"LSTALVDT": "2024-05-12"}, [], "not evaluable: "),
    "left the day before the window end": ({"LSTALVDT": "2024-05-29"}, [], "not evaluable: "),
    "no last-alive date": ({}, [], "not evaluable: "),
    "completed the window exactly": ({"LSTALVDT": "2024-05-30"}, [], "N"),
    "DLT then died": ({"LSTALVDT": "2024-05-12"}, [("2024-05-10", None, "Y")], "Y"),
    "no lymphodepletion date": ({"LDDT": None, "LSTALVDT": "2024-08-01"}, [], "no window start date: "),
    "no infusion": ({"INFDT": None, "LSTALVDT": "2024-08-01"}, [], "no origin date: "),
}


@pytest.mark.parametrize("case", sorted(DLT_EVALUABLE))
def test_dlt_evaluable(case):
    adsl, ae, want = DLT_EVALUABLE[case]
    d = run(SAFETY, "DLT", safety(ae, **adsl))
    got = d.record.AVALC if d.record else d.excluded
    assert got.startswith(want) and (d.record is None) == want.endswith(": ")


def test_population_and_observation_window():
    assert run(SAFETY, "TRAES", safety(SAFFL="N")).excluded.startswith("not in population: ")
    late = run(SAFETY, "TRAES", safety(INFDT="2024-05-25"))
    assert late.excluded.startswith("observation ends before the origin: ")


def test_no_window_end_date():
    model = check_text("""
    table adsl: one row per subject
    table adae: many rows per subject
    event infusion = adsl.INFDT
    event eos = adsl.EOSDT
    event ae = adae.ASTDT sequence AESEQ
    endpoint AEEOS "AE until end of study"
      from infusion
      origin is day 0
      occurrence of ae from day 0 through eos
    end
    """)
    d = run(model, "AEEOS", safety())
    assert d.excluded.startswith("no window end date: ")
    assert outcome(model, "AEEOS", safety([("2024-06-01", None, None)], EOSDT="2024-06-01")) == (
        "Y", date("2024-06-01"),
    )  # fmt: skip


# ---- 6.5 endpoints as tables -----------------------------------------------------------

RESPONDER = [(W8, "PR"), ("2024-04-08", "PR")]


def test_dor_from_the_first_confirmed_response_d7():
    d = run(ONCOLOGY, "DOR", oncology([*RESPONDER, (W24, "PR"), (W32, "PD")]))
    r = d.record
    assert (r.STARTDT, r.ADT, r.AVAL, r.CNSR) == (date(W8), date(W32), 169, 0)
    assert (r.SRCDOM, r.SRCVAR, r.SRCSEQ) == ("ADRS", "ADT", 4)


def test_dor_censored_at_the_last_assessment_d7():
    d = run(ONCOLOGY, "DOR", oncology([*RESPONDER, (W16, "PR"), (W24, "CR"), (W32, "CR"), (W40, "CR")]))
    assert (d.record.ADT, d.record.AVAL, d.record.CNSR) == (date(W40), 225, 1)


def test_dor_among_responders_only():
    d = run(ONCOLOGY, "DOR", oncology([(W8, "PR"), ("2024-04-05", "PR")]))
    assert d.excluded.startswith("not in population: ")


def test_derived_occurrence_traces_back_to_the_assessment():
    subject = oncology([(W8, "SD"), (W16, "PR"), (W24, "PR")])
    r = run(ONCOLOGY, "TTR", subject).record
    assert (r.ADT, r.CNSR, r.AVAL) == (date(W16), 0, 113)
    assert (r.SRCDOM, r.SRCVAR, r.SRCSEQ) == ("ADRS", "ADT", 2)
    assert set(subject.tables) == {"adsl", "adrs"}  # nothing cached on the subject


def test_derived_event_with_a_response_column():
    r = run(ONCOLOGY, "BORBOR", oncology([(W8, "SD"), (W16, "PR"), (W24, "PD")])).record
    assert (r.AVALC, r.ADT, r.SRCDOM, r.SRCSEQ) == ("PR", date(W16), "ADRS", 2)
    assert outcome(ONCOLOGY, "BORBOR", oncology()) == ("MISSING", None)


def test_derived_event_carries_the_imputation_flag():
    model = check_text("""
    table adsl: one row per subject
    table adrs: many rows per subject
    event rand = adsl.RANDDT
    event ovr = adrs.ADT where PARAMCD = "OVR" response AVALC sequence ASEQ impute first
    event responded = ORR.ADT where AVALC = "Y"
    endpoint ORR "Objective response"
      from rand
      best response of ovr
      responder if response in ("CR", "PR")
    end
    endpoint TTR "Time to response"
      from rand
      to first of responded
      censor at origin cnsr 1
    end
    endpoint DOR "Duration of response"
      among subjects with responded
      from responded
      to first of responded
      censor at origin cnsr 1
    end
    """)
    subject = oncology([("2024-03", "PR")])
    assert run(model, "ORR", subject).record.ADTF == "D"
    ttr = run(model, "TTR", subject).record
    assert (ttr.ADT, ttr.ADTF) == (date("2024-03-01"), "D")
    dor = run(model, "DOR", subject).record
    assert (dor.STARTDT, dor.STARTDTF) == (date("2024-03-01"), "D")


def test_findings_of_the_other_endpoint_stay_with_it():
    subject = oncology([("2024-01-10", "PR"), *RESPONDER])
    assert run(ONCOLOGY, "CRSP", subject).findings
    assert run(ONCOLOGY, "DOR", subject).findings == run(ONCOLOGY, "DOR", oncology(RESPONDER)).findings


# ---- no origin: not assessed (admiralonco's screen failures) ----------------------------

SCREENING = check_text("""
table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event eos = adsl.EOSDT
event ovr = adrs.ADT where PARAMCD = "OVR" response AVALC sequence ASEQ
endpoint BOR "Best overall response, every subject"
  among adsl where SAFFL = "Y"
  from rand
  no origin: not assessed
  best response of ovr
  sd at least 42 days after origin
end
endpoint RSP "Response, every subject" like BOR
  responder if response in ("CR", "PR")
end
endpoint ORREOS "Response before the end of study"
  from rand
  origin is day 1
  response of ovr from day 1 through eos best
  responder if response in ("CR", "PR")
  not evaluable: "N"
end
""")


@pytest.mark.parametrize(("paramcd", "avalc", "aval"), [("BOR", "MISSING", 7), ("RSP", "N", 0)])
def test_no_origin_reads_as_not_assessed(paramcd, avalc, aval):
    d = run(SCREENING, paramcd, oncology([(W8, "PR")], RANDDT=None, SAFFL="Y"))
    r = d.record
    assert (r.STARTDT, r.STARTDTF, r.ADT, r.AVALC, r.AVAL) == (None, None, None, avalc, aval)
    assert (r.SRCDOM, r.SRCVAR, r.SRCSEQ, r.CNSR, r.AVALU) == (None, None, None, None, None)


def test_no_origin_keeps_the_population():
    d = run(SCREENING, "BOR", oncology([(W8, "PR")], RANDDT=None, SAFFL="N"))
    assert d.excluded.startswith("not in population: ")


def test_visit_findings_are_reported_whatever_the_outcome():
    d = run(SCREENING, "ORREOS", oncology([("2024-01-10", "PR"), (W8, "XX")]))
    assert d.excluded.startswith("no window end date: ")
    assert len(d.findings) == 2


def test_shared_constants_say_what_section_6_says():
    # The interpreter keeps its own copy of the orders and codes; the model's must agree.
    assert tuple(m.RESPONSES) == ir.RESPONSES
    # bor (issue 19): ND (not done) is ranked last, the mildest on a date, with no code
    assert (*m.BEST_ORDER, m.NOT_DONE) == ir.BEST_FIRST
    assert (m.NOT_DONE, *m.WORST_ORDER) == ir.MILDEST_FIRST
    assert dict(m.AVAL_CODES) == ir.CODES
