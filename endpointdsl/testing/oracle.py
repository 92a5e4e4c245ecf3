"""The properties' own reading of a definition (issue 15): written from docs/semantics.md
sections 1-4 for the cells `histories` draws, and sharing no code with the engines, so that a
property compares an engine with a second reading rather than with itself.

It reads only plain events (rows of a declared table with a condition: no confirmed event,
no derived date, no other endpoint's rows) and dates that are date objects or complete ISO
8601 texts. Where a subject's answer depends on more (a partial date under `impute`), the
reading says UNDECIDED and the properties leave that subject out.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re

from attrs import frozen

from ..check import model as m

UNDECIDED = object()
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_PARTIAL = re.compile(r"^\d{4}(-\d{2})?$")


@frozen
class Occ:
    event: str
    date: dt.date
    seq: float | None
    row: int


def plain(model: m.Model, name: str | None) -> bool:
    if name is None:
        return True
    ev = model.event(name)
    return not ev.derived and ev.confirm is None and ev.date is None


# ---- cells -------------------------------------------------------------------------------


def as_date(cell) -> dt.date | None:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, str):
        found = _ISO_DAY.match(cell.strip())
        if found:
            try:
                return dt.date(*(int(x) for x in found.groups()))
            except ValueError:
                return None
    return None


def as_number(cell) -> float | None:
    if cell is None or isinstance(cell, (bool, dt.date)):
        return None
    try:
        x = float(cell)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def as_text(cell) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.date):
        return cell.isoformat()
    text = str(cell).rstrip()
    return text or None


def read(cell, kind: str):
    return {"text": as_text, "number": as_number, "date": as_date}[kind](cell)


_OPS = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}  # fmt: skip


def truth(cond: m.Condition, row: dict, subject: dict[str, list[dict]]):
    """True, False or None (unknown): Kleene's logic of semantics 1."""
    match cond:
        case m.Compare(column=c, op=op, literal=lit):
            x = read(row.get(c), lit.kind)
            return None if x is None else _OPS[op](x, lit.value)
        case m.InList(column=c, literals=lits, negated=neg):
            xs = [read(row.get(c), lit.kind) for lit in lits]
            if not lits:
                return None if row.get(c) is None else neg
            if any(x is None for x in xs):
                return None
            hit = any(x == lit.value for x, lit in zip(xs, lits, strict=True))
            return hit != neg
        case m.IsMissing(column=c, negated=neg):
            return (row.get(c) is not None) if neg else (row.get(c) is None)
        case m.Not(operand=a):
            x = truth(a, row, subject)
            return None if x is None else not x
        case m.And(left=a, right=b):
            x, y = truth(a, row, subject), truth(b, row, subject)
            return False if (x is False or y is False) else (True if x and y else None)
        case m.Or(left=a, right=b):
            x, y = truth(a, row, subject), truth(b, row, subject)
            return True if (x is True or y is True) else (False if x is False and y is False else None)
        case m.CompareColumns():
            return _columns_truth(cond, row, subject)
    raise TypeError(cond)


def _columns_truth(cond: m.CompareColumns, row: dict, subject: dict[str, list[dict]]):
    o = cond.other
    if o.table is None:
        right = row.get(o.column)
    else:
        rows = subject.get(o.table, [])
        right = rows[0].get(o.column) if len(rows) == 1 else None
    left = row.get(cond.column)
    if cond.kind == "any":
        (ka, a), (kb, b) = _kind(left), _kind(right)
        if ka is None or ka != kb or (ka == "text" and cond.op not in ("=", "!=")):
            return None
        return _OPS[cond.op](a, b)
    a, b = read(left, cond.kind), read(right, cond.kind)
    if a is None or b is None:
        return None
    if cond.kind == "number":
        b = cond.factor * b + cond.offset
    else:
        ordinal = min(max(b.toordinal() + int(cond.offset), 1), dt.date.max.toordinal())
        b = dt.date.fromordinal(ordinal)
    return _OPS[cond.op](a, b)


def _kind(cell):
    for kind in ("number", "date", "text"):
        x = read(cell, kind)
        if x is not None:
            return kind, x
    return None, None


# ---- occurrences, origin, end of observation ---------------------------------------------


def occurrences(model: m.Model, name: str, subject: dict[str, list[dict]]):
    """The event's occurrences in order (date, sequence with missing last, row), or UNDECIDED
    when a selected row has a partial date that the event imputes."""
    ev = model.event(name)
    found = []
    for number, row in enumerate(subject.get(ev.table, []), 1):
        if ev.where is not None and truth(ev.where, row, subject) is not True:
            continue
        cell = row.get(ev.column)
        day = as_date(cell)
        if day is None:
            if ev.impute and isinstance(cell, str) and _PARTIAL.match(cell.strip()):
                return UNDECIDED
            continue
        seq = as_number(row.get(ev.sequence)) if ev.sequence else None
        found.append(Occ(name, day, seq, number))
    found.sort(key=lambda o: (o.date, o.seq is None, o.seq or 0.0, o.row))
    return found


@frozen
class Window:
    origin: dt.date
    end: dt.date | None  # None: no end of observation
    limiting: m.Bound | None


def date_of(model: m.Model, spec: m.DateSpec, subject: dict[str, list[dict]]):
    """A DateSpec's date (None: none), or UNDECIDED."""
    if spec.kind == "literal":
        return spec.value
    occ = occurrences(model, spec.event, subject)
    if occ is UNDECIDED:
        return UNDECIDED
    if not occ:
        return None
    return max(o.date for o in occ) if spec.kind == "last" else min(o.date for o in occ)


def window(model: m.Model, ep: m.EndpointSpec, subject: dict[str, list[dict]]):
    """The origin and the end of observation (semantics 3, steps 2-3); None when the subject
    has no origin; UNDECIDED when a date it needs is."""
    origin = date_of(model, ep.origin, subject)
    if origin is None or origin is UNDECIDED:
        return origin
    end, limiting = None, None
    for b in ep.bounds:
        day = _bound_end(model, b, origin, subject)
        if day is UNDECIDED:
            return UNDECIDED
        if day is not None and (end is None or day < end):
            end, limiting = day, b
    return Window(origin, end, limiting)


def _bound_end(model, b: m.Bound, origin: dt.date, subject):
    if b.kind == "horizon":
        if b.calendar:
            n = int(b.amount)
            if b.unit in ("days", "weeks"):
                last = _add(origin, n * (7 if b.unit == "weeks" else 1))
            else:
                last = _months(origin, n * (12 if b.unit == "years" else 1))
            return last if b.inclusive else _add(last, -1)
        length = b.amount * m.UNIT_DAYS[b.unit]  # observed: elapsed <= length (or < length)
        return _add(origin, math.floor(length) if b.inclusive else math.ceil(length) - 1)
    if b.kind == "cutoff":
        day = date_of(model, b.date, subject)
        if day is None or day is UNDECIDED:
            return day
        return day if b.inclusive else _add(day, -1)
    occ = occurrences(model, b.event, subject)  # stop at E: its first date on or after the origin
    if occ is UNDECIDED:
        return UNDECIDED
    later = [o.date for o in occ if o.date >= origin]
    if not later:
        return None
    return min(later) if b.inclusive else max(origin, _add(min(later), -1))


def _add(day: dt.date, days: int) -> dt.date:
    return dt.date.fromordinal(min(max(day.toordinal() + days, 1), dt.date.max.toordinal()))


def _months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole calendar months, clipped to the target month's last day."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if year > dt.MAXYEAR:
        return dt.date.max
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


# ---- the event step (semantics 3, step 4) ------------------------------------------------


@frozen
class Expected:
    """What the event step decides: ADT and CNSR (0, a competing code, or the missed rule's)."""

    adt: dt.date
    cnsr: int
    event: str


def in_population(model: m.Model, ep: m.EndpointSpec, subject) -> bool | object:
    pop = ep.population
    if pop.kind == "with":
        occ = occurrences(model, pop.event, subject)
        return occ if occ is UNDECIDED else bool(occ)
    if pop.kind == "where":
        return any(truth(pop.where, r, subject) is True for r in subject.get(pop.table, []))
    return True


def event_step(model: m.Model, ep: m.EndpointSpec, win: Window, subject):
    """The earliest terminating occurrence in the window as an Expected, None without one,
    or UNDECIDED."""
    best = None
    interest_first = ep.same_day != "competing"
    for pos, term in enumerate(ep.events):
        occ = occurrences(model, term.event, subject)
        if occ is UNDECIDED:
            return UNDECIDED
        for o in occ:
            if (o.date < win.origin and not ep.clamp) or (win.end is not None and o.date > win.end):
                continue
            kind = 0 if (term.cnsr == 0) == interest_first else 1
            key = (o.date, kind, pos)
            if best is None or key < best[0]:
                best = (key, o, term)
    if best is None:
        return None
    o, term = best[1], best[2]
    adt = max(o.date, win.origin) if ep.clamp else o.date
    if ep.missed is not None:  # FDA B9: censored at the last assessment before a late event
        rule = ep.missed
        occ = occurrences(model, rule.event, subject)
        if occ is UNDECIDED:
            return UNDECIDED
        before = [a.date for a in occ if a.date < o.date and (ep.clamp or a.date >= win.origin)]
        last = max(before) if before else win.origin
        elapsed = (last - win.origin).days
        interval = next(e for e, until in rule.schedule.pieces if until is None or elapsed < until)
        if (o.date - last).days > rule.count * interval + rule.schedule.window:
            return Expected(max(last, win.origin) if ep.clamp else last, rule.outcome.cnsr, rule.event)
    return Expected(adt, term.cnsr, term.event)
