"""Spark engine, `endpointdsl run --engine spark` on files (issue 16): the Parquet tables
that Spark reads itself (`inputs.plan`), and the run on them, as `CompiledFile.run` does it
on frames (the records of `run_spark`, made ADaM-complete by `CompiledFile.complete`)."""

from __future__ import annotations

from pathlib import Path

from ...data.projection import Columns
from ...data.tables import RunResult
from ...progress import Progress, stage
from .inputs import Source, plan, survey
from .run import check_workers, require, run_spark, session, spark_needs, watching


def spark_sources(model, inputs: dict[str, Path], columns: dict[str, Columns]) -> dict[str, Source]:
    """The tables of the run that Spark reads and prepares on its executors (the others are
    read on the driver, as before); called before any table is read."""
    require("sqlglot", "pyspark")
    program, _ = spark_needs(model)
    return plan(model, inputs, columns, program.needs)


def run_files(
    compiled, tables: dict, sources: dict[str, Source], progress: Progress | None = None
) -> RunResult:
    """`compiled.run(tables, engine="spark")` with the tables of `sources` read by Spark:
    `keep` checked on the subject table, the whole-table answers surveyed (validate's date
    counts, the empty-event check's rows), the records derived and completed."""
    model = compiled.model
    subject = model.subject_table
    if model.adam.keep and subject.name in tables:  # as CompiledFile._derive: before deriving
        from ...data.adam import check_kept

        keep = [(c.column, c.name, c.line) for c in model.adam.keep]
        check_kept(keep, subject.name, tables[subject.name], model.file, subject.key)
    spark = session(sum(len(t) for t in tables.values()) + sum(s.rows for s in sources.values()))
    check_workers(spark)  # the executors run endpointdsl from here on: theirs must be this one
    stage(progress, f"surveying {', '.join(sources)} (Spark)")
    with watching(spark):
        surveyed = survey(spark, sources)
    stage(progress, "checking the tables and deriving the endpoints (Spark)")
    result = run_spark(model, tables, None, sources, surveyed)
    stage(progress, "completing the ADaM variables")
    # the empty-event check reads, of a Spark-read table, only the distinct rows of its conditions' columns
    return compiled.complete(tables | {name: s.digest for name, s in surveyed.items()}, result)
