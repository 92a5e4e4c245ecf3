"""Scenario files (issue 15): the reader (grammar/scenarios.lark) and the checks against the .ept (E400-E413)."""

from __future__ import annotations

import textwrap

import pytest

from endpointdsl import api
from endpointdsl.language.diagnostics import EptError
from endpointdsl.testing.scenario_check import check_scenarios
from endpointdsl.testing.scenarios import parse_scenarios

EPT = """\
table adsl: one row per subject
table adrs: many rows per subject

event rand = adsl.RANDDT label "Randomisation"
event death = adsl.DTHDT label "Death"
event pd = adrs.ADT where PARAMCD = "OVR" and AVALC = "PD" sequence ASEQ label "Progression"
event scan = adrs.ADT where PARAMCD = "OVR" sequence ASEQ

endpoint PFS "Progression-free survival (days)"
  from rand
  to first of pd, death
  censor at last scan cnsr 1 cnsdtdsc "Last scan"
  censor at origin cnsr 2 cnsdtdsc "Randomisation"
end
"""


@pytest.fixture(scope="module")
def model():
    return api.check_text(EPT, "pfs.ept")


def test_a_file_reads_as_written():
    text = textwrap.dedent("""\
        # a comment before everything
        background
            adsl: RANDDT = 2020-01-01   # a comment after a row

        scenario "B1: \\"quoted\\" name"
            # a comment line inside
            adrs: ASEQ = 2, ADT = "2020-02", AVALC = missing, X = -2.5
            expect PFS: ADT = 2020-03-01, CNSR = 0, EVNTDESC = "Progression"
            expect PFS: excluded "no origin"
        scenario "second"
            expect PFS: no record""")  # no line break at the end
    f = parse_scenarios(text, "x.scenarios")
    assert [(r.table, [(c.column, c.value.kind, c.value.text) for c in r.cells]) for r in f.background] == [
        ("adsl", [("RANDDT", "date", "2020-01-01")])
    ]
    first, second = f.scenarios
    assert (first.name, first.number, first.span.line) == ('B1: "quoted" name', 1, 5)
    (row,) = first.rows
    assert [(c.column, c.value.kind, c.value.text) for c in row.cells] == [
        ("ASEQ", "number", "2"),
        ("ADT", "text", "2020-02"),
        ("AVALC", "missing", ""),
        ("X", "number", "-2.5"),
    ]
    values, excluded = first.expects
    assert (values.kind, [(c.column, c.value.text) for c in values.cells]) == (
        "values",
        [("ADT", "2020-03-01"), ("CNSR", "0"), ("EVNTDESC", "Progression")],
    )
    assert (excluded.kind, excluded.reason) == ("excluded", "no origin")
    assert (second.number, second.expects[0].kind, second.rows) == (2, "no record", ())


# (file text, [(code, line, column, words of the message, words of the hint)])
SYNTAX = {
    "partial-date-unquoted": (
        'scenario "a"\n  adsl: RANDDT = 2020-04\n  expect PFS: no record\n',
        [("E003", 2, 22, "unexpected value -04", 'as a text, as in "2020-04"')],
    ),
    "missing-colon": (
        'scenario "a"\n  expect PFS CNSR = 0\n',
        [("E003", 2, 14, "unexpected name 'CNSR'", 'expected ":"')],
    ),
    "unfinished-line": (
        'scenario "a"\n  expect PFS: CNSR = 0,\n',
        [("E002", 2, 24, "ends too early", "expected a name")],
    ),
    "word-quotes": (
        'scenario "a"\n  adsl: A = \u201cPD\u201d\n  expect PFS: no record\n',
        [("E001", 2, 13, "unexpected character", "straight double quotes")],
    ),
    "expect-in-background": (
        "background\n  expect PFS: no record\n",
        [("E003", 2, 3, "'expect'", "belong to a scenario")],
    ),
    "misspelt-keyword": (
        'scenario "a"\n  expect PFS: no recrod\n',
        [("E003", 2, 18, "'recrod'", "did you mean `record`")],
    ),
    "every-error-at-once": (
        'scenario "a"\n  adsl RANDDT = 2020-01-01\n  expect PFS: CNSR = \n  expect PFS: no record\n',
        [
            ("E003", 2, 8, "unexpected name 'RANDDT'", 'expected ":"'),
            ("E002", 3, 22, "ends too early", "a date (YYYY-MM-DD)"),
        ],
    ),
}


@pytest.mark.parametrize("text, expected", SYNTAX.values(), ids=SYNTAX.keys())
def test_syntax_errors_have_place_caret_and_hint(text, expected):
    with pytest.raises(EptError) as err:
        parse_scenarios(text, "s.scenarios")
    got = err.value.diagnostics
    assert [(d.code, d.span.line, d.span.column) for d in got] == [e[:3] for e in expected]
    for d, (*_, message, hint) in zip(got, expected, strict=True):
        assert message in d.message and hint in (d.hint or "")
        rendered = d.render()
        assert rendered.startswith(f"s.scenarios:{d.span.line}:{d.span.column}: error {d.code}")
        assert rendered.splitlines()[2].strip().startswith("^")  # the caret under the line


# (scenario file text, code, line, column, words of the message, words of the hint)
CHECKS = {
    "unknown-table": (
        'scenario "a"\n  adls: RANDDT = 2020-01-01\n  expect PFS: no record\n',
        "E400",
        2,
        3,
        "no table 'adls'",
        "did you mean adsl",
    ),
    "unknown-column": (
        'scenario "a"\n  adsl: RANDT = 2020-01-01\n  expect PFS: no record\n',
        "E401",
        2,
        9,
        "reads no column RANDT of adsl",
        "did you mean RANDDT",
    ),
    "key-column": (
        'scenario "a"\n  adrs: USUBJID = "X"\n  expect PFS: no record\n',
        "E402",
        2,
        9,
        "USUBJID is the subject key of adrs",
        "its own subject",
    ),
    "number-for-a-date": (
        'scenario "a"\n  adsl: DTHDT = 3\n  expect PFS: no record\n',
        "E403",
        2,
        17,
        "read as a date, not a number",
        'as a text, as in "2020-02-30"',
    ),
    "date-for-a-number": (
        'scenario "a"\n  adrs: ASEQ = 2020-01-01\n  expect PFS: no record\n',
        "E403",
        2,
        16,
        "read as a number, not a date",
        '"2020-01-01" as a text',
    ),
    "second-subject-row": (
        'scenario "a"\n  adsl: RANDDT = 2020-01-01\n  adsl: DTHDT = 2020-02-01\n  expect PFS: no record\n',
        "E404",
        3,
        3,
        "second row",
        "one row per subject",
    ),
    "unknown-endpoint": (
        'scenario "a"\n  expect PSF: no record\n',
        "E405",
        2,
        10,
        "no endpoint PSF",
        "did you mean PFS",
    ),
    "unknown-output-column": (
        'scenario "a"\n  expect PFS: ADTT = 2020-01-01\n',
        "E406",
        2,
        15,
        "no column ADTT",
        "did you mean ADT",
    ),
    "text-for-a-number": (
        'scenario "a"\n  expect PFS: CNSR = "0"\n',
        "E407",
        2,
        22,
        "CNSR is a number, not a text",
        "write a number",
    ),
    "number-for-a-text": (
        'scenario "a"\n  expect PFS: EVNTDESC = 3\n',
        "E407",
        2,
        26,
        "not a number",
        'EVNTDESC = "3"',
    ),
    "empty-reason": (
        'scenario "a"\n  expect PFS: excluded ""\n',
        "E407",
        2,
        10,
        "empty reason",
        "words of the reason",
    ),
    "duplicate-name": (
        'scenario "a"\n  expect PFS: no record\nscenario "a"\n  expect PFS: no record\n',
        "E408",
        3,
        10,
        'scenario "a" is named twice (first on line 1)',
        "its own name",
    ),
    "no-expect": (
        'scenario "a"\n  adsl: RANDDT = 2020-01-01\n',
        "E409",
        1,
        10,
        "no `expect` line",
        "no record",
    ),
    "no-scenario": (
        "background\n  adsl: RANDDT = 2020-01-01\n",
        "E410",
        1,
        1,
        "no scenario",
        'scenario "NAME"',
    ),
    "empty-background": (
        'background\nscenario "a"\n  expect PFS: no record\n',
        "E411",
        1,
        1,
        "no rows",
        "remove it",
    ),
    "column-twice": (
        'scenario "a"\n  adsl: RANDDT = 2020-01-01, RANDDT = missing\n  expect PFS: no record\n',
        "E412",
        2,
        30,
        "RANDDT is given twice",
        "give it once",
    ),
    "impossible-date": (
        'scenario "a"\n  adsl: DTHDT = 2020-02-30\n  expect PFS: no record\n',
        "E414",
        2,
        17,
        "2020-02-30 is not a date of the calendar",
        'write it as a text: "2020-02-30"',
    ),
    "impossible-expected-date": (
        'scenario "a"\n  expect PFS: ADT = 2021-02-29\n',
        "E414",
        2,
        21,
        "not a date of the calendar",
        "as a text",
    ),
    "endpoint-twice": (
        'scenario "a"\n  expect PFS: CNSR = 1\n  expect PFS: no record\n',
        "E413",
        3,
        10,
        "PFS is expected twice",
        "first on line 2",
    ),
}


@pytest.mark.parametrize("text, code, line, column, message, hint", CHECKS.values(), ids=CHECKS.keys())
def test_checks_against_the_ept(model, text, code, line, column, message, hint):
    (d,) = check_scenarios(parse_scenarios(text, "s.scenarios"), model)
    assert (d.code, d.span.line, d.span.column) == (code, line, column)
    assert message in d.message, d.message
    assert hint in d.hint, d.hint


def test_every_problem_is_reported_at_once(model):
    text = (
        "background\n  adsl: RANDT = 2020-01-01\n"
        'scenario "a"\n  adrs: ASEQ = 2020-01-01\n  expect PSF: no record\n'
        'scenario "a"\n  expect PFS: ADTT = 1\n'
    )
    codes = [(d.code, d.span.line) for d in check_scenarios(parse_scenarios(text, "s"), model)]
    assert sorted(codes) == [("E401", 2), ("E403", 4), ("E405", 5), ("E406", 7), ("E408", 6)]


def test_a_good_file_has_no_problem(model):
    text = (
        'background\n  adsl: RANDDT = 2020-01-01\n  adrs: ASEQ = 1, PARAMCD = "OVR", AVALC = "SD", ADT = 2020-02-01\n'
        'scenario "a"\n  adsl: DTHDT = "2020-02-30"\n  adrs: ASEQ = "x", ADT = missing\n'
        '  expect PFS: ADT = 2020-02-01, AVAL = 32, CNSR = 1, CNSDTDSC = "Last scan", SRCSEQ = missing\n'
    )
    assert check_scenarios(parse_scenarios(text, "s"), model) == []


def test_the_api_reads_and_checks_with_source_lines(tmp_path, model):
    path = tmp_path / "pfs.scenarios"
    path.write_text('scenario "a"\n  adsl: RANDT = 2020-01-01\n  expect PFS: no record\n', encoding="utf-8")
    with pytest.raises(EptError) as err:
        api.read_scenario_file(path, model)
    assert err.value.diagnostics[0].source_line == "  adsl: RANDT = 2020-01-01"
    path.write_bytes(b'scenario "\xff"\n')
    with pytest.raises(EptError, match="E004"):
        api.read_scenario_file(path, model)
