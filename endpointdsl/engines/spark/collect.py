"""Spark engine, the results brought back to the driver in parts (issue 16).

`DataFrame.toArrow` runs one job whose tasks each return their whole partition as Arrow
bytes; in local mode those arrive in the driver's JVM, which also holds the executors'
checkpoints and shuffles, before they are handed to Python. At 1M subjects with 1g that
was where the JVM ran out of memory (collecting the 1M-row ADTTE), and the bytes count
against `spark.driver.maxResultSize` (1g).

Where a folder is shared by the executors and this process (scratch.py: a local session's
temporary folder, or ENDPOINTDSL_SPARK_SCRATCH), each task instead writes its partition of
the sorted result as a Parquet file there (a task streams its rows out: a row group at a
time), and the driver reads the files with pyarrow. Elsewhere `toArrow` stays, and
`ENDPOINTDSL_SPARK_RESULTS=arrow` forces it.

The order is proven, not taken from the files' names: each row carries
`monotonically_increasing_id()` (its partition << 33 | its place in the partition), so a
file must hold one partition's rows numbered 0, 1, 2, ... in the order written, and the
files are put in partition order by that number, the order `toArrow` concatenates them
in. The rows are counted as they are written (an `Observation`, in the same job), and the
driver must read exactly as many: a part it cannot see (an executor's own disk) is E395,
not a shorter result. A file that breaks the numbering is read again through `toArrow`.

Either way the table has `toArrow`'s schema (`to_arrow_schema` of the frame's, as pyspark
casts it), so the outputs do not depend on the way they came back.
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .scratch import SETTING, Folder, ScratchError, first_line, opened, run_folder, setting

# rows a writing task buffers before it writes them out (parquet's default: 128 MiB)
ROW_GROUP_BYTES = 16 << 20
ROW_ID = "_endpointdsl_row"  # monotonically_increasing_id(): partition << 33 | place in it
_PLACE_BITS = 33


class Unproven(Exception):
    """The part files do not show the partitions' order (read through `toArrow` instead)."""


class Results:
    """How a run brings its results back: `fetch(frame)` -> the rows as one Arrow table in
    the frame's order, through files in `folder` when one is given, else `toArrow`."""

    def __init__(self, folder: Folder | None):
        self.folder = folder
        self._count = 0

    def fetch(self, frame) -> pa.Table:
        if self.folder is None:
            return frame.toArrow()
        schema = _schema(frame)
        self._count += 1
        where = self.folder.child(f"result{self._count}")
        try:
            return read_parts(where, schema, self._write(frame, where))
        except Unproven as exc:
            say = f"endpointdsl: note: Spark's result files {where.uri} {exc}: the result is read through toArrow"
            print(say, file=sys.stderr, flush=True)
            return frame.toArrow()
        finally:
            where.remove()

    @staticmethod
    def _write(frame, where: Folder) -> int:
        """The frame's partitions written into `where` by its tasks, each row numbered;
        the rows written, counted in the same job."""
        from pyspark.sql import Observation
        from pyspark.sql import functions as F

        written = Observation(f"endpointdsl_{uuid.uuid4().hex}")
        # no compression: the files live for a moment; one file a partition (no split)
        (
            frame.withColumn(ROW_ID, F.monotonically_increasing_id())
            .observe(written, F.count(F.lit(1)).alias("rows"))
            .write.option("compression", "none")
            .option("parquet.block.size", ROW_GROUP_BYTES)
            .option("maxRecordsPerFile", 0)
            .parquet(where.uri)
        )
        rows = written.get.get("rows")
        if not isinstance(rows, int):  # no count, no proof that every part is read
            raise Unproven(f"came without Spark's count of their rows ({written.get!r})")
        return rows


def _schema(frame) -> pa.Schema:
    """`toArrow`'s schema of the frame (pyspark's own conversion)."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(frame.schema, error_on_duplicated_field_names_in_struct=True, timezone="UTC")


def read_parts(folder: Folder, schema: pa.Schema, rows: int) -> pa.Table:
    """The Parquet part files Spark wrote into `folder`, in partition order, as one table of
    `schema`; `rows`: how many the tasks wrote (E395 unless all are read). Unproven when a
    file's row numbers do not show one partition's rows in order."""
    from pyarrow import fs

    try:
        listed = folder.filesystem.get_file_info(fs.FileSelector(folder.path))
        found = {}
        for info in listed:  # Spark's markers (_SUCCESS) and checksums (.crc) are hidden files
            if info.type != fs.FileType.File or info.base_name.startswith(("_", ".")):
                continue
            table = pq.read_table(info.path, filesystem=folder.filesystem)
            if ROW_ID not in table.column_names:
                raise Unproven(f"have no row numbers ({info.base_name})")
            if table.num_rows:
                partition = _partition(table[ROW_ID], info.base_name)
                if partition in found:
                    raise Unproven(f"hold partition {partition} twice")
                found[partition] = table.select([n for n in table.column_names if n != ROW_ID]).cast(schema)
    except (OSError, pa.ArrowException) as exc:
        raise _unread(folder, f"cannot be read here ({first_line(exc)})") from None
    read = sum(t.num_rows for t in found.values())
    if read != rows:
        raise _unread(folder, f"show {read:,} of the {rows:,} rows Spark's tasks wrote")
    return pa.concat_tables([found[p] for p in sorted(found)]) if found else schema.empty_table()


def _partition(ids: pa.ChunkedArray, name: str) -> int:
    """The partition whose rows, numbered 0, 1, 2, ... in order, a file holds; else Unproven."""
    numbers = ids.to_numpy()
    first = int(numbers[0])
    partition, place = first >> _PLACE_BITS, first & ((1 << _PLACE_BITS) - 1)
    if place != 0 or not np.array_equal(numbers, np.arange(first, first + len(numbers), dtype=numbers.dtype)):
        raise Unproven(f"do not show one partition's rows in order ({name})")
    return partition


def _unread(folder: Folder, why: str) -> ScratchError:
    where = f"{SETTING}={setting()}" if setting() else "this machine's temporary folder"
    return ScratchError(
        f"E395 the results Spark's executors wrote to {folder.uri} {why}: the executors and this "
        f"process do not share that folder ({where}); set {SETTING} to a folder both reach "
        "(a shared disk as file://, hdfs://, s3a://, gs://), or ENDPOINTDSL_SPARK_RESULTS=arrow"
    )


def local(spark, opened_for: str | None) -> bool:
    """Whether the session's executors write to this machine's disk: a local master, or a
    Connect server started here (`local[N]`)."""
    if opened_for is not None:
        return opened_for.startswith("local")
    return str(spark.sparkContext.master).startswith("local")


def shared_scratch() -> Folder | None:
    """ENDPOINTDSL_SPARK_SCRATCH opened (E394 when this process cannot), or None."""
    return opened(setting()) if setting() else None


@contextlib.contextmanager
def results(spark, opened_for: str | None, scratch: Folder | None = None) -> Iterator[Results]:
    """A run's `Results`: through files in a folder of the run's own, in `scratch`
    (`shared_scratch`) or, on a local session, in a temporary folder here, removed at the
    end; else `toArrow`. ENDPOINTDSL_SPARK_RESULTS=arrow: `toArrow` everywhere. A scratch
    location is tried with a small write first, so that one the executors and this process
    do not share is E395 before the script runs, not after it."""
    if os.environ.get("ENDPOINTDSL_SPARK_RESULTS", "").strip().lower() == "arrow" or (
        scratch is None and not local(spark, opened_for)
    ):
        yield Results(None)
        return
    with run_folder(scratch) as folder:
        fetched = Results(folder)
        if scratch is not None:
            tried = fetched.fetch(spark.range(0, 4, 1, 4)).column(0).to_pylist()
            if tried != [0, 1, 2, 3]:  # not expected: read_parts checks what a result needs
                raise _unread(folder, f"read back {tried} for 0, 1, 2, 3")
        yield fetched
