"""Review of issue 15's tools (scenarios, `test`, the pytest plugin, `report`, `run --by`):
each test a defect found by using them as a statistician would, from the docs alone."""

from __future__ import annotations

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
