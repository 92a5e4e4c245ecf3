"""Reference interpreter, input: date cells in a declared format other than ISO 8601.

The second programmer's reader, written from docs/semantics.md section 1 and sharing
no code with `data/dates.py`: it splits and scans characters where the runtime matches
regular expressions, and checks the calendar itself. ISO 8601 texts (the default) are read
by the shared `data.dates.parse_date`, as before formats existed.
"""

from __future__ import annotations

import datetime as dt

from ...data.dates import parse_date

DIGITS = "0123456789"
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
# pattern: (separator between the parts, or "" for none; the parts in order)
LAYOUTS = {
    "DDMONYYYY": ("", ["DD", "MON", "YYYY"]),
    "DD-MON-YYYY": ("-", ["DD", "MON", "YYYY"]),
    "MM/DD/YYYY": ("/", ["MM", "DD", "YYYY"]),
    "DD/MM/YYYY": ("/", ["DD", "MM", "YYYY"]),
    "DD.MM.YYYY": (".", ["DD", "MM", "YYYY"]),
    "YYYY/MM/DD": ("/", ["YYYY", "MM", "DD"]),
}
SAS_ORIGIN = dt.date(1960, 1, 1).toordinal()


def read_date(value, fmt: str | None):
    """(date, None), or (None, why the cell is not a usable date)."""
    if fmt is None or fmt == "YYYY-MM-DD":
        return parse_date(value)
    if value is None:
        return None, "missing"
    if isinstance(value, dt.datetime):
        return dt.date(value.year, value.month, value.day), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, bool):
        return None, f"{value!r} is not a date"
    if fmt == "days since 1960-01-01":
        return _sas_days(value)
    if fmt == "YYYYMMDD" and (isinstance(value, int) or _whole(value)):  # a number column: 20230105
        return _text_date(str(int(value)), repr(value), fmt)
    if isinstance(value, (int, float)):
        return None, f"{value!r} is a number, not a date (a SAS date column without a date format?)"
    if not isinstance(value, str):
        return None, f"{value!r} is not a date"
    return _text_date(value, "'" + value + "'", fmt)


def _whole(value) -> bool:
    return (
        isinstance(value, float)
        and value == value
        and value not in (float("inf"), float("-inf"))
        and value % 1 == 0
    )


def _sas_days(value):
    if isinstance(value, str):
        text = value.strip()
        body = text[1:] if text[:1] in ("+", "-") else text
        whole, _, fraction = body.partition(".")
        if not (whole and all(c in DIGITS for c in whole) and all(c == "0" for c in fraction)):
            return None, f"'{value}' is not a number of days since 1960-01-01"
        days = int(whole) * (-1 if text.startswith("-") else 1)
    elif isinstance(value, int):
        days = value
    elif isinstance(value, float):
        if not _whole(value):
            return None, f"{value!r} is not a whole number of days"
        days = int(value)
    else:
        return None, f"{value!r} is not a date"
    ordinal = SAS_ORIGIN + days
    if not 1 <= ordinal <= dt.date.max.toordinal():
        return None, f"{value!r} days since 1960-01-01 is outside the calendar"
    return dt.date.fromordinal(ordinal), None


def _text_date(text: str, shown: str, fmt: str):
    """A text in a date pattern, perhaps followed by a time (dropped)."""
    not_it = (None, f"{shown} is not a {fmt} date")
    text = text.strip()
    separators = " :" if fmt == "DDMONYYYY" else " "
    cut = min((text.find(s) for s in separators if s in text), default=-1)
    if cut >= 0:
        if not _is_time(text[cut + 1 :]):
            return not_it
        text = text[:cut]
    if fmt == "YYYYMMDD":
        if len(text) != 8 or not _digits(text):
            return not_it
        fields = {"YYYY": text[:4], "MM": text[4:6], "DD": text[6:]}
    else:
        separator, order = LAYOUTS[fmt]
        if separator:
            pieces = text.split(separator)
        else:  # DDMONYYYY: the day is the digits before the three letters
            start = len(text) - 7
            pieces = [text[:start], text[start : start + 3], text[start + 3 :]] if start > 0 else []
        if len(pieces) != 3:
            return not_it
        fields = dict(zip(order, pieces, strict=True))
        for name, piece in fields.items():
            if name == "MON":
                good = len(piece) == 3 and all(c in LETTERS for c in piece)
            else:
                good = _digits(piece) and (len(piece) == 4 if name == "YYYY" else len(piece) in (1, 2))
            if not good:
                return not_it
    year, day = int(fields["YYYY"]), int(fields["DD"])
    if "MON" in fields:
        if fields["MON"].upper() not in MONTH_NAMES:
            return not_it
        month = MONTH_NAMES.index(fields["MON"].upper()) + 1
    else:
        month = int(fields["MM"])
    if year < 1 or not 1 <= month <= 12 or not 1 <= day <= _month_length(year, month):
        return None, f"{shown} is not a calendar date"
    return dt.date(year, month, day), None


def _digits(text: str) -> bool:
    return len(text) > 0 and all(c in DIGITS for c in text)


def _is_time(text: str) -> bool:
    """H:MM, HH:MM, then optionally :SS and .fraction (hours are not checked, as in ISO)."""
    clock, dot, fraction = text.partition(".")
    parts = clock.split(":")
    if dot and (len(parts) != 3 or not _digits(fraction)):
        return False
    return (
        len(parts) in (2, 3)
        and _digits(parts[0])
        and len(parts[0]) <= 2
        and all(_digits(p) and len(p) == 2 for p in parts[1:])
    )


def _month_length(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31
