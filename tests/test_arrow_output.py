"""issue 16: the SQL engine's records kept in Arrow up to the files (data.arrowrecords,
data.adamarrow, data.arrowwrite) are written byte for byte as the pandas path writes them.

The oracle is the pandas path itself: the same records made a frame (adtte_frame), completed
by adam.complete and written by the pandas writers. Each format is compared file to file.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
import pyarrow as pa
import pytest
from conftest import EXAMPLES
from hypothesis import given, settings
from strategies import table_cases
from test_differential import compile_text, frames, rejected

import endpointdsl
from endpointdsl.data.adam import complete
from endpointdsl.data.adamarrow import complete_records
from endpointdsl.data.arrowrecords import Records
from endpointdsl.data.errors import DataError
from endpointdsl.data.read import read_tables
from endpointdsl.data.write import WRITERS
from endpointdsl.engines.sql.results import ADTTE_SCHEMA_AVALC, adtte_frame, with_times

FORMATS = (".csv", ".parquet", ".xpt")
WRITTEN = re.compile(rb"\d\d[A-Z]{3}\d\d:\d\d:\d\d:\d\d")  # 07DEC26:02:58:01


def _files(tmp_path, arrow: Records, frame: pd.DataFrame, formats=FORMATS) -> None:
    """Both paths written in every format; the files' bytes equal."""
    for ext in formats:
        WRITERS[ext](arrow, tmp_path / f"arrow{ext}", "ADTTE")
        WRITERS[ext](frame, tmp_path / f"pandas{ext}", "ADTTE")
        arrow_bytes, pandas_bytes = ((tmp_path / f"{p}{ext}").read_bytes() for p in ("arrow", "pandas"))
        if ext == ".xpt":  # the time each was written (SAS transport's headers) is not compared
            arrow_bytes, pandas_bytes = (WRITTEN.sub(b"", b) for b in (arrow_bytes, pandas_bytes))
        assert arrow_bytes == pandas_bytes, ext


def _records(rows: list[dict], schema: pa.Schema) -> Records:
    table = pa.Table.from_pylist(rows, schema=schema)
    return Records(table, lambda: adtte_frame(table))


SCHEMA = with_times(ADTTE_SCHEMA_AVALC)
SCHEMA = SCHEMA.insert(SCHEMA.get_field_index("PARAM") + 1, pa.field("PARCAT1", pa.string()))


def _row(sid, code, **values) -> dict:
    row = dict.fromkeys(SCHEMA.names)
    row.update(USUBJID=sid, PARAMCD=code, PARAM=f"{code} param", **values)
    return row


ROWS = [
    _row("S1", "PFS", STARTDT=dt.date(2020, 1, 1), ADT=dt.date(2020, 3, 1), AVAL=60.0, AVALU="DAYS", CNSR=0,
         EVNTDESC='Progression, "confirmed"', SRCDOM="ADRS", SRCVAR="ADT", SRCSEQ=3.0,
         STARTDTM=dt.datetime(2020, 1, 1, 8, 30), ADTM=dt.datetime(2020, 3, 1, 9, 15, 2, 500)),
    _row("S1", "BOR", AVALC="PR", AVAL=None, PARCAT1="line\nbreak", SRCSEQ=2.5),
    _row("S2 ", "PFS", STARTDT=dt.date(2020, 2, 1), ADT=dt.date(2021, 2, 1), AVAL=-0.0, CNSR=1,
         CNSDTDSC="Last Tumor Assessment", SRCSEQ=None),
    _row("S2 ", "BOR", AVAL=1 / 3, AVALC="", EVNTDESC="a,b"),
    _row("S3", "TTX", AVAL=1e-05, CNSR=1, SRCSEQ=1e17),
    _row("S3", "TTY", AVAL=1e17, CNSR=0, STARTDTM=dt.datetime(1999, 12, 31, 23, 59, 59)),
    _row("S4", "PFS", AVAL=float("nan"), CNSR=None, SRCSEQ=float("nan")),
    _row("S5", "PFS", AVAL=1e15 + 0.5, CNSR=0, SRCSEQ=7.0),
]  # fmt: skip


def _subject() -> pd.DataFrame:
    subject = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4", "S5", "S9"],
            "STUDYID": ["ST-1  ", "ST-1", "   ", None, "ST,2", "X"],
            "AGE": [61, None, 45, 50, 70, 1],
            "WEIGHT": [70.5, 80.0, None, 1e-5, 3.0, 1.0],
            "ARM": ["A", None, 'B "b"', "A", "C", "D"],
            "RANDDT": ["2020-01-01", None, "2020-02-03T10:00:00", "2020-01-09", "2020-01-09", None],
            "LASTDTM": ["2020-01-01T10:30:00", None, "2021-05-05 01:02:03", "2020-01-09", None, None],
            "EMPTY": [None] * 6,
        }
    )
    subject.attrs["labels"] = {"AGE": "Age", "ARM": "Planned Arm"}
    subject.attrs["formats"] = {"WEIGHT": "8.2", "RANDDT": "DATE9."}
    return subject


KEEP = [("AGE", "AGE", 3), ("WEIGHT", "WEIGHT", 3), ("ARM", "TRT01P", 4), ("RANDDT", "RANDDT", 4),
        ("LASTDTM", "LASTDTM", 5), ("EMPTY", "EMPTY", 5)]  # fmt: skip


@pytest.mark.parametrize("arrow_subject", [False, True])
def test_hand_made_records_are_written_alike_in_every_format(tmp_path, arrow_subject):
    """Missing values, dates, times with and without microseconds, AVALC, PARCAT1, texts to quote,
    whole and fractional numbers, -0.0, tiny and huge ones, STUDYID and `keep` columns."""
    subject = _subject()
    if arrow_subject:  # as the SQL engine's readers give it (Arrow-backed columns)
        attrs = subject.attrs
        subject = pa.Table.from_pandas(subject).to_pandas(types_mapper=pd.ArrowDtype)
        subject.attrs = attrs
    records = _records(ROWS, SCHEMA)
    paramn = {"PFS": 1, "BOR": 2, "TTX": 3}  # TTY without a number: 0, as adam.complete gives
    args = (subject, "USUBJID", KEEP, paramn, "ADTTE", "Time to Event")
    arrow = complete_records(records, *args, file="x.ept")
    frame = complete(adtte_frame(records.table), *args, file="x.ept")
    _files(tmp_path, arrow, frame)
    pd.testing.assert_frame_equal(arrow.frame(), frame)
    assert arrow.frame().attrs == frame.attrs == arrow.attrs
    assert arrow.frame() is arrow.frame()  # converted once, then kept
    # worked by hand: the CSV text of the rows that need quoting and numpy's float texts
    text = (tmp_path / "arrow.csv").read_text()
    assert '\nST-1,S1,61.0,70.5,A,2020-01-01,2020-01-01T10:30:00,,BOR,BOR param,"line\nbreak",2,' in text
    assert ',"Progression, ""confirmed""",' in text
    assert "2020-03-01T09:15:02.000500" in text and "2020-01-01T08:30:00," in text
    assert ",-0.0," in text and ",1e-05," in text and ",1e+17," in text and ",1000000000000000.5," in text
    assert ",100000000000000000\n" in text  # SRCSEQ 1e17 as seqtext.seq_text: a whole number
    assert '\n"ST,2",S5,' in text and '\n,S3,45.0,,"B ""b""",2020-02-03,' in text  # "   ": missing


def test_no_records_are_written_alike(tmp_path):
    records = _records([], SCHEMA)
    args = (_subject(), "USUBJID", KEEP, {"PFS": 1}, "ADTTE", None)
    _files(tmp_path, complete_records(records, *args), complete(adtte_frame(records.table), *args))


def test_a_shipped_example_with_keep_and_studyid_is_written_alike(tmp_path):
    compiled = endpointdsl.compile_file(EXAMPLES / "pharmaverse" / "adtte_ae.ept")
    names = [t.name for t in compiled.model.tables]
    result = compiled.run(read_tables(EXAMPLES / "pharmaverse" / "data", names, arrow=True), engine="sql")
    assert isinstance(result.table, Records)  # the common path: kept in Arrow
    assert result.counts() == (len(result.adtte), result.adtte.USUBJID.nunique())
    _files(tmp_path, result.table, result.adtte)  # XPT too: from Arrow by xptwrite (issue 16, mem)


@settings(max_examples=5, deadline=None)
@given(table_cases())
def test_generated_programs_are_written_alike(case):
    desc, tables = case
    if rejected(desc):
        return
    import tempfile
    from pathlib import Path

    try:
        result = compile_text(desc.text).run(frames(desc, tables), engine="sql")
    except DataError:  # data the run refuses: nothing written
        return
    if not isinstance(result.table, Records):  # a grouped or per-subject endpoint: pandas throughout
        return
    with tempfile.TemporaryDirectory() as folder:
        _files(Path(folder), result.table, result.adtte)
    assert not any(isinstance(v, float) and math.isnan(v) for v in result.adtte.PARAMCD)


@pytest.mark.filterwarnings("ignore:Discarding nonzero nanoseconds")  # the pandas writer's, as always
def test_a_column_the_arrow_writer_does_not_know_is_written_from_the_frame(tmp_path):
    """A yes/no column and a time with nanoseconds (no engine gives them): the pandas writer's file."""
    frame = pd.DataFrame(
        {
            "USUBJID": ["A", "B"],
            "FLAG": [True, False],
            "ADTM": pd.to_datetime(["2020-01-01 10:00:00.000000001", None]),
        }
    )
    for column in ("FLAG", "ADTM"):
        part = frame[["USUBJID", column]]
        table = pa.Table.from_pandas(part, preserve_index=False)
        _files(tmp_path, Records(table, lambda part=part: part), part, FORMATS[:1])


def test_a_result_kept_in_arrow_pickles_and_gives_the_same_frame():
    """A RunResult holding Records (e.g. sent to another process) pickles, and its frame after
    the round trip is the frame of the result itself (the conversion is no closure)."""
    import pickle

    compiled = endpointdsl.load(EXAMPLES / "her2_cart_trastuzumab.ept")
    tables = read_tables(EXAMPLES / "data", [t.name for t in compiled.model.tables], arrow=True)
    result = compiled.run(tables, engine="sql")
    assert isinstance(result.table, Records)
    again = pickle.loads(pickle.dumps(result))
    pd.testing.assert_frame_equal(again.adtte, result.adtte)
    pd.testing.assert_frame_equal(again.report, result.report)


def test_a_result_kept_in_arrow_holds_only_the_subject_columns_it_reads():
    """Records' lazy frame keeps the subject table's key, STUDYID and `keep` columns, not the
    table (issue 16, mem): the table is freed while the result lives, and the frame made later
    is the pandas path's, completed from the whole table."""
    import gc
    import weakref

    from endpointdsl.data.tables import RunResult

    compiled = endpointdsl.compile_file(EXAMPLES / "pharmaverse" / "adtte_ae.ept")
    names = [t.name for t in compiled.model.tables]
    subject = compiled.model.subject_table.name
    tables = read_tables(EXAMPLES / "pharmaverse" / "data", names, arrow=True)
    assert len(tables[subject].columns) > 2 + len(compiled.model.adam.keep)  # columns to let go
    whole = weakref.ref(tables[subject])
    result = compiled.run(tables, engine="sql")
    assert isinstance(result.table, Records)
    del tables
    gc.collect()
    assert whole() is None
    again = read_tables(EXAMPLES / "pharmaverse" / "data", names, arrow=True)
    derived = compiled._derive(again, None, "sql")
    expected = compiled.complete(again, RunResult(derived.adtte, derived.report)).adtte  # the pandas path
    pd.testing.assert_frame_equal(result.adtte, expected)
    assert result.adtte.attrs == expected.attrs
