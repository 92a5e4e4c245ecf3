"""Dates: reading date cells in a declared format, and imputing partial ISO 8601 dates.

The one reader of date cells for the compiled runtime and the SQL engine's views
(engines/sql/prepare.py); the reference interpreter shares the ISO 8601 reading and the
imputation here but reads the other formats with its own code
(engines/reference/dates.py). Imputation (ISO 8601 partial dates only) follows admiral's `derive_vars_dt()`: `first` (day 01,
or January 1st), `mid` (day 15, or June 30th), `last` (end of month, or December
31st); a `not before` / `not after` date replaces the imputed one only when it lies
within the range the partial date allows. The flag says what was imputed: D (the
day), M (month and day). `impute first day` (admiral's highest_imputation = "D") imputes
only the day: a year-only date stays missing.
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

# The formats an event can declare for its date column (docs/language.md, "Date formats").
# DD and MM take one or two digits, YYYY four, MON an English month abbreviation in any
# case; a time may follow after a blank (or, for DDMONYYYY, a colon: SAS DATETIME) and is
# dropped. Years are never two digits: the century would be a guess.
ISO = "YYYY-MM-DD"
SAS_DAYS = "days since 1960-01-01"
SAS_EPOCH = dt.date(1960, 1, 1)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_D, _M, _Y, _MON = r"(?P<d>[0-9]{1,2})", r"(?P<m>[0-9]{1,2})", r"(?P<y>[0-9]{4})", r"(?P<mon>[A-Za-z]{3})"
_TIME = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
_PATTERNS = {
    "DDMONYYYY": (_D + _MON + _Y, "[ :]"),
    "DD-MON-YYYY": (_D + "-" + _MON + "-" + _Y, " "),
    "MM/DD/YYYY": (_M + "/" + _D + "/" + _Y, " "),
    "DD/MM/YYYY": (_D + "/" + _M + "/" + _Y, " "),
    "DD.MM.YYYY": (_D + r"\." + _M + r"\." + _Y, " "),
    "YYYYMMDD": (r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})", " "),
    "YYYY/MM/DD": (_Y + "/" + _M + "/" + _D, " "),
}
_TEXT_FORMATS = {name: re.compile(f"{date}(?:{sep}{_TIME})?") for name, (date, sep) in _PATTERNS.items()}
FORMATS = (ISO, *_PATTERNS, SAS_DAYS)
_WHOLE_DAYS = re.compile(r"[+-]?[0-9]+(?:\.0*)?")


def parse_date(value: object, fmt: str | None = None) -> tuple[dt.date | None, str | None]:
    """(date, None) for a complete, real date; else (None, why it is not one).

    `fmt` is one of FORMATS (None: ISO 8601). Date and datetime objects are dates
    whatever the format says."""
    if value is None:
        return None, "missing"
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if fmt is not None and fmt != ISO:
        return _formatted(value, fmt)
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


def _formatted(value: object, fmt: str) -> tuple[dt.date | None, str | None]:
    """A cell that is not a date object, read by a declared format other than ISO 8601."""
    if isinstance(value, bool):
        return None, f"{value!r} is not a date"
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if fmt == SAS_DAYS:
        if isinstance(value, str) and _WHOLE_DAYS.fullmatch(value.strip()):
            days = int(value.strip().split(".")[0])
        elif whole:
            days = int(value)
        elif isinstance(value, float):
            return None, f"{value!r} is not a whole number of days"
        elif isinstance(value, str):
            return None, f"'{value}' is not a number of days since 1960-01-01"
        else:
            return None, f"{value!r} is not a date"
        try:
            return SAS_EPOCH + dt.timedelta(days=days), None
        except OverflowError:
            return None, f"{value!r} days since 1960-01-01 is outside the calendar"
    if fmt == "YYYYMMDD" and whole:
        text, shown = str(int(value)), repr(value)  # a number column holding 20230105
    elif isinstance(value, (int, float)):
        return None, f"{value!r} is a number, not a date (a SAS date column without a date format?)"
    elif isinstance(value, str):
        text, shown = value, f"'{value}'"
    else:
        return None, f"{value!r} is not a date"
    match = _TEXT_FORMATS[fmt].fullmatch(text.strip())
    if match is None:
        return None, f"{shown} is not a {fmt} date"
    parts = match.groupdict()
    if parts.get("mon") is not None:
        if parts["mon"].upper() not in MONTHS:
            return None, f"{shown} is not a {fmt} date"
        month = MONTHS.index(parts["mon"].upper()) + 1
    else:
        month = int(parts["m"])
    try:
        return dt.date(int(parts["y"]), month, int(parts["d"])), None
    except ValueError:
        return None, f"{shown} is not a calendar date"


def canonical_format(text: str) -> str | None:
    """The known format a spelling names (any case, blanks around ignored), else None."""
    wanted = " ".join(text.split()).upper()
    return next((f for f in FORMATS if f.upper() == wanted), None)


def _parts(text: str) -> tuple[int, int | None, int | None] | None:
    match = _ISO.match(text.strip())
    if not match:
        return None
    y, m, d = match.group("y", "m", "d")
    return int(y), (int(m) if m else None), (int(d) if d else None)


def impute(
    value: object,
    rule: str,
    not_before: list[dt.date] = (),
    not_after: list[dt.date] = (),
    day_only: bool = False,
) -> tuple[dt.date | None, str | None, str | None]:
    """(date, flag, problem): a complete date as is (flag None), a partial one imputed.

    `day_only` (`impute first day`, admiral's highest_imputation = "D"): only the day is
    imputed; a date without its month stays missing."""
    date, problem = parse_date(value)
    parts = _parts(value) if date is None and isinstance(value, str) else None
    if parts is None or parts[2] is not None:  # usable, missing, not ISO, or complete but impossible
        return date, None, problem
    year, month, _ = parts
    if month is not None and not 1 <= month <= 12:
        return None, None, f"'{value}' is not a calendar date"
    if day_only and month is None:
        return None, None, f"'{value}' has no month; only the day is imputed"
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


# ---- times of day (issue 12): the time after the date, for events declared `with time` ----
_ISO_TIME = re.compile(r"[T ](?P<h>\d{2})(?::(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?$")
_FORMAT_TIME = re.compile(r"[ :](?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2})(?:\.[0-9]+)?)?$")


def parse_time(value: object, fmt: str | None = None) -> int | None:
    """The time of day of a usable date cell, in whole seconds after midnight (fractions of
    a second dropped); None when the cell has a date only (a date object, a text without a
    time, a number) or a time that does not exist (24:00, 14:60). A datetime object gives
    its own clock time (a time-zone-aware one in its own zone)."""
    if parse_date(value, fmt)[0] is None:
        return None
    if isinstance(value, dt.datetime):
        return value.hour * 3600 + value.minute * 60 + value.second
    if not isinstance(value, str):
        return None
    pattern = _ISO_TIME if fmt is None or fmt == ISO else _FORMAT_TIME
    match = pattern.search(value.strip())
    if match is None:
        return None
    hour, minute, second = (int(match.group(g) or 0) for g in ("h", "m", "s"))
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour * 3600 + minute * 60 + second


def at_time(date: dt.date, seconds: int) -> dt.datetime:
    """The datetime of a date and a time of day in seconds (STARTDTM, ADTM)."""
    return dt.datetime.combine(date, dt.time()) + dt.timedelta(seconds=seconds)
