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
from ...data.arrowrecords import Records
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
from ...progress import Progress, stage
from .generate import SqlProgram, generate_sql, result_queries
from .groups import composite_tables, no_parameter_query, params, relabel_queries, ungrouped
from .keys import numbered_tables, text_keys
from .prepare import fact, prepare_table, sorted_proof
from .session import Sessions

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

    ENDPOINTDSL_MEMORY_LIMIT (e.g. 4GB) sets DuckDB's memory_limit; otherwise half the
    machine's memory. ENDPOINTDSL_THREADS sets the number of threads.
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
        limit = os.environ.get("ENDPOINTDSL_MEMORY_LIMIT") or _default_limit()
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


def _default_limit() -> str | None:
    """Half the machine's memory (DuckDB's own default is 80%): the inputs, their views and
    the results are held by Python beside DuckDB, which counts only its own; beyond the
    limit DuckDB spills to the private folder instead of the machine running out."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not on this system (Windows): DuckDB's default
        return None
    return f"{max(total // 2 // 2**20, 256)}MiB"


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


_SESSIONS = Sessions(connect)  # one database per process, a cursor per run (session.py)


def run_sql(
    model: m.Model,
    tables: dict[str, pd.DataFrame],
    per_subject: dict[str, Callable[[Subject], Derivation]],
    only: list[str] | None = None,
    force_fallback: tuple = (),
    progress: Progress | None = None,
    programs: dict | None = None,
) -> RunResult:
    """Derive the endpoints (`only`, if given) of a checked file for whole tables, set-wise.

    `per_subject` (PARAMCD -> the function that derives one subject) derives the endpoints
    the script does not translate, and those of `force_fallback`. `progress` (issue 16) is
    told each stage's name as it starts. `programs` (issue 16): where the generated scripts
    of this model are kept between runs (generating them is deterministic)."""
    stage(progress, "checking the tables")
    meta = table_usage(model)
    subject = model.subject_table.name
    validate(meta, tables, model.file)
    if len(tables[subject]) == 0:
        raise DataError(f"table '{subject}' has no rows: there is no subject to derive")
    programs = {} if programs is None else programs
    program, second = _programs(model, only, force_fallback, programs)
    small = sum(len(frame) for frame in tables.values()) < SMALL
    con = _SESSIONS.cursor(1 if small else None)
    try:
        prepared = {t.name: prepare_table(tables[t.name], t.key, program.needs[t.name]) for t in model.tables}
        # integer subject numbers where proven usable (keys.py; a grouped endpoint's second pass reads text keys)
        numbered = None if program.grouped else numbered_tables(prepared, subject)
        prepared = numbered.tables if numbered is not None else prepared
        for name, table in prepared.items():
            con.register(f"src_{name}", table)
        proofs = {
            check: sorted_proof(prepared[table], date, seq)
            for check, (table, date, seq) in program.sorted_checks.items()
        }
        # facts that let the script skip a check with nothing to find (generate.Facts)
        facts = {
            # numbered keys (keys.py) are proven unique in the subject-level table and found in it
            name: (numbered is not None and kind in ("unique", "within"))
            or fact(kind, prepared[table], view, prepared[subject])
            for name, (kind, table, view) in program.facts.items()
        }
        if any(proofs.values()) or any(facts.values()):  # the same script, with what is proven
            proven = frozenset(c for c, ok in (proofs | facts).items() if ok)
            program = _proven_program(model, only, force_fallback, proven, programs)
        con.register(
            "sorted_inputs",
            pa.table(
                {
                    "name": pa.array(list(proofs), pa.string()),
                    "proven": pa.array(list(proofs.values()), pa.bool_()),
                }
            ),
        )
        stage(progress, f"deriving {_count(len(program.endpoints), 'endpoint')} (the SQL script)")
        con.execute(program.text)
        # (a second pass reads the inputs and the first pass's tables; small data: closing frees it)
        if not program.grouped and not small:
            prepared = _release(con, prepared)
        stage(progress, "collecting the results")
        table = None  # the last input the loop above registered, released with the others (issue 16)
        pa.default_memory_pool().release_unused()
        adtte_query, report_query = result_queries(program.order, numbered is not None)
        adtte = con.sql(adtte_query).to_arrow_table()
        if not program.grouped and not small:  # DuckDB's copy of the records, freed before the report's
            con.execute("DROP TABLE adtte")
        report = con.sql(report_query).to_arrow_table()
        if numbered is not None:
            adtte, report = (_with_keys(t, numbered.keys) for t in (adtte, report))
        schema = ADTTE_SCHEMA_AVALC if "AVALC" in adtte.column_names else ADTTE_SCHEMA
        adtte = adtte.cast(_with_times(schema) if "ADTM" in adtte.column_names else schema)
        report = report.cast(REPORT_SCHEMA)
        passes = [_second_pass(model, con, prepared, code, second[code]) for code in program.grouped]
    finally:
        con.close()
    if not passes and not program.fallback:  # issue 16: the records stay Arrow up to the writers
        report = report_frame(report)
        report = _with_no_record_findings(model, program, _codes(adtte), report)
        return RunResult(Records(adtte, lambda: adtte_frame(adtte)), report)
    adtte, report = adtte_frame(adtte), report_frame(report)
    report = _with_no_record_findings(model, program, set(adtte.PARAMCD.unique()), report)
    if passes:
        adtte, report = _with_groups(model, program, adtte, report, passes)
    if program.fallback:
        stage(progress, f"deriving {', '.join(program.fallback)} per subject")
        return _merge_fallback(model, per_subject, tables, program, adtte, report)
    return RunResult(adtte, report)


def warm(model: m.Model, programs: dict, only: list[str] | None = None) -> None:
    """Start-up ahead of a run (issue 16): this module's imports, the process's DuckDB
    database, and the script with nothing proven kept in `programs`. The script with the
    facts the data prove is generated in the run (when not kept from an earlier one)."""
    _SESSIONS.cursor(1).close()
    _programs(model, only, (), programs)


def _programs(model: m.Model, only, force_fallback: tuple, programs: dict) -> tuple[SqlProgram, dict]:
    """The script with nothing proven, and each grouped endpoint's second pass (kept in `programs`)."""
    key = (None if only is None else tuple(only), tuple(force_fallback))
    if key not in programs:
        program = generate_sql(model, only, force_fallback)
        # groups (issue 13): each grouped endpoint's second pass, whose views the inputs must hold too
        second = {code: generate_sql(ungrouped(model, code), [code]) for code in program.grouped}
        for other in second.values():
            for name, views in other.needs.items():
                program.needs[name] |= views
        programs[key] = (program, second)
    return programs[key]


def _proven_program(model: m.Model, only, force_fallback: tuple, proven: frozenset, programs: dict):
    """The script generated again with the facts proven on the data (kept in `programs`)."""
    key = (None if only is None else tuple(only), tuple(force_fallback), proven)
    if key not in programs:
        programs[key] = generate_sql(model, only, force_fallback, proven)
    return programs[key]


def _with_keys(table: pa.Table, keys: pa.Array) -> pa.Table:
    """A result with its subject numbers (USUBJID) as the subject keys (keys.py)."""
    at = table.schema.get_field_index("USUBJID")
    return table.set_column(at, "USUBJID", text_keys(table["USUBJID"], keys))


def _release(con, prepared: dict) -> dict:
    """Free what the script no longer needs before its results are read and converted: the
    inputs' views and every table but adtte and report (at 1M subjects several hundred MiB
    of the peak). Returns the (emptied) prepared inputs."""
    for name in prepared:
        con.unregister(f"src_{name}")
    prepared.clear()  # io (issue 16): the views' Arrow memory freed now, and handed back below
    temporary = con.sql(
        "SELECT table_name, table_type FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_catalog = 'temp'"
    ).fetchall()
    for name, kind in sorted(temporary, key=lambda t: t[1] != "VIEW"):  # views first: they read tables
        if name.lower() not in ("adtte", "report"):
            con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} IF EXISTS temp.main.{_ident(name)}")
    pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed memory otherwise
    return {}


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
    rows = other.report[other.report.PARAMCD.notna()]  # the fallback's (a grouped one's: numbered)
    frames = [f for f in (adtte, other.adtte) if len(f)] or [adtte]
    merged = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    merged = merged.reindex(columns=output_columns(responses, times, _parcats(model, program)))  # groups
    merged = _sorted(merged, [merged.USUBJID, *_ranks(model, program, merged.PARAMCD, len(program.order))])
    for name in merged.columns:
        if name in ("STARTDTM", "ADTM"):
            merged[name] = merged[name].astype("datetime64[ns]")
        elif name not in TYPED:
            merged[name] = _text_values(merged[name])
    reports = [f for f in (report, rows) if len(f)] or [report]
    rows = pd.concat(reports, ignore_index=True) if len(reports) > 1 else reports[0]
    rows = _sorted(
        rows, [rows.USUBJID.fillna(""), *_ranks(model, program, rows.PARAMCD, -1), rows.STATUS, rows.MESSAGE]
    )
    rows = rows.apply(_text_values)
    return RunResult(merged, rows)


def _codes(adtte: pa.Table) -> set[str]:
    """The PARAMCDs with a record (unique first: a million str objects cost seconds)."""
    return {c for c in pc.unique(adtte["PARAMCD"]).to_pylist() if c is not None}


def _with_no_record_findings(model, program: SqlProgram, recorded: set, report: pd.DataFrame):
    """The report with tables.no_record_findings for the endpoints derived in SQL (run_tables
    adds them for the endpoints it derives); `recorded`: the PARAMCDs with a record."""
    excluded = report[report.STATUS == "excluded"]
    rows = no_record_findings(
        list(program.endpoints),
        recorded,
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


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


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
    parcats = sum(1 for c in table.column_names if c.startswith("PARCAT"))  # groups (issue 13)
    columns = output_columns(responses, "ADTM" in table.column_names, parcats)
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


# ---- groups (issue 13, item 3): the second pass of each grouped endpoint (groups.py) ----------


def _second_pass(model: m.Model, con, prepared: dict, code: str, program: SqlProgram):
    """(PARAMCDs, adtte, report) of a grouped endpoint: its usual statements run on the
    relations keyed by (value, subject) that the first pass built, relabelled."""
    ep = model.endpoint(code)
    named, labels = params(con, ep, f"{model.file}:{ep.span.line if ep.span else 0}")
    if not named:  # every subject excluded, and a finding that the endpoint has no record
        report = report_frame(
            con.sql(no_parameter_query(ep, model.subject_table.name)).to_arrow_table().cast(REPORT_SCHEMA)
        )
        return [ep.paramcd], None, _with_no_record(model, [ep.paramcd], set(), report)
    crossed = set(composite_tables(model, ep))
    inputs = {
        t.name: con.sql(f"SELECT * FROM {_ident(f'gsrc_{code}_{t.name}')}").to_arrow_table()
        if t.name in crossed
        else prepared[t.name].schema.empty_table()
        for t in model.tables
    }
    two = connect(1 if sum(len(x) for x in inputs.values()) < SMALL else None)
    try:
        for name, table in inputs.items():
            two.register(f"src_{name}", table)
        names = list(program.sorted_checks)  # no order proven: the GROUP BY path, always right
        two.register("sorted_inputs", pa.table({"name": pa.array(names, pa.string()),
                                                "proven": pa.array([False] * len(names), pa.bool_())}))  # fmt: skip
        two.register("labels", labels)
        two.execute(program.text)
        columns = [c for c in two.sql("SELECT * FROM adtte LIMIT 0").columns]
        at = columns.index("PARAM") + 1
        columns[at:at] = [f"PARCAT{i}" for i in range(1, len(ep.group.columns) + 1)]
        adtte_query, report_query = relabel_queries(ep, columns)
        adtte = two.sql(adtte_query).to_arrow_table()
        report = two.sql(report_query).to_arrow_table().cast(REPORT_SCHEMA)
    finally:
        two.close()
    frame = adtte_frame(adtte.cast(_schema_of(adtte)))
    codes = [p.paramcd for p in named]
    return codes, frame, _with_no_record(model, codes, set(frame.PARAMCD.unique()), report_frame(report))


def _with_no_record(model: m.Model, codes: list[str], recorded: set, report: pd.DataFrame) -> pd.DataFrame:
    """The report with tables.no_record_findings for these codes."""
    excluded = report[report.STATUS == "excluded"]
    found = no_record_findings(
        codes, recorded, list(zip(excluded.PARAMCD, excluded.MESSAGE, strict=True)),
        model.subject_table.name, model.subject_table.key,
    )  # fmt: skip
    return pd.concat([report, pd.DataFrame(found, columns=REPORT_COLUMNS)], ignore_index=True)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _schema_of(table: pa.Table) -> pa.Schema:
    """The output schema of a relabelled adtte: AVALC, times and PARCAT columns as it has them."""
    schema = ADTTE_SCHEMA_AVALC if "AVALC" in table.column_names else ADTTE_SCHEMA
    schema = _with_times(schema) if "ADTM" in table.column_names else schema
    at = schema.get_field_index("PARAM") + 1
    for i, name in enumerate(c for c in table.column_names if c.startswith("PARCAT")):
        schema = schema.insert(at + i, pa.field(name, pa.string()))
    return schema


def _ranks(model: m.Model, program: SqlProgram, codes: pd.Series, missing: int) -> list[pd.Series]:
    """Sort keys of PARAMCDs in run_tables' order: a grouped endpoint's parameters in its
    place, by number (its own code, when it made none, in its place too)."""
    rank = {code: i for i, code in enumerate(program.order)}
    grouped = {ep.paramcd for ep in model.endpoints if ep.group is not None and ep.paramcd in rank}

    def key(code) -> tuple[int, str]:
        if not isinstance(code, str):
            return (missing, "")
        if code in rank:  # a grouped endpoint's own code: it made no parameter
            return (rank[code], "")
        numbered = len(code) == 8  # data.groups: the code and the number, 8 characters
        prefix = next(
            (p for p in grouped if numbered and code.startswith(p) and code[len(p) :].isdigit()), None
        )
        return (rank[prefix], code) if prefix else (len(rank), code)

    keys = [key(c) for c in codes]
    return [
        pd.Series([k[0] for k in keys], index=codes.index),
        pd.Series([k[1] for k in keys], index=codes.index),
    ]


def _parcats(model: m.Model, program: SqlProgram) -> int:
    """The PARCAT columns of the output: as many as the grouped endpoints chosen have columns."""
    chosen = [model.endpoint(c) for c in program.order]
    return max((len(ep.group.columns) for ep in chosen if ep.group is not None), default=0)


def _with_groups(model: m.Model, program: SqlProgram, adtte: pd.DataFrame, report: pd.DataFrame, passes):
    """The first pass's records and report with the grouped endpoints', in run_tables' order,
    columns and dtypes (PARCAT1, PARCAT2 after PARAM)."""
    chosen = [model.endpoint(c) for c in program.order]
    responses = any(ep.kind != "tte" for ep in chosen)
    times = any(m.timed(ep) for ep in chosen)
    columns = output_columns(responses, times, _parcats(model, program))
    frames = [f for f in [adtte, *(p[1] for p in passes if p[1] is not None)] if len(f)] or [adtte]
    merged = pd.concat([f.reindex(columns=columns) for f in frames], ignore_index=True)
    merged = _sorted(merged, [merged.USUBJID, *_ranks(model, program, merged.PARAMCD, len(program.order))])
    for name in merged.columns:
        if name in ("STARTDTM", "ADTM"):
            merged[name] = merged[name].astype("datetime64[ns]")
        elif name in ("AVAL",):
            merged[name] = merged[name].astype("float64")
        elif name == "CNSR":
            merged[name] = merged[name].astype("Int64" if responses else "int64")
        elif name == "SRCSEQ":
            merged[name] = merged[name].astype("Float64")
        elif name not in TYPED:
            merged[name] = _text_values(merged[name])
    reports = [f for f in [report, *(p[2] for p in passes)] if len(f)] or [report]
    rows = pd.concat(reports, ignore_index=True)
    rows = _sorted(
        rows, [rows.USUBJID.fillna(""), *_ranks(model, program, rows.PARAMCD, -1), rows.STATUS, rows.MESSAGE]
    )
    return merged, rows.apply(_text_values)
