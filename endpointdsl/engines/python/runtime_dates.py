"""Runtime: dates and durations (the calendar's ends held, calendar units, horizons, AVAL)."""

from __future__ import annotations

import calendar
import datetime as dt
import math

from ...check.model import UNIT_DAYS

NO_END = dt.date.max


# ---- dates and durations -------------------------------------------------------------


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
