"""The pytest plugin (issue 15), run by pytest's own `pytester` on a tiny study repository."""

from __future__ import annotations

import tomllib
from importlib.metadata import entry_points

from conftest import ROOT
from test_scenario_runner import GOOD, fake_properties
from test_scenarios import EPT

pytest_plugins = ("pytester",)

# The entry point registers the plugin once the package is installed; a checkout whose
# editable install predates it loads the plugin by name.
INSTALLED = any(e.value == "endpointdsl.pytest_plugin" for e in entry_points(group="pytest11"))
ARGS = ["-p", "no:cacheprovider"] + ([] if INSTALLED else ["-p", "endpointdsl.pytest_plugin"])

WRONG = GOOD + '\nscenario "wrong date"\n    expect PFS: ADT = 2020-02-02, CNSR = 1\n'


def repository(pytester, scenarios: str = WRONG) -> None:
    study = pytester.mkdir("study")
    (study / "pfs.ept").write_text(EPT, encoding="utf-8")
    (study / "pfs.scenarios").write_text(scenarios, encoding="utf-8")
    (study / "os.ept").write_text(EPT, encoding="utf-8")  # no scenarios: not collected
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")


def test_the_package_declares_the_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"]["pytest11"] == {"endpointdsl": "endpointdsl.pytest_plugin"}


def test_one_item_per_scenario_with_a_readable_failure(pytester):
    repository(pytester)
    result = pytester.runpytest(*ARGS, "-v")
    result.assert_outcomes(passed=5, failed=1)  # 4 + 1 scenarios, test_plain
    result.stdout.fnmatch_lines(
        [
            "study/pfs.ept::progression is the event PASSED*",
            "study/pfs.ept::wrong date FAILED*",
            'scenario "wrong date" failed',
            "  expected  PFS: ADT = 2020-02-02, CNSR = 1",
            "  derived   PFS: ADT = 2020-06-01, CNSR = 0   (sql, compiled, interpreter)",
            "  trace (as `endpointdsl trace` prints it):",
            "    PFS, subject S005",
        ]
    )
    assert "os.ept" not in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


def test_a_bad_scenario_file_is_a_collection_error_with_its_diagnostics(pytester):
    repository(pytester, GOOD.replace("RANDDT = 2020-01-01", "RANDT = 2020-01-01"))
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(errors=1)  # pytest then stops, as for any collection error
    result.stdout.fnmatch_lines(
        [
            "*study/pfs.scenarios:2:11: error E401: the .ept file reads no column RANDT of adsl",
            "*hint: did you mean RANDDT?*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_properties_are_collected_when_asked(pytester, monkeypatch):
    calls = []
    fake_properties(monkeypatch, calls)
    repository(pytester, GOOD)
    pytester.makeini("[pytest]\nept_properties = true\nept_examples = 9\nept_seed = 4\n")
    result = pytester.runpytest(*ARGS, "-v")
    # pfs.ept: 4 scenarios and 3 properties; os.ept (no scenarios): its 3 properties
    result.assert_outcomes(passed=7, failed=4)
    result.stdout.fnmatch_lines(
        [
            "study/os.ept::property PFS: holds PASSED*",
            "study/pfs.ept::property PFS: breaks FAILED*",
            "property PFS: breaks failed (a property that breaks)",
            "falsifying history: ...",
        ]
    )
    assert set(calls) == {("PFS", 9, 4)}


def test_the_option_asks_for_properties_too(pytester, monkeypatch):
    fake_properties(monkeypatch, [])
    repository(pytester, GOOD)
    result = pytester.runpytest(*ARGS, "--ept-properties", "study/os.ept")
    result.assert_outcomes(passed=1, failed=2)


def test_the_projects_own_run_collects_no_example():
    """`pytest` here reads only tests/ (testpaths), and nothing there has a scenario file: the
    examples' scenarios run once, in test_scenario_examples.py, or with `pytest examples/`."""
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]
    assert options["ini_options"]["testpaths"] == ["tests"]
    assert list((ROOT / "tests").rglob("*.scenarios")) == []
