"""Conditions comparing with other values (issue 12: conditions): syntax, model, and the
three-valued results of docs/semantics.md section 1 in every engine, cell by cell."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import endpointdsl
from endpointdsl.api import CompiledFile
from endpointdsl.check import model as m
from endpointdsl.language import nodes as n
from endpointdsl.language.printer import format_condition
from endpointdsl.language.transformer import parse

HEAD = """\
table adsl: one row per subject
table adlb: many rows per subject
event rand = adsl.RANDDT
event lab = adlb.ADT sequence LBSEQ
"""


def where(cond: str) -> n.Condition:
    text = HEAD + f"population p = adlb where {cond}\n"
    return parse(text, "x.ept").items[-1].population.where


def checked(cond: str) -> m.Condition:
    model = endpointdsl.check_text(HEAD + f"endpoint X \"x\"\n  from rand\n  to lab\n  censor at origin cnsr 1\n"
                                   f"  among adlb where {cond}\nend\n")  # fmt: skip
    return model.endpoints[0].population.where


@pytest.mark.parametrize(
    "text", ["AVAL <= BASE - 10", "AVAL <= BASE -10", "AVAL <= BASE-10", "AVAL<=BASE - +10"]
)
def test_minus_ten_is_one_condition_however_written(text):
    assert where(text) == where("AVAL <= BASE - 10")
    assert format_condition(where(text)) == "AVAL <= BASE - 10"


@pytest.mark.parametrize(
    "text", ["AVAL > BASE+10", "AVAL > BASE + 10", "AVAL > BASE - -10", "AVAL > BASE +10"]
)
def test_plus_ten_is_one_condition_however_written(text):
    assert where(text) == where("AVAL > BASE + 10")


def test_a_signed_literal_stays_a_literal():
    assert where("CHG <= -10") == n.Compare(n.Ident("CHG"), "<=", n.NumberOperand("-10"))
    assert checked("CHG <= -10") == m.Compare("CHG", "<=", m.Literal("number", -10.0))


def test_the_model_says_what_each_side_is_read_as():
    assert checked("AVAL <= BASE - 10") == m.CompareColumns(
        "AVAL", "<=", "number", m.OtherColumn("BASE"), 1.0, -10.0
    )
    assert checked("AVAL > 3 * ANRHI") == m.CompareColumns("AVAL", ">", "number", m.OtherColumn("ANRHI"), 3.0)
    assert checked("AVAL = BASE") == m.CompareColumns("AVAL", "=", "any", m.OtherColumn("BASE"))
    # ADT is the date column of `lab`: a date, without a unit
    assert checked("ADT >= adsl.TRTSDT") == m.CompareColumns(
        "ADT", ">=", "date", m.OtherColumn("TRTSDT", "adsl")
    )
    assert checked("ADT <= adsl.TRTEDT + 2 weeks") == m.CompareColumns(
        "ADT", "<=", "date", m.OtherColumn("TRTEDT", "adsl"), 1.0, 14.0
    )
    # a subject-level event without condition is its column (`rand` reads adsl.RANDDT)
    assert checked("ADT <= rand + 30 days") == checked("ADT <= adsl.RANDDT + 30 days")
    assert checked("ADT > 2024-01-01 + 30 days") == m.Compare(
        "ADT", ">", m.Literal("date", dt.date(2024, 1, 31))
    )
    assert checked("AVAL > 10 - 2.5") == m.Compare("AVAL", ">", m.Literal("number", 7.5))


# ---- what a comparison gives, in every engine ---------------------------------------------------

ENGINES = ("sql", "compiled", "interpreter")


def truth(cond: str, cells: list[tuple[object, object]], other_in_adsl: bool = False) -> dict[str, list]:
    """Per engine, the value (True, False, None: unknown) of `cond` on one adlb row per
    subject whose X and Y are the given cells (Y in adsl with `other_in_adsl`)."""
    text = HEAD + "".join(
        f'endpoint {code} "x"\n  from rand\n  to lab\n  censor at origin cnsr 1\n  among adlb where {c}\nend\n'
        for code, c in (("T", cond), ("F", f"not ({cond})"))
    )
    compiled = CompiledFile.from_model(endpointdsl.check_text(text, "truth.ept"))
    ids = [f"S{i}" for i in range(len(cells))]
    adsl = pd.DataFrame({"USUBJID": ids, "RANDDT": "2024-01-01", "Y": [y for _, y in cells]}, dtype=object)
    adlb = pd.DataFrame(
        {"USUBJID": ids, "ADT": "2024-01-02", "LBSEQ": 1.0, "X": [x for x, _ in cells]}, dtype=object
    )
    if not other_in_adsl:
        adlb["Y"] = [y for _, y in cells]
    out = {}
    for engine in ENGINES:
        adtte = compiled.run({"adsl": adsl, "adlb": adlb}, engine=engine).adtte
        true, false = set(adtte.USUBJID[adtte.PARAMCD == "T"]), set(adtte.USUBJID[adtte.PARAMCD == "F"])
        out[engine] = [True if s in true else False if s in false else None for s in ids]
    return out


ANY_CASES = [  # X, Y, X = Y, X < Y
    ("1", "1.0", True, False),  # two numbers
    (2, "10", False, True),  # numbers, not texts ("2" > "10" as texts)
    ("A", "A", True, None),  # texts: only = and !=
    ("A", "B", False, None),
    ("2024-01-02", dt.date(2024, 1, 2), True, False),  # two ISO dates
    ("2024-01-02", "2024-01-10T10:00", False, True),
    ("1", "A", None, None),  # a number and a text: unknown
    ("2024-01-02", "A", None, None),
    (None, "A", None, None),  # missing: unknown
    ("2024-01", "2024-01-05", None, None),  # a partial date is a text; the other a date
]


@pytest.mark.parametrize("other_in_adsl", [False, True], ids=["same-row", "adsl"])
def test_a_bare_comparison_reads_both_cells_as_one_kind(other_in_adsl):
    cells = [(x, y) for x, y, _, _ in ANY_CASES]
    other = "adsl.Y" if other_in_adsl else "Y"
    for op, column in (("=", 2), ("<", 3)):
        want = [case[column] for case in ANY_CASES]
        for engine, got in truth(f"X {op} {other}", cells, other_in_adsl).items():
            assert got == want, (engine, op)


def test_numbers_with_a_factor_and_an_amount():
    cells = [(98, 33), (100, 33), ("<5", 1), (3, None), (" 7", "2"), (-1, -0.5)]
    for engine, got in truth("X > 3 * Y - 1", cells).items():
        assert got == [False, True, None, None, True, True], engine  # 98 > 98, 100 > 98, 7 > 5, -1 > -2.5
    for engine, got in truth("X <= Y -10", [(0, 10), (1, 10), ("x", 1)]).items():
        assert got == [True, False, None], engine


def test_dates_moved_by_days_partial_dates_are_unknown():
    cells = [
        ("2024-01-31", "2024-01-01"),
        ("2024-02-01", "2024-01-01"),
        ("2024-02", "2024-01-01"),  # partial: never imputed in a condition
        ("2024-01-15", None),  # missing subject-level date
        (dt.date(2024, 1, 31), dt.datetime(2024, 1, 1, 23, 0)),
        ("9999-12-31", "9999-12-30"),  # held at the end of the calendar
    ]
    for engine, got in truth("X <= adsl.Y + 30 days", cells, other_in_adsl=True).items():
        assert got == [True, False, None, None, True, True], engine


def test_not_equal_to_another_cell_warns_about_missing_cells():
    text = HEAD + 'event other = adlb.ADT where ARM != adsl.ARM\nendpoint X "x"\n  from rand\n  to other\n'
    model = endpointdsl.check_text(text + "  censor at origin cnsr 1\nend\n")
    assert [w.code for w in model.warnings] == ["W101"]
