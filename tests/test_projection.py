"""issue 16, bounded memory: `run` reads only the columns it needs (data.projection,
check.projection), CSV is streamed by Arrow, SAS files are read in chunks of rows.

Each read is compared with the whole, unprojected read of the same file (the reference the
engines were checked against): the same results, the same errors.
"""

from __future__ import annotations

import pathlib
import tempfile

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest
from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import table_cases
from test_differential import compile_text, frames, rejected

import endpointdsl
from endpointdsl.check.projection import run_columns
from endpointdsl.cli import main
from endpointdsl.data import csvtext
from endpointdsl.data import read as read_module
from endpointdsl.data.errors import DataError
from endpointdsl.data.projection import Columns
from endpointdsl.data.read import read_table, read_tables


def _result(compiled, folder, engine, columns):
    """(adtte, report) of a run on the folder's tables, or the message of the DataError."""
    names = [t.name for t in compiled.model.tables]
    try:
        result = compiled.run(
            read_tables(folder, names, arrow=engine == "sql", columns=columns), engine=engine
        )
    except DataError as exc:
        return str(exc)
    return result.adtte, result.report


def _same(got, want) -> None:
    if isinstance(want, str):
        assert got == want
        return
    pd.testing.assert_frame_equal(got[0], want[0])
    pd.testing.assert_frame_equal(got[1], want[1])


# ---- which columns ----------------------------------------------------------------------------


def test_columns_of_keeps_the_files_order_and_reads_whole_when_a_needed_one_is_missing():
    cols = Columns(frozenset({"B", "USUBJID"}), frozenset({"STUDYID", "TRT01P"}))
    assert cols.of(["STUDYID", "X", "USUBJID", "Y", "B"]) == ["STUDYID", "USUBJID", "B"]
    assert cols.of(["USUBJID", "X"]) is None  # B missing: the whole file, for the error's hints
    assert cols.of(["USUBJID", "B", "B"]) is None  # a repeated name: refused on the whole file


def test_run_columns_are_what_the_file_reads_keeps_and_groups_by():
    model = endpointdsl.load(EXAMPLES / "pharmaverse" / "adtte_ae.ept").model
    got = run_columns(model, by="ARM")
    # adtte_ae.ept: `keep SITEID, AGE, AGEGR1, RACE, SEX, TRT01P as TRTP, TRT01A as TRTA, TRTSDT,
    # TRTEDT, SAFFL from adsl`; its events read adsl's TRTSDT, TRTEDT, EOSDT, DTHDT, LSTALVDT...
    assert {"SITEID", "AGE", "AGEGR1", "RACE", "SEX", "TRT01P", "TRT01A", "SAFFL"} <= got["adsl"].needed
    assert {"USUBJID", "TRTSDT", "TRTEDT"} <= got["adsl"].needed
    assert got["adsl"].if_present == {"STUDYID", "ARM"}
    assert "USUBJID" in got["adae"].needed and not got["adae"].if_present


# ---- shipped examples: the same records and report with the projection ----------------------


SHIPPED = [
    ("her2_cart_trastuzumab.ept", "data", ("sql", "compiled")),
    ("pharmaverse/adtte.ept", "pharmaverse/data", ("sql", "compiled")),
    ("pharmaverse/adtte_ae.ept", "pharmaverse/data", ("sql",)),  # keep, STUDYID
    ("pharmaverse/adpp.ept", "pharmaverse/data", ("sql",)),  # value endpoints
    ("her2_pdl1_cart.ept", "her2_pdl1_cart", ("sql", "interpreter")),
    ("sap/ae_each_term.ept", "sap/data/ae_each_term", ("sql", "compiled")),  # groups
]


@pytest.mark.parametrize(("ept", "data", "engines"), SHIPPED)
def test_shipped_examples_give_the_same_results_with_the_projection(ept, data, engines):
    compiled = endpointdsl.load(EXAMPLES / ept)
    columns = run_columns(compiled.model)
    for engine in engines:
        _same(
            _result(compiled, EXAMPLES / data, engine, columns),
            _result(compiled, EXAMPLES / data, engine, None),
        )


def test_the_projection_reads_fewer_columns_of_a_real_adam_table():
    compiled = endpointdsl.load(EXAMPLES / "pharmaverse" / "adtte.ept")
    names = [t.name for t in compiled.model.tables]
    whole = read_tables(EXAMPLES / "pharmaverse" / "data", names)
    projected = read_tables(EXAMPLES / "pharmaverse" / "data", names, columns=run_columns(compiled.model))
    for name in names:
        wanted = run_columns(compiled.model)[name]
        expected = [c for c in whole[name].columns if c in wanted.needed | wanted.if_present]
        assert list(projected[name].columns) == expected
        assert len(expected) < len(whole[name].columns)
        pd.testing.assert_frame_equal(projected[name], whole[name][expected])


# ---- the same errors ------------------------------------------------------------------------


def _write(frame: pd.DataFrame, path: pathlib.Path) -> None:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    else:
        pyreadstat.write_xport(frame, str(path), file_format_version=5)


@pytest.mark.parametrize("ext", [".csv", ".parquet", ".xpt"])
def test_a_missing_column_is_reported_as_without_the_projection(tmp_path, ext):
    """The file lacks a column the .ept reads: read whole, the error names the close one."""
    compiled = endpointdsl.load(EXAMPLES / "her2_cart_trastuzumab.ept")
    for name in (t.name for t in compiled.model.tables):
        frame = read_table(EXAMPLES / "data" / f"{name}.csv")
        _write(frame.rename(columns={"ENRLDT": "ENRLDTX"}), tmp_path / f"{name}{ext}")
    got = _result(compiled, tmp_path, "sql", run_columns(compiled.model))
    assert isinstance(got, str) and "has no column ENRLDT" in got and "did you mean ENRLDTX?" in got
    assert got == _result(compiled, tmp_path, "sql", None)


@pytest.mark.parametrize("ext", [".csv", ".xpt"])
def test_text_not_in_the_encoding_in_a_column_not_read_still_stops_the_run(tmp_path, ext):
    """The whole read refuses a file whose text is not UTF-8 anywhere: so does the projection."""
    compiled = endpointdsl.load(EXAMPLES / "her2_cart_trastuzumab.ept")
    for name in (t.name for t in compiled.model.tables):
        frame = read_table(EXAMPLES / "data" / f"{name}.csv")
        if name == "adsl":
            frame["COUNTRY"] = "Cote"
        _write(frame, tmp_path / f"{name}{ext}")
    path = tmp_path / f"adsl{ext}"
    path.write_bytes(path.read_bytes().replace(b"Cote", "Côte".encode("latin-1"), 1))
    got = _result(compiled, tmp_path, "sql", run_columns(compiled.model))
    assert isinstance(got, str) and f"adsl{ext}: " in got and "UTF-8" in got
    assert got == _result(compiled, tmp_path, "sql", None)


def test_run_with_extra_columns_writes_the_files_it_writes_without_them(tmp_path):
    """An oracle outside the reader: the same tables with 40 more columns (one of them bytes
    that are not text) give byte-identical outputs."""
    plain, wide = tmp_path / "plain", tmp_path / "wide"
    plain.mkdir()
    wide.mkdir()
    for name in ("adsl", "adrs", "adsv"):
        frame = read_table(EXAMPLES / "data" / f"{name}.csv")
        _write(frame, plain / f"{name}.parquet")
        extra = {f"X{i:02d}": [f"{i}-{j}" for j in range(len(frame))] for i in range(40)}
        table = pa.Table.from_pandas(frame.assign(**extra), preserve_index=False)
        table = table.append_column("RAW", pa.array([b"\xff\xfe"] * len(frame), pa.binary()))
        pq.write_table(table, wide / f"{name}.parquet")
    ept = str(EXAMPLES / "her2_cart_trastuzumab.ept")
    for folder in (plain, wide):
        assert (
            main(["run", ept, "--data", str(folder), "--out", str(tmp_path / f"{folder.name}.csv"), "-q"])
            == 0
        )
    for suffix in (".csv", ".report.csv", ".summary.csv"):
        assert (tmp_path / f"plain{suffix}").read_bytes() == (tmp_path / f"wide{suffix}").read_bytes()


# ---- CSV streamed by Arrow ------------------------------------------------------------------

CELLS = st.one_of(
    st.none(),
    st.sampled_from(
        ["", " ", "a,b", 'say "hi"', "two\nlines", "Côte", "日本", "x\r\ny", "1.50", "2024-01-05"]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6),
)


@settings(max_examples=25)
@given(
    st.lists(st.sampled_from(["USUBJID", "A", "B", "C", "Dé"]), min_size=1, max_size=5, unique=True),
    st.lists(st.lists(CELLS, min_size=5, max_size=5), max_size=6),
    st.booleans(),
    st.sets(st.sampled_from(["USUBJID", "A", "B", "C", "Dé"])),
)
def test_the_streamed_csv_read_is_the_whole_read(names, rows, bom, needed):
    """Quoted commas, quotes and line breaks, non-ASCII text, a BOM: the streamed read (with and
    without a projection) gives the whole read's table, or its error."""
    text = pd.DataFrame([r[: len(names)] for r in rows], columns=names).to_csv(
        index=False, lineterminator="\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "t.csv"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
        for columns in (None, Columns(frozenset(needed))):
            try:
                want = csvtext._read_whole(path, None, columns)
            except DataError as exc:  # e.g. a lone carriage return pandas leaves unquoted
                with pytest.raises(DataError) as info:
                    csvtext.read_csv(path, None, columns=columns)
                assert str(info.value) == str(exc)
                continue
            assert csvtext._streamable(path)
            got = csvtext._parse_file(path, columns)  # the streamed read itself, never given up
            assert got.equals(want), (got, want)
            pd.testing.assert_frame_equal(csvtext.read_csv(path, None, columns=columns), want.to_pandas())


@pytest.mark.parametrize(
    "content",
    [
        b"USUBJID,A\nS1,x\nS2,\xff\n",  # not UTF-8 on line 3
        b'USUBJID,A\nS1,"x\nS2,y\n',  # a quote never closed
        b"USUBJID,A\nS1,x,\nS2,y\n",  # a ragged row
        b"USUBJID,USUBJID\nS1,x\n",  # a name twice
        b"\n\n",  # no header
        b'"USUBJ\nID",A\nS1,x\n',  # a line break in a name
    ],
)
def test_the_streamed_csv_read_gives_the_whole_reads_messages(tmp_path, content):
    path = tmp_path / "adsl.csv"
    path.write_bytes(content)

    def outcome(read):
        try:
            return read()
        except DataError as exc:
            return str(exc)

    whole = outcome(lambda: csvtext._read_whole(path, None, None))
    for columns in (None, Columns(frozenset({"USUBJID"}))):
        got = outcome(lambda columns=columns: read_table(path, columns=columns))
        if isinstance(whole, str):
            assert got == whole and "adsl.csv" in got
        else:
            chosen = (columns.of(whole.column_names) if columns else None) or whole.column_names
            pd.testing.assert_frame_equal(got, whole.select(chosen).to_pandas())


# ---- SAS files read in chunks of rows --------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 7, 10_000])
def test_a_projected_xpt_read_in_chunks_is_the_whole_read(tmp_path, monkeypatch, chunk):
    """Dates, numbers with missing values and text, read 1, 7 or all rows at a time."""
    frame = read_table(EXAMPLES / "pharmaverse" / "data" / "adsl.csv")
    frame = frame[["USUBJID", "AGE", "SEX", "TRTSDT", "DTHDT", "ARM"]].head(40).copy()
    frame["AGE"] = pd.to_numeric(frame["AGE"])
    frame["TRTSDT"] = pd.to_datetime(frame["TRTSDT"]).dt.date
    frame["DTHDT"] = pd.to_datetime(frame["DTHDT"]).dt.date
    path = tmp_path / "adsl.xpt"
    pyreadstat.write_xport(frame, str(path), file_format_version=5)
    monkeypatch.setattr(read_module, "SAS_CHUNK", chunk)
    whole = read_table(path)
    columns = Columns(frozenset({"USUBJID", "DTHDT", "AGE"}))
    got = read_table(path, columns=columns)
    assert list(got.columns) == ["USUBJID", "AGE", "DTHDT"]
    assert len(got) == 40 and got["DTHDT"].notna().any() and got["DTHDT"].isna().any()
    pd.testing.assert_frame_equal(got, whole[["USUBJID", "AGE", "DTHDT"]])
    pd.testing.assert_frame_equal(read_table(path, columns=Columns(frozenset({"NOPE"}))), whole)


# ---- generated programs and data ---------------------------------------------------------------


@settings(max_examples=10)
@given(table_cases(), st.sampled_from(["csv", "parquet"]))
def test_generated_programs_give_the_same_results_with_the_projection(case, fmt):
    desc, tables = case
    if rejected(desc):
        return
    compiled = compile_text(desc.text)
    columns = run_columns(compiled.model)
    with tempfile.TemporaryDirectory() as folder:
        for name, frame in frames(desc, tables).items():
            frame = frame.assign(UNUSED=["z"] * len(frame))  # a column no program reads
            if fmt == "csv":
                frame.to_csv(pathlib.Path(folder) / f"{name}.csv", index=False)
            else:
                cells = {
                    c: pa.array([None if pd.isna(v) else str(v) for v in frame[c]], pa.string())
                    for c in frame
                }
                pq.write_table(pa.table(cells), pathlib.Path(folder) / f"{name}.parquet")
        for engine in ("sql", "compiled"):
            _same(_result(compiled, folder, engine, columns), _result(compiled, folder, engine, None))
