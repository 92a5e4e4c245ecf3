"""Printer: `parse(format(ast)) == ast` and `format` is idempotent, on examples and random input."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from endpointdsl import EptError
from endpointdsl.language import nodes as n
from endpointdsl.language.parser import KEYWORD_TERMINALS, RESERVED, build_parser, lark_parser
from endpointdsl.language.printer import format_condition, format_program
from endpointdsl.language.transformer import parse

EXAMPLE_FILES = sorted(EXAMPLES.rglob("*.ept"))


def roundtrip(program: n.Program) -> str:
    text = format_program(program)
    again = parse(text, "<printed>")
    assert again == program, text
    assert format_program(again) == text
    return text


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_examples_round_trip(path):
    program = parse(path.read_text(encoding="utf-8"), str(path))
    text = roundtrip(program)
    assert text.endswith("end\n")


def test_there_are_examples():
    assert EXAMPLE_FILES


def test_empty_program():
    assert format_program(parse("# only a comment\n")) == ""


# ---- conditions: parentheses only where precedence needs them ---------------------------


def cmp(column: str) -> n.Compare:
    return n.Compare(n.Ident(column), "=", n.NumberOperand("1"))


A, B, C = cmp("A"), cmp("B"), cmp("C")
CONDITIONS = [
    (n.Or(n.And(A, B), C), "A = 1 and B = 1 or C = 1"),
    (n.And(n.Or(A, B), C), "(A = 1 or B = 1) and C = 1"),
    (n.And(A, n.Or(B, C)), "A = 1 and (B = 1 or C = 1)"),
    (n.And(n.And(A, B), C), "A = 1 and B = 1 and C = 1"),
    (n.And(A, n.And(B, C)), "A = 1 and (B = 1 and C = 1)"),
    (n.Or(n.Or(A, B), C), "A = 1 or B = 1 or C = 1"),
    (n.Or(A, n.Or(B, C)), "A = 1 or (B = 1 or C = 1)"),
    (n.Not(n.And(A, B)), "not (A = 1 and B = 1)"),
    (n.And(n.Not(A), B), "not A = 1 and B = 1"),
    (n.Not(n.Not(A)), "not not A = 1"),
    (n.Or(A, n.Not(n.Or(B, C))), "A = 1 or not (B = 1 or C = 1)"),
    (
        n.InList(n.Ident("X"), (n.TextOperand('a"b'), n.NameOperand(n.Ident("y"))), True),
        'X not in ("a\\"b", y)',
    ),
    (n.IsMissing(n.Ident("X"), negated=True), "X is not missing"),
]


@pytest.mark.parametrize(("cond", "text"), CONDITIONS, ids=[t for _, t in CONDITIONS])
def test_condition_parentheses(cond, text):
    assert format_condition(cond) == text
    program = n.Program((n.EventDef(n.Ident("e"), n.Ident("t"), n.Ident("c"), where=cond),))
    assert roundtrip(program) == f"event e = t.c where {text}\n"


def test_terminating_events_layout():
    one = parse('endpoint X "x" to first of a end')
    two = parse('endpoint X "x" to a evntdesc "A", b end')
    assert "\n  to a\n" in roundtrip(one)
    assert '\n  to first of a evntdesc "A", b\n' in roundtrip(two)


@pytest.mark.parametrize(
    "text",
    [
        'event death = adsl.DTHDT format "DDMONYYYY" label "Death"\n',
        'event pd = adrs.ADT format "dd/mm/yyyy" where AVALC = "PD" and ADT >= 2024-01-01 sequence ASEQ\n',
        'event x = t.c format "a \\"quoted\\" pattern" impute first\n',  # the checker rejects it; fmt keeps it
    ],
)
def test_date_format_clause_round_trips(text):
    assert roundtrip(parse(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "event cm = adcm.CMSTDTC impute first day not before dose + 1 day\n",
        "event cm = adcm.CMSTDTC impute last not before dose - 2 weeks not after alive +1 day\n",
        "event cm = adcm.CMSTDTC impute mid day not after alive -7 days not after dose\n",
        "event cm = adcm.CMSTDTC impute last not after alive + -1 day\n",  # the checker rejects it (E242)
    ],
)
def test_imputation_day_only_and_bound_offsets_round_trip(text):
    """Finer imputation (issue 12): the number is printed as written, its sign kept apart."""
    assert roundtrip(parse(text)) == text
    assert parse(roundtrip(parse(text))) == parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "date d = first pd after rand\n",
        'date d = first pd on or after rand + 149 days label "Day 150"\n',
        "date d = last visit on or before first pd after rand - 1 day\n",
        "date d = the 2nd therapy after last_dose\n",
        "date d = the 3rd pd + 2 weeks\n",
        "date d = first pd after last visit -1 day\n",
        "date d = first pd after the 2nd visit after rand\n",
    ],
)
def test_relative_dates_round_trip(text):  # reldates
    assert roundtrip(parse(text)) == text
    assert parse(roundtrip(parse(text))) == parse(text)


def test_relative_dates_in_endpoint_clauses_round_trip():
    text = (
        'endpoint X "x"\n  from first pd after rand\n  to death\n  censor at alive + 1 day cnsr 1\n'
        "  cutoff 2nd pd on or after origin exclusive\n  stop at first pd after origin + 3 days inclusive\nend\n"
        'endpoint Y "y"\n  from rand\n  occurrence of ae from first_dose through last_dose + 30 days\nend\n'
    )
    assert parse(roundtrip(parse(text))) == parse(text)


def test_every_keyword_is_reserved():
    """Printed names are safe only if every keyword of the grammar is in RESERVED."""
    lark_parser()
    assert set(KEYWORD_TERMINALS.values()) == RESERVED


# ---- random ASTs ------------------------------------------------------------------------

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True).filter(lambda s: s not in RESERVED)
idents = names.map(n.Ident)
texts = st.text(st.characters(exclude_characters="\n\r"), max_size=12)
operands = st.one_of(
    idents.map(n.NameOperand),
    texts.map(n.TextOperand),
    st.from_regex(r"[+-]?[0-9]{1,6}(\.[0-9]{1,3})?", fullmatch=True).map(n.NumberOperand),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True).map(n.DateOperand),
)
# issue 12: conditions comparing with other values (`AVAL <= 2 * adsl.BASE - 10 days`)
numbers = st.from_regex(r"[+-]?[0-9]{1,6}(\.[0-9]{1,3})?", fullmatch=True).map(n.NumberOperand)
shifts = st.builds(n.Shift, numbers, st.none() | idents)
columns_of = st.builds(n.ColumnOf, idents, idents)
other_values = st.one_of(
    st.builds(n.OtherValue, operands, st.none(), shifts),
    st.builds(n.OtherValue, columns_of, st.none(), st.none() | shifts),
    st.builds(n.OtherValue, idents.map(n.NameOperand) | columns_of, numbers, st.none() | shifts),
)
comparisons = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])
atoms = st.one_of(
    st.builds(n.Compare, idents, comparisons, operands),
    st.builds(n.InList, idents, st.lists(operands, min_size=1, max_size=3).map(tuple), st.booleans()),
    st.builds(n.IsMissing, idents, st.booleans()),
    st.builds(n.CompareTo, idents, comparisons, other_values),
)
conditions = st.recursive(
    atoms,
    lambda sub: st.one_of(st.builds(n.And, sub, sub), st.builds(n.Or, sub, sub), st.builds(n.Not, sub)),
    max_leaves=8,
)
populations = st.one_of(st.builds(n.WithEvent, idents), st.builds(n.TableWhere, idents, conditions))
date_refs = st.one_of(
    st.builds(n.FirstOccurrence, idents),
    st.builds(n.LastOccurrence, idents),
    st.builds(n.OriginDate),
    operands,
)
outcome_items = st.builds(n.OutcomeItem, st.sampled_from(["cnsr", "evntdesc", "cnsdtdsc"]), operands)
item_tuples = st.lists(outcome_items, max_size=2).map(tuple)
options = st.lists(st.one_of(st.builds(n.Inclusivity, st.booleans()), outcome_items), max_size=3).map(tuple)
clauses = st.one_of(
    st.builds(n.Origin, date_refs),
    st.builds(
        n.Terminating, st.lists(st.builds(n.EventRef, idents, item_tuples), min_size=1, max_size=3).map(tuple)
    ),
    st.builds(n.CensorSingle, date_refs, item_tuples),
    st.builds(
        n.CensorLatest,
        st.lists(st.builds(n.Alternative, date_refs, item_tuples), min_size=1, max_size=3).map(tuple),
    ),
    st.builds(n.Horizon, operands, st.booleans(), st.none() | idents, options),
    st.builds(n.Cutoff, date_refs, options),
    st.builds(n.Stop, idents, options),
    st.builds(n.AmongNamed, idents),
    st.builds(n.AmongInline, populations),
    st.builds(n.DayCount, operands),
    st.builds(n.TimeUnit, idents),
    st.builds(n.BeforeOrigin, st.sampled_from(["ignore", "move to origin"])),
    st.builds(n.Ascertainment, st.sampled_from(["continuous", "at visits"])),
    st.builds(n.GroupBy, st.lists(idents, min_size=1, max_size=2).map(tuple), idents),  # groups (issue 13)
    st.builds(  # extreme (issue 19, part 2): `worst of` outcomes, `first|last by date|COLUMN`
        n.Extreme,
        st.sampled_from(["worst", "best", "first"]),
        st.lists(
            st.builds(
                n.ExtremeOutcome,
                operands,
                st.none() | operands,
                st.booleans(),
                idents,
                st.none() | conditions,
            ).filter(lambda o: o.condition is not None or not o.every),
            min_size=1,
            max_size=3,
        ).map(tuple),
        st.none() | operands,
        st.none() | operands,
    ).filter(lambda x: x.otherwise is not None or x.otherwise_aval is None),
    st.builds(n.ExtremePick, st.sampled_from(["first", "last"]), st.none() | idents),
)
items = st.one_of(
    st.builds(n.Table, idents, st.booleans(), st.none() | idents),
    st.builds(
        n.EventDef,
        idents,
        idents,
        idents,
        st.none() | conditions,
        st.none() | idents,
        st.none() | texts,
        format=st.none() | texts.map(n.DateFormat),
    ),
    st.builds(n.PopulationDef, idents, populations),
    st.builds(n.Endpoint, idents, texts, st.lists(clauses, max_size=6).map(tuple)),
    st.deferred(lambda: confirmed_events),
)


@st.composite
def _confirmed_event(draw) -> n.ConfirmedEventDef:
    """`event C = E confirmed ...` (issue 12, item 2) in each of its forms."""
    kind = draw(st.sampled_from(["later", "next", "consecutive", "sustained"]))
    parts: dict = {"kind": kind}
    if kind == "later":
        parts |= {"by": draw(idents), "at_least": draw(operands), "at_least_unit": draw(idents)}
        if draw(st.booleans()):
            parts |= {"at_most": draw(operands), "at_most_unit": draw(idents)}
        parts |= {"without": draw(st.none() | idents)}
    else:
        parts |= {"assessments": draw(idents)}
        parts |= {"by": draw(idents)} if kind == "next" else {}
        parts |= {"count": draw(operands)} if kind == "consecutive" else {}
    if draw(st.booleans()):
        parts |= {"death": draw(idents), "within": draw(operands), "within_unit": draw(idents)}
    return n.ConfirmedEventDef(draw(idents), draw(idents), **parts, label=draw(st.none() | texts))


confirmed_events = _confirmed_event()
programs = st.lists(items, max_size=6).map(lambda xs: n.Program(tuple(xs)))


@given(programs)
def test_random_asts_round_trip(program):
    roundtrip(program)


# ---- random texts from the grammar --------------------------------------------------------


def spaced(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return strategy.map(lambda s: f" {s} ")


def _explicit() -> dict[str, st.SearchStrategy[str]]:
    """Terminal strategies that keep tokens apart, so that most drawn texts parse."""
    out: dict[str, st.SearchStrategy[str]] = {
        "NAME": spaced(names),
        "SIGNED_NUMBER": spaced(st.from_regex(r"[+-]?[0-9]{1,6}(\.[0-9]{1,3})?", fullmatch=True)),
        "STRING": spaced(texts.map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"')),
        "COMMENT": st.from_regex(r"#[^\n]{0,10}", fullmatch=True).map(lambda s: f" {s}\n"),
        "WS": st.sampled_from([" ", "\n", "\t", "\r\n"]),
    }
    for term in lark_parser().terminals:
        if term.name in KEYWORD_TERMINALS:
            out[term.name] = st.just(f" {KEYWORD_TERMINALS[term.name]} ")
        elif term.name not in out:
            out[term.name] = spaced(st.from_regex(term.pattern.to_regexp(), fullmatch=True))
    return out


grammar_texts = from_lark(build_parser(), explicit=_explicit())


@given(grammar_texts)
def test_random_texts_round_trip(text):
    try:
        program = parse(text)
    except EptError:
        assume(False)
    roundtrip(program)
