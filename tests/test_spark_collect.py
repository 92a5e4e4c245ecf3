"""The Spark engine's results brought back in parts (issue 16, engines/spark/collect.py,
scratch.py): which sessions write them as files and where, the files put in order by the
row numbers the tasks wrote (not by their names), every row written read back, and the
scratch location's errors (E394, E395). Without Spark: the files are written here with
pyarrow as Spark's tasks write them, a row number `(partition << 33) + place` each (the
agreement with `toArrow` on a real session, files renamed too: test_spark_engine.py, and a
scratch folder on a Connect server: test_spark_connect.py, under `-m spark`)."""

from __future__ import annotations

import contextlib
import types

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyarrow import fs

from endpointdsl.engines.spark import collect, scratch
from endpointdsl.engines.spark.scratch import Folder, ScratchError

SCHEMA = pa.schema([("USUBJID", pa.string()), ("AVAL", pa.float64())])


def _folder(path) -> Folder:
    return Folder(path.as_uri(), fs.LocalFileSystem(), str(path))


def _write(folder, name: str, partition: int, rows: list[tuple], places: list[int] | None = None) -> None:
    """A part file as a task writes it: its rows, each with its row number."""
    places = list(range(len(rows))) if places is None else places
    table = pa.table(
        {
            "USUBJID": [r[0] for r in rows],
            "AVAL": [r[1] for r in rows],
            collect.ROW_ID: pa.array([(partition << 33) + p for p in places], pa.int64()),
        }
    )
    pq.write_table(table, folder / name)


def test_the_parts_are_put_in_order_by_their_row_numbers_not_their_names(tmp_path):
    # each file named as another partition (read by name, the order would be D, A, B, C)
    _write(tmp_path, "part-00000-5d1e-c000.parquet", 3, [("D", 4.0)])
    _write(tmp_path, "part-00001-5d1e-c000.parquet", 0, [("A", 1.0), ("B", -0.0)])
    _write(tmp_path, "part-00002-5d1e-c000.parquet", 100000, [("E", 5.0)])  # past five digits
    _write(tmp_path, "part-00003-5d1e-c000.parquet", 2, [("C", 3.0)])
    (tmp_path / "_SUCCESS").write_text("")  # Spark's marker: not a part
    (tmp_path / ".part-00000-5d1e-c000.parquet.crc").write_text("")  # its checksums: not parts
    table = collect.read_parts(_folder(tmp_path), SCHEMA, 5)
    assert table.schema == SCHEMA  # the row numbers are not in the result
    assert table["USUBJID"].to_pylist() == ["A", "B", "C", "D", "E"]
    assert str(table["AVAL"].to_pylist()[1]) == "-0.0"


def test_an_empty_result_is_an_empty_table_of_its_schema(tmp_path):
    pq.write_table(pa.table({"USUBJID": pa.array([], pa.string()), "AVAL": pa.array([], pa.float64()),
                             collect.ROW_ID: pa.array([], pa.int64())}), tmp_path / "part-00000-a-c000.parquet")  # fmt: skip
    table = collect.read_parts(_folder(tmp_path), SCHEMA, 0)
    assert table.num_rows == 0 and table.schema == SCHEMA


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ([(0, [0, 1]), (1, [0, 2])], "rows in order"),  # a row missing in a partition
        ([(0, [1, 0])], "rows in order"),  # a partition's rows written out of order
        ([(0, [1, 2])], "rows in order"),  # not from the partition's start
        ([(0, [0]), (0, [0])], "partition 0 twice"),  # one partition in two files
    ],
)
def test_files_that_do_not_show_the_partitions_order_are_unproven(tmp_path, files, why):
    for i, (partition, places) in enumerate(files):
        _write(tmp_path, f"part-{i:05d}-x-c000.parquet", partition, [("S", 1.0)] * len(places), places)
    with pytest.raises(collect.Unproven, match=why):
        collect.read_parts(_folder(tmp_path), SCHEMA, sum(len(p) for _, p in files))


def test_a_file_holding_two_partitions_is_unproven(tmp_path):
    table = pa.table({"USUBJID": ["A", "B"], "AVAL": [1.0, 2.0], collect.ROW_ID: [0, 1 << 33]})
    pq.write_table(table, tmp_path / "part-00000-x-c000.parquet")
    with pytest.raises(collect.Unproven):
        collect.read_parts(_folder(tmp_path), SCHEMA, 2)


def test_a_file_without_row_numbers_is_unproven(tmp_path):
    pq.write_table(pa.table({"USUBJID": ["A"], "AVAL": [1.0]}), tmp_path / "part-00000-x-c000.parquet")
    with pytest.raises(collect.Unproven, match="have no row numbers"):
        collect.read_parts(_folder(tmp_path), SCHEMA, 1)


class _Writer:
    """A DataFrame's chain `withColumn(...).observe(...).write.option(...).parquet(uri)`."""

    def __init__(self):
        self.write, self.options, self.written = self, {}, []

    def withColumn(self, name, column):
        return self

    def observe(self, observation, *metrics):
        return self

    def option(self, key, value):
        self.options[key] = value
        return self

    def parquet(self, uri):
        self.written.append(uri)


@pytest.mark.parametrize(("metrics", "rows"), [({"rows": 7}, 7), ({}, None)])
def test_the_rows_written_are_spark_s_count_and_without_one_nothing_is_proven(
    monkeypatch, tmp_path, metrics, rows
):
    pyspark_sql = pytest.importorskip("pyspark.sql")
    from pyspark.sql import functions

    monkeypatch.setattr(pyspark_sql, "Observation", lambda name: types.SimpleNamespace(get=metrics))
    for name in ("monotonically_increasing_id", "count", "lit"):
        monkeypatch.setattr(functions, name, lambda *a: types.SimpleNamespace(alias=lambda n: n))
    frame = _Writer()
    where = _folder(tmp_path)
    if rows is None:
        with pytest.raises(collect.Unproven, match="without Spark's count"):
            collect.Results._write(frame, where)
    else:
        assert collect.Results._write(frame, where) == rows
    assert frame.written == [where.uri] and frame.options["maxRecordsPerFile"] == 0


def test_rows_the_driver_cannot_see_are_e395_not_a_shorter_result(tmp_path, monkeypatch):
    monkeypatch.setenv(scratch.SETTING, "file:///shared/on/the/executors")
    _write(tmp_path, "part-00000-x-c000.parquet", 0, [("A", 1.0)])  # the other part: on an executor's disk
    with pytest.raises(ScratchError, match=r"^E395 .* show 1 of the 3 rows Spark's tasks wrote: .*"
                       r"\(ENDPOINTDSL_SPARK_SCRATCH=file:///shared/on/the/executors\)"):  # fmt: skip
        collect.read_parts(_folder(tmp_path), SCHEMA, 3)
    with pytest.raises(ScratchError, match=r"^E395 .* cannot be read here"):  # a folder it cannot see at all
        collect.read_parts(_folder(tmp_path / "absent"), SCHEMA, 3)


class _Frame:
    """What `Results.fetch` asks of a DataFrame whose files come back unproven: `toArrow`."""

    def __init__(self):
        self.to_arrow = 0

    def toArrow(self):
        self.to_arrow += 1
        return pa.table({"USUBJID": ["A"], "AVAL": [1.0]}, schema=SCHEMA)


def test_a_session_whose_results_come_back_unproven_reads_them_through_to_arrow(
    tmp_path, monkeypatch, capsys
):
    pytest.importorskip("pyspark")

    def unproven(folder, schema, rows):
        raise collect.Unproven("do not show one partition's rows in order (part-00000)")

    frame = _Frame()
    monkeypatch.setattr(collect, "read_parts", unproven)
    monkeypatch.setattr(collect.Results, "_write", staticmethod(lambda frame, where: 1))
    monkeypatch.setattr(collect, "_schema", lambda frame: SCHEMA)
    got = collect.Results(_folder(tmp_path)).fetch(frame)
    assert frame.to_arrow == 1 and got["USUBJID"].to_pylist() == ["A"]
    assert "the result is read through toArrow" in capsys.readouterr().err


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
            assert fs.LocalFileSystem().get_file_info(folder.path).type == fs.FileType.Directory
    if files:
        assert (
            fs.LocalFileSystem().get_file_info(folder.path).type == fs.FileType.NotFound
        )  # gone with the run


def test_the_temporary_folder_goes_when_the_run_fails(monkeypatch):
    monkeypatch.delenv("ENDPOINTDSL_SPARK_RESULTS", raising=False)
    with pytest.raises(RuntimeError), collect.results(_session("local[2]"), None) as fetched:
        folder = fetched.folder
        raise RuntimeError("a job failed")
    assert fs.LocalFileSystem().get_file_info(folder.path).type == fs.FileType.NotFound


@pytest.mark.parametrize("ending", [RuntimeError("a job failed"), KeyboardInterrupt(), None])
def test_a_runs_scratch_folder_is_its_own_and_goes_however_the_run_ends(tmp_path, ending):
    base = scratch.opened((tmp_path / "shared").as_uri() + "/")
    seen = []
    with pytest.raises(type(ending)) if ending else contextlib.nullcontext():
        for _ in range(2):  # two runs: two folders
            with scratch.run_folder(base) as folder:
                (tmp_path / "shared" / folder.path.rsplit("/", 1)[1] / "result1").mkdir()  # what Spark wrote
                seen.append(folder)
                if ending:
                    raise ending
    assert all(f.uri.startswith(base.uri + "/endpointdsl-") for f in seen)
    assert len({f.uri for f in seen}) == len(seen)
    assert list((tmp_path / "shared").iterdir()) == []


@pytest.mark.parametrize(
    ("uri", "said"),
    [
        (
            "/shared/nfs",
            r"not a URI \(scheme://\.\.\.\)",
        ),  # a plain path: Spark would read it on its default filesystem
        ("shared://x/y", "this process cannot open it"),  # a filesystem pyarrow does not have
        ("file:///{file}/below", "this process cannot write in it"),  # below a file: no folder there
    ],
)
def test_a_scratch_location_this_process_cannot_use_is_e394(tmp_path, uri, said):
    (tmp_path / "file").write_text("")
    uri = uri.format(file=str(tmp_path / "file").lstrip("/"))
    with (
        pytest.raises(ScratchError, match=rf"^E394 ENDPOINTDSL_SPARK_SCRATCH={uri}: {said}"),
        scratch.run_folder(scratch.opened(uri)),
    ):
        pass


@pytest.mark.parametrize(
    ("uri", "opened"),
    [
        ("s3a://bucket/tmp/", "s3://bucket/tmp/"),  # Hadoop's S3 is pyarrow's s3://
        ("s3n://bucket/tmp", "s3://bucket/tmp"),
        ("gs://bucket/tmp", "gs://bucket/tmp"),
        ("hdfs://namenode:8020/tmp", "hdfs://namenode:8020/tmp"),
        ("FILE:///tmp", "file:///tmp"),
    ],
)
def test_spark_names_a_store_as_hadoop_does_and_this_process_as_pyarrow_does(monkeypatch, uri, opened):
    asked = []
    monkeypatch.setattr(scratch, "_from_uri", lambda u: asked.append(u) or (None, "/tmp"))
    folder = scratch.opened(uri)
    assert asked == [opened] and folder.uri == uri.rstrip("/")  # Spark writes to the URI as given
