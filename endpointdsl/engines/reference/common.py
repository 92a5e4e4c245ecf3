"""What the two parts of the reference interpreter share: reading a cell, noting a finding,
adding days. Written from docs/semantics.md, as plainly as possible, like the rest of it.
"""

from __future__ import annotations

import datetime as dt
import math

from .dates import read_date


def read_cell(value, kind, fmt=None):
    """The cell read as the literal's kind (a date in the format `fmt`), or None when
    missing or unreadable."""
    if value is None:
        return None
    if kind == "date":
        return read_date(value, fmt)[0]
    if kind == "number":
        if isinstance(value, bool):
            return None
        try:
            x = float(value)
        except (TypeError, ValueError):
            return None
        return x if math.isfinite(x) else None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def note(findings: list, message: str) -> None:
    if message not in findings:
        findings.append(message)


def plus_days(d: dt.date, n: int) -> dt.date:
    """d + n days, kept inside the calendar's first and last day."""
    ordinal = d.toordinal() + n
    return dt.date.fromordinal(min(max(ordinal, 1), dt.date.max.toordinal()))
