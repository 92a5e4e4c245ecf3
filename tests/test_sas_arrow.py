"""issue 16: SAS inputs of a run (projected, for the SQL engine) read as Arrow, chunk by chunk
(data.read._sas_batches), give the results, labels, formats and errors of the pandas read."""

from __future__ import annotations

import pandas as pd
import pyreadstat
from conftest import EXAMPLES

import endpointdsl
from endpointdsl.check.projection import run_columns
from endpointdsl.data import read as read_module
from endpointdsl.data.projection import Columns
from endpointdsl.data.read import read_table, read_tables


def _xpt_folder(tmp_path, compiled) -> None:
    """The example's tables as XPT: dates as SAS dates, numbers as numbers, a label and a format."""
    for table in compiled.model.tables:
        frame = read_table(EXAMPLES / "data" / f"{table.name}.csv")
        for column in frame.columns:
            if column.endswith("DT"):
                frame[column] = pd.to_datetime(frame[column]).dt.date
            elif column.endswith("SEQ"):
                frame[column] = pd.to_numeric(frame[column])
        pyreadstat.write_xport(
            frame, str(tmp_path / f"{table.name}.xpt"), file_format_version=5,
            column_labels={"USUBJID": "Unique Subject Identifier"}, variable_format={"ENRLDT": "DATE9."},
        )  # fmt: skip


def test_xpt_inputs_read_as_arrow_give_the_same_results(tmp_path, monkeypatch):
    """In chunks of 40 rows: adsv (168 rows) in five, the last one short."""
    compiled = endpointdsl.load(EXAMPLES / "her2_cart_trastuzumab.ept")
    _xpt_folder(tmp_path, compiled)
    monkeypatch.setattr(read_module, "SAS_CHUNK", 40)
    names = [t.name for t in compiled.model.tables]
    columns = run_columns(compiled.model)
    arrow = read_tables(tmp_path, names, arrow=True, columns=columns)
    plain = read_tables(tmp_path, names, arrow=False, columns=columns)
    assert all(isinstance(d, pd.ArrowDtype) for f in arrow.values() for d in f.dtypes)  # Arrow-backed
    for name in names:
        assert arrow[name].attrs == plain[name].attrs  # labels and formats, for `keep`
        assert arrow[name].attrs["labels"]["USUBJID"] == "Unique Subject Identifier"
        assert list(arrow[name].columns) == list(plain[name].columns) and len(arrow[name]) == len(plain[name])
    got, want = compiled.run(arrow, engine="sql"), compiled.run(plain, engine="sql")
    assert len(got.adtte) > 0
    pd.testing.assert_frame_equal(got.adtte, want.adtte)
    pd.testing.assert_frame_equal(got.report, want.report)


def test_a_column_missing_in_a_whole_chunk_takes_the_type_of_the_others(tmp_path, monkeypatch):
    frame = pd.DataFrame({"USUBJID": ["A", "B", "C"], "NOTE": [None, None, "x"], "N": [None, None, 2.5]})
    pyreadstat.write_xport(frame, str(tmp_path / "t.xpt"), file_format_version=5)
    monkeypatch.setattr(read_module, "SAS_CHUNK", 2)
    got = read_table(tmp_path / "t.xpt", arrow=True, columns=Columns(frozenset({"USUBJID", "NOTE", "N"})))
    assert got["NOTE"].tolist() == ["", "", "x"]  # SAS has no missing text: blanks, as pyreadstat reads them
    assert got["N"].isna().tolist() == [True, True, False] and got["N"].iloc[2] == 2.5


def test_an_encoding_retried_under_pythons_name_reads_alike(tmp_path):
    """latin-1 is not readstat's name: retried as iso8859-1 (read._read_sas), both ways."""
    frame = pd.DataFrame({"USUBJID": ["A\u00e9", "B"], "X": [1.0, None]})
    pyreadstat.write_xport(frame, str(tmp_path / "t.xpt"), file_format_version=5)
    columns = Columns(frozenset({"USUBJID", "X"}))
    arrow = read_table(tmp_path / "t.xpt", "latin-1", arrow=True, columns=columns)
    plain = read_table(tmp_path / "t.xpt", "latin-1", arrow=False, columns=columns)
    assert arrow["USUBJID"].tolist() == plain["USUBJID"].tolist()
    assert arrow["X"].isna().tolist() == [False, True] and arrow["X"].iloc[0] == plain["X"].iloc[0] == 1.0
