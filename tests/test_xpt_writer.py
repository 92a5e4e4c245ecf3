"""issue 16 (mem): XPT written from Arrow records (data/xptwrite.py), byte for byte as
pyreadstat writes the pandas frame, and read back by pyreadstat and pandas.read_sas.

The oracle is pyreadstat itself: each table is also given to `write._write_xpt` as a frame
built by hand from the same Python values (texts, floats with NaN, nullable integers, date
objects, datetimes), which writes it with pyreadstat. The files are compared without the
times they were written at.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import struct

import numpy as np
import pandas as pd
import pyarrow as pa
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from endpointdsl.data import xptwrite
from endpointdsl.data.arrowrecords import Records
from endpointdsl.data.write import WRITERS, OutputError

WRITTEN = re.compile(rb"\d\d[A-Z]{3}\d\d:\d\d:\d\d:\d\d")  # 07DEC26:02:58:01
EXAMPLES = 400 if os.environ.get("HYPOTHESIS_PROFILE") == "heavy" else 25
FORMATS = ["8.2", "BEST12.", "$20.", "COMMA10.2", "F8.", "$CHAR5.", "."]


def _both(
    tmp_path,
    table: pa.Table,
    frame: pd.DataFrame,
    attrs: dict,
    dataset: str = "ADTTE",
    fallback: bool = False,
) -> bytes:
    """The Arrow path's file; asserts it is pyreadstat's (or that both refuse alike), and that
    the Arrow path wrote it itself (or, `fallback`, had pyreadstat write the frame)."""
    converted = []
    records = Records(table, lambda: converted.append(1) or frame, attrs)
    frame.attrs = attrs
    errors = []
    for name, value in (("arrow", records), ("pandas", frame)):
        try:
            WRITERS[".xpt"](value, tmp_path / f"{name}.xpt", dataset)
        except OutputError as exc:
            errors.append(str(exc))
    assert bool(converted) == fallback
    if errors:
        assert len(errors) == 2 and errors[0] == errors[1]
        return b""
    arrow, pandas = (WRITTEN.sub(b"", (tmp_path / f"{p}.xpt").read_bytes()) for p in ("arrow", "pandas"))
    assert arrow == pandas
    return (tmp_path / "arrow.xpt").read_bytes()


def _frame_column(values: list, kind: str) -> pd.Series:
    """The column as the pandas path holds it."""
    if kind == "text":
        return pd.Series(values, dtype=object)
    if kind == "float":
        return pd.Series([math.nan if v is None else v for v in values], dtype="float64")
    if kind == "int":
        return pd.Series(values, dtype="Int64")
    if kind == "date":
        return pd.Series(values, dtype=object)
    return pd.Series(values, dtype="datetime64[ns]")


ARROW = {"text": pa.string(), "float": pa.float64(), "int": pa.int64(), "date": pa.date32(),
         "time": pa.timestamp("us")}  # fmt: skip
SUFFIX = {"text": "", "float": "", "int": "", "date": "DT", "time": "DTM"}


def _tables(columns: dict[str, tuple[str, list]]) -> tuple[pa.Table, pd.DataFrame]:
    table = pa.table({n: pa.array(v, ARROW[k]) for n, (k, v) in columns.items()})
    frame = pd.DataFrame({n: _frame_column(v, k) for n, (k, v) in columns.items()})
    return table, frame


def test_hand_made_values_are_pyreadstats_bytes_and_read_back(tmp_path):
    """Worked by hand: 1.0 is 41 10 00.. in IBM 370 (16**1 * 1/16), -2.5 is C1 28 00.., a
    missing number 2E 00.., a text padded with blanks to the longest value's bytes."""
    columns = {
        "USUBJID": ("text", ["S1", "S2", None]),
        "NAME": ("text", ["é", "", "abc"]),
        "AVAL": ("float", [1.0, -2.5, None]),
        "CNSR": ("int", [0, None, 1]),
        "ADT": ("date", [dt.date(1960, 1, 2), None, dt.date(1959, 12, 31)]),
        "ADTM": ("time", [dt.datetime(1960, 1, 1, 0, 0, 1, 500000), None, dt.datetime(2024, 2, 29, 23, 59, 59)]),
    }  # fmt: skip
    table, frame = _tables(columns)
    attrs = {"labels": {"NAME": "Név"}, "formats": {"AVAL": "8.2"}, "dataset_label": "Time to Event"}
    data = _both(tmp_path, table, frame, attrs)
    observations = data[data.index(b"HEADER RECORD*******OBS") + 80 :]
    width = 2 + 3 + 8 * 4  # USUBJID 2 bytes, NAME 3 ("é" is 2, "abc" 3), four numbers
    assert len(observations) == 80 * math.ceil(3 * width / 80)
    first, second = observations[:width], observations[width : 2 * width]
    assert first[:5] == b"S1\xc3\xa9 " and second[:5] == b"S2   "
    assert first[5:13] == bytes.fromhex("4110000000000000") and second[5:13] == bytes.fromhex(
        "C128000000000000"
    )
    assert second[13:21] == b".\0\0\0\0\0\0\0"  # CNSR missing
    assert first[21:29] == bytes.fromhex("4110000000000000")  # ADT 1960-01-02: day 1
    back, meta = pyreadstat.read_xport(str(tmp_path / "arrow.xpt"))
    assert list(back.columns) == list(columns) and meta.file_label == "Time to Event"
    assert (
        meta.column_names_to_labels["NAME"] == "Név"
        and meta.column_names_to_labels["AVAL"] == "Analysis Value"
    )
    assert back.NAME.tolist() == ["é", "", "abc"] and back.USUBJID.tolist() == ["S1", "S2", ""]
    assert back.AVAL.tolist()[:2] == [1.0, -2.5] and math.isnan(back.AVAL[2])
    assert back.ADT.tolist()[0] == dt.date(1960, 1, 2) and back.ADT.tolist()[2] == dt.date(1959, 12, 31)
    assert back.ADTM.tolist()[0] in (dt.datetime(1960, 1, 1, 0, 0, 1, 500000), 1.5)  # 1.3.1: seconds
    sas = pd.read_sas(tmp_path / "arrow.xpt", format="xport", encoding="utf-8")
    # pandas reads a zero (eight zero bytes, also in pyreadstat's file) as 16**-65
    assert sas.CNSR[0] == pytest.approx(0.0, abs=1e-78) and math.isnan(sas.CNSR[1]) and sas.CNSR[2] == 1.0
    assert sas.NAME.tolist() == ["é", "", "abc"] and sas.AVAL.tolist()[:2] == [1.0, -2.5]


def test_what_it_does_not_write_goes_to_pyreadstat_with_its_messages(tmp_path):
    """A value longer than 200 bytes: the pandas path's message (no file from either path);
    a yes/no column, an infinity and a reserved name: pyreadstat's own file or error."""
    long = "x" * 201
    table, frame = _tables(
        {"USUBJID": ("text", ["S1"]), "PARAMCD": ("text", ["PFS"]), "TEXT": ("text", [long])}
    )
    assert _both(tmp_path, table, frame, {}, fallback=True) == b""
    with pytest.raises(OutputError, match="TEXT of subject S1 \\(PFS\\) is 201 bytes long"):
        WRITERS[".xpt"](Records(table, lambda: frame, {}), tmp_path / "x.xpt", "ADTTE")
    flags = pa.table({"FLAG": [True, False]})
    assert not xptwrite.write_table(flags, ["FLAG"], tmp_path / "y.xpt", dates=set(), times=set(), labels={},
                                    formats={}, table_name="ADTTE", file_label="")  # fmt: skip
    assert not (tmp_path / "y.xpt").exists()  # nothing written
    table, frame = _tables({"AVAL": ("float", [math.inf, 1.0])})
    _both(tmp_path, table, frame, {}, fallback=True)
    table, frame = _tables({"AVAL": ("float", [1.0])})
    with pytest.raises(pyreadstat.ReadstatError):  # pyreadstat's: a reserved word
        _both(tmp_path, table, frame, {"dataset": "_N_"}, fallback=True)


def _doubles():
    return st.one_of(
        st.floats(allow_nan=True, allow_infinity=False),
        st.sampled_from([0.0, -0.0, 1e-300, 5e-324, 16.0**-65, 16.0**-66, 16.0**62, 16.0**63, 1e300, 0.1]),
        st.integers(-(10**6), 10**6).map(float),
    )


KINDS = {
    "text": st.text(st.characters(codec="utf-8", exclude_characters="\0"), max_size=12),
    "float": _doubles(),
    "int": st.integers(-(2**62), 2**62),
    "date": st.dates(dt.date(1800, 1, 1), dt.date(2200, 12, 31)),
    "time": st.datetimes(dt.datetime(1800, 1, 1), dt.datetime(2200, 12, 31)),
}


@st.composite
def tables(draw):
    kinds = draw(st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=6))
    rows = draw(st.integers(0, 12))
    columns = {}
    for i, kind in enumerate(kinds):
        values = draw(st.lists(st.one_of(st.none(), KINDS[kind]), min_size=rows, max_size=rows))
        columns[f"C{i}{SUFFIX[kind]}"] = (kind, values)
    names = list(columns)
    label_text = st.text(st.characters(exclude_characters="\0"), max_size=50)  # (a NUL: pyreadstat's)
    labels = draw(st.dictionaries(st.sampled_from(names), label_text, max_size=len(names)))
    formats = draw(st.dictionaries(st.sampled_from(names), st.sampled_from(FORMATS), max_size=len(names)))
    label = draw(st.text(st.characters(codec="ascii", exclude_characters="\0"), max_size=40))
    return columns, {"labels": labels, "formats": formats, "dataset_label": label}


@settings(max_examples=EXAMPLES, deadline=None)
@given(tables())
def test_generated_tables_are_pyreadstats_bytes(tmp_path_factory, case):
    columns, attrs = case
    table, frame = _tables(columns)
    folder = tmp_path_factory.mktemp("xpt")
    data = _both(folder, table, frame, attrs)
    if data:
        back, _ = pyreadstat.read_xport(str(folder / "arrow.xpt"))
        assert list(back.columns) == list(columns)
        # a last row of blanks only (missing or blank texts) cannot be told from the padding
        blank = all(
            k == "text" and (v[-1:] or [None])[0] in (None, *(" " * n for n in range(13)))
            for k, v in columns.values()
        )
        if table.num_rows and not blank:
            assert len(back) == table.num_rows


def test_ibm_doubles_against_the_definition():
    """Each IBM double, read by its definition (sign, 16**(e-64), 56-bit fraction), is the
    IEEE double it came from, where the IBM range holds it."""
    values = np.array([1.0, -2.5, 0.1, 1e-70, 123456789.123, -(2.0**-200), 2.0**200, 7e-79, 2.0**247])
    for value, cell in zip(values, xptwrite._ibm(values), strict=True):
        (word,) = struct.unpack(">Q", cell.tobytes())
        sign, exponent, fraction = word >> 63, (word >> 56) & 0x7F, word & ((1 << 56) - 1)
        back = (-1) ** sign * fraction / 2**56 * 16.0 ** (exponent - 64)
        assert back == value and fraction >> 52 != 0  # normalised: a non-zero first hex digit


def test_without_pyreadstats_answer_on_informats_it_writes_nothing(tmp_path, monkeypatch):
    """The informats follow the installed pyreadstat, asked with a one-cell file; when that
    fails, the Arrow path writes nothing and leaves the file to pyreadstat."""

    def refuse(*args, **kwargs):
        raise OSError("no room")

    xptwrite._informats_copied.cache_clear()
    monkeypatch.setattr(pyreadstat, "write_xport", refuse)
    try:
        table = pa.table({"AVAL": [1.0]})
        kwargs = {
            "dates": set(),
            "times": set(),
            "labels": {},
            "formats": {},
            "table_name": "ADTTE",
            "file_label": "",
        }
        assert not xptwrite.write_table(table, ["AVAL"], tmp_path / "x.xpt", **kwargs)
        assert not (tmp_path / "x.xpt").exists()
    finally:
        xptwrite._informats_copied.cache_clear()
