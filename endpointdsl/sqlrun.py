"""SQL backend: run the generated SQL in DuckDB (in-process) and return a RunResult.

The tables go to DuckDB as Arrow (`sqlprep` builds the typed `src_<table>` relations
the script reads), the script runs in one connection, and `adtte` and `report` come
back through Arrow as pandas frames with the same columns, dtypes, sort order and
report texts as `tables.run_tables`. Endpoints the SQL generator does not translate
(`sqlgen.sql_support`) are derived by the per-subject compiled functions and merged in.
DuckDB is imported here, lazily, so that the command line starts fast.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .diagnostics import DataError
from .sqlgen import SqlProgram, generate_sql, result_queries
from .sqlprep import prepare_table, sorted_proof
from .tables import ADTTE_COLUMNS, REPORT_COLUMNS, RunResult, run_tables, validate

if TYPE_CHECKING:
    from .api import CompiledFile

ADTTE_SCHEMA = pa.schema(
    [(c, pa.string()) for c in ADTTE_COLUMNS[:3]]
    + [("STARTDT", pa.date32()), ("STARTDTF", pa.string()), ("ADT", pa.date32()), ("ADTF", pa.string()),
       ("AVAL", pa.float64()), ("AVALU", pa.string()), ("CNSR", pa.int64())]
    + [(c, pa.string()) for c in ("EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR")]
    + [("SRCSEQ", pa.float64())]
)  # fmt: skip
REPORT_SCHEMA = pa.schema([(c, pa.string()) for c in REPORT_COLUMNS])


SMALL = 50_000  # rows: below this, one thread (scheduling costs more than it saves)


def connect(threads: int | None = None):
    import duckdb

    con = duckdb.connect(":memory:")
    threads = threads or int(os.environ.get("ENDPOINTDSL_THREADS", "0"))
    if threads:
        con.execute(f"SET threads = {threads}")
    return con


def run_sql(
    compiled: CompiledFile,
    tables: dict[str, pd.DataFrame],
    only: list[str] | None = None,
    force_fallback: tuple = (),
    program: SqlProgram | None = None,
) -> RunResult:
    """Derive the endpoints (`only`, if given) of a compiled file for whole tables, set-wise."""
    model = compiled.model
    meta = compiled.namespace["TABLES"]
    subject = model.subject_table.name
    validate(meta, tables, model.file)
    if len(tables[subject]) == 0:
        raise DataError(f"table '{subject}' has no rows: there is no subject to derive")
    program = program or generate_sql(model, only, force_fallback)
    con = connect(1 if sum(len(frame) for frame in tables.values()) < SMALL else None)
    try:
        prepared = {t.name: prepare_table(tables[t.name], t.key, program.needs[t.name]) for t in model.tables}
        for name, table in prepared.items():
            con.register(f"src_{name}", table)
        proofs = {
            check: sorted_proof(prepared[table], date, seq)
            for check, (table, date, seq) in program.sorted_checks.items()
        }
        con.register(
            "sorted_inputs",
            pa.table(
                {
                    "name": pa.array(list(proofs), pa.string()),
                    "proven": pa.array(list(proofs.values()), pa.bool_()),
                }
            ),
        )
        con.execute(program.text)
        adtte_query, report_query = result_queries(program.order)
        adtte = con.sql(adtte_query).to_arrow_table().cast(ADTTE_SCHEMA)
        report = con.sql(report_query).to_arrow_table().cast(REPORT_SCHEMA)
    finally:
        con.close()
    if program.fallback:
        adtte, report = _merge_fallback(compiled, tables, program, adtte, report)
    return RunResult(adtte_frame(adtte), report_frame(report))


def _merge_fallback(compiled, tables, program: SqlProgram, adtte: pa.Table, report: pa.Table):
    """Add the records and report rows of the endpoints derived per subject; sort as run_tables does."""
    derive = {code: compiled.namespace["ENDPOINTS"][code] for code in program.fallback}
    model = compiled.model
    other = run_tables(compiled.namespace["TABLES"], model.subject_table.name, derive, tables, model.file)
    records = pa.Table.from_pandas(other.adtte, schema=ADTTE_SCHEMA, preserve_index=False)
    rows = other.report[other.report.PARAMCD.isin(list(program.fallback))]
    rows = pa.Table.from_pandas(rows.astype(object).where(rows.notna(), None), schema=REPORT_SCHEMA,
                                preserve_index=False)  # fmt: skip
    rank = {code: i for i, code in enumerate(program.order)}
    adtte = pa.concat_tables([adtte, records])
    ranks = pa.array([rank.get(c, len(rank)) for c in adtte["PARAMCD"].to_pylist()], pa.int64())
    adtte = adtte.append_column("__rank", ranks).sort_by([("USUBJID", "ascending"), ("__rank", "ascending")])
    report = pa.concat_tables([report, rows])
    keys = report.to_pylist()
    order = sorted(
        range(len(keys)),
        key=lambda i: (keys[i]["USUBJID"] or "", rank.get(keys[i]["PARAMCD"], -1), keys[i]["STATUS"],
                       keys[i]["MESSAGE"]),
    )  # fmt: skip
    return adtte.drop_columns(["__rank"]), report.take(pa.array(order, pa.int64()))


# ---- Arrow to pandas, with the dtypes tables.adtte_frame / report_frame give ---------------


def _text(column: pa.ChunkedArray) -> pd.Series:
    """A text column as pandas infers it from Python values: str, or object when all missing."""
    if len(column) == 0 or column.null_count == len(column):
        return pd.Series([None] * len(column), dtype=object)
    return column.to_pandas()


def adtte_frame(table: pa.Table) -> pd.DataFrame:
    data = {}
    for name in ADTTE_COLUMNS:
        column = table[name]
        if name in ("STARTDT", "ADT"):
            data[name] = column.to_pandas(date_as_object=True).astype(object)
        elif name == "AVAL":
            data[name] = pd.Series(column.to_numpy(), dtype="float64")
        elif name == "CNSR":
            data[name] = pd.Series(column.to_numpy(), dtype="int64")
        elif name == "SRCSEQ":
            data[name] = pd.Series(pc.fill_null(column, float("nan")).to_numpy(), dtype="float64").astype(
                "Float64"
            )
        else:
            data[name] = _text(column)
    return pd.DataFrame(data, columns=ADTTE_COLUMNS)


def report_frame(table: pa.Table) -> pd.DataFrame:
    return pd.DataFrame({name: _text(table[name]) for name in REPORT_COLUMNS}, columns=REPORT_COLUMNS)
