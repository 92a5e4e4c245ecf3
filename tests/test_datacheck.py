"""`endpointdsl check FILE --data DIR`: tables, columns and types, without deriving.

A problem that `run` also meets gets the same message from both (each case runs both and
compares); the type problems that `run` would turn into wrong or missing records, one
subject at a time, are errors here. Exit 2 on any problem.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from conftest import EXAMPLES

from endpointdsl.cli import main

SEED = EXAMPLES / "her2_cart_trastuzumab.ept"
DATA = EXAMPLES / "data"
PHARMAVERSE = EXAMPLES / "pharmaverse"


def _errors(err: str) -> list[str]:
    assert "Traceback" not in err, err
    return [line for line in err.splitlines() if line.startswith("error: ")]


def test_clean_data_is_ok(capsys):
    assert main(["check", str(SEED), "--data", str(DATA)]) == 0
    out = capsys.readouterr().out
    assert f"{SEED}: ok (TTF, PFS, DOR, OS, PFSSTD, CBR, ORR)\n{DATA}: ok (15 columns of 3 tables)\n" == out


def _rename_column(path: Path, old: str, new: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    lines[0] = ",".join(new if c == old else c for c in header) + "\n"
    path.write_text("".join(lines))


# Problems `run` meets before deriving: both commands must say the same.
SHARED = {
    "missing-table": lambda d: (d / "adsv.csv").unlink(),
    "missing-column": lambda d: _rename_column(d / "adrs.csv", "AVALC", "AVAL_C"),
    "column-in-other-case": lambda d: _rename_column(d / "adrs.csv", "AVALC", "avalc"),
    "two-missing-columns": lambda d: (
        _rename_column(d / "adsl.csv", "DTHDT", "DTHDTC"),
        _rename_column(d / "adsv.csv", "SVSEQ", "VISITSEQ"),
    ),
    "two-files-for-a-table": lambda d: shutil.copy(d / "adsl.csv", d / "ADSL.parquet"),
    "empty-file": lambda d: (d / "adrs.csv").write_bytes(b""),
    "folder-for-a-file": lambda d: (d / "adrs.csv").unlink() or (d / "adrs.csv").mkdir(),
    "corrupt-parquet": lambda d: (d / "adrs.csv").rename(d / "adrs.parquet"),
    "no-data-folder": lambda d: shutil.rmtree(d),
}
EXPECTED = {
    "missing-table": "no file for table 'adsv' in {d}: expected adsv.csv, .parquet, .xpt or .sas7bdat",
    "missing-column": "table 'adrs' ({d}/adrs.csv) has no column AVALC, used at",
    "column-in-other-case": "has no column AVALC, used at {ept}:{line} (did you mean avalc?)",
    "two-missing-columns": "table 'adsv' ({d}/adsv.csv) has no column SVSEQ",
    "two-files-for-a-table": "table 'adsl' has 2 files in {d}: ADSL.parquet, adsl.csv; keep only one",
    "empty-file": "{d}/adrs.csv: empty file (no header)",
    "folder-for-a-file": "{d}/adrs.csv: is a folder, not a CSV file",
    "corrupt-parquet": "{d}/adrs.parquet: cannot be read as Parquet (",
    "no-data-folder": "data folder {d} does not exist or is not a folder",
}


@pytest.mark.parametrize("case", SHARED)
def test_check_and_run_give_the_same_message(tmp_path, capsys, case):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    SHARED[case](data)
    assert main(["check", str(SEED), "--data", str(data)]) == 2
    by_check = _errors(capsys.readouterr().err)
    assert main(["run", str(SEED), "--data", str(data), "--out", str(tmp_path / "o.csv")]) == 2
    by_run = _errors(capsys.readouterr().err)
    line = next(i for i, text in enumerate(SEED.read_text().splitlines(), 1) if "AVALC" in text)
    expected = EXPECTED[case].format(d=data, ept=SEED, line=line)
    assert any(expected in line for line in by_check), by_check
    assert any(expected in line for line in by_run), by_run
    if case != "corrupt-parquet":  # there the reason is the Parquet library's, worded per call
        # run stops at its first unreadable file, check goes on: compare what run says
        assert by_run == by_check[: len(by_run)], (by_check, by_run)
    assert not (tmp_path / "o.csv").exists()


def _xpt_dates_without_format(folder: Path) -> None:
    frame = pd.read_csv(PHARMAVERSE / "data" / "adsl.csv", dtype=str, keep_default_na=False)
    for column in ("RANDDT", "LSTALVDT"):
        frame[column] = [
            (dt.date.fromisoformat(v) - dt.date(1960, 1, 1)).days if v else None for v in frame[column]
        ]
    frame[["USUBJID", "RANDDT", "LSTALVDT"]].to_csv(folder / "plain.csv", index=False)
    pyreadstat.write_xport(frame[["USUBJID", "RANDDT", "LSTALVDT"]], str(folder / "adsl.xpt"))
    (folder / "adsl.csv").unlink()


def _parquet_adrs(folder: Path, change) -> None:
    frame = pd.read_csv(folder / "adrs.csv", dtype=str, keep_default_na=False)
    change(frame)
    frame.to_parquet(folder / "adrs.parquet")
    (folder / "adrs.csv").unlink()


def _blank_csv_key(path: Path) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["USUBJID"] = "  "  # blanks are missing
    frame.to_csv(path, index=False)


def _dated_sequence(frame: pd.DataFrame) -> None:
    frame["ASEQ"] = [dt.date(2020, 1, 1)] * len(frame)


TYPES = {
    "xpt-date-without-format": (
        _xpt_dates_without_format,
        [  # the message run gives (datecheck), judged on the sample
            "{d}/adsl.xpt: column RANDDT, read as a date by event randomisation ({ept}:11): 254 of its 254 "
            "non-empty values are not YYYY-MM-DD (ISO 8601) dates",
            "{d}/adsl.xpt: column LSTALVDT, read as a date by event last_alive",
        ],
    ),
    "boolean-flag-read-as-text": (
        lambda d: _parquet_adrs(d, lambda f: f.__setitem__("ANL01FL", f.ANL01FL == "Y")),
        [
            "table 'adrs' ({d}/adrs.parquet): column ANL01FL holds true/false values, but {ept}:20 reads it as "
            'text; write it as text (e.g. "Y"/"N")'
        ],
    ),
    "date-read-as-a-number": (
        lambda d: _parquet_adrs(d, _dated_sequence),
        ["table 'adrs' ({d}/adrs.parquet): column ASEQ holds dates, but {ept}:15 reads it as a number"],
    ),
    "key-missing-in-every-row": (
        lambda d: _parquet_adrs(d, lambda f: f.__setitem__("USUBJID", "")),
        [
            "table 'adrs' ({d}/adrs.parquet): key column USUBJID is missing in every row: no row belongs to a "
            "subject"
        ],
    ),
    "csv-key-missing-in-every-row": (
        lambda d: _blank_csv_key(d / "adsl.csv"),
        ["table 'adsl' ({d}/adsl.csv): key column USUBJID is missing in every row"],
    ),
}


@pytest.mark.parametrize("case", TYPES)
def test_unusable_column_types_are_exit_2(tmp_path, capsys, case):
    make, messages = TYPES[case]
    data = tmp_path / "data"
    shutil.copytree(PHARMAVERSE / "data", data)
    make(data)
    ept = PHARMAVERSE / "adtte.ept"
    assert main(["check", str(ept), "--data", str(data)]) == 2
    errors = _errors(capsys.readouterr().err)
    assert [m.format(d=data, ept=ept) for m in messages] == [
        e.removeprefix("error: ")[: len(m.format(d=data, ept=ept))]
        for e, m in zip(errors, messages, strict=False)
    ], errors
    assert len(errors) == len(messages), errors


def test_numbers_declared_as_sas_days_are_dates_for_check_and_run(tmp_path, capsys):
    """A number is a date where the event says `format "days since 1960-01-01"`: check accepts
    the column that it refuses without the format, and run derives from it."""
    data = tmp_path / "data"
    shutil.copytree(PHARMAVERSE / "data", data)
    _xpt_dates_without_format(data)
    text = (PHARMAVERSE / "adtte.ept").read_text(encoding="utf-8")
    for column in ("RANDDT", "LSTALVDT"):
        text = text.replace(f"adsl.{column} ", f'adsl.{column} format "days since 1960-01-01" ')
    ept = tmp_path / "adtte.ept"
    ept.write_text(text, encoding="utf-8")
    assert main(["check", str(ept), "--data", str(data)]) == 0, capsys.readouterr().err
    assert main(["run", str(ept), "--data", str(data), "--out", str(tmp_path / "adtte.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "adtte.csv")) > 0


def test_check_reads_a_sample_not_the_whole_parquet_file(tmp_path, monkeypatch):
    """From a Parquet file: its schema, and the used columns of the first SAMPLE rows."""
    import pyarrow.parquet as pq

    from endpointdsl import datacheck

    data = tmp_path / "data"
    shutil.copytree(PHARMAVERSE / "data", data)
    _parquet_adrs(data, lambda f: None)
    batches = []
    real = pq.ParquetFile.iter_batches

    def iter_batches(self, batch_size=65536, **kwargs):
        batches.append((batch_size, kwargs.get("columns")))
        return real(self, batch_size=batch_size, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", iter_batches)
    assert main(["check", str(PHARMAVERSE / "adtte.ept"), "--data", str(data)]) == 0
    assert batches == [(datacheck.SAMPLE, ["USUBJID", "ADT", "ASEQ", "PARAMCD", "AVALC", "ANL01FL"])]
