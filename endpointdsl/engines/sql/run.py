"""SQL engine: run the generated SQL in DuckDB (in-process) and return a RunResult.

The tables go to DuckDB as Arrow (`prepare` builds the typed `src_<table>` relations
the script reads), the script runs in one connection, and `adtte` and `report` come
back through Arrow as pandas frames with the same columns, dtypes, sort order and
report texts as `data.tables.run_tables`. Endpoints the SQL generator does not translate
(`generate.sql_support`) are derived by the per-subject functions the caller gives (the
compiled engine's) and merged in. DuckDB is imported here, lazily, so that the command
line starts fast.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...check import model as m
from ...check.usage import table_usage
from ...data.errors import DataError
from ...data.records import Derivation
from ...data.tables import (
    ADTTE_COLUMNS,
    REPORT_COLUMNS,
    RunResult,
    no_record_findings,
    output_columns,
    run_tables,
    validate,
)
from ...data.values import Subject
from .generate import SqlProgram, generate_sql, result_queries
from .prepare import prepare_table, sorted_proof

ADTTE_SCHEMA = pa.schema(
    [(c, pa.string()) for c in ADTTE_COLUMNS[:3]]
    + [("STARTDT", pa.date32()), ("STARTDTF", pa.string()), ("ADT", pa.date32()), ("ADTF", pa.string()),
       ("AVAL", pa.float64()), ("AVALU", pa.string()), ("CNSR", pa.int64())]
    + [(c, pa.string()) for c in ("EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR")]
    + [("SRCSEQ", pa.float64())]
)  # fmt: skip
# With response or incidence endpoints (data.tables.output_columns): AVALC after AVAL.
ADTTE_SCHEMA_AVALC = ADTTE_SCHEMA.insert(
    ADTTE_SCHEMA.get_field_index("AVAL") + 1, pa.field("AVALC", pa.string())
)


# With an endpoint timed by the clock: STARTDTM after STARTDTF, ADTM after ADTF.
def _with_times(schema: pa.Schema) -> pa.Schema:
    schema = schema.insert(schema.get_field_index("STARTDTF") + 1, pa.field("STARTDTM", pa.timestamp("us")))
    return schema.insert(schema.get_field_index("ADTF") + 1, pa.field("ADTM", pa.timestamp("us")))


REPORT_SCHEMA = pa.schema([(c, pa.string()) for c in REPORT_COLUMNS])


SMALL = 50_000  # rows: below this, one thread (scheduling costs more than it saves)


def connect(threads: int | None = None) -> Connection:
    """An in-memory DuckDB connection whose spill files go to a private temporary folder
    (mode 0700, removed on close), not DuckDB's default `./.tmp` in the current folder.

    ENDPOINTDSL_MEMORY_LIMIT (e.g. 4GB) sets DuckDB's memory_limit; otherwise DuckDB's own
    default applies. ENDPOINTDSL_THREADS sets the number of threads.
    """
    import duckdb

    con = duckdb.connect(":memory:")
    spill = tempfile.mkdtemp(prefix="endpointdsl-duckdb-")
    connection = Connection(con, spill)
    try:
        con.execute(f"SET temp_directory = {_literal(os.path.join(spill, 'spill'))}")
        con.execute("SET enable_progress_bar = false")  # DuckDB would draw it on standard output
        setting = os.environ.get("ENDPOINTDSL_THREADS", "0")
        if not setting.strip().isdigit():
            raise DataError(f"ENDPOINTDSL_THREADS={setting!r} is not a number of threads (e.g. 4)")
        threads = threads or int(setting)
        if threads:
            con.execute(f"SET threads = {threads}")
        limit = os.environ.get("ENDPOINTDSL_MEMORY_LIMIT")
        if limit:
            try:
                con.execute(f"SET memory_limit = {_literal(limit)}")
            except duckdb.Error as exc:
                reason = str(exc).strip().splitlines()[0]
                raise DataError(
                    f"ENDPOINTDSL_MEMORY_LIMIT={limit!r} is not a memory size ({reason})"
                ) from None
    except BaseException:
        connection.close()
        raise
    return connection


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Connection:
    """A DuckDB connection that also removes its spill folder when closed."""

    def __init__(self, con, spill: str):
        self._con, self.spill = con, spill

    def __getattr__(self, name: str):
        return getattr(self._con, name)

    def close(self) -> None:
        try:
            self._con.close()
        finally:
            shutil.rmtree(self.spill, ignore_errors=True)


def run_sql(
    model: m.Model,
    tables: dict[str, pd.DataFrame],
    per_subject: dict[str, Callable[[Subject], Derivation]],
    only: list[str] | None = None,
    force_fallback: tuple = (),
) -> RunResult:
    """Derive the endpoints (`only`, if given) of a checked file for whole tables, set-wise.

    `per_subject` (PARAMCD -> the function that derives one subject) derives the endpoints
    the script does not translate, and those of `force_fallback`."""
    meta = table_usage(model)
    subject = model.subject_table.name
    validate(meta, tables, model.file)
    if len(tables[subject]) == 0:
        raise DataError(f"table '{subject}' has no rows: there is no subject to derive")
    program = generate_sql(model, only, force_fallback)
    con = connect(1 if sum(len(frame) for frame in tables.values()) < SMALL else None)
    try:
        prepared = {t.name: prepare_table(tables[t.name], t.key, program.needs[t.name]) for t in model.tables}
        for name, table in prepared.items():
            con.register(f"src_{name}", table)
        proofs = {
            check: sorted_proof(prepared[table], date, seq)
            for check, (table, date, seq) in program.sorted_checks.items()
        }
        if any(proofs.values()):  # the same script, picking occurrences by row number where proven
            program = generate_sql(
                model, only, force_fallback, frozenset(c for c, ok in proofs.items() if ok)
            )
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
        adtte = con.sql(adtte_query).to_arrow_table()
        schema = ADTTE_SCHEMA_AVALC if "AVALC" in adtte.column_names else ADTTE_SCHEMA
        adtte = adtte.cast(_with_times(schema) if "ADTM" in adtte.column_names else schema)
        report = con.sql(report_query).to_arrow_table().cast(REPORT_SCHEMA)
    finally:
        con.close()
    adtte, report = adtte_frame(adtte), report_frame(report)
    report = _with_no_record_findings(model, program, adtte, report)
    if program.fallback:
        return _merge_fallback(model, per_subject, tables, program, adtte, report)
    return RunResult(adtte, report)


def _merge_fallback(
    model: m.Model, per_subject: dict, tables, program: SqlProgram, adtte: pd.DataFrame, report: pd.DataFrame
):
    """Add the records and report rows of the endpoints derived per subject, with the
    columns and order run_tables gives for the whole file (AVALC with response endpoints)."""
    derive = {code: per_subject[code] for code in program.fallback}
    kinds = {ep.paramcd: ep.kind for ep in model.endpoints}
    times = any(m.timed(ep) for ep in model.endpoints if ep.paramcd in program.order)
    other = run_tables(
        table_usage(model), model.subject_table.name, derive, tables, model.file, kinds, times=times
    )
    responses = any(kinds.get(code, "tte") != "tte" for code in program.order)
    if responses and "AVALC" not in adtte.columns:  # the script adds it when it has such endpoints
        adtte.insert(adtte.columns.get_loc("AVAL") + 1, "AVALC", pd.Series([None] * len(adtte), dtype=object))
        adtte["CNSR"] = adtte["CNSR"].astype("Int64")
    # the file-level findings (tables without rows, orphan keys) are already in the SQL report
    rows = other.report[other.report.PARAMCD.isin(list(program.fallback))]
    frames = [f for f in (adtte, other.adtte) if len(f)] or [adtte]
    merged = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    rank = {code: i for i, code in enumerate(program.order)}
    merged = _sorted(merged, [merged.USUBJID, merged.PARAMCD.map(rank).fillna(len(rank))])
    for name in merged.columns:
        if name in ("STARTDTM", "ADTM"):
            merged[name] = merged[name].astype("datetime64[ns]")
        elif name not in TYPED:
            merged[name] = _text_values(merged[name])
    reports = [f for f in (report, rows) if len(f)] or [report]
    rows = pd.concat(reports, ignore_index=True) if len(reports) > 1 else reports[0]
    rows = _sorted(
        rows, [rows.USUBJID.fillna(""), rows.PARAMCD.map(rank).fillna(-1), rows.STATUS, rows.MESSAGE]
    )
    rows = rows.apply(_text_values)
    return RunResult(merged, rows)


def _with_no_record_findings(model, program: SqlProgram, adtte: pd.DataFrame, report: pd.DataFrame):
    """The report with tables.no_record_findings for the endpoints derived in SQL (run_tables
    adds them for the endpoints it derives)."""
    excluded = report[report.STATUS == "excluded"]
    rows = no_record_findings(
        list(program.endpoints),
        set(adtte.PARAMCD),
        list(zip(excluded.PARAMCD, excluded.MESSAGE, strict=True)),
        model.subject_table.name,
        model.subject_table.key,
    )
    if not rows:
        return report
    rank = {code: i for i, code in enumerate(program.order)}
    both = pd.concat([report, pd.DataFrame(rows, columns=REPORT_COLUMNS)], ignore_index=True)
    keys = [both.USUBJID.fillna(""), both.PARAMCD.map(rank).fillna(-1), both.STATUS, both.MESSAGE]
    both = _sorted(both, keys)
    return both.apply(_text_values)


TYPED = ("STARTDT", "ADT", "AVAL", "CNSR", "SRCSEQ")  # the columns with a dtype of their own


def _text_values(column: pd.Series) -> pd.Series:
    """A concatenated text column with the dtype pandas infers from its Python values, as
    run_tables builds it (str, or object when all missing): concat keeps object otherwise."""
    return pd.Series([None if pd.isna(v) else v for v in column], dtype=None, index=column.index)


def _sorted(frame: pd.DataFrame, keys: list[pd.Series]) -> pd.DataFrame:
    """Rows sorted by the keys run_tables sorts by (text by code point, as Python), index 0..n-1."""
    names = [f"__k{i}" for i in range(len(keys))]
    order = pd.DataFrame(dict(zip(names, keys, strict=True))).sort_values(names, kind="stable").index
    return frame.loc[order].reset_index(drop=True)


# ---- Arrow to pandas, with the dtypes data.tables.adtte_frame / report_frame give ----------


def _text(column: pa.ChunkedArray) -> pd.Series:
    """A text column as pandas infers it from Python values: str, or object when all missing."""
    if len(column) == 0 or column.null_count == len(column):
        return pd.Series([None] * len(column), dtype=object)
    return column.to_pandas()


def adtte_frame(table: pa.Table) -> pd.DataFrame:
    """With an AVALC column (response or incidence endpoints), CNSR is a nullable Int64."""
    responses = "AVALC" in table.column_names
    columns = output_columns(responses, "ADTM" in table.column_names)
    data = {}
    for name in columns:
        column = table[name]
        if name in ("STARTDTM", "ADTM"):
            data[name] = column.to_pandas().astype("datetime64[ns]")
        elif name in ("STARTDT", "ADT"):
            data[name] = column.to_pandas(date_as_object=True).astype(object)
        elif name == "AVAL":
            data[name] = pd.Series(column.to_numpy(), dtype="float64")
        elif name == "CNSR" and responses:
            data[name] = column.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        elif name == "CNSR":
            data[name] = pd.Series(column.to_numpy(), dtype="int64")
        elif name == "SRCSEQ":
            data[name] = pd.Series(pc.fill_null(column, float("nan")).to_numpy(), dtype="float64").astype(
                "Float64"
            )
        else:
            data[name] = _text(column)
    return pd.DataFrame(data, columns=columns)


def report_frame(table: pa.Table) -> pd.DataFrame:
    return pd.DataFrame({name: _text(table[name]) for name in REPORT_COLUMNS}, columns=REPORT_COLUMNS)
