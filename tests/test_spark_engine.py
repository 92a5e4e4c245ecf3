"""The Spark engine (issue 16): four-way agreement with the SQL engine, the compiled functions
and the reference interpreter, and the DuckDB constructs it rewrites for Spark.

Marked `spark`: the default run deselects them (pyproject's addopts); `pytest -m spark` runs
them (CI's spark job). One local Spark session serves the whole module (starting one takes
seconds); pyspark and sqlglot come with the optional `spark` extra.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT
from hypothesis import HealthCheck, given, note, settings
from strategies import table_cases, value_cases
from test_differential import compile_text, rejected
from test_sql_backend import FORMS, assert_same, parquet_frames, typed_frames

import endpointdsl
from endpointdsl.data.errors import DataError
from endpointdsl.data.read import read_tables

pytestmark = pytest.mark.spark
pytest.importorskip("pyspark")
pytest.importorskip("sqlglot")
if shutil.which("java") is None:
    pytest.skip("the Spark engine needs Java", allow_module_level=True)

from endpointdsl.engines.spark import run as spark_run  # noqa: E402
from endpointdsl.engines.spark.translate import Untranslated, translate  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    return spark_run.session()


def rows(spark, duckdb_sql: str) -> list[tuple]:
    """The rows of a DuckDB query as Spark computes it after translation."""
    (statement,) = translate(duckdb_sql)
    return [tuple(r) for r in spark.sql(statement.sql).collect()]


def duck(sql: str) -> list[tuple]:
    import duckdb

    return duckdb.sql(sql).fetchall()


# ---- the rewrites, on hand-made rows (the expected values worked out from the semantics) ----

ROWS = "(VALUES (1, 'k', CAST(NULL AS VARCHAR), 1), (2, 'k', 'b', 2), (3, 'm', 'c', 1), (4, 'm', NULL, 2)) AS t(i, key, x, o)"


def test_arg_min_null_keeps_a_missing_value_on_both_engines(spark):
    # k: the row with the lowest o (1) has x missing -> missing; its highest (2) has 'b'
    # m: lowest o has 'c'; highest o has x missing -> missing
    sql = f"SELECT key, arg_min_null(x, o), arg_max_null(x, o) FROM {ROWS} GROUP BY key ORDER BY key"
    want = [("k", None, "b"), ("m", "c", None)]
    assert duck(sql) == want
    assert rows(spark, sql) == want


def test_arg_min_skips_a_missing_value_on_both_engines(spark):
    # DuckDB's arg_min/arg_max skip rows whose value is missing: k -> 'b' both ways, m -> 'c'
    sql = f"SELECT key, arg_min(x, o), arg_max(x, o) FROM {ROWS} GROUP BY key ORDER BY key"
    want = [("k", "b", "b"), ("m", "c", "c")]
    assert duck(sql) == want
    assert rows(spark, sql) == want


def test_arg_min_null_under_a_filter(spark):
    # only rows with i > 1: k has one row (x 'b'), m has o 1 -> 'c' and o 2 -> missing
    sql = f"SELECT key, arg_min_null(x, o) FILTER (WHERE i > 1), arg_max_null(x, o) FILTER (WHERE i > 1) FROM {ROWS} GROUP BY key ORDER BY key"
    want = [("k", "b", "b"), ("m", "c", None)]
    assert duck(sql) == want
    assert rows(spark, sql) == want


def test_least_of_one_value_is_the_value(spark):
    sql = "SELECT LEAST(DATE '2024-01-05'), GREATEST(3), LEAST(CAST(NULL AS DATE))"
    import datetime as dt

    want = [(dt.date(2024, 1, 5), 3, None)]
    assert duck(sql) == want
    assert rows(spark, sql) == want


def test_struct_order_of_the_generator_agrees_and_a_null_field_would_not(spark):
    """The generator's ordering structs put an explicit missing flag ('nos') and a non-null
    value ('s') before the row number, which is unique: no comparison ever reaches a missing
    field. A missing field itself is ordered differently (DuckDB: after every value; Spark:
    before), which is why the flags are there."""
    made = "(VALUES (1, 2.0), (2, NULL), (3, 1.0)) AS t(rn, seq)"
    ordered = f"SELECT min({{'nos': seq IS NULL, 's': coalesce(seq, 0), 'rn': rn}}).rn, max({{'nos': seq IS NULL, 's': coalesce(seq, 0), 'rn': rn}}).rn FROM {made}"
    # smallest: a sequence present (nos false) and the lowest (1.0: rn 3); largest: the missing one (rn 2)
    assert duck(ordered) == [(3, 2)]
    assert rows(spark, ordered) == [(3, 2)]
    raw = f"SELECT min({{'s': seq, 'rn': rn}}).rn FROM {made}"
    assert duck(raw) == [(3,)]  # DuckDB: NULL after every value
    assert rows(spark, raw) == [(2,)]  # Spark: NULL first


def test_times_of_day_agree_at_midnight_across_a_day_and_missing(spark):
    """`with time` (clock.py): a date plus a time of day in seconds (`to_seconds`, in Spark
    `make_dt_interval`), the clock shown as text, and seconds between two moments. Times are
    without a time zone on both (Spark's TIMESTAMP_NTZ): 02:30 on 2024-03-10, which does not
    exist in New York, is 02:30."""
    import datetime as dt

    made = (
        "(VALUES (1, DATE '2024-01-05', 0), (2, DATE '2024-01-05', 86399), (3, DATE '2024-03-10', 9000),"
        " (4, DATE '2024-01-06', CAST(NULL AS BIGINT))) AS r(i, d, t)"
    )
    sql = (
        "SELECT i, CAST(d AS TIMESTAMP) + to_seconds(t), strftime(CAST(d AS TIMESTAMP) + to_seconds(t), '%H:%M:%S'),"
        " date_diff('day', DATE '2024-01-05', d) * 86400 + t - 82800"
        f" FROM {made} ORDER BY i"
    )
    want = [
        (1, dt.datetime(2024, 1, 5, 0, 0, 0), "00:00:00", 0 - 82800),
        (2, dt.datetime(2024, 1, 5, 23, 59, 59), "23:59:59", 86399 - 82800),
        (3, dt.datetime(2024, 3, 10, 2, 30, 0), "02:30:00", 65 * 86400 + 9000 - 82800),
        (4, None, None, None),
    ]
    assert duck(sql) == want
    assert rows(spark, sql) == want
    # Spark formats a zone-less time through the session's zone: in New York the clock of
    # 02:30 on 2024-03-10 (a time that does not exist there) reads 03:30. Hence every run
    # sets the session to UTC, which has no such gap (test_spark_reproduces_the_examples).
    spark.conf.set("spark.sql.session.timeZone", "America/New_York")
    try:
        assert rows(spark, sql)[2][1:] == (dt.datetime(2024, 3, 10, 2, 30, 0), "03:30:00", want[2][3])
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")


def test_an_ordered_sum_adds_in_the_same_order_on_both_engines(spark):
    """Value endpoints (value.py): `list_sum(list(x ORDER BY k))` adds in k's order from 0.
    Worked by hand: 1 + 1 = 2, then 2 + 1e16 = 1e16 + 2 (exact: doubles near 1e16 are 2
    apart); in the rows' own order (1e16 first) each 1 would be lost to rounding: 1e16. A
    missing value is skipped; a group without one sums to NULL; the FILTER keeps k > 1 only;
    -0.0 alone sums to 0.0 (from 0). The row numbers are joined in k's order (descending)."""
    made = (
        "(VALUES ('a', 1, 1e16::DOUBLE), ('a', 2, 1.0), ('a', 3, 1.0), ('b', 1, NULL), ('b', 2, 1.0), ('b', 3, 1.0),"
        " ('b', 4, 1e16),"
        " ('c', 1, NULL), ('d', 2, -0.0::DOUBLE)) AS r(g, k, x)"
    )
    sql = (
        "SELECT g, list_sum(list(x ORDER BY x)), list_sum(list(x ORDER BY k)), list_sum(list(x ORDER BY k)"
        " FILTER (WHERE k > 1)), string_agg(CAST(k AS VARCHAR), ';' ORDER BY k DESC) FILTER (WHERE x IS NOT NULL)"
        f" FROM {made} GROUP BY g ORDER BY g"
    )
    want = [
        ("a", 1e16 + 2, 1e16, 2.0, "3;2;1"),
        ("b", 1e16 + 2, 1e16 + 2, 1e16 + 2, "4;3;2"),
        ("c", None, None, None, None),
        ("d", 0.0, 0.0, 0.0, "2"),
    ]
    got = duck(sql)
    assert got == want
    assert [str(r[3]) for r in got] == ["2.0", "1.0000000000000002e+16", "None", "0.0"]  # +0.0, not -0.0
    assert rows(spark, sql) == want


def test_a_temporary_table_becomes_a_cached_view():
    (statement,) = translate('CREATE OR REPLACE TEMP TABLE "res_X" AS SELECT 1 AS a;')
    assert statement.name == "res_X" and statement.cache
    assert statement.sql == "CREATE OR REPLACE TEMPORARY VIEW `res_X` AS SELECT 1 AS a"
    (view,) = translate('CREATE OR REPLACE TEMP VIEW "occ_e" AS SELECT 1 AS a;')
    assert view.name == "occ_e" and not view.cache


def test_asof_joins_agree_on_both_engines(spark):
    """Confirmed events (confirm.py): DuckDB's ASOF join, in Spark the nearest date of the
    subject found by a scalar subquery and that row joined. Worked by hand (lo = d + 28):
    a 01-01: lo 01-29, the first f on or after it is 01-29 itself (f lists it twice); the
    first g strictly after 01-01 is 01-10; the last g on or before 01-01: none.
    a 01-10: f 02-15 (01-29 is before 02-07); g after 01-10: 01-20; g on or before: 01-10.
    b 01-01: no f on or after 01-29 (01-28): dropped by the inner ASOF join.
    c 01-05: f 02-02; no g strictly after 01-05 (LEFT: missing); g on or before: 01-05."""
    import datetime as dt

    def dates(rows: str) -> str:
        return "(VALUES " + rows + ") AS v(key, d)"

    c = dates(
        "('a', DATE '2024-01-01'), ('a', DATE '2024-01-10'), ('b', DATE '2024-01-01'), ('c', DATE '2024-01-05')"
    )
    f = dates("('a', DATE '2024-01-29'), ('a', DATE '2024-01-29'), ('a', DATE '2024-02-15'), ('b', DATE '2024-01-28'),"
              " ('c', DATE '2024-02-02')")  # fmt: skip
    g = dates("('a', DATE '2024-01-10'), ('a', DATE '2024-01-20'), ('c', DATE '2024-01-05')")
    sql = (
        f"SELECT e.key, e.d, f.d, g.d, h.d FROM (SELECT *, d + 28 AS lo, d AS hi FROM {c}) AS e"
        f" ASOF JOIN (SELECT DISTINCT key, d FROM {f}) AS f ON f.key = e.key AND f.d >= e.lo"
        f" ASOF LEFT JOIN (SELECT DISTINCT key, d FROM {g}) AS g ON g.key = e.key AND g.d > e.hi"
        f" ASOF LEFT JOIN (SELECT DISTINCT key, d FROM {g}) AS h ON h.key = e.key AND h.d <= e.d"
        " ORDER BY e.key, e.d"
    )

    def day(text):
        return dt.date.fromisoformat(text) if text else None

    want = [
        ("a", day("2024-01-01"), day("2024-01-29"), day("2024-01-10"), None),
        ("a", day("2024-01-10"), day("2024-02-15"), day("2024-01-20"), day("2024-01-10")),
        ("c", day("2024-01-05"), day("2024-02-02"), None, day("2024-01-05")),
    ]
    assert duck(sql) == want
    assert rows(spark, sql) == want


def test_an_asof_join_the_rewrite_does_not_cover_is_refused_not_passed_through():
    with pytest.raises(Untranslated, match="ASOF"):
        translate("SELECT * FROM a ASOF JOIN b ON a.k = b.k AND b.d > a.d;")  # * would show the helper column
    with pytest.raises(Untranslated, match="ASOF"):
        translate("SELECT a.k FROM a ASOF JOIN b ON a.k = b.k AND b.d > a.d JOIN c ON c.k = a.k;")


# ---- four-way agreement ------------------------------------------------------------------------

EXAMPLE_RUNS = [
    ("fda_pfs.ept", "fda_data"),
    ("pharmaverse/adtte.ept", "pharmaverse/data"),
    ("her2_cart_trastuzumab.ept", "data"),
    ("sap/dor.ept", "sap/data/dor"),  # DOR reads RSP's rows: the SQL engine's derived.py, translated
    ("sap/crs_onset_hours.ept", "sap/data/crs_onset_hours"),  # `with time`: hours from infusion to CRS
    ("her2_cart_kinetics.ept", "her2_cart_kinetics"),  # value endpoints: Cmax, AUC (list_sum in order)
    ("pharmaverse/adpp.ept", "pharmaverse/data"),  # value endpoints: admiral's ADPP
    # confirmed and sustained events (ASOF joins): each form of confirm.py
    ("sap/anc_recovery.ept", "sap/data/anc_recovery"),  # held for 3 consecutive
    ("sap/mrd_sustained.ept", "sap/data/mrd_sustained"),  # confirmed at least N days later, without
    ("sap/qlq_c30_confirmed.ept", "sap/data/qlq_c30_confirmed"),  # at next, or death within
    ("sap/qlq_c30_definitive.ept", "sap/data/qlq_c30_definitive"),  # sustained to last
    # grouped endpoints (`for each ... of`): both passes on Spark
    ("sap/ae_each_term.ept", "sap/data/ae_each_term"),  # time to each adverse event term
    ("sap/ae_grade3_by_soc.ept", "sap/data/ae_grade3_by_soc"),  # incidence per organ class
    ("sap/crs_grade3_28d.ept", "sap/data/crs_grade3_28d"),
]


@pytest.mark.parametrize(("ept", "data"), EXAMPLE_RUNS)
def test_spark_reproduces_the_examples(spark, ept, data):
    compiled = endpointdsl.load(EXAMPLES / ept)
    refused = spark_run.spark_support(compiled.model)
    if refused:  # the refusal is the engine's answer; the file's other endpoints still agree
        with pytest.raises(spark_run.SparkUnsupported, match=next(iter(refused))):
            compiled.run(
                read_tables(EXAMPLES / data, list(compiled.namespace["TABLES"]), arrow=True), engine="spark"
            )
        only = [ep.paramcd for ep in compiled.model.endpoints if ep.paramcd not in refused]
    else:
        only = None
    tables = read_tables(EXAMPLES / data, list(compiled.namespace["TABLES"]), arrow=True)
    spark.conf.set("spark.sql.session.timeZone", "America/New_York")  # a cluster's: the run sets UTC
    got = compiled.run(tables, only, engine="spark")
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
    assert len(got.adtte) > 0
    assert_same(got, compiled.run(tables, only, engine="sql"))
    python = read_tables(EXAMPLES / data, list(compiled.namespace["TABLES"]))
    assert_same(got, compiled.run(python, only, engine="compiled"))
    assert_same(got, compiled.run(python, only, engine="interpreter"))


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(table_cases(), FORMS)
def test_the_four_agree_on_generated_programs_and_tables(spark, case, form):
    """The endpoints Spark derives (any refused one left out with `only`)."""
    four_way(case, form)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(value_cases(), FORMS)
def test_the_four_agree_on_value_endpoints(spark, case, form):
    """Value endpoints (list_sum of samples in order): generated series with duplicate times,
    BLQ runs, odd cells and shuffled rows."""
    four_way(case, form, refused=False)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(table_cases().filter(lambda case: case[0].confirmed or " with time" in case[0].text), FORMS)
def test_the_four_agree_on_confirmed_and_timed_endpoints(spark, case, form):
    """Generated programs with confirmed or sustained events (ASOF joins) or events `with time`."""
    four_way(case, form, refused=False)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(table_cases(responses=True, groups=True).filter(lambda case: " for each " in case[0].text), FORMS)
def test_the_four_agree_on_grouped_endpoints(spark, case, form):
    """Grouped endpoints (one parameter per value): the second pass on Spark too."""
    four_way(case, form, refused=False)


def four_way(case, form, refused: bool = True) -> None:
    """Spark against the SQL engine, the compiled functions and the interpreter; `refused`:
    whether an endpoint may be refused (else none is: the construct is translated)."""
    desc, tables = case
    if rejected(desc):
        return
    compiled = compile_text(desc.text)
    why = spark_run.spark_support(compiled.model)
    assert refused or not why, why
    only = [ep.paramcd for ep in compiled.model.endpoints if ep.paramcd not in why]
    if not only:
        return
    note(f"tables: {tables!r}")
    if form == "parquet":
        for_sql, for_python = parquet_frames(desc, tables)
    else:
        for_sql = for_python = typed_frames(desc, tables, form == "arrow")
    got = run_or_error(compiled, for_sql, "spark", only)
    for engine, frames in (("sql", for_sql), ("compiled", for_python), ("interpreter", for_python)):
        want = run_or_error(compiled, frames, engine, only)
        if isinstance(got, Exception) or isinstance(want, Exception):
            assert str(got) == str(want), engine
        else:
            assert_same(got, want)


def run_or_error(compiled, frames, engine, only):
    """The run's result, or the DataError that stopped it (test_sql_backend's, with `only`)."""
    try:
        return compiled.run(frames, only, engine=engine)
    except DataError as exc:
        return exc


# ---- the command line -------------------------------------------------------------------------


def test_compile_target_spark_prints_spark_sql():
    out = subprocess.run(
        [sys.executable, "-m", "endpointdsl", "compile", str(EXAMPLES / "fda_pfs.ept"), "--target", "spark"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "CREATE OR REPLACE TEMPORARY VIEW `res_PFS` AS" in out.stdout
    assert "CACHE TABLE `res_PFS`;" in out.stdout
    assert "ARG_MIN_NULL" not in out.stdout.upper()


def test_run_engine_spark_refuses_what_it_cannot_derive_before_reading_data(tmp_path):
    """An endpoint the SQL engine derives per subject (here an event reading RSP's AVALC, a
    text, as a number) is not derived on Spark: exit 2, the endpoint and the reason named,
    no output written and no data read (the folder given does not even exist)."""
    ept = tmp_path / "dor_numeric.ept"
    ept.write_text(
        (EXAMPLES / "sap" / "dor.ept").read_text()
        + """
event numeric = RSP.ADT where AVALC > 0 label "AVALC read as a number"

endpoint NUM "From the first dose to RSP's row, AVALC read as a number"
  from first_dose
  to numeric
  censor at last adequate cnsr 1
end
"""
    )
    out = tmp_path / "adtte.csv"
    done = subprocess.run(
        [sys.executable, "-m", "endpointdsl", "run", str(ept), "--data", str(tmp_path / "no-such-folder"),
         "--out", str(out), "--engine", "spark"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "the Spark engine does not derive these endpoints:" in done.stderr
    assert "NUM (line " in done.stderr and "reads RSP's AVALC as a num" in done.stderr
    assert "DOR" not in done.stderr.split("endpoints:", 1)[1]  # the others are derived
    assert "Traceback" not in done.stderr and not out.exists()
    assert done.stdout == ""


def test_a_scratch_location_that_is_no_uri_is_e394_exit_2_before_any_job(tmp_path):
    """ENDPOINTDSL_SPARK_SCRATCH a plain path (Spark would read it on its own default
    filesystem, HDFS on a cluster): exit 2, E394, no output, no traceback."""
    out = tmp_path / "adtte.csv"
    done = subprocess.run(
        [sys.executable, "-m", "endpointdsl", "run", str(EXAMPLES / "fda_pfs.ept"), "--data",
         str(EXAMPLES / "fda_data"), "--out", str(out), "--engine", "spark"],
        capture_output=True, text=True, cwd=ROOT, check=False,
        env={**os.environ, "ENDPOINTDSL_SPARK_SCRATCH": "/shared/nfs"},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(
        "error: E394 ENDPOINTDSL_SPARK_SCRATCH=/shared/nfs: not a URI (scheme://...); it must name a folder"
    ), done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


# ---- the executors' endpointdsl and the session's memory (workers.py, memory.py) --------------


def test_the_executors_endpointdsl_is_this_one_and_another_version_is_said(spark, monkeypatch):
    from endpointdsl.engines.spark import workers

    workers.check(spark)  # a local session's workers run this interpreter: the same version
    monkeypatch.setattr(endpointdsl, "__version__", "0.0.1")  # as if this side were another release
    with pytest.raises(
        DataError, match=r"^E387 Spark's executors run endpointdsl \S+ .*, this command endpointdsl 0.0.1"
    ):
        workers.check(spark)
    with pytest.raises(DataError, match=r"^E386 Spark's executors .* have no endpointdsl_not_installed"):
        workers.check(spark, "endpointdsl_not_installed")


def test_an_open_session_smaller_than_the_input_wants_is_warned(spark, monkeypatch, capsys):
    monkeypatch.setattr(spark_run, "_MEMORY", "1g")  # the module's session, as opened for small inputs
    monkeypatch.setattr(spark_run, "_SAID", 0)
    assert spark_run.session(100) is spark and capsys.readouterr().err == ""
    assert spark_run.session(9_904_241) is spark  # a JVM cannot grow: said, not reopened
    err = capsys.readouterr().err
    assert err.startswith(
        "endpointdsl: warning E383: this process's Spark session, opened with 1g, is little"
    )
    assert "ENDPOINTDSL_SPARK_MEMORY=3g" in err


def _same_bits(got, want) -> None:
    """Two Arrow tables equal in schema, order and every value's bits (NaN, -0.0, NULL)."""
    import numpy as np
    import pyarrow as pa

    assert got.schema == want.schema
    for name in want.column_names:
        a, b = got[name].combine_chunks(), want[name].combine_chunks()
        assert a.is_null().equals(b.is_null()), name
        if pa.types.is_floating(b.type):
            bits = [c.fill_null(0.5).to_numpy().view(np.int64) for c in (a, b)]
            assert np.array_equal(*bits), name
        else:
            assert a.equals(b), name


def test_results_written_by_the_tasks_come_back_as_to_arrow_gives_them(spark, tmp_path, monkeypatch):
    """collect.py: a sorted result of nine partitions, each written by its task as Parquet
    and read back in partition order, equals `toArrow`'s to the bit: order, types (text,
    NULL integers, dates, times of day, zoned times), NaN and -0.0; an empty one too. The
    files are renamed before they are read (part-i as part-(8-i)): read by name, the
    partitions would come back reversed; the tasks' row numbers put them in order."""
    from pyarrow import fs

    from endpointdsl.engines.spark import collect
    from endpointdsl.engines.spark.scratch import Folder

    query = """SELECT CAST(id AS STRING) AS s,
        CASE WHEN id % 5 = 0 THEN CAST('NaN' AS DOUBLE) WHEN id % 5 = 1 THEN CAST(-0.0 AS DOUBLE)
             WHEN id % 5 = 2 THEN NULL ELSE id / 3 END AS d,
        CASE WHEN id % 3 = 0 THEN NULL ELSE id END AS n,
        date_add(DATE'2020-01-01', CAST(id % 400 AS INT)) AS dt,
        CAST(DATE'2020-01-01' AS TIMESTAMP_NTZ) + make_dt_interval(0, 0, 0, id * 7) AS ts,
        CAST(DATE'2020-01-01' AS TIMESTAMP) AS tz
        FROM range(0, 20000, 1, 7) ORDER BY s DESC"""
    settings = {"spark.sql.shuffle.partitions": "9", "spark.sql.adaptive.coalescePartitions.enabled": "false"}
    before = {key: spark.conf.get(key) for key in settings}
    written = []
    read = collect.read_parts

    def renamed(folder, schema, rows):
        parts = sorted(p for p in Path(folder.path).iterdir() if p.name.startswith("part-"))
        written.append(len(parts))
        for part in parts:
            part.rename(part.with_name(f"x{part.name}"))
        for part, name in zip(parts, reversed([p.name for p in parts]), strict=True):
            part.with_name(f"x{part.name}").rename(part.with_name(name))
        return read(folder, schema, rows)

    monkeypatch.setattr(collect, "read_parts", renamed)
    try:
        for key, value in settings.items():
            spark.conf.set(key, value)
        frame = spark.sql(query)
        want = frame.toArrow()
        fetched = collect.Results(Folder(tmp_path.as_uri(), fs.LocalFileSystem(), str(tmp_path)))
        got = fetched.fetch(frame)
        empty = fetched.fetch(spark.sql("SELECT 'x' AS s, 1.5D AS d FROM range(0) ORDER BY s"))
    finally:
        for key, value in before.items():
            spark.conf.set(key, value)
    assert written[0] == 9  # one file per partition
    assert want.num_rows == got.num_rows == 20000
    _same_bits(got, want)
    _same_bits(empty, spark.sql("SELECT 'x' AS s, 1.5D AS d FROM range(0) ORDER BY s").toArrow())
    assert list(tmp_path.iterdir()) == []  # each result's files go once read


def test_a_run_with_a_scratch_location_writes_there_and_leaves_nothing(spark, tmp_path, monkeypatch):
    """ENDPOINTDSL_SPARK_SCRATCH (scratch.py) on a local classic session: the results are
    written in a folder of the run's own there, the same rows as the SQL engine's, and
    the folder is gone after the run."""
    from endpointdsl.engines.spark import collect

    shared = tmp_path / "shared"
    shared.mkdir()
    monkeypatch.setenv("ENDPOINTDSL_SPARK_SCRATCH", shared.as_uri())
    monkeypatch.delenv("ENDPOINTDSL_SPARK_RESULTS", raising=False)
    where = []
    read = collect.read_parts
    monkeypatch.setattr(
        collect, "read_parts", lambda folder, *more: where.append(folder.uri) or read(folder, *more)
    )
    compiled = endpointdsl.load(EXAMPLES / "fda_pfs.ept")
    tables = read_tables(EXAMPLES / "fda_data", list(compiled.namespace["TABLES"]), arrow=True)
    got = compiled.run(tables, engine="spark")
    assert_same(got, compiled.run(tables, engine="sql"))
    assert len(where) == 3  # the trial write, then ADTTE and the report
    assert all(uri.startswith(f"{shared.as_uri()}/endpointdsl-") for uri in where)
    assert len({uri.rsplit("/", 1)[0] for uri in where}) == 1  # one folder of the run's own
    assert list(shared.iterdir()) == []


def test_a_scratch_location_the_driver_sees_elsewhere_is_e395_before_the_script(spark, tmp_path, monkeypatch):
    """The executors write to the scratch URI, this process reads another folder (as a
    cluster's executors writing to their own disks): the trial write says so, E395."""
    from pyarrow import fs

    from endpointdsl.engines.spark import collect, scratch

    real, other = tmp_path / "executors", tmp_path / "driver"
    real.mkdir()
    other.mkdir()
    monkeypatch.setenv("ENDPOINTDSL_SPARK_SCRATCH", real.as_uri())
    elsewhere = scratch.Folder(real.as_uri(), fs.LocalFileSystem(), str(other))
    monkeypatch.setattr(collect, "shared_scratch", lambda: elsewhere)
    monkeypatch.setattr(spark_run, "shared_scratch", lambda: elsewhere)
    ran = []
    monkeypatch.setattr(spark_run, "_derive", lambda *a: ran.append(a))
    compiled = endpointdsl.load(EXAMPLES / "fda_pfs.ept")
    tables = read_tables(EXAMPLES / "fda_data", list(compiled.namespace["TABLES"]), arrow=True)
    with pytest.raises(
        scratch.ScratchError,
        match=r"^E395 the results Spark's executors wrote to file://.*/executors/endpointdsl-\w+/result1 cannot be read here",
    ):
        compiled.run(tables, engine="spark")
    assert ran == []  # said before the script ran
    assert list(other.iterdir()) == []  # the run's folder removed
