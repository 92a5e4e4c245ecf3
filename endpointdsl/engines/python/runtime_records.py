"""Runtime: results, a subject's record (by date, or timed by the clock) or its exclusion."""

from __future__ import annotations

import datetime as dt

from ...check.model import AVALU, TIME_UNIT_SECONDS
from ...data.dates import at_time
from ...data.records import Derivation, Record
from .runtime_dates import aval
from .runtime_occurrences import Notes, Occurrence

# ---- results -------------------------------------------------------------------------


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


def exclude(notes: Notes, *, reason: str) -> Derivation:
    return Derivation(notes.subject, notes.paramcd, None, reason, tuple(notes.messages))


# ---- times of day (issue 12): endpoints timed by the clock (`time in hours|minutes`) ---


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
