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
from functools import partial

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...check import model as m
from ...check.usage import table_usage
from ...data.arrowrecords import Records
from ...data.errors import DataError
from ...data.records import Derivation
from ...data.tables import (
    RunResult,
    output_columns,
    run_tables,
    validate,
)
from ...data.values import Subject
from ...progress import Progress, stage
from .generate import SqlProgram, generate_sql, result_queries
from .groups import composite_tables, no_parameter_query, params, relabel_queries, ungrouped
from .keys import numbered_tables, text_keys
from .prepare import prepare_table
from .proofs import fact, no_same_day, sorted_proof
from .results import (
    ADTTE_SCHEMA,
    ADTTE_SCHEMA_AVALC,
    REPORT_SCHEMA,
    TYPED,
    adtte_frame,
    parcats,
    ranks,
    report_frame,
    schema_of,
    sorted_rows,
    text_values,
    with_groups,
    with_no_record,
    with_no_record_findings,
    with_times,
)
from .session import Sessions

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


_SESSIONS = Sessions(connect)  # a database per setting of threads, a cursor per run (session.py)


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
        for name in prepared:  # no loop variable left holding the last input (issue 16: _release frees them)
            con.register(f"src_{name}", prepared[name])
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
        # one row a date (the `dates` fact, proven above) leaves no two rows of a subject to
        # share (date, sequence) either: no second sort of the same rows (issue 16)
        one_a_day = {(table, view) for name, (kind, table, view) in program.facts.items() if kind == "dates" and facts[name]}  # fmt: skip
        # rows in no order (shuffled): the same-day check skipped where no tie is proven apart
        # (proofs.no_same_day), with no claim on the rows' order (not in `proven` below)
        no_ties = {
            check: ok
            or (table, date) in one_a_day
            or (numbered is not None and no_same_day(prepared[table], date, seq))
            for (check, (table, date, seq)), ok in zip(
                program.sorted_checks.items(), proofs.values(), strict=True
            )
        }
        if any(proofs.values()) or any(facts.values()):  # the same script, with what is proven
            proven = frozenset(c for c, ok in (proofs | facts).items() if ok)
            program = _proven_program(model, only, force_fallback, proven, programs)
        con.register(
            "sorted_inputs",
            pa.table(
                {
                    "name": pa.array(list(no_ties), pa.string()),
                    "proven": pa.array(list(no_ties.values()), pa.bool_()),
                }
            ),
        )
        if not small:  # the checks' and views' Arrow temporaries, freed but kept by Arrow's
            # allocator, handed back before DuckDB's working memory joins the inputs (the peak)
            pa.default_memory_pool().release_unused()
        stage(progress, f"deriving {_count(len(program.endpoints), 'endpoint')} (the SQL script)")
        con.execute(program.text)
        # (a second pass reads the inputs and the first pass's tables; small data: closing frees it)
        if not program.grouped and not small:
            prepared = _release(con, prepared, program.kept)
        stage(progress, "collecting the results")
        adtte_query, report_query = result_queries(program.order, numbered is not None)
        adtte = con.sql(adtte_query).to_arrow_table()
        if not program.grouped and not small:  # DuckDB's copy of the records, freed before the report's
            _drop_records(con, program.kept)
        report = con.sql(report_query).to_arrow_table()
        if numbered is not None:
            adtte, report = (_with_keys(t, numbered.keys) for t in (adtte, report))
        schema = ADTTE_SCHEMA_AVALC if "AVALC" in adtte.column_names else ADTTE_SCHEMA
        adtte = adtte.cast(with_times(schema) if "ADTM" in adtte.column_names else schema)
        report = report.cast(REPORT_SCHEMA)
        passes = [_second_pass(model, con, prepared, code, second[code]) for code in program.grouped]
    finally:
        con.close()
    if not passes and not program.fallback:  # issue 16: the records stay Arrow up to the writers
        report = report_frame(report)
        report = with_no_record_findings(model, program, _codes(adtte), report)
        return RunResult(Records(adtte, partial(adtte_frame, adtte)), report)  # picklable
    adtte, report = adtte_frame(adtte), report_frame(report)
    report = with_no_record_findings(model, program, set(adtte.PARAMCD.unique()), report)
    if passes:
        adtte, report = with_groups(model, program, adtte, report, passes)
    if program.fallback:
        stage(progress, f"deriving {', '.join(program.fallback)} per subject")
        return _merge_fallback(model, per_subject, tables, program, adtte, report)
    return RunResult(adtte, report)


def warm(model: m.Model, programs: dict, only: list[str] | None = None) -> None:
    """Start-up ahead of a run (issue 16): this module's imports, the process's DuckDB
    databases (one for small runs on one thread, one for the rest: session.py; making one
    costs 12-210 ms, which a run would otherwise pay), and the scripts kept in `programs`:
    the one with nothing proven, and the one with every fact and sorted check proven (what
    clean data sorted by subject and date prove; 1.2-1.6 ms of a first run at 1k). The data's
    facts are proven in the run, which generates the script for any other set of them (when
    not kept from an earlier run)."""
    _SESSIONS.cursor(1).close()
    _SESSIONS.cursor(None).close()
    program, _ = _programs(model, only, (), programs)
    _proven_program(model, only, (), frozenset(program.facts) | frozenset(program.sorted_checks), programs)


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


def _release(con, prepared: dict, kept: tuple = ("adtte", "report")) -> dict:
    """Free what the script no longer needs before its results are read and converted: the
    inputs' views and every relation but those the results read (`kept`: adtte, report and
    the res_ tables the adtte view reads; at 1M subjects several hundred MiB of the peak).
    Returns the (emptied) prepared inputs."""
    for name in prepared:
        con.unregister(f"src_{name}")
    prepared.clear()  # io (issue 16): the views' Arrow memory freed now, and handed back below
    temporary = con.sql(
        "SELECT table_name, table_type FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_catalog = 'temp'"
    ).fetchall()
    for name, kind in sorted(temporary, key=lambda t: t[1] != "VIEW"):  # views first: they read tables
        if name.lower() not in {k.lower() for k in kept}:
            con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} IF EXISTS temp.main.{_ident(name)}")
    pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed memory otherwise
    return {}


def _drop_records(con, kept: tuple) -> None:
    """Free DuckDB's copy of the records once read: the adtte view and the res_<P> tables it
    reads (generate's `kept`, all but the report, a table of its own)."""
    con.execute("DROP VIEW IF EXISTS adtte")
    for name in kept:
        if name.lower() not in ("adtte", "report"):
            con.execute(f"DROP TABLE IF EXISTS {_ident(name)}")


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
    merged = merged.reindex(columns=output_columns(responses, times, parcats(model, program)))  # groups
    merged = sorted_rows(merged, [merged.USUBJID, *ranks(model, program, merged.PARAMCD, len(program.order))])
    for name in merged.columns:
        if name in ("STARTDTM", "ADTM"):
            merged[name] = merged[name].astype("datetime64[ns]")
        elif name not in TYPED:
            merged[name] = text_values(merged[name])
    reports = [f for f in (report, rows) if len(f)] or [report]
    rows = pd.concat(reports, ignore_index=True) if len(reports) > 1 else reports[0]
    rows = sorted_rows(
        rows, [rows.USUBJID.fillna(""), *ranks(model, program, rows.PARAMCD, -1), rows.STATUS, rows.MESSAGE]
    )
    rows = rows.apply(text_values)
    return RunResult(merged, rows)


def _codes(adtte: pa.Table) -> set[str]:
    """The PARAMCDs with a record (unique first: a million str objects cost seconds)."""
    return {c for c in pc.unique(adtte["PARAMCD"]).to_pylist() if c is not None}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


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
        return [ep.paramcd], None, with_no_record(model, [ep.paramcd], set(), report)
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
    frame = adtte_frame(adtte.cast(schema_of(adtte)))
    codes = [p.paramcd for p in named]
    return codes, frame, with_no_record(model, codes, set(frame.PARAMCD.unique()), report_frame(report))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
