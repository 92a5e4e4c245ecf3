"""Golden files of what the compiler writes for every shipped example: the Python module
(`compile`) and the SQL script (`compile --target sql`), under tests/golden/compiled.

A change to code generation shows here as a diff a reviewer reads, and a refactoring that
must not change the output is held to it. Regenerate after an intended change with
`EPT_UPDATE_GOLDEN=1 pytest tests/test_compiled_golden.py` and review the diff.
"""

from __future__ import annotations

import os

import pytest
from conftest import ROOT

from endpointdsl.api import CompiledFile, check_file
from endpointdsl.engines.sql.generate import generate_sql

GOLDEN = ROOT / "tests" / "golden" / "compiled"
UPDATE = bool(os.environ.get("EPT_UPDATE_GOLDEN"))
EXAMPLES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "examples").rglob("*.ept"))


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("target", ["py", "sql"])
def test_generated_code_is_the_golden_file(example, target, monkeypatch):
    monkeypatch.chdir(ROOT)  # the example's path as written in the output is relative
    model = check_file(example)
    text = CompiledFile.from_model(model).source if target == "py" else generate_sql(model).text
    golden = (
        GOLDEN / f"{example.removeprefix('examples/').replace('/', '__').removesuffix('.ept')}.{target}.txt"
    )
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}; run with EPT_UPDATE_GOLDEN=1 to create it"
    assert text == golden.read_text(encoding="utf-8")
