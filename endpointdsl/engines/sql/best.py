"""SQL generator, fourth part: best overall response and landmark response (docs/semantics.md
6.1-6.3, 6.6) to one `res_<PARAMCD>` table, set-wise, for RECIST 1.1 or a named criteria set.

The criteria set is data, not code: `crit_<P>` holds one row per category (rank best first,
the rank a date keeps, AVAL, role, confirmation by the next assessment and its window) and
`crit_by_<P>` / `crit_between_<P>` its confirmation lists, so every set runs the same SQL.
Then, per subject: `ro_<P>` the assessment rows of the window, `vd_<P>` the visits (the
worst response of each date, up to the first progression), `vc_<P>` each visit's category
(confirmation as a self-join of a visit with the later ones: `pair_<P>`), and the record.
"""

from __future__ import annotations

from ...check import model as m
from ...check.criteria import shipped
from .response import OccurrenceSql
from .writer import col, ident, number, text


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


class ResponseSql(OccurrenceSql):
    """`best response of E` and `response of E from ... through ...` (reads `self.r`)."""

    def write(self) -> None:
        ep, w = self.ep, self.w
        self.r = ep.response
        self.crit = self.r.criteria or shipped("recist11")
        self.names = {
            k: self.table_name(k) for k in ("crit", "crit_by", "crit_between", "ro", "vd", "vc", "pair")
        }
        self.win = self.table_name("win")
        w.line("")
        w.line(f"-- endpoint {ep.paramcd}: population, origin and observation per subject", ep.span)
        self.ctes = []
        self._p0()
        self._p1_p2()
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
        self._criteria()
        self._rows()
        self._visits()
        if self.r.kind == "best":
            self._categories()
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
    def _criteria(self) -> None:
        c, w = self.crit, self.w
        mild = list(c.mildest_first)  # bor (issue 19): an uncoded category (ND) mildest
        rows = []
        for i, k in enumerate(c.categories):
            lo, hi = k.window if k.window else (None, None)
            rows.append(tuple(_lit(x) for x in (k.name, i, mild.index(k.name), k.aval, k.role, k.at_next,
                                                   float(lo) if lo is not None else None,
                                                   float(hi) if hi is not None else None)))  # fmt: skip
        line = self.ep.lines.get("CriteriaUse")
        w.line(f"-- endpoint {self.ep.paramcd}: the criteria set {c.name} ({c.title}) as data", line)
        w.line(f"CREATE OR REPLACE TEMP TABLE {self.names['crit']} AS")
        w.line(_values(rows, "cat, rnk, wrnk, aval, role, at_next, wlo, whi",
                       ("VARCHAR", "INTEGER", "INTEGER", "INTEGER", "VARCHAR", "BOOLEAN", "DOUBLE", "DOUBLE")) + ";")  # fmt: skip
        for name, attr in (("crit_by", "confirmed_by"), ("crit_between", "between")):
            pairs = [(_lit(k.name), _lit(o)) for k in c.categories for o in getattr(k, attr)]
            w.line(f"CREATE OR REPLACE TEMP TABLE {self.names[name]} AS")
            w.line(_values(pairs, "cat, other", ("VARCHAR", "VARCHAR")) + ";")

    # ---- the assessment rows and the visits
    def _rows(self) -> None:
        """ro_<P>: the event's dated rows of the analysed subjects, with their response text."""
        ev = self.src(self.r.event)
        where, d, seq, rn, dtf = self.occ_fields(ev, "t")
        if not ev.derived:  # another endpoint's rows: occ_<E> carries the response (derived.py)
            self.needs.setdefault(ev.table, set()).add((ev.response, "text"))
        value = col("t", ev.response, "text")
        key = self.key_of(ev, "t")
        w = self.w
        w.line(f"CREATE OR REPLACE TEMP TABLE {self.names['ro']} AS", self.ep.lines.get(self.head()))
        w.line(f"SELECT {key} AS key, {d} AS d, {seq} AS seq, {rn} AS rn, {dtf} AS dtf, {value} AS v,")
        w.line(f'    {self.order_struct(d, seq, rn, dtf)} AS ord, q.origin, q."end", c.rnk, c.wrnk, c.role')
        w.line(f"FROM {self.source_name(ev)} AS t JOIN {self.win} AS q ON q.key = {key} AND q.analysed")
        w.line(f"LEFT JOIN {self.names['crit']} AS c ON c.cat = {value}")
        w.line(f"WHERE {where};")

    def head(self) -> str:
        return "BestResponse" if self.r.kind == "best" else "Landmark"

    def _visits(self) -> None:
        """vd_<P>: one visit per date in [origin, end] (the worst response; a tie: the first row),
        numbered, up to and including the first progression unless assessments continue."""
        w = self.w
        w.line(f"CREATE OR REPLACE TEMP TABLE {self.names['vd']} AS", self.ep.lines.get(self.head()))
        w.line(
            "WITH u AS (SELECT * FROM "
            + self.names["ro"]
            + f' WHERE {self._from_origin()}d <= "end" AND rnk IS NOT NULL)'
        )
        w.line(
            ", w AS (SELECT *, row_number() OVER (PARTITION BY key, d ORDER BY wrnk DESC, ord) AS k FROM u)"
        )
        # the responses of a date with several rows, for its finding (issue 16: the ordered
        # string_agg only over those dates; a date with one row shows its one response)
        w.line(", m AS (SELECT key, d FROM u GROUP BY key, d HAVING count(*) > 1)")
        w.line(", s AS (SELECT key, d, string_agg(v, ', ' ORDER BY o) AS shown, count(*) AS n")
        w.line(
            "    FROM (SELECT u.key, u.d, u.v, min(u.ord) AS o FROM u JOIN m ON m.key = u.key AND m.d = u.d"
        )
        w.line("    GROUP BY u.key, u.d, u.v) AS x GROUP BY key, d)")
        w.line(", n AS (SELECT w.*, coalesce(s.shown, w.v) AS shown, coalesce(s.n, 1) AS n,")
        w.line("    row_number() OVER (PARTITION BY w.key ORDER BY w.d) AS i")
        w.line("    FROM w LEFT JOIN s ON s.key = w.key AND s.d = w.d WHERE w.k = 1)")
        if self.r.continues:  # bor (issue 19): the endpoint's progression cut-off, else the set's
            w.line("SELECT * FROM n;")
            return
        w.line(", f AS (SELECT key, min(i) AS stop_i FROM n WHERE role = 'progression' GROUP BY key)")
        w.line("SELECT n.* FROM n LEFT JOIN f ON f.key = n.key WHERE f.stop_i IS NULL OR n.i <= f.stop_i;")

    def _from_origin(self) -> str:
        """bor (issue 19): `assessments before origin: count` keeps those before the origin."""
        return "" if self.r.before_origin == "count" else "d >= origin AND "

    # ---- categories (best response): confirmation and the SD minimum
    def _categories(self) -> None:
        w, r, names = self.w, self.r, self.names
        conf = r.confirm
        days = number(conf.days) if conf else "0"
        w.line(f"CREATE OR REPLACE TEMP TABLE {names['pair']} AS", self.ep.lines.get("Confirm"))
        w.line("WITH p AS (SELECT a.key, a.i, a.v AS av, a.role AS arole, a.d AS ad, b.i AS k, b.v AS bv,")
        w.line("    b.role AS brole, b.rnk AS brnk, b.d AS bd, c.at_next, c.wlo, c.whi,")
        w.line("    lag(b.d) OVER (PARTITION BY a.key, a.i ORDER BY b.i) AS prev_d,")
        # the best response before each later visit: the same window as lag's (one sort, issue 16)
        w.line(
            "    min(CASE WHEN b.role = 'response' THEN b.rnk END) OVER (PARTITION BY a.key, a.i ORDER BY b.i"
        )
        w.line("        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS best_before,")
        w.line(
            f"    EXISTS (SELECT 1 FROM {names['crit_by']} AS y WHERE y.cat = a.v AND y.other = b.v) AS in_by,"
        )
        w.line(
            f"    EXISTS (SELECT 1 FROM {names['crit_between']} AS y WHERE y.cat = a.v AND y.other = b.v) AS in_btw"
        )
        w.line(f"    FROM {names['vd']} AS a JOIN {names['vd']} AS b ON b.key = a.key AND b.i > a.i")
        w.line(f"    JOIN {names['crit']} AS c ON c.cat = a.v)")
        # the visit before the first one after V (prev_d of the first pair is V's own date)
        w.line(", q AS (SELECT *, coalesce(prev_d, ad) AS before_d FROM p)")
        # W: for `next`, the first later visit not allowed between; else the first in `by`
        # dated on or after V + N days (N for a response only). A category with no role
        # (ND) has role NULL: `IS DISTINCT FROM`, since `<>` would be NULL and so false
        far = f"(arole IS DISTINCT FROM 'response' OR date_diff('day', ad, bd) >= {days})"
        w.line(f", j AS (SELECT key, i, min(CASE WHEN at_next AND NOT in_btw THEN k"
               f" WHEN NOT at_next AND in_by AND {far} THEN k END) AS j FROM q GROUP BY key, i)")  # fmt: skip
        max_ne = conf.max_ne if conf else 0
        max_sd = conf.max_sd if conf else 0
        w.line("SELECT q.key, q.i, max(CASE WHEN q.k = j.j THEN q.bv END) AS by_v,")
        w.line("    bool_and(q.in_by OR q.in_btw OR (q.at_next AND q.k < j.j)) AS allowed,")
        w.line("    bool_or(q.k = j.j AND q.in_by")
        w.line(f"        AND (q.arole IS DISTINCT FROM 'response' OR date_diff('day', q.ad, q.bd) >= {days})")
        w.line(
            "        AND (q.wlo IS NULL OR (date_diff('day', q.before_d, q.bd) >= q.wlo"
            " AND date_diff('day', q.before_d, q.bd) <= q.whi))) AS w_ok,"
        )
        w.line(f"    count(*) FILTER (WHERE q.brole = 'ne') <= {max_ne} AS ne_ok,")
        w.line(f"    count(*) FILTER (WHERE q.brole = 'control') <= {max_sd} AS sd_ok,")
        w.line("    NOT bool_or(q.brole = 'response' AND q.brnk > q.best_before) AS mono_ok,")
        w.line("    max(q.arole) AS arole")
        w.line("FROM q JOIN j ON j.key = q.key AND j.i = q.i WHERE q.k <= j.j GROUP BY q.key, q.i;")
        controls = self.crit.of_role("control")
        ne = text(self.crit.of_role("ne")[0])
        sd_min = r.sd_min_days
        long_enough = "FALSE" if sd_min is None else f"(date_diff('day', v.origin, v.d) >= {number(sd_min)})"
        confirmed = ("(x.allowed AND x.w_ok AND (x.arole IS DISTINCT FROM 'response' OR (x.ne_ok AND x.sd_ok"
                     " AND coalesce(x.mono_ok, TRUE))))")  # fmt: skip
        fallback = f"CASE WHEN {long_enough} THEN {text(controls[0])} ELSE {ne} END" if controls else ne
        response_ok = "TRUE" if conf is None else f"coalesce({confirmed}, FALSE)"
        w.line(f"CREATE OR REPLACE TEMP TABLE {names['vc']} AS", self.ep.lines.get("SdMinimum"))
        w.line("SELECT v.*, CASE")
        # a response confirmed by a worse response counts as that one (IMWG: CR then VGPR)
        own = (
            "v.v"
            if conf is None
            else "CASE WHEN xc.role = 'response' AND xc.rnk > v.rnk THEN x.by_v ELSE v.v END"
        )
        w.line(f"    WHEN v.role = 'response' THEN CASE WHEN {response_ok} THEN {own} ELSE {fallback} END")
        w.line(f"    WHEN v.role = 'control' THEN CASE WHEN {long_enough} THEN v.v ELSE {ne} END")
        w.line(f"    WHEN v.role IS DISTINCT FROM 'response' AND coalesce({confirmed}, FALSE) THEN x.by_v")
        w.line("    ELSE v.v END AS cat")
        pair = f"FROM {names['vd']} AS v LEFT JOIN {names['pair']} AS x ON x.key = v.key AND x.i = v.i"
        if conf is None:
            w.line(pair + ";")
        else:  # the confirming category's rank and role
            w.line(pair)
            w.line(f"    LEFT JOIN {names['crit']} AS xc ON xc.cat = x.by_v;")

    # ---- the records
    def _reasons(self) -> list[str]:
        reason = self.common_reasons()
        if self.r.no_origin_assessed:
            reason = [x for x in reason if "no origin date" not in x]
        return reason

    def _codes(self, value: str) -> str:
        c = self.crit
        whens = " ".join(f"WHEN {text(k.name)} THEN {k.aval}" for k in c.categories if k.aval is not None)
        return (f"CAST(CASE {value} {whens} WHEN 'MISSING' THEN {c.missing_aval} WHEN 'Y' THEN 1"
                f" WHEN 'N' THEN 0 END AS DOUBLE)")  # fmt: skip

    def _best(self) -> None:
        w, r, names = self.w, self.r, self.names
        responder = r.responder
        listed = "(" + ", ".join(text(x) for x in responder) + ")" if responder else None
        w.line(
            f"WITH b AS (SELECT key, arg_min(cat, {self.rank('cat')} * 100000 + i) AS best FROM {names['vc']} GROUP BY key)"
        )
        pick = "c.cat = b.best" if responder is None else f"b.best IN {listed} AND c.cat IN {listed}"
        w.line(
            f", f AS (SELECT c.key, arg_min({{'d': c.d, 'dtf': c.dtf, 'seq': c.seq}}, c.i) AS hit FROM {names['vc']} AS c"
        )
        w.line(f"    JOIN b ON b.key = c.key WHERE {pick} GROUP BY c.key)")
        missing = text(self.crit.of_role("ne")[0]) if r.missing_as_ne else "'MISSING'"  # bor (issue 19)
        empty = missing if responder is None else "'N'"
        if responder is None:
            avalc = f"coalesce(b.best, {empty})"
        else:
            avalc = "CASE WHEN f.hit IS NOT NULL THEN 'Y' ELSE 'N' END"
        reason = self._reasons()
        dom, var = self.dom_var(r.event)
        no_origin = "p.origin IS NULL" if r.no_origin_assessed else "FALSE"
        w.line("SELECT p.key,")
        w.line(f"    CASE {' '.join(reason)} END AS reason," if reason else "    CAST(NULL AS VARCHAR) AS reason,",
               self.ep.lines.get("BestResponse"))  # fmt: skip
        w.line(f"    p.origin AS startdt, CASE WHEN {no_origin} THEN NULL ELSE p.origin_dtf END AS startdtf,")
        w.line("    f.hit.d AS adt, f.hit.dtf AS adtf,")
        w.line(f"    {self._codes('v_avalc')} AS aval, v_avalc AS avalc,", self.ep.lines.get("Responder"))
        w.line(
            "    CAST(NULL AS BIGINT) AS cnsr, CAST(NULL AS VARCHAR) AS evntdesc, CAST(NULL AS VARCHAR) AS cnsdtdsc,"
        )
        w.line(
            f"    CASE WHEN f.hit IS NOT NULL THEN {dom} END AS srcdom, CASE WHEN f.hit IS NOT NULL THEN {var} END AS srcvar,"
        )
        w.line("    f.hit.seq AS srcseq")
        w.line(f"FROM (SELECT p.*, {avalc} AS v_avalc FROM {self.win} AS p LEFT JOIN b ON b.key = p.key"
               " LEFT JOIN f ON f.key = p.key) AS p")  # fmt: skip
        w.line("LEFT JOIN f ON f.key = p.key;")

    def rank(self, value: str) -> str:
        whens = " ".join(f"WHEN {text(k.name)} THEN {i}" for i, k in enumerate(self.crit.categories))
        return f"(CASE {value} {whens} END)"

    def _landmark(self) -> None:
        w, r, names = self.w, self.r, self.names
        vd = names["vd"]
        stop_first = not r.continues
        w.line(
            "WITH pr AS (SELECT v.key, arg_max({'d': v.d, 'dtf': v.dtf, 'seq': v.seq, 'v': v.v, 'role': v.role}, v.i) AS last_v"
        )
        w.line(f"    FROM {vd} AS v GROUP BY v.key)")
        if r.nearest is not None:
            order = (
                "abs(date_diff('day', q.wtarget, v.d)) * 100000000 + date_diff('day', DATE '0001-01-01', v.d)"
            )
        else:
            order = f"{self.rank('v.v')} * 100000000 + date_diff('day', DATE '0001-01-01', v.d)"
        w.line(
            f", ins AS (SELECT v.key, arg_min({{'d': v.d, 'dtf': v.dtf, 'seq': v.seq, 'v': v.v, 'role': v.role}}, {order}) AS pick"
        )
        w.line(
            f"    FROM {vd} AS v JOIN {self.win} AS q ON q.key = v.key WHERE v.d >= q.wstart AND v.d <= q.wstop GROUP BY v.key)"
        )
        progressed = "pr.last_v.role = 'progression' AND pr.last_v.d < p.wstart" if stop_first else "FALSE"
        w.line(f", ch AS (SELECT p.*, CASE WHEN {progressed} THEN pr.last_v ELSE ins.pick END AS chosen")
        w.line(f"    FROM {self.win} AS p LEFT JOIN pr ON pr.key = p.key LEFT JOIN ins ON ins.key = p.key)")
        reason = self.common_reasons()
        window = f"{r.start.describe()} through {r.stop.describe()}"
        for column, bound, word in (("wstart", r.start, "start"), ("wstop", r.stop, "end")):
            if bound.event is not None:
                why = f"no window {word} date: {bound.describe()} has no usable date"
                reason.append(f"WHEN p.{column} IS NULL THEN {text(why)}")
        not_evaluable = "(p.chosen IS NULL OR p.chosen.role = 'ne')"
        if r.not_evaluable is None:
            reason.append(f"WHEN p.chosen IS NULL THEN {text('not evaluable: no assessment from ' + window)}")
            reason.append(f"WHEN p.chosen.role = 'ne' THEN {text('not evaluable: an ')} || p.chosen.v || "
                          f"{text(' response from ' + window)}")  # fmt: skip
        listed = "(" + ", ".join(text(x) for x in r.responder) + ")"
        avalc = (f"CASE WHEN {not_evaluable} THEN {text(r.not_evaluable)} WHEN p.chosen.v IN {listed} THEN 'Y'"
                 " ELSE 'N' END")  # fmt: skip
        dom, var = self.dom_var(r.event)
        w.line("SELECT p.key,")
        w.line(f"    CASE {' '.join(reason)} END AS reason,", self.ep.lines.get("NotEvaluable"))
        w.line("    p.origin AS startdt, p.origin_dtf AS startdtf, p.chosen.d AS adt, p.chosen.dtf AS adtf,")
        w.line(f"    {self._codes('avalc')} AS aval, avalc,", self.ep.lines.get("Landmark"))
        w.line(
            "    CAST(NULL AS BIGINT) AS cnsr, CAST(NULL AS VARCHAR) AS evntdesc, CAST(NULL AS VARCHAR) AS cnsdtdsc,"
        )
        w.line(
            f"    CASE WHEN p.chosen IS NOT NULL THEN {dom} END AS srcdom, CASE WHEN p.chosen IS NOT NULL THEN {var} END AS srcvar,"
        )
        w.line("    p.chosen.seq AS srcseq")
        w.line(f"FROM (SELECT p.*, {avalc} AS avalc FROM ch AS p) AS p;")

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
