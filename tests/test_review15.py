"""Review of issue 15's tools (scenarios, `test`, the pytest plugin, `report`, `run --by`):
each test a defect found by using them as a statistician would, from the docs alone."""

from __future__ import annotations

import contextlib
import fnmatch
import io

import pytest
from conftest import EXAMPLES
from test_scenario_plugin import ARGS, repository
from test_scenario_runner import GOOD

from endpointdsl.cli import main

pytest_plugins = ("pytester",)


@pytest.mark.parametrize(
    ("ini", "message"),
    [
        # docs/testing.md's own example put a comment after the value: every property item
        # failed with "ValueError: invalid literal for int()"
        ("ept_examples = 50   # histories per property", "ept_examples = '50   # histories per property'*"),
        ("ept_seed = one", "ept_seed = 'one' in the ini file: not a whole number*"),
        # 0 histories: every property "passed" having checked nothing (`test` refuses it)
        ("ept_examples = 0", "ept_examples = 0 in the ini file: must be 1 or more"),
    ],
)
def test_a_bad_ini_setting_is_a_usage_error_not_a_traceback(pytester, ini, message):
    repository(pytester, GOOD)
    pytester.makeini(f"[pytest]\nept_properties = true\n{ini}\n")
    result = pytester.runpytest(*ARGS)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize(
    ("line", "column", "hint"),
    [
        # both were "expected a quoted text" with the caret at the quote that opens one
        ('    adsl: DCTREAS = "a\\nb"', 21, 'inside a text, a backslash is only used in \\" (a quote)*'),
        ('    adsl: DCTREAS = "unclosed', 21, 'a text must close on the same line with "*'),
    ],
)
def test_a_broken_text_gets_the_ept_files_hint(line, column, hint):
    from endpointdsl.language.diagnostics import EptError
    from endpointdsl.testing.scenarios import parse_scenarios

    text = f'scenario "a"\n{line}\n    expect PFS: CNSR = 2\n'
    with pytest.raises(EptError) as caught:
        parse_scenarios(text, "x.scenarios")
    (diag,) = caught.value.diagnostics
    assert (diag.code, diag.span.line, diag.span.column) == ("E001", 2, column)
    assert fnmatch.fnmatch(diag.hint, hint), diag.hint


FDA = EXAMPLES / "fda_pfs.ept"
FDA_DATA = EXAMPLES / "fda_data"


def _cli(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


@pytest.mark.parametrize("by", ["CNSR", "PARAMCD", "ADT"])
def test_by_a_column_of_the_derived_record_is_refused_with_exit_2(tmp_path, by):
    # CNSR and PARAMCD were an internal error (exit 70: the Kaplan-Meier table has columns of
    # those names), ADT "cannot write ...km.csv: '2024-01-15' is not a date" (exit 4); and a
    # curve grouped by its own outcome conditions on the outcome
    pytest.importorskip("lifelines")
    code, err = _cli(["run", str(FDA), "--data", str(FDA_DATA), "--out", str(tmp_path / "a.csv"), "--by", by])
    assert code == 2, err
    assert f"error: --by {by}: {by} is a column of the derived records" in err
    assert "internal error" not in err


def test_report_by_cnsr_is_refused_too_without_the_km_extra(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "lifelines" else real(n, *a))
    out = tmp_path / "r.html"
    code, err = _cli(["report", str(FDA), "--data", str(FDA_DATA), "--out", str(out), "--by", "CNSR"])
    assert code == 2, err
    assert "--by CNSR: CNSR is a column of the derived records" in err
    assert not out.exists()


def test_test_given_the_scenario_file_says_to_give_the_ept_file():
    # was read as a .ept: "E003 unexpected name 'background'" on every line of the file
    scenarios = EXAMPLES / "fda_pfs.scenarios"
    code, err = _cli(["test", str(scenarios), "--no-properties"])
    assert code == 2
    assert err == (
        f"error: {scenarios} is a scenario file: give its .ept file, as in "
        f"`endpointdsl test {EXAMPLES / 'fda_pfs.ept'}`, which reads the scenarios beside it\n"
    )
    code, err = _cli(["test", str(FDA), "--scenarios", str(FDA), "--no-properties"])
    assert code == 2
    assert err == f"error: --scenarios {FDA}: a .ept file; give its scenario file (NAME.scenarios)\n"


def test_a_scenario_file_not_in_utf8_points_at_the_byte(tmp_path):
    # was "x.scenarios:1:1: error E004" with no line shown and no hint
    from endpointdsl.language.diagnostics import EptError
    from endpointdsl.testing.scenarios import read_scenarios

    path = tmp_path / "x.scenarios"
    path.write_bytes(b'scenario "a"\r\n  adsl: DCTREAS = "caf\xe9"\r\n  expect PFS: CNSR = 2\r\n')
    with pytest.raises(EptError) as caught:
        read_scenarios(path)
    (diag,) = caught.value.diagnostics
    # line 2: two blanks, `adsl:` (3-7), blank, DCTREAS (9-15), ` = "` (16-19), caf (20-22)
    assert (diag.code, diag.span.line, diag.span.column) == ("E004", 2, 23)
    assert diag.message == f"{path} is not UTF-8 text: byte 0xE9 (invalid continuation byte)"
    assert diag.source_line == '  adsl: DCTREAS = "caf\ufffd"'
    assert diag.hint.startswith("save the file as UTF-8")


def test_control_characters_in_a_scenario_file_are_refused_at_their_place():
    # a name with an ESC sequence was printed raw (the terminal turned the rest red), and
    # went into pytest's test ids; a NUL inside a text reached the CSV file
    from endpointdsl.language.diagnostics import EptError
    from endpointdsl.testing.scenarios import parse_scenarios

    text = 'scenario "a\x1b[31m"\n  adsl: DCTREAS = "x\x00\ty"\n  expect PFS: CNSR = 2\n'
    with pytest.raises(EptError) as caught:
        parse_scenarios(text, "x.scenarios")
    found = [(d.code, d.span.line, d.span.column, d.message) for d in caught.value.diagnostics]
    assert found == [
        ("E001", 1, 12, "unexpected character U+001B"),  # `scenario "a` is 11 characters
        ("E001", 2, 21, "unexpected character U+0000"),  # `  adsl: DCTREAS = "x` is 20
    ]
    assert all("\x1b" not in d.source_line and "\x00" not in d.source_line for d in caught.value.diagnostics)
    # a tab inside a text is still a text's character
    assert (
        parse_scenarios(text.replace("\x1b", "").replace("\x00", "")).scenarios[0].rows[0].cells[0].value.text
        == "x\ty"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('scenario "a"\n  expect PFS: CNSR = 2\n  background\n  adsl: RANDDT = 2024-01-15\n', 3),
        ("background\n  adsl: RANDDT = 2024-01-15\nbackground  # again\n", 3),
    ],
)
def test_a_misplaced_background_says_so(text, line):
    # was "E002 this line ends too early ... expected ':'" (read as a table's name)
    from endpointdsl.language.diagnostics import EptError
    from endpointdsl.testing.scenarios import parse_scenarios

    with pytest.raises(EptError) as caught:
        parse_scenarios(text, "x.scenarios")
    (diag,) = caught.value.diagnostics
    column = 3 if line == 3 and text.startswith("scenario") else 1
    assert (diag.code, diag.message, diag.span.line, diag.span.column) == (
        "E003",
        "unexpected 'background'",
        line,
        column,
    )
    assert diag.hint == "a file has one background, before its first scenario: give all its rows there"


@pytest.mark.parametrize("suffix", ["csv", "xpt"])
def test_run_by_a_date_column_writes_the_km_table(tmp_path, suffix):
    # the writers took the KM table's --by column DTHDT for a date (ADaM *DT) and stopped:
    # "cannot write ...km.csv: '2024-09-02' is not a date" (exit 4)
    pytest.importorskip("lifelines")
    km = tmp_path / f"a.km.{suffix}"
    argv = ["run", str(FDA), "--data", str(FDA_DATA), "--out", str(tmp_path / "a.csv"), "--by", "DTHDT"]
    code, err = _cli([*argv, "--km", str(km)])
    assert code == 0, err
    import pandas as pd

    table = (
        pd.read_csv(km, dtype=str) if suffix == "csv" else pd.read_sas(km, format="xport", encoding="utf-8")
    )
    subjects = table[(table.PARAMCD == "PFS") & (table.STAT == "SUBJECTS")]
    # fda_data/adsl.csv: B1, B2, B3A, B4, B5 have no DTHDT; B6 2024-09-02, B7 2024-02-20,
    # B8 2024-04-02, B9 2024-07-15, J1 2024-07-10: one subject each
    counts = dict(zip(subjects.DTHDT, subjects.COUNT.astype(float), strict=True))
    assert counts == {
        "2024-02-20": 1, "2024-04-02": 1, "2024-07-10": 1, "2024-07-15": 1, "2024-09-02": 1, "(missing)": 5,
    }  # fmt: skip


def test_an_empty_by_is_refused_not_ignored(tmp_path):
    # `run --by "$GROUP"` with GROUP unset printed and wrote the table ungrouped, exit 0
    out = tmp_path / "a.csv"
    code, err = _cli(["run", str(FDA), "--data", str(FDA_DATA), "--out", str(out), "--by", ""])
    assert (code, err) == (2, "error: --by needs a column name, as in --by TRT01P\n")
    assert not out.exists()  # refused before the run


def test_a_scenario_file_without_its_ept_is_a_collection_error(pytester):
    # pfs_v2.scenarios (a copy, or a typo in the name) beside pfs.ept was never collected:
    # its scenarios silently never ran, and pytest said all passed
    repository(pytester, GOOD)
    (pytester.path / "study" / "pfs_v2.scenarios").write_text(GOOD, encoding="utf-8")
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*study/pfs_v2.scenarios: no .ept file pfs_v2.ept beside it, so its scenarios*"]
    )
    assert "Traceback" not in result.stdout.str()


@pytest.mark.parametrize(
    ("value", "column"),
    [("2024-01-15T10:00", 28), ("2024-01-15 10:00:30", 29)],  # the token after the date
)
def test_an_unquoted_date_and_time_is_told_to_be_a_text(value, column):
    # the hint was `expected ",", a line break` at the T10 or the 10 after the date
    from endpointdsl.language.diagnostics import EptError
    from endpointdsl.testing.scenarios import parse_scenarios

    text = f'scenario "a"\n  adsl: RANDDT = {value}, DTHDT = 2024-02-01\n  expect PFS: CNSR = 2\n'
    with pytest.raises(EptError) as caught:
        parse_scenarios(text, "x.scenarios")
    (diag,) = caught.value.diagnostics
    assert (diag.code, diag.span.line, diag.span.column) == ("E003", 2, column)
    assert diag.hint == f'a date and time is written as a text: "{value}"'


def test_scenario_names_that_differ_only_by_a_double_colon_get_distinct_ids(pytester):
    # "a::b" is shown "a: :b" (`::` separates a node id's parts): the two scenarios had one
    # id, and `pytest "pfs.ept::a: :b"` ran both
    two = 'scenario "a::b"\n    expect PFS: CNSR = 1\nscenario "a: :b"\n    expect PFS: CNSR = 1\n'
    repository(pytester, GOOD + "\n" + two)
    result = pytester.runpytest(*ARGS, "-v", "study")
    second = GOOD.count("\n") + 4  # after GOOD's lines: a blank line, "a::b" and its expect
    result.stdout.fnmatch_lines(["study/pfs.ept::a: :b *", f"study/pfs.ept::a: :b (line {second}) *"])


def test_a_scenario_whose_data_stop_the_run_is_not_called_an_engine_bug(tmp_path):
    # six unreadable ADT values (5 or more, all of the column's) stop a run; each engine read
    # the scenario from its own temporary folder, named in the message, so the three messages
    # differed: "the three engines derived different records ... a bug in endpointdsl"
    rows = "".join(
        f'    adrs: ASEQ = {i}, PARAMCD = "OVR", AVALC = "SD", ADT = "x{i}"\n' for i in range(1, 7)
    )
    scenarios = tmp_path / "stop.scenarios"
    scenarios.write_text(
        f'scenario "bad dates"\n    adsl: RANDDT = 2024-01-15\n{rows}    expect PFS: CNSR = 3\n'
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["test", str(FDA), "--scenarios", str(scenarios), "--no-properties"])
    text = out.getvalue()
    assert code == 1
    assert "  derived   PFS: the run stopped: adrs.csv: column ADT, read as a date by events" in text
    assert "(sql, compiled, interpreter)" in text
    assert "bug in endpointdsl" not in text and "endpointdsl-scenarios-" not in text


def test_a_group_value_written_missing_is_not_the_missing_group(tmp_path):
    pytest.importorskip("lifelines")
    import shutil

    import pandas as pd

    data = tmp_path / "data"
    shutil.copytree(FDA_DATA, data)
    adsl = (data / "adsl.csv").read_text().replace("B1,2024-01-15,,,,\n", "B1,2024-01-15,,,,(missing)\n")
    (data / "adsl.csv").write_text(adsl)
    km = tmp_path / "a.km.csv"
    code, err = _cli(
        ["run", str(FDA), "--data", str(data), "--out", str(tmp_path / "a.csv"), "--by", "DCTREAS"]
    )
    assert code == 0, err
    table = pd.read_csv(km, dtype=str, keep_default_na=False)
    subjects = table[(table.PARAMCD == "PFS") & (table.STAT == "SUBJECTS")]
    # adsl.csv: B2 WITHDRAWAL BY SUBJECT, B5 ADVERSE EVENT, B1 now "(missing)", seven empty
    # (the group had eight: B1 was counted among the subjects without a value)
    assert dict(zip(subjects.DCTREAS, subjects.COUNT.astype(int), strict=True)) == {
        '"(missing)"': 1, "ADVERSE EVENT": 1, "WITHDRAWAL BY SUBJECT": 1, "(missing)": 7,
    }  # fmt: skip


def test_expecting_a_grouped_endpoints_own_code_is_e415(tmp_path):
    # `expect TTAE: no record` passed whatever was derived (the records are TTAE0001...), and
    # `expect TTAE: CNSR = 0` failed with "no record" beside a trace of TTAE0001
    from endpointdsl import api
    from endpointdsl.language.diagnostics import EptError

    ept = EXAMPLES / "sap" / "ae_each_term.ept"
    path = tmp_path / "x.scenarios"
    path.write_text(
        'scenario "a"\n    adsl: TRTSDT = 2021-01-01\n    expect TTAE: no record\n'
        "    expect TTAE0001: CNSR = 1\n",
        encoding="utf-8",
    )
    with pytest.raises(EptError) as caught:
        api.read_scenario_file(path, api.compile_file(ept).model)
    (diag,) = caught.value.diagnostics
    assert (diag.code, diag.span.line, diag.span.column) == ("E415", 3, 12)
    assert diag.message == "TTAE is a grouped endpoint (for each AEDECOD): no record has that code"
    assert (
        diag.hint
        == "expect its parameters, TTAE0001, TTAE0002..., numbered by the scenario's values of AEDECOD"
    )
