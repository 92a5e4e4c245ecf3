"""Value endpoints (issue 14; docs/semantics.md 11) in SQL, set-based.

Per series: `vrows_<S>` (its rows with their time, BLQ flag and value), `vsamp_<S>` (the
usable samples, the BLQ rule applied with the subject's first quantifiable time) and
`vnote_<S>` (a finding per row without a usable time, value or LLOQ). Per endpoint:
`vpt_<P>` (one point per subject and time in the window: duplicates counted, averaged in
increasing order of value), `vagg_<P>` (per subject: the picked point by window functions,
the AUC as the sum of LAG trapezoids in time order, the units), then `res_<P>` and
`notes_<P>` as every endpoint has them. Sums of doubles are `list_sum` over a list
ordered as the Python engines add (time order; values in increasing order).
"""

from __future__ import annotations

from ...check import model as m
from .prepare import date_readers
from .writer import SqlWriter, col, condition, ident, number, text

TIME_STATS = ("time of max", "time of min", "time of last")


def write_series(w: SqlWriter, s: m.SeriesSpec, needs: dict) -> None:
    need = needs.setdefault(s.table, set())
    need.add((s.column, "num"))
    where = condition(s.where, "t", need) if s.where is not None else "TRUE"
    blq = condition(s.blq, "t", need)
    join = ""
    if s.origin is None:
        need.add((s.time, "num"))
        t = f"CAST({col('t', s.time, 'num')} AS DOUBLE)"
    else:  # a time axis of dates: days from the subject's origin date (rows of subjects without one: none)
        reader = date_readers(None)[0]
        need.add((s.time, reader))
        diff = f"date_diff('day', o.d, {col('t', s.time, reader)})"
        t = f"CAST(CASE WHEN {s.origin_day} = 1 AND {diff} >= 0 THEN {diff} + 1 ELSE {diff} END AS DOUBLE)"
        origin = ident("occ_" + s.origin)
        join = f" JOIN (SELECT key, min(d) AS d FROM {origin} GROUP BY key) AS o ON o.key = t.__key"
    if s.negative_at_zero:
        t = f"CASE WHEN {t} < 0 THEN CAST(0 AS DOUBLE) ELSE {t} END"
    if s.lloq_value is not None:
        lloq = number(s.lloq_value)
    elif s.lloq_column is not None:
        need.add((s.lloq_column, "num"))
        lloq = f"CAST({col('t', s.lloq_column, 'num')} AS DOUBLE)"
    else:
        lloq = "CAST(NULL AS DOUBLE)"
    seq = "CAST(NULL AS DOUBLE)"
    if s.sequence:
        need.add((s.sequence, "num"))
        seq = f"CAST({col('t', s.sequence, 'num')} AS DOUBLE)"
    unit = "CAST(NULL AS VARCHAR)"
    if s.unit_column:
        need.add((s.unit_column, "text"))
        unit = col("t", s.unit_column, "text")
    rows, samp, note = (ident(f"{p}_{s.name}") for p in ("vrows", "vsamp", "vnote"))
    w.line("")
    w.line(f"-- series {s.name}: the {s.table} rows it reads, their time and BLQ flag", s.span)
    w.line(f"CREATE OR REPLACE TEMP TABLE {rows} AS")
    w.line(f"SELECT t.__key AS key, t.__row AS rn, {t} AS t, coalesce({blq}, FALSE) AS blq,")
    w.line(
        f"    CAST({col('t', s.column, 'num')} AS DOUBLE) AS v0, {lloq} AS lloq, {seq} AS seq, {unit} AS unit"
    )
    w.line(f"FROM {ident('src_' + s.table)} AS t{join} WHERE t.__key IS NOT NULL AND ({where});", s.span)
    rule = f"CASE WHEN f.tq IS NULL OR r.t < f.tq THEN {text(s.blq_before)} ELSE {text(s.blq_after)} END"
    w.line(
        f"-- the BLQ rule: before the subject's first quantifiable time, {s.blq_before}; after, {s.blq_after}"
    )
    w.line(f"CREATE OR REPLACE TEMP TABLE {samp} AS")
    w.line(f"WITH r AS (SELECT * FROM {rows} WHERE t IS NOT NULL AND (blq OR v0 IS NOT NULL)),")
    w.line("f AS (SELECT key, min(t) AS tq FROM r WHERE NOT blq GROUP BY key),")
    w.line(f"p AS (SELECT r.*, CASE WHEN r.blq THEN {rule} END AS rule FROM r LEFT JOIN f ON f.key = r.key)")
    w.line("SELECT key, rn, t, NOT blq AS measured, seq, unit, rule, lloq,")
    w.line("    CASE WHEN NOT blq THEN v0 WHEN rule = 'zero' THEN CAST(0 AS DOUBLE) ELSE lloq / 2 END AS v")
    w.line("FROM p WHERE NOT blq OR rule = 'zero' OR (rule = 'half lloq' AND lloq IS NOT NULL);")
    head = f"{s.name}: {s.table} row "
    w.line(f"CREATE OR REPLACE TEMP TABLE {note} AS")
    w.line(
        f"SELECT key, {text(head)} || CAST(rn AS VARCHAR) || {text(f' has no usable {s.time}; not used')} AS message"
    )
    w.line(f"FROM {rows} WHERE t IS NULL")
    w.line(
        f"UNION ALL SELECT key, {text(head)} || CAST(rn AS VARCHAR) || {text(f' has no usable {s.column}; not used')}"
    )
    w.line(f"FROM {rows} WHERE t IS NOT NULL AND NOT blq AND v0 IS NULL")
    if "half lloq" in (s.blq_before, s.blq_after) and s.lloq_value is None:
        w.line(f"UNION ALL SELECT r.key, {text(head)} || CAST(r.rn AS VARCHAR) || "
               f"{text(f' has no usable {s.lloq_column}; not used')}")  # fmt: skip
        w.line(
            f"FROM {rows} AS r LEFT JOIN (SELECT key, min(t) AS tq FROM {rows} WHERE t IS NOT NULL AND NOT blq"
        )
        w.line("    AND v0 IS NOT NULL GROUP BY key) AS f ON f.key = r.key")
        w.line(f"WHERE r.t IS NOT NULL AND r.blq AND r.lloq IS NULL AND {rule} = 'half lloq';")
    else:
        w.line(";")


class ValueSql:
    def __init__(self, model: m.Model, ep: m.EndpointSpec, w: SqlWriter, needs: dict, by_row=frozenset()):
        self.model, self.ep, self.w = model, ep, w

    def write(self) -> None:
        ep, w, v = self.ep, self.w, self.ep.value
        s = v.series
        code = ep.paramcd
        pt, agg, res = ident("vpt_" + code), ident("vagg_" + code), ident("res_" + code)
        line = ep.lines.get("value")
        inside = "TRUE"
        if v.start is not None:
            inside = f"{number(v.start)} <= t AND t <= {number(v.stop)}"
        w.line("")
        w.line(
            f"-- {code}: one point per subject and time in the window ({s.duplicates} duplicate times)", line
        )
        w.line(f"CREATE OR REPLACE TEMP TABLE {pt} AS")
        w.line("SELECT key, t, count(*) AS n,")
        w.line(
            "    CASE WHEN count(*) = 1 THEN any_value(v) ELSE list_sum(list(v ORDER BY v)) / count(*) END AS v,"
        )
        w.line("    bool_or(measured) AS measured, CASE WHEN count(*) = 1 THEN any_value(seq) END AS seq,")
        w.line("    string_agg(CAST(rn AS VARCHAR), ', ' ORDER BY rn) AS rows")
        w.line(f"FROM {ident('vsamp_' + s.name)} WHERE {inside} GROUP BY key, t;", line)
        near = "TRUE"
        if v.at is not None:
            near = f"abs(t - {number(v.at)}) <= {number(v.within)}"
        order = {
            "max": "v DESC, t", "time of max": "v DESC, t", "min": "v, t", "time of min": "v, t",
            "last": "t DESC", "time of last": "t DESC", "auc to last": "t DESC",
            "at": f"abs(t - {number(v.at or 0)}), t", "detectable": f"abs(t - {number(v.at or 0)}), t",
        }.get(v.stat, "t DESC")  # fmt: skip
        pickable = {"last": "q", "time of last": "q", "auc to last": "q", "at": near, "detectable": near}
        w.line(f"CREATE OR REPLACE TEMP TABLE {agg} AS")
        w.line(f"WITH p AS (SELECT *, measured AND v > 0 AS q FROM {pt}),")
        w.line(f"k AS (SELECT *, row_number() OVER (PARTITION BY key ORDER BY {order}) AS k FROM p "
               f"WHERE {pickable.get(v.stat, 'TRUE')}),")  # fmt: skip
        w.line("pick AS (SELECT * FROM k WHERE k = 1),")
        upto = "TRUE" if v.stat != "auc to last" else "p.t <= pick.t"
        w.line("seg AS (SELECT p.key, p.t, lag(p.t) OVER w AS t1, lag(p.v) OVER w AS c1, p.v AS c2")
        w.line(f"    FROM p JOIN pick ON pick.key = p.key WHERE {upto} WINDOW w AS (PARTITION BY p.key ORDER BY p.t)),"
               if v.stat == "auc to last" else
               "    FROM p WINDOW w AS (PARTITION BY p.key ORDER BY p.t)),")  # fmt: skip
        width = "(t - t1)"
        if s.origin is not None and s.origin_day == 1:  # day -1 is the day before day 1: one day apart
            width = "((CASE WHEN t > 0 THEN t - 1 ELSE t END) - (CASE WHEN t1 > 0 THEN t1 - 1 ELSE t1 END))"
        linear = f"{width} * (c1 + c2) / 2"
        area = linear
        if v.rule == "linear up log down":
            area = f"CASE WHEN c2 < c1 AND c2 > 0 THEN {width} * (c1 - c2) / ln(c1 / c2) ELSE {linear} END"
        w.line(f"auc AS (SELECT key, coalesce(list_sum(list({area} ORDER BY t) FILTER (WHERE t1 IS NOT NULL)), "
               "CAST(0 AS DOUBLE)) AS auc FROM seg GROUP BY key),", line)  # fmt: skip
        w.line("a AS (SELECT key, count(*) AS points, bool_or(" + near + ") AS near,")
        w.line(
            "    arg_min(rows, t) FILTER (WHERE n > 1) AS dup_rows, min(v) AS vmin, arg_max(v, t) AS vlast"
        )
        w.line("    FROM p GROUP BY key),")
        w.line(f"u AS (SELECT key, count(DISTINCT unit) AS units, min(unit) AS unit, "
               f"string_agg(DISTINCT unit, ', ' ORDER BY unit) AS unit_list FROM {ident('vsamp_' + s.name)} "
               f"WHERE {inside} GROUP BY key)")  # fmt: skip
        origin = "TRUE"
        if s.origin is not None:  # a series timed by dates: the subject has an origin date
            origin = f"s.key IN (SELECT key FROM {ident('occ_' + s.origin)})"
        w.line("SELECT s.key, a.points, a.near, a.dup_rows, a.vmin, a.vlast, u.units, u.unit, u.unit_list,")
        w.line(
            f"    pick.t AS pt, pick.v AS pv, pick.q AS pq, pick.seq AS pseq, auc.auc, {origin} AS has_origin"
        )
        w.line("FROM subjects AS s LEFT JOIN a ON a.key = s.key LEFT JOIN u ON u.key = s.key")
        w.line("LEFT JOIN pick ON pick.key = s.key LEFT JOIN auc ON auc.key = s.key;")
        self._result(res, agg)
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident('notes_' + code)} AS")
        notes = f"SELECT key, message FROM {ident('vnote_' + s.name)}"
        if s.origin is not None:  # the origin event's own findings (an unusable date)
            notes += f" UNION ALL SELECT key, message FROM {ident('note_' + s.origin)}"
        w.line(f"SELECT n.key, n.message FROM ({notes}) AS n JOIN subjects AS s ON s.key = n.key;")

    def _result(self, res: str, agg: str) -> None:
        ep, w, v = self.ep, self.w, self.ep.value
        s = v.series
        window = f" over {v.over}" if v.over else ""
        reasons = []
        if s.origin is not None:
            reasons.append(("NOT a.has_origin", text(f"no origin date: {s.origin} has no usable date")))
        if v.at is not None:
            reasons.append(("a.near IS NOT TRUE", text(f"{s.name}: no usable sample within {v.near}")))
        else:
            reasons.append(("a.points IS NULL", text(f"{s.name}: no usable sample{window}")))
        if s.duplicates == "refuse":
            tail = f" have the same {s.time}; duplicate times are refused"
            reasons.append(("a.dup_rows IS NOT NULL",
                            f"{text(f'{s.name}: {s.table} rows ')} || a.dup_rows || {text(tail)}"))  # fmt: skip
        if s.unit_column and v.stat not in ("time of last", "detectable"):  # Tmax compares values
            reasons.append(
                ("a.units > 1", f"{text(f'{s.name}: samples in several units (')} || a.unit_list || ')'")
            )
        if v.stat in ("last", "time of last", "auc to last"):
            reasons.append(("a.pt IS NULL", text(f"{s.name}: no quantifiable sample{window}")))
        reason = "CASE " + " ".join(f"WHEN {c} THEN {r}" for c, r in reasons) + " END"
        time_abbr = m.VALUE_TIME_UNITS[s.time_unit]
        unit = "CASE WHEN a.units = 1 THEN a.unit END" if s.unit_column else text(s.unit_text)
        if v.stat in TIME_STATS:
            avalu = text(time_abbr)
        elif v.stat == "detectable":
            avalu = "CAST(NULL AS VARCHAR)"
        elif v.stat.startswith("auc"):
            avalu = f"{text(time_abbr + '*')} || {unit}"
        else:
            avalu = unit
        aval = {
            "auc": "a.auc", "auc to last": "a.auc", "change from min": "a.vlast - a.vmin",
            "detectable": "CASE WHEN a.pq THEN CAST(1 AS DOUBLE) ELSE CAST(0 AS DOUBLE) END",
        }.get(v.stat, "a.pt" if v.stat in TIME_STATS else "a.pv")  # fmt: skip
        avalc = "CASE WHEN a.pq THEN 'Y' ELSE 'N' END" if v.stat == "detectable" else "CAST(NULL AS VARCHAR)"
        seq = "CAST(NULL AS DOUBLE)" if v.stat.startswith("auc") or v.stat == "change from min" else "a.pseq"
        var = s.time if v.stat in TIME_STATS else s.column
        w.line(f"CREATE OR REPLACE TEMP TABLE {res} AS")
        w.line("SELECT a.key, CAST(NULL AS DATE) AS startdt, CAST(NULL AS VARCHAR) AS startdtf,")
        w.line("    CAST(NULL AS DATE) AS adt, CAST(NULL AS VARCHAR) AS adtf,")
        w.line(
            f"    CAST({aval} AS DOUBLE) AS aval, {avalc} AS avalc, {avalu} AS avalu,", ep.lines.get("value")
        )
        w.line(
            "    CAST(NULL AS BIGINT) AS cnsr, CAST(NULL AS VARCHAR) AS evntdesc, CAST(NULL AS VARCHAR) AS cnsdtdsc,"
        )
        w.line(f"    {text(s.domain)} AS srcdom, {text(var)} AS srcvar, {seq} AS srcseq, {reason} AS reason")
        w.line(f"FROM {agg} AS a;")
