"""SQL writer: the safe pieces of SQL every part of the generator writes, and the script's text.

Nothing from the .ept file is pasted raw: names go through `ident` (double quotes,
doubled inside) and texts through `text` (single quotes, doubled inside); file names in
comments are the model's `file_name`, reduced to a safe alphabet. Row conditions read the
typed views that `prepare` builds (`col`); date arithmetic is held at the ends of the
calendar, as the per-subject runtime holds it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from ...check import model as m
from .prepare import date_readers, view_name

NO_END_SQL = "DATE '9999-12-31'"
DAY_ONE = "DATE '0001-01-01'"
SPAN_DAYS = (dt.date.max - dt.date.min).days


# ---- safe pieces of SQL -------------------------------------------------------------------


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def text(value: str | None) -> str:
    """A SQL string literal (or NULL); a NUL character, which no literal can hold, is chr(0)."""
    if value is None:
        return "CAST(NULL AS VARCHAR)"
    parts = ["'" + part.replace("'", "''") + "'" for part in value.split("\x00")]
    return " || chr(0) || ".join(parts) if len(parts) > 1 else parts[0]


def date(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def number(value: float | int) -> str:
    if isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"cannot emit the number {value!r}")  # the checker rejects these
    if isinstance(value, int):
        return str(value)
    lexeme = repr(float(value))
    return lexeme if "e" in lexeme else lexeme + "E0"  # an exponent makes it a DOUBLE, exactly


def col(alias: str, column: str, reader: str) -> str:
    return f"{alias}.{ident(view_name(column, reader))}"


def condition(c: m.Condition, alias: str, needs: set) -> str:
    """A row condition; SQL's NULL logic is Kleene's, as the semantics require."""
    match c:
        case m.Compare(column=column, op=op, literal=lt, format=fmt):
            reader = {"text": "text", "number": "num", "date": date_readers(fmt)[0]}[lt.kind]
            needs.add((column, reader))
            sql_op = "<>" if op == "!=" else op
            return f"{col(alias, column, reader)} {sql_op} {literal(lt)}"
        case m.InList(column=column, literals=lts, negated=neg, format=fmt):
            reader = {"text": "text", "number": "num", "date": date_readers(fmt)[0]}[lts[0].kind]
            needs.add((column, reader))
            values = ", ".join(literal(x) for x in lts)
            return f"{col(alias, column, reader)} {'NOT IN' if neg else 'IN'} ({values})"
        case m.CompareColumns():
            return compare_columns(c, alias, needs)
        case m.IsMissing(column=column, negated=neg):
            needs.add((column, "text"))  # as_text(cell) is None exactly when the cell is missing
            return f"{col(alias, column, 'text')} IS {'NOT ' if neg else ''}NULL"
        case m.And(left=a, right=b):
            return f"({condition(a, alias, needs)} AND {condition(b, alias, needs)})"
        case m.Or(left=a, right=b):
            return f"({condition(a, alias, needs)} OR {condition(b, alias, needs)})"
        case m.Not(operand=a):
            return f"(NOT {condition(a, alias, needs)})"
    raise TypeError(f"the SQL generator does not handle {type(c).__name__}")


# ---- conditions comparing with other values (issue 12: conditions) ------------------------


def compare_readers(c: m.CompareColumns) -> tuple[dict[str, str], dict[str, str]]:
    """The views (kind -> reader) of the row's cell and of the other cell."""
    if c.kind == "number":
        return {"number": "num"}, {"number": "num"}
    if c.kind == "date":
        return {"date": date_readers(c.format)[0]}, {"date": date_readers(c.other.format)[0]}
    both = {"number": "num", "date": "date", "text": "text"}  # "any": the first kind that reads a cell
    return both, dict(both)


def compare_columns(c: m.CompareColumns, alias: str, needs: set) -> str:
    """`COL op factor * OTHER + offset` in the kind's views; NULL (unknown) as section 1 says.

    With OTHER in a one-row-per-subject table, the whole comparison is evaluated in one
    lookup of subj_<table> (one row per key with exactly one row; no row gives NULL,
    unknown), which DuckDB runs as a hash join, not per row."""
    left_readers, right_readers = compare_readers(c)
    left, right = {}, {}
    for kind, reader in left_readers.items():
        needs.add((c.column, reader))
        left[kind] = col(alias, c.column, reader)
    for kind, reader in right_readers.items():
        if c.other.table is None:
            needs.add((c.other.column, reader))
            right[kind] = col(alias, c.other.column, reader)
        else:  # the subject-level views are added to `needs` by generate.subject_values
            right[kind] = col("sv", c.other.column, reader)
    expr = _compare_expr(c, left, right)
    if c.other.table is None:
        return expr
    return f"(SELECT {expr} FROM {ident('subj_' + c.other.table)} AS sv WHERE sv.key = {alias}.__key)"


def _compare_expr(c: m.CompareColumns, left: dict, right: dict) -> str:
    op = "<>" if c.op == "!=" else c.op
    if c.kind == "number":
        r = right["number"]
        if c.factor != 1.0:
            r = f"{number(c.factor)} * {r}"
        if c.offset:
            r = f"{r} + ({number(c.offset)})"
        return f"({left['number']} {op} ({r}))"
    if c.kind == "date":
        return f"({left['date']} {op} {shift(right['date'], int(c.offset))})"
    texts = f"{left['text']} {op} {right['text']}" if c.op in ("=", "!=") else "CAST(NULL AS BOOLEAN)"
    return (
        f"(CASE WHEN {left['number']} IS NOT NULL OR {right['number']} IS NOT NULL "
        f"THEN {left['number']} {op} {right['number']} "
        f"WHEN {left['date']} IS NOT NULL OR {right['date']} IS NOT NULL THEN {left['date']} {op} {right['date']} "
        f"ELSE {texts} END)"
    )


def literal(lt: m.Literal) -> str:
    if lt.kind == "text":
        return text(lt.value)
    if lt.kind == "number":
        return number(lt.value)
    return date(lt.value)


def comment_safe(value: str) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in value)


# ---- the writer ------------------------------------------------------------------------------


class SqlWriter:
    """SQL text with a generated-line to .ept-line map; `file` is the .ept file's name as
    the comments show it (the model's `file_name`)."""

    def __init__(self, file: str):
        self.file = file
        self.lines: list = []  # a line's text, or a `later` statement's render
        self.line_map: dict[int, int] = {}
        # perf (issue 16), the script a run executes: relation -> its statement's lines, left
        # out when no other line names it (unread_relations, below) ...
        self.optional: dict[str, tuple[int, int]] = {}
        # ... and the relations the facts proven on the data leave without a row, which their
        # readers leave out (always empty in the general script: nothing is proven there)
        self.empty: set[str] = set()

    def line(self, sql: str = "", src=None) -> None:
        for i, part in enumerate(sql.split("\n")):
            if i == 0 and src is not None:
                line = src.line if hasattr(src, "line") else src
                self.line_map[len(self.lines) + 1] = line
                part = f"{part}  -- {self.file}:{line}"
            self.lines.append(part)

    def later(self, render: Callable[[], list[str]]) -> None:
        """Lines known only when the script is finished: `render()`'s, at this place, with no
        source line (a relation that endpoints written after this point add parts to:
        shared.grow_once)."""
        self.lines.append(render)

    def finish(self) -> tuple[str, dict[int, int]]:
        """The script's text and its line map, each `later` rendered in its place."""
        out: list[str] = []
        line_map: dict[int, int] = {}
        for at, entry in enumerate(self.lines, 1):
            if callable(entry):
                out.extend("\n".join(entry()).split("\n"))
                continue
            if at in self.line_map:
                line_map[len(out) + 1] = self.line_map[at]
            out.append(entry)
        return "\n".join(out) + "\n", line_map


def unread_relations(lines: list, relations: dict[str, tuple[int, int]]) -> None:
    """perf (issue 16): the relations (SqlWriter.optional: occ_<event> views, note_<event>,
    same_day_<n> and notes_<P> tables) that no other line of the script names, as a comment
    and blank lines (the line numbers, and so the line map, stay). Only a bounded, confirmed
    or derived event, a subject-level join or the same-day check reads an occurrence view
    (endpoint.py, confirm.py, best.py, ...); a finding table proven empty is left out by its
    readers (SqlWriter.empty). Each statement costs DuckDB a bind (0.4 to 1.7 ms of CPU at
    1k). Repeated until none is left out: a relation read only by one left out goes too. A
    statement still to be rendered (SqlWriter.later) is read as it will be written: its
    parts are all declared once the results are written."""
    texts = ["\n".join(e()) if callable(e) else e for e in lines]
    left = dict(relations)
    while True:
        unread = [
            (relation, start, stop)
            for relation, (start, stop) in left.items()
            if not any(
                ident(relation).lower() in line.lower()
                for at, line in enumerate(texts)
                if not start <= at < stop
            )
        ]
        if not unread:
            return
        for relation, start, stop in unread:
            blank = [f"-- ({comment_safe(ident(relation).lower())}: read by no statement, not created)"]
            blank += [""] * (stop - start - 1)
            lines[start:stop] = texts[start:stop] = blank
            del left[relation]


# ---- dates -------------------------------------------------------------------------------------


def minus_one(day: str) -> str:
    """The day before, held at the first day of the calendar (as the Python runtime's shift)."""
    return f"CASE WHEN {day} = {DAY_ONE} THEN {day} ELSE {day} - 1 END"


def plus_days(day: str, days: int) -> str:
    """day + days, held at the last day of the calendar (as the Python runtime's shift)."""
    if days > SPAN_DAYS:
        return NO_END_SQL
    last = dt.date.max - dt.timedelta(days=days)
    return f"CASE WHEN {day} > {date(last)} THEN {NO_END_SQL} ELSE {day} + {days} END"


def shift(day: str, days: int) -> str:
    """day + days, held at the ends of the calendar (as the Python runtime's shift)."""
    if days >= 0:
        return day if days == 0 else plus_days(day, days)
    if -days > SPAN_DAYS:
        return f"CASE WHEN {day} IS NOT NULL THEN {DAY_ONE} END"
    first = dt.date.min + dt.timedelta(days=-days)
    return f"CASE WHEN {day} < {date(first)} THEN {DAY_ONE} ELSE {day} - {-days} END"


# ---- events ----------------------------------------------------------------------------------


def event_closure(model: m.Model, names: list[str]) -> list[str]:
    """The events named plus the subject-level events bounding their imputed dates and the
    events a confirmed event reads (semantics 2.1), each after the events it reads."""
    out: list[str] = []

    def add(name: str) -> None:
        ev = model.event(name)
        reads = (*ev.not_before, *ev.not_after, *m.date_events(ev.date))  # reldates: a derived date
        reads += tuple(ev.confirm.reads()) if ev.confirm is not None else ()  # a confirmed event
        for other in reads:  # each after the events it reads
            if other not in out:
                add(other)
        if name not in out:
            out.append(name)

    for name in names:
        add(name)
    return out
