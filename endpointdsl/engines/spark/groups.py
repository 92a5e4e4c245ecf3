"""Spark engine, grouped endpoints (`by`, issue 13): the SQL engine's second pass on Spark.

As `engines/sql/run.py` `_second_pass` does in a second DuckDB connection: the first pass
left, per grouped endpoint, `grp_<P>` (the values, numbered) and `gsrc_<P>_<table>` (the
rows keyed by value and subject, `g:key`); the endpoint's ungrouped script runs on those
as its `src_<table>` inputs, and its records are relabelled with the parameters that
`data.groups.name_groups` names (`labels`). Here both passes run in the one Spark session:
the first pass's results are collected before the second starts, the `gsrc_` views are
checkpoints (plans of their own, not reading the `src_` views the second pass replaces),
and the second pass's statements replace the first pass's views of the same names.
"""

from __future__ import annotations

import pyarrow as pa

from ...check import model as m
from ..sql.generate import SqlProgram
from ..sql.groups import composite_tables, no_parameter_query, params, relabel_queries
from ..sql.results import REPORT_SCHEMA, adtte_frame, report_frame, schema_of, with_no_record
from .translate import translate


class _Rows:
    """What `groups.params` reads of a DuckDB connection (`con.sql(q).fetchall()`), on Spark."""

    def __init__(self, spark):
        self.spark = spark

    def sql(self, query: str):
        return _Fetched([tuple(r) for r in self.spark.sql(_one(query)).collect()])


class _Fetched:
    def __init__(self, rows: list[tuple]):
        self.rows = rows

    def fetchall(self) -> list[tuple]:
        return self.rows


def _one(query: str) -> str:
    (statement,) = translate(query)
    return statement.sql


def found(spark, model: m.Model, code: str, fetched):
    """The parameters of the grouped endpoint `code` and their labels, or, when it has none,
    its whole result (every subject excluded, a no-record finding), read from the first
    pass: called for every grouped endpoint before any second pass replaces its views (a
    second pass writes its own `subject_rows`, which `no_parameter_query` reads). `fetched`
    (collect.py) brings results back."""
    ep = model.endpoint(code)
    named, labels = params(_Rows(spark), ep, f"{model.file}:{ep.span.line if ep.span else 0}")
    if named:
        return named, labels
    query = _one(no_parameter_query(ep, model.subject_table.name))
    report = report_frame(fetched.fetch(spark.sql(query)).cast(REPORT_SCHEMA))
    return [ep.paramcd], None, with_no_record(model, [ep.paramcd], set(), report)


def second_pass(
    spark, model: m.Model, prepared: dict, code: str, program: SqlProgram, first, fetched, run, register
):
    """(PARAMCDs, adtte, report) of the grouped endpoint `code`, as `_second_pass`; `first` is
    `found`'s answer, `fetched` brings results back. `run(statements)` executes translated statements, `register(name,
    arrow table)` makes a view; both record the views they create, for the run's cleanup."""
    if len(first) == 3:  # no value: the result is already known
        return first
    named, labels = first
    ep = model.endpoint(code)
    crossed = set(composite_tables(model, ep))
    for t in model.tables:  # the first pass's keyed rows become this pass's inputs
        if t.name in crossed:
            spark.table(f"`gsrc_{code}_{t.name}`").createOrReplaceTempView(f"src_{t.name}")
        else:
            register(f"src_{t.name}", prepared[t.name].schema.empty_table())
    names = list(program.sorted_checks)  # no order proven: the GROUP BY path, always right
    register("sorted_inputs", pa.table({"name": pa.array(names, pa.string()),
                                        "proven": pa.array([False] * len(names), pa.bool_())}))  # fmt: skip
    register("labels", labels)
    run(translate(program.text))
    columns = spark.table("adtte").columns
    at = columns.index("PARAM") + 1
    columns[at:at] = [f"PARCAT{i}" for i in range(1, len(ep.group.columns) + 1)]
    adtte_query, report_query = relabel_queries(ep, columns)
    adtte = fetched.fetch(spark.sql(_one(adtte_query)))
    report = fetched.fetch(spark.sql(_one(report_query))).cast(REPORT_SCHEMA)
    frame = adtte_frame(adtte.cast(schema_of(adtte)))
    codes = [p.paramcd for p in named]
    return codes, frame, with_no_record(model, codes, set(frame.PARAMCD.unique()), report_frame(report))
