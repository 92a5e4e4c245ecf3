"""SQL generator: checked model to one SQL script that derives every endpoint set-wise.

The script reads the typed input relations that `prepare` builds (`src_<table>`,
whose columns are documented there) and leaves two results: `adtte` and `report`.
It is plain SQL (CTEs, joins, GROUP BY, FILTER, CASE) in DuckDB's dialect; the
DuckDB-specific parts are listed in docs/backends.md. Each statement that
implements a .ept line carries a `-- file:line` comment, and `SqlProgram.line_map`
maps generated lines to .ept lines.

Nothing from the .ept file is pasted raw: names go through `writer.ident` (double
quotes, doubled inside) and texts through `writer.text` (single quotes, doubled inside);
file names in comments are reduced to a safe alphabet (`Model.file_name`).

`sql_support` is the one place that decides which endpoints the SQL backend
derives; the others fall back to the per-subject compiled functions.
"""

from __future__ import annotations

from attrs import field, frozen

from ...check import model as m
from ...check.usage import value_series
from ...version import __version__
from . import packed
from .best import ResponseSql, response_support
from .clock import TimedSql
from .confirm import write_confirmed
from .derived import dependency_order, unsupported, write_event, write_rows
from .endpoint import EndpointSql
from .extreme import ExtremeSql, extreme_support
from .groups import write_groups
from .prepare import date_readers, imputation_readers, view_name
from .records import result_queries as result_queries  # (run.py and Spark import it from here)
from .records import write_results
from .response import OccurrenceSql, occurrence_support
from .value import ValueSql, write_series
from .writer import (
    SqlWriter,
    col,
    comment_safe,
    compare_readers,
    condition,
    event_closure,
    ident,
    shift,
    text,
    unread_relations,
)

# ---- what the backend derives ------------------------------------------------------------------


RESPONSE_KINDS = {"best": "best overall response", "landmark": "landmark response", "occurrence": "incidence"}


def sql_support(model: m.Model, ep: object) -> str | None:
    """None when the SQL backend derives this endpoint; else why the per-subject path does.

    The one dispatch point: an endpoint the generator does not translate (the model
    grows new kinds) is derived by the compiled per-subject function instead.
    """
    if type(ep) is not m.EndpointSpec:
        return f"{type(ep).__name__} endpoints are not translated to SQL yet"
    # events on another endpoint's rows (semantics 6.5): that endpoint is derived first (derived.py)
    if (why := unsupported(model, ep, sql_support)) is not None:
        return why
    if ep.response is not None and ep.response.kind == "extreme":  # extreme (issue 19, part 2)
        return extreme_support(model, ep)
    if ep.response is not None and ep.response.kind != "occurrence":  # criteria (issue 13): set-wise
        return response_support(model, ep)
    if ep.response is not None:
        return occurrence_support(model, ep)
    return None


@frozen
class SqlProgram:
    text: str
    line_map: dict
    needs: dict  # table -> set of (column, reader) views the script reads
    endpoints: tuple  # PARAMCDs derived by the script, in file order
    fallback: dict  # PARAMCD -> why the per-subject path derives it
    order: tuple  # every PARAMCD of the file, in file order (the output's sort order)
    sorted_checks: dict = field(
        factory=dict
    )  # same_day_<n> -> (table, date view, sequence view): see proofs.sorted_proof
    # groups (issue 13): PARAMCDs of grouped endpoints, derived by a second pass (groups.py)
    grouped: tuple = ()
    # perf (issue 16): name -> (kind, table, view) of the facts a check is skipped for when
    # proofs.fact proves them on the data (`Facts` below; generated again with them proven)
    facts: dict = field(factory=dict)
    # the relations the results read (the adtte view reads each res_<P>): kept when the run frees the rest
    kept: tuple = ("adtte", "report")


class Facts:
    """Properties of the data that let the script skip a check with nothing to find
    (proofs.fact proves them; run generates the script again with those proven). A
    skipped check reads `WHERE NOT TRUE`, which DuckDB answers without a scan (a run-time
    flag in a subquery does not stop the scan); the general script (`compile --target
    sql`) has every check."""

    def __init__(self, proven: frozenset):
        self.proven, self.wanted = proven, {}

    def holds(self, name: str, kind: str, table: str, view: str | None = None) -> str:
        self.wanted[name] = (kind, table, view)
        return "TRUE" if name in self.proven else "FALSE"


# ---- events ----------------------------------------------------------------------------------


class Events:
    """Occurrence views `occ_<event>` (key, d, seq, rn, dtf) and finding views `note_<event>`."""

    def __init__(self, model: m.Model, w: SqlWriter, needs: dict, facts: Facts):
        self.model, self.w, self.needs, self.facts = model, w, needs, facts

    def need(self, table: str) -> set:
        return self.needs.setdefault(table, set())

    def date_reader(self, ev: m.EventSource) -> tuple[str, str]:
        """(date view, why view) of the event's column (imputation: ISO 8601 only)."""
        return imputation_readers(ev.impute, ev.impute_day_only) if ev.impute else date_readers(ev.format)

    def same_day(self, evs: list[m.EventSource]) -> None:
        """Occurrences sharing subject, date and sequence: one GROUP BY per table, date and
        sequence column, counting each event's rows (FILTER), for all its events at once."""
        groups: dict[tuple, list[m.EventSource]] = {}
        self.same_day_table: dict[str, str] = {}
        self.same_day_check: dict[str, str] = {}  # event -> the sorted check of its group
        self.sorted_checks: dict[str, tuple] = {}
        for ev in evs:
            # an analysed subject has one row of the subject-level table: one occurrence at most
            if not (ev.not_before or ev.not_after or ev.per_subject or ev.confirm):
                groups.setdefault((ev.table, ev.column, self.date_reader(ev)[0], ev.sequence), []).append(ev)
        for i, ((table, column, reader, sequence), members) in enumerate(groups.items(), 1):
            needs, w = self.need(table), self.w
            name = ident(f"same_day_{i}")
            self.sorted_checks[f"same_day_{i}"] = (table, view_name(column, reader),
                                                   view_name(sequence, "num") if sequence else None)  # fmt: skip
            d = col("t", column, reader)
            needs.add((column, reader))
            seq = "CAST(NULL AS DOUBLE)"
            if sequence:
                needs.add((sequence, "num"))
                seq = col("t", sequence, "num")
            conds = {
                e.name: condition(e.where, "t", needs) if e.where is not None else "TRUE" for e in members
            }
            w.line("")
            w.line(f"-- {table}.{column}: rows that share subject, date and sequence, counted per event")
            start = len(w.lines)
            w.line(f"CREATE OR REPLACE TEMP TABLE {name} AS")
            w.line(f"SELECT t.__key AS key, {d} AS d, {seq} AS seq,")
            # one count per event, named "n <event>": no event name can be key, d or seq then
            for j, (event, cond) in enumerate(conds.items()):
                sep = "," if j < len(conds) - 1 else ""
                count = f"    count(*) FILTER (WHERE {cond}) AS {ident('n ' + event)}{sep}"
                w.line(count, self.model.event(event).span)
            w.line(f"FROM {ident('src_' + table)} AS t")
            # sorted_inputs: whether prepare found the table's dated rows strictly increasing in
            # (key, date, sequence), which proves that no two share all three (no GROUP BY needed)
            w.line(f"WHERE NOT (SELECT proven FROM sorted_inputs WHERE name = {text(f'same_day_{i}')})")
            w.line(
                f"    AND t.__key IS NOT NULL AND {d} IS NOT NULL AND ({' OR '.join(f'({c})' for c in conds.values())})"
            )
            w.line(f"GROUP BY t.__key, {d}, {seq}")
            w.line(f"HAVING {' OR '.join(f'count(*) FILTER (WHERE {c}) > 1' for c in conds.values())};")
            w.optional[f"same_day_{i}"] = (start, len(w.lines))
            if f"same_day_{i}" in self.facts.proven:  # rows strictly increasing: no two share all three
                w.empty.add(f"same_day_{i}")
            for e in members:
                self.same_day_table[e.name] = name
                self.same_day_check[e.name] = f"same_day_{i}"

    def write(self, ev: m.EventSource) -> None:
        if ev.derived:  # another endpoint's rows: its rows_<P> view (derived.py)
            write_event(self.w, ev)
            return
        if ev.confirm is not None:
            root = ev
            while root.confirm is not None:  # the event whose rows a confirmed event keeps
                root = self.model.event(root.confirm.candidate)
            write_confirmed(self.w, ev, timed=root.time)
            return
        if ev.date is not None:  # reldates: a derived date
            self.derived_date(ev)
            return
        w, needs = self.w, self.need(ev.table)
        table = self.model.table(ev.table)
        d_reader, why_reader = self.date_reader(ev)
        needs.update({(ev.column, d_reader), (ev.column, why_reader)})
        where = condition(ev.where, "t", needs) if ev.where is not None else "TRUE"
        seq = "CAST(NULL AS DOUBLE)"
        if ev.sequence:
            needs.add((ev.sequence, "num"))
            seq = col("t", ev.sequence, "num")
        d = col("t", ev.column, d_reader)
        dtf = "CAST(NULL AS VARCHAR)"
        joins = []
        if ev.impute:
            needs.update({(ev.column, "dtf"), (ev.column, "lo"), (ev.column, "hi")})
            dtf = col("t", ev.column, "dtf")
            lo, hi = col("t", ev.column, "lo"), col("t", ev.column, "hi")
            for side, bounds in (
                ("GREATEST", ev.imputation_bounds("before")),
                ("LEAST", ev.imputation_bounds("after")),
            ):
                inside = []
                for bound, days in bounds:
                    alias = ident(f"b{len(joins) + 1}")
                    joins.append(f"LEFT JOIN {ident('occ_' + bound)} AS {alias} ON {alias}.key = t.__key")
                    # `not after alive + 1 day`: the bound's date moved by whole days (issue 12)
                    bd = f"({alias}.d + {int(days)})" if days else f"{alias}.d"
                    inside.append(f"CASE WHEN {bd} BETWEEN {lo} AND {hi} THEN {bd} END")
                if inside:
                    d = f"{side}({d}, {', '.join(inside)})"
        w.line("")
        w.line(f"-- event {ev.name}: the dated {ev.table} rows it selects", ev.span)
        start = len(w.lines)
        w.line(f"CREATE OR REPLACE TEMP VIEW {ident('occ_' + ev.name)} AS")
        tm = ""
        if ev.time:  # times of day: column t, seconds after midnight (NULL: a date only)
            reader = "time" if ev.format is None else f"time@{ev.format}"
            needs.add((ev.column, reader))
            tm = f", {col('t', ev.column, reader)} AS t"
        if ev.rank:  # extreme (issue 19, part 2): the number `first|last by COLUMN` orders by
            needs.add((ev.rank, "num"))
            tm += f", {col('t', ev.rank, 'num')} AS k"
        if ev.response:  # issue 16: a bounded or confirmed assessment event's rows keep their response
            needs.add((ev.response, "text"))
            tm += f", {col('t', ev.response, 'text')}"
        w.line(f"SELECT t.__key AS key, {d} AS d, {seq} AS seq, t.__row AS rn, {dtf} AS dtf{tm}")
        w.line(f"FROM {ident('src_' + table.name)} AS t")
        for join in joins:
            w.line(join)
        w.line(
            f"WHERE t.__key IS NOT NULL AND ({where}) AND {col('t', ev.column, d_reader)} IS NOT NULL;",
            ev.span,
        )
        w.optional["occ_" + ev.name] = (start, len(w.lines))
        self._notes(ev, where, d_reader, why_reader)

    # ---- reldates: derived dates (docs/semantics.md section 8)
    def derived_date(self, ev: m.EventSource) -> None:
        """occ_<date>: at most one row per subject, the occurrence the expression picks (its
        seq, rn and dtf: its source), dated as the expression says; no findings of its own."""
        w = self.w
        w.line("")
        w.line(f"-- date {ev.name}: derived from other events' occurrences", ev.span)
        w.line(f"CREATE OR REPLACE TEMP VIEW {ident('occ_' + ev.name)} AS")
        w.line(self.date_sql(ev.date, 0) + ";", ev.span)
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident('note_' + ev.name)} AS")
        w.line(f"SELECT key, CAST(NULL AS VARCHAR) AS message FROM {ident('occ_' + ev.name)} WHERE FALSE;")

    def date_sql(self, expr, depth: int) -> str:
        """A query of (key, d, seq, rn, dtf), at most one row per key."""
        o, f = f"o{depth}", f"f{depth}"
        if isinstance(expr, m.DateShift):
            inner = self.date_sql(expr.base, depth + 1)
            return f"SELECT {o}.key, {shift(f'{o}.d', expr.days)} AS d, {o}.seq, {o}.rn, {o}.dtf FROM ({inner}) AS {o}"
        source = f"{ident('occ_' + expr.event)} AS {o}"
        if expr.relation is not None:
            op = {"after": ">", "on or after": ">=", "on or before": "<="}[expr.relation]
            other = self.date_sql(expr.other, depth + 1)
            source += f" JOIN ({other}) AS {f} ON {f}.key = {o}.key AND {o}.d {op} {f}.d"
        if expr.which == "last":
            order = f"{o}.d DESC, {o}.seq IS NULL DESC, coalesce({o}.seq, 0) DESC, {o}.rn DESC"
        else:
            order = f"{o}.d, {o}.seq IS NULL, coalesce({o}.seq, 0), {o}.rn"
        k = expr.n if expr.which == "nth" else 1
        return (
            f"SELECT key, d, seq, rn, dtf FROM (SELECT {o}.key, {o}.d, {o}.seq, {o}.rn, {o}.dtf, "
            f"row_number() OVER (PARTITION BY {o}.key ORDER BY {order}) AS k FROM {source}) WHERE k = {k}"
        )

    def _notes(self, ev: m.EventSource, where: str, d_reader: str, why_reader: str) -> None:
        w = self.w
        head = f"{ev.display}: {ev.table} row "  # extreme (issue 19): `E has C` reports as E
        tail = f" has no usable {ev.column} ("
        why = col("t", ev.column, why_reader)
        silent = ev.per_subject and ev.where is None  # a blank death date only says: no death
        start = len(w.lines)
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident('note_' + ev.name)} AS")
        w.line(f"SELECT t.__key AS key, {text(head)} || CAST(t.__row AS VARCHAR) || {text(tail)} || {why}")
        w.line(f"    || {text('); not counted')} AS message")
        w.line(f"FROM {ident('src_' + ev.table)} AS t")
        # a date view without a missing value (proven in prepare) has no row to report: no scan
        view = view_name(ev.column, d_reader)
        if silent:  # only a date that is there and not usable is reported: every `why` 'missing'
            why_view = view_name(ev.column, why_reader)
            dated = self.facts.holds(f"usable: {ev.table}.{why_view}", "usable", ev.table, why_view)
        else:
            dated = self.facts.holds(f"no null: {ev.table}.{view}", "complete", ev.table, view)
        # perf (issue 16): same-day ties proven absent (the check's rows strictly increasing)
        untied = ev.per_subject or self.same_day_check.get(ev.name) in self.w.empty
        w.line(f"WHERE NOT {dated} AND t.__key IS NOT NULL AND ({where}) AND {col('t', ev.column, d_reader)} IS NULL"
               + (f" AND {why} <> 'missing'" if silent else "") + (";" if untied else ""))  # fmt: skip
        w.optional["note_" + ev.name] = (start, len(w.lines))
        if dated == "TRUE" and untied:  # no row: its readers leave it out (endpoint.event_notes)
            w.empty.add("note_" + ev.name)
        if untied:  # an analysed subject has one row of the subject-level table, or no ties
            return
        what = f"the same {ev.sequence}" if ev.sequence else "no sequence variable"
        w.line("UNION ALL  -- several occurrences on one day that SRCSEQ cannot tell apart")
        w.line(f"SELECT key, {text(f'{ev.display}: several {ev.table} records on ')} || CAST(d AS VARCHAR)")
        w.line(f"    || {text(f' with {what}; SRCSEQ cannot tell them apart')}")
        if ev.name in self.same_day_table:
            w.line(f"FROM {self.same_day_table[ev.name]} WHERE {ident('n ' + ev.name)} > 1;")
        else:
            w.line(f"FROM {ident('occ_' + ev.name)} GROUP BY key, d, seq HAVING count(*) > 1;")
        w.optional["note_" + ev.name] = (start, len(w.lines))


# ---- the script --------------------------------------------------------------------------------


def generate_sql(
    model: m.Model, only: list[str] | None = None, force_fallback: tuple = (), proven: frozenset = frozenset()
) -> SqlProgram:
    """The SQL script for a checked file (endpoints `only`, if given).

    `proven`: the facts (`Facts`) and the sorted checks (`same_day_<n>`) that prepare proved on the
    data. The rows of such an event are strictly increasing in (key, date, sequence), so
    its first and last occurrences are the first and last rows by input position: the
    script then picks each of their fields with arg_min_null/arg_max_null over __row (an
    integer) instead of min/max over an ordering struct built for every row: the same
    occurrence, in about two thirds of the time (docs/backends.md).
    """
    w = SqlWriter(model.file_name)
    needs: dict[str, set] = {t.name: set() for t in model.tables}
    chosen = [ep for ep in model.endpoints if only is None or ep.paramcd in only]
    fallback = {ep.paramcd: why for ep in chosen if (why := sql_support(model, ep))}
    fallback.update({code: "forced" for code in force_fallback if code in {e.paramcd for e in chosen}})
    in_sql = [ep for ep in chosen if ep.paramcd not in fallback]
    grouped = [ep for ep in in_sql if ep.group is not None]  # groups (issue 13): a second pass
    in_sql = [ep for ep in in_sql if ep.group is None]
    subject = model.subject_table
    w.line(f"-- Endpoints of {w.file}, compiled to SQL by endpointdsl {__version__}.")
    w.line("-- Reads src_<table> (typed views of the input cells, see endpointdsl/engines/sql/prepare.py);")
    w.line(
        "-- leaves the view adtte and the table report. `-- file:line` names the .ept line a statement implements."
    )
    for code, why in fallback.items():
        w.line(f"-- {comment_safe(code)}: derived by the per-subject functions ({comment_safe(why)})")
    w.line("")
    w.line(f"-- subjects: keys with exactly one row of the subject-level table {subject.name}", subject.span)
    facts = Facts(proven)
    src = ident("src_" + subject.name)
    # keys strictly increasing (proven in prepare, as sorted ADaM data are): each is one row's
    unique = facts.holds(f"unique keys: {subject.name}", "unique", subject.name)
    w.line("-- (a TRUE or FALSE below is a fact about the data that the run proved or not: a proven")
    w.line("-- one skips a scan that would find nothing; this text assumes nothing is proven)")
    w.line("CREATE OR REPLACE TEMP TABLE subject_rows AS")
    w.line(
        f"SELECT __key AS key, CAST(1 AS BIGINT) AS n FROM {src} WHERE {unique} AND __key IS NOT NULL"
        + (";" if unique == "TRUE" else "")  # perf (issue 16): the run's script, no empty branch
    )
    if unique != "TRUE":
        w.line(
            f"UNION ALL SELECT __key AS key, count(*) AS n FROM {src} WHERE NOT {unique} AND __key IS NOT NULL"
        )
        w.line("GROUP BY __key;")
    w.line("CREATE OR REPLACE TEMP TABLE subjects AS SELECT key FROM subject_rows WHERE n = 1;")
    subject_values(model, w, needs)
    events = Events(model, w, needs, facts)
    # endpoints whose rows others read (semantics 6.5) first, also when not chosen (derived.py)
    written = dependency_order(model, in_sql)
    wanted = event_closure(model, [e for ep in written for e in m.event_names(ep)])
    events.same_day([model.event(name) for name in wanted])
    # bounds of imputed dates first: their occurrence views are joined by the bounded events;
    # confirmed events and derived dates after the events they read (event_closure's order);
    # an event that reads an endpoint's rows (or reads such an event) after that endpoint
    ranked = sorted(wanted, key=lambda n: _rank(model, n, wanted))
    later = {n for n in wanted if any(model.event(x).derived for x in event_closure(model, [n]))}
    for name in ranked:
        if name not in later:
            events.write(model.event(name))
    for ep in grouped:
        write_groups(model, w, needs, ep)
    order = tuple(ep.paramcd for ep in chosen)
    by_row = frozenset(e for e, check in events.same_day_check.items() if check in proven)
    # value endpoints (issue 14): the samples of each series they read
    for series in value_series(m.Model(model.file, (), (), tuple(written))):
        write_series(w, series, needs)
    read_rows = {model.event(n).table for n in wanted if model.event(n).derived}
    for ep in written:
        closure = event_closure(model, m.event_names(ep))
        for name in [n for n in ranked if n in later and n in closure]:
            events.write(model.event(name))
            later.discard(name)
        kind = TimedSql if m.timed(ep) else EndpointSql
        if ep.response is not None:
            kind = OccurrenceSql if ep.response.kind == "occurrence" else ResponseSql
            kind = ExtremeSql if ep.response.kind == "extreme" else kind  # extreme (issue 19, part 2)
        if ep.value is not None:  # value endpoints (issue 14)
            kind = ValueSql
        sql = kind(model, ep, w, needs, by_row)
        if kind is EndpointSql:  # perf (issue 16): orderings that fit one BIGINT where proven (packed.py)
            sql.packed = _packed(model, ep, events, facts)
            subject = model.subject_table.name  # its rows read in place (endpoint._read_in_place)
            sql.scanned = facts.holds(f"unique keys: {subject}", "unique", subject) == "TRUE"
        if kind is ResponseSql:  # perf (issue 16): visit lists where the dates fit (confirmlist.py)
            sql.listed = _packed(model, ep, events, facts, dates_only=True)
            ev = model.event(ep.response.event)  # an input table's rows, few a subject: lists
            if packed.packable(ev):  # (as _packed asks; a derived event reads an endpoint's rows)
                sql.short = facts.holds(f"short: {ev.table}", "short", ev.table) == "TRUE"
                date = view_name(ev.column, events.date_reader(ev)[0])  # one visit a row (best.py)
                sql.one_a_day = (
                    facts.holds(f"one row a date: {ev.table}.{date}", "dates", ev.table, date) == "TRUE"
                )
            sql.seq_packed = _packed(model, ep, events, facts)
        sql.write()
        if ep.paramcd in read_rows:
            write_rows(w, ep)
    # with a response, incidence or value endpoint among those chosen, AVALC joins the columns
    # (as run_tables)
    responses = any(ep.response is not None or ep.value is not None for ep in chosen)
    times = any(m.timed(ep) for ep in chosen)  # STARTDTM and ADTM join them
    write_results(model, w, in_sql, order, responses, times, facts)
    if proven:  # the script a run executes (not the golden, not Spark's)
        unread_relations(w.lines, w.optional)
    text, line_map = w.finish()
    return SqlProgram(
        text,
        line_map,
        needs,
        tuple(ep.paramcd for ep in in_sql),
        fallback,
        order,
        events.sorted_checks,
        tuple(ep.paramcd for ep in grouped),
        facts.wanted,
        ("adtte", "report", *(f"res_{ep.paramcd}" for ep in in_sql)),
    )


def _packed(model: m.Model, ep: m.EndpointSpec, events: Events, facts: Facts, dates_only=False) -> frozenset:
    """The endpoint's events whose rows are proven to fit a packed ordering (packed.py);
    `dates_only`: whose dates and row numbers fit, whatever the sequence (confirmlist.py)."""
    found = set()
    for name in m.event_names(ep):
        ev = model.event(name)
        if packed.packable(ev):
            date = view_name(ev.column, events.date_reader(ev)[0])
            seq = view_name(ev.sequence, "num") if ev.sequence and not dates_only else None
            if facts.holds(packed.fact_name(ev.table, date, seq), "packs", ev.table, (date, seq)) == "TRUE":
                found.add(name)
    return frozenset(found)


# ---- conditions comparing with other values (issue 12: conditions) ------------------------


def subject_values(model: m.Model, w: SqlWriter, needs: dict) -> None:
    """subj_<table>: per subject key with exactly one row of a one-row-per-subject table,
    the views of its cells that row conditions compare with (writer.subject_cell)."""
    conds = [ev.where for ev in model.events] + [ep.population.where for ep in model.endpoints]
    views: dict[str, set] = {}
    for cond in conds:
        for c in _compare_columns(cond):
            if c.other.table is not None:
                for reader in compare_readers(c)[1].values():
                    views.setdefault(c.other.table, set()).add((c.other.column, reader))
    for table, wanted in views.items():
        needs.setdefault(table, set()).update(wanted)
        names = [ident(view_name(column, reader)) for column, reader in sorted(wanted)]
        w.line(f"-- {table}: the cells that row conditions compare with, for subjects with one row")
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident('subj_' + table)} AS")
        w.line("SELECT __key AS key, " + ", ".join(f"any_value({v}) AS {v}" for v in names))
        w.line(f"FROM {ident('src_' + table)} WHERE __key IS NOT NULL GROUP BY __key HAVING count(*) = 1;")


def _compare_columns(cond: m.Condition | None):
    match cond:
        case m.CompareColumns():
            yield cond
        case m.And(left=a, right=b) | m.Or(left=a, right=b):
            yield from _compare_columns(a)
            yield from _compare_columns(b)
        case m.Not(operand=a):
            yield from _compare_columns(a)


def _rank(model: m.Model, name: str, wanted: list[str]) -> tuple[int, int]:
    ev = model.event(name)
    if ev.confirm is not None or ev.date is not None:  # confirmed events, derived dates (issue 12):
        return (2, wanted.index(name))  # after every event they read, in closure order
    return (int(bool(ev.not_before or ev.not_after)), 0)
