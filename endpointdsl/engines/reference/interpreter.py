"""Reference interpreter: derives one subject straight from the checked model.

This is the second programmer of the double-programming check. It is written
from the semantics in docs/semantics.md, as plainly as possible, and shares
with the compiled path only the input reading (`parse_date` for ISO 8601 texts and
imputation, `Subject`) and the result types; dates in other formats it reads with its
own code (`dates`). Speed is not a goal here.
"""

from __future__ import annotations

import datetime as dt
import math

import attrs

from ...check import model as m
from ...data.dates import impute
from ...data.records import Derivation, Record
from ...data.values import Row, Subject, normalise
from . import confirm, extreme, reldates, response
from . import value as values
from .clock import derive_timed, read_time
from .common import note, plus_days, read_cell
from .dates import read_date

# ---- row conditions --------------------------------------------------------------


def holds(cond: m.Condition, row: dict, subject: Subject | None = None):
    """Kleene three-valued logic: True, False or None (unknown); `subject` gives the cells of
    one-row-per-subject tables that a condition compares with."""
    if isinstance(cond, m.CompareColumns):
        return holds_compare_columns(cond, row, subject)
    if isinstance(cond, m.Compare):
        left = read_cell(row.get(cond.column), cond.literal.kind, cond.format)
        if left is None:
            return None
        right = cond.literal.value
        return {
            "=": left == right, "!=": left != right, "<": left < right,
            "<=": left <= right, ">": left > right, ">=": left >= right,
        }[cond.op]  # fmt: skip
    if isinstance(cond, m.InList):
        if not cond.literals:
            return None if row.get(cond.column) is None else cond.negated
        values = [read_cell(row.get(cond.column), lit.kind, cond.format) for lit in cond.literals]
        if any(v is None for v in values):
            return None
        hit = any(v == lit.value for v, lit in zip(values, cond.literals, strict=True))
        return (not hit) if cond.negated else hit
    if isinstance(cond, m.IsMissing):
        return (row.get(cond.column) is not None) if cond.negated else (row.get(cond.column) is None)
    if isinstance(cond, m.Not):
        inner = holds(cond.operand, row, subject)
        return None if inner is None else not inner
    a, b = holds(cond.left, row, subject), holds(cond.right, row, subject)
    if isinstance(cond, m.And):
        if a is False or b is False:
            return False
        return True if (a is True and b is True) else None
    if a is True or b is True:
        return True
    return False if (a is False and b is False) else None


# ---- conditions comparing with other values (issue 12: conditions) ------------------


def holds_compare_columns(cond: m.CompareColumns, row: dict, subject: Subject | None):
    """Section 1: the row's cell against factor x the other cell + offset, both of one kind."""
    other = cond.other
    if other.table is None:
        right_cell = row.get(other.column)
    else:  # the subject's row of that table; none, or several: missing
        rows = subject.rows(other.table) if subject is not None else []
        right_cell = rows[0].get(other.column) if len(rows) == 1 else None
    left_cell = row.get(cond.column)
    if cond.kind == "any":
        kind_l, left = kind_of(left_cell)
        kind_r, right = kind_of(right_cell)
        if kind_l is None or kind_r != kind_l:
            return None
        if kind_l == "text" and cond.op not in ("=", "!="):
            return None
    else:
        left = read_cell(left_cell, cond.kind, cond.format)
        right = read_cell(right_cell, cond.kind, other.format)
        if left is None or right is None:
            return None
        if cond.kind == "number":
            right = cond.factor * right + cond.offset
        else:
            right = plus_days(right, int(cond.offset))
    return {
        "=": left == right, "!=": left != right, "<": left < right,
        "<=": left <= right, ">": left > right, ">=": left >= right,
    }[cond.op]  # fmt: skip


def kind_of(cell):
    """A cell as a number if it reads as one, else as an ISO 8601 date, else as a text."""
    x = read_cell(cell, "number")
    if x is not None:
        return "number", x
    d = read_cell(cell, "date")
    if d is not None:
        return "date", d
    t = read_cell(cell, "text")
    return (None, None) if t is None else ("text", t)


# ---- occurrences -------------------------------------------------------------------


# ---- finer imputation (issue 12)
def bound_dates(model: m.Model, src: m.EventSource, side: str, subject: Subject, findings: list) -> list:
    """The dates bounding an imputed date: each bound event's date plus its offset in days.
    A subject without the bound's date has no bound; a date moved off the calendar neither."""
    dates = []
    for event, days in src.imputation_bounds(side):
        for o in occurrences(model, event, subject, findings):
            ordinal = o["date"].toordinal() + days
            if dt.date.min.toordinal() <= ordinal <= dt.date.max.toordinal():
                dates.append(dt.date.fromordinal(ordinal))
    return dates


def occurrences(model: m.Model, event: str, subject: Subject, findings: list) -> list[dict]:
    src = model.event(event)
    if src.confirm is not None:  # a confirmed or sustained event (section 2.1)
        reads = {name: occurrences(model, name, subject, findings) for name in src.confirm.reads()}
        return confirm.confirmed(event, src.confirm, reads)
    if src.date is not None:  # reldates: a derived date, from other events' occurrences
        return reldates.derived(model, src, subject, findings, occurrences)
    found = []
    if src.impute:  # bounds: the single date of other subject-level events
        before = bound_dates(model, src, "before", subject, findings)
        after = bound_dates(model, src, "after", subject, findings)
    # An event on another endpoint's rows reads that endpoint's result (section 6.5).
    rows = derived_rows(model, src.table, subject) if src.derived else subject.rows(src.table)
    for row in rows:
        if src.where is not None and holds(src.where, row, subject) is not True:
            continue
        flag = None
        if src.impute:
            date, flag, problem = impute(row.get(src.column), src.impute, before, after, src.impute_day_only)
        else:
            date, problem = read_date(row.get(src.column), src.format)
        if date is None:
            # A blank date in a subject-level column without a condition means "did not happen".
            if problem == "missing" and src.per_subject and src.where is None:
                continue
            note(
                findings,
                f"{src.display}: {src.table} row {row.number} has no usable {src.column} ({problem}); not counted",
            )
            continue
        seq = read_cell(row.get(src.sequence), "number") if src.sequence else None
        found.append(
            {"event": event, "date": date, "domain": None if src.derived else model.table(src.table).domain,
             "column": src.column, "seq": seq, "row": row.number, "flag": flag,
             "value": read_cell(row.get(src.response), "text") if src.response else None}
        )  # fmt: skip
        if src.rank:  # extreme (issue 19, part 2): `first|last by COLUMN` orders by its number
            found[-1]["rank"] = read_cell(row.get(src.rank), "number")
        if src.derived:
            found[-1].update(traced(src, row))
        found[-1]["time"] = read_time(row.get(src.column), src.format) if src.time else None
    # Total order: date, then sequence (missing last), then input row (the time of day of a
    # `with time` event takes part only in endpoints timed by the clock: clock.derive_timed).
    found.sort(key=lambda o: (o["date"], o["seq"] is None, o["seq"] or 0.0, o["row"]))
    seen = set()
    for o in found:
        key = (o["date"], o["seq"])
        if key in seen:
            what = f"the same {src.sequence}" if src.sequence else "no sequence variable"
            note(
                findings,
                f"{src.display}: several {src.table} records on {o['date']} with {what}; SRCSEQ cannot tell them apart",
            )
        seen.add(key)
    return found


def _referenced(ep: m.EndpointSpec) -> list[str]:
    names = [ep.population.event, ep.origin.event]
    names += [t.event for t in ep.events]
    names += [ch.date.event for rule in ep.censoring for ch in rule.choices]
    names += [c.event for rule in ep.censoring for c in rule.conditions]
    names += [ep.missed.event] if ep.missed else []
    names += [b.event for b in ep.bounds] + [b.date.event for b in ep.bounds if b.date]
    if ep.response is not None:
        r = ep.response
        names += [r.event, r.evaluable_by] + [b.event for b in (r.start, r.stop) if b is not None]
        names += r.extreme.events() if r.extreme is not None else []  # extreme (issue 19, part 2)
    return [x for x in names if x]


# ---- endpoints as tables (6.5) -----------------------------------------------------


def derived_rows(model: m.Model, paramcd: str, subject: Subject) -> list[Row]:
    """The other endpoint's row for this subject: derived again by this interpreter, so
    the two implementations never share a result (no cache on the subject)."""
    record = derive(model, model.endpoint(paramcd), subject).record
    if record is None:
        return []
    return [Row({f.name: normalise(getattr(record, f.name)) for f in attrs.fields(Record)}, 1)]


def traced(src: m.EventSource, row: Row) -> dict:
    """A derived occurrence points back at the assessment that decided the row, not at
    the row itself; its date flag is the flag of the date column read."""
    return {
        "domain": row.get("SRCDOM"),
        "column": row.get("SRCVAR"),
        "seq": read_cell(row.get("SRCSEQ"), "number"),
        "flag": row.get("ADTF" if src.column == "ADT" else "STARTDTF"),
    }


# ---- the derivation ---------------------------------------------------------------


def _month_add(d: dt.date, months: int) -> dt.date:
    y, mo = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, mo + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    day = d.day
    while True:  # walk back from the day of the month until the date exists
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1


def _bound_date(b: m.Bound, origin: dt.date, occ: dict) -> dt.date | None:
    if b.kind == "horizon":
        if b.calendar:
            n = int(b.amount)
            if b.unit == "days":
                last = plus_days(origin, n)
            elif b.unit == "weeks":
                last = plus_days(origin, 7 * n)
            else:
                last = _month_add(origin, n * (12 if b.unit == "years" else 1))
            return last if b.inclusive else plus_days(last, -1)
        length = b.amount * m.UNIT_DAYS[b.unit]
        # inclusive: elapsed <= length; exclusive: elapsed < length (elapsed in whole days)
        elapsed = math.floor(length) if b.inclusive else math.ceil(length) - 1
        return plus_days(origin, elapsed)
    if b.kind == "cutoff":
        if b.date.kind == "literal":
            day = b.date.value
        else:
            got = _date_of(b.date, occ, origin)
            if got is None:
                return None
            day = got["date"]
    else:  # a stopping event counts only on or after the origin
        dates = [o["date"] for o in occ[b.event] if o["date"] >= origin]
        if not dates:
            return None
        first = min(dates)
        if not b.inclusive and first == origin:
            return origin  # the origin day itself stays observed
        day = first
    return day if b.inclusive else plus_days(day, -1)


def _date_of(spec: m.DateSpec, occ: dict, origin) -> dict | None:
    rows = occ[spec.event]
    if not rows:
        return None
    return rows[-1] if spec.kind == "last" else rows[0]


def derive(model: m.Model, ep: m.EndpointSpec, subject: Subject) -> Derivation:
    if ep.value is not None:  # value endpoints (issue 14): a number from a series
        return values.derive(ep, subject, holds, lambda name, found: occurrences(model, name, subject, found))
    findings: list[str] = []

    def result(record=None, excluded=None):
        return Derivation(subject.id, ep.paramcd, record, excluded, tuple(findings))

    occ = {name: occurrences(model, name, subject, findings) for name in dict.fromkeys(_referenced(ep))}

    pop = ep.population
    if pop.kind == "with" and not occ[pop.event]:
        return result(excluded=f"not in population: {pop.description}")
    if pop.kind == "where" and not any(holds(pop.where, r, subject) is True for r in subject.rows(pop.table)):
        return result(excluded=f"not in population: {pop.description}")

    origin_occ = _date_of(ep.origin, occ, None)
    if origin_occ is None:
        if ep.response is not None and ep.response.no_origin_assessed:
            return result(record=response.not_assessed(ep, subject))
        return result(excluded=f"no origin date: {ep.origin.describe()} has no usable date")
    origin = origin_occ["date"]

    end, limiting = dt.date.max, None
    for b in ep.bounds:
        day = _bound_date(b, origin, occ)
        if day is not None and day < end:
            end, limiting = day, b
    if end < origin:
        return result(excluded=f"observation ends before the origin: {limiting.description} on {end}")
    if m.timed(ep):  # times of day: `time in hours|minutes`
        rec, why = derive_timed(ep, subject.id, occ, origin_occ, findings)
        return result(record=rec, excluded=why)
    if ep.response is not None and ep.response.kind == "extreme":  # extreme (issue 19, part 2)
        rec, why = extreme.derive_extreme(model, ep, subject, occ, origin_occ, end, findings)
        return result(record=rec, excluded=why)
    if ep.response is not None:  # section 6: a parameter row instead of a time-to-event record
        rec, why = response.derive_response(model, ep, subject, occ, origin_occ, end, findings)
        return result(record=rec, excluded=why)

    def in_window(o):
        return o["date"] <= end and (ep.clamp or o["date"] >= origin)

    def record(date, cnsr, evntdesc, cnsdtdsc, src):
        adt = max(date, origin) if ep.clamp else date
        days = (adt - origin).days + ep.origin_day
        return Record(
            subject.id, ep.paramcd, ep.param, origin, adt, days / m.UNIT_DAYS[ep.unit],
            m.AVALU[ep.unit], cnsr, evntdesc, cnsdtdsc,
            src["domain"] if src else None, src["column"] if src else None,
            src["seq"] if src else None,
            STARTDTF=origin_occ["flag"],
            ADTF=src["flag"] if src is not None and src["date"] == adt else None,
        )  # fmt: skip

    best = None  # (date, listed position, occurrence order, occurrence, description)
    for pos, term in enumerate(ep.events):
        for o in occ[term.event]:
            if not ep.clamp and o["date"] < origin:
                note(findings, f"{o['event']} on {o['date']} is before the origin {origin}; ignored")
                continue
            if not in_window(o):
                continue
            key = (o["date"], pos, o["seq"] is None, o["seq"] or 0.0, o["row"])
            if best is None or key < best[0]:
                best = (key, o, term.evntdesc, term.cnsr)  # cnsr: 0, or a competing event's
    if best is not None:
        o = best[1]
        if ep.missed is not None:
            rule = ep.missed
            before = [
                a for a in occ[rule.event] if a["date"] < o["date"] and (ep.clamp or a["date"] >= origin)
            ]
            last = (
                max(before, key=lambda a: (a["date"], a["seq"] is None, a["seq"] or 0.0, a["row"]))
                if before
                else origin_occ
            )
            days_in = (last["date"] - origin).days
            interval = None
            for every, until in rule.schedule.pieces:
                if until is None or days_in < until:
                    interval = every
                    break
            if (o["date"] - last["date"]).days > rule.count * interval + rule.schedule.window:
                out = rule.outcome
                return result(record=record(last["date"], out.cnsr, out.evntdesc, out.cnsdtdsc, last))
        return result(record=record(o["date"], best[3], best[2], None, o))

    def holds_for(cond: m.RuleCondition) -> bool:
        if cond.kind == "stopped":
            return limiting is not None and limiting.kind == "stop" and limiting.event == cond.event
        happened = any(o["date"] <= end for o in occ[cond.event])
        return happened if cond.kind == "has" else not happened

    for rule in ep.censoring:
        if not all(holds_for(c) for c in rule.conditions):
            continue
        candidates = []
        for ch in rule.choices:
            cand = _censor_candidate(
                ch, occ, origin_occ, origin, end, limiting, ep.clamp, in_window, findings, ep.ascertainment
            )
            if cand is not None:
                candidates.append(cand)
        if not candidates:
            continue
        chosen = candidates[0]
        for cand in candidates[1:]:
            if cand[0] >= chosen[0]:  # latest wins; a tie goes to the later-listed choice
                chosen = cand
        date, outcome, cnsdtdsc, src = chosen
        return result(record=record(date, outcome.cnsr, outcome.evntdesc, cnsdtdsc, src))

    return result(excluded="no event, and no censoring rule applies")


def _censor_candidate(ch, occ, origin_occ, origin, end, limiting, clamp, in_window, findings, ascertainment):
    out = ch.outcome
    if ch.date.kind == "origin":
        return (origin, out, out.cnsdtdsc, origin_occ)
    if ch.date.kind in ("first", "last"):
        if ascertainment == "continuous":  # on or after the origin, the end does not limit it
            rows = [o for o in occ[ch.date.event] if clamp or o["date"] >= origin]
        else:
            rows = [o for o in occ[ch.date.event] if in_window(o)]
        if not rows:
            return None
        o = rows[-1] if ch.date.kind == "last" else rows[0]
    else:
        rows = occ[ch.date.event]
        if not rows:
            return None
        o = rows[0]
        if o["date"] < origin and not clamp:
            note(findings, f"{o['event']} on {o['date']} is before the origin {origin}; ignored")
            return None
    if o["date"] <= end:
        return (o["date"], out, out.cnsdtdsc, o)
    if ascertainment == "at visits":  # seen only at visits: a date after the end does not count
        return None
    # Known event-free past the end of observation: censored at the end, with the
    # limiting bound's outcome where it declares one.
    bo = limiting.outcome
    capped = m.Outcome(
        bo.cnsr if bo else out.cnsr,
        (bo.evntdesc if bo and bo.evntdesc is not None else out.evntdesc),
        None,
    )
    cnsdtdsc = bo.cnsdtdsc if bo and bo.cnsdtdsc is not None else limiting.description
    return (end, capped, cnsdtdsc, None)
