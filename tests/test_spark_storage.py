"""The Spark engine on remote storage and by the DataFrame API only (issue 16).

Without Spark (the default run, well under a second): `--data` as a URI (storage.py) is
found, read and hashed as the local folder is (`file://`, the one scheme available
offline; s3://, gs://, hdfs:// and abfss:// go through the same `FileSystem.from_uri`
calls, untested here); the tasks that `mapInArrow` runs over task numbers (`_numbered`)
give what the row-group functions give. With Spark, the command on a file:// folder:
tests/test_spark_connect.py (one run serves both, and CI's time).
"""

from __future__ import annotations

import hashlib
import pickle

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_differential import compile_text
from test_spark_inputs import ADRS, ADSL, PFS, planned, write

from endpointdsl.check.projection import run_columns
from endpointdsl.cli import main
from endpointdsl.data.errors import DataError
from endpointdsl.data.read import read_table
from endpointdsl.engines.spark import inputs, storage
from endpointdsl.engines.sql.generate import generate_sql


def uri(path) -> str:
    return path.resolve().as_uri()


def test_a_uri_is_told_from_a_path():
    assert storage.is_uri("s3://bucket/study") and storage.is_uri("file:///tmp/x")
    assert storage.is_uri("abfss://c@acct.dfs.core.windows.net/d")
    assert not storage.is_uri("C://data")  # a drive letter: one letter, a path
    assert not storage.is_uri("C:/data") and not storage.is_uri("data/study") and not storage.is_uri("/tmp/x")
    assert storage.local_path("file:///tmp/a%20b/adsl.parquet").as_posix() == "/tmp/a b/adsl.parquet"
    assert storage.local_path("s3://bucket/adsl.parquet") is None
    assert storage.local_path("data/adsl.parquet").as_posix() == "data/adsl.parquet"


def test_tables_are_found_in_a_uri_folder_as_in_a_local_one(tmp_path):
    write(tmp_path, {"adsl": ADSL})
    pq.write_table(pa.table(ADRS), tmp_path / "ADRS.Parquet")  # any case, as find_table
    found = storage.find_tables(uri(tmp_path), ["adsl", "adrs"])
    assert found == {"adsl": f"{uri(tmp_path)}/adsl.parquet", "adrs": f"{uri(tmp_path)}/ADRS.Parquet"}
    with pytest.raises(DataError, match=r"no file for table 'adae' in file://.*expected adae.parquet"):
        storage.find_tables(uri(tmp_path), ["adae"])
    (tmp_path / "adsv.csv").write_text("USUBJID\nS1\n")
    with pytest.raises(DataError, match=r"adsv.csv: only Parquet tables are read from remote storage"):
        storage.find_tables(uri(tmp_path), ["adsv"])
    (tmp_path / "adsl.csv").write_text("USUBJID\nS1\n")
    with pytest.raises(DataError, match=r"table 'adsl' has 2 files in file://.*adsl.csv, adsl.parquet"):
        storage.find_tables(uri(tmp_path), ["adsl"])
    with pytest.raises(DataError, match="cannot be listed"):
        storage.find_tables(uri(tmp_path / "no-such-folder"), ["adsl"])


def test_a_table_read_from_a_uri_is_the_local_readers_frame(tmp_path):
    write(tmp_path, {"adrs": pa.table(ADRS | {"EXTRA": list(range(8))})})
    columns = run_columns(compile_text(PFS).model)["adrs"]
    want = read_table(tmp_path / "adrs.parquet", arrow=True, columns=columns)
    got = storage.read_table(f"{uri(tmp_path)}/adrs.parquet", columns)
    pd.testing.assert_frame_equal(got, want)
    assert "EXTRA" not in got.columns and got.attrs["unusable"] == want.attrs["unusable"] == {}
    assert got.attrs["path"] == f"{uri(tmp_path)}/adrs.parquet"
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(DataError, match=r"bad.parquet: cannot be read as Parquet"):
        storage.read_table(f"{uri(tmp_path)}/bad.parquet", None)


def test_the_manifest_hashes_a_uri_input_as_its_bytes(tmp_path):
    write(tmp_path, {"adsl": ADSL})
    data = (tmp_path / "adsl.parquet").read_bytes()
    entry = storage.manifest_entry(f"{uri(tmp_path)}/adsl.parquet")
    assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
    assert entry["file"] == f"{uri(tmp_path)}/adsl.parquet" and entry["modified"].endswith("+00:00")


def test_a_uri_source_plans_and_reads_as_its_path(tmp_path):
    """The executors' reading (footer, row groups, survey) opens a URI as it opens the path."""
    compiled = compile_text(PFS)
    write(tmp_path, {"adsl": ADSL, "adrs": pa.table(ADRS)})
    by_path = planned(compiled, tmp_path)["adrs"]
    model = compiled.model
    found = storage.find_tables(uri(tmp_path), [t.name for t in model.tables])
    by_uri = inputs.plan(model, found, run_columns(model), generate_sql(model).needs)
    assert list(by_uri) == ["adrs"] and by_uri["adrs"].path == found["adrs"]
    assert by_uri["adrs"].pieces == by_path.pieces == ((0, 0, 3, 0), (1, 0, 3, 3), (2, 0, 2, 6))
    assert by_uri["adrs"].schema == by_path.schema
    for task, (_, _, _, offset) in enumerate(by_path.pieces):
        numbered = [pa.RecordBatch.from_arrays([pa.array([task], pa.int64())], ["id"])]
        got = pa.Table.from_batches(list(inputs.prepare_numbered(by_uri["adrs"], numbered)))
        want = pa.Table.from_batches(list(inputs.prepare_numbered(by_path, numbered)))
        assert got.equals(want) and got["__row"].to_pylist() == list(
            range(offset + 1, offset + got.num_rows + 1)
        )


def test_numbered_tasks_give_the_pieces_answers(tmp_path):
    """`prepare_numbered` and `survey_tasks` (mapInArrow over `_numbered`'s task numbers,
    several per batch and in any order) against `prepare_pieces` and `survey_piece`."""
    compiled = compile_text(PFS)
    write(tmp_path, {"adsl": ADSL, "adrs": pa.table(ADRS)})
    source = planned(compiled, tmp_path)["adrs"]
    numbers = [pa.RecordBatch.from_arrays([pa.array([2, 0], pa.int64())], ["id"]),
               pa.RecordBatch.from_arrays([pa.array([1], pa.int64())], ["id"])]  # fmt: skip
    got = pa.Table.from_batches(list(inputs.prepare_numbered(source, numbers))).sort_by("__row")
    assert got["__row"].to_pylist() == list(range(1, 9))  # every file row once (row 5, key-less, too)
    assert got.equals(pa.Table.from_batches(list(inputs.prepare_pieces(source, source.pieces))))
    tasks = tuple(("adrs", p) for p in source.pieces)
    answers = {}
    for batch in inputs.survey_tasks({"adrs": source}, tasks, numbers):
        assert batch.schema.names == ["task", "answer"] and batch.schema.field("answer").type == pa.binary()
        answers[batch.column(0)[0].as_py()] = pickle.loads(batch.column(1)[0].as_py())
    assert sorted(answers) == [0, 1, 2]
    for task, (dates, digest) in answers.items():
        want_dates, want_digest = inputs.survey_piece(source, tasks[task][1])
        assert digest.equals(want_digest) and dates.keys() == want_dates.keys()
        assert all(dates[c].equals(want_dates[c]) for c in dates)


def test_a_uri_for_data_is_refused_by_the_other_engines(tmp_path, capsys):
    write(tmp_path, {"adsl": ADSL, "adrs": pa.table(ADRS)})
    (tmp_path / "pfs.ept").write_text(PFS)
    out = tmp_path / "out" / "adtte.csv"
    out.parent.mkdir()
    code = main(["run", str(tmp_path / "pfs.ept"), "--data", uri(tmp_path), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "a URI is read by --engine spark only" in err and not out.exists()
    code = main(["run", str(tmp_path / "pfs.ept"), "--data", str(tmp_path), "--out", str(out),
                 "--spark-remote", "sc://host:15002"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "--spark-remote sc://host:15002 needs --engine spark" in err and not out.exists()
