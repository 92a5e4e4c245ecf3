"""Spark engine, inputs (issue 16): Parquet tables read and prepared by Spark's executors.

`endpointdsl run --engine spark` on Parquet files: each many-rows-per-subject table is read
on the executors, one row group per task (a row group of more than `task_rows()` rows: one
row range of it per task), by the code the driver path runs (`data.read`'s Parquet reading,
then `engines/sql/prepare.prepare_table`, which works row by row), so the typed views are
the driver path's by construction. `__row` is the task's offset plus the row's place in it:
the file's row number, as the driver path counts it (it orders same-date ties and is shown
in reports). The tasks are numbers (`spark.range`, one per partition) mapped by
`mapInArrow`: the DataFrame API only, so a Spark Connect session runs them too. The files
are paths or URIs (`storage.py`). The one-row-per-subject tables stay on the driver: they are as small as the
cohort, and `complete`, `keep` and the Kaplan-Meier groups read them whole.

What needs the whole table comes from the file's metadata or from one survey pass on the
executors, whose answers are small:
- the columns and their types (validate's presence and unusable-type checks): the schema;
- an integer column read as a number is BIGINT unless a value lies beyond 2**53: the row
  groups' statistics;
- validate's date check: each date column's distinct values and counts, in order of first
  appearance (`datecheck.column_problem` given them);
- the empty-event check (`api.empty_events`, in `complete`): the distinct rows of the
  columns the events' conditions read, which stand in for the table there.
The sorted proofs are skipped (an optimisation only: the script's GROUP BY path is right
without them). A table this cannot serve exactly stays on the driver path (`_source` says
None): another format, a data-dependent cast (binary, date64), a date column of another
type, a condition reading subject-level cells, an integer column without statistics.
ENDPOINTDSL_SPARK_INPUTS=driver keeps every table on the driver path (for A/B runs).
"""

from __future__ import annotations

import functools
import os
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from attrs import frozen

from ...check import model as m
from ...check.usage import table_usage
from ...data.csvtext import check_names
from ...data.datecheck import column_problem, counted_by_arrow, merged_counts
from ...data.emptyevents import distinct_rows
from ...data.errors import DataError
from ...data.projection import Columns
from ...data.read import plain_columns
from ...data.tables import validate
from ..sql.prepare import prepare_table
from .storage import parquet_file

EXACT = 2**53  # integers within it read as BIGINT by "num" (prepare._fast_view)
_DATA_DEPENDENT = ("is_binary", "is_large_binary", "is_binary_view", "is_fixed_size_binary", "is_date64")


@frozen
class Source:
    """A Parquet table that Spark reads and prepares: what every task needs (pickled to them)."""

    name: str
    path: str
    key: str
    columns: tuple[str, ...]  # read from the file (the run's projection, in the file's order)
    # the tasks: (row group, its first row read, rows read, rows of the file before them); a
    # row group of more than `task_rows()` rows is read by several tasks, a row range each
    pieces: tuple[tuple[int, int, int, int], ...]
    rows: int
    needs: frozenset  # (column, reader) views of the script (`prepare_table`'s)
    schema: pa.Schema  # the prepared view's
    dates: tuple[str, ...]  # columns validate reads as dates
    conditions: tuple[str, ...]  # columns the events' conditions read
    unusable: tuple[tuple[str, str], ...]  # `plain_columns`' unusable columns (validate names them)


@frozen
class Surveyed:
    """A source's whole-table answers: each date column's counted values, the conditions' rows."""

    dates: dict  # column -> [(normalised value, count)], as datecheck.distinct_values
    digest: pd.DataFrame  # distinct rows of the condition columns, in file order (path, unusable attrs)


def plan(
    model: m.Model, inputs: dict[str, Path | str], columns: dict[str, Columns], needs: dict
) -> dict[str, Source]:
    """The tables of `inputs` that Spark reads itself; `needs`: the script's views per table."""
    if os.environ.get("ENDPOINTDSL_SPARK_INPUTS", "").strip().lower() == "driver":
        return {}
    meta = table_usage(model)
    out = {}
    for t in model.tables:
        path = inputs.get(t.name)
        parquet = path is not None and str(path).lower().endswith(".parquet")  # a Path, or a URI (storage.py)
        if t.per_subject or not parquet or t.name not in columns:
            continue
        source = _source(model, t, path, columns[t.name], needs.get(t.name, set()), meta[t.name])
        if source is not None:
            out[t.name] = source
    return out


def _source(model: m.Model, table: m.TableSpec, path: Path | str, columns: Columns, needs: set, meta: dict):
    """The table's Source, or None where the driver path must read it (see the module's text)."""
    try:
        with parquet_file(path) as file:
            schema, metadata = file.schema_arrow, file.metadata
        names = schema.names
        check_names(path, names)
    except (OSError, ValueError, pa.ArrowException, DataError):
        return None  # the driver path says why, as it always has
    chosen = columns.of(names)
    if chosen is None or set(chosen) & _index_columns(schema):
        return None  # a column pandas' metadata makes the index: the driver path reads no such column
    raw = pa.schema([schema.field(c) for c in chosen])
    for field in raw:
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if any(getattr(pa.types, test, lambda _: False)(kind) for test in _DATA_DEPENDENT):
            return None
    empty, unusable = plain_columns(raw.empty_table())
    dates = tuple(dict.fromkeys(d[0] for d in meta["dates"]))
    if any(
        c not in empty.column_names or c in unusable or not counted_by_arrow(empty[c].type) for c in dates
    ):
        return None
    events = [ev for ev in model.events if ev.table == table.name and ev.where is not None]
    if any(m.subject_columns(ev.where) for ev in events):
        return None  # its empty-event probe reads the key too: a digest as large as the table
    conditions = tuple(sorted(set().union(*(m.condition_columns(ev.where) for ev in events)) & set(chosen)))
    pieces, offset, size = [], 0, task_rows()
    for i in range(metadata.num_row_groups):
        count = metadata.row_group(i).num_rows
        pieces += [(i, first, min(size, count - first), offset + first) for first in range(0, count, size)]
        pieces += [(i, 0, 0, offset)] if count == 0 else []  # an empty table's one row group
        offset += count
    schema = _prepared_schema(empty, table.key, needs, offset)
    for column, reader in needs:
        if reader == "num" and column in empty.column_names and pa.types.is_integer(empty[column].type):
            exact = _within_exact(metadata, chosen, column)
            if exact is None:
                return None
            if not exact:
                at = schema.get_field_index(f"{column}__num")
                schema = schema.set(at, pa.field(schema.field(at).name, pa.float64()))
    return Source(
        table.name, str(path), table.key, tuple(chosen), tuple(pieces), offset, frozenset(needs), schema, dates,
        conditions, tuple(unusable.items()),
    )  # fmt: skip


def _index_columns(schema: pa.Schema) -> set[str]:
    """The columns pandas' metadata stores as the index (`to_pandas` makes them the index)."""
    try:
        meta = schema.pandas_metadata or {}
    except (ValueError, TypeError):  # metadata that is not pandas' JSON: Arrow ignores it too
        return set()
    return {c for c in meta.get("index_columns", []) if isinstance(c, str)}


def _prepared_schema(empty: pa.Table, key: str, needs: set, rows: int) -> pa.Schema:
    """The view's schema as the driver path's `prepare_table` gives it for the whole table:
    `__row` int32 below 2**31 - 1 rows; dictionaries decoded (as `run._register` does)."""
    frame = empty.to_pandas(types_mapper=pd.ArrowDtype)
    schema = prepare_table(frame, key, needs).schema
    row = pa.int32() if rows < 2**31 - 1 else pa.int64()
    fields = [
        pa.field(
            f.name,
            row if f.name == "__row" else f.type.value_type if pa.types.is_dictionary(f.type) else f.type,
        )
        for f in schema
    ]
    return pa.schema(fields)


def _within_exact(metadata, chosen: list[str], column: str) -> bool | None:
    """Whether every value of an integer column lies within +-2**53 (None: unknown, no statistics)."""
    at = next((j for j in range(metadata.num_columns) if metadata.schema.column(j).path == column), None)
    if at is None:
        return None
    low = high = None
    for i in range(metadata.num_row_groups):
        chunk = metadata.row_group(i).column(at)
        if chunk.num_values == 0:
            continue  # an empty row group (an empty table's one): no statistics, no value
        stats = chunk.statistics
        if stats is None:
            return None
        if not stats.has_min_max:
            if stats.null_count != chunk.num_values:
                return None
            continue  # every value missing
        low = stats.min if low is None else min(low, stats.min)
        high = stats.max if high is None else max(high, stats.max)
    return low is None or (-EXACT <= low and high <= EXACT)


# ---- on the executors -------------------------------------------------------------------------


def task_rows() -> int:
    """Rows per task at most (ENDPOINTDSL_SPARK_TASK_ROWS, default a million: pyarrow's
    default row group): a larger row group is split into row ranges."""
    text = os.environ.get("ENDPOINTDSL_SPARK_TASK_ROWS", "").strip()
    if not text:
        return 1_000_000
    if not text.isdigit() or int(text) < 1:
        raise DataError(f"ENDPOINTDSL_SPARK_TASK_ROWS={text}: give a whole number of rows, 1 or more")
    return int(text)


def _read_piece(path: str, piece: tuple[int, int, int, int], columns: list[str]) -> pa.Table:
    """A task's rows as `data.read._read_parquet` reads the file (its column types): a whole
    row group, or a row range of one, streamed in batches (Parquet has no seek to a row
    inside a row group: the rows before the range are decoded and dropped, never kept)."""
    group, first, count, _ = piece
    with parquet_file(path) as file:
        if first == 0 and count == file.metadata.row_group(group).num_rows:
            table = file.read_row_group(group, columns=columns, use_pandas_metadata=True)
        else:
            kept, seen = [], 0
            batches = file.iter_batches(
                batch_size=min(count, 1 << 16), row_groups=[group], columns=columns, use_pandas_metadata=True
            )
            for batch in batches:
                low, high = max(first - seen, 0), min(first + count - seen, batch.num_rows)
                if high > low:
                    kept.append(batch.slice(low, high - low))
                seen += batch.num_rows
                if seen >= first + count:
                    break
            table = pa.Table.from_batches(kept)
    return plain_columns(table)[0]


def prepare_pieces(source: Source, pieces):
    """Each task's rows (`Source.pieces`) as the typed view (`prepare_table`), `__row` its file row."""
    for piece in pieces:
        offset = piece[3]
        table = _read_piece(source.path, piece, list(source.columns))
        frame = table.to_pandas(types_mapper=pd.ArrowDtype)
        prepared = prepare_table(frame, source.key, set(source.needs))
        rows = pa.array(np.arange(offset + 1, offset + len(frame) + 1), source.schema.field("__row").type)
        columns = [rows]
        for field in source.schema:
            if field.name == "__row":
                continue
            column = prepared[field.name]
            if pa.types.is_dictionary(column.type):
                column = column.cast(column.type.value_type)
            if column.type != field.type:
                if not (pa.types.is_integer(column.type) and pa.types.is_float64(field.type)):
                    raise DataError(
                        f"{source.path}: column {field.name} read as {column.type}, not {field.type}"
                    )
                column = pc.cast(column, pa.float64(), safe=False)  # float(int): the nearest double
            columns.append(column)
        yield from pa.table(columns, schema=source.schema).to_batches()


def prepare_numbered(source: Source, numbers):
    """mapInArrow over task numbers (`_numbered`): each one's piece, as `prepare_pieces`."""
    for batch in numbers:
        yield from prepare_pieces(source, [source.pieces[i] for i in batch.column(0).to_pylist()])


def survey_piece(source: Source, piece: tuple[int, int, int, int]) -> tuple[dict, pa.Table]:
    """One task's share of the whole-table answers: each date column's (value, count, first
    place) in order of first appearance, and the first row of each distinct combination of
    the condition columns (with its place, `__pos`)."""
    offset = piece[3]
    wanted = list(dict.fromkeys((*source.dates, *source.conditions)))
    table = _read_piece(source.path, piece, wanted) if wanted else pa.table({})
    dates = {}
    for column in source.dates:
        counted = pc.value_counts(table[column]).flatten()
        places = pa.array(np.arange(offset, offset + len(counted[0]), dtype=np.int64))
        dates[column] = pa.table({"value": counted[0], "count": counted[1], "first": places})
    rows = table.select(list(source.conditions))
    at = (
        distinct_rows(rows.to_pandas(types_mapper=pd.ArrowDtype), list(source.conditions))
        if source.conditions
        else []
    )
    digest = rows.take(pa.array(at, pa.int64())).append_column(
        "__pos", pa.array(np.asarray(at) + offset, pa.int64())
    )
    return dates, digest


# ---- on the driver ------------------------------------------------------------------------------


def survey(spark, sources: dict[str, Source]) -> dict[str, Surveyed]:
    """Every source's whole-table answers, from one Spark job (a task per piece). By the
    DataFrame API only (no RDD), so that a Spark Connect session runs it too."""
    tasks = tuple((name, piece) for name, s in sources.items() for piece in s.pieces)
    answers = []
    if tasks:
        with warnings.catch_warnings():  # pyspark's notice about pandas 3: the tasks hand it Arrow
            warnings.simplefilter("ignore", FutureWarning)
            job = _numbered(spark, len(tasks)).mapInArrow(
                functools.partial(survey_tasks, sources, tasks), "task long, answer binary"
            )
        answers = [(tasks[task][0], pickle.loads(blob)) for task, blob in _rows(job, "task", "answer")]
    return {
        name: gathered(source, [a for who, a in answers if who == name]) for name, source in sources.items()
    }


def survey_tasks(sources: dict[str, Source], tasks: tuple, numbers):
    """mapInArrow: each task number's (`_numbered`) survey answer, pickled (Arrow tables and
    lists: a column of bytes is the one shape every answer fits)."""
    for batch in numbers:
        for task in batch.column(0).to_pylist():
            name, piece = tasks[task]
            blob = pickle.dumps(survey_piece(sources[name], piece), protocol=pickle.HIGHEST_PROTOCOL)
            yield pa.RecordBatch.from_arrays(
                [pa.array([task], pa.int64()), pa.array([blob], pa.binary())], ["task", "answer"]
            )


def _numbered(spark, count: int):
    """The task numbers 0..count-1, one per partition (`range` splits its span evenly: one
    number per slice), so that each task runs in a Spark task of its own."""
    return spark.range(0, count, 1, count)


def _rows(frame, *columns: str) -> list[tuple]:
    """A small result's rows, through Arrow (classic and Connect sessions alike)."""
    table = frame.toArrow()
    return list(zip(*(table[c].to_pylist() for c in columns), strict=True))


def gathered(source: Source, answers: list[tuple[dict, pa.Table]]) -> Surveyed:
    """The whole table's answers from its pieces' (`survey_piece`'s, in any order)."""
    dates = {column: _counted([d[column] for d, _ in answers]) for column in source.dates}
    if answers:
        rows = pa.concat_tables([digest for _, digest in answers]).sort_by("__pos").drop(["__pos"])
    else:
        raw = pa.schema([f for f in _raw_schema(source) if f.name in source.conditions])
        rows = plain_columns(raw.empty_table())[0]
    digest = rows.to_pandas(types_mapper=pd.ArrowDtype)
    digest.attrs["path"] = source.path
    digest.attrs["unusable"] = dict(source.unusable)
    return Surveyed(dates, digest)


def _raw_schema(source: Source) -> pa.Schema:
    with parquet_file(source.path) as file:
        return pa.schema([file.schema_arrow.field(c) for c in source.columns])


def _counted(parts: list[pa.Table]) -> list[tuple[object, int]]:
    """The row groups' counts of one column as one count of the whole column (first appearance:
    the earliest row group's, then its own order)."""
    if not parts:
        return []
    both = pa.concat_tables(parts)
    total = both.group_by("value").aggregate([("count", "sum"), ("first", "min")]).sort_by("first_min")
    return merged_counts(zip(total["value"].to_pylist(), total["count_sum"].to_pylist(), strict=True))


def validate_sources(meta: dict, tables: dict, sources: dict[str, Source], surveyed: dict, file: str) -> None:
    """`data.tables.validate` with the sources' columns from their schema and their date
    columns' counts from the survey: the same errors, in the same order."""
    stand_in = {}
    for name, source in sources.items():
        frame = pd.DataFrame(columns=list(source.columns))
        frame.attrs["path"] = source.path
        frame.attrs["unusable"] = dict(source.unusable)
        stand_in[name] = frame
    given = tables | stand_in
    validate({name: {**use, "dates": []} for name, use in meta.items()}, given, file)  # the columns
    problems = []  # then the dates, as datecheck.check_date_columns words and orders them
    for name, use in meta.items():
        readings: dict[str, dict[tuple, list]] = {}
        for column, fmt, rule, event, line in use.get("dates", ()):
            imputes = False if rule is None else ("day" if rule.endswith(" day") else True)
            readings.setdefault(column, {}).setdefault((fmt, imputes), []).append((event, line))
        for column, by_reading in readings.items():
            counted = surveyed[name].dates[column] if name in sources else None
            problem = column_problem(name, given[name], column, by_reading, file, counted)
            if problem:
                problems.append(problem)
    if problems:
        raise DataError("\n".join(problems))


def register(spark, source: Source, views: list[str]) -> None:
    """The source's typed view `src_<table>`, computed once on the executors (a local
    checkpoint: the script scans it several times, and its plan stays a leaf)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    schema = from_arrow_schema(source.schema)
    if source.pieces:
        tasks = _numbered(spark, len(source.pieces))  # a piece per task, by the DataFrame API
        with warnings.catch_warnings():  # pyspark's notice about pandas 3: the tasks hand it Arrow
            warnings.simplefilter("ignore", FutureWarning)
            frame = tasks.mapInArrow(functools.partial(prepare_numbered, source), schema)
        frame = frame.localCheckpoint(eager=True)
    else:
        frame = spark.createDataFrame([], schema)
    frame.createOrReplaceTempView(f"src_{source.name}")
    views.append(f"src_{source.name}")
