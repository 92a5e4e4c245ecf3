"""Datasets: tables read from CSV, Parquet, XPT and sas7bdat; ADTTE written as CSV, Parquet and XPT.

The pharmaverse example is converted to each input format (dates as real dates, sequence
numbers as numbers) and must give the same ADTTE as from CSV, and the reference ADTTE;
the written files are read back with independent readers. Unusable files are exit 2
with a message naming the file, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import pathlib
import re
import shutil
import struct
import types

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest
from conftest import EXAMPLES, ROOT

from endpointdsl.cli import main
from endpointdsl.data.dates import parse_date
from endpointdsl.data.read import read_tables
from endpointdsl.data.tables import ADTTE_COLUMNS
from endpointdsl.data.values import normalise
from endpointdsl.data.write import LABELS

# adam: the seed adsl has STUDYID, so the output leads with it and PARAMN follows PARAM
OUT_COLUMNS = ["STUDYID", *ADTTE_COLUMNS[:3], "PARAMN", *ADTTE_COLUMNS[3:]]
EPT = EXAMPLES / "pharmaverse" / "adtte.ept"
DATA = EXAMPLES / "pharmaverse" / "data"
REFERENCE = ROOT / "tests" / "data" / "pharmaverse" / "adtte_onco.csv"
COMPARED = ["STARTDT", "ADT", "AVAL", "CNSR", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "SRCSEQ"]
NUMERIC = ["AGE", "ASEQ", "AVAL"]  # numbers in the source ADaM datasets (the CSVs hold text)


def _typed(name: str) -> pd.DataFrame:
    """An example table as SAS or Parquet would hold it: *DT columns as dates, numbers as numbers."""
    frame = pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False)
    for column in frame.columns:
        if column.endswith("DT"):
            frame[column] = [dt.date.fromisoformat(v) if v else None for v in frame[column]]
        elif column in NUMERIC:
            frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("float64")
    return frame


def _write_xpt_input(frame: pd.DataFrame, path: pathlib.Path) -> None:
    dates = [c for c in frame.columns if c.endswith("DT")]
    out = frame.copy()
    for column in dates:
        out[column] = [(d - dt.date(1960, 1, 1)).days if d else float("nan") for d in out[column]]
    formats = dict.fromkeys(dates, "DATE9.")
    pyreadstat.write_xport(
        out, str(path), table_name=path.stem.upper(), file_format_version=5, variable_format=formats
    )


def _run(*args: object) -> int:
    return main(["run", str(EPT), *map(str, args)])


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ADTTE and report from the CSV example, as text."""
    folder = tmp_path_factory.mktemp("csv")
    assert _run("--data", DATA, "--out", folder / "adtte.csv") == 0
    return _read_text(folder / "adtte.csv"), _read_text(folder / "adtte.report.csv")


def _read_text(path: pathlib.Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A read-back ADTTE in the CSV output's text form."""
    out = frame.copy()
    for column in ("STARTDT", "ADT"):
        out[column] = [d.isoformat() if isinstance(d, dt.date) else "" for d in out[column]]
    out["AVAL"] = out["AVAL"].map(lambda v: str(float(v)))
    out["CNSR"] = out["CNSR"].map(lambda v: str(int(v)))
    out["PARAMN"] = out["PARAMN"].map(lambda v: str(int(v)))  # SAS numbers are doubles
    out["SRCSEQ"] = out["SRCSEQ"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    return out.fillna("").astype(str)


def _assert_matches(ours: pd.DataFrame, csv_adtte: pd.DataFrame) -> None:
    """Same rows and values as the CSV run's ADTTE, and the reference ADTTE on the compared columns."""
    expected = csv_adtte.assign(AVAL=csv_adtte["AVAL"].map(lambda v: str(float(v))))
    assert list(ours.columns) == OUT_COLUMNS
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), expected, check_dtype=False)
    ref = pd.read_csv(REFERENCE, dtype=str, keep_default_na=False)
    ref["AVAL"] = ref["AVAL"].map(lambda v: str(float(v)))
    key = ["USUBJID", "PARAMCD"]
    merged = ref.merge(ours, on=key, how="outer", suffixes=("_ref", "_ours"), indicator=True)
    assert (merged["_merge"] == "both").all() and len(merged) == 512
    for column in COMPARED:
        diff = merged[merged[f"{column}_ref"] != merged[f"{column}_ours"]]
        assert diff.empty, diff[[*key, f"{column}_ref", f"{column}_ours"]].head()


def _xpt_formats(path: pathlib.Path) -> dict[str, tuple[str, int]]:
    """Format name and width of each variable, from the 140-byte NAMESTR records of a v5 file
    (SAS TS-140: name at 8, format name at 56, its width at 64)."""
    data = path.read_bytes()
    header = data.index(b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!")
    count = int(data[header + 54 : header + 58])
    start = header + 80  # right after the NAMESTR header record
    formats = {}
    for i in range(count):
        rec = data[start + 140 * i : start + 140 * (i + 1)]
        name = rec[8:16].decode("ascii").strip()
        formats[name] = (rec[56:64].decode("ascii").strip(), struct.unpack(">h", rec[64:66])[0])
    return formats


# ---- (a) SAS transport in and out ---------------------------------------------------------


def test_xpt_round_trip(tmp_path, csv_run):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("adsl", "adrs"):  # upper-case names, as SAS writes them
        _write_xpt_input(_typed(name), data / f"{name.upper()}.XPT")
    out, report = tmp_path / "adtte.xpt", tmp_path / "report.xpt"
    assert _run("--data", data, "--out", out, "--report", report) == 0
    assert out.read_bytes().startswith(b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!")  # version 5

    frame, meta = pyreadstat.read_xport(str(out))
    assert meta.table_name == "ADTTE"
    assert meta.column_names_to_labels == {c: LABELS[c] for c in OUT_COLUMNS}
    # What matters is a DATE format of width 9 (02JAN2014): read from the file's own NAMESTR
    # records, not from one pyreadstat version's spelling ("DATE9" before 1.3.8, "DATE9." since).
    assert _xpt_formats(out)["STARTDT"] == _xpt_formats(out)["ADT"] == ("DATE", 9)
    assert re.fullmatch(r"DATE9\.?", meta.original_variable_types["ADT"])
    assert all(isinstance(d, dt.date) for d in frame.STARTDT)
    _assert_matches(_as_text(frame), csv_run[0])

    # An independent reader: pandas' own XPORT reader (dates stay numbers; labels are in its fields).
    with pd.read_sas(out, format="xport", encoding="utf-8", iterator=True) as reader:
        by_pandas = reader.read()
        assert [f["label"].decode().strip() for f in reader.fields] == [LABELS[c] for c in OUT_COLUMNS]
    for column in ("STARTDT", "ADT"):
        by_pandas[column] = [dt.date(1960, 1, 1) + dt.timedelta(days=int(v)) for v in by_pandas[column]]
    # pandas reads some exact zeros as 5.4e-79 (pandas-dev/pandas#50670): CNSR is rounded.
    by_pandas["CNSR"] = by_pandas["CNSR"].round()
    _assert_matches(_as_text(by_pandas), csv_run[0])

    report_frame, report_meta = pyreadstat.read_xport(str(report))
    assert report_meta.table_name == "REPORT"
    pd.testing.assert_frame_equal(report_frame.fillna("").astype(str), csv_run[1], check_dtype=False)


# ---- (b) Parquet in and out ---------------------------------------------------------------


def test_parquet_round_trip(tmp_path, csv_run):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("adsl", "adrs"):
        _typed(name).to_parquet(data / f"{name}.parquet")
    out = tmp_path / "adtte.parquet"
    assert _run("--data", data, "--out", out, "--report", tmp_path / "report.parquet") == 0

    schema = pq.read_schema(out)
    assert schema.names == OUT_COLUMNS
    assert schema.field("STARTDT").type == schema.field("ADT").type == pa.date32()
    assert schema.field("SRCSEQ").type == pa.float64() and schema.field("SRCSEQ").nullable
    assert schema.field("CNSR").type == pa.int64()
    assert pq.read_table(out).column("SRCSEQ").null_count > 0  # OS censored at LSTALVDT: no sequence
    _assert_matches(_as_text(pd.read_parquet(out)), csv_run[0])
    report = pd.read_parquet(tmp_path / "report.parquet")
    pd.testing.assert_frame_equal(report.fillna("").astype(str), csv_run[1], check_dtype=False)


def test_written_files_do_not_depend_on_the_run(tmp_path):
    outputs = []
    for n in (1, 2):
        assert _run("--data", DATA, "--out", tmp_path / f"a{n}.parquet") == 0
        outputs.append((tmp_path / f"a{n}.parquet").read_bytes())
    assert outputs[0] == outputs[1]
    assert not list(tmp_path.glob(".*.partial"))


# ---- (c) sas7bdat -------------------------------------------------------------------------
# pyreadstat cannot write sas7bdat and neither pandas nor pyreadstat ship a sample file,
# so the test checks that a .sas7bdat file goes to pyreadstat.read_sas7bdat, encoding and all.


def test_sas7bdat_is_read_with_pyreadstat(tmp_path, csv_run, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    frames = {name: _typed(name) for name in ("adsl", "adrs")}
    for name in frames:
        (data / f"{name}.sas7bdat").write_bytes(b"not read: pyreadstat is replaced below")
    calls = []

    def read_sas7bdat(path, encoding=None, metadataonly=False, row_offset=0, row_limit=0):
        frame = frames[pathlib.Path(path).stem]
        if metadataonly:  # run reads the names first, for the columns it needs (issue 16)
            return frame.iloc[:0], types.SimpleNamespace(column_names=list(frame.columns))
        calls.append((pathlib.Path(path).name, encoding))  # then in chunks of rows
        return frame.iloc[row_offset : row_offset + row_limit or None].copy(), None

    monkeypatch.setattr(pyreadstat, "read_sas7bdat", read_sas7bdat)
    out = tmp_path / "adtte.csv"
    assert _run("--data", data, "--out", out) == 0
    assert calls == [("adsl.sas7bdat", None), ("adrs.sas7bdat", None)]
    assert _read_text(out).equals(csv_run[0])

    calls.clear()
    assert _run("--data", data, "--out", out, "--encoding", "latin-1") == 0
    assert calls == [("adsl.sas7bdat", "latin-1"), ("adrs.sas7bdat", "latin-1")]


def test_sas_missing_values_and_datetimes_reach_the_engine_as_missing_and_dates(tmp_path):
    frame = pd.DataFrame(
        {
            "USUBJID": ["A  ", ""],
            "RANDDT": [(dt.date(2020, 1, 2) - dt.date(1960, 1, 1)).days, float("nan")],
            "RANDDTM": [
                (dt.datetime(2020, 1, 2, 13, 5) - dt.datetime(1960, 1, 1)).total_seconds(),
                float("nan"),
            ],
        }
    )
    pyreadstat.write_xport(
        frame, str(tmp_path / "adsl.xpt"), variable_format={"RANDDT": "DATE9.", "RANDDTM": "DATETIME20."}
    )
    table = read_tables(tmp_path, ["adsl"])["adsl"]
    first, second = ({k: normalise(v) for k, v in row.items()} for row in table.to_dict("records"))
    assert first["USUBJID"] == "A"
    assert parse_date(first["RANDDT"]) == parse_date(first["RANDDTM"]) == (dt.date(2020, 1, 2), None)
    assert second == {"USUBJID": None, "RANDDT": None, "RANDDTM": None}


# ---- (d) unusable input: exit 2 and a message naming the file -----------------------------


def _latin1_xpt(path: pathlib.Path) -> None:
    """An XPT file whose text is latin-1 (pyreadstat writes UTF-8; v5 values are blank-padded)."""
    frame = _typed("adsl")
    frame.loc[0, "COUNTRY"] = "Côte"
    _write_xpt_input(frame, path)
    path.write_bytes(path.read_bytes().replace("Côte".encode(), "Côte ".encode("latin-1"), 1))


def _copy(data: pathlib.Path) -> None:
    shutil.copytree(DATA, data)


CASES = {
    "two-files": (
        lambda d: shutil.copy(d / "adsl.csv", d / "ADSL.XPT"),
        "table 'adsl' has 2 files in",
        ["ADSL.XPT, adsl.csv; keep only one"],
    ),
    "csv-latin1": (
        lambda d: (d / "adsl.csv").write_bytes(
            (d / "adsl.csv").read_bytes().replace(b",USA,", b",C\xf4te,", 1)
        ),
        "adsl.csv: not UTF-8 text at byte offset 433 (line 2: invalid continuation byte)",  # the \xf4
        ["--encoding latin-1"],
    ),
    "csv-empty": (lambda d: (d / "adrs.csv").write_bytes(b""), "adrs.csv: empty file (no header)", []),
    "csv-folder": (
        lambda d: (d / "adrs.csv").unlink() or (d / "adrs.csv").mkdir(),
        "adrs.csv: is a folder, not a CSV file",
        [],
    ),
    "xpt-corrupt": (
        lambda d: (d / "adsl.csv").rename(d / "adsl.xpt"),
        "adsl.xpt: cannot be read as SAS transport (XPT) (",
        [],
    ),
    "xpt-empty": (
        lambda d: (d / "adsl.csv").unlink() or (d / "adsl.xpt").write_bytes(b""),
        "adsl.xpt: empty file (no header)",
        [],
    ),
    "xpt-latin1": (
        lambda d: (d / "adsl.csv").unlink() or _latin1_xpt(d / "adsl.xpt"),
        "adsl.xpt: text is not UTF-8 (",
        ["--encoding latin-1"],
    ),
    "parquet-corrupt": (
        lambda d: (d / "adrs.csv").rename(d / "adrs.parquet"),
        "adrs.parquet: cannot be read as Parquet (",
        [],
    ),
    "sas7bdat-corrupt": (
        lambda d: (d / "adsl.csv").rename(d / "adsl.sas7bdat"),
        "adsl.sas7bdat: cannot be read as SAS dataset (sas7bdat) (",
        [],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_unusable_file_is_exit_2_naming_the_file(tmp_path, capsys, case):
    mutate, message, more = CASES[case]
    data = tmp_path / "data"
    _copy(data)
    mutate(data)
    assert _run("--data", data, "--out", tmp_path / "o.csv") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err, err
    assert all(text in err for text in more), err
    assert "Traceback" not in err
    assert not (tmp_path / "o.csv").exists() and not (tmp_path / "o.report.csv").exists()


@pytest.mark.parametrize("ext", ["csv", "xpt"])
def test_encoding_option_reads_latin1(tmp_path, ext):
    data = tmp_path / "data"
    _copy(data)
    if ext == "csv":
        CASES["csv-latin1"][0](data)
    else:
        CASES["xpt-latin1"][0](data)
    assert _run("--data", data, "--out", tmp_path / "o.csv", "--encoding", "latin-1") == 0
    adsl = read_tables(data, ["adsl"], encoding="latin-1")["adsl"]
    assert adsl.COUNTRY[0].rstrip() == "Côte"


def test_unreadable_file_is_exit_2(tmp_path, capsys, monkeypatch):
    data = tmp_path / "data"
    _copy(data)
    locked = data / "adrs.csv"
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # running as root: permissions are not enforced
        real_open = pathlib.Path.open

        def refuse(self, *args, **kwargs):
            if self == locked:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(pathlib.Path, "open", refuse)
    try:
        assert _run("--data", data, "--out", tmp_path / "o.csv") == 2
    finally:
        locked.chmod(0o644)
    err = capsys.readouterr().err
    assert "adrs.csv: cannot be read (Permission denied)" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--data", "{tmp}/nowhere", "--out", "{tmp}/o.csv"], "data folder {tmp}/nowhere does not exist"),
        (["--data", DATA, "--out", "{tmp}/o.csv", "--encoding", "klingon"], "unknown encoding 'klingon'"),
        (["--data", DATA, "--out", "{tmp}/o.txt"], "cannot write {tmp}/o.txt: unknown extension '.txt'"),
        (
            ["--data", DATA, "--out", "{tmp}/o.xpt", "--report", "{tmp}/r.sas7bdat"],
            "unknown extension '.sas7bdat'",
        ),
    ],
    ids=[
        "no-data-folder",
        "unknown-encoding",
        "unknown-out-format",
        "report-format",
    ],  # a missing output folder is created; outputs naming one file: tests/test_outputs.py
)
def test_unusable_command_line_is_exit_2(tmp_path, capsys, args, message):
    argv = [str(a).replace("{tmp}", str(tmp_path)) for a in args]
    assert _run(*argv) == 2
    err = capsys.readouterr().err
    assert message.replace("{tmp}", str(tmp_path)) in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())


# ---- (e) SAS transport v5 limits ----------------------------------------------------------


def test_long_text_is_refused_for_xpt_not_truncated(tmp_path, capsys):
    long_label = "Death " + "after a very long description " * 8
    ept = tmp_path / "long.ept"
    ept.write_text(EPT.read_text().replace('label "Death"', f'label "{long_label.strip()}"'))
    out = tmp_path / "adtte.xpt"
    assert main(["run", str(ept), "--data", str(DATA), "--out", str(out)]) == 4  # output not writable
    err = capsys.readouterr().err
    length = len(long_label.strip())
    assert f"error: cannot write {out}: EVNTDESC of subject 01-701-1211 (OS) is {length} bytes long" in err
    assert "SAS transport v5 allows at most 200 bytes per value" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.ept"]  # neither output nor report
    # Formats without the limit keep the value whole.
    assert main(["run", str(ept), "--data", str(DATA), "--out", str(tmp_path / "adtte.parquet")]) == 0
    assert long_label.strip() in set(pd.read_parquet(tmp_path / "adtte.parquet").EVNTDESC)
