"""Runtime for response and incidence endpoints (docs/semantics.md section 6).

Compiled `derive_<PARAMCD>` functions of `best response of`, `response of ... from ...
through ...` and `occurrence of ... from ... through ...` endpoints call these helpers.
Like `runtime`, no pandas: one subject at a time.
"""

from __future__ import annotations

import datetime as dt

from attrs import frozen

from ...check.model import AVAL_CODES, RESPONSES, WORST_ORDER
from ...data.records import Derivation, Record
from .runtime import Notes, Occurrence, exclude, shift

BEST_RANK = {r: i for i, r in enumerate(RESPONSES)}  # the best response first
WORST_RANK = {r: i for i, r in enumerate(WORST_ORDER)}  # the worst last


@frozen
class Visit:
    """One assessment date: the worst response of that date and the record that gave it."""

    date: dt.date
    response: str
    source: Occurrence


def visits(
    occurrences: list[Occurrence], *, origin: dt.date, end: dt.date, notes: Notes, table: str, column: str
) -> list[Visit]:
    """Section 6.1, steps 1-4: usable assessments, one per date, up to the first PD."""
    by_date: dict[dt.date, list[Occurrence]] = {}
    for occ in occurrences:
        if occ.date < origin:
            notes.add(f"{occ.event} on {occ.date} is before the origin {origin}; ignored")
            continue
        if occ.date > end:
            continue
        if occ.value not in WORST_RANK:
            why = "missing" if occ.value is None else f'"{occ.value}" is not a RECIST 1.1 response'
            notes.add(
                f"{occ.event}: {table} row {occ.row} has no usable response in {column} ({why}); not used"
            )
            continue
        by_date.setdefault(occ.date, []).append(occ)
    out: list[Visit] = []
    for date in sorted(by_date):
        same = by_date[date]
        # max() keeps the first of equals: the first in occurrence order supplies SRCSEQ.
        worst = max(same, key=lambda o: WORST_RANK[o.value])
        shown = list(dict.fromkeys(o.value for o in same))
        if len(shown) > 1:
            notes.add(
                f"{worst.event}: different responses on {date} ({', '.join(shown)}); the worst, {worst.value}, is used"
            )
        out.append(Visit(date, worst.value, worst))
        if worst.value == "PD":
            break  # nothing after the first progression is used
    return out


@frozen(kw_only=True)
class Confirmation:
    """A CR or PR counts when a later visit at least `days` later confirms it, with at most
    `max_ne` NE and `max_sd` SD visits between (admiralonco's confirmed-response rules)."""

    days: float
    max_ne: int
    max_sd: int


def _confirmed(seq: list[Visit], i: int, rule: Confirmation) -> bool:
    """Is the CR or PR at seq[i] confirmed?"""
    first = seq[i]
    allowed = {"CR", "NE"} if first.response == "CR" else {"CR", "PR", "NE", "SD"}
    confirming = {"CR"} if first.response == "CR" else {"CR", "PR"}
    ne = sd = 0
    seen_cr = False
    for later in seq[i + 1 :]:
        r = later.response
        if r not in allowed:
            return False
        ne += r == "NE"
        sd += r == "SD"
        if ne > rule.max_ne or sd > rule.max_sd or (r == "PR" and seen_cr):
            return False
        seen_cr = seen_cr or r == "CR"
        if r in confirming and (later.date - first.date).days >= rule.days:
            return True
    return False


def categorise(
    seq: list[Visit], *, origin: dt.date, sd_min_days: float | None, confirm: Confirmation | None
) -> list[tuple[Visit, str]]:
    """Each visit's category (section 6.1): confirmation and the SD minimum applied."""
    out = []
    for i, v in enumerate(seq):
        long_enough = sd_min_days is not None and (v.date - origin).days >= sd_min_days
        r = v.response
        if r in ("CR", "PR") and (confirm is None or _confirmed(seq, i, confirm)):
            category = r
        elif r in ("CR", "PR", "SD"):
            category = "SD" if long_enough else "NE"
        elif r == "NON-CR/NON-PD":
            category = r if long_enough else "NE"
        else:
            category = r
        out.append((v, category))
    return out


def best_record(
    notes: Notes, *, param: str, origin_occ: Occurrence | None, categorised: list[tuple[Visit, str]],
    responder: tuple[str, ...] | None,
) -> Derivation:  # fmt: skip
    """Section 6.2: the best category, dated by its first visit; or a responder flag that
    follows it (Y when the best category is listed, dated by the first listed visit)."""
    if not categorised:
        return parameter(notes, param, origin_occ, "MISSING" if responder is None else "N", None)
    best = min(BEST_RANK[c] for _, c in categorised)
    if responder is not None:
        if RESPONSES[best] not in responder:
            return parameter(notes, param, origin_occ, "N", None)
        hit = next(v for v, c in categorised if c in responder)
        return parameter(notes, param, origin_occ, "Y", hit.source)
    first = next(v for v, c in categorised if BEST_RANK[c] == best)
    return parameter(notes, param, origin_occ, list(BEST_RANK)[best], first.source)


def day_date(origin: dt.date, *, day: int, origin_day: int) -> dt.date:
    """The date of study day `day` when the origin is day 0 or day 1 (no day 0 then)."""
    return shift(origin, day if origin_day == 0 or day < 0 else day - 1)


def landmark_record(
    notes: Notes, *, param: str, origin_occ: Occurrence, visits: list[Visit], start: dt.date,
    stop: dt.date, nearest: dt.date | None, responder: tuple[str, ...], not_evaluable: str | None,
    window: str,
) -> Derivation:  # fmt: skip
    """Section 6.3: the response at the visit chosen in [start, stop]."""
    progressed = next((v for v in visits if v.response == "PD" and v.date < start), None)
    inside = [v for v in visits if start <= v.date <= stop]
    if progressed is not None:
        chosen = progressed
    elif not inside:
        chosen = None
    elif nearest is not None:
        chosen = min(inside, key=lambda v: (abs((v.date - nearest).days), v.date))
    else:
        chosen = min(inside, key=lambda v: (BEST_RANK[v.response], v.date))
    if chosen is None or chosen.response == "NE":
        if not_evaluable is None:
            what = "no assessment" if chosen is None else "an NE response"
            return exclude(notes, reason=f"not evaluable: {what} from {window}")
        return parameter(notes, param, origin_occ, not_evaluable, chosen.source if chosen else None)
    flag = "Y" if chosen.response in responder else "N"
    return parameter(notes, param, origin_occ, flag, chosen.source)


def occurrence_record(
    notes: Notes, *, param: str, origin_occ: Occurrence, event: str, occurrences: list[Occurrence],
    start: dt.date, stop: dt.date, end: dt.date, evaluable: tuple[str, list[Occurrence]] | None,
    window: str,
) -> Derivation:  # fmt: skip
    """Section 6.4: Y at the first occurrence in [start, stop] observed by `end`, else N.

    With `evaluable` (name, occurrences of a subject-level event), a subject without an
    occurrence is in the denominator only if that date reaches the window's last day.
    """
    hit = next((o for o in occurrences if start <= o.date <= min(stop, end)), None)
    if hit is not None:
        return parameter(notes, param, origin_occ, "Y", hit)
    if evaluable is not None:
        name, dates = evaluable
        reached = dates[0].date if dates else None
        if reached is None or reached < stop:
            why = f"is {reached}, before the window end {stop}" if reached else "has no date"
            return exclude(notes, reason=f"not evaluable: no {event} from {window}, and {name} {why}")
    return parameter(notes, param, origin_occ, "N", None)


def parameter(
    notes: Notes, param: str, origin_occ: Occurrence | None, avalc: str, source: Occurrence | None
) -> Derivation:
    """One response or incidence row: AVALC with its code; ADT and source of `source`.
    Without an origin (`no origin: not assessed`) STARTDT is empty."""
    record = Record(
        notes.subject, notes.paramcd, param, origin_occ.date if origin_occ else None,
        source.date if source else None, float(AVAL_CODES[avalc]) if avalc in AVAL_CODES else None, None, None,
        None, None, source.domain if source else None, source.column if source else None,
        source.seq if source else None,
        STARTDTF=origin_occ.flag if origin_occ else None, ADTF=source.flag if source else None, AVALC=avalc,
    )  # fmt: skip
    return Derivation(notes.subject, notes.paramcd, record, None, tuple(notes.messages))
