"""Reference interpreter, times of day (issue 12): the time after a date, and endpoints timed
by the clock (`time in hours|minutes`).

Written from docs/semantics.md sections 1 and 7, sharing no code with the runtime: the
time is cut out of the text by position and split on colons, not matched by a pattern.
"""

from __future__ import annotations

import datetime as dt

from ...check import model as m
from ...data.records import Record
from .common import note
from .dates import DIGITS, read_date


def read_time(value, fmt: str | None) -> int | None:
    """Seconds after midnight of a usable date cell's time (fractions dropped), or None: a
    date only, or a time that does not exist."""
    if read_date(value, fmt)[0] is None:
        return None
    if isinstance(value, dt.datetime):
        return value.hour * 3600 + value.minute * 60 + value.second
    if not isinstance(value, str):
        return None
    text = value.strip()
    if fmt is None or fmt == "YYYY-MM-DD":
        if len(text) <= 10 or text[10] not in "T ":  # YYYY-MM-DD is ten characters
            return None
        clock = text[11:]
    else:
        # the date part has no colon; the time is what follows the last blank or colon
        # before the first colon of the time (DDMONYYYY:14:30 or 05/01/2023 14:30)
        if " " in text:
            clock = text[text.rfind(" ") + 1 :]
        else:  # DDMONYYYY:HH:MM[:SS]: the date, a colon, the time
            first = text.find(":")
            if first < 0:
                return None
            clock = text[first + 1 :]
    parts = clock.split(":")
    seconds_text = parts[2].split(".")[0] if len(parts) > 2 else "0"
    numbers = [parts[0], parts[1] if len(parts) > 1 else "0", seconds_text]
    if not all(p and all(ch in DIGITS for ch in p) for p in numbers):
        return None
    hour, minute, second = (int(p) for p in numbers)
    if hour >= 24 or minute >= 60 or second >= 60:
        return None
    return (hour * 60 + minute) * 60 + second


def stamp(o: dict) -> str:
    """How the findings show an occurrence's moment."""
    if o.get("time") is None:
        return o["date"].isoformat()
    h, rest = divmod(o["time"], 3600)
    return f"{o['date'].isoformat()}T{h:02d}:{rest // 60:02d}:{rest % 60:02d}"


def earlier_than_origin(o: dict, origin: dict) -> bool:
    """Before the origin: an earlier day, or the origin's day at an earlier time (a date
    only on the origin's day is not known to be earlier)."""
    if o["date"] < origin["date"]:
        return True
    if o["date"] > origin["date"] or o.get("time") is None:
        return False
    return o["time"] < origin["time"]


def derive_timed(ep: m.EndpointSpec, subject_id: str, occ: dict, origin: dict, findings: list):
    """(record, None) or (None, reason) of an endpoint timed by the clock (section 7)."""

    def order(o: dict) -> tuple:  # date, time (a date only first), sequence, row
        return (
            o["date"],
            o.get("time") is not None,
            o.get("time") or 0,
            o["seq"] is None,
            o["seq"] or 0.0,
            o["row"],
        )

    occ = {name: sorted(rows, key=order) for name, rows in occ.items()}
    origin = occ[ep.origin.event][-1 if ep.origin.kind == "last" else 0]  # picked again, in this order
    if origin.get("time") is None:
        return None, f"no time of day: the origin {origin['event']} on {origin['date']} has a date only"

    def make(o: dict, what: str, cnsr: int, evntdesc, cnsdtdsc):
        if o.get("time") is None:
            return None, f"no time of day: {what} {o['event']} on {o['date']} has a date only"
        start = dt.datetime(origin["date"].year, origin["date"].month, origin["date"].day)
        start += dt.timedelta(seconds=origin["time"])
        adtm = dt.datetime(o["date"].year, o["date"].month, o["date"].day) + dt.timedelta(seconds=o["time"])
        elapsed = (o["date"].toordinal() - origin["date"].toordinal()) * 86400 + o["time"] - origin["time"]
        return Record(
            subject_id, ep.paramcd, ep.param, origin["date"], o["date"],
            elapsed / m.TIME_UNIT_SECONDS[ep.unit], m.AVALU[ep.unit], cnsr, evntdesc, cnsdtdsc,
            o["domain"], o["column"], o["seq"], STARTDTM=start, ADTM=adtm,
        ), None  # fmt: skip

    best = None
    for pos, term in enumerate(ep.events):
        for o in occ[term.event]:
            if earlier_than_origin(o, origin):
                note(findings, f"{o['event']} on {stamp(o)} is before the origin {stamp(origin)}; ignored")
                continue
            key = (*order(o)[:3], pos, *order(o)[3:])
            if best is None or key < best[0]:
                best = (key, o, term.evntdesc, term.cnsr)  # cnsr: 0, or a competing event's
    if best is not None:
        return make(best[1], "the event", best[3], best[2], None)
    for rule in ep.censoring:  # one date each, no conditions (checker E231)
        ch = rule.choices[0]
        out = ch.outcome
        if ch.date.kind == "origin":
            return make(origin, "the censoring date", out.cnsr, out.evntdesc, out.cnsdtdsc)
        rows = occ[ch.date.event]
        if ch.date.kind in ("first", "last"):
            rows = [o for o in rows if not earlier_than_origin(o, origin)]
            if rows:
                o = rows[-1] if ch.date.kind == "last" else rows[0]
                return make(o, "the censoring date", out.cnsr, out.evntdesc, out.cnsdtdsc)
            continue
        if not rows:
            continue
        if earlier_than_origin(rows[0], origin):
            note(
                findings,
                f"{rows[0]['event']} on {stamp(rows[0])} is before the origin {stamp(origin)}; ignored",
            )
            continue
        return make(rows[0], "the censoring date", out.cnsr, out.evntdesc, out.cnsdtdsc)
    return None, "no event, and no censoring rule applies"
