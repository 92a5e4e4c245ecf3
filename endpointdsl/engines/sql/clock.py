"""SQL generator, times of day (issue 12): an endpoint timed by the clock (`time in hours|minutes`)
to one `res_<PARAMCD>` table, set-based, as docs/semantics.md section 7 says.

Such an endpoint has no end of observation, no missed-assessment rule, no `move to origin`
and censoring rules of one date without conditions (checker E231), so its statement is
short: p0 population and origin (date `origin`, time `origin_t`), one pick per terminating
event and censoring date over the occurrences not before the origin, the branch taken, the
record. An occurrence is ordered by a struct whose fields are the order of the semantics:
date, has a time (a date only first), time, [listed position,] sequence missing, sequence,
input row.
"""

from __future__ import annotations

from ...check import model as m
from .endpoint import EndpointSql
from .writer import condition, ident, text


def order_struct(o: str, pos: int | None = None) -> str:
    """The occurrence `o` (a row of an occ_ view) as an ordering struct carrying its fields."""
    at = f"'pos': {pos}, " if pos is not None else ""
    return (
        f"{{'d': {o}.d, 'ht': {o}.t IS NOT NULL, 'tt': coalesce({o}.t, 0), {at}'nos': {o}.seq IS NULL, "
        f"'s': coalesce({o}.seq, 0), 'rn': {o}.rn, 'seq': {o}.seq, 't': {o}.t}}"
    )


def before(o: str, p: str) -> str:
    """Before the origin: an earlier day, or the origin's day at an earlier time."""
    return f"({o}.d < {p}.origin OR ({o}.d = {p}.origin AND {o}.t IS NOT NULL AND {o}.t < {p}.origin_t))"


def stamp(d: str, t: str) -> str:
    """How the findings show a moment: 2023-01-05T14:30:00, or the date alone."""
    clock = f"strftime(CAST({d} AS TIMESTAMP) + to_seconds({t}), '%H:%M:%S')"
    return f"CAST({d} AS VARCHAR) || CASE WHEN {t} IS NULL THEN '' ELSE 'T' || {clock} END"


class TimedSql(EndpointSql):
    def write(self) -> None:
        ep, w = self.ep, self.w
        res = ident("res_" + ep.paramcd)
        w.line("")
        w.line(f"-- endpoint {ep.paramcd}: timed by the clock (time in {ep.unit})", ep.span)
        w.line(f"CREATE OR REPLACE TEMP TABLE {res} AS")
        pop = ep.population
        if pop.kind == "with":
            in_pop = f"EXISTS (SELECT 1 FROM {ident('occ_' + pop.event)} AS o WHERE o.key = s.key)"
        elif pop.kind == "where":
            cond = condition(pop.where, "t", self.needs.setdefault(pop.table, set()))
            in_pop = (
                f"EXISTS (SELECT 1 FROM {ident('src_' + pop.table)} AS t WHERE t.__key = s.key AND {cond})"
            )
        else:
            in_pop = "TRUE"
        origin = ep.origin
        fn = "max" if origin.kind == "last" else "min"
        occ = ident("occ_" + origin.event)
        w.line("WITH p0 AS (", ep.lines.get("from"))
        w.line(
            f"    SELECT s.key, {in_pop} AS in_pop, g.o.d AS origin, g.o.t AS origin_t, g.o.seq AS origin_seq"
        )
        w.line("    FROM subjects AS s")
        w.line(
            f"    LEFT JOIN (SELECT o.key, {fn}({order_struct('o')}) AS o FROM {occ} AS o GROUP BY o.key) AS g"
        )
        w.line("        ON g.key = s.key")
        w.line(")")
        picks = []  # (name, struct expression) per terminating event and censoring date
        for i, t in enumerate(ep.events, 1):
            picks.append((f"e{i}", t.event, "min", i))
        for i, rule in enumerate(ep.censoring, 1):
            spec = rule.choices[0].date
            if spec.kind != "origin":
                picks.append((f"c{i}", spec.event, "max" if spec.kind == "last" else "min", None))
        for name, event, agg, pos in picks:
            w.line(f", {name} AS (")
            w.line(f"    SELECT o.key, {agg}({order_struct('o', pos)}) AS f")
            w.line(f"    FROM {ident('occ_' + event)} AS o JOIN p0 AS q ON q.key = o.key")
            w.line(f"    WHERE NOT {before('o', 'q')} GROUP BY o.key")
            w.line(")")
        # a subject-level censoring date before the origin does not apply, and is reported
        singles = {f"c{i}": rule.choices[0].date.event for i, rule in enumerate(ep.censoring, 1)
                   if rule.choices[0].date.kind == "single"}  # fmt: skip
        w.line(", p1 AS (")
        items = ["p.*", "p.in_pop AND p.origin IS NOT NULL AND p.origin_t IS NOT NULL AS reached"]
        firsts = [f"{n}.f" for n, _, _, pos in picks if pos is not None]
        items.append(f"LEAST({', '.join(firsts)}) AS ev" if firsts else "NULL AS ev")
        for name, _, _, pos in picks:
            if pos is None:
                items.append(f"{name}.f AS {name}")
        for name, event in singles.items():
            items.append(
                f"(SELECT {order_struct('o')} FROM {ident('occ_' + event)} AS o WHERE o.key = p.key) AS {name}_all"
            )
        w.line("    SELECT " + ", ".join(items))
        w.line("    FROM p0 AS p")
        for name, *_ in picks:
            w.line(f"    LEFT JOIN {name} ON {name}.key = p.key")
        w.line(")")
        # the branch: 0 the event, i the i-th censoring rule
        branch = ["WHEN NOT p.reached THEN NULL", "WHEN p.ev IS NOT NULL THEN 0"]
        for i, rule in enumerate(ep.censoring, 1):
            kind = rule.choices[0].date.kind
            given = "TRUE" if kind == "origin" else f"p.c{i} IS NOT NULL"
            branch.append(f"WHEN {given} THEN {i}")
        w.line(f", p2 AS (SELECT p.*, CASE {' '.join(branch)} END AS branch FROM p1 AS p)")

        def field(event_value: str, rule_value) -> str:
            cases = [f"WHEN 0 THEN {event_value}"]
            cases += [f"WHEN {i} THEN {rule_value(i, rule)}" for i, rule in enumerate(ep.censoring, 1)]
            return f"CASE p.branch {' '.join(cases)} END"

        def chosen(i: int, rule: m.CensorRule, what: str) -> str:
            if rule.choices[0].date.kind == "origin":
                return {"d": "p.origin", "t": "p.origin_t", "seq": "p.origin_seq"}[what]
            return f"p.c{i}.{what}"

        def by_pos(values: list[str]) -> str:
            return "CASE p.ev.pos " + " ".join(f"WHEN {i} THEN {v}" for i, v in enumerate(values, 1)) + " END"

        def event_of(i: int, rule: m.CensorRule) -> str:
            spec = rule.choices[0].date
            return spec.event if spec.kind != "origin" else origin.event

        doms = [self.dom_var(t.event) for t in ep.events]
        w.line(", p3 AS (")
        w.line("    SELECT p.*,")
        w.line(f"        {field('p.ev.d', lambda i, r: chosen(i, r, 'd'))} AS adt,")
        w.line(f"        {field('p.ev.t', lambda i, r: chosen(i, r, 't'))} AS adt_t,")
        w.line(f"        {field('p.ev.seq', lambda i, r: chosen(i, r, 'seq'))} AS srcseq,")
        # competing events (issue 13): the CNSR of the event chosen
        cnsr = by_pos([str(t.cnsr) for t in ep.events]) if any(t.competing for t in ep.events) else "0"
        w.line(f"        {field(cnsr, lambda i, r: str(r.choices[0].outcome.cnsr))} AS cnsr,")
        w.line(
            f"        {field(by_pos([text(t.evntdesc) for t in ep.events]), lambda i, r: text(r.choices[0].outcome.evntdesc))} AS evntdesc,"
        )
        w.line(
            f"        {field('CAST(NULL AS VARCHAR)', lambda i, r: text(r.choices[0].outcome.cnsdtdsc))} AS cnsdtdsc,"
        )
        w.line(
            f"        {field(by_pos([d for d, _ in doms]), lambda i, r: self.dom_var(event_of(i, r))[0])} AS srcdom,"
        )
        w.line(
            f"        {field(by_pos([v for _, v in doms]), lambda i, r: self.dom_var(event_of(i, r))[1])} AS srcvar,"
        )
        what = field(
            by_pos([text("the event " + t.event) for t in ep.events]),
            lambda i, r: text("the censoring date " + event_of(i, r)),
        )
        w.line(f"        {what} AS what")
        w.line("    FROM p2 AS p")
        w.line(")")
        reason = self.common_reasons()
        reason.append(
            f"WHEN p.origin_t IS NULL THEN {text(f'no time of day: the origin {origin.event} on ')} || "
            f"CAST(p.origin AS VARCHAR) || {text(' has a date only')}"
        )
        reason.append(f"WHEN p.branch IS NULL THEN {text('no event, and no censoring rule applies')}")
        reason.append(
            f"WHEN p.adt_t IS NULL THEN {text('no time of day: ')} || p.what || {text(' on ')} || "
            f"CAST(p.adt AS VARCHAR) || {text(' has a date only')}"
        )
        start = "CAST(p.origin AS TIMESTAMP) + to_seconds(p.origin_t)"
        seconds = "date_diff('day', p.origin, p.adt) * 86400 + p.adt_t - p.origin_t"
        per = m.TIME_UNIT_SECONDS[ep.unit]
        notes = []
        for i in range(1, len(ep.censoring) + 1):
            name = f"c{i}"
            if name in singles:  # tried: reached, no event, no earlier rule gave a date
                tried = " AND ".join(["p.reached", "p.ev IS NULL", *[
                    "FALSE" if ep.censoring[k - 1].choices[0].date.kind == "origin" else f"p.c{k} IS NULL"
                    for k in range(1, i)]])  # fmt: skip
                o = f"p.{name}_all"
                message = (f"{text(singles[name] + ' on ')} || {stamp(o + '.d', o + '.t')} || "
                           f"{text(' is before the origin ')} || {stamp('p.origin', 'p.origin_t')} || {text('; ignored')}")  # fmt: skip
                notes.append(
                    f"CASE WHEN {tried} AND {o} IS NOT NULL AND {before(o, 'p')} THEN {message} END AS note_{name}"
                )
        w.line("SELECT p.key, CASE " + " ".join(reason) + " END AS reason,", ep.lines.get("time in"))
        w.line(
            "    p.origin AS startdt, CAST(NULL AS VARCHAR) AS startdtf, p.adt, CAST(NULL AS VARCHAR) AS adtf,"
        )
        w.line(f"    {start} AS startdtm, CAST(p.adt AS TIMESTAMP) + to_seconds(p.adt_t) AS adtm,")
        w.line(f"    CAST({seconds} AS DOUBLE) / {per} AS aval,")
        w.line("    CAST(p.cnsr AS BIGINT) AS cnsr, p.evntdesc, p.cnsdtdsc, p.srcdom, p.srcvar, p.srcseq, p.reached"
               + ", p.origin, p.origin_t" + "".join(f", {n}" for n in notes))  # fmt: skip
        w.line("FROM p3 AS p;")
        # findings: the events' data findings, occurrences before the origin, censoring notes
        self.event_notes()
        for t in ep.events:
            o = "o"
            w.line(f"UNION ALL SELECT o.key, {text(t.event + ' on ')} || {stamp('o.d', 'o.t')} || "
                   f"{text(' is before the origin ')} || {stamp('r.startdt', 'r.origin_t')} || {text('; ignored')}")  # fmt: skip
            w.line(f"FROM {ident('occ_' + t.event)} AS {o} JOIN {res} AS r ON r.key = o.key "
                   f"WHERE r.reached AND {before('o', 'r')}")  # fmt: skip
        for n in notes:
            column = n.rsplit(" AS ", 1)[1]
            w.line(f"UNION ALL SELECT key, {column} FROM {res} WHERE {column} IS NOT NULL")
        w.line(";")
