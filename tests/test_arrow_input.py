"""pyarrow Tables given to `CompiledFile.run` (issue 16): read as a Parquet file's would be
(data.read.arrow_frame; the SQL and Spark engines keep the columns in Arrow), so every
engine gives exactly what it gives on the equivalent pandas frames, with some tables frames
and some Arrow, and the same findings, exclusions and errors for bad data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest
from conftest import EXAMPLES
from test_bad_data import ENDPOINTS

import endpointdsl
from endpointdsl.data.errors import DataError
from endpointdsl.data.read import read_tables

ENGINES = ["compiled", "interpreter", "sql"]
EXAMPLE = endpointdsl.load(EXAMPLES / "her2_cart_trastuzumab.ept")  # TTE, best response, confirmation


def _strings() -> dict[str, pd.DataFrame]:
    return read_tables(EXAMPLES / "data", ["adsl", "adrs", "adsv"])  # text, as read from the CSV files


def _dated(frame: pd.DataFrame, to) -> pd.DataFrame:
    """The date columns (..DT) made real dates by `to`; the rest as read."""
    frame = frame.copy()
    for column in [c for c in frame.columns if c.endswith("DT")]:
        frame[column] = to(pd.to_datetime(frame[column]))
    return frame


def _as_dates(stamps: pd.Series) -> pd.Series:  # datetime.date objects (None where missing): date32
    return pd.Series([None if pd.isna(x) else x.date() for x in stamps], dtype=object, index=stamps.index)


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def _recast(table: pa.Table, cast) -> pa.Table:
    """Every text column cast by `cast` (large strings, dictionaries), in two record batches."""
    for i, field in enumerate(table.schema):
        if pa.types.is_string(field.type):
            table = table.set_column(i, field.name, cast(table.column(i)))
    half = table.num_rows // 2
    return pa.Table.from_batches([*table.slice(0, half).to_batches(), *table.slice(half).to_batches()])


def _timestamps_us(table: pa.Table) -> pa.Table:
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.timestamp("us")))
    return table


# (name, the frames, their Arrow Tables): dates as text, as dates (date32), as timestamps
# (ns and us), and text as large strings and as dictionaries in two chunks
VARIANTS = {
    "text dates": (_strings, _arrow),
    "date32": (lambda: {k: _dated(v, _as_dates) for k, v in _strings().items()}, _arrow),
    "timestamp[ns]": (lambda: {k: _dated(v, lambda s: s) for k, v in _strings().items()}, _arrow),
    "timestamp[us]": (
        lambda: {k: _dated(v, lambda s: s) for k, v in _strings().items()},
        lambda f: _timestamps_us(_arrow(f)),
    ),
    "large strings, chunked": (_strings, lambda f: _recast(_arrow(f), lambda c: c.cast(pa.large_string()))),
    "dictionaries, chunked": (_strings, lambda f: _recast(_arrow(f), lambda c: c.dictionary_encode())),
}


def _same(got, want) -> None:
    pd.testing.assert_frame_equal(got.adtte, want.adtte)
    pd.testing.assert_frame_equal(got.report, want.report)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_arrow_tables_give_the_frames_results(variant, engine):
    frames_of, arrow_of = VARIANTS[variant]
    frames = frames_of()
    arrow = {name: arrow_of(frame) for name, frame in frames.items()}
    assert pa.types.is_date32(arrow["adrs"].schema.field("ADT").type) == (variant == "date32")
    want = EXAMPLE.run(frames, engine=engine)
    assert len(want.adtte) > 100  # the example's records: 22 subjects, 7 endpoints
    _same(EXAMPLE.run(arrow, engine=engine), want)
    _same(EXAMPLE.run({**arrow, "adsl": frames["adsl"]}, engine=engine), want)  # mixed
    _same(EXAMPLE.run({**frames, "adrs": arrow["adrs"]}, engine=engine), want)


def test_every_engine_agrees_on_arrow_tables():
    arrow = {name: _arrow(frame) for name, frame in _strings().items()}
    compiled = EXAMPLE.run(_strings(), engine="compiled")
    for engine in ENGINES:
        _same(EXAMPLE.run(arrow, engine=engine), compiled)


# ---- bad data: the same findings, exclusions and errors ----------------------------------

BAD = ENDPOINTS  # test_bad_data's PFS program: its messages are the ones compared
ADSL = pd.DataFrame(
    {
        "USUBJID": ["S1", "S2", "S3", "S3", "S4", "S5"],
        "RANDDT": ["2024-01-15", None, "2024-01-15", "2024-01-16", "2024-01-15", "2024-01-15"],
        "DTHDT": [None, None, None, None, "2024-03-01", None],
        "LSTALVDT": ["2024-06-01", "2024-06-01", "2024-06-01", "2024-06-01", "2024-03-01", "2024-02-30"],
    }
)
ADRS = pd.DataFrame(
    {
        "USUBJID": ["S1", "S1", "S1", None, "S9", "S4", "S5"],
        "PARAMCD": ["OVR", "OVR", "PD", "PD", "PD", "OVR", "OVR"],
        "ADT": ["2024-02-01", "2024-02-01", "2024-01-10", "2024-03-01", "2024-03-01", "2024-13-01", None],
        "AVAL": [1.0, 2.0, None, None, None, 1.0, 1.0],
        "ASEQ": [1, 1, 2, 3, 1, 1, 2],
    }
)


@pytest.mark.parametrize("engine", ENGINES)
def test_bad_data_gives_the_same_findings_and_exclusions(engine):
    """A missing origin, a duplicate subject, an event before the origin, a row without a
    key, a subject outside adsl, impossible dates, same-day rows with one sequence."""
    frames = {"adsl": ADSL, "adrs": ADRS}
    want = BAD.run(frames, engine=engine)
    assert {"excluded", "finding"} <= set(want.report.STATUS)
    assert len(want.report) >= 6
    _same(BAD.run({name: _arrow(f) for name, f in frames.items()}, engine=engine), want)
    _same(BAD.run({"adsl": ADSL, "adrs": _arrow(ADRS)}, engine=engine), want)


@pytest.mark.parametrize("engine", ENGINES)
def test_unusable_tables_are_the_same_errors(engine):
    """A date column of plain numbers and a missing column: the frames' message, word for
    word; an Arrow column of a type no engine reads (a list): named, as in a Parquet file."""
    numbers = ADSL.assign(RANDDT=range(len(ADSL)))
    for adsl in (numbers, ADSL.drop(columns="DTHDT")):
        with pytest.raises(DataError) as on_frames:
            BAD.run({"adsl": adsl, "adrs": ADRS}, engine=engine)
        with pytest.raises(DataError) as on_arrow:
            BAD.run({"adsl": _arrow(adsl), "adrs": _arrow(ADRS)}, engine=engine)
        assert str(on_arrow.value) == str(on_frames.value)
    listed = _arrow(ADSL).set_column(1, "RANDDT", pa.array([[1]] * len(ADSL), pa.list_(pa.int64())))
    with pytest.raises(DataError, match=r"column RANDDT, used at bad.ept:4, holds values of Arrow type list"):
        BAD.run({"adsl": listed, "adrs": _arrow(ADRS)}, engine=engine)


def test_arrow_dates_and_nulls_read_as_the_frames_do():
    """date32 and timestamp columns with nulls: the same records as ISO text with None."""
    text = {"adsl": ADSL.iloc[[0, 4]], "adrs": ADRS.iloc[[0, 1, 2]]}
    dates = {
        "adsl": pa.table(
            {
                "USUBJID": ["S1", "S4"],
                "RANDDT": pa.array([dt.date(2024, 1, 15)] * 2, pa.date32()),
                "DTHDT": pa.array([None, dt.datetime(2024, 3, 1)], pa.timestamp("ms")),
                "LSTALVDT": pa.array([dt.date(2024, 6, 1), dt.date(2024, 3, 1)], pa.date32()),
            }
        ),
        "adrs": pa.table(
            {
                "USUBJID": ["S1", "S1", "S1"],
                "PARAMCD": ["OVR", "OVR", "PD"],
                "ADT": pa.array(
                    [dt.date(2024, 2, 1), dt.date(2024, 2, 1), dt.date(2024, 1, 10)], pa.date32()
                ),
                "AVAL": pa.array([1.0, 2.0, None]),
                "ASEQ": pa.array([1, 1, 2], pa.int32()),
            }
        ),
    }
    for engine in ENGINES:
        got, want = BAD.run(dates, engine=engine), BAD.run(text, engine=engine)
        assert got.adtte[["USUBJID", "ADT", "CNSR"]].astype(str).values.tolist() == [
            ["S1", "2024-02-01", "1"],  # S1: last scan (the progression is before randomisation)
            ["S4", "2024-03-01", "0"],  # S4: death
        ]
        _same(got, want)


# ---- what is not a table ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            lambda t: [t["adsl"], t["adrs"]],
            r"give a dict of table name to pandas DataFrame or pyarrow Table, not a list$",
        ),
        (lambda t: {**t, "adsl": [1]}, r"table 'adsl' is a list, not a pandas DataFrame or pyarrow Table$"),
        (
            lambda t: {
                **t,
                "adrs": pa.RecordBatchReader.from_batches(t["adrs"].schema, t["adrs"].to_batches()),
            },
            r"table 'adrs' is a RecordBatchReader, .* read once .* give reader.read_all\(\)\)$",
        ),
        (
            lambda t: {**t, "adrs": t["adrs"].to_batches()[0]},
            r"table 'adrs' is a RecordBatch, .*pyarrow.Table.from_batches\(\[batch\]\)\)$",
        ),
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_what_is_not_a_table_is_a_type_error_that_says_what_to_give(given, message, engine):
    arrow = {"adsl": _arrow(ADSL), "adrs": _arrow(ADRS)}
    with pytest.raises(TypeError, match=message):
        BAD.run(given(arrow), engine=engine)


def test_the_sql_engine_reads_the_arrow_columns_themselves(monkeypatch):
    """No pandas round trip on the SQL engine: the frame it is given wraps the Table's own
    Arrow buffers (the compiled and reference engines get Python values, as from Parquet)."""
    from endpointdsl.engines.sql import run as sql_run

    seen, real = {}, sql_run.run_sql

    def recorded(model, tables, *args, **kwargs):
        seen.update(tables)
        return real(model, tables, *args, **kwargs)

    monkeypatch.setattr(sql_run, "run_sql", recorded)
    adrs = _arrow(ADRS)
    BAD.run({"adsl": ADSL, "adrs": adrs}, engine="sql")
    assert seen["adsl"] is ADSL  # a frame as given
    for name in adrs.column_names:
        column = seen["adrs"][name]
        assert isinstance(column.dtype, pd.ArrowDtype)
        given, read = adrs.column(name).chunks, pa.chunked_array(pa.array(column.array)).chunks
        assert [c.buffers()[-1].address for c in read] == [c.buffers()[-1].address for c in given]


def test_trace_takes_arrow_tables_too():
    frames = {"adsl": ADSL, "adrs": ADRS}
    arrow = {"adsl": _arrow(ADSL), "adrs": ADRS}
    for subject in ("S1", "S4", "S5"):
        want = endpointdsl.api.trace(BAD.model, frames, subject)
        assert want and endpointdsl.api.trace(BAD.model, arrow, subject) == want
