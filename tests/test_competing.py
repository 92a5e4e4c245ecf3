"""Competing events (issue 13, item 2): the syntax round trip, the model's tie order, variants,
and the same-day rule on hand-made subjects in every engine (docs/semantics.md 3, step 4)."""

from __future__ import annotations

import pandas as pd
import pytest

from endpointdsl import CompiledFile, EptError, check_text
from endpointdsl.language.printer import format_program
from endpointdsl.language.transformer import parse

HEAD = """\
table adsl: one row per subject
table adrs: many rows per subject
event infusion = adsl.INFDT
event death = adsl.DTHDT label "Death"
event relapse = adrs.ADT where PARAMCD = "REL" sequence ASEQ label "Relapse"
event alive = adsl.LSTALVDT
"""
CIR = """\
endpoint CIR "CIR"
  from infusion
  to relapse competing death cnsr 2 evntdesc "Death (competing)"
  same day: event first
  censor at alive cnsr 1
end
"""
NRM = """\
endpoint NRM "NRM"
  from infusion
  to death competing relapse cnsr 2
  same day: competing first
  censor at alive cnsr 1
end
"""


@pytest.mark.parametrize(
    "clause",
    [
        "to relapse competing death cnsr 2",
        'to first of relapse, death competing alive cnsr 3 evntdesc "x", infusion cnsr 4',
        'to death competing relapse cnsr 2 evntdesc "Relapse"',
    ],
)
def test_competing_events_print_back_to_the_same_program(clause):
    text = HEAD + CIR.replace('to relapse competing death cnsr 2 evntdesc "Death (competing)"', clause)
    assert parse(format_program(parse(text))) == parse(text)


def test_the_model_lists_the_events_in_the_order_a_tie_is_decided():
    model = check_text(HEAD + CIR + NRM, "t.ept")
    cir, nrm = model.endpoints
    assert [(t.event, t.cnsr, t.evntdesc) for t in cir.events] == [
        ("relapse", 0, "Relapse"),
        ("death", 2, "Death (competing)"),
    ]
    assert [(t.event, t.cnsr) for t in nrm.events] == [("relapse", 2), ("death", 0)]
    assert (cir.same_day, nrm.same_day) == ("event", "competing")


def test_a_variant_without_competing_events_drops_the_same_day_rule():
    text = HEAD + NRM + 'endpoint OS "OS" like NRM\n  to death\nend\n'
    os_ = check_text(text, "t.ept").endpoint("OS")
    assert [(t.event, t.cnsr) for t in os_.events] == [("death", 0)] and os_.same_day is None
    # with competing events of its own, the base's rule is kept
    text = HEAD + NRM + 'endpoint NRM2 "x" like NRM\n  to death competing relapse cnsr 5\nend\n'
    assert [t.cnsr for t in check_text(text, "t.ept").endpoint("NRM2").events] == [5, 0]


def test_the_checker_refuses_a_clash_with_a_censoring_code():
    with pytest.raises(EptError) as info:
        check_text(HEAD + CIR.replace("cnsr 2", "cnsr 1"), "t.ept")
    assert [d.code for d in info.value.errors] == ["E271"]


# ---- the same-day rule, subject by subject, in every engine ------------------------------------

SUBJECTS = [  # (id, death, relapses, last alive) -> CIR (ADT, CNSR), NRM (ADT, CNSR)
    ("S1", "2023-03-01", ["2023-03-01"], "2023-03-01", ("2023-03-01", 0), ("2023-03-01", 2)),  # same day
    ("S2", "2023-04-01", ["2023-02-01"], "2023-04-01", ("2023-02-01", 0), ("2023-02-01", 2)),  # death after
    ("S3", "2023-02-10", [], "2023-02-10", ("2023-02-10", 2), ("2023-02-10", 0)),  # death, no relapse
    ("S4", "2023-02-10", ["2022-12-01"], "2023-02-10", ("2023-02-10", 2), ("2023-02-10", 0)),  # before origin
    ("S5", "", [], "2023-06-01", ("2023-06-01", 1), ("2023-06-01", 1)),  # neither
    ("S6", "2023-01-01", ["2023-01-01"], "2023-01-01", ("2023-01-01", 0), ("2023-01-01", 2)),  # at the origin
]


@pytest.mark.parametrize("engine", ["interpreter", "compiled", "sql"])
def test_same_day_relapse_and_death_is_a_relapse_in_cir_and_in_nrm(engine):
    adsl = pd.DataFrame(
        [{"USUBJID": s, "INFDT": "2023-01-01", "DTHDT": d, "LSTALVDT": a} for s, d, _, a, *_ in SUBJECTS]
    )
    adrs = pd.DataFrame(
        [
            {"USUBJID": s, "PARAMCD": "REL", "ADT": r, "ASEQ": i}
            for s, _, rs, *_ in SUBJECTS
            for i, r in enumerate(rs)
        ],
        columns=["USUBJID", "PARAMCD", "ADT", "ASEQ"],
    )
    program = CompiledFile.from_model(check_text(HEAD + CIR + NRM, "t.ept"))
    adtte = program.run({"adsl": adsl, "adrs": adrs}, engine=engine).adtte
    got = {(r.USUBJID, r.PARAMCD): (str(r.ADT)[:10], int(r.CNSR)) for r in adtte.itertuples()}
    for sid, *_, cir, nrm in SUBJECTS:
        assert got[sid, "CIR"] == cir, sid
        assert got[sid, "NRM"] == nrm, sid
