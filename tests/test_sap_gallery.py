"""The SAP gallery stays whole: every `examples/sap/<slug>.ept` has its data, a row in
docs/language.md's gallery table, an oracle test that names it, and quotes its SAP wording;
every row of the table is a file that exists. Each file checks cleanly against its data."""

from __future__ import annotations

import re

import pytest
from conftest import EXAMPLES, ROOT

from endpointdsl.cli import main

SAP = EXAMPLES / "sap"
SLUGS = sorted(p.stem for p in SAP.glob("*.ept"))
LANGUAGE = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
GALLERY = LANGUAGE.split("\n## SAP gallery", 1)[1].split("\n## ", 1)[0]
ROWS = re.findall(r"^\| `(\w+)` \|", GALLERY, re.M)
ORACLES = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_sap_*.py")}


def test_the_gallery_has_the_issue_s_twelve_entries_at_least():
    assert len(SLUGS) >= 12


def test_every_row_of_the_table_is_an_example_and_no_example_is_missing_from_it():
    assert sorted(ROWS) == SLUGS
    assert len(ROWS) == len(set(ROWS))


@pytest.mark.parametrize("slug", SLUGS)
def test_each_entry_has_data_wording_and_an_oracle(slug, capsys):
    text = (SAP / f"{slug}.ept").read_text(encoding="utf-8")
    assert "SAP" in text.split("\ntable ", 1)[0], "the header quotes the SAP wording"
    assert any(f.endswith(".csv") for f in map(str, (SAP / "data" / slug).iterdir()))
    named = [name for name, body in ORACLES.items() if name != "test_sap_gallery.py" and slug in body]
    assert named, f"no tests/test_sap_*.py names {slug}"
    assert main(["check", str(SAP / f"{slug}.ept"), "--data", str(SAP / "data" / slug)]) == 0, (
        capsys.readouterr()
    )
