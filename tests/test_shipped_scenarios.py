"""Shipped scenarios (issue 15): every example .ept has a scenario file beside it, and its
scenarios pass on all three engines. The expectations in the files were worked out by hand
from each file's header (its SAP wording and stated conventions) and docs/semantics.md."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from endpointdsl import api
from endpointdsl.testing.results import render

EXAMPLES = ROOT / "examples"

# Examples without a scenario file, each with the reason. Empty: every example has one.
NO_SCENARIOS: dict[str, str] = {}

# Run by tests/test_scenario_examples.py (with its README and wrong-expectation checks): not twice.
RUN_ELSEWHERE = {"fda_pfs.ept", "her2_cart_trastuzumab.ept"}


def _examples() -> list[str]:
    return sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*.ept"))


def test_every_example_has_scenarios():
    missing = [
        name
        for name in _examples()
        if not (EXAMPLES / name).with_suffix(".scenarios").is_file() and name not in NO_SCENARIOS
    ]
    assert missing == []
    assert set(NO_SCENARIOS) <= set(_examples())  # no stale exclusion


def test_every_scenario_file_belongs_to_an_example():
    orphans = [p.name for p in EXAMPLES.rglob("*.scenarios") if not p.with_suffix(".ept").is_file()]
    assert orphans == []


def _runs() -> list:
    return [n for n in _examples() if n not in RUN_ELSEWHERE and n not in NO_SCENARIOS]


@pytest.mark.parametrize("name", _runs())
def test_shipped_scenarios_pass(name):
    ept = EXAMPLES / name
    report = api.test_file(ept, properties=False)
    written = re.findall(
        r'^scenario "', ept.with_suffix(".scenarios").read_text(encoding="utf-8"), flags=re.M
    )
    (file_report,) = report.files
    assert len(file_report.scenarios) == len(written) >= 3  # every scenario ran; 3-8 per file, or more
    assert report.ok, render(report)
