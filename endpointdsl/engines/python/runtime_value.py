"""Runtime of value endpoints (issue 14; docs/semantics.md 11): a subject's samples of a
series, and the number a value endpoint derives from them. Called by the generated module
with every argument named but what the call works on."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable

from attrs import frozen

from ...check.model import VALUE_TIME_UNITS
from ...data.dates import parse_date
from ...data.records import Derivation, Record
from ...data.values import Row, as_number, as_text
from .runtime import Notes


@frozen
class Sample:
    """One usable row of a series: its time, value (BLQ rule applied), whether it was
    quantified (not below the LLOQ), SRCSEQ and row number."""

    t: float
    v: float
    measured: bool
    seq: float | None
    number: int
    unit: str | None


def samples(
    rows: list[Row],
    *,
    notes: Notes,
    series: str,
    table: str,
    where: Callable[[Row], bool | None] | None,
    blq: Callable[[Row], bool | None],
    column: str,
    time: str,
    blq_before: str,
    blq_after: str,
    negative_at_zero: bool = False,
    lloq_column: str | None = None,
    lloq_value: float | None = None,
    unit_column: str | None = None,
    sequence: str | None = None,
    dated: bool = False,
    origin: dt.date | None = None,
    origin_day: int = 1,
) -> list[Sample] | None:
    """11.1: the usable samples of the subject's rows, in row order; a finding per row
    without a usable time, value or LLOQ. `dated`: the time column holds dates, counted in
    days from `origin` (None: the subject has no origin date, and no samples)."""
    if dated and origin is None:
        return None
    read = []  # (row, t, below, value)
    for row in rows:
        if where is not None and where(row) is not True:
            continue
        t = as_number(row.get(time)) if not dated else _day(row.get(time), origin, origin_day)
        if t is None:
            notes.add(f"{series}: {table} row {row.number} has no usable {time}; not used")
            continue
        t = 0.0 if negative_at_zero and t < 0 else t
        below = blq(row) is True
        v = None if below else as_number(row.get(column))
        if not below and v is None:
            notes.add(f"{series}: {table} row {row.number} has no usable {column}; not used")
            continue
        read.append((row, t, below, v))
    first = min((t for _, t, below, _ in read if not below), default=None)
    out = []
    for row, t, below, v in read:
        if below:
            rule = blq_before if first is None or t < first else blq_after
            if rule == "missing":
                continue
            if rule == "half lloq":
                lloq = lloq_value if lloq_value is not None else as_number(row.get(lloq_column))
                if lloq is None:
                    notes.add(f"{series}: {table} row {row.number} has no usable {lloq_column}; not used")
                    continue
                v = lloq / 2
            else:
                v = 0.0
        seq = as_number(row.get(sequence)) if sequence else None
        unit = as_text(row.get(unit_column)) if unit_column else None
        out.append(Sample(t, v, not below, seq, row.number, unit))
    return out


def _day(cell: object, origin: dt.date, origin_day: int) -> float | None:
    """The day of a date cell counted from `origin` (origin day 1: no day 0)."""
    day = parse_date(cell)[0]
    if day is None:
        return None
    diff = (day - origin).days
    return float(diff + 1 if origin_day == 1 and diff >= 0 else diff)


# Statistics that compare no values across samples (only whether each is quantifiable): they
# are defined when a subject's samples are in several units. Tmax and the nadir's time are not.
UNIT_FREE_STATS = ("time of last", "detectable")


def value(
    found: list[Sample] | None,
    *,
    notes: Notes,
    param: str,
    series: str,
    table: str,
    column: str,
    time: str,
    time_unit: str,
    stat: str,
    duplicates: str,
    unit: str | None = None,
    unit_column: bool = False,
    start: float | None = None,
    stop: float | None = None,
    over: str | None = None,
    rule: str | None = None,
    at: float | None = None,
    within: float | None = None,
    near: str | None = None,
    origin: str | None = None,
    no_day_zero: bool = False,
) -> Derivation:
    """11.2: the endpoint's number from the samples in its window (None: no origin date)."""

    def exclude(reason: str) -> Derivation:
        return Derivation(notes.subject, notes.paramcd, None, reason, tuple(notes.messages))

    if found is None:
        return exclude(f"no origin date: {origin} has no usable date")

    window = f" over {over}" if over else ""
    inside = [s for s in found if start is None or start <= s.t <= stop]
    if at is not None:
        if not any(abs(s.t - at) <= within for s in inside):
            return exclude(f"{series}: no usable sample within {near}")
    elif not inside:
        return exclude(f"{series}: no usable sample{window}")
    groups: dict[float, list[Sample]] = {}
    for s in inside:
        groups.setdefault(s.t, []).append(s)
    if duplicates == "refuse":
        shared = sorted(t for t, g in groups.items() if len(g) > 1)
        if shared:
            numbers = ", ".join(map(str, sorted(s.number for s in groups[shared[0]])))
            return exclude(
                f"{series}: {table} rows {numbers} have the same {time}; duplicate times are refused"
            )
    time_abbr = VALUE_TIME_UNITS[time_unit]
    if unit_column:
        units = sorted({s.unit for s in inside if s.unit is not None})
        if len(units) > 1 and stat not in UNIT_FREE_STATS:
            return exclude(f"{series}: samples in several units ({', '.join(units)})")
        unit = units[0] if len(units) == 1 else None
    points = []  # (t, v, quantifiable, seq), by time
    for t in sorted(groups):
        g = groups[t]
        v = g[0].v if len(g) == 1 else sum(sorted(s.v for s in g)) / len(g)
        points.append((t, v, any(s.measured for s in g) and v > 0, g[0].seq if len(g) == 1 else None))

    picked = None
    avalc = None
    if stat in ("max", "time of max"):
        picked = max(points, key=lambda p: (p[1], -p[0]))  # the first time of the maximum
    elif stat in ("min", "time of min"):
        picked = min(points, key=lambda p: (p[1], p[0]))
    elif stat in ("last", "time of last", "auc to last"):
        quantifiable = [p for p in points if p[2]]
        if not quantifiable:
            return exclude(f"{series}: no quantifiable sample{window}")
        picked = quantifiable[-1]
    elif stat in ("at", "detectable"):
        picked = min((p for p in points if abs(p[0] - at) <= within), key=lambda p: (abs(p[0] - at), p[0]))
    if stat.startswith("auc"):
        used = [p for p in points if picked is None or p[0] <= picked[0]]
        aval = sum(_segment(a, b, rule, no_day_zero) for a, b in itertools.pairwise(used))
        aval = float(aval)
        picked = None
    elif stat == "change from min":
        aval = points[-1][1] - min(p[1] for p in points)
    elif stat.startswith("time of"):
        aval = picked[0]
    elif stat == "detectable":
        aval, avalc = (1.0, "Y") if picked[2] else (0.0, "N")
    else:
        aval = picked[1]
    if stat.startswith("time of"):
        avalu = time_abbr
    elif stat == "detectable" or unit is None:
        avalu = None
    else:
        avalu = f"{time_abbr}*{unit}" if stat.startswith("auc") else unit
    record = Record(
        notes.subject, notes.paramcd, param, None, None, float(aval), avalu, None, None, None,
        table.upper(), time if stat.startswith("time of") else column, picked[3] if picked else None,
        AVALC=avalc,
    )  # fmt: skip
    return Derivation(notes.subject, notes.paramcd, record, None, tuple(notes.messages))


def _segment(a: tuple, b: tuple, rule: str | None, no_day_zero: bool = False) -> float:
    """The area of one trapezoid (linear), or under the log-linear line where the value falls
    between two positive values (`linear up log down`). `no_day_zero`: days numbered from an
    origin that is day 1 (the day before is day -1): the width is the days elapsed."""
    (t1, c1), (t2, c2) = a[:2], b[:2]
    if no_day_zero:
        t1, t2 = (t1 - 1 if t1 > 0 else t1), (t2 - 1 if t2 > 0 else t2)
    if rule == "linear up log down" and c2 < c1 and c2 > 0:
        return (t2 - t1) * (c1 - c2) / math.log(c1 / c2)
    return (t2 - t1) * (c1 + c2) / 2
