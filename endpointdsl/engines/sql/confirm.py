"""Confirmed and sustained events in SQL (issue 12, item 2; docs/semantics.md 2.1).

`occ_<C>` keeps the rows of the candidate's view `occ_<E>` that the rule confirms, set-wise:
the assessment series is one row per subject and date with window aggregates over what
follows it (the run it starts), and each candidate is joined to the first assessment
date after it (an ASOF join); `confirmed by F at least N days later` joins each candidate
to the first occurrence of F far enough and to the first breaking date after it. The
events read are written before (`event_closure`); their findings are theirs
(`note_<C>` is empty).
"""

from __future__ import annotations

import math

from ...check import model as m
from .prepare import view_name
from .writer import SqlWriter, ident, number


def write_confirmed(w: SqlWriter, ev: m.EventSource, timed: bool = False) -> None:
    """`timed`: the candidate's view has the time of day `t` (its root event is read `with
    time`); the kept rows keep it, for endpoints timed by the clock."""
    c = ev.confirm
    cols = "e.key, e.d, e.seq, e.rn, e.dtf" + (", e.t" if timed else "")
    if ev.response:  # issue 16: the candidate's response, for `best response of` this event
        cols += f", e.{ident(view_name(ev.response, 'text'))}"
    cand = ident("occ_" + c.candidate)
    w.line("")
    w.line(f"-- event {ev.name}: the occurrences of {c.candidate} that the rule confirms", ev.span)
    w.line(f"CREATE OR REPLACE TEMP VIEW {ident('occ_' + ev.name)} AS")
    if c.kind == "later":
        _later(w, c, cand, cols)
    else:
        _series(w, c, cand, cols)
    w.line(f"CREATE OR REPLACE TEMP TABLE {ident('note_' + ev.name)} AS")
    w.line("SELECT CAST(NULL AS VARCHAR) AS key, CAST(NULL AS VARCHAR) AS message WHERE FALSE;")


def _later(w: SqlWriter, c: m.EventConfirmation, cand: str, cols: str) -> None:
    # the first confirming date at least `at_least` whole days after the candidate
    least = math.ceil(c.at_least)
    w.line(f"SELECT {cols}")
    w.line(f"FROM (SELECT *, d + {least} AS lo, d AS hi FROM {cand}) AS e")
    w.line(f"ASOF JOIN (SELECT DISTINCT key, d FROM {ident('occ_' + c.confirming)}) AS f")
    w.line("    ON f.key = e.key AND f.d >= e.lo")
    if c.without is not None:  # the first breaking date after the candidate
        w.line(f"ASOF LEFT JOIN (SELECT DISTINCT key, d FROM {ident('occ_' + c.without)}) AS g")
        w.line("    ON g.key = e.key AND g.d > e.hi")
    cond = []
    if c.at_most is not None:
        cond.append(f"date_diff('day', e.d, f.d) <= {number(c.at_most)}")
    if c.without is not None:
        cond.append("(g.d IS NULL OR g.d >= f.d)")
    w.line(f"WHERE {' AND '.join(cond) if cond else 'TRUE'};")


def _series(w: SqlWriter, c: m.EventConfirmation, cand: str, cols: str) -> None:
    # s: one row per assessment date, ok when the confirming event occurs on it; r: the run
    # each date starts (n_ok of the count - 1 dates from it, all_ok of every date from it)
    w.line("WITH s AS (")
    w.line("    SELECT a.key, a.d, f.key IS NOT NULL AS ok")
    w.line(f"    FROM (SELECT DISTINCT key, d FROM {ident('occ_' + c.assessments)}) AS a")
    w.line(f"    LEFT JOIN (SELECT DISTINCT key, d FROM {ident('occ_' + c.confirming)}) AS f")
    w.line("        ON f.key = a.key AND f.d = a.d")
    w.line("), r AS (")
    w.line("    SELECT key, d, ok,")
    if c.kind == "consecutive":
        w.line("        sum(CAST(ok AS INTEGER)) OVER (PARTITION BY key ORDER BY d")
        w.line(f"            ROWS BETWEEN CURRENT ROW AND {c.count - 2} FOLLOWING) AS n_ok,")
    w.line("        bool_and(ok) OVER (PARTITION BY key ORDER BY d")
    w.line("            ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS all_ok,")
    w.line("        max(d) OVER (PARTITION BY key) AS last_d")
    w.line("    FROM s")
    w.line(")")
    w.line(f"SELECT {cols}")
    w.line(f"FROM {cand} AS e")
    w.line("ASOF LEFT JOIN r ON r.key = e.key AND r.d > e.d  -- the next assessment date")
    if c.kind == "consecutive":
        rule = f"coalesce(r.n_ok = {c.count - 1}, FALSE)"
    else:
        rule = "coalesce(r.ok, FALSE)" if c.kind == "next" else "coalesce(r.all_ok, FALSE)"
    if c.death is None:
        w.line(f"WHERE {rule};")
        return
    # the run reached the last assessment (or none is later): death within K days of its end
    last = "coalesce(r.last_d, e.d)"
    w.line(f"WHERE {rule} OR (coalesce(r.all_ok, TRUE) AND EXISTS (")
    w.line(f"    SELECT 1 FROM {ident('occ_' + c.death)} AS x WHERE x.key = e.key AND x.d >= {last}")
    w.line(f"        AND date_diff('day', {last}, x.d) <= {number(c.death_within)}));")
