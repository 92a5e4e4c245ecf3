"""Runtime of confirmed and sustained events (issue 12, item 2; docs/semantics.md 2.1).

A generated `event_<C>` function calls `confirmed` with the occurrences of the events the
confirmation reads; it keeps the candidate occurrences that the rule confirms, renamed C.
Only dates take part: an assessment date continues a run when the confirming event occurs
on it (several rows on one date are one assessment).
"""

from __future__ import annotations

import bisect

import attrs

from .runtime import Occurrence


def confirmed(
    candidates: list[Occurrence],
    *,
    event: str,
    kind: str,
    confirming: list[Occurrence] = (),
    assessments: list[Occurrence] = (),
    count: int | None = None,
    at_least: float | None = None,
    at_most: float | None = None,
    breaking: list[Occurrence] = (),
    death: list[Occurrence] = (),
    death_within: float | None = None,
) -> list[Occurrence]:
    """The candidates that the rule `kind` confirms, in their order, named `event`."""
    if kind == "later":
        targets = sorted({o.date for o in confirming})
        breaks = sorted({o.date for o in breaking})
        keep = [_later(o.date, targets, breaks, at_least, at_most) for o in candidates]
    else:
        series = sorted({o.date for o in assessments})
        good = {o.date for o in confirming}
        deaths = sorted({o.date for o in death})
        keep = [_series(o.date, kind, series, good, count, deaths, death_within) for o in candidates]
    return [attrs.evolve(o, event=event) for o, k in zip(candidates, keep, strict=True) if k]


def _later(day, targets, breaks, at_least, at_most) -> bool:
    # the earliest confirming date far enough: any later one has at least its intervening dates
    for target in targets[bisect.bisect_right(targets, day) :]:
        gap = (target - day).days
        if gap < at_least:
            continue
        if at_most is not None and gap > at_most:
            return False
        i = bisect.bisect_right(breaks, day)
        return not (i < len(breaks) and breaks[i] < target)
    return False


def _series(day, kind, series, good, count, deaths, death_within) -> bool:
    later = series[bisect.bisect_right(series, day) :]
    if kind == "next":
        needed = later[:1] if later else None
    elif kind == "consecutive":
        needed = later[: count - 1] if len(later) >= count - 1 else None
    else:  # sustained
        needed = later if later else None
    if needed is not None and all(d in good for d in needed):
        return True
    if death_within is None or not all(d in good for d in later):
        return False
    last = later[-1] if later else day  # the run reached the last assessment
    return any(0 <= (d - last).days <= death_within for d in deaths)
