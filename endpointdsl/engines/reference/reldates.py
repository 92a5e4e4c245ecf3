"""Reference interpreter, reldates: the one date per subject of a derived date
(docs/semantics.md section 8), computed from the other events' occurrences."""

from __future__ import annotations

from ...check import model as m
from .common import plus_days


def derived(model: m.Model, src: m.EventSource, subject, findings: list, occurrences) -> list[dict]:
    """[the occurrence the expression picks, dated as it says], or [] when it gives no date."""
    got = _value(model, src.date, subject, findings, occurrences)
    if got is None:
        return []
    return [{**got, "event": src.display}]


def _value(model, expr, subject, findings, occurrences) -> dict | None:
    if isinstance(expr, m.DateShift):
        base = _value(model, expr.base, subject, findings, occurrences)
        if base is None:
            return None
        return {**base, "date": plus_days(base["date"], expr.days)}
    rows = occurrences(model, expr.event, subject, findings)  # in occurrence order
    if expr.relation is not None:
        other = _value(model, expr.other, subject, findings, occurrences)
        if other is None:
            return None
        f = other["date"]
        if expr.relation == "after":
            rows = [o for o in rows if o["date"] > f]
        elif expr.relation == "on or after":
            rows = [o for o in rows if o["date"] >= f]
        else:  # "on or before"
            rows = [o for o in rows if o["date"] <= f]
    if expr.which == "first":
        return rows[0] if rows else None
    if expr.which == "last":
        return rows[-1] if rows else None
    return rows[expr.n - 1] if len(rows) >= expr.n else None
