"""SQL generator, endpoints as tables (docs/semantics.md 6.5): events on another endpoint's rows.

The script derives the endpoints in dependency order (`dependency_order`): an endpoint
whose rows an event reads is written before the events and endpoints that read it, and
leaves `rows_<P>`, a view of its records (one per subject it does not exclude, row 1)
with the typed views a condition reads (`prepare`'s names: `AVALC__text`, `ADT__date`,
...). Each view is the runtime reader applied to the record's typed value, computed in SQL
from that type; a read that SQL cannot compute exactly (a text column read as a number or
a date) is refused by `unsupported`, and that endpoint is derived per subject.

The event's occurrence `occ_<E>` (at most one per subject) keeps, as every engine does,
the source of the row: the date of the column read, SRCSEQ as its sequence, the flag of
that date (ADTF or STARTDTF), and SRCDOM/SRCVAR (`dom_var`: looked up by subject, as the
occurrence is the subject's only one).
"""

from __future__ import annotations

from ...check import model as m
from .prepare import PY_WHITESPACE, view_name
from .writer import SqlWriter, condition, event_closure, ident, text

DATES = ("STARTDT", "ADT")
NUMBERS = ("AVAL", "CNSR", "SRCSEQ")
TEXTS = ("AVALC", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR")


def _views(column: str) -> dict[str, str]:
    """reader -> SQL of the reader applied to the record's value `r.<column>` (its typed column)."""
    c = f"r.{column.lower()}"
    if column in DATES:  # a date object is a date whatever the format (data.dates.parse_date)
        return {"date": c, "why": f"CASE WHEN {c} IS NULL THEN 'missing' END", "text": f"CAST({c} AS VARCHAR)",
                "num": "CAST(NULL AS DOUBLE)"}  # fmt: skip
    if column in NUMBERS:  # as_text: a whole number without its ".0"; otherwise Python's str, as DuckDB's
        whole = f"CAST(CAST({c} AS DECIMAL(38, 0)) AS VARCHAR)"
        return {"num": f"CAST({c} AS DOUBLE)", "date": "CAST(NULL AS DATE)",
                "text": f"CASE WHEN {c} = trunc({c}) AND abs({c}) < 1e38 THEN {whole} ELSE CAST({c} AS VARCHAR) END"}  # fmt: skip
    # normalise: no trailing blanks (str.rstrip's, as chr() codes: several are line breaks),
    # and an empty text is missing. DuckDB's rtrim with a set of characters costs about
    # 1.4 µs a text (1.4 s CPU for BORC's 1M records, read twice by DOR's window), so it
    # runs only on a text that is empty or ends in one of them (issue 16; as prepare._strip)
    blanks = " || ".join(f"chr({ord(ch)})" for ch in PY_WHITESPACE)
    strip = f"NULLIF(rtrim({c}, {blanks}), '')"
    return {"text": f"CASE WHEN {c} = '' OR strpos({blanks}, right({c}, 1)) > 0 THEN {strip} ELSE {c} END"}


def _reader(reader: str) -> str:
    """A date reader in a declared format reads a date object as the date (parse_date)."""
    base, _, _ = reader.partition("@")
    return base if base in ("date", "why") else reader


def readers_of(ev: m.EventSource) -> set[tuple[str, str]]:
    """The (column, reader) views a derived event reads: its date and its condition's."""
    needs: set = {(ev.column, "date"), (ev.column, "why")}
    if ev.where is not None:
        condition(ev.where, "t", needs)
    return needs


def unsupported(model: m.Model, ep: m.EndpointSpec, support) -> str | None:
    """Why the SQL script cannot derive `ep` for the rows it reads (None: it can): a view that
    SQL would not compute exactly, or an upstream endpoint it does not derive itself."""
    for name in event_closure(model, model.read_events(ep)):
        ev = model.event(name)
        if not ev.derived:
            continue
        for column, reader in sorted(readers_of(ev)):
            if _reader(reader) not in _views(column):
                return f"event {ev.name} reads {ev.table}'s {column} as a {reader.partition('@')[0]}, which SQL does not read"
        why = support(model, model.endpoint(ev.table))
        if why is not None:
            return f"it reads {ev.table}'s rows, which are derived per subject ({why})"
    return None


def upstream(model: m.Model, ep: m.EndpointSpec) -> list[str]:
    """PARAMCDs of the endpoints whose rows `ep` reads, directly or through them."""
    out: list[str] = []
    for name in event_closure(model, model.read_events(ep)):
        ev = model.event(name)
        if ev.derived and ev.table not in out:
            for code in [*upstream(model, model.endpoint(ev.table)), ev.table]:
                if code not in out:
                    out.append(code)
    return out


def dependency_order(model: m.Model, eps: list[m.EndpointSpec]) -> list[m.EndpointSpec]:
    """`eps` with the endpoints they read, each after those it reads (the checker refuses cycles);
    otherwise in file order."""
    out: list[str] = []
    for ep in eps:
        for code in [*upstream(model, ep), ep.paramcd]:
            if code not in out:
                out.append(code)
    return [model.endpoint(code) for code in out]


def write_rows(w: SqlWriter, ep: m.EndpointSpec) -> None:
    """rows_<P>: the endpoint's records, as the table an event on its rows reads."""
    views = ["1 AS __row", "r.key AS __key"]
    for column in (*DATES, *NUMBERS, *TEXTS):
        if column == "AVALC" and ep.response is None and ep.value is None:
            continue  # a time-to-event record has no AVALC: missing
        for reader, sql in _views(column).items():
            views.append(f"{sql} AS {ident(view_name(column, reader))}")
    if ep.response is None and ep.value is None:
        views.append(f"CAST(NULL AS VARCHAR) AS {ident(view_name('AVALC', 'text'))}")
    w.line("")
    w.line(f"-- {ep.paramcd}'s records, as the table that events on its rows read (semantics 6.5)", ep.span)
    w.line(f"CREATE OR REPLACE TEMP VIEW {ident('rows_' + ep.paramcd)} AS")
    w.line("SELECT " + ",\n    ".join(views) + ",")
    w.line("    r.startdtf AS __startdtf, r.adtf AS __adtf, r.srcdom AS __srcdom, r.srcvar AS __srcvar")
    w.line(f"FROM {ident('res_' + ep.paramcd)} AS r WHERE r.reason IS NULL;")


def write_event(w: SqlWriter, ev: m.EventSource) -> None:
    """occ_<E> (key, d, seq, rn, dtf, dom, var) and note_<E> of an event on an endpoint's rows."""
    needs: set = set()
    rows = ident("rows_" + ev.table)
    where = condition(ev.where, "t", needs) if ev.where is not None else "TRUE"
    d = f"t.{ident(view_name(ev.column, 'date'))}"
    why = f"t.{ident(view_name(ev.column, 'why'))}"
    flag = "t.__adtf" if ev.column == "ADT" else "t.__startdtf"
    w.line("")
    w.line(f"-- event {ev.name}: {ev.table}'s records it selects, with their source", ev.span)
    w.line(f"CREATE OR REPLACE TEMP VIEW {ident('occ_' + ev.name)} AS")
    w.line(f"SELECT t.__key AS key, {d} AS d, t.{ident(view_name('SRCSEQ', 'num'))} AS seq, t.__row AS rn,")
    # the response of a row read as an assessment (`best response of E`), under its view's name
    value = f", t.{ident(view_name(ev.response, 'text'))}" if ev.response else ""
    w.line(f"    {flag} AS dtf, t.__srcdom AS dom, t.__srcvar AS var{value}")
    w.line(f"FROM {rows} AS t WHERE ({where}) AND {d} IS NOT NULL;", ev.span)
    # a missing date of a row the condition selects is reported, unless there is no condition
    head, tail = f"{ev.display}: {ev.table} row ", f" has no usable {ev.column} ("
    w.line(f"CREATE OR REPLACE TEMP TABLE {ident('note_' + ev.name)} AS")
    w.line(f"SELECT t.__key AS key, {text(head)} || CAST(t.__row AS VARCHAR) || {text(tail)} || {why}")
    w.line(f"    || {text('); not counted')} AS message")
    silent = " AND FALSE" if ev.where is None else ""
    w.line(f"FROM {rows} AS t WHERE ({where}) AND {d} IS NULL{silent};")


def dom_var(ev: m.EventSource, alias: str = "p") -> tuple[str, str]:
    """SRCDOM and SRCVAR of the subject's occurrence (at most one per subject)."""
    occ = ident("occ_" + ev.name)
    return tuple(f"(SELECT o.{c} FROM {occ} AS o WHERE o.key = {alias}.key)" for c in ("dom", "var"))


def source_event(model: m.Model, ev: m.EventSource) -> m.EventSource:
    """The event whose row an occurrence of `ev` is: a confirmed event's candidate, the
    event a derived date picks (semantics 8: the source stays that occurrence's)."""
    while ev.confirm is not None or ev.date is not None:
        if ev.confirm is not None:
            ev = model.event(ev.confirm.candidate)
            continue
        expr = ev.date
        while isinstance(expr, m.DateShift):
            expr = expr.base
        ev = model.event(expr.event)
    return ev
