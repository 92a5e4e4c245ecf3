"""Runtime: the selection steps of compiled endpoints: the end of observation, the
earliest event, the censoring choices and missed assessments."""

from __future__ import annotations

import datetime as dt

from attrs import frozen

from .runtime_dates import bound_end
from .runtime_occurrences import Notes, Occurrence, before_origin, moment, pick

# ---- selection steps used by compiled endpoints --------------------------------------


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
