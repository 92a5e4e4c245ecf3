"""perf (issue 16, ninth round): the script a run executes leaves out the relations the facts
proven on the data leave without a row (SqlWriter.empty: the same-day table of rows proven
in order, note_<event> tables without an unusable date, notes_<P>, the report's branches of
duplicate subjects, rows without a key, orphan rows, tables without rows). Each case below makes one of them
non-empty: the run's records and report equal the general script's (every statement, as
`compile --target sql` writes it) and the per-subject engine's, and the finding is there."""

from __future__ import annotations

from unittest import mock

import pandas as pd
import pytest

from endpointdsl.api import check_text
from endpointdsl.driver.compiled import CompiledFile
from endpointdsl.engines.sql import run as sql_run
from endpointdsl.engines.sql.generate import generate_sql

PROGRAM = """table adsl: one row per subject
table adrs: many rows per subject
event randomisation = adsl.RANDDT
event death = adsl.DTHDT
event progression = adrs.ADT where AVALC = "PD" sequence ASEQ
event assessment = adrs.ADT where AVALC in ("CR", "PR", "SD", "PD") sequence ASEQ
endpoint PFS "PFS"
  from randomisation
  to first of progression, death
  censor at latest of
    last assessment cnsr 1,
    randomisation cnsr 1
  before origin: move to origin
end
"""

ADSL = [("S1", "2021-01-04", "2021-09-01"), ("S2", "2021-02-01", ""), ("S3", "2021-03-01", "")]
ADRS = [
    ("S1", "2021-02-01", 1, "SD"),
    ("S1", "2021-04-01", 2, "PD"),
    ("S2", "2021-03-01", 1, "PR"),
    ("S2", "2021-05-01", 2, "SD"),
    ("S3", "2021-04-01", 1, "SD"),
]


def _frames(adsl: list, adrs: list) -> dict[str, pd.DataFrame]:
    return {
        "adsl": pd.DataFrame(adsl, columns=["USUBJID", "RANDDT", "DTHDT"]),
        "adrs": pd.DataFrame(adrs, columns=["USUBJID", "ADT", "ASEQ", "AVALC"]),
    }


def _with(rows: list, at: int, row: tuple) -> list:
    return [*rows[:at], row, *rows[at:]]


# (case, adsl, adrs, a text of the finding the relation left out would have lost)
CASES = [
    ("clean", ADSL, ADRS, None),
    ("death date unusable", [ADSL[0], ("S2", "2021-02-01", "2021-02-30"), ADSL[2]], ADRS, "no usable DTHDT"),
    ("randomisation date unusable", [*ADSL[:2], ("S3", "2021-13-01", "")], ADRS, "no usable RANDDT"),
    ("progression date unusable", ADSL, _with(ADRS, 2, ("S1", "2021-05", 3, "PD")), "no usable ADT"),
    ("same-day tie", ADSL, _with(ADRS, 2, ("S1", "2021-04-01", 2, "PD")), "SRCSEQ cannot tell them apart"),
    ("duplicate subject", [*ADSL, ADSL[2]], ADRS, "duplicate subject"),
    ("orphan rows", ADSL, [*ADRS, ("S9", "2021-04-01", 1, "SD")], "in adrs but none in adsl"),
    ("row without a key", ADSL, [*ADRS, (None, "2021-04-01", 1, "SD")], "has no USUBJID"),
    ("no assessment rows", ADSL, [], "table 'adrs' has no rows"),
]


def _run(frames: dict, general: bool):
    compiled = CompiledFile.from_model(check_text(PROGRAM, "f.ept"))  # its scripts generated afresh
    if not general:
        return compiled.run(frames, engine="sql"), compiled
    every = lambda model, only, ff, proven, programs: generate_sql(model, only, ff)  # noqa: E731
    with mock.patch.object(sql_run, "_proven_program", every):
        return compiled.run(frames, engine="sql"), compiled


@pytest.mark.parametrize(("case", "adsl", "adrs", "finding"), CASES, ids=[c[0] for c in CASES])
def test_the_run_equals_the_general_script_and_keeps_the_finding(case, adsl, adrs, finding):
    frames = _frames(adsl, adrs)
    got, _ = _run(frames, general=False)
    want, _ = _run(frames, general=True)
    pd.testing.assert_frame_equal(got.adtte, want.adtte)
    pd.testing.assert_frame_equal(got.report, want.report)
    # and the per-subject engine's, which shares no code with either script
    compiled = CompiledFile.from_model(check_text(PROGRAM, "f.ept")).run(frames, engine="compiled")
    pd.testing.assert_frame_equal(got.adtte, compiled.adtte)
    pd.testing.assert_frame_equal(got.report, compiled.report)
    if finding is not None:  # the case makes what it says non-empty
        assert got.report.MESSAGE.str.contains(finding, regex=False).any(), got.report


def _run_script(compiled: CompiledFile) -> str:
    proven = [p for key, p in compiled.sql_programs.items() if len(key) == 3]  # (only, forced, proven)
    assert len(proven) == 1
    return proven[0].text


def test_on_clean_data_the_empty_relations_are_not_created():
    _, compiled = _run(_frames(ADSL, ADRS), general=False)
    text = _run_script(compiled)
    for name in ("same_day_1", "note_randomisation", "note_death", "note_progression", "note_assessment",
                 "notes_PFS"):  # fmt: skip
        assert f'TABLE "{name}" AS' not in text, name
        assert f'-- ("{name.lower()}": read by no statement, not created)' in text
    report = text[text.index("TABLE report AS") :]
    assert "subject_rows WHERE n > 1" not in report and "has no USUBJID" not in report
    assert "but none in adsl" not in report and "notes_PFS" not in report and "has no rows" not in report
    general = generate_sql(compiled.model).text  # the general script keeps every statement
    assert 'TABLE "note_death" AS' in general and 'TABLE "notes_PFS" AS' in general
    assert "subject_rows WHERE n > 1" in general and '"same_day_1" AS' in general


@pytest.mark.parametrize(("case", "kept"), [
    ("death date unusable", "note_death"),
    ("progression date unusable", "note_progression"),
    ("duplicate subject", "subject_rows WHERE n > 1"),
])  # fmt: skip
def test_a_relation_not_proven_empty_is_created(case, kept):
    _, adsl, adrs, _ = next(c for c in CASES if c[0] == case)
    _, compiled = _run(_frames(adsl, adrs), general=False)
    text = _run_script(compiled)
    assert kept in text
    if kept.startswith("note_"):  # and the endpoint's findings that read it
        assert 'TABLE "notes_PFS" AS' in text and 'FROM "notes_PFS"' in text


def test_warm_keeps_the_script_of_every_fact_proven_and_a_run_proving_less_makes_its_own():
    compiled = CompiledFile.from_model(check_text(PROGRAM, "f.ept"))
    compiled.warm_sql()
    kept = {key for key in compiled.sql_programs if len(key) == 3}
    assert len(kept) == 1  # (only, forced, every fact and sorted check)
    clean = compiled.run(_frames(ADSL, ADRS), engine="sql")
    assert {key for key in compiled.sql_programs if len(key) == 3} == kept  # the clean data prove them all
    twice = _frames([*ADSL, ADSL[2]], ADRS)  # a duplicate subject: `unique keys` not proven
    got = compiled.run(twice, engine="sql")
    assert len([key for key in compiled.sql_programs if len(key) == 3]) == 2
    want, _ = _run(twice, general=True)
    pd.testing.assert_frame_equal(got.report, want.report)
    pd.testing.assert_frame_equal(clean.adtte, _run(_frames(ADSL, ADRS), general=True)[0].adtte)
