"""SQL generator, the results: the `adtte` view of the records (`record_columns` of each
endpoint's `res_<PARAMCD>`), the `report` table (exclusions and data findings) and the queries
that read both in the order of tables.run_tables (`result_queries`; run.py and Spark run them).
"""

from __future__ import annotations

from ...check import model as m
from ...data.tables import duplicate_message
from .writer import SqlWriter, ident, text


def record_columns(ep: m.EndpointSpec | None, responses: bool = False, times: bool = False) -> str:
    """The ADTTE columns of an endpoint's records (None: the empty table's types); with
    `responses` (the file has response or incidence endpoints), AVALC after AVAL; with
    `times` (an endpoint timed by the clock), STARTDTM and ADTM after STARTDTF and ADTF."""
    avalc = ", CAST(NULL AS VARCHAR) AS AVALC" if responses else ""
    stm = atm = ""
    if times:
        timed = ep is not None and m.timed(ep)
        stm = ", startdtm AS STARTDTM" if timed else ", CAST(NULL AS TIMESTAMP) AS STARTDTM"
        atm = ", adtm AS ADTM" if timed else ", CAST(NULL AS TIMESTAMP) AS ADTM"
    if ep is None:
        return (
            "SELECT CAST(NULL AS VARCHAR) AS USUBJID, CAST(NULL AS VARCHAR) AS PARAMCD, CAST(NULL AS VARCHAR) "
            f"AS PARAM, CAST(NULL AS DATE) AS STARTDT, CAST(NULL AS VARCHAR) AS STARTDTF{stm}, CAST(NULL AS DATE) "
            f"AS ADT, CAST(NULL AS VARCHAR) AS ADTF{atm}, CAST(NULL AS DOUBLE) AS AVAL{avalc}, CAST(NULL AS VARCHAR) AS "
            "AVALU, CAST(NULL AS BIGINT) AS CNSR, CAST(NULL AS VARCHAR) AS EVNTDESC, CAST(NULL AS VARCHAR) AS "
            "CNSDTDSC, CAST(NULL AS VARCHAR) AS SRCDOM, CAST(NULL AS VARCHAR) AS SRCVAR, CAST(NULL AS DOUBLE) "
            "AS SRCSEQ WHERE FALSE"
        )
    # a response or incidence row has AVALC and no AVALU (semantics 6)
    avalu = "CAST(NULL AS VARCHAR)" if ep.response is not None else text(m.AVALU[ep.unit])
    if ep.response is not None:
        avalc = ", avalc AS AVALC"
    if ep.value is not None:  # value endpoints (issue 14): AVALU from the samples' unit
        avalu, avalc = "avalu", ", avalc AS AVALC"
    return (
        f"SELECT key AS USUBJID, {text(ep.paramcd)} AS PARAMCD, {text(ep.param)} AS PARAM, "
        f"startdt AS STARTDT, startdtf AS STARTDTF{stm}, adt AS ADT, adtf AS ADTF{atm}, aval AS AVAL{avalc}, "
        f"{avalu} AS AVALU, cnsr AS CNSR, evntdesc AS EVNTDESC, cnsdtdsc AS CNSDTDSC, "
        f"srcdom AS SRCDOM, srcvar AS SRCVAR, srcseq AS SRCSEQ FROM {ident('res_' + ep.paramcd)} "
        "WHERE reason IS NULL"
    )


def result_queries(order: tuple, numbered: bool = False) -> tuple[str, str]:
    """The queries that read adtte and report in run_tables' order: subject, endpoint order, ...
    `numbered`: subject keys are integer numbers in key order (keys.py; in the report a union
    with a text NULL may have made them text)."""
    rank = "CASE PARAMCD " + " ".join(f"WHEN {text(c)} THEN {i}" for i, c in enumerate(order)) + " END"
    rank = rank if order else "0"
    subject = "coalesce(CAST(USUBJID AS BIGINT), -1)" if numbered else "coalesce(USUBJID, '')"
    return (
        f"SELECT * FROM adtte ORDER BY USUBJID, {rank}",
        f"SELECT * FROM report ORDER BY {subject}, coalesce({rank}, -1), STATUS, MESSAGE",
    )


def write_results(
    model: m.Model, w: SqlWriter, eps: list[m.EndpointSpec], order: tuple, responses: bool, times: bool, facts
) -> None:
    """The adtte view over the endpoints' res_ tables, the report table, and the result
    queries as comments. `facts`: generate.Facts (the checks skipped where proven)."""
    subject = model.subject_table
    w.line("")
    w.line("-- ADTTE: one record per subject and endpoint (a view: the result query reads the res_")
    w.line("-- tables once, with no copy of a million records made first)")
    w.line("CREATE OR REPLACE TEMP VIEW adtte AS")
    for i, ep in enumerate(eps):
        w.line(("UNION ALL " if i else "") + record_columns(ep, responses, times), ep.span)
    if not eps:
        w.line(record_columns(None, responses, times))
    w.line(";")
    w.line("")
    w.line("-- report: exclusions with their reason, and data findings")
    w.line("CREATE OR REPLACE TEMP TABLE report AS SELECT * FROM (")
    w.line("SELECT CAST(NULL AS VARCHAR) AS USUBJID, CAST(NULL AS VARCHAR) AS PARAMCD,")
    w.line("    CAST(NULL AS VARCHAR) AS STATUS, CAST(NULL AS VARCHAR) AS MESSAGE WHERE FALSE")
    # perf (issue 16): in the script a run executes, a branch the facts prove empty is left
    # out (DuckDB binds every branch, found empty or not); the general script has them all
    unique = facts.holds(f"unique keys: {subject.name}", "unique", subject.name) == "TRUE"
    if not unique:  # keys strictly increasing: no subject has several rows
        w.line(f"UNION ALL  -- subjects with several rows in {subject.name}: one finding each", subject.span)
        head, tail = duplicate_message("\0", subject.name).split("\0")
        w.line(f"SELECT key, NULL, 'finding', {text(head)} || CAST(n AS VARCHAR) || {text(tail)}")
        w.line("    FROM subject_rows WHERE n > 1")
    for t in model.tables:
        src = ident("src_" + t.name)
        keyed = facts.holds(f"no null: {t.name}.__key", "complete", t.name, "__key")
        if keyed != "TRUE":
            w.line(f"UNION ALL  -- {t.name} rows without a subject key", t.span)
            w.line(f"SELECT NULL, NULL, 'finding', {text(t.name + ' row ')} || CAST(__row AS VARCHAR)")
            w.line(
                f"    || {text(f' has no {t.key}; not used')} FROM {src} WHERE NOT {keyed} AND __key IS NULL"
            )
        if facts.holds(f"rows: {t.name}", "rows", t.name) != "TRUE":
            w.line(f"UNION ALL SELECT NULL, NULL, 'finding', {text(f'table {t.name!r} has no rows')}")
            w.line(f"    WHERE NOT EXISTS (SELECT 1 FROM {src})")
        if t.per_subject:
            continue
        within = facts.holds(f"keys in {subject.name}: {t.name}", "within", t.name)
        if within == "TRUE":
            continue
        w.line(f"UNION ALL  -- {t.name} rows of subjects missing from {subject.name}")
        w.line(f"SELECT __key, NULL, 'finding', {text('subject has ')} || CAST(n AS VARCHAR)")
        w.line(f"    || CASE WHEN n = 1 THEN {text(' row')} ELSE {text(' rows')} END")
        w.line(f"    || {text(f' in {t.name} but none in {subject.name}; not analysed')}")
        # count rows per key first: the anti-join then probes one row per key, not every row;
        # no scan when prepare proved every key of the table a key of the subject-level table
        w.line(f"FROM (SELECT __key, count(*) AS n FROM {src} WHERE NOT {within} AND __key IS NOT NULL")
        w.line("    GROUP BY __key) AS t")
        w.line("WHERE NOT EXISTS (SELECT 1 FROM subject_rows AS s WHERE s.key = t.__key)")
    for ep in eps:
        res = ident("res_" + ep.paramcd)
        code = text(ep.paramcd)
        w.line(f"UNION ALL  -- {ep.paramcd}: duplicate subjects, exclusions, findings", ep.span)
        if not unique:
            w.line(f"SELECT key, {code}, 'excluded', {text('duplicate subject: ')} || CAST(n AS VARCHAR)")
            w.line(f"    || {text(f' rows in {subject.name}')} FROM subject_rows WHERE n > 1")
        reasons = f"SELECT key, {code}, 'excluded', reason FROM {res} WHERE reason IS NOT NULL"
        w.line(reasons if unique else f"UNION ALL {reasons}")
        if "notes_" + ep.paramcd not in w.empty:
            w.line(
                f"UNION ALL SELECT DISTINCT key, {code}, 'finding', message FROM {ident('notes_' + ep.paramcd)}"
            )
    w.line(");")
    w.line("")
    w.line("-- the results, in the order of tables.run_tables (a table keeps no order of its own):")
    for query in result_queries(order):
        w.line(f"-- {query};")
