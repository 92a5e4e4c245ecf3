"""perf (issue 16): the SQL engine's process-wide DuckDB database, a cursor per run
(engines/sql/session.py), and the generated scripts kept on the compiled file."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import duckdb
import pandas as pd
import pytest

from endpointdsl.api import CompiledFile, check_text
from endpointdsl.engines.sql import run as sql_run

PROGRAM = """table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event death = adrs.ADT where PARAMCD = "DEATH"
endpoint OS "Overall survival"
  from rand
  to death
  censor at rand cnsr 1
end
"""


def tables(death: str) -> dict[str, pd.DataFrame]:
    adsl = pd.DataFrame({"USUBJID": ["S1", "S2"], "RANDDT": ["2020-01-01", "2020-01-01"]})
    adrs = pd.DataFrame({"USUBJID": ["S2"], "PARAMCD": ["DEATH"], "ADT": [death]})
    return {"adsl": adsl, "adrs": adrs}


def temporary_objects(con) -> list:
    return con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'temp'"
    ).fetchall()


def test_runs_in_threads_each_get_their_own_results():
    """Eight runs on two threads, each on its own data: S2 dies on day 1 + i (hand-worked:
    2020-01-01 plus i days), S1 is censored at randomisation (day 1)."""
    compiled = CompiledFile.from_model(check_text(PROGRAM))
    deaths = {i: (pd.Timestamp("2020-01-01") + pd.Timedelta(days=i)).date().isoformat() for i in range(8)}

    def one(i: int) -> list:
        return compiled.run(tables(deaths[i]), engine="sql").adtte.AVAL.tolist()

    with ThreadPoolExecutor(2) as pool:
        got = list(pool.map(one, range(8)))
    assert got == [[1.0, 1.0 + i] for i in range(8)]


def test_a_run_leaves_nothing_behind_and_keeps_its_scripts():
    compiled = CompiledFile.from_model(check_text(PROGRAM))
    compiled.warm_sql()
    # the script with nothing proven, and the one with every fact and sorted check proven
    assert [key[:2] for key in compiled.sql_programs] == [(None, ()), (None, ())]
    made, real = [], sql_run._SESSIONS.cursor

    def recorded(threads):
        made.append(real(threads))
        return made[-1]

    with mock.patch.object(sql_run._SESSIONS, "cursor", recorded):
        compiled.run(tables("2020-02-01"), engine="sql")
    assert len(made) == 1  # the run's own cursor, closed when it ended (its tables with it)
    with pytest.raises(duckdb.ConnectionException, match="already closed"):
        made[0].execute("SELECT 1")
    # these data prove every fact and the sorted check: the script kept by warm_sql ran
    assert len(compiled.sql_programs) == 2
    con = sql_run._SESSIONS.cursor(1)
    try:
        assert temporary_objects(con) == []  # another cursor: a run's tables are its own
        con.execute("CREATE TEMP TABLE mine AS SELECT 1 AS x")
        assert temporary_objects(con) == [("mine",)]
    finally:
        con.close()
    con = sql_run._SESSIONS.cursor(1)
    try:
        assert temporary_objects(con) == []  # gone with the cursor that made it
    finally:
        con.close()


def test_the_database_is_made_again_when_its_settings_change(monkeypatch):
    def limit() -> str:
        con = sql_run._SESSIONS.cursor(1)
        try:
            return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        finally:
            con.close()

    monkeypatch.setenv("ENDPOINTDSL_MEMORY_LIMIT", "300MB")
    assert limit() == "286.1 MiB"  # 300e6 bytes / 2**20
    monkeypatch.setenv("ENDPOINTDSL_MEMORY_LIMIT", "600MB")
    assert limit() == "572.2 MiB"
    monkeypatch.setenv("ENDPOINTDSL_THREADS", "four")
    with pytest.raises(Exception, match="is not a number of threads"):
        limit()


def test_cursors_on_different_threads_keep_their_own_setting():
    """DuckDB's `threads` is global to a database: a cursor that set it changed every other
    cursor's. Each setting now has its own database, so two open cursors keep theirs."""
    one, two = sql_run._SESSIONS.cursor(1), sql_run._SESSIONS.cursor(2)
    try:
        setting = "SELECT current_setting('threads')"
        assert (one.execute(setting).fetchall()[0][0], two.execute(setting).fetchall()[0][0]) == (1, 2)
    finally:
        one.close()
        two.close()
    one.close()  # a second close is harmless


def test_a_settings_change_waits_for_the_runs_in_progress(monkeypatch):
    """Two runs at once on real threads, the second under a new memory limit: the first
    run's database was closed under it (`Connection already closed`). Now it is retired,
    closed when the first run's cursor closes, and both runs equal the serial runs."""
    compiled = CompiledFile.from_model(check_text(PROGRAM))
    first, second = tables("2020-01-11"), tables("2020-01-21")
    expected = [compiled.run(t, engine="sql") for t in (first, second)]
    holding, release = threading.Event(), threading.Event()
    real = sql_run.prepare_table

    def held(frame, key, views):  # the first run waits inside, its cursor open
        if frame is first["adrs"]:
            holding.set()
            assert release.wait(30)
        return real(frame, key, views)

    monkeypatch.setattr(sql_run, "prepare_table", held)
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(compiled.run, first, engine="sql")
        try:  # released whatever happens, so that a failure does not wait for the timeout
            assert holding.wait(30)
            monkeypatch.setenv("ENDPOINTDSL_MEMORY_LIMIT", "700MB")
            during = compiled.run(second, engine="sql")  # a new database; the first one kept open
            assert sql_run._SESSIONS.retired() == 1
        finally:
            release.set()
        after = running.result(timeout=60)
    assert sql_run._SESSIONS.retired() == 0  # the retired database closed by its last cursor
    for got, want in zip((after, during), expected, strict=True):
        pd.testing.assert_frame_equal(got.adtte, want.adtte)
        pd.testing.assert_frame_equal(got.report, want.report)


def test_warming_makes_the_databases_of_small_and_large_runs(monkeypatch):
    """A database per setting of threads: `warm_sql` makes both, so that neither a 1k run
    (one thread) nor a larger one makes its database inside the run."""
    compiled = CompiledFile.from_model(check_text(PROGRAM))
    compiled.warm_sql()

    def refused(threads=None):
        raise AssertionError(f"a database made after warm_sql (threads={threads})")

    monkeypatch.setattr(sql_run._SESSIONS, "_connect", refused)
    for threads in (1, None):
        sql_run._SESSIONS.cursor(threads).close()
