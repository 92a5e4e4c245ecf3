"""Reference interpreter: `worst of|best of|first of` endpoints (docs/semantics.md 6.8).

Written from section 6.8 alone, after steps 1-3 (population, origin, end of observation)
have kept the subject. An occurrence is the interpreter's dict (date, domain, column, seq,
row, flag), in occurrence order.
"""

from __future__ import annotations

import datetime as dt

from ...check import model as m
from ...data.records import Record
from ...data.values import Subject
from .common import note


def derive_extreme(
    model: m.Model, ep: m.EndpointSpec, subject: Subject, occ: dict, origin_occ: dict, end: dt.date,
    findings: list,
) -> tuple[Record | None, str | None]:  # fmt: skip
    x = ep.response.extreme
    origin = origin_occ["date"]
    for name in x.events():
        for o in occ[name]:
            if o["date"] < origin:
                note(
                    findings,
                    f"{model.event(name).display} on {o['date']} is before the origin {origin}; ignored",
                )

    def observed(name: str) -> list[dict]:
        return [o for o in occ[name] if origin <= o["date"] <= end]

    holding = []  # (position, the row that dates the outcome, outcome)
    for pos, outcome in enumerate(x.outcomes):
        rows = observed(outcome.event)
        if not rows:
            continue
        # every row of E in the window satisfies C: E narrowed by C has them all
        if outcome.every is not None and len(observed(outcome.every)) != len(rows):
            continue
        holding.append((pos, _dating_row(rows, x), outcome))
    if not holding:
        if x.otherwise is None:
            return None, "no outcome holds, and the endpoint has no `otherwise`"
        return _record(ep, subject, origin_occ, x.otherwise, x.otherwise_aval, None), None
    if x.head == "first":  # the earliest row; a tie on the date: the outcome listed first
        pos, row, outcome = min(holding, key=lambda h: (h[1]["date"], h[0]))
    else:  # worst of, best of: the first listed outcome that holds
        pos, row, outcome = holding[0]
    return _record(ep, subject, origin_occ, outcome.avalc, outcome.aval, row), None


def _dating_row(rows: list[dict], x: m.ExtremeSpec) -> dict:
    """The first or last row in occurrence order; `by COLUMN`: the one with the smallest
    (first) or largest (last) number in COLUMN, rows without a number after all others, a tie
    to the earlier (first) or later (last) in occurrence order."""
    if x.by is None:
        return rows[0] if x.pick == "first" else rows[-1]
    if x.pick == "first":
        return rows[min(range(len(rows)), key=lambda i: (rows[i]["rank"] is None, rows[i]["rank"] or 0.0, i))]
    return rows[max(range(len(rows)), key=lambda i: (rows[i]["rank"] is not None, rows[i]["rank"] or 0.0, i))]


def _record(ep, subject, origin_occ, avalc, aval, row) -> Record:
    return Record(
        subject.id, ep.paramcd, ep.param, origin_occ["date"], row["date"] if row else None,
        aval, None, None, None, None,
        row["domain"] if row else None, row["column"] if row else None, row["seq"] if row else None,
        STARTDTF=origin_occ["flag"], ADTF=row["flag"] if row else None, AVALC=avalc,
    )  # fmt: skip
