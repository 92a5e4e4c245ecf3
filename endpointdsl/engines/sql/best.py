"""SQL generator, fourth part: best overall response and landmark response (docs/semantics.md
6.1-6.3, 6.6) to one `res_<PARAMCD>` table, set-wise, for RECIST 1.1 or a named criteria set.

The criteria set is data: `crit_set_<n>` holds one row per category (rank best first, the
rank a date keeps, AVAL, role, confirmation by the next assessment and its window). Then, per
subject: `assess_<E>_<n>` the assessment rows of the analysed subjects, `visits_<E>_<n>` the
visits (the worst response of each date, up to the first progression; one GROUP BY when the
rows are proven in occurrence order), `confirm_<E>_<n>` each visit's confirming visit
(window functions over the visits, linear), `best_<E>_<n>` each visit's category and the
best picked per subject, in one GROUP BY for all the best responses over the same visits and
confirmation, and the record, which reads its columns (bestgroup.py); a landmark's record
picks from the visits in its window (landmark.py). The relations named by the event are
written once and read by every endpoint whose would be the same (shared.py, issue 16: six
endpoints of one assessment event read and ordered its rows six times).
"""

from __future__ import annotations

import math

from ...check import model as m
from ...check.criteria import shipped
from .bestgroup import BestGroup
from .confirmlist import applies, write_confirmation_lists
from .landmark import Landmark
from .response import OccurrenceSql
from .shared import write_once
from .writer import SqlWriter, col, ident, number, text


def response_support(model: m.Model, ep: m.EndpointSpec) -> str | None:
    """None when the best or landmark response is translated; else why not."""
    ev = model.event(ep.response.event)
    # a bounded imputation's, a confirmed event's and another endpoint's rows keep their
    # response in occ_<E> (issue 16); a derived date has none (E182)
    if ev.date is not None or ev.response is None:
        return f"'{ev.name}' is not a plain assessment event"
    r = ep.response
    for b in (r.start, r.stop):
        if b is not None and b.event is not None and not model.event(b.event).per_subject:
            return f"'{b.event}' is not a subject-level event"
    return None


def _values(rows: list[tuple], names: str, types: tuple[str, ...]) -> str:
    """A relation of literal rows (an empty one too)."""
    cols = names.split(", ")
    if not rows:
        nulls = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in zip(cols, types, strict=True))
        return f"SELECT {nulls} WHERE FALSE"
    body = ", ".join("(" + ", ".join(row) + ")" for row in rows)
    return f"SELECT * FROM (VALUES {body}) AS t({names})"


def _lit(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return number(value)


class ResponseSql(OccurrenceSql, BestGroup, Landmark):
    """`best response of E` and `response of E from ... through ...` (reads `self.r`)."""

    listed = frozenset()  # events whose dates are proven to fit a visit list (generate_sql, confirmlist.py)
    seq_packed = frozenset()  # events whose rows are proven to fit packed.py's ordering (generate_sql)
    short = False  # the response event's table has few rows a subject (proofs.short_rows): lists pay
    one_a_day = False  # no two rows of a subject share the event's date (proofs.fact "dates")

    def write(self) -> None:
        ep, w = self.ep, self.w
        self.r = ep.response
        self.crit = self.r.criteria or shipped("recist11")
        self.names = {}
        self.win = self.table_name("win")
        w.line("")
        w.line(f"-- endpoint {ep.paramcd}: population, origin and observation per subject", ep.span)
        self.ctes = []
        self._p0()
        self._p1_p2()
        # what the assessment rows read of win_<P> (key, origin, end, analysed), as text: the
        # relations of endpoints with the same basis are shared (shared.py)
        basis = (tuple((n, tuple(x[0] if isinstance(x, tuple) else x for x in ls)) for n, ls in self.ctes),
                 self.analysed())  # fmt: skip
        if self.r.kind == "landmark":
            self._window()
        last = "pw" if self.r.kind == "landmark" else "p2"
        target = ""
        if self.r.kind == "landmark" and self.r.nearest is not None:
            target = f", {self.window_day(m.WindowBound(day=self.r.nearest))} AS wtarget"
        self.cte("pk", ["SELECT p.*, " + self.analysed() + f" AS analysed{target}", f"FROM {last} AS p"])
        w.line(f"CREATE OR REPLACE TEMP TABLE {self.win} AS")
        self._write_ctes()
        w.line("SELECT * FROM pk;")
        event = self.r.event
        crit = write_once(w, "crit_set", self._criteria)
        self.names["crit"] = ident(crit)
        self.names["ro"] = ident(write_once(w, f"assess_{event}", self._rows, (self.win,), basis))
        self.names["vd"] = ident(write_once(w, f"visits_{event}", self._visits))
        if self.r.kind == "best" and self._confirmable():  # none: no visit is confirmed
            self.names["pair"] = ident(write_once(w, f"confirm_{event}", self._confirmation))
        if self.r.kind == "best":  # the categories' GROUP BY, shared (issue 16)
            self.names["best"], self.k = self._shared_best(self._responders())
        elif not self.r.continues:  # a landmark's progression visit, shared (issue 16)
            self.names["pv"] = ident(write_once(w, f"progression_{event}", self._progressions))
        w.line(f"-- endpoint {ep.paramcd}: one row per analysed subject (a response, or the reason there is none)",
               ep.span)  # fmt: skip
        w.line(f"CREATE OR REPLACE TEMP TABLE {self.table_name('res')} AS")
        self._best() if self.r.kind == "best" else self._landmark()
        self._response_notes()

    def table_name(self, prefix: str) -> str:
        return ident(f"{prefix}_{self.ep.paramcd}")

    def analysed(self) -> str:
        """The subject reaches the assessments: in the population, with an origin, observed."""
        ok = "p.in_pop AND p.origin IS NOT NULL"
        return ok + (' AND p."end" >= p.origin' if self.ep.bounds else "")

    # ---- the criteria set as data
    def _criteria(self, w: SqlWriter, name: str) -> None:
        c = self.crit
        mild = list(c.mildest_first)  # bor (issue 19): an uncoded category (ND) mildest
        rows = []
        for i, k in enumerate(c.categories):
            lo, hi = k.window if k.window else (None, None)
            rows.append(tuple(_lit(x) for x in (k.name, i, mild.index(k.name), k.aval, k.role, k.at_next,
                                                   float(lo) if lo is not None else None,
                                                   float(hi) if hi is not None else None)))  # fmt: skip
        line = self.ep.lines.get("CriteriaUse")
        w.line(f"-- the criteria set {c.name} ({c.title}) as data", line)
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS")
        w.line(_values(rows, "cat, rnk, wrnk, aval, role, at_next, wlo, whi",
                       ("VARCHAR", "INTEGER", "INTEGER", "INTEGER", "VARCHAR", "BOOLEAN", "DOUBLE", "DOUBLE")) + ";")  # fmt: skip

    # ---- the assessment rows and the visits
    def _rows(self, w: SqlWriter, name: str, win: str) -> None:
        """The event's dated rows of the analysed subjects (of `win`), with their response text."""
        ev = self.src(self.r.event)
        where, d, seq, rn, dtf = self.occ_fields(ev, "t")
        if not ev.derived:  # another endpoint's rows: occ_<E> carries the response (derived.py)
            self.needs.setdefault(ev.table, set()).add((ev.response, "text"))
        value = col("t", ev.response, "text")
        key = self.key_of(ev, "t")
        w.line(f"-- {self.r.event}: the assessment rows of the analysed subjects, with their response")
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS", self.ep.lines.get(self.head()))
        w.line(f"SELECT {key} AS key, {d} AS d, {seq} AS seq, {rn} AS rn, {dtf} AS dtf, {value} AS v,")
        w.line('    q.origin, q."end", c.rnk, c.wrnk, c.role')
        w.line(f"FROM {self.source_name(ev)} AS t JOIN {win} AS q ON q.key = {key} AND q.analysed")
        w.line(f"LEFT JOIN {self.names['crit']} AS c ON c.cat = {value}")
        w.line(f"WHERE {where};")

    def head(self) -> str:
        return "BestResponse" if self.r.kind == "best" else "Landmark"

    def _visits(self, w: SqlWriter, name: str) -> None:
        """One visit per date in [origin, end] (the worst response; a tie: the first row),
        up to and including the first progression unless assessments continue. `i`, the
        visit's day number, orders a subject's visits (their dates are distinct), so no
        numbering sort is needed (issue 16)."""
        w.line(f"-- {self.r.event}: one visit per date (the worst response of the date)")
        if self.one_a_day:
            self._visits_one_a_day(w, name)
            return
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS", self.ep.lines.get(self.head()))
        w.line(self._usable())
        day = "date_diff('day', DATE '0001-01-01', {}.d) AS i"
        if self._rows_in_order():
            # rows proven in occurrence order (generate_sql's `proven`): a date's first row is
            # its lowest row number, so the worst response's first row is the lowest of
            # (worst - wrnk, rn) packed in one integer; one GROUP BY, no sort (issue 16)
            top = len(self.crit.categories) - 1
            pick = f"({top} - wrnk) * 1099511627776 + rn"  # rn < 2^40
            _, _, seq, _, dtf = self.occ_fields(self.src(self.r.event), "t")
            # no time of day imputed: every dtf is NULL, no aggregate (each costs ~0.8 s CPU at 1M)
            dtf = "CAST(NULL AS VARCHAR)" if dtf.startswith("CAST(NULL") else f"arg_min_null(dtf, {pick})"
            worst, first_seq = "max(wrnk)", f"arg_min_null(seq, {pick})"
            if self.r.event in self.seq_packed and not seq.startswith("CAST(NULL"):
                # perf (issue 16): sequences proven integers 0 to 2^16 - 1 and rows under 2^29
                # (packed.fits): rank, row and sequence (2^16: missing) in one minimum
                k = f"min((CAST({top} - wrnk AS BIGINT) * {2**29} + rn) * {2**17} + coalesce(seq, {2**16}))"
                worst = f"{top} - CAST({k} // {2**46} AS INTEGER)"
                first_seq = f"CASE WHEN {k} % {2**17} < {2**16} THEN {k} % {2**17} END"
            w.line(f", g AS (SELECT key, d, count(*) AS rows, {worst} AS w, {first_seq} AS seq,")
            w.line(f"    {dtf} AS dtf, min(origin) AS origin FROM u GROUP BY key, d)")
            # the distinct responses of a date with several rows, in the order of their first row
            w.line(", s AS (SELECT key, d, string_agg(v, ', ' ORDER BY o) AS shown, count(*) AS n")
            w.line(
                "    FROM (SELECT u.key, u.d, u.v, min(u.rn) AS o FROM u JOIN g ON g.key = u.key AND g.d = u.d"
            )
            w.line("    WHERE g.rows > 1 GROUP BY u.key, u.d, u.v) AS x GROUP BY key, d)")
            w.line(
                f", n AS (SELECT g.key, g.d, {day.format('g')}, g.seq, g.dtf, c.cat AS v, g.origin, c.rnk,"
            )
            w.line("    c.role, coalesce(s.shown, c.cat) AS shown, coalesce(s.n, 1) AS n")
            w.line(
                f"    FROM g JOIN {self.names['crit']} AS c ON c.wrnk = g.w LEFT JOIN s ON s.key = g.key AND s.d = g.d)"
            )
        else:  # the rows' order is not proven: the ordering struct decides a tie
            w.line(", o AS (SELECT *, " + self.order_struct("d", "seq", "rn", "dtf") + " AS ord FROM u)")
            w.line(
                ", w AS (SELECT *, row_number() OVER (PARTITION BY key, d ORDER BY wrnk DESC, ord) AS k FROM o)"
            )
            # the responses of a date with several rows, for its finding (issue 16: the ordered
            # string_agg only over those dates; a date with one row shows its one response)
            w.line(", m AS (SELECT key, d FROM u GROUP BY key, d HAVING count(*) > 1)")
            w.line(", s AS (SELECT key, d, string_agg(v, ', ' ORDER BY o) AS shown, count(*) AS n")
            w.line(
                "    FROM (SELECT o.key, o.d, o.v, min(o.ord) AS o FROM o JOIN m ON m.key = o.key AND m.d = o.d"
            )
            w.line("    GROUP BY o.key, o.d, o.v) AS x GROUP BY key, d)")
            w.line(
                f", n AS (SELECT w.key, w.d, {day.format('w')}, w.seq, w.dtf, w.v, w.origin, w.rnk, w.role,"
            )
            w.line("    coalesce(s.shown, w.v) AS shown, coalesce(s.n, 1) AS n")
            w.line("    FROM w LEFT JOIN s ON s.key = w.key AND s.d = w.d WHERE w.k = 1)")
        self._progression_cut(w, "role = 'progression'")

    def _visits_one_a_day(self, w: SqlWriter, name: str) -> None:
        """perf (issue 16): no two rows of a subject share a date (proven on the data, in any
        order), so each row is its visit: its own worst and first row, no other response to
        show; no GROUP BY over every (subject, date). The table holds no text (ninth round: at
        1M, writing 9M visits' category, role and shown response cost about 1 s of CPU): the
        view `name` adds them from the rank where a statement reads them (a row's rank came
        from its response by equality with the category's name, so the name is the response)."""
        cats = self.crit.categories
        rows = ident(name + "_rows")
        w.line(f"CREATE OR REPLACE TEMP TABLE {rows} AS", self.ep.lines.get(self.head()))
        w.line(self._usable())
        w.line(", n AS (SELECT key, d, date_diff('day', DATE '0001-01-01', d) AS i, seq, dtf, origin, rnk")
        w.line("    FROM u)")
        self._progression_cut(w, self.role_is("n", "progression", by_rank=True))
        names = "CASE rnk " + " ".join(f"WHEN {i} THEN {text(k.name)}" for i, k in enumerate(cats)) + " END"
        roles = " ".join(f"WHEN {i} THEN {text(k.role)}" for i, k in enumerate(cats) if k.role is not None)
        role = f"CASE rnk {roles} END" if roles else "CAST(NULL AS VARCHAR)"
        w.line(f"CREATE OR REPLACE TEMP VIEW {ident(name)} AS")
        w.line(f"SELECT key, d, i, seq, dtf, {names} AS v, origin, rnk, {role} AS role, {names} AS shown,")
        w.line(f"    CAST(1 AS BIGINT) AS n FROM {rows};")

    def _usable(self) -> str:
        """`u`: the assessment rows in [origin, end] with a category."""
        return f'WITH u AS (SELECT * FROM {self.names["ro"]} WHERE {self._from_origin()}d <= "end" AND rnk IS NOT NULL)'

    def _progression_cut(self, w: SqlWriter, progression: str) -> None:
        """The visits `n` up to and including the first progression (`progression` tests a
        visit of `n`), unless assessments continue after it."""
        if self.r.continues:  # bor (issue 19): the endpoint's progression cut-off, else the set's
            w.line("SELECT * FROM n;")
            return
        w.line(f", f AS (SELECT key, min(i) AS stop_i FROM n WHERE {progression} GROUP BY key)")
        w.line("SELECT n.* FROM n LEFT JOIN f ON f.key = n.key WHERE f.stop_i IS NULL OR n.i <= f.stop_i;")

    def role_is(self, alias: str, role: str, by_rank: bool = False) -> str:
        """`alias`'s visit has this role: by its rank on the list path (where the categories
        are ranks, bestgroup._category) or `by_rank`, else by its role's name."""
        if not by_rank and self.r.event not in self.listed:
            return f"{alias}.role = {text(role)}"
        ranks = [str(i) for i, k in enumerate(self.crit.categories) if k.role == role]
        return f"{alias}.rnk IN ({', '.join(ranks)})" if ranks else "FALSE"

    def _rows_in_order(self) -> bool:
        """The event's rows are read from its table and proven in occurrence order."""
        ev = self.src(self.r.event)
        return self.r.event in self.by_row and self.source_name(ev) == ident("src_" + ev.table)

    def _from_origin(self) -> str:
        """bor (issue 19): `assessments before origin: count` keeps those before the origin."""
        return "" if self.r.before_origin == "count" else "d >= origin AND "

    # ---- categories (best response): confirmation and the SD minimum
    def _confirmation(self, w: SqlWriter, name: str) -> None:
        """Per visit V that a later visit W confirms (semantics 6.6, item 5), W's category and
        whether the visits after V up to W allow it (`allowed`, `w_ok`, `ne_ok`, `sd_ok`,
        `mono_ok`), for `_categories`. Linear in the visits (issue 16; it was a join of each
        visit with every later one): window functions over the subject's visits in date order
        find, per category X that can be confirmed, the first later visit that may confirm
        X (`j`) and the first that breaks X's confirmation (`brk`); running counts of NE and
        disease-control visits, and of the last and next visit of each response category,
        answer the questions about the visits between by differences at V and W."""
        crit, conf = self.crit, self.r.confirm
        days = conf.days if conf else 0
        xs = self._confirmable()
        w.line(f"-- {self.r.event}: each visit's confirming visit, if any", self.ep.lines.get("Confirm"))
        # perf (issue 16): DuckDB's lists, where the subjects' rows are few (proofs.short_rows)
        if self._confirmed_by_lists():
            write_confirmation_lists(w, name, self.names["vd"], crit, conf, xs, self._rows_in_order())
            return
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS")
        after = "ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING"
        upto = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
        over = "OVER (PARTITION BY key ORDER BY i"
        # the NE and disease-control visits up to each visit, in one running sum (each window
        # aggregate costs a pass over the visits, issue 16): NE + 2^32 x control
        items = [
            f"sum(CASE role WHEN 'ne' THEN 1 WHEN 'control' THEN {2**32} ELSE 0 END) {over} {upto}) AS cnt"
        ]
        if any(k.window for k in xs):  # the visit before W, for a window after it (iRECIST)
            items.append("lag(d) " + over + ") AS prev_d")
        # no response after a better one between V and W: for ranks r1 < r2 (r1 better), the
        # next r1 after V comes before the last r2 up to W
        ranks = [i for i, k in enumerate(crit.categories) if k.role == "response"] if conf else []
        for r in ranks if len(ranks) > 1 else []:
            hit = f"CASE WHEN role = 'response' AND rnk = {r} THEN i END"
            if r != ranks[-1]:  # read as r1 below: the worst rank never is
                items.append(f"min({hit}) {over} {after}) AS next_{r}")
            if r != ranks[0]:  # read as r2: the best rank never is
                items.append(f"max({hit}) {over} {upto}) AS last_{r}")
        j, allowed, w_ok = [], [], []
        for n, k in enumerate(xs):
            cat = text(k.name)
            by = "(" + ", ".join(text(x) for x in k.confirmed_by) + ")" if k.confirmed_by else None
            in_by = f"b.v IN {by}" if by else "FALSE"
            if k.at_next:  # W: the first later visit not allowed between
                btw = "(" + ", ".join(text(x) for x in k.between) + ")" if k.between else None
                hit = f"v NOT IN {btw}" if btw else "TRUE"
                items.append(f"min(CASE WHEN {hit} THEN i END) {over} {after}) AS j_{n}")
                allowed.append(f"WHEN {cat} THEN {in_by}")
            else:  # W: the first later one in `by`, for a response N days or more after V
                frame = after
                if k.role == "response":  # dates are distinct: later is at least a day after
                    frame = f"RANGE BETWEEN {max(math.ceil(days), 1)} FOLLOWING AND UNBOUNDED FOLLOWING"
                items.append(f"min(CASE WHEN v IN {by} THEN i END) {over} {frame}) AS j_{n}")
                # every visit after V up to W is in `by` or `between`: none breaks before W
                ok = "(" + ", ".join(text(x) for x in (*k.confirmed_by, *k.between)) + ")"
                items.append(f"min(CASE WHEN v NOT IN {ok} THEN i END) {over} {after}) AS brk_{n}")
                allowed.append(f"WHEN {cat} THEN (c.brk_{n} IS NULL OR c.brk_{n} > c.j)")
            j.append(f"WHEN {cat} THEN j_{n}")
            ok = [in_by]
            if k.role == "response":  # N days or more after V
                ok.append(f"date_diff('day', c.d, b.d) >= {number(days)}")
            if k.window:  # from A through B days after the visit before W
                gap = "date_diff('day', b.prev_d, b.d)"
                ok.append(f"{gap} >= {number(float(k.window[0]))} AND {gap} <= {number(float(k.window[1]))}")
            w_ok.append(f"WHEN {cat} THEN ({' AND '.join(ok)})")
        mono = " OR ".join(
            f"coalesce(c.next_{r1} < b.last_{r2}, FALSE)" for r1 in ranks for r2 in ranks if r1 < r2
        )
        max_ne = conf.max_ne if conf else 0
        max_sd = conf.max_sd if conf else 0
        w.line("WITH s AS (SELECT key, i, d, v, rnk, role,")
        w.line("    " + ",\n    ".join(items))
        w.line(f"    FROM {self.names['vd']})")
        listed = ", ".join(text(k.name) for k in xs)
        w.line(f", c AS (SELECT *, CASE v {' '.join(j)} END AS j FROM s WHERE v IN ({listed}))")
        w.line("SELECT c.key, c.i, b.v AS by_v, b.rnk AS by_rnk, b.role AS by_role,")
        w.line(f"    CASE c.v {' '.join(allowed)} END AS allowed,")
        w.line(f"    CASE c.v {' '.join(w_ok)} END AS w_ok,")
        # W is after V: both differences are >= 0, the NE one < 2^32
        w.line(
            f"    (b.cnt - c.cnt) % {2**32} <= {max_ne} AS ne_ok, b.cnt - c.cnt < {(max_sd + 1) * 2**32} AS sd_ok,"
        )
        w.line(f"    {'NOT (' + mono + ')' if mono else 'TRUE'} AS mono_ok, c.role AS arole")
        w.line("FROM c JOIN s AS b ON b.key = c.key AND b.i = c.j;")

    def _confirmed_by_lists(self) -> bool:
        """The confirmation is confirmlist.py's (its relation: the confirmed visits and the
        category each counts as), else the window path's (each rule's flag)."""
        return self.r.event in self.listed and self.short and applies(self.crit, self._confirmable())

    def _confirmable(self) -> list:
        """The categories whose confirmation is read: a response only with a `confirm` clause."""
        conf = self.r.confirm
        return [
            k
            for k in self.crit.categories
            if (k.confirmed_by or k.at_next) and (conf or k.role != "response")
        ]

    # ---- the records
    def _codes(self, value: str) -> str:
        c = self.crit
        whens = " ".join(f"WHEN {text(k.name)} THEN {k.aval}" for k in c.categories if k.aval is not None)
        return (f"CAST(CASE {value} {whens} WHEN 'MISSING' THEN {c.missing_aval} WHEN 'Y' THEN 1"
                f" WHEN 'N' THEN 0 END AS DOUBLE)")  # fmt: skip

    def rank(self, value: str) -> str:
        whens = " ".join(f"WHEN {text(k.name)} THEN {i}" for i, k in enumerate(self.crit.categories))
        return f"(CASE {value} {whens} END)"

    # ---- findings
    def _response_notes(self) -> None:
        """The events' data findings, then the assessments' (section 6.1)."""
        w, r = self.w, self.r
        ev = self.src(r.event)
        ro, vd = self.names["ro"], self.names["vd"]
        self.event_notes()
        name = text(r.event)
        before = "o.d >= o.origin AND "
        if self.r.before_origin == "count":  # bor (issue 19): used, so not reported
            before = ""
        else:
            w.line(
                f"UNION ALL SELECT o.key, {name} || ' on ' || CAST(o.d AS VARCHAR) || ' is before the origin ' ||"
            )
            w.line(f"    CAST(o.origin AS VARCHAR) || '; ignored' FROM {ro} AS o WHERE o.d < o.origin")
        head = f"{r.event}: {ev.table} row "
        tail = f" has no usable response in {ev.response} ("
        w.line(f"UNION ALL SELECT o.key, {text(head)} || CAST(o.rn AS VARCHAR) || {text(tail)} ||")
        not_one = text('" is not a ' + self.crit.title + " response")
        w.line(f"    CASE WHEN o.v IS NULL THEN 'missing' ELSE '\"' || o.v || {not_one} END")
        w.line(f"    || '); not used' FROM {ro} AS o WHERE {before}o.d <= o.\"end\" AND o.rnk IS NULL")
        w.line(
            f"UNION ALL SELECT v.key, {text(r.event + ': different responses on ')} || CAST(v.d AS VARCHAR) || ' (' ||"
        )
        w.line(f"    v.shown || '); the worst, ' || v.v || ', is used' FROM {vd} AS v WHERE v.n > 1")
        w.line(";")
