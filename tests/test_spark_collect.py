"""The Spark engine's results brought back in parts (issue 16, engines/spark/collect.py):
which sessions write them as files, and the files read back in partition order. Without
Spark: the files are written here with pyarrow, named as Spark's tasks name them (the
agreement with `toArrow` on a real session: test_spark_engine.py, `-m spark`)."""

from __future__ import annotations

import types

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from endpointdsl.engines.spark import collect

SCHEMA = pa.schema([("USUBJID", pa.string()), ("AVAL", pa.float64())])


def _write(folder, name: str, rows: list[tuple]) -> None:
    table = pa.table({"USUBJID": [r[0] for r in rows], "AVAL": [r[1] for r in rows]}, schema=SCHEMA)
    pq.write_table(table, folder / name)


def test_the_parts_are_read_in_partition_order_past_five_digits(tmp_path):
    names = {  # partition -> file; listed out of order, and 100000 sorts before 99999 as text
        100000: "part-100000-5d1e-c000.parquet",
        2: "part-00002-5d1e-c000.snappy.parquet",
        99999: "part-99999-5d1e-c000.parquet",
        0: "part-00000-5d1e-c000.parquet",
    }
    for partition, name in names.items():
        _write(tmp_path, name, [(f"S{partition:06d}", float(partition))])
    (tmp_path / "_SUCCESS").write_text("")  # Spark's marker: not a part
    (tmp_path / ".part-00000-5d1e-c000.parquet.crc").write_text("")  # its checksums: not parts
    table = collect.read_parts(tmp_path, SCHEMA)
    assert table["USUBJID"].to_pylist() == ["S000000", "S000002", "S099999", "S100000"]


def test_a_partition_split_into_several_files_keeps_their_order(tmp_path):
    _write(tmp_path, "part-00001-ab-c001.parquet", [("D", 4.0)])
    _write(tmp_path, "part-00001-ab-c000.parquet", [("C", 3.0)])
    _write(tmp_path, "part-00000-ab-c000.parquet", [("A", 1.0), ("B", -0.0)])
    table = collect.read_parts(tmp_path, SCHEMA)
    assert table["USUBJID"].to_pylist() == ["A", "B", "C", "D"]
    assert str(table["AVAL"].to_pylist()[1]) == "-0.0"


def test_an_empty_result_without_files_is_an_empty_table_of_its_schema(tmp_path):
    table = collect.read_parts(tmp_path, SCHEMA)
    assert table.num_rows == 0 and table.schema == SCHEMA


def _session(master: str):
    return types.SimpleNamespace(sparkContext=types.SimpleNamespace(master=master))


@pytest.mark.parametrize(
    ("master", "opened_for", "setting", "files"),
    [
        ("local[2]", None, None, True),  # a local classic session: the executors write here
        ("local[*]", None, "files", True),
        ("local[2]", None, "arrow", False),  # the A/B setting: toArrow
        ("local[2]", None, " Arrow ", False),
        ("spark://host:7077", None, None, False),  # a cluster's executors: not this disk
        ("yarn", None, None, False),
        (None, "local[2]", None, True),  # a Connect server started here
        (None, "sc://host:15002", None, False),  # a remote Connect server
    ],
)
def test_results_come_back_as_files_only_where_the_executors_share_this_disk(
    monkeypatch, master, opened_for, setting, files
):
    if setting is None:
        monkeypatch.delenv("ENDPOINTDSL_SPARK_RESULTS", raising=False)
    else:
        monkeypatch.setenv("ENDPOINTDSL_SPARK_RESULTS", setting)
    with collect.results(_session(master), opened_for) as fetched:
        folder = fetched.folder
        assert (folder is not None) == files
        if files:
            assert folder.is_dir()
    if files:
        assert not folder.exists()  # the run's temporary folder goes with the run


def test_the_temporary_folder_goes_when_the_run_fails(monkeypatch):
    monkeypatch.delenv("ENDPOINTDSL_SPARK_RESULTS", raising=False)
    with pytest.raises(RuntimeError), collect.results(_session("local[2]"), None) as fetched:
        folder = fetched.folder
        raise RuntimeError("a job failed")
    assert not folder.exists()
