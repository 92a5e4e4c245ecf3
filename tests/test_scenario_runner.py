"""`endpointdsl test` (issue 15): scenarios run on the three engines, failures with the trace, properties, exit codes.

Expected records are worked out by hand for the small PFS below: randomised 2020-01-01,
a scan on 2020-02-01 is day 32, one on 2020-03-01 day 61 (2020 is a leap year).
"""

from __future__ import annotations

import sys
import types

import pytest
from attrs import frozen
from test_scenarios import EPT

from endpointdsl import api
from endpointdsl.cli import main
from endpointdsl.data.errors import DataError

GOOD = """\
background
    adsl: RANDDT = 2020-01-01, DTHDT = 2020-06-01
    adrs: ASEQ = 1, PARAMCD = "OVR", AVALC = "SD", ADT = 2020-02-01

scenario "progression is the event"
    adrs: ASEQ = 2, PARAMCD = "OVR", AVALC = "PD", ADT = 2020-03-01
    expect PFS: ADT = 2020-03-01, AVAL = 61, CNSR = 0, EVNTDESC = "Progression", SRCDOM = "ADRS", SRCSEQ = 2

scenario "no death, no progression: the last scan"
    # updates the background's adsl row cell by cell: RANDDT stays
    adsl: DTHDT = missing
    expect PFS: ADT = 2020-02-01, AVAL = 32, CNSR = 1, CNSDTDSC = "Last scan", EVNTDESC = missing

scenario "death"
    expect PFS: ADT = 2020-06-01, CNSR = 0, EVNTDESC = "Death", SRCDOM = "ADSL", SRCVAR = "DTHDT"

scenario "no randomisation date"
    adsl: RANDDT = missing
    expect PFS: excluded "no origin date"
"""


def study(tmp_path, scenarios: str, name: str = "pfs"):
    (tmp_path / f"{name}.ept").write_text(EPT, encoding="utf-8")
    (tmp_path / f"{name}.scenarios").write_text(scenarios, encoding="utf-8")
    return tmp_path / f"{name}.ept"


def run(capsys, *argv):
    code = main(["test", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_scenarios_worked_by_hand_pass_on_every_engine(tmp_path, capsys):
    ept = study(tmp_path, GOOD)
    report = api.test_file(ept, properties=False)
    assert report.ok and report.counts == (4, 0)
    code, out, err = run(capsys, ept, "--no-properties")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{ept}: scenarios in {tmp_path / 'pfs.scenarios'}",
        'PASS  scenario "progression is the event"',
        'PASS  scenario "no death, no progression: the last scan"',
        'PASS  scenario "death"',
        'PASS  scenario "no randomisation date"',
        "4 passed, 0 failed (4 scenarios, 0 properties)",
    ]


# (the expect line, words of the derived line): each wrong in one way
WRONG = {
    "a value": (
        "expect PFS: ADT = 2020-03-02, CNSR = 0",
        "PFS: ADT = 2020-03-01, CNSR = 0   (sql, compiled, interpreter)",
    ),
    "no record": (
        "expect PFS: no record",
        'PFS: ADT = 2020-03-01, CNSR = 0, EVNTDESC = "Progression"   (sql',
    ),
    "an exclusion": (
        'expect PFS: excluded "no origin"',
        'PFS: ADT = 2020-03-01, CNSR = 0, EVNTDESC = "Progression"   (sql',
    ),
}


@pytest.mark.parametrize("line, derived", WRONG.values(), ids=WRONG.keys())
def test_a_wrong_expectation_fails_with_the_derived_values_and_the_trace(tmp_path, capsys, line, derived):
    text = GOOD.replace(
        'expect PFS: ADT = 2020-03-01, AVAL = 61, CNSR = 0, EVNTDESC = "Progression", SRCDOM = "ADRS", SRCSEQ = 2',
        line,
    )
    code, out, _ = run(capsys, study(tmp_path, text), "--no-properties")
    assert code == 1
    assert 'FAIL  scenario "progression is the event"' in out
    assert f"  expected  {line.removeprefix('expect ')}" in out
    assert derived in out
    # the trace of the subject, as `endpointdsl trace` prints it, rows numbered in the scenario
    assert "  trace (as `endpointdsl trace` prints it):" in out
    assert "    PFS, subject S001" in out
    assert "pd: adrs row 2 SEQ 2: '2020-03-01' read as 2020-03-01" in out
    assert "3 passed, 1 failed (4 scenarios, 0 properties)" in out
    assert out.count("PFS, subject") == 1  # only the failing scenario is traced


def test_a_record_where_an_exclusion_was_expected_and_the_reverse(tmp_path, capsys):
    text = GOOD.replace('excluded "no origin date"', "CNSR = 1").replace(
        'expect PFS: ADT = 2020-06-01, CNSR = 0, EVNTDESC = "Death", SRCDOM = "ADSL", SRCVAR = "DTHDT"',
        'expect PFS: excluded "no origin date"',
    )
    code, out, _ = run(capsys, study(tmp_path, text), "--no-properties")
    assert code == 1
    assert (
        '  derived   PFS: excluded "no origin date: rand has no usable date"   (sql' in out
    )  # where CNSR = 1 was expected
    assert '  derived   PFS: ADT = 2020-06-01, CNSR = 0, EVNTDESC = "Death"   (sql' in out


def test_engines_that_disagree_are_a_bug_in_endpointdsl(tmp_path, capsys, monkeypatch):
    original = api.CompiledFile.run

    def skewed(self, tables, only=None, engine="compiled"):
        result = original(self, tables, only, engine)
        if engine == "compiled":  # one engine gives another censoring code to S002
            result.adtte.loc[result.adtte.USUBJID == "S002", "CNSR"] = 7
        return result

    monkeypatch.setattr(api.CompiledFile, "run", skewed)
    code, out, _ = run(capsys, study(tmp_path, GOOD), "--no-properties")
    assert code == 1
    assert 'FAIL  scenario "no death, no progression: the last scan"' in out
    assert 'CNSR = 1, CNSDTDSC = "Last scan", EVNTDESC = missing   (sql, interpreter)' in out
    assert 'CNSR = 7, CNSDTDSC = "Last scan", EVNTDESC = missing   (compiled)' in out
    assert "that is a bug in endpointdsl, not in your file" in out
    assert "3 passed, 1 failed" in out


def test_data_that_stop_a_run_fail_only_their_scenario(tmp_path, capsys, monkeypatch):
    original = api.CompiledFile.run

    def stops(self, tables, only=None, engine="compiled"):
        if "S003" in set(tables["adsl"].USUBJID):
            raise DataError("adsl: the scenario's data stop the run")
        return original(self, tables, only, engine)

    monkeypatch.setattr(api.CompiledFile, "run", stops)
    code, out, _ = run(capsys, study(tmp_path, GOOD), "--no-properties")
    assert code == 1
    assert 'FAIL  scenario "death"' in out
    assert (
        "derived   PFS: the run stopped: adsl: the scenario's data stop the run   (sql, compiled, interpreter)"
        in out
    )
    assert "3 passed, 1 failed" in out


@frozen
class FakeResult:
    ok: bool
    message: str


@frozen
class FakeCheck:
    name: str
    description: str
    run: object


def fake_properties(monkeypatch, calls: list):
    """testing.properties (the `props` helper's module) replaced by checks with known outcomes."""

    def property_checks(compiled, paramcd):
        def record(ok, message):
            return lambda n, seed: calls.append((paramcd, n, seed)) or FakeResult(ok, message)

        def crash(n, seed):
            raise ZeroDivisionError("boom")

        assert compiled.model.endpoints[0].paramcd == paramcd
        return [
            FakeCheck("holds", "a property that holds", record(True, "")),
            FakeCheck(
                "breaks",
                "a property that breaks",
                record(False, "falsifying history: ...\nADT after the end"),
            ),
            FakeCheck("crashes", "a property that crashes", crash),
        ]

    module = types.ModuleType("endpointdsl.testing.properties")
    module.property_checks = property_checks
    monkeypatch.setitem(sys.modules, "endpointdsl.testing.properties", module)


def test_properties_run_after_the_scenarios_with_examples_and_seed(tmp_path, capsys, monkeypatch):
    calls = []
    fake_properties(monkeypatch, calls)
    code, out, _ = run(capsys, study(tmp_path, GOOD), "--examples", "7", "--seed", "3")
    assert code == 1
    assert calls == [("PFS", 7, 3), ("PFS", 7, 3)]
    lines = out.splitlines()
    at = lines.index("PASS  property PFS: holds")
    assert lines[at:] == [
        "PASS  property PFS: holds",
        "FAIL  property PFS: breaks",
        "  falsifying history: ...",
        "  ADT after the end",
        "FAIL  property PFS: crashes",
        "  the property could not run: ZeroDivisionError: boom",
        "5 passed, 2 failed (4 scenarios, 3 properties)",
    ]
    calls.clear()
    code, out, _ = run(capsys, study(tmp_path, GOOD), "--no-properties")
    assert (code, calls) == (0, [])


def test_a_file_without_scenarios_runs_its_properties(tmp_path, capsys, monkeypatch):
    fake_properties(monkeypatch, [])
    (tmp_path / "pfs.ept").write_text(EPT, encoding="utf-8")
    code, out, _ = run(capsys, tmp_path / "pfs.ept")
    assert code == 1 and out.splitlines()[0] == f"{tmp_path / 'pfs.ept'}: no scenario file"
    code, out, err = run(capsys, tmp_path / "pfs.ept", "--no-properties")
    assert code == 2 and "nothing to test: no scenario file" in err


BAD = {
    "bad scenario file": (GOOD.replace("RANDDT = 2020-01-01", "RANDT = 2020-01-01"), [], "error E401"),
    "syntax error": (GOOD.replace("expect PFS: excluded", "expect PFS excluded"), [], "error E003"),
    "two files and --scenarios": (
        GOOD,
        ["{ept}", "{ept}", "--scenarios", "{tmp}/pfs.scenarios"],
        "give one FILE",
    ),
    "no such scenario file": (
        GOOD,
        ["--scenarios", "{tmp}/none.scenarios"],
        "none.scenarios: no such scenario file",
    ),
    "no such .ept": (GOOD, ["{tmp}/none.ept"], "none.ept: no such file"),
}


@pytest.mark.parametrize("text, extra, message", BAD.values(), ids=BAD.keys())
def test_a_bad_file_exits_with_2(tmp_path, capsys, text, extra, message):
    ept = study(tmp_path, text)
    argv = [ept] if not extra or extra[0].startswith("-") else []
    argv += [a.format(ept=ept, tmp=tmp_path) for a in extra]
    code, out, err = run(capsys, *argv, "--no-properties")
    assert code == 2
    assert message in err
    assert "passed" not in out


def test_a_bad_ept_file_is_reported_as_check_reports_it(tmp_path, capsys):
    ept = study(tmp_path, GOOD)
    ept.write_text(EPT.replace("from rand", "from randx"), encoding="utf-8")
    code, _, err = run(capsys, ept, "--no-properties")
    assert code == 2
    assert f"{ept}:10:8: error" in err and f"{ept}: 1 error" in err


# 2023-01-05 in every format the language reads (docs/language.md, "Date formats")
FORMATS = {
    "YYYY-MM-DD": "2023-01-05",
    "DDMONYYYY": "05JAN2023",
    "DD-MON-YYYY": "05-JAN-2023",
    "MM/DD/YYYY": "01/05/2023",
    "DD/MM/YYYY": "05/01/2023",
    "DD.MM.YYYY": "05.01.2023",
    "YYYYMMDD": "20230105",
    "YYYY/MM/DD": "2023/01/05",
    "days since 1960-01-01": "23015",
}


@pytest.mark.parametrize("fmt, text", FORMATS.items(), ids=FORMATS.keys())
def test_a_date_is_written_in_its_columns_format(fmt, text):
    import datetime as dt

    from endpointdsl.data.dates import parse_date
    from endpointdsl.language.diagnostics import Span
    from endpointdsl.testing.scenario_data import written
    from endpointdsl.testing.scenarios import Value

    date = Value("date", "2023-01-05", Span.unknown())
    assert written(date, fmt) == text
    assert written(date, fmt.lower()) == text  # a pattern is written in any case
    assert parse_date(text, fmt)[0] == dt.date(2023, 1, 5)
    odd = Value("text", "05JAN23", Span.unknown())
    assert written(odd, fmt) == "05JAN23"  # a text is written as it is


def test_a_column_with_a_format_reads_the_scenarios_dates(tmp_path, capsys):
    ept = study(tmp_path, "")
    ept.write_text(EPT.replace("adsl.DTHDT", 'adsl.DTHDT format "DDMONYYYY"'), encoding="utf-8")
    (tmp_path / "pfs.scenarios").write_text(
        'scenario "a date"\n  adsl: RANDDT = 2020-01-01, DTHDT = 2020-06-01\n'
        '  expect PFS: ADT = 2020-06-01, CNSR = 0, EVNTDESC = "Death"\n'
        'scenario "a text as the file would hold it"\n  adsl: RANDDT = 2020-01-01, DTHDT = "01JUN2020"\n'
        "  expect PFS: ADT = 2020-06-01, CNSR = 0\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, ept, "--no-properties")
    assert code == 0, out


GROUPED = """\
table adsl: one row per subject
table adae: many rows per subject
event first_dose = adsl.TRTSDT
event last_dose = adsl.TRTEDT
event teae = adae.ASTDT where TRTEMFL = "Y" sequence AESEQ
date te_end = last_dose + 30 days label "End of treatment-emergent period"
endpoint TTAE "Time to first TEAE"
  for each AEDECOD of teae
  from first_dose
  to teae
  censor at te_end cnsr 1
end
"""


def test_a_grouped_endpoint_numbers_each_scenarios_own_values(tmp_path, capsys):
    """Run together, the three terms would be TTAE0001-3 for both subjects; alone, the
    second scenario's NAUSEA and RASH are its TTAE0001 and TTAE0002 (sorted)."""
    (tmp_path / "ae.ept").write_text(GROUPED, encoding="utf-8")
    (tmp_path / "ae.scenarios").write_text(
        "background\n  adsl: TRTSDT = 2021-01-01, TRTEDT = 2021-06-30\n"
        'scenario "one term"\n  adae: AESEQ = 1, TRTEMFL = "Y", AEDECOD = "HEADACHE", ASTDT = 2021-02-01\n'
        "  expect TTAE0001: ADT = 2021-02-01, CNSR = 0\n  expect TTAE0002: no record\n"
        'scenario "two terms"\n  adae: AESEQ = 1, TRTEMFL = "Y", AEDECOD = "RASH", ASTDT = 2021-03-01\n'
        '  adae: AESEQ = 2, TRTEMFL = "Y", AEDECOD = "NAUSEA", ASTDT = 2021-04-01\n'
        "  expect TTAE0001: ADT = 2021-04-01, CNSR = 0\n  expect TTAE0002: ADT = 2021-03-01, CNSR = 0\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, tmp_path / "ae.ept", "--no-properties")
    assert code == 0, out
