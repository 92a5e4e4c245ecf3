"""Spark engine, the results brought back to the driver in parts (issue 16).

`DataFrame.toArrow` runs one job whose tasks each return their whole partition as Arrow
bytes; in local mode those arrive in the driver's JVM, which also holds the executors'
checkpoints and shuffles, before they are handed to Python. At 1M subjects with 1g that
was where the JVM ran out of memory (collecting the 1M-row ADTTE), and the bytes count
against `spark.driver.maxResultSize` (1g).

Where the executors share this machine's disk (a local master, classic or a Connect server
started here), each task instead writes its partition of the sorted result as a Parquet
file into the run's temporary folder (a task streams its rows out: a row group at a time),
and the driver reads the files with pyarrow in partition order, which is the result's
order (a sorted DataFrame's partition i is written as part-i). Elsewhere (a cluster, a
remote Connect server: their executors' disks are not this one) `toArrow` stays.
`ENDPOINTDSL_SPARK_RESULTS=arrow` keeps `toArrow` everywhere (for A/B runs).

Either way the table has `toArrow`'s schema (`to_arrow_schema` of the frame's, as pyspark
casts it), so the outputs do not depend on the way they came back.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# part-00003-<uuid>-c000.parquet: the partition, then the file of it (c000 unless
# maxRecordsPerFile splits one); the partition's digits grow past 99999
_PART = re.compile(r"^part-(\d+)-.*?-c(\d+)(?:\.[a-z0-9]+)*\.parquet$")
# rows a writing task buffers before it writes them out (parquet's default: 128 MiB)
ROW_GROUP_BYTES = 16 << 20


class Results:
    """How a run brings its results back: `fetch(frame)` -> the rows as one Arrow table in
    the frame's order, through files in `folder` when one is given, else `toArrow`."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._count = 0

    def fetch(self, frame) -> pa.Table:
        from pyspark.sql.pandas.types import to_arrow_schema

        if self.folder is None:
            return frame.toArrow()
        schema = to_arrow_schema(frame.schema, error_on_duplicated_field_names_in_struct=True, timezone="UTC")
        self._count += 1
        where = self.folder / f"result{self._count}"
        # no compression: the files live for a moment on this machine's disk
        frame.write.option("compression", "none").option("parquet.block.size", ROW_GROUP_BYTES).parquet(
            where.as_uri()
        )
        try:
            return read_parts(where, schema)
        finally:
            shutil.rmtree(where, ignore_errors=True)


def read_parts(folder: Path, schema: pa.Schema) -> pa.Table:
    """The Parquet part files Spark wrote into `folder`, in partition order, as one table of
    `schema` (an empty result may have no file at all)."""
    tables = [pq.read_table(path, schema=None).cast(schema) for path in parts(folder)]
    return pa.concat_tables(tables) if tables else schema.empty_table()


def parts(folder: Path) -> list[Path]:
    """The part files in partition order (by number: names do not sort so past 99999)."""
    found = []
    for path in folder.iterdir():
        match = _PART.match(path.name)
        if match:
            found.append(((int(match.group(1)), int(match.group(2))), path))
    return [path for _, path in sorted(found)]


def local(spark, opened_for: str | None) -> bool:
    """Whether the session's executors write to this machine's disk: a local master, or a
    Connect server started here (`local[N]`)."""
    if opened_for is not None:
        return opened_for.startswith("local")
    return str(spark.sparkContext.master).startswith("local")


@contextlib.contextmanager
def results(spark, opened_for: str | None) -> Iterator[Results]:
    """A run's `Results`, with its temporary folder (removed at the end) where the session
    is local and ENDPOINTDSL_SPARK_RESULTS is not `arrow`."""
    if os.environ.get("ENDPOINTDSL_SPARK_RESULTS", "").strip().lower() == "arrow" or not local(
        spark, opened_for
    ):
        yield Results(None)
        return
    folder = Path(tempfile.mkdtemp(prefix="endpointdsl-spark-"))
    try:
        yield Results(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
