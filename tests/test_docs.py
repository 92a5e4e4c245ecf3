"""Docs: every test that docs/errors.md names exists, so the table of bad inputs stays backed.

A row names `test_file.py::test_name[case]`, or `…[case]` for another case of the test
named last before it in the same table; `*` in a case stands for any text. The names are checked
against pytest's own collection of those files, so a parametrized case must exist too.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys

from conftest import ROOT

from endpointdsl import check_text

ERRORS = ROOT / "docs" / "errors.md"
REFERENCE = re.compile(r"(?:(test_\w+\.py)::(\w+)|…)((?:\[[^\]`]*\])?)")


def _references() -> list[tuple[int, str, str, str]]:
    """(line, file, test, case) for every reference in a table row of docs/errors.md."""
    found = []
    last = None  # the test named last in the current table
    for number, line in enumerate(ERRORS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("|"):
            last = None
            continue
        for match in REFERENCE.finditer(line):
            file, test, case = match.groups()
            if file:
                last = (file, test)
            elif not case:
                continue  # an ellipsis in a message, not a reference
            elif last is None:  # `…[case]` needs a test named before it in its table
                last = ("(no test named before it)", "")
            found.append((number, *last, case.strip("[]")))
    return found


@functools.cache
def _collected(files: tuple[str, ...]) -> frozenset[str]:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return frozenset(line.split("/", 1)[-1] for line in out.stdout.splitlines() if "::" in line)


def test_every_test_docs_errors_names_exists():
    references = _references()
    assert len({(file, test) for _, file, test, _ in references}) > 40
    nodes = _collected(tuple(sorted({f"tests/{file}" for _, file, _, _ in references})))
    missing = []
    for line, file, test, case in references:
        name = f"{file}::{test}"
        pattern = re.escape(name) + (
            r"\[" + re.escape(case).replace(r"\*", ".*") + r"\]" if case else r"(\[.*\])?"
        )
        if not any(re.fullmatch(pattern, node) for node in nodes):
            missing.append(f"docs/errors.md:{line}: {name}[{case}]")
    assert missing == []


def _blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, re.M | re.S)


def test_the_readme_example_is_the_shipped_file_and_its_output(tmp_path):
    """The README's PFS endpoint is the example file's, and the rows it shows are what
    `endpointdsl run` writes for it."""
    from endpointdsl.cli import main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (program,) = [b for b in _blocks(readme) if "endpoint PFS" in b]
    example = (ROOT / "examples" / "her2_cart_trastuzumab.ept").read_text(encoding="utf-8")
    lines = [line.split("  #")[0].rstrip() for line in example.splitlines()]
    assert [line for line in program.splitlines() if line.strip() and line not in lines] == []
    (rows,) = [b for b in _blocks(readme) if b.startswith("STUDYID,USUBJID,")]  # adam: STUDYID first
    out = tmp_path / "adtte.csv"
    examples = ROOT / "examples"
    assert main(["run", str(examples / "her2_cart_trastuzumab.ept"), "--data", str(examples / "data"),
                 "--out", str(out)]) == 0  # fmt: skip
    written = out.read_text(encoding="utf-8").splitlines()
    assert [row for row in rows.splitlines() if row not in written] == []


def test_the_readme_s_sap_snippet_is_valid_ept():
    """The README's lines of the new constructs check, with the events they name declared."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## What analysis plans say", 1)[1].split("```\n", 2)[1]
    declared = (
        "table adsl: one row per subject\ntable adae: many rows per subject\n"
        "table adqs: many rows per subject\ntable adcm: many rows per subject\n"
        "table adlb: many rows per subject\n"
        "event last_dose = adsl.TRTEDT\nevent death = adsl.DTHDT\nevent rand = adsl.RANDDT\n"
        'event therapy = adcm.CMSTDT where CMCAT = "NEXT" sequence CMSEQ\n'
        'event progression = adae.ASTDT where AEDECOD = "PD" sequence AESEQ\n'
        "event qs_visit = adqs.ADT where AVAL is not missing sequence QSSEQ\n"
        "event anc_ok = adlb.ADT where AVAL >= 0.5 sequence LBSEQ\n"
        "event anc_test = adlb.ADT where AVAL is not missing sequence LBSEQ\n"
    )
    uses = 'endpoint PFS2 "PFS2"\n  from rand\n  to first of pd2, death\n  censor at rand cnsr 1\nend\n'
    model = check_text(declared + block + uses, "readme.ept")
    assert {"next_line", "pd2", "teae", "confirmed_drop", "anc_recovery", "crs"} <= {
        e.name for e in model.events
    }


def test_readme_issue13_block_is_a_valid_file():
    """The README's second block of "What analysis plans say" (ADaM output, competing events,
    one parameter per group, criteria sets) checks with the events it names declared."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## What analysis plans say", 1)[1].split("```\n", 4)[3]
    declared = (
        "table adsl: one row per subject\ntable adae: many rows per subject\n"
        "table adrs: many rows per subject\n"
        "event infusion = adsl.INFDT\nevent first_dose = adsl.TRTSDT\nevent death = adsl.DTHDT\n"
        "event last_contact = adsl.LSTCNDT\n"
        'event relapse = adrs.ADT where PARAMCD = "REL" sequence ASEQ\n'
        'event ovr = adrs.ADT where PARAMCD = "OVR" response AVALC sequence ASEQ\n'
        'event teae = adae.ASTDT where TRTEMFL = "Y" sequence AESEQ\n'
    )
    model = check_text(declared + block, "readme13.ept")
    assert [e.paramcd for e in model.endpoints] == ["CIR", "TTAE", "IORR"]
    assert [c.name for c in model.adam.keep] == ["TRTP", "TRTA", "AGE", "SEX", "SAFFL"]
    assert model.endpoint("TTAE").group is not None
    assert model.endpoint("IORR").response.criteria.name == "irecist"


def test_admiral_mapping_snippets_are_valid_files():
    """bor (issue 19): every `ept` block of docs/admiral.md is a whole file the checker accepts."""
    text = (ROOT / "docs" / "admiral.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```ept\n(.*?)^```", text, re.M | re.S)
    assert blocks
    for block in blocks:
        check_text(block, "admiral.md")
