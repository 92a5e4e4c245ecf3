"""Runtime: the helpers that generated endpoint modules call.

Missing values propagate explicitly: a comparison with a missing cell is
`None` (unknown) and a row condition selects a row only when it is `True`, as
in SQL. Dates come from date objects or texts in the event's declared format (ISO
8601 by default); anything else is reported per subject and is not an occurrence. No pandas here: this module is
all a compiled endpoint needs to derive one subject.

The generated code names every argument but the first (what the call works on: a cell,
the subject, the occurrences, the notes) and the operands of and3/or3/not3: the
functions it calls take the others as keywords only, so that a reader of the generated
module never has to look up what a bare `None` or `False` means.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import math
from collections.abc import Callable

from attrs import define, evolve, frozen

from ...check.model import AVALU, TIME_UNIT_SECONDS, UNIT_DAYS
from ...data.dates import at_time, parse_date, parse_time
from ...data.dates import impute as impute_date
from ...data.records import Derivation, Record
from ...data.values import Row, Subject, as_number, as_text, normalise

NO_END = dt.date.max


# ---- three-valued logic ----------------------------------------------------------------


def compare(
    value: object, *, op: str, kind: str, literal: object, date_format: str | None = None
) -> bool | None:
    """`value op literal`, read as the literal's kind (a date in the column's `date_format`);
    None when the cell is missing or unreadable."""
    if kind == "text":
        left = as_text(value)
    elif kind == "number":
        left = as_number(value)
    else:
        left = parse_date(value, date_format)[0]
    if left is None:
        return None
    match op:
        case "=":
            return left == literal
        case "!=":
            return left != literal
        case "<":
            return left < literal
        case "<=":
            return left <= literal
        case ">":
            return left > literal
        case ">=":
            return left >= literal
    raise ValueError(op)


def one_of(
    value: object, *, kind: str, literals: tuple, negated: bool, date_format: str | None = None
) -> bool | None:
    found = None
    for literal in literals:
        hit = compare(value, op="=", kind=kind, literal=literal, date_format=date_format)
        if hit is None:
            return None
        found = found or hit
    result = bool(found)
    return not result if negated else result


def and3(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def or3(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def not3(a: bool | None) -> bool | None:
    return None if a is None else not a


# ---- occurrences -------------------------------------------------------------------


@frozen(order=False)
class Occurrence:
    """A dated record of an event: what it is, when, and which row supplied it."""

    event: str
    date: dt.date
    domain: str
    column: str
    seq: float | None
    row: int
    flag: str | None = None  # imputation flag of the date: D or M
    value: str | None = None  # the response of a tumour assessment (`response COLUMN`)
    time: int | None = None  # `with time`: seconds after midnight (None: a date only)
    rank: float | None = None  # extreme (issue 19, part 2): the number of `first|last by COLUMN`

    @property
    def order(self) -> tuple:
        return (self.date, self.seq is None, self.seq or 0.0, self.row)

    @property
    def moment_order(self) -> tuple:
        """The order in an endpoint timed by the clock: date, time (a date only first), sequence, row."""
        return (self.date, self.time is not None, self.time or 0, *self.order[1:])


@define(kw_only=True)
class Notes:
    """Per-subject data findings collected while deriving one endpoint."""

    subject: str
    paramcd: str
    messages: list[str]

    def add(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)


def select(
    subject: Subject,
    *,
    table: str,
    where: Callable[[Row], bool | None] | None,
    event: str,
    domain: str,
    column: str,
    sequence: str | None,
    notes: Notes,
    report_missing: bool = True,
    impute: str | None = None,
    not_before: list[dt.date] = (),
    not_after: list[dt.date] = (),
    response: str | None = None,
    derived: bool = False,
    date_format: str | None = None,
    with_time: bool = False,
    impute_day_only: bool = False,
    rank_column: str | None = None,
) -> list[Occurrence]:
    """Occurrences of an event: rows where the condition `where` is True, with a usable date.

    A value that is not a date is always reported. A blank date is reported only
    when the row was selected as an occurrence (`report_missing`): a blank death
    date in a subject-level table just means no death.
    """
    found = []
    for row in subject.rows(table):
        if where is not None and where(row) is not True:
            continue
        if impute is None:
            date, problem = parse_date(row.get(column), date_format)
            flag = None
        else:
            date, flag, problem = impute_date(row.get(column), impute, not_before, not_after, impute_day_only)
        if date is None:
            if problem == "missing" and not report_missing:
                continue
            shown = table.lstrip("@")  # a derived table is named by its endpoint
            notes.add(f"{event}: {shown} row {row.number} has no usable {column} ({problem}); not counted")
            continue
        seq = as_number(row.get(sequence)) if sequence else None
        value = as_text(row.get(response)) if response else None
        if derived:  # another endpoint's row: trace back to the row that decided it
            domain, var, seq = row.get("SRCDOM"), row.get("SRCVAR"), row.get("SRCSEQ")
            flag = row.get("ADTF" if column == "ADT" else "STARTDTF")
            found.append(Occurrence(event, date, domain, var, seq, row.number, flag, value))
            continue
        time = parse_time(row.get(column), date_format) if with_time else None
        rank = as_number(row.get(rank_column)) if rank_column else None  # extreme (issue 19)
        found.append(Occurrence(event, date, domain, column, seq, row.number, flag, value, time, rank))
    found.sort(key=lambda o: o.order)
    for before, after in itertools.pairwise(found):
        if (before.date, before.seq) == (after.date, after.seq):
            notes.add(_same_day_message(event, table, before, sequence))
    return found


def _same_day_message(event: str, table: str, occ: Occurrence, sequence: str | None) -> str:
    what = f"the same {sequence}" if sequence else "no sequence variable"
    return f"{event}: several {table} records on {occ.date} with {what}; SRCSEQ cannot tell them apart"


def derived_rows(subject: Subject, *, paramcd: str, derive: Callable[[Subject], Derivation]) -> str:
    """Another endpoint's row for this subject, as a one-row table (semantics 6.5).

    Derived once per subject and kept under `@PARAMCD`, a key no table name can take.
    """
    key = "@" + paramcd
    if key not in subject.tables:
        record = derive(subject).record
        # normalised as an input cell is (the interpreter and the SQL engine read it so: a
        # text without its trailing blanks, an empty one missing)
        row = None if record is None else {k: normalise(v) for k, v in record_row(record).items()}
        subject.tables[key] = [] if row is None else [Row(row, 1)]
    return key


def record_row(record: Record) -> dict:
    return {a.name: getattr(record, a.name) for a in record.__attrs_attrs__}


def dates_of(occurrences: list[Occurrence]) -> list[dt.date]:
    return [o.date for o in occurrences]


# ---- finer imputation (issue 12)
def shifted(dates: list[dt.date], days: int) -> list[dt.date]:
    """An imputation bound's dates moved by `days` (`not after last_alive + 1 day`); a date
    pushed outside the calendar bounds nothing (no partial date's range holds it)."""
    out = []
    for date in dates:
        try:
            out.append(date + dt.timedelta(days=days))
        except OverflowError:
            continue
    return out


def pick(occurrences: list[Occurrence], *, which: str, timed: bool = False) -> Occurrence | None:
    """'first' or 'single': the earliest; 'last': the latest (ties: highest sequence);
    `timed`: in the order of an endpoint timed by the clock (`moment_order`)."""
    if not occurrences:
        return None
    if timed:
        occurrences = sorted(occurrences, key=lambda o: o.moment_order)
    return occurrences[-1] if which == "last" else occurrences[0]


def within(
    occurrences: list[Occurrence], *, origin: dt.date, end: dt.date, clamp: bool, notes: Notes,
    origin_occ: Occurrence | None = None,
) -> list[Occurrence]:  # fmt: skip
    """The occurrences inside the observation window [origin, end]; with `origin_occ` (an
    endpoint timed by the clock) one on the origin's day before the origin's time is before it."""
    kept = []
    if origin_occ is not None:  # reported in the order of the clock, as the occurrences count
        occurrences = sorted(occurrences, key=lambda o: o.moment_order)
    for occ in occurrences:
        if occ.date > end:
            continue
        if origin_occ is not None and before_origin(occ, origin_occ):
            notes.add(f"{occ.event} on {moment(occ)} is before the origin {moment(origin_occ)}; ignored")
            continue
        if occ.date < origin and not clamp:
            notes.add(f"{occ.event} on {occ.date} is before the origin {origin}; ignored")
            continue
        kept.append(occ)
    return kept


# ---- dates and durations --------------------------------------------------------------


def shift(date: dt.date, days: int) -> dt.date:
    """date + days, held at the ends of the calendar (an origin in year 9999 has no 3-year end)."""
    try:
        return date + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def add_calendar(start: dt.date, amount: int, unit: str) -> dt.date:
    """start + amount calendar units; a day past the end of a month is clipped to it."""
    if unit in ("days", "weeks"):
        return shift(start, amount * int(UNIT_DAYS[unit]))
    months = amount * (12 if unit == "years" else 1)
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def horizon_end(
    origin: dt.date, *, amount: float, unit: str, calendar_units: bool, inclusive: bool
) -> dt.date:
    """Last observed date of a horizon: elapsed days (date - origin) <= H, or < H if exclusive."""
    if calendar_units:
        end = add_calendar(origin, int(amount), unit)
        return end if inclusive else shift(end, -1)
    length = amount * UNIT_DAYS[unit]
    days = math.floor(length) if inclusive else math.ceil(length) - 1
    return shift(origin, days)


def bound_end(date: dt.date, *, inclusive: bool) -> dt.date:
    return date if inclusive else shift(date, -1)


def aval(start: dt.date, adt: dt.date, origin_day: int, unit: str) -> float:
    return ((adt - start).days + origin_day) / UNIT_DAYS[unit]


# ---- results -----------------------------------------------------------------------


def make_record(
    notes: Notes, *, param: str, origin_occ: Occurrence, adt: dt.date, origin_day: int, unit: str,
    cnsr: int, evntdesc: str | None, cnsdtdsc: str | None, source: Occurrence | None,
) -> Derivation:  # fmt: skip
    origin = origin_occ.date
    record = Record(
        notes.subject, notes.paramcd, param, origin, adt, aval(origin, adt, origin_day, unit),
        AVALU[unit], cnsr, evntdesc, cnsdtdsc,
        source.domain if source else None, source.column if source else None,
        source.seq if source else None,
        STARTDTF=origin_occ.flag, ADTF=source.flag if source and source.date == adt else None,
    )  # fmt: skip
    return Derivation(notes.subject, notes.paramcd, record, None, tuple(notes.messages))


# ---- times of day (issue 12): endpoints timed by the clock (`time in hours|minutes`) ------


def moment(occ: Occurrence) -> str:
    """An occurrence's date and time as the findings show it: 2023-01-05T14:30:00 (a date only: 2023-01-05)."""
    return occ.date.isoformat() if occ.time is None else at_time(occ.date, occ.time).isoformat()


def before_origin(occ: Occurrence, origin_occ: Occurrence) -> bool:
    """Before the origin by date, or on its day at an earlier time (a date only on the
    origin's day cannot be shown to be before it)."""
    if occ.date != origin_occ.date:
        return occ.date < origin_occ.date
    return occ.time is not None and origin_occ.time is not None and occ.time < origin_occ.time


def no_origin_time(notes: Notes, *, origin_occ: Occurrence) -> Derivation | None:
    """An endpoint timed by the clock needs the origin's time of day."""
    if origin_occ.time is not None:
        return None
    reason = f"no time of day: the origin {origin_occ.event} on {origin_occ.date} has a date only"
    return exclude(notes, reason=reason)


def timed_record(
    notes: Notes, *, param: str, origin_occ: Occurrence, source: Occurrence, what: str, unit: str,
    cnsr: int, evntdesc: str | None, cnsdtdsc: str | None,
) -> Derivation:  # fmt: skip
    """The record of an endpoint timed by the clock: AVAL = (ADTM - STARTDTM) in `unit`;
    a date without its time (`what` names it) excludes the subject."""
    if source.time is None:
        return exclude(
            notes, reason=f"no time of day: {what} {source.event} on {source.date} has a date only"
        )
    start = at_time(origin_occ.date, origin_occ.time)
    adtm = at_time(source.date, source.time)
    seconds = (source.date - origin_occ.date).days * 86400 + source.time - origin_occ.time
    record = Record(
        notes.subject, notes.paramcd, param, origin_occ.date, source.date,
        seconds / TIME_UNIT_SECONDS[unit], AVALU[unit], cnsr, evntdesc, cnsdtdsc,
        source.domain, source.column, source.seq, STARTDTM=start, ADTM=adtm,
    )  # fmt: skip
    return Derivation(notes.subject, notes.paramcd, record, None, tuple(notes.messages))


def exclude(notes: Notes, *, reason: str) -> Derivation:
    return Derivation(notes.subject, notes.paramcd, None, reason, tuple(notes.messages))


# ---- selection steps used by compiled endpoints ---------------------------------------


@frozen(kw_only=True)
class Limit:
    """A bound of the observation window as a capped censoring sees it."""

    description: str
    cnsr: int | None
    evntdesc: str | None
    cnsdtdsc: str | None
    event: str | None = None  # the stopping event, for `stopped by`


def occurred(occurrences: list[Occurrence], *, end: dt.date) -> bool:
    """The event happened on or before the end of observation (before the origin too)."""
    return any(o.date <= end for o in occurrences)


def stopped_by(limit: Limit | None, *, event: str) -> bool:
    return limit is not None and limit.event == event


@frozen
class Candidate:
    date: dt.date
    source: Occurrence | None
    cnsr: int
    evntdesc: str | None
    cnsdtdsc: str | None


def stop_end(occurrences: list[Occurrence], *, origin: dt.date, inclusive: bool) -> dt.date | None:
    """End of observation at the first stopping event on or after the origin.

    A stopping event before the origin (a therapy before enrolment) stops nothing,
    whatever `before origin` says: that option concerns events and censorings. One on
    the origin day leaves the origin day observed, so the subject is censored there
    rather than dropped.
    """
    dates = [o.date for o in occurrences if o.date >= origin]
    return max(bound_end(min(dates), inclusive=inclusive), origin) if dates else None


def earliest(groups: list[tuple], *, timed: bool = False) -> tuple | None:
    """The earliest occurrence over listed events, as (occurrence, EVNTDESC[, CNSR]) from the
    group (occurrences, EVNTDESC[, CNSR]); a same-day tie goes to the first listed (`timed`:
    the earliest by date and time, a date only first on its day; a tie in both goes to the
    first listed). The CNSR is that of a competing event (issue 13), listed in tie order."""
    best, best_key = None, None
    for position, (occurrences, *outcome) in enumerate(groups):
        for occ in occurrences:
            if timed:
                key = (*occ.moment_order[:3], position, *occ.moment_order[3:])
            else:
                key = (occ.date, position, *occ.order[1:])
            if best_key is None or key < best_key:
                best, best_key = (occ, *outcome), key
    return best


def censor_choice(
    *, kind: str, occurrences: list[Occurrence], origin_occ: Occurrence, end: dt.date,
    limit: Limit | None, clamp: bool, notes: Notes, cnsr: int, evntdesc: str | None,
    cnsdtdsc: str | None, ascertainment: str | None = None, timed: bool = False,
) -> Candidate | None:  # fmt: skip
    """One censoring date (semantics 3, step 5). A date after the end counts only with
    `continuous` ascertainment, and then censors at the end (`limit`'s outcome). `timed`
    (`time in hours`): before the origin by date and time (`before_origin`)."""
    origin = origin_occ.date
    if kind == "origin":
        return Candidate(origin, origin_occ, cnsr, evntdesc, cnsdtdsc)
    if timed:
        if kind in ("first", "last"):
            occ = pick([o for o in occurrences if not before_origin(o, origin_occ)], which=kind, timed=True)
        else:
            occ = pick(occurrences, which="single", timed=True)
            if occ is not None and before_origin(occ, origin_occ):
                notes.add(f"{occ.event} on {moment(occ)} is before the origin {moment(origin_occ)}; ignored")
                return None
        return None if occ is None else Candidate(occ.date, occ, cnsr, evntdesc, cnsdtdsc)
    if kind in ("first", "last"):
        seen = [o for o in occurrences if clamp or o.date >= origin]
        if ascertainment != "continuous":
            seen = [o for o in seen if o.date <= end]
        occ = pick(seen, which=kind)
    else:
        occ = pick(occurrences, which="single")
        if occ is not None and occ.date < origin and not clamp:
            notes.add(f"{occ.event} on {occ.date} is before the origin {origin}; ignored")
            return None
    if occ is None:
        return None
    if occ.date <= end:
        return Candidate(occ.date, occ, cnsr, evntdesc, cnsdtdsc)
    if ascertainment == "at visits":
        return None
    assert limit is not None  # a date past the end implies a bound
    return Candidate(
        end, None,
        limit.cnsr if limit.cnsr is not None else cnsr,
        limit.evntdesc if limit.evntdesc is not None else evntdesc,
        limit.cnsdtdsc if limit.cnsdtdsc is not None else limit.description,
    )  # fmt: skip


@frozen(kw_only=True)
class Interval:
    """A part of an assessment schedule: an assessment every `every` days, while the days
    since the origin are fewer than `until` (None: from then on)."""

    every: float
    until: float | None


def missed_gap(
    *, event_date: dt.date, assessments: list[Occurrence], origin_occ: Occurrence, clamp: bool,
    count: int, pieces: tuple[Interval, ...], window: float,
) -> Occurrence:  # fmt: skip
    """The last assessment before the event if `count` or more were missed since it, else None.

    Missed means: the event is more than count x interval + window days after the last
    assessment (or the origin), the interval being the schedule's (`pieces`) at that assessment.
    """
    origin = origin_occ.date
    earlier = [o for o in assessments if o.date < event_date and (clamp or o.date >= origin)]
    last = earlier[-1] if earlier else origin_occ
    elapsed = (last.date - origin).days
    interval = next(p.every for p in pieces if p.until is None or elapsed < p.until)
    return last if (event_date - last.date).days > count * interval + window else None


def latest(candidates: list[Candidate | None]) -> Candidate | None:
    """The latest censoring date; a tie goes to the later-listed choice."""
    chosen = None
    for cand in candidates:
        if cand is not None and (chosen is None or cand.date >= chosen.date):
            chosen = cand
    return chosen


# ---- conditions comparing with other values (issue 12: conditions) ---------------------


def subject_value(subject: Subject, *, table: str, column: str) -> object:
    """The subject's cell of a one-row-per-subject table; missing unless it has exactly one row."""
    rows = subject.rows(table)
    return rows[0].get(column) if len(rows) == 1 else None


def _cell_kind(value: object) -> tuple[str | None, object]:
    """A cell read by the first kind that reads it: number, ISO 8601 date, else text."""
    number = as_number(value)
    if number is not None:
        return "number", number
    date = parse_date(value, None)[0]
    if date is not None:
        return "date", date
    text = as_text(value)
    return ("text", text) if text is not None else (None, None)


def compare_with(
    value: object,
    *,
    other: object,
    op: str,
    kind: str,
    factor: float = 1.0,
    offset: float = 0.0,
    date_format: str | None = None,
    other_format: str | None = None,
) -> bool | None:
    """`value op factor * other + offset`, both read as `kind` (docs/semantics.md 1); None
    (unknown) when either is missing or cannot be read so."""
    if kind == "number":
        left, right = as_number(value), as_number(other)
        if left is None or right is None:
            return None
        right = factor * right + offset
    elif kind == "date":
        left, right = parse_date(value, date_format)[0], parse_date(other, other_format)[0]
        if left is None or right is None:
            return None
        right = shift(right, int(offset))
    else:
        (left_kind, left), (right_kind, right) = _cell_kind(value), _cell_kind(other)
        if left_kind is None or left_kind != right_kind or (left_kind == "text" and op not in ("=", "!=")):
            return None
    match op:
        case "=":
            return left == right
        case "!=":
            return left != right
        case "<":
            return left < right
        case "<=":
            return left <= right
        case ">":
            return left > right
    return left >= right


# ---- reldates: derived dates (docs/semantics.md section 8) --------------------------------


def date_pick(
    occurrences: list[Occurrence],
    *,
    which: str,
    n: int = 1,
    relation: str | None = None,
    other: list[Occurrence] | None = None,
) -> list[Occurrence]:
    """The first, last or nth occurrence (in occurrence order), among those dated `relation`
    the single date in `other`; [] when there is none, or no `other` date."""
    if relation is not None:
        if not other:
            return []
        bound = other[0].date
        if relation == "after":
            occurrences = [o for o in occurrences if o.date > bound]
        elif relation == "on or after":
            occurrences = [o for o in occurrences if o.date >= bound]
        else:
            occurrences = [o for o in occurrences if o.date <= bound]
    if which == "nth":
        return occurrences[n - 1 : n]
    return occurrences[-1:] if which == "last" else occurrences[:1]


def date_shift(occurrences: list[Occurrence], *, days: int) -> list[Occurrence]:
    """The occurrence moved by `days`; its source stays the same."""
    return [evolve(o, date=shift(o.date, days)) for o in occurrences]


def derived_date(occurrences: list[Occurrence], *, event: str) -> list[Occurrence]:
    return [evolve(o, event=event) for o in occurrences]
