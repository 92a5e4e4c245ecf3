"""Review of issue 15's tools (scenarios, `test`, the pytest plugin, `report`, `run --by`):
each test a defect found by using them as a statistician would, from the docs alone."""

from __future__ import annotations

import fnmatch

import pytest
from test_scenario_plugin import ARGS, repository
from test_scenario_runner import GOOD

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
