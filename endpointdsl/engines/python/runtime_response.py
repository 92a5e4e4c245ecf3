"""Runtime for response and incidence endpoints (docs/semantics.md section 6).

Compiled `derive_<PARAMCD>` functions of `best response of`, `response of ... from ...
through ...` and `occurrence of ... from ... through ...` endpoints call these helpers.
Like `runtime`, no pandas: one subject at a time.
"""

from __future__ import annotations

import datetime as dt

from attrs import frozen

from ...check.model import AVAL_CODES
from ...data.records import Derivation, Record
from .runtime import Notes, Occurrence, exclude, shift
from .runtime_criteria import RECIST11, Criteria, criteria_set, ranks

__all__ = ["criteria_set"]  # generated modules build the set they read through `rr`


@frozen
class Visit:
    """One assessment date: the worst response of that date and the record that gave it."""

    date: dt.date
    response: str
    source: Occurrence


def visits(
    occurrences: list[Occurrence],
    *,
    origin: dt.date,
    end: dt.date,
    notes: Notes,
    table: str,
    column: str,
    criteria: Criteria = RECIST11,
    count_before: bool = False,
) -> list[Visit]:
    """Section 6.1, steps 1-4: usable assessments, one per date, up to the first progression.
    `count_before` (bor, issue 19: `assessments before origin: count`): those before the origin too."""
    _, worst_rank, _ = ranks(criteria)
    by_date: dict[dt.date, list[Occurrence]] = {}
    for occ in occurrences:
        if occ.date < origin and not count_before:
            notes.add(f"{occ.event} on {occ.date} is before the origin {origin}; ignored")
            continue
        if occ.date > end:
            continue
        if occ.value not in worst_rank:
            why = "missing" if occ.value is None else f'"{occ.value}" is not a {criteria.title} response'
            notes.add(
                f"{occ.event}: {table} row {occ.row} has no usable response in {column} ({why}); not used"
            )
            continue
        by_date.setdefault(occ.date, []).append(occ)
    out: list[Visit] = []
    for date in sorted(by_date):
        same = by_date[date]
        # max() keeps the first of equals: the first in occurrence order supplies SRCSEQ.
        worst = max(same, key=lambda o: worst_rank[o.value])
        shown = list(dict.fromkeys(o.value for o in same))
        if len(shown) > 1:
            notes.add(
                f"{worst.event}: different responses on {date} ({', '.join(shown)}); the worst, {worst.value}, is used"
            )
        out.append(Visit(date, worst.value, worst))
        if criteria.role(worst.value) == "progression" and not criteria.continues:
            break  # nothing after the first progression is used
    return out


@frozen(kw_only=True)
class Confirmation:
    """A CR or PR counts when a later visit at least `days` later confirms it, with at most
    `max_ne` NE and `max_sd` SD visits between (admiralonco's confirmed-response rules)."""

    days: float
    max_ne: int
    max_sd: int


def _confirmed(seq: list[Visit], i: int, rule: Confirmation | None, criteria: Criteria) -> str | None:
    """The response of the visit that confirms seq[i] (section 6.1 and 6.6), or None.

    A response needs `rule` (the endpoint's `confirm after`); another category confirms by
    its own row (at the next assessment), whatever the endpoint says."""
    first = seq[i]
    _, role, by, between, at_next, window = criteria.rule(first.response)[1:]
    response = role == "response"
    if not by or (response and rule is None):
        return None
    best_rank = ranks(criteria)[0]
    allowed = set(by) | set(between)
    ne = sd = 0
    best_seen = None  # the best response seen after seq[i]: none may follow it that is worse
    for k in range(i + 1, len(seq)):
        later = seq[k]
        r = later.response
        skip = at_next and r in between  # not yet the next assessment that decides
        if not skip and ((at_next and r not in by) or r not in allowed):
            return None
        if response:
            ne += criteria.role(r) == "ne"
            sd += criteria.role(r) == "control"
            worse = best_seen is not None and criteria.role(r) == "response" and best_rank[r] > best_seen
            if ne > rule.max_ne or sd > rule.max_sd or worse:
                return None
            if criteria.role(r) == "response":
                best_seen = best_rank[r] if best_seen is None else min(best_seen, best_rank[r])
        if skip:
            continue
        days = (later.date - first.date).days
        if r in by and (not response or days >= rule.days):
            if window is not None:
                gap = (later.date - seq[k - 1].date).days
                if not window[0] <= gap <= window[1]:
                    return None
            return r
        if at_next:
            return None
    return None


def _worse(response: str, confirming: str, criteria: Criteria) -> str:
    """The category a confirmed response counts as (section 6.6): the confirming visit's when
    that is a worse response (IMWG: CR then VGPR is a confirmed VGPR), else its own."""
    best = ranks(criteria)[0]
    if criteria.role(confirming) == "response" and best[confirming] > best[response]:
        return confirming
    return response


def categorise(
    seq: list[Visit], *, origin: dt.date, sd_min_days: float | None, confirm: Confirmation | None,
    criteria: Criteria = RECIST11,
) -> list[tuple[Visit, str]]:  # fmt: skip
    """Each visit's category (section 6.1): confirmation and the SD minimum applied."""
    out = []
    control = criteria.named("control")
    ne = criteria.named("ne")[0]
    for i, v in enumerate(seq):
        long_enough = sd_min_days is not None and (v.date - origin).days >= sd_min_days
        r = v.response
        role = criteria.role(r)
        confirmed_by = _confirmed(seq, i, confirm, criteria)
        if role == "response" and confirm is None:
            category = r
        elif role == "response" and confirmed_by is not None:
            category = _worse(r, confirmed_by, criteria)  # confirmed by a worse response: that one
        elif role == "response":
            category = control[0] if control and long_enough else ne
        elif role == "control":
            category = r if long_enough else ne
        elif confirmed_by is not None:  # a confirmed category counts as its confirmation, from its date
            category = confirmed_by
        else:
            category = r
        out.append((v, category))
    return out


def best_record(
    notes: Notes, *, param: str, origin_occ: Occurrence | None, categorised: list[tuple[Visit, str]],
    responder: tuple[str, ...] | None, criteria: Criteria = RECIST11, missing_as_ne: bool = False,
) -> Derivation:  # fmt: skip
    """Section 6.2: the best category, dated by its first visit; or a responder flag that
    follows it (Y when the best category is listed, dated by the first listed visit).
    `missing_as_ne` (bor, issue 19): no visit gives the set's not-evaluable category."""
    best_rank, _, codes = ranks(criteria)
    if not categorised:
        avalc = ("MISSING" if not missing_as_ne else criteria.named("ne")[0]) if responder is None else "N"
        return parameter(notes, param, origin_occ, avalc, None, codes=codes)
    best = min(best_rank[c] for _, c in categorised)
    if responder is not None:
        if criteria.order[best] not in responder:
            return parameter(notes, param, origin_occ, "N", None, codes=codes)
        hit = next(v for v, c in categorised if c in responder)
        return parameter(notes, param, origin_occ, "Y", hit.source, codes=codes)
    first = next(v for v, c in categorised if best_rank[c] == best)
    return parameter(notes, param, origin_occ, criteria.order[best], first.source, codes=codes)


def day_date(origin: dt.date, *, day: int, origin_day: int) -> dt.date:
    """The date of study day `day` when the origin is day 0 or day 1 (no day 0 then)."""
    return shift(origin, day if origin_day == 0 or day < 0 else day - 1)


def landmark_record(
    notes: Notes, *, param: str, origin_occ: Occurrence, visits: list[Visit], start: dt.date,
    stop: dt.date, nearest: dt.date | None, responder: tuple[str, ...], not_evaluable: str | None,
    window: str, criteria: Criteria = RECIST11,
) -> Derivation:  # fmt: skip
    """Section 6.3: the response at the visit chosen in [start, stop]."""
    best_rank, _, codes = ranks(criteria)
    ends = not criteria.continues
    progressed = next(
        (v for v in visits if ends and criteria.role(v.response) == "progression" and v.date < start), None
    )
    inside = [v for v in visits if start <= v.date <= stop]
    if progressed is not None:
        chosen = progressed
    elif not inside:
        chosen = None
    elif nearest is not None:
        chosen = min(inside, key=lambda v: (abs((v.date - nearest).days), v.date))
    else:
        chosen = min(inside, key=lambda v: (best_rank[v.response], v.date))
    if chosen is None or criteria.role(chosen.response) == "ne":
        if not_evaluable is None:
            what = "no assessment" if chosen is None else f"an {chosen.response} response"
            return exclude(notes, reason=f"not evaluable: {what} from {window}")
        return parameter(
            notes, param, origin_occ, not_evaluable, chosen.source if chosen else None, codes=codes
        )
    flag = "Y" if chosen.response in responder else "N"
    return parameter(notes, param, origin_occ, flag, chosen.source, codes=codes)


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
    notes: Notes,
    param: str,
    origin_occ: Occurrence | None,
    avalc: str,
    source: Occurrence | None,
    codes: dict = AVAL_CODES,
) -> Derivation:
    """One response or incidence row: AVALC with its code; ADT and source of `source`.
    Without an origin (`no origin: not assessed`) STARTDT is empty."""
    record = Record(
        notes.subject, notes.paramcd, param, origin_occ.date if origin_occ else None,
        source.date if source else None, float(codes[avalc]) if avalc in codes else None, None, None,
        None, None, source.domain if source else None, source.column if source else None,
        source.seq if source else None,
        STARTDTF=origin_occ.flag if origin_occ else None, ADTF=source.flag if source else None, AVALC=avalc,
    )  # fmt: skip
    return Derivation(notes.subject, notes.paramcd, record, None, tuple(notes.messages))
