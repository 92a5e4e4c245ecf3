"""Partial dates: imputed only by a declared rule, flagged in ADTF/STARTDTF (DOMAIN.md G).

Oracles are DOMAIN.md G3's worked examples; both engines must give them.
"""

from __future__ import annotations

import datetime as dt

import pytest

import endpointdsl

PROGRAM = """
table adsl: one row per subject
table adae: many rows per subject
event first_dose = adsl.TRTSDT
event death = adsl.DTHDTC impute last label "Death"
event ae_start = adae.ASTDTC sequence AESEQ impute first not before first_dose label "First AE"
event ae_end = adae.AENDTC sequence AESEQ impute last not after death label "AE end"
event enrolment = adsl.ENRLDTC impute mid
endpoint TTAE "Time to first adverse event"
  from first_dose
  to ae_start
  censor at death cnsr 1
end
endpoint AEEND "Time to end of an adverse event"
  from first_dose
  to ae_end
  censor at death cnsr 1
end
endpoint ENR "From enrolment"
  from enrolment
  to death
  censor at first_dose cnsr 1
end
"""
COMPILED = endpointdsl.CompiledFile.from_model(endpointdsl.check_text(PROGRAM, "impute.ept"))


def derive(code, adsl, adae=()):
    tables = {"adsl": [adsl], "adae": list(adae)}
    compiled = COMPILED[code](tables, subject_id="S1")
    assert compiled == COMPILED[code].interpret(tables, subject_id="S1")
    return compiled


@pytest.mark.parametrize(
    "start, expected, flag",
    [
        ("2024-03", "2024-03-18", "D"),  # first of month would precede the first dose: the dose date
        ("2024-04", "2024-04-01", "D"),  # the first dose is outside April: first of month
        ("2024", "2024-03-18", "M"),  # month and day imputed, still not before the dose
        ("2024-03-25", "2024-03-25", None),  # a complete date is not imputed
    ],
)
def test_ae_start_first_not_before_first_dose(start, expected, flag):
    adsl = {"TRTSDT": "2024-03-18", "DTHDTC": "2024-12-20"}
    rec = derive("TTAE", adsl, [{"ASTDTC": start, "AESEQ": 1}]).record
    assert (rec.ADT.isoformat(), rec.ADTF, rec.CNSR) == (expected, flag, 0)


def test_ae_start_before_the_dose_month_keeps_first_of_month_and_is_before_origin():
    # "2024-02" with TRTSDT 2024-03-18: the dose date is outside February, so 2024-02-01
    # (DOMAIN.md G3); that is before the origin, so it is ignored and reported.
    result = derive(
        "TTAE", {"TRTSDT": "2024-03-18", "DTHDTC": "2024-12-20"}, [{"ASTDTC": "2024-02", "AESEQ": 1}]
    )
    assert "ae_start on 2024-02-01 is before the origin 2024-03-18; ignored" in result.findings
    assert result.record.CNSR == 1


def test_ae_end_last_not_after_death():
    adsl = {"TRTSDT": "2024-03-18", "DTHDTC": "2024-07-20"}
    rec = derive("AEEND", adsl, [{"AENDTC": "2024-07", "AESEQ": 3}]).record
    assert (rec.ADT, rec.ADTF, rec.SRCSEQ) == (dt.date(2024, 7, 20), "D", 3)


def test_death_imputed_last_and_flagged():
    rec = derive("TTAE", {"TRTSDT": "2024-03-18", "DTHDTC": "2024-06"}).record
    assert (rec.ADT, rec.ADTF, rec.CNSR) == (dt.date(2024, 6, 30), "D", 1)


def test_origin_imputation_flag_is_startdtf():
    rec = derive("ENR", {"TRTSDT": "2024-03-18", "ENRLDTC": "2024-02", "DTHDTC": ""}).record
    assert (rec.STARTDT, rec.STARTDTF, rec.ADT, rec.ADTF) == (
        dt.date(2024, 2, 15),
        "D",
        dt.date(2024, 3, 18),
        None,
    )


def test_without_a_rule_a_partial_date_is_reported_not_imputed():
    program = PROGRAM.replace(' impute last label "Death"', ' label "Death"')
    compiled = endpointdsl.CompiledFile.from_model(endpointdsl.check_text(program))
    result = compiled["TTAE"]({"adsl": [{"TRTSDT": "2024-03-18", "DTHDTC": "2024-06"}], "adae": []}, "S1")
    assert result.excluded == "no event, and no censoring rule applies"
    assert result.findings == (
        "death: adsl row 1 has no usable DTHDTC ('2024-06' is a partial date (no imputation rule is declared)); not counted",
    )


@pytest.mark.parametrize("value", ["2024-13", "2024-02-30", "20240315"])
def test_an_impossible_partial_date_is_reported_even_with_a_rule(value):
    result = derive("TTAE", {"TRTSDT": "2024-03-18", "DTHDTC": value})
    assert result.record is None
    assert any("has no usable DTHDTC" in f for f in result.findings)
