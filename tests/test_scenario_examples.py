"""The shipped scenarios (issue 15): fda_pfs.ept's FDA table and her2_cart_trastuzumab.ept's seed rules pass
on all three engines, and a deliberately wrong expectation among them fails with the trace."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import ROOT

from endpointdsl.cli import main

EXAMPLES = ["fda_pfs", "her2_cart_trastuzumab"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_shipped_scenarios_pass(name, capsys):
    ept = ROOT / "examples" / f"{name}.ept"
    code = main(["test", str(ept), "--no-properties"])
    out = capsys.readouterr().out
    assert code == 0, out
    written = re.findall(r'^scenario "(.*)"$', ept.with_suffix(".scenarios").read_text(), flags=re.M)
    assert [
        line[len('PASS  scenario "') : -1] for line in out.splitlines() if line.startswith("PASS")
    ] == written
    assert out.splitlines()[-1] == f"{len(written)} passed, 0 failed ({len(written)} scenarios, 0 properties)"


def test_the_fda_table_names_every_row():
    text = (ROOT / "examples" / "fda_pfs.scenarios").read_text()
    rows = sorted(set(re.findall(r'^scenario "(B[1-9]):', text, flags=re.M)))
    assert rows == [f"B{i}" for i in range(1, 10)]


def test_a_wrong_expectation_among_them_fails_with_the_trace(tmp_path, capsys):
    """B9 with CNSR 0 (as if the death after two missed visits were an event): it must fail."""
    for suffix in (".ept", ".scenarios"):
        shutil.copy(ROOT / "examples" / f"fda_pfs{suffix}", tmp_path / f"fda_pfs{suffix}")
    path = tmp_path / "fda_pfs.scenarios"
    right = 'expect PFS: ADT = 2024-03-11, AVAL = 57, CNSR = 5, EVNTDESC = "Event after two or more missed assessments"'
    text = path.read_text()
    assert right in text
    path.write_text(
        text.replace(right, 'expect PFS: ADT = 2024-07-15, AVAL = 183, CNSR = 0, EVNTDESC = "Death"')
    )
    code = main(["test", str(tmp_path / "fda_pfs.ept"), "--no-properties"])
    out = capsys.readouterr().out
    assert code == 1
    failed = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert failed == [
        'FAIL  scenario "B9: death after two or more missed visits, censored at the last adequate assessment"'
    ]
    assert (
        '  derived   PFS: ADT = 2024-03-11, AVAL = 57, CNSR = 5, EVNTDESC = "Event after two or more missed '
        'assessments", CNSDTDSC = "Last adequate assessment"   (sql, compiled, interpreter)'
    ) in out
    assert "    PFS, subject S013" in out  # the trace: the rule that decided
    assert "missed assessments" in out.split("PFS, subject S013")[1]


def test_the_readme_shows_the_real_output_and_a_valid_scenario(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the README's command is run from the checkout's root
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "$ endpointdsl test examples/fda_pfs.ept --no-properties\n"
    shown = readme.split(command, 1)[1].split("```", 1)[0]
    assert main(["test", "examples/fda_pfs.ept", "--no-properties"]) == 0
    assert capsys.readouterr().out == shown
    snippet = readme.split("## Testing your definitions", 1)[1].split("```\n", 2)[1]
    assert snippet.startswith("background\n")
    shutil.copy(ROOT / "examples" / "fda_pfs.ept", tmp_path / "fda_pfs.ept")
    (tmp_path / "fda_pfs.scenarios").write_text(snippet, encoding="utf-8")
    assert main(["test", str(tmp_path / "fda_pfs.ept"), "--no-properties"]) == 0
    assert "1 passed, 0 failed" in capsys.readouterr().out
