"""Double programming: the generated code and the reference interpreter agree.

For random valid programs (tests/strategies.py) and random subject data, every
endpoint's compiled function and the interpreter must return identical
`Derivation`s: the same record, the same exclusion reason and the same findings in
the same order. The table-level runner must give the same ADTTE and report with
either engine.
"""

from __future__ import annotations

import contextlib
import functools
import io
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLES
from hypothesis import given, note, settings
from strategies import cases, table_cases, value_cases

import endpointdsl
from endpointdsl.api import CompiledFile
from endpointdsl.cli import main
from endpointdsl.data.errors import DataError
from endpointdsl.data.read import read_tables
from endpointdsl.data.values import Subject, subject_key


@functools.lru_cache(maxsize=512)
def compile_text(text: str) -> CompiledFile:
    return CompiledFile.from_model(endpointdsl.check_text(text, "generated.ept"))


def attempt(fn, *args):
    """The result of a call, or the exception it raised (an outcome to compare too)."""
    try:
        return fn(*args)
    except Exception as exc:  # a crash in either engine is a finding of this test
        return exc


def describe(outcome) -> str:
    return f"raised {type(outcome).__name__}: {outcome}" if isinstance(outcome, Exception) else repr(outcome)


@given(cases(max_subjects=6, odd_subject_rows=True, schedules=True, issue12=True, others=True))
def test_compiled_code_and_interpreter_derive_the_same(case):
    desc, subjects = case
    compiled = compile_text(desc.text)
    for sid, tables in subjects:
        subject = Subject.from_dicts(sid, tables)
        for paramcd, endpoint in compiled.endpoints.items():
            got = attempt(endpoint, subject)
            want = attempt(endpoint.interpret, subject)
            if isinstance(got, Exception) or isinstance(want, Exception) or got != want:
                note(f"subject {sid} rows: {tables!r}")
                pytest.fail(
                    f"{paramcd}, subject {sid}:\n  compiled:    {describe(got)}\n"
                    f"  interpreter: {describe(want)}"
                )


@settings(max_examples=max(20, settings.default.max_examples // 3))
@given(cases(max_subjects=6, odd_subject_rows=True, responses=True, reldates=True))
def test_compiled_code_and_interpreter_agree_on_relative_dates(case):
    desc, subjects = case
    compiled = compile_text(desc.text)
    for sid, tables in subjects:
        subject = Subject.from_dicts(sid, tables)
        for paramcd, endpoint in compiled.endpoints.items():
            got, want = attempt(endpoint, subject), attempt(endpoint.interpret, subject)
            if isinstance(got, Exception) or isinstance(want, Exception) or got != want:
                note(f"subject {sid} rows: {tables!r}")
                pytest.fail(
                    f"{paramcd}, subject {sid}:\n  compiled:    {describe(got)}\n  interpreter: {describe(want)}"
                )


@settings(max_examples=max(20, settings.default.max_examples // 3))
@given(value_cases(max_subjects=6))
def test_compiled_code_and_interpreter_agree_on_value_endpoints(case):
    """value endpoints (issue 14): the same Derivation per subject, findings in order."""
    desc, tables = case
    compiled = compile_text(desc.text)
    for sid in sorted({r["USUBJID"] for r in tables["adsl"]}):
        mine = {name: [r for r in rows if r["USUBJID"] == sid] for name, rows in tables.items()}
        subject = Subject.from_dicts(sid, mine)
        for paramcd, endpoint in compiled.endpoints.items():
            got, want = attempt(endpoint, subject), attempt(endpoint.interpret, subject)
            if isinstance(got, Exception) or isinstance(want, Exception) or got != want:
                note(f"subject {sid} rows: {mine!r}")
                pytest.fail(
                    f"{paramcd}, subject {sid}:\n  compiled:    {describe(got)}\n  interpreter: {describe(want)}"
                )


@given(cases(max_subjects=6, odd_subject_rows=True, responses=True, others=True))
def test_engines_agree_on_response_and_incidence_endpoints(case):
    """The same with best responses, landmarks, occurrences in windows, and events read
    from another endpoint's rows (semantics section 6)."""
    desc, subjects = case
    compiled = compile_text(desc.text)
    for sid, tables in subjects:
        for paramcd, endpoint in compiled.endpoints.items():
            # A fresh Subject per engine: the compiled path keeps derived rows on it.
            got = attempt(endpoint, Subject.from_dicts(sid, tables))
            want = attempt(endpoint.interpret, Subject.from_dicts(sid, tables))
            if isinstance(got, Exception) or isinstance(want, Exception) or got != want:
                note(f"subject {sid} rows: {tables!r}")
                pytest.fail(
                    f"{paramcd}, subject {sid}:\n  compiled:    {describe(got)}\n"
                    f"  interpreter: {describe(want)}"
                )


@given(table_cases(responses=True))
def test_table_runs_agree_on_response_endpoints(case):
    test_table_runs_agree_between_engines.hypothesis.inner_test(case)


def frames(desc, tables: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    return {
        name: pd.DataFrame(rows, columns=[c for c, _ in desc.columns(name)]) for name, rows in tables.items()
    }


def rejected(desc) -> bool:
    """A program with two names that differ only in case (strategies' `clash`): every
    engine path must reject it with the clash's code, and exit 1."""
    if desc.clash is None:
        return False
    code = desc.clash[1]
    with pytest.raises(endpointdsl.EptError) as info:
        endpointdsl.check_text(desc.text, "generated.ept")
    assert code in {d.code for d in info.value.errors}, info.value.render()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.ept"
        path.write_text(desc.text, encoding="utf-8")
        out = ["--data", tmp, "--out", str(Path(tmp) / "out.csv"), "--engine"]
        for argv in (["check"], ["compile", "-o", str(Path(tmp) / "out.py")], ["compile", "--target", "sql"],
                     ["run", *out, "sql"], ["run", *out, "compiled"], ["run", *out, "interpreter"]):  # fmt: skip
            with contextlib.redirect_stderr(io.StringIO()) as err, contextlib.redirect_stdout(io.StringIO()):
                assert main([argv[0], str(path), *argv[1:]]) == 1, argv
            assert f" {code}: " in err.getvalue()
    return True


@given(table_cases(clashes=True))
def test_table_runs_agree_between_engines(case):
    desc, tables = case
    if rejected(desc):
        return
    note(f"tables: {tables!r}")
    compiled = compile_text(desc.text)
    try:
        compiled_run = compiled.run(frames(desc, tables), engine="compiled")
    except DataError as exc:  # a date column of mostly non-dates stops every engine alike
        with pytest.raises(DataError) as again:
            compiled.run(frames(desc, tables), engine="interpreter")
        assert str(again.value) == str(exc)
        return
    interpreted_run = compiled.run(frames(desc, tables), engine="interpreter")
    pd.testing.assert_frame_equal(compiled_run.adtte, interpreted_run.adtte)
    pd.testing.assert_frame_equal(compiled_run.report, interpreted_run.report)
    # every subject of the subject table ends with a record or an exclusion, per endpoint
    key = desc.table("adsl").key
    ids = {subject_key(r[key]) for r in tables["adsl"]} - {None}
    for paramcd in compiled.endpoints:
        done = set(compiled_run.adtte.USUBJID[compiled_run.adtte.PARAMCD == paramcd])
        excluded = compiled_run.excluded
        done |= set(excluded.USUBJID[excluded.PARAMCD == paramcd])
        assert done == ids, paramcd


def test_engines_agree_on_the_pharmaverse_example():
    folder = EXAMPLES / "pharmaverse"
    compiled = endpointdsl.load(folder / "adtte.ept")
    tables = read_tables(folder / "data", list(compiled.namespace["TABLES"]))
    compiled_run = compiled.run(tables, engine="compiled")
    interpreted_run = compiled.run(tables, engine="interpreter")
    assert len(compiled_run.adtte) > 0
    pd.testing.assert_frame_equal(compiled_run.adtte, interpreted_run.adtte)
    pd.testing.assert_frame_equal(compiled_run.report, interpreted_run.report)


# ---- minimal cases found by the generated tests (kept as fixed regressions) -----------------

INFINITY_PROGRAM = """
table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event resp = adrs.ADT where {condition} sequence ASEQ
endpoint X "x"
  from rand
  to resp
  censor at origin cnsr 1
end
"""


@pytest.mark.parametrize(
    ("condition", "aval", "aseq"),
    [
        ("AVAL > 3", float("inf"), 1),  # a number cell: inf is or is not a number
        ('AVAL != "Y"', float("inf"), 1),  # a cell read as text
        ("AVAL > 3", 4, float("inf")),  # the sequence: SRCSEQ
    ],
    ids=["number", "text", "sequence"],
)
def test_an_infinite_cell_reads_alike_in_both_engines(condition, aval, aseq):
    compiled = compile_text(INFINITY_PROGRAM.format(condition=condition))
    subject = Subject.from_dicts(
        "S1",
        {
            "adsl": [{"USUBJID": "S1", "RANDDT": "2020-01-01"}],
            "adrs": [{"USUBJID": "S1", "ADT": "2020-01-05", "AVAL": aval, "ASEQ": aseq}],
        },
    )
    got, want = attempt(compiled["X"], subject), attempt(compiled["X"].interpret, subject)
    assert not isinstance(got, Exception), describe(got)
    assert not isinstance(want, Exception), describe(want)
    assert got == want


@settings(max_examples=max(20, settings.default.max_examples // 3))
@given(cases(max_subjects=6, odd_subject_rows=True, responses=True, groups=True))
def test_compiled_code_and_interpreter_agree_on_grouped_endpoints(case):
    """groups (issue 13): a grouped endpoint called on one subject gives a derivation per value
    of that subject's own rows; the compiled module and the interpreter give the same."""
    desc, subjects = case
    compiled = compile_text(desc.text)
    for sid, tables in subjects:
        subject = Subject.from_dicts(sid, tables)
        for paramcd, endpoint in compiled.endpoints.items():
            got, want = attempt(endpoint, subject), attempt(endpoint.interpret, subject)
            if isinstance(got, Exception) or isinstance(want, Exception) or got != want:
                note(f"subject {sid} rows: {tables!r}")
                pytest.fail(
                    f"{paramcd}, subject {sid}:\n  compiled:    {describe(got)}\n  interpreter: {describe(want)}"
                )
