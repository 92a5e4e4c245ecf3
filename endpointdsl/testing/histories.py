"""Subject histories drawn from a definition itself (issue 15: generated properties).

`plan(model, ep)` reads the checked model once: every declared table with the columns the
file reads and how it reads each (check.usage), the values its conditions mention (texts,
numbers and dates: `PARAMCD = "OVR"`, `AVALC in ("CR", "PR")`, `AVAL >= 3`), the responses
of its criteria, and the day counts that matter to the endpoint (horizons, the missed-
assessment gap, a cut-off date). `histories(plan)` then draws a few subjects per example:
one subject-level row each (rarely two: a duplicate subject), its origin date mostly set,
and rows of the other tables that mostly aim at one of the table's events (the cells its
condition tests are set to values that satisfy it), dated before, on and after the origin,
around each horizon and beyond it; some cells are missing, partial (`2021-03`, also where an
event imputes) or impossible (`2021-02-30`) where the column is read as a date.
"""

from __future__ import annotations

import datetime as dt
import functools
import math

from attrs import frozen
from hypothesis import strategies as st

from ..check import model as m
from ..check.usage import column_uses, table_usage

DAY0 = dt.date(2020, 1, 1)
OTHER_TEXT = "OTHER"  # a text no condition mentions
READER_RANK = ("key", "date", "number", "text", "any")  # a column read two ways: the first wins


@frozen
class ColumnPlan:
    name: str
    reader: str  # "key", "date", "number", "text" or "any" (check.usage)
    texts: tuple[str, ...] = ()
    numbers: tuple[float, ...] = ()
    dates: tuple[dt.date, ...] = ()  # dates a condition compares with
    iso: bool = True  # read as ISO 8601 text (no declared format): drawn as text, else as dates
    origin: bool = False  # the date column of the endpoint's subject-level origin event


@frozen
class TablePlan:
    name: str
    per_subject: bool
    key: str
    columns: tuple[ColumnPlan, ...]
    aims: tuple[m.Condition, ...]  # the conditions of the table's events, for rows that meet one


@frozen
class Plan:
    tables: tuple[TablePlan, ...]
    offsets: tuple[int, ...]  # days after the subject's anchor date that matter to the endpoint
    anchors: tuple[dt.date, ...]  # dates around which subjects start (a cut-off, or 2020-01-01)
    span: int  # the days a history covers after its anchor

    @property
    def subject_table(self) -> TablePlan:
        return next(t for t in self.tables if t.per_subject)

    def table(self, name: str) -> TablePlan:
        return next(t for t in self.tables if t.name == name)


@frozen
class History:
    """Rows per table (dicts, every column the file reads), several subjects, in input order."""

    tables: dict[str, list[dict]]
    columns: dict[str, tuple[str, ...]]
    keys: dict[str, str]  # table -> key column

    def subjects(self) -> list[str]:
        """The subject keys of the subject-level rows, first-seen order, without repeats."""
        subject = next(iter(self.tables))
        return list(dict.fromkeys(r[self.keys[subject]] for r in self.tables[subject]))

    def of(self, subject: str) -> dict[str, list[dict]]:
        return {t: [r for r in rows if r[self.keys[t]] == subject] for t, rows in self.tables.items()}

    def frames(self):
        import pandas as pd

        return {
            t: pd.DataFrame(rows, columns=list(self.columns[t]), dtype=object)
            for t, rows in self.tables.items()
        }


# ---- the plan: what the definition reads -----------------------------------------------------


def plan(model: m.Model, ep: m.EndpointSpec) -> Plan:
    usage = table_usage(model)
    readers: dict[tuple[str, str], str] = {}
    for use in column_uses(model):
        old = readers.get((use.table, use.column))
        if old is None or READER_RANK.index(use.reader) < READER_RANK.index(old):
            readers[(use.table, use.column)] = use.reader
    values = _mentioned(model)
    formats = {(t, c): fmt for t, meta in usage.items() for c, fmt, *_ in meta["dates"]}
    origin = _origin_column(model, ep)
    responses = _responses(model)
    tables = []
    subject_first = sorted(model.tables, key=lambda t: not t.per_subject)
    for t in subject_first:
        columns = []
        for c in usage[t.name]["columns"]:
            reader = "key" if c == t.key else readers.get((t.name, c), "any")
            texts, numbers, dates = values.get((t.name, c), ((), (), ()))
            if reader in ("text", "any"):
                texts = tuple(dict.fromkeys((*texts, *responses.get((t.name, c), ()))))
            columns.append(
                ColumnPlan(c, reader, texts, numbers, dates, formats.get((t.name, c)) in (None, "YYYY-MM-DD"),
                           origin == (t.name, c))
            )  # fmt: skip
        if t.per_subject:  # adam: the columns `keep` carries must be there (a *DT column holds dates)
            for kept in model.adam.keep:
                if kept.column not in usage[t.name]["columns"]:
                    dated = kept.name.endswith(("DT", "DTM"))
                    columns.append(ColumnPlan(kept.column, "date" if dated else "text", ("A", "B")))
        aims = tuple(ev.where for ev in model.events if ev.table == t.name and ev.where is not None)
        tables.append(TablePlan(t.name, t.per_subject, t.key, tuple(columns), aims))
    offsets, span = _offsets(ep)
    anchors = tuple(
        b.date.value for b in ep.bounds if b.kind == "cutoff" and b.date.kind == "literal" and b.date.value
    )
    return Plan(tuple(tables), offsets, anchors or (DAY0,), span)


def _origin_column(model: m.Model, ep: m.EndpointSpec) -> tuple[str, str] | None:
    if ep.origin.event is None:
        return None
    ev = model.event(ep.origin.event)
    if ev.derived or ev.confirm is not None or ev.date is not None or not ev.per_subject:
        return None
    return (ev.table, ev.column)


def _responses(model: m.Model) -> dict[tuple[str, str], tuple[str, ...]]:
    """The categories a response column may hold: RECIST's, ND, and those of any criteria set."""
    names = [*m.RESPONSES, m.NOT_DONE]
    for ep in model.endpoints:
        if ep.response is not None and ep.response.criteria is not None:
            names += ep.response.criteria.names
    found = {}
    for ev in model.events:
        if ev.response and not ev.derived:
            found[(ev.table, ev.response)] = tuple(dict.fromkeys(names))
    return found


def _mentioned(model: m.Model) -> dict[tuple[str, str], tuple[tuple, tuple, tuple]]:
    """(texts, numbers, dates) that the file's conditions compare each (table, column) with."""
    out: dict[tuple[str, str], tuple[list, list, list]] = {}

    def walk(cond, table):
        match cond:
            case m.Compare(column=c, literal=lit):
                add(table, c, [lit])
            case m.InList(column=c, literals=lits):
                add(table, c, list(lits))
            case m.And(left=a, right=b) | m.Or(left=a, right=b):
                walk(a, table)
                walk(b, table)
            case m.Not(operand=a):
                walk(a, table)

    def add(table, column, lits):
        texts, numbers, dates = out.setdefault((table, column), ([], [], []))
        for lit in lits:
            if lit.kind == "text":
                texts.append(lit.value)
            elif lit.kind == "number":
                numbers += [lit.value, lit.value - 1, lit.value + 1]
            else:
                dates += [lit.value + dt.timedelta(days=d) for d in (-1, 0, 1) if _ok(lit.value, d)]

    for ev in model.events:
        if not ev.derived:
            walk(ev.where, ev.table)
    for ep in model.endpoints:
        if ep.population.kind == "where":
            walk(ep.population.where, ep.population.table)
        if ep.value is not None:
            walk(ep.value.series.where, ep.value.series.table)
            walk(ep.value.series.blq, ep.value.series.table)
    return {k: tuple(tuple(dict.fromkeys(x)) for x in v) for k, v in out.items()}


def _ok(day: dt.date, delta: int) -> bool:
    return dt.date.min.toordinal() < day.toordinal() + delta < dt.date.max.toordinal()


def _offsets(ep: m.EndpointSpec) -> tuple[tuple[int, ...], int]:
    """Days after the anchor that matter: the origin, its neighbours, each horizon's last days
    and beyond, and the gap of a missed-assessment rule; and how far histories reach."""
    found = {-30, -1, 0, 1, 2, 7, 14, 28, 29, 30, 42, 56, 90, 180}
    for b in ep.bounds:
        if b.kind == "horizon":
            h = b.amount * (m.UNIT_DAYS.get(b.unit, 1.0))
            for d in (math.floor(h) - 1, math.floor(h), math.ceil(h), math.floor(h) + 1, 2 * math.ceil(h)):
                found.add(int(d))
    if ep.missed is not None:
        for every, _ in ep.missed.schedule.pieces:
            gap = ep.missed.count * every + ep.missed.schedule.window
            found |= {int(gap) - 1, int(gap), int(gap) + 1, int(gap) + 2}
    if ep.response is not None:
        for bound in (ep.response.start, ep.response.stop):
            if bound is not None and bound.day is not None:
                found |= {bound.day - 1, bound.day, bound.day + 1}
    span = max(max(found), 400)
    return tuple(sorted(d for d in found if abs(d) < 200_000)), span


# ---- drawing ---------------------------------------------------------------------------


# Strategies are built once per column (functools.cache: plans are frozen) and draw what does not
# depend on the subject; a date is drawn as days after the subject's anchor, made a cell later.
_SHAPES = ("day",) * 22 + ("partial", "impossible")


@functools.cache
def _day_offsets(offsets: tuple[int, ...], span: int):
    return st.one_of(st.sampled_from(offsets), st.integers(-40, span))


@functools.cache
def _date_parts(col: ColumnPlan, offsets: tuple[int, ...], span: int, subject_level: bool):
    """(shape, days after the anchor or an absolute date); shape None: missing."""
    missing = (None,) * (1 if not subject_level else 4)  # a subject-level date is often absent (no death)
    shapes = st.sampled_from((*missing, *(_SHAPES * (1 if subject_level else 3))))
    days = _day_offsets(offsets, span)
    if col.dates:
        days = st.one_of(days, st.sampled_from(col.dates))
    return st.tuples(shapes if col.iso else shapes.map(lambda x: x if x is None else "day"), days)


def _date_value(parts, col: ColumnPlan, anchor: dt.date):
    shape, days = parts
    if shape is None:
        return None
    day = days if isinstance(days, dt.date) else anchor + dt.timedelta(days=days)
    if not col.iso:
        return day  # a declared format: a date object is a date in any format (semantics 1)
    if shape == "partial":  # usable only where an event imputes
        return day.isoformat()[:7]
    if shape == "impossible":  # not a calendar date
        return f"{day.year:04d}-02-30"
    return day.isoformat()


@functools.cache
def _number_cell(col: ColumnPlan):
    pool = tuple(dict.fromkeys((*col.numbers, 0.0, 1.0, 2.0, 3.0, 5.0)))
    return st.one_of(st.sampled_from(pool), st.none(), st.integers(-2, 60).map(float))


@functools.cache
def _text_cell(col: ColumnPlan):
    pool = (*col.texts, OTHER_TEXT)
    return st.sampled_from((*pool, *pool, None))


@functools.cache
def _cell(col: ColumnPlan, offsets: tuple[int, ...], span: int, subject_level: bool):
    """A strategy of (kind, raw): "date" raws need the anchor (`_materialise`)."""
    dates = _date_parts(col, offsets, span, subject_level).map(lambda p: ("date", p))
    numbers = _number_cell(col).map(lambda x: ("value", x))
    texts = _text_cell(col).map(lambda x: ("value", x))
    if col.origin:  # the origin date is mostly the anchor itself
        anchor = st.just(("date", ("day", 0)))
        return st.one_of(anchor, anchor, anchor, anchor, anchor, dates)
    if col.reader == "date":
        return dates
    if col.reader == "number":
        return numbers
    if col.reader == "text":
        return texts
    return st.one_of(texts, numbers, dates) if col.texts else st.one_of(numbers, dates)


def _materialise(drawn, col: ColumnPlan, anchor: dt.date):
    kind, raw = drawn
    return _date_value(raw, col, anchor) if kind == "date" else raw


@st.composite
def _aimed(draw, cond, anchor: dt.date) -> dict:
    """Cells that make `cond` true (as far as a plain choice can), to overlay on a drawn row."""
    match cond:
        case m.And(left=a, right=b):
            return {**draw(_aimed(a, anchor)), **draw(_aimed(b, anchor))}
        case m.Or(left=a, right=b):
            return draw(_aimed(a if draw(st.booleans()) else b, anchor))
        case m.Compare(column=c, op=op, literal=lit):
            return {c: draw(_meeting(op, lit))}
        case m.InList(column=c, literals=lits, negated=False) if lits:
            return {c: _as_cell(draw(st.sampled_from(lits)).value)}
        case m.InList(column=c, negated=True):
            return {c: OTHER_TEXT}
        case m.IsMissing(column=c, negated=False):
            return {c: None}
    return {}


@st.composite
def _meeting(draw, op: str, lit: m.Literal):
    value = lit.value
    if lit.kind == "text":
        return value if op in ("=", "<=", ">=") else OTHER_TEXT
    step = dt.timedelta(days=1) if lit.kind == "date" else 1.0
    if op in ("=", "<=", ">="):
        out = value
    elif op in ("<",):
        out = value - step
    elif op in (">", "!="):
        out = value + step
    else:
        out = value
    if lit.kind == "date" and op in ("<=", ">=") and draw(st.booleans()):
        out = value - step if op == "<=" else value + step
    return _as_cell(out)


def _as_cell(value):
    return value.isoformat() if isinstance(value, dt.date) else value


@st.composite
def _row(draw, table: TablePlan, key: str, anchor: dt.date, plan_: Plan) -> dict:
    row = {}
    for col in table.columns:
        if col.reader == "key":
            row[col.name] = key
        else:
            drawn = draw(_cell(col, plan_.offsets, plan_.span, table.per_subject))
            row[col.name] = _materialise(drawn, col, anchor)
    if table.aims and draw(st.integers(0, 3)) > 0:  # most rows meet one of the table's events
        aimed = draw(_aimed(draw(st.sampled_from(table.aims)), anchor))
        for name, value in aimed.items():
            col = next((c for c in table.columns if c.name == name), None)
            if col is not None and col.reader != "key":
                row[name] = value if col.iso or not isinstance(value, str) else _from_iso(value)
    return row


def _from_iso(value: str):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return value


@st.composite
def histories(draw, plan_: Plan, max_subjects: int = 4, max_rows: int = 4) -> History:
    n = draw(st.integers(1, max_subjects))
    tables: dict[str, list[dict]] = {t.name: [] for t in plan_.tables}
    for i in range(1, n + 1):
        key = f"S{i}"
        base = draw(st.sampled_from(plan_.anchors))
        anchor = base - dt.timedelta(days=draw(st.sampled_from((0, 30, 200, 400, 1100))))
        anchor += dt.timedelta(days=draw(st.integers(-5, 5)))
        for t in plan_.tables:
            count = 1 if t.per_subject else draw(st.integers(0, max_rows))
            if t.per_subject and draw(st.integers(0, 15)) == 0:
                count = 2  # a duplicate subject: excluded from every endpoint, and reported
            tables[t.name] += [draw(_row(t, key, anchor, plan_)) for _ in range(count)]
    return History(
        tables,
        {t.name: tuple(c.name for c in t.columns) for t in plan_.tables},
        {t.name: t.key for t in plan_.tables},
    )


def later_rows(draw, plan_: Plan, history: History, subject: str, after: dt.date) -> dict[str, list[dict]]:
    """Rows of the many-rows tables for `subject`, each a copy of a drawn row whose every date
    cell lies after `after` (property 4): occurrences after the deciding date."""
    out: dict[str, list[dict]] = {}
    for t in plan_.tables:
        if t.per_subject:
            continue
        for _ in range(draw(st.integers(0, 3))):
            row = draw(_row(t, subject, after, plan_))
            for col in t.columns:
                if col.reader == "date":
                    day = after + dt.timedelta(days=draw(st.integers(1, 400)))
                    row[col.name] = day.isoformat() if col.iso else day
            out.setdefault(t.name, []).append(row)
    return out
