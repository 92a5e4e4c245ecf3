"""Spark engine, stage 2: run the translated script on pyspark and return a RunResult.

The inputs are the SQL engine's own typed relations (`engines/sql/prepare.py` builds
`src_<table>` as Arrow tables), handed to Spark as DataFrames through Arrow; the script is
the SQL engine's (`generate_sql`), translated by `translate`; `adtte` and `report` come
back through Arrow and are given the SQL engine's dtypes, sort order and report rows
(`engines/sql/run.py`), so that the four engines' outputs can be compared byte for byte.

An endpoint the script does not derive (the SQL engine would derive it per subject) or a
statement the translation does not cover is refused (`SparkUnsupported`, exit 2 on the
command line): never a silent fallback to another engine. pyspark is imported here only.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import socket
import sys
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pyarrow as pa

from ...check import model as m
from ...check.usage import table_usage
from ...data.errors import DataError
from ...data.tables import RunResult, validate
from ..sql.generate import generate_sql, result_queries
from ..sql.groups import ungrouped
from ..sql.prepare import prepare_table
from ..sql.proofs import sorted_proof
from ..sql.results import (
    ADTTE_SCHEMA,
    ADTTE_SCHEMA_AVALC,
    REPORT_SCHEMA,
    adtte_frame,
    report_frame,
    with_groups,
    with_no_record_findings,
    with_times,
)
from .collect import results, shared_scratch
from .groups import found, second_pass
from .inputs import register as register_source
from .inputs import validate_sources
from .memory import (
    SparkOutOfMemory,
    SparkStalled,
    choose,
    machine,
    needed,
    parse_size,
    quiet_accumulators,
    quiet_py4j_hang_up,
    say,
    small,
    watched,
)
from .translate import Statement, Untranslated, translate


class SparkUnsupported(DataError):
    """The file has an endpoint the Spark engine does not derive, or pyspark/sqlglot are not
    installed; the message says which and why (exit 2, before any data is read)."""


def require(*modules: str) -> None:
    """SparkUnsupported unless the optional `spark` extra's modules import."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        raise SparkUnsupported(
            f"the Spark engine needs {' and '.join(missing)}: pip install 'endpointdsl[spark]' (and Java 17+)"
        )


def spark_support(model: m.Model, only: list[str] | None = None) -> dict[str, str]:
    """PARAMCD -> why the Spark engine cannot derive it (empty: it derives them all)."""
    program = generate_sql(model, only)
    why = {
        code: f"{reason} (the SQL engine derives it per subject)" for code, reason in program.fallback.items()
    }
    for code in (*program.endpoints, *program.grouped):  # each one's own script: what stops it
        try:
            translate(generate_sql(model, [code]).text)
            if code in program.grouped:  # groups (issue 13): and its second pass's script
                translate(generate_sql(ungrouped(model, code), [code]).text)
        except Untranslated as exc:
            why[code] = str(exc)
    return why


def spark_program(model: m.Model, only: list[str] | None = None, proven: frozenset = frozenset()):
    """(SqlProgram, Spark statements) of a file whose endpoints Spark derives; else SparkUnsupported."""
    require("sqlglot")
    refused = spark_support(model, only)
    if refused:
        raise SparkUnsupported(_refusal(model, refused))
    program = generate_sql(model, only, (), proven)
    try:
        return program, translate(program.text)
    except Untranslated as exc:  # the whole file's script (its shared statements): not expected
        raise SparkUnsupported(f"{model.file}: the Spark engine cannot run this file: {exc}") from None


def _refusal(model: m.Model, refused: dict[str, str]) -> str:
    lines = [f"{model.file}: the Spark engine does not derive these endpoints:"]
    for code, why in refused.items():
        ep = model.endpoint(code)
        where = f"line {ep.span.line}" if ep.span else "?"
        lines.append(f"  {code} ({where}): {why}")
    lines.append("  run the file with --engine sql (or leave these endpoints out of it)")
    return "\n".join(lines)


# ---- the session -----------------------------------------------------------------------------

_SESSION = None
_OPENED_FOR: str | None = None  # the Spark Connect address _SESSION was opened for (None: classic)
_REMOTE: str | None = None  # --spark-remote (cli/spark.py); else SPARK_REMOTE
# the driver memory of a session this process started (memory.py); None: a cluster's
_MEMORY: str | None = None
_SAID = 0  # bytes the E383 warnings have asked for, for the open session: each size said once
LOG_CONFIG = Path(__file__).with_name("log4j2.properties").as_uri()
# session settings the script's results depend on: set on every session, Connect's too
RESULT_CONF = {
    "spark.sql.session.timeZone": "UTC",
    # Constraint propagation: Spark 4.3's InferFiltersFromConstraints fails on the script's
    # UNION ALL of findings (NoSuchElementException: key not found), and it is the known
    # cost of planning wide CASE-heavy projections; the script needs no inferred filters.
    "spark.sql.constraintPropagation.enabled": "false",
}


def use_remote(address: str | None) -> None:
    """Spark Connect (issue 16): the sessions opened from now on are `SparkSession.builder
    .remote(address)` (`sc://host:port`, or `local[N]` for a Connect server pyspark starts
    in this process); None: SPARK_REMOTE, else a classic session."""
    global _REMOTE
    _REMOTE = address or None


def remote() -> str | None:
    """The Spark Connect address in use (`--spark-remote`, else SPARK_REMOTE), or None."""
    return _REMOTE or os.environ.get("SPARK_REMOTE", "").strip() or None


def _local_conf(memory: str = "1g") -> dict[str, str]:
    """A session this process starts (classic, or a local Connect server): two cores' worth,
    `memory` for the driver (`memory.choose`)."""
    return {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.driver.memory": memory,
        # only Spark's errors, on standard error (its warnings would drown the command's output)
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={LOG_CONFIG}",
        **RESULT_CONF,
    }


_CHECKED = None  # the session whose executors' endpointdsl was checked (workers.py)


def check_workers(spark) -> None:
    """The executors' endpointdsl, once per session, before the first job that runs it."""
    global _CHECKED
    if _CHECKED is not spark:
        from .workers import check

        check(spark)
        _CHECKED = spark


def _alive(spark) -> bool:
    if hasattr(spark, "is_stopped"):  # Spark Connect: no JVM on this side
        return not spark.is_stopped
    return spark._sc._jsc is not None


def session(rows: int | None = None):
    """One Spark session per process (starting one takes seconds). Spark Connect when an
    address is given (`use_remote`, SPARK_REMOTE): the server's own settings hold, and the
    engine sets only what the results depend on (RESULT_CONF); `local[N]` starts a Connect
    server here with the local settings. Else a local session: two cores, no UI, two shuffle
    partitions (small data), UTC, errors only in the log, driver memory sized to `rows`, the
    run's input rows (memory.py); ENDPOINTDSL_SPARK_MASTER names another master; under
    spark-submit (which hands pyspark its JVM's gateway) the master and settings given there hold."""
    global _SESSION, _OPENED_FOR, _MEMORY, _SAID
    address = remote()
    if _SESSION is not None and _alive(_SESSION) and _OPENED_FOR == address:
        if _MEMORY is not None and rows and needed(rows) > max(parse_size(_MEMORY), _SAID):
            _SAID = needed(rows)  # a JVM cannot grow: said once for this size
            say([small(rows, f"this process's Spark session, opened with {_MEMORY},", needed(rows))])
        return _SESSION
    memory, notes = None, []
    if address is not None:  # before pyspark: its client would wait for minutes, silent
        reachable(address)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("endpointdsl")
    if address is not None:
        if importlib.util.find_spec("grpc") is None:
            raise SparkUnsupported(
                f"Spark Connect ({shown(address)}) needs pyspark's connect client: "
                "pip install 'endpointdsl[spark-connect]'"
            )
        builder = builder.remote(address)
        settings = RESULT_CONF
        if address.startswith("local"):  # a Connect server started here, as a local session
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # its Python workers: this one
            memory, notes = choose(rows, os.environ.get("ENDPOINTDSL_SPARK_MEMORY"), machine())
            local = _local_conf(memory)
            settings = {k: v for k, v in local.items() if k.startswith("spark.sql.")}
            # the static settings reach only the server's start (pyspark's own channel for
            # them: the client would try to set them again, and the server log each refusal)
            static = {k: v for k, v in local.items() if not k.startswith("spark.sql.")}
            os.environ["PYSPARK_REMOTE_INIT_CONF_LEN"] = "1"
            os.environ["PYSPARK_REMOTE_INIT_CONF_0"] = json.dumps(static)
    else:
        master = os.environ.get("ENDPOINTDSL_SPARK_MASTER")
        if master or not os.environ.get("PYSPARK_GATEWAY_PORT"):
            builder = builder.master(master or "local[2]")
            # the Python workers (Parquet inputs read on the executors, inputs.py) run this
            # interpreter, which has pyarrow and endpointdsl; a cluster names its own (docs/backends.md)
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        if not master and not os.environ.get("PYSPARK_GATEWAY_PORT"):  # local: executors in this JVM
            memory, notes = choose(rows, os.environ.get("ENDPOINTDSL_SPARK_MEMORY"), machine())
        settings = _local_conf(memory or os.environ.get("ENDPOINTDSL_SPARK_MEMORY", "1g"))
    for key, value in settings.items():
        builder = builder.config(key, value)
    say(notes)  # the memory chosen, or E383: before the JVM starts
    with warnings.catch_warnings():  # pyspark's notice about pandas 3: the engine hands it Arrow
        warnings.simplefilter("ignore", FutureWarning)
        _SESSION = builder.getOrCreate()
    _OPENED_FOR, _MEMORY, _SAID = address, memory, needed(rows or 0)  # `choose` said what this size needs
    if address is None:
        _SESSION.sparkContext.setLogLevel("ERROR")  # no JVM to reach through Connect
        quiet_accumulators(_SESSION.sparkContext)  # a JVM's end: E384's one line, no traceback
        quiet_py4j_hang_up()  # nor py4j's logged traceback of the calls that find it gone
    else:  # the first call to the server: what `reachable`'s TCP check cannot see (TLS, a
        # refused token, not a Connect server) is said here, not in a traceback
        try:
            _SESSION.version  # noqa: B018 (pyspark's client retries for minutes before it gives up)
        except Exception as exc:  # pyspark's and grpc's errors alike: the address is the news
            _SESSION = None
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataError(f"cannot reach the Spark Connect server {shown(address)}: {text}") from None
    return _SESSION


CONNECT_PORT = 15002  # Spark Connect's default port (an `sc://host` without one)


def reachable(address: str) -> None:
    """An `sc://host:port` that nothing answers on is said at once: pyspark's client retries
    a refused or silent address for minutes without a word (tried: `sc://localhost:1`, 5 min).
    A TCP connection is all this asks; `local[N]` (a server started here) and an address
    reached through a proxy (grpc's proxy variables) are left to pyspark.
    ENDPOINTDSL_SPARK_CONNECT_TIMEOUT: seconds to wait (default 20)."""
    if not address.startswith("sc://") or any(
        os.environ.get(v) for v in ("grpc_proxy", "https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY")
    ):
        return
    try:
        parts = urlsplit("http://" + shown(address)[len("sc://") :])
        host, port = parts.hostname, parts.port or CONNECT_PORT
    except ValueError as exc:  # a port that is no number, or out of range
        raise DataError(f"{shown(address)}: not a Spark Connect address (sc://host:port): {exc}") from None
    if not host:
        raise DataError(f"{shown(address)}: not a Spark Connect address (sc://host:port): no host")
    wait = float(os.environ.get("ENDPOINTDSL_SPARK_CONNECT_TIMEOUT", "20"))
    try:
        socket.create_connection((host, port), timeout=wait).close()
    except OSError as exc:  # refused, unknown host, or no answer within `wait`
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise DataError(
            f"cannot reach the Spark Connect server {shown(address)} ({host}:{port}): {reason}"
        ) from None


def shown(address: str | None) -> str | None:
    """A Connect address without its parameters (`;token=...`: a secret), as it is printed
    and recorded in the manifest."""
    return None if address is None else address.split(";", 1)[0].rstrip("/")


def without_secrets(argv: list[str], address: str | None) -> list[str]:
    """The command's words with the Connect address shown as `shown` shows it (the manifest
    records the command; a `;token=...` in it is a secret)."""
    if not address or shown(address) == address:
        return list(argv)
    return [word.replace(address, shown(address)) for word in argv]


def described() -> dict:
    """The session the runs used, for the manifest: Spark Connect (and its address) or
    classic (and its master), told by the session object itself; {} before any."""
    if _SESSION is None:
        return {}
    if type(_SESSION).__module__.startswith("pyspark.sql.connect"):
        return {"api": "connect", "remote": shown(_OPENED_FOR)}
    return {"api": "classic", "master": _SESSION.sparkContext.master}


# ---- a run --------------------------------------------------------------------------------------


def spark_needs(model: m.Model, only: list[str] | None = None):
    """(SqlProgram with nothing proven, each grouped endpoint's second pass): the program's
    `needs` include the second passes' views, which the inputs must hold too (groups, issue 13)."""
    program, _ = spark_program(model, only)  # refused before any data is prepared
    second = {code: generate_sql(ungrouped(model, code), [code]) for code in program.grouped}
    for other in second.values():
        for name, wanted in other.needs.items():
            program.needs[name] |= wanted
    return program, second


def run_spark(
    model: m.Model,
    tables: dict[str, pd.DataFrame],
    only: list[str] | None = None,
    sources: dict | None = None,
    surveyed: dict | None = None,
) -> RunResult:
    """Derive the endpoints (`only`, if given) of a checked file on Spark, as `run_sql` does.
    `sources` (issue 16, inputs.py): the tables Spark reads and prepares itself, with their
    whole-table answers `surveyed`; `tables` holds the others."""
    meta = table_usage(model)
    subject = model.subject_table.name
    sources = sources or {}
    if sources:
        validate_sources(meta, tables, sources, surveyed, model.file)
    else:
        validate(meta, tables, model.file)
    if len(tables[subject]) == 0:
        raise DataError(f"table '{subject}' has no rows: there is no subject to derive")
    require("sqlglot", "pyspark")
    program, second = spark_needs(model, only)
    prepared = {
        t.name: prepare_table(tables[t.name], t.key, program.needs[t.name])
        for t in model.tables
        if t.name not in sources
    }
    proofs = {  # a table read by Spark: not proven (an optimisation only; the GROUP BY path is right)
        check: table in prepared and sorted_proof(prepared[table], date, seq)
        for check, (table, date, seq) in program.sorted_checks.items()
    }
    program, statements = spark_program(model, only, frozenset(c for c, ok in proofs.items() if ok))
    scratch = shared_scratch()  # E394 before the session starts
    spark = session(sum(len(t) for t in tables.values()) + sum(s.rows for s in sources.values()))
    # times of day are zone-less (TIMESTAMP_NTZ), but Spark formats them through the session's
    # zone: a cluster's (spark-submit) would move a clock time in a daylight-saving gap
    for key, value in RESULT_CONF.items():
        spark.conf.set(key, value)
    # out of memory, or stalled: a message (memory.py), not a traceback
    with watching(spark), results(spark, _OPENED_FOR, scratch) as fetched:
        adtte, report, passes = _derive(
            spark, model, program, statements, second, prepared, sources, proofs, fetched
        )
    adtte, report = adtte_frame(adtte), report_frame(report)
    report = with_no_record_findings(model, program, set(adtte.PARAMCD.unique()), report)
    if passes:
        adtte, report = with_groups(model, program, adtte, report, passes)
    return RunResult(adtte, report)


def _derive(spark, model, program, statements, second, prepared, sources, proofs, fetched):
    """The script's statements on the registered inputs: (adtte, report) as Arrow, each
    grouped endpoint's second pass; every view made is dropped again. `fetched`
    (collect.py) brings the results back."""
    views: list[str] = []
    try:
        for name, table in prepared.items():
            _register(spark, f"src_{name}", table, views)
        for source in sources.values():
            register_source(spark, source, views)
        names = pa.array(list(proofs), pa.string())
        _register(
            spark,
            "sorted_inputs",
            pa.table({"name": names, "proven": pa.array(list(proofs.values()), pa.bool_())}),
            views,
        )
        for statement in statements:
            _execute(spark, statement, views)
        adtte_query, report_query = (translate(q)[0].sql for q in result_queries(program.order))
        adtte = fetched.fetch(spark.sql(adtte_query))
        schema = ADTTE_SCHEMA_AVALC if "AVALC" in adtte.column_names else ADTTE_SCHEMA
        adtte = adtte.cast(with_times(schema) if "ADTM" in adtte.column_names else schema)
        report = fetched.fetch(spark.sql(report_query)).cast(REPORT_SCHEMA)
        # every grouped endpoint's values, before any second pass replaces the first's views
        first = {code: found(spark, model, code, fetched) for code in program.grouped}
        # a second pass reads only the inputs' schemas (a table it does not cross: empty)
        shapes = prepared | {name: s.schema.empty_table() for name, s in sources.items()}
        passes = [
            second_pass(spark, model, shapes, code, second[code], first[code], fetched,
                        lambda todo: [_execute(spark, s, views) for s in todo],
                        lambda name, table: _register(spark, name, table, views))
            for code in program.grouped
        ]  # fmt: skip
    except BaseException:  # a failed or stopped session: its views go with it
        with contextlib.suppress(Exception):
            _drop(spark, views)
        raise
    _drop(spark, views)
    return adtte, report, passes


def _drop(spark, views: list[str]) -> None:
    for name in reversed(views):  # the session outlives the run: leave nothing behind
        spark.catalog.dropTempView(name)


@contextlib.contextmanager
def watching(spark):
    """`memory.watched` for this process's session: the stall watchdog on a local classic
    session (the executors in its JVM). A stalled local session, or one out of memory (its
    JVM ended, or in doubt), is stopped: the next run opens another, sized to its input."""
    global _SESSION
    try:
        with watched(spark, _MEMORY, _MEMORY is not None and _OPENED_FOR is None):
            yield
    except SparkOutOfMemory as exc:
        if isinstance(exc, SparkStalled) or _MEMORY is not None:
            with contextlib.suppress(Exception):
                spark.stop()
            _SESSION = None
        raise


def _register(spark, name: str, table: pa.Table, views: list[str]) -> None:
    """An Arrow table as a temporary view (dictionary columns decoded: Spark has no such type)."""
    columns = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    plain = pa.table(columns, names=table.column_names)
    frame = (
        spark.createDataFrame(plain) if plain.num_rows else spark.createDataFrame([], _schema(spark, plain))
    )
    frame.createOrReplaceTempView(name)
    views.append(name)


def _schema(spark, table: pa.Table):
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(table.schema)


def _execute(spark, statement: Statement, views: list[str]) -> None:
    """A view; DuckDB's tables computed once, as a checkpoint whose plan is a leaf. (CACHE TABLE
    keeps the view's whole plan: each later statement re-analyses every statement before it,
    and the script's last took over a minute on the 30-subject example.)"""
    if statement.cache:
        spark.sql(statement.query).localCheckpoint(eager=True).createOrReplaceTempView(statement.name)
    else:
        spark.sql(statement.sql)
    if statement.name is not None:
        views.append(statement.name)
