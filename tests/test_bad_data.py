"""Bad data: one case per test, each with the message a user sees, and nothing lost.

The catalogue of issue 3: missing origin, event before origin, duplicate subjects,
same-day duplicates without a sequence, a column the file names but the data lack,
a wrong type in a column, an empty table, subjects outside the subject table,
non-UTF-8 text, unusable dates. Every subject of the subject-level table must end
with a record or an exclusion, for every endpoint.
"""

from __future__ import annotations

import pandas as pd
import pytest

import endpointdsl
from endpointdsl.cli import main
from endpointdsl.data.errors import DataError

PROGRAM = """
table adsl: one row per subject
table adrs: many rows per subject
event randomisation = adsl.RANDDT
event death = adsl.DTHDT label "Death"
event last_alive = adsl.LSTALVDT label "Alive"
event progression = adrs.ADT where PARAMCD = "PD" label "Progression"
event scan = adrs.ADT where PARAMCD = "OVR" and AVAL >= 0 sequence ASEQ label "Last scan"
endpoint PFS "Progression-free survival"
  from randomisation
  to first of progression, death
  censor at last scan cnsr 1
  censor at last_alive cnsr 2
end
"""
COMPILED = endpointdsl.check_text(PROGRAM, "bad.ept")
ENDPOINTS = endpointdsl.CompiledFile.from_model(COMPILED)


def adsl(*rows):
    cols = ["USUBJID", "RANDDT", "DTHDT", "LSTALVDT"]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], columns=cols)


def adrs(*rows):
    cols = ["USUBJID", "PARAMCD", "ADT", "AVAL", "ASEQ"]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], columns=cols)


GOOD = ("S1", "2024-01-15", None, "2024-06-01")


def run(adsl_frame, adrs_frame):
    result = ENDPOINTS.run({"adsl": adsl_frame, "adrs": adrs_frame})
    # Nothing lost: every subject has its record or its exclusion.
    subjects = set(adsl_frame.USUBJID.dropna())
    assert set(result.adtte.USUBJID) | set(result.excluded.USUBJID) == subjects
    assert not set(result.adtte.USUBJID) & set(result.excluded.USUBJID)
    return result


def messages(result, status):
    rows = result.report[result.report.STATUS == status]
    return {(u, m) for u, m in zip(rows.USUBJID, rows.MESSAGE, strict=True)}


def test_missing_origin_excludes_the_subject_with_the_reason():
    result = run(adsl(GOOD, ("S2", None, None, "2024-06-01")), adrs())
    assert ("S2", "no origin date: randomisation has no usable date") in messages(result, "excluded")


def test_event_before_origin_is_ignored_and_reported():
    result = run(adsl(GOOD), adrs(("S1", "PD", "2024-01-10", "1", "1")))
    assert ("S1", "progression on 2024-01-10 is before the origin 2024-01-15; ignored") in messages(
        result, "finding"
    )
    assert result.adtte.CNSR.tolist() == [2]


def test_duplicate_subject_rows_exclude_that_subject_only():
    result = run(
        adsl(GOOD, ("S2", "2024-01-15", None, "2024-03-01"), ("S2", "2024-01-16", None, "2024-03-01")), adrs()
    )
    assert ("S2", "duplicate subject: 2 rows in adsl") in messages(result, "excluded")
    assert result.adtte.USUBJID.tolist() == ["S1"]


def test_same_day_records_without_a_sequence_are_reported():
    result = run(adsl(GOOD), adrs(("S1", "PD", "2024-03-01", "1", "1"), ("S1", "PD", "2024-03-01", "1", "2")))
    expected = "progression: several adrs records on 2024-03-01 with no sequence variable; SRCSEQ cannot tell them apart"
    assert ("S1", expected) in messages(result, "finding")
    assert result.adtte.ADT.tolist()[0].isoformat() == "2024-03-01"


def test_same_day_records_with_the_same_sequence_are_reported():
    rows = adrs(("S1", "OVR", "2024-03-01", "1", "4"), ("S1", "OVR", "2024-03-01", "2", "4"))
    result = run(adsl(GOOD), rows)
    expected = "scan: several adrs records on 2024-03-01 with the same ASEQ; SRCSEQ cannot tell them apart"
    assert ("S1", expected) in messages(result, "finding")


def test_a_column_the_file_names_but_the_data_lack():
    with pytest.raises(DataError) as info:
        ENDPOINTS.run({"adsl": adsl(GOOD).drop(columns="LSTALVDT"), "adrs": adrs()})
    assert str(info.value) == "table 'adsl' has no column LSTALVDT, used at bad.ept:6"


def test_text_in_a_numeric_column_is_unknown_so_the_row_is_not_selected():
    result = run(
        adsl(GOOD), adrs(("S1", "OVR", "2024-03-01", "n/a", "1"), ("S1", "OVR", "2024-02-01", "0", "2"))
    )
    (record,) = result.adtte.itertuples()
    assert (record.ADT.isoformat(), record.SRCSEQ) == ("2024-02-01", 2)


def test_a_number_in_a_date_column_is_reported():
    result = run(adsl(("S1", "2024-01-15", None, 23000.0)), adrs())
    expected = "last_alive: adsl row 1 has no usable LSTALVDT (23000.0 is a number, not a date (a SAS date column without a date format?)); not counted"
    assert ("S1", expected) in messages(result, "finding")
    assert ("S1", "no event, and no censoring rule applies") in messages(result, "excluded")


@pytest.mark.parametrize(
    "value, why",
    [
        ("2024-02-30", "'2024-02-30' is not a calendar date"),
        ("N/A", "'N/A' is not an ISO 8601 date"),
        ("2024-03", "'2024-03' is a partial date (no imputation rule is declared)"),
        ("15MAR2024", "'15MAR2024' is not an ISO 8601 date"),
    ],
)
def test_unusable_dates_are_reported_per_subject(value, why):
    result = run(adsl(GOOD), adrs(("S1", "PD", value, "1", "1")))
    assert ("S1", f"progression: adrs row 1 has no usable ADT ({why}); not counted") in messages(
        result, "finding"
    )


def test_a_datetime_is_read_as_its_date():
    result = run(adsl(GOOD), adrs(("S1", "PD", "2024-03-01T10:30:00", "1", "1")))
    assert result.adtte.ADT.tolist()[0].isoformat() == "2024-03-01"


def test_an_empty_event_table_is_reported_and_subjects_still_derived():
    result = run(adsl(GOOD), adrs())
    assert (None, "table 'adrs' has no rows") in messages(result, "finding")
    assert result.adtte.CNSR.tolist() == [2]


def test_an_empty_subject_table_is_an_error():
    with pytest.raises(DataError, match="table 'adsl' has no rows: there is no subject to derive"):
        ENDPOINTS.run({"adsl": adsl(), "adrs": adrs()})


def test_subjects_in_an_event_table_but_not_in_the_subject_table_are_reported():
    result = run(adsl(GOOD), adrs(("S9", "PD", "2024-03-01", "1", "1")))
    assert ("S9", "subject has 1 row in adrs but none in adsl; not analysed") in messages(result, "finding")


def test_rows_without_a_subject_key_are_reported():
    result = run(adsl(GOOD), adrs((None, "PD", "2024-03-01", "1", "1")))
    assert (None, "adrs row 1 has no USUBJID; not used") in messages(result, "finding")


def test_input_row_order_does_not_change_the_output():
    subjects = adsl(
        GOOD, ("S2", "2024-02-01", "2024-05-01", "2024-05-01"), ("S3", "2024-01-20", None, "2024-09-01")
    )
    scans = adrs(
        ("S1", "OVR", "2024-03-01", "1", "1"), ("S1", "PD", "2024-04-01", "1", "2"),
        ("S3", "OVR", "2024-03-05", "1", "1"), ("S3", "OVR", "2024-05-05", "1", "2"),
    )  # fmt: skip
    first = run(subjects, scans).adtte
    second = run(subjects.iloc[::-1], scans.iloc[::-1]).adtte
    pd.testing.assert_frame_equal(first.reset_index(drop=True), second.reset_index(drop=True))


def test_fail_on_findings_exit_code(tmp_path, capsys):
    ept = tmp_path / "bad.ept"
    ept.write_text(PROGRAM)
    data = tmp_path / "data"
    data.mkdir()
    adsl(GOOD).to_csv(data / "adsl.csv", index=False)
    adrs(("S1", "PD", "2024-01-10", "1", "1")).to_csv(data / "adrs.csv", index=False)
    out = tmp_path / "out.csv"
    assert main(["run", str(ept), "--data", str(data), "--out", str(out)]) == 0
    assert main(["run", str(ept), "--data", str(data), "--out", str(out), "--fail-on-findings"]) == 3
    assert out.exists()
    assert "1 data finding in" in capsys.readouterr().err  # singular


def test_a_long_table_is_processed_whole():
    # 3,000 subjects with 12 assessment rows each: nothing lost, one record each.
    n = 3000
    subjects = adsl(*[(f"S{i:05d}", "2024-01-15", None, "2024-12-01") for i in range(n)])
    scans = adrs(*[
        (f"S{i:05d}", "OVR", f"2024-{m:02d}-10", "1", str(m)) for i in range(n) for m in range(1, 13)
    ])  # fmt: skip
    result = run(subjects, scans)
    assert len(result.adtte) == n
    assert set(result.adtte.ADT.map(str)) == {"2024-12-10"}


@pytest.mark.parametrize("engine", ["compiled", "sql", "interpreter"])
def test_tables_that_are_not_frames_or_arrow_tables_are_a_type_error_that_says_what_to_give(engine):
    """Anything but a frame or a pyarrow Table is refused before an engine reads it (a Table
    was an AttributeError from deep in the run, then a TypeError; now it is read as a
    Parquet file's: tests/test_arrow_input.py)."""
    import pyarrow as pa

    frames = {"adsl": adsl(GOOD), "adrs": adrs()}
    with pytest.raises(TypeError, match=r"table 'adsl' is a list, not a pandas DataFrame or pyarrow Table$"):
        ENDPOINTS.run({**frames, "adsl": [GOOD]}, engine=engine)
    with pytest.raises(
        TypeError, match=r"give a dict of table name to pandas DataFrame or pyarrow Table, not a list"
    ):
        ENDPOINTS.run([frames["adsl"], frames["adrs"]], engine=engine)
    arrow = {**frames, "adrs": pa.Table.from_pandas(frames["adrs"])}
    on_frames, on_arrow = ENDPOINTS.run(frames, engine=engine), ENDPOINTS.run(arrow, engine=engine)
    pd.testing.assert_frame_equal(on_arrow.adtte, on_frames.adtte)
    pd.testing.assert_frame_equal(on_arrow.report, on_frames.report)
