"""Dates: reading date cells, and imputing partial ISO 8601 dates by a declared rule.

Shared by the compiled runtime and the reference interpreter: it is input reading,
not endpoint logic. Imputation follows admiral's `derive_vars_dt()`: `first`
(day 01, or January 1st), `mid` (day 15, or June 30th), `last` (end of month, or
December 31st); a `not before` / `not after` date replaces the imputed one only
when it lies within the range the partial date allows. The flag says what was
imputed: D (the day), M (month and day).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_ISO = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:[T ]\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?)?)?)?$"
)
IMPUTATION_RULES = ("first", "mid", "last")


def parse_date(value: object) -> tuple[dt.date | None, str | None]:
    """(date, None) for a complete, real date; else (None, why it is not one)."""
    if value is None:
        return None, "missing"
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, str):
        parts = _parts(value)
        if parts is None:
            return None, f"'{value}' is not an ISO 8601 date"
        year, month, day = parts
        if month is None or day is None:
            return None, f"'{value}' is a partial date (no imputation rule is declared)"
        try:
            return dt.date(year, month, day), None
        except ValueError:
            return None, f"'{value}' is not a calendar date"
    if isinstance(value, (int, float)):
        return None, f"{value!r} is a number, not a date (a SAS date column without a date format?)"
    return None, f"{value!r} is not a date"


def _parts(text: str) -> tuple[int, int | None, int | None] | None:
    match = _ISO.match(text.strip())
    if not match:
        return None
    y, m, d = match.group("y", "m", "d")
    return int(y), (int(m) if m else None), (int(d) if d else None)


def impute(
    value: object, rule: str, not_before: list[dt.date] = (), not_after: list[dt.date] = ()
) -> tuple[dt.date | None, str | None, str | None]:
    """(date, flag, problem): a complete date as is (flag None), a partial one imputed."""
    date, problem = parse_date(value)
    parts = _parts(value) if date is None and isinstance(value, str) else None
    if parts is None or parts[2] is not None:  # usable, missing, not ISO, or complete but impossible
        return date, None, problem
    year, month, _ = parts
    if month is not None and not 1 <= month <= 12:
        return None, None, f"'{value}' is not a calendar date"
    low = dt.date(year, month or 1, 1)
    high_month = month or 12
    high = dt.date(year, high_month, calendar.monthrange(year, high_month)[1])
    if rule == "first":
        day = low
    elif rule == "last":
        day = high
    elif month is None:
        day = dt.date(year, 6, 30)
    else:
        day = dt.date(year, month, 15)
    for bound in not_before:
        if low <= bound <= high and day < bound:
            day = bound
    for bound in not_after:
        if low <= bound <= high and day > bound:
            day = bound
    return day, ("D" if month is not None else "M"), None
