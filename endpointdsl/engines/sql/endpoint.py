"""SQL generator, second half: one endpoint to one `res_<PARAMCD>` table, one row per subject.

The statement follows the steps of docs/semantics.md as a chain of CTEs over the
analysed subjects: p0 population and origin, p1 bounds, p2 end of observation and
the limiting bound, p3 occurrences in the window, p4 the earliest terminating event and
the censoring rules' dates, p5 the missed-assessment rule, p7 the branch taken (`censoring`),
p8 the record's columns. A step is a CTE layer of its own only where it reads a column the
layer before computes (issue 16: DuckDB's binder pays for each layer, and at 1,000 subjects
planning `res_<P>` is most of its cost): p1 only with bounds, p5 only with a
missed-assessment rule. An occurrence picked per subject is a struct whose first fields
are the order of docs/semantics.md (date, sequence missing, sequence, input row), so
min() and max() of it are the first and last occurrence.
"""

from __future__ import annotations

import math

from ...check import model as m
from .censoring import CensoringSql
from .derived import dom_var as derived_dom_var
from .derived import source_event
from .occurrences import OccurrenceReads
from .packed import fields as packed_fields
from .packed import key as packed_key
from .writer import (
    NO_END_SQL,
    SqlWriter,
    condition,
    date,
    event_closure,
    ident,
    minus_one,
    number,
    plus_days,
    text,
)


class EndpointSql(OccurrenceReads, CensoringSql):
    packed = frozenset()  # events whose orderings are proven to fit one BIGINT (generate_sql, packed.py)
    scanned = False  # the subject-level table's keys are proven unique: its rows are read, not joined (_p0)

    def __init__(self, model: m.Model, ep: m.EndpointSpec, w: SqlWriter, needs: dict, by_row=frozenset()):
        self.model, self.ep, self.w, self.needs = model, ep, w, needs
        self.by_row = by_row  # events whose rows are in occurrence order (generate_sql's `proven`)
        self.events = m.event_names(ep)

    # ---- names and occurrence expressions
    def src(self, event: str) -> m.EventSource:
        return self.model.event(event)

    def single_row(self, event: str) -> bool:
        """A subject-level event: at most one occurrence per analysed subject."""
        return self.src(event).per_subject

    def origin_dom_var(self) -> tuple[str, str]:
        return self.dom_var(self.ep.origin.event)

    def dom_var(self, event: str) -> tuple[str, str]:
        ev = self.src(event)
        root = source_event(self.model, ev)
        if root.derived:  # another endpoint's row: the source it records (derived.py)
            return derived_dom_var(root)
        return text(self.model.table(ev.table).domain), text(ev.column)

    # ---- the statement
    def write(self) -> None:
        ep, w = self.ep, self.w
        self.win = ident("win_" + ep.paramcd)
        w.line("")
        w.line(f"-- endpoint {ep.paramcd}: population, origin and observation window per subject", ep.span)
        self.ctes: list[tuple[str, list[str]]] = []
        self._p0()
        self._p1_p2()
        # read once (no aggregate joins the window when it is unbounded, see _p3): a view, which
        # res_<P> reads in its own pipeline instead of a million-row table written first
        once = self.ep.clamp and not self.ep.bounds
        w.line(f"CREATE OR REPLACE TEMP {'VIEW' if once else 'TABLE'} {self.win} AS")
        self._write_ctes()
        w.line("SELECT * FROM p2;")
        # occurrences in the window: one GROUP BY per source table, each a view that res_<P>
        # reads once (at 1M subjects, with the window a view too: the script's CPU 2.33 to 2.05 s;
        # no table of a million structs written and read back)
        self.ctes = []
        self._p3()
        self._p4_p7()
        w.line(f"-- endpoint {ep.paramcd}: one row per analysed subject (a record, or the reason there is none)",
               ep.span)  # fmt: skip
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident('res_' + ep.paramcd)} AS")
        self._write_ctes()
        self._final()
        self._notes()

    def _write_ctes(self) -> None:
        w = self.w
        for i, (name, lines) in enumerate(self.ctes):
            w.line(("WITH " if i == 0 else ", ") + f"{name} AS (")
            for line in lines:
                if isinstance(line, tuple):
                    w.line("    " + line[0], line[1])
                else:
                    w.line("    " + line)
            w.line(")")

    def cte(self, name: str, lines: list) -> None:
        self.ctes.append((name, lines))

    def _p0(self) -> None:
        """Population, origin, and the subject's rows of subject-level events."""
        ep = self.ep
        items, joins = ["s.key"], []
        self.row_alias: dict[str, str] = {}
        row: dict[str, tuple[str, str, str]] = {}  # event -> its row's (d, seq, dtf)
        for event in self.events:
            if self.single_row(event) and self._read_in_place(event):
                ok, d, seq, _, dtf = self.occ_fields(self.src(event), "s")
                row[event] = tuple(
                    x if x.startswith("CAST(NULL") else f"CASE WHEN {ok} THEN {x} END" for x in (d, seq, dtf)
                )
            elif self.single_row(event):
                alias = f"r{len(self.row_alias) + 1}"
                self.row_alias[event] = alias
                joins.append(f"LEFT JOIN {ident('occ_' + event)} AS {alias} ON {alias}.key = s.key")
                row[event] = (f"{alias}.d", f"{alias}.seq", f"{alias}.dtf")
            if event in row:
                d, seq, dtf = row[event]
                items.append(f"{{'d': {d}, 'seq': {seq}, 'dtf': {dtf}}} AS {ident('row ' + event)}")
        # first/last over all occurrences: the origin and subject-date cut-offs
        self.all_picks: dict[str, str] = {}
        specs = [ep.origin] + [b.date for b in ep.bounds if b.kind == "cutoff" and b.date.kind != "literal"]
        specs += [ch.date for r in ep.censoring for ch in r.choices if ch.date.kind == "single"]
        for spec in specs:
            if spec.event and not self.single_row(spec.event) and spec.event not in self.all_picks:
                alias = f"a{len(self.all_picks) + 1}"
                self.all_picks[spec.event] = alias
                occ = ident("occ_" + spec.event)
                o = "o"
                joins.append(
                    f"LEFT JOIN (SELECT key, min({self.order_struct(f'{o}.d', f'{o}.seq', f'{o}.rn', f'{o}.dtf')}) AS f,"
                    f" max({self.order_struct(f'{o}.d', f'{o}.seq', f'{o}.rn', f'{o}.dtf')}) AS l"
                    f" FROM {occ} AS {o} GROUP BY key) AS {alias} ON {alias}.key = s.key"
                )
                items.append(f"{alias}.f AS {ident('all first ' + spec.event)}")
                items.append(f"{alias}.l AS {ident('all last ' + spec.event)}")
        pop = ep.population
        if pop.kind == "with":
            in_pop = f"EXISTS (SELECT 1 FROM {ident('occ_' + pop.event)} AS o WHERE o.key = s.key)"
        elif pop.kind == "where":
            needs = self.needs.setdefault(pop.table, set())
            cond = condition(pop.where, "t", needs)
            in_pop = (
                f"EXISTS (SELECT 1 FROM {ident('src_' + pop.table)} AS t WHERE t.__key = s.key AND {cond})"
            )
        else:
            in_pop = "TRUE"
        if self.single_row(ep.origin.event):
            d, seq, dtf = row[ep.origin.event]
        else:
            origin = self.all_picks[ep.origin.event] + (".l" if ep.origin.kind == "last" else ".f")
            d, seq, dtf = f"{origin}.d", f"{origin}.seq", f"{origin}.dtf"
        subjects = "subjects AS s"
        if self.scanned:  # each key is one row's: the subjects are the rows with a key, read once
            src = ident("src_" + self.model.subject_table.name)
            subjects = f"(SELECT t.__key AS key, t.* FROM {src} AS t WHERE t.__key IS NOT NULL) AS s"
        lines = [
            "SELECT " + ", ".join(items) + ",",
            (f"{in_pop} AS in_pop,", ep.lines.get("among")),
            (f"{d} AS origin, {seq} AS origin_seq, {dtf} AS origin_dtf", ep.lines.get("from")),
            f"FROM {subjects}",
            *joins,
        ]  # fmt: skip
        self.cte("p0", lines)

    def _read_in_place(self, event: str) -> bool:
        """A plain event of the subject-level table, whose keys are proven unique (`scanned`):
        its occurrence is the subject's own row when the row is selected and dated, so p0
        reads it there instead of joining occ_<event> (at 1M subjects, a hash join each)."""
        ev = self.src(event)
        bounded = ev.not_before or ev.not_after or ev.date is not None or ev.confirm or ev.derived
        return self.scanned and ev.table == self.model.subject_table.name and not bounded

    def pick_all(self, spec: m.DateSpec, alias: str = "p.") -> str:
        """The struct of a first/last/single occurrence over all occurrences."""
        if self.single_row(spec.event):
            return f"{alias}{ident('row ' + spec.event)}"
        which = "last" if spec.kind == "last" else "first"
        return f"{alias}{ident(f'all {which} {spec.event}')}"

    def _p1_p2(self) -> None:
        """p1 the bounds (when there are any), p2 the end of observation and the limiting bound."""
        ep = self.ep
        items, joins = [], []
        for i, b in enumerate(ep.bounds, 1):
            items.append((f", {self.bound(b, joins)} AS b{i}", b.span))
        names = [f"p.b{i}" for i in range(1, len(ep.bounds) + 1)]
        if names:
            self.cte("p1", ["SELECT p.*", *items, "FROM p0 AS p", *joins])
        end = f"coalesce(LEAST({', '.join(names)}), {NO_END_SQL})" if names else NO_END_SQL
        # the limiting bound: the first declared whose end is the end (none at the calendar's end)
        lim = " ".join(f"WHEN {n} = {end} AND {n} < {NO_END_SQL} THEN {i}" for i, n in enumerate(names, 1))
        self.cte("p2", [f"SELECT p.*, {end} AS \"end\",",
                        f"    {'CASE ' + lim + ' END' if names else 'CAST(NULL AS INTEGER)'} AS lim",
                        f"FROM {'p1' if names else 'p0'} AS p"])  # fmt: skip

    def bound(self, b: m.Bound, joins: list[str]) -> str:
        if b.kind == "horizon":
            if b.calendar:
                n = int(b.amount)
                if b.unit in ("days", "weeks"):
                    end = plus_days("p.origin", n * int(m.UNIT_DAYS[b.unit]))
                else:
                    months = n * (12 if b.unit == "years" else 1)
                    end = (
                        NO_END_SQL if months > 12 * 10000
                        else f"CASE WHEN p.origin IS NOT NULL THEN LEAST(CAST(p.origin + INTERVAL {months} MONTH AS DATE), "
                        f"{NO_END_SQL}) END"
                    )  # fmt: skip
                return end if b.inclusive else minus_one(end)
            length = b.amount * m.UNIT_DAYS[b.unit]
            days = math.floor(length) if b.inclusive else math.ceil(length) - 1
            return plus_days("p.origin", days)
        if b.kind == "cutoff":
            day = date(b.date.value) if b.date.kind == "literal" else f"{self.pick_all(b.date)}.d"
            return day if b.inclusive else minus_one(day)
        # stop at G: its first occurrence on or after the origin; never before the origin day
        if self.single_row(b.event):
            first = (
                f"CASE WHEN p.{ident('row ' + b.event)}.d >= p.origin THEN p.{ident('row ' + b.event)}.d END"
            )
        else:
            alias = f"st{len(joins) + 1}"
            joins.append(
                f"LEFT JOIN (SELECT o.key, min(o.d) AS f FROM {ident('occ_' + b.event)} AS o JOIN p0 AS q"
                f" ON q.key = o.key WHERE o.d >= q.origin GROUP BY o.key) AS {alias} ON {alias}.key = p.key"
            )
            first = f"{alias}.f"
        if b.inclusive:
            return first
        return f"CASE WHEN {first} IS NOT NULL THEN GREATEST({minus_one(first)}, p.origin) END"

    def from_origin(self, d: str, alias: str = "p.") -> str:
        """On or after the origin (any date under `move to origin`): a continuous censoring pick."""
        return "TRUE" if self.ep.clamp else f"{d} >= {alias}origin"

    def in_window(self, d: str, alias: str = "p.") -> str:
        upper = f'{d} <= {alias}"end"'
        return upper if self.ep.clamp else f"{upper} AND {d} >= {alias}origin"

    def _p3(self) -> None:
        """Per event: first/last occurrence inside the window, and whether it occurred by the end."""
        ep = self.ep
        wanted: dict[str, set[str]] = {}
        for t in ep.events:
            wanted.setdefault(t.event, set()).add("first")
        # `continuous`: censoring picks on or after the origin, not limited by the end ("cfirst", "clast")
        prefix = "c" if ep.ascertainment == "continuous" else ""
        for rule in ep.censoring:
            for ch in rule.choices:
                if ch.date.kind in ("first", "last"):
                    wanted.setdefault(ch.date.event, set()).add(prefix + ch.date.kind)
            for c in rule.conditions:
                if c.kind in ("has", "no"):
                    wanted.setdefault(c.event, set()).add("has")
        items, joins = ["p.*"], []
        by_source: dict[str, list[tuple[m.EventSource, set[str]]]] = {}
        unbounded = self.ep.clamp and not self.ep.bounds
        for event, picks in wanted.items():
            ev = self.src(event)
            if self.single_row(event):
                row = f"p.{ident('row ' + event)}"
                for pick in sorted(picks - {"has"}):
                    d = row + ".d"
                    keep = self.in_window(d) if pick in ("first", "last") else self.from_origin(d)
                    items.append(f"CASE WHEN {keep} THEN {row} END AS {ident(f'{pick} {event}')}")
                if "has" in picks:
                    items.append(f'coalesce({row}.d <= p."end", FALSE) AS {ident("has " + event)}')
            else:
                by_source.setdefault(self.source_name(ev), []).append((ev, picks))
        for source, evs in by_source.items():
            alias = f"w{len(joins) + 1}"
            table = ident(f"agg_{self.ep.paramcd}_{len(joins) + 1}")
            aggs, outer, filters, nested = [], [], [], False
            for ev, picks in evs:
                where, d, seq, rn, dtf = self.occ_fields(ev, "t")
                filters.append(where)
                struct = self.order_struct(d, seq, rn, dtf)
                # no bound and `move to origin`: every occurrence is in the window, no join needed
                window = "TRUE" if unbounded else self.in_window(d, "q.")
                upto = "TRUE" if unbounded else f'{d} <= q."end"'
                for pick in sorted(picks - {"has"}):
                    name = ident(f"{pick} {ev.name}")
                    inside = window if pick in ("first", "last") else self.from_origin(d, "q.")
                    keep = f"FILTER (WHERE {where} AND {inside})"
                    if ev.name in self.packed:  # min/max of one integer, the struct built per subject
                        fn = "min" if pick.endswith("first") else "max"
                        k = ident(f"{pick} {ev.name} key")
                        aggs.append(f"{fn}({packed_key(d, seq, rn)}) {keep} AS {k}")
                        struct_of = self.order_struct(*packed_fields(k, seq), dtf)
                        nested = True
                        outer.append(f"CASE WHEN {k} IS NOT NULL THEN {struct_of} END AS {name}")
                    elif ev.name in self.by_row:
                        inner, built = self.by_row_pick(pick, ev.name, keep, d, seq, rn, dtf)
                        aggs += inner
                        nested = True
                        outer.append(f"{built} AS {name}")
                    else:
                        fn = "min" if pick.endswith("first") else "max"
                        aggs.append(f"{fn}({struct}) {keep} AS {name}")
                        outer.append(name)
                    items.append(f"{alias}.{name}")
                if "has" in picks:
                    name = ident("has " + ev.name)
                    aggs.append(f"count(*) FILTER (WHERE {where} AND {upto}) > 0 AS {name}")
                    outer.append(name)
                    items.append(f"coalesce({alias}.{name}, FALSE) AS {name}")
            key = self.key_of(evs[0][0], "t")
            w = self.w
            w.line(f"CREATE OR REPLACE TEMP VIEW {table} AS")
            if nested:  # the structs are built from the per-field aggregates, after grouping
                w.line("SELECT key, " + ", ".join(outer) + " FROM (")
            w.line(f"SELECT {key} AS key,")
            for i, a in enumerate(aggs):
                w.line(f"    {a}" + ("," if i < len(aggs) - 1 else ""))
            join = "" if unbounded else f" JOIN {self.win} AS q ON q.key = {key}"
            if join and self.ep.population.kind != "all":
                # perf (issue 16): outside the population a subject is not reached (in_pop is
                # FALSE, never NULL), so nothing read off its picks reaches a record or a
                # finding: only the population's rows are grouped (DOR at 1M: 457k subjects)
                join += " AND q.in_pop"
            w.line(f"FROM {source} AS t{join}")
            # (each aggregate FILTERs its rows: a WHERE would test them twice)
            w.line(f"GROUP BY {key}" + (") AS g;" if nested else ";"))
            joins.append(f"LEFT JOIN {table} AS {alias} ON {alias}.key = p.key")
        self.cte("p3", ["SELECT " + ", ".join(items), f"FROM {self.win} AS p", *joins])

    def _p4_p7(self) -> None:
        """The earliest terminating event (a tie: the first listed) and the censoring rules'
        dates (p4); the missed-assessment rule (p5a, p5); the branch taken (p7)."""
        ep = self.ep
        firsts = [f"p.{ident('first ' + t.event)}" for t in ep.events]
        ev_d = f"LEAST({', '.join(f + '.d' for f in firsts)})"
        pos = " ".join(f"WHEN {f}.d = p.ev_d THEN {i}" for i, f in enumerate(firsts, 1))
        rules, choices = self.rule_columns()
        then = [(f"CASE {pos} END AS ev_pos,", ep.lines.get("to")), *(c + "," for c in choices)]
        if ep.missed is None:  # nothing between the event and the branch: one layer
            self.cte("p4", [f"SELECT p.*, {ev_d} AS ev_d, FALSE AS missed, CAST(NULL AS DATE) AS last_d,",
                            "    CAST(NULL AS DOUBLE) AS last_seq, CAST(NULL AS VARCHAR) AS last_dtf,",
                            "    CAST(NULL AS BOOLEAN) AS last_is_origin,",
                            *rules, "FROM p3 AS p"])  # fmt: skip
            self.cte("p7", ["SELECT p.*,", *then, self.branch(), "FROM p4 AS p"])
            return
        self.cte("p4", [f"SELECT p.*, {ev_d} AS ev_d,", *rules, "FROM p3 AS p"])
        rule = ep.missed
        window = "" if ep.clamp else " AND o.d >= q.origin"
        if self.single_row(rule.event):
            row = f"p.{ident('row ' + rule.event)}"
            cond = f"{row}.d < p.ev_d" + ("" if ep.clamp else f" AND {row}.d >= p.origin")
            last, join = f"CASE WHEN {cond} THEN {row} END", []
        else:
            struct = self.order_struct("o.d", "o.seq", "o.rn", "o.dtf")
            last = "m.l"
            join = [f"LEFT JOIN (SELECT o.key, max({struct}) AS l FROM {ident('occ_' + rule.event)} AS o",
                    f"    JOIN p4 AS q ON q.key = o.key WHERE o.d < q.ev_d{window} GROUP BY o.key) AS m",
                    "    ON m.key = p.key"]  # fmt: skip
        self.cte("p5a", [f"SELECT p.*, {last} AS last_occ", "FROM p4 AS p", *join])
        ld = "coalesce(p.last_occ.d, p.origin)"
        elapsed = f"date_diff('day', p.origin, {ld})"
        steps = []
        for every, until in rule.schedule.pieces:
            limit = number(rule.count * every + rule.schedule.window)
            if until is None:
                steps.append(f"ELSE {limit}")
                break
            steps.append(f"WHEN {elapsed} < {number(until)} THEN {limit}")
        # a one-piece schedule (`every 8 weeks, window 7 days`) has one threshold, no CASE
        threshold = steps[0].removeprefix("ELSE ") if len(steps) == 1 else "CASE " + " ".join(steps) + " END"
        self.cte("p5", [
            (f"SELECT p.*, p.ev_d IS NOT NULL AND date_diff('day', {ld}, p.ev_d) > {threshold} AS missed,",
             ep.lines.get("censor events after")),
            f"    {ld} AS last_d, p.last_occ IS NULL AS last_is_origin,",
            "    CASE WHEN p.last_occ IS NULL THEN p.origin_seq ELSE p.last_occ.seq END AS last_seq,",
            *then,
            "    CASE WHEN p.last_occ IS NULL THEN p.origin_dtf ELSE p.last_occ.dtf END AS last_dtf",
            "FROM p5a AS p",
        ])  # fmt: skip
        self.cte("p7", ["SELECT p.*, " + self.branch(), "FROM p5 AS p"])

    def common_reasons(self) -> list[str]:
        """The exclusions every endpoint checks first, in the per-subject order: population,
        origin, observation ending before the origin (CASE branches of `reason`)."""
        ep = self.ep
        reason = [
            f"WHEN NOT p.in_pop THEN {text('not in population: ' + ep.population.description)}",
            f"WHEN p.origin IS NULL THEN {text(f'no origin date: {ep.origin.describe()} has no usable date')}",
        ]
        if ep.bounds:
            desc = " ".join(f"WHEN {i} THEN {text(b.description)}" for i, b in enumerate(ep.bounds, 1))
            reason.append(
                f'WHEN p."end" < p.origin THEN {text("observation ends before the origin: ")} || '
                f'CASE p.lim {desc} END || {text(" on ")} || CAST(p."end" AS VARCHAR)'
            )
        return reason

    def _final(self) -> None:
        ep, w = self.ep, self.w
        raw = self.field("date")
        reason = self.common_reasons()
        reason.append(f"WHEN p.branch IS NULL THEN {text('no event, and no censoring rule applies')}")
        w.line(", p8 AS (")
        w.line(f"    SELECT p.*, CASE {' '.join(reason)} END AS reason,")
        adt = f"GREATEST({raw}, p.origin)" if ep.clamp else raw  # `move to origin`
        w.line(f"        {adt} AS adt, {self.field('src')} AS src_d, {self.field('dtf')} AS src_dtf,")
        for name in ("cnsr", "evntdesc", "cnsdtdsc"):
            w.line(f"        {self.field(name)} AS {name},")
        w.line(
            f"        {self.field('dom')} AS srcdom, {self.field('var')} AS srcvar, {self.field('seq')} AS srcseq"
        )
        w.line("    FROM p7 AS p")
        w.line(")")
        notes = []
        for i, cs in enumerate(self.rules, 1):
            # a rule's findings are reported only when it is tried: no event, no earlier rule
            # gave a date, and its conditions hold
            tried = " AND ".join(["p.reached", "p.ev_d IS NULL", *[f"p.r{k} IS NULL" for k in range(1, i)],
                                  f"p.r{i}_holds"])  # fmt: skip
            notes += [f"CASE WHEN {tried} THEN {c['note']} END AS note_r{i}c{j}"
                      for j, c in enumerate(cs, 1) if c.get("note", "NULL") != "NULL"]  # fmt: skip
        w.line("SELECT p.key, p.reason, p.origin AS startdt, p.origin_dtf AS startdtf, p.adt,")
        w.line("    CASE WHEN p.src_d = p.adt THEN p.src_dtf END AS adtf,")
        unit = number(m.UNIT_DAYS[ep.unit])
        w.line(f"    CAST(date_diff('day', p.origin, p.adt) + {ep.origin_day} AS DOUBLE) / {unit} AS aval,",
               ep.lines.get("time in") or ep.lines.get("origin is day"))  # fmt: skip
        w.line("    CAST(p.cnsr AS BIGINT) AS cnsr, p.evntdesc, p.cnsdtdsc, p.srcdom, p.srcvar, p.srcseq,")
        w.line("    p.reached, p.ev_d IS NULL AS no_event" + "".join(f", {n}" for n in notes))
        w.line("FROM p8 AS p;")
        self.note_columns = [n.rsplit(" AS ", 1)[1] for n in notes]

    def event_notes(self) -> None:
        """Start notes_<P>: the data findings of the events the endpoint reads, for its
        analysed subjects (the caller may add rows with UNION ALL, then ends it with `;`)."""
        w = self.w
        closure = event_closure(self.model, self.events)
        # perf (issue 16): a note_<event> the data prove empty (SqlWriter.empty) is not read
        parts = [
            f"SELECT key, message FROM {ident('note_' + e)}" for e in closure if "note_" + e not in w.empty
        ]
        self.notes_empty = not parts
        if not parts:  # the key's type as the subjects' (text or subject numbers), no row
            parts = ["SELECT key, CAST(NULL AS VARCHAR) AS message FROM subjects WHERE FALSE"]
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident('notes_' + self.ep.paramcd)} AS")
        w.line("SELECT n.key, n.message FROM (")
        w.line("    " + "\n    UNION ALL ".join(parts))
        w.line(") AS n JOIN subjects AS s ON s.key = n.key")

    def _notes(self) -> None:
        """Findings: the events' data findings and the occurrences before the origin."""
        ep, w = self.ep, self.w
        res = ident("res_" + ep.paramcd)
        start = len(w.lines)
        self.event_notes()
        if not ep.clamp:
            for t in ep.events:
                w.line(f"UNION ALL SELECT o.key, {text(self.model.event(t.event).display + ' on ')} || CAST(o.d AS VARCHAR) || "
                       f"{text(' is before the origin ')} || CAST(r.startdt AS VARCHAR) || {text('; ignored')}")  # fmt: skip
                w.line(f"FROM {ident('occ_' + t.event)} AS o JOIN {res} AS r ON r.key = o.key "
                       "WHERE r.reached AND o.d < r.startdt")  # fmt: skip
        for column in self.note_columns:
            w.line(f"UNION ALL SELECT key, {column} FROM {res} WHERE {column} IS NOT NULL")
        w.line(";")
        w.optional["notes_" + ep.paramcd] = (start, len(w.lines))
        if self.notes_empty and ep.clamp and not self.note_columns:  # proven empty: the report leaves it out
            w.empty.add("notes_" + ep.paramcd)
