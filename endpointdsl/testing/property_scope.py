"""Generated properties (issue 15): where a property does not hold for an endpoint by design
(said, not run), and what each property says in the SAP's words.
"""

from __future__ import annotations

from collections.abc import Callable

from ..check import model as m
from . import oracle

# ---- applicability: where a property does not hold by design, said -----------------------


def not_applicable(model: m.Model, ep: m.EndpointSpec) -> dict[str, str]:
    why: dict[str, str] = {}
    kind = ep.kind
    oracle_props = ("window", "event-beats-censoring", "earliest-event", "aval")
    if kind == "value":
        reason = "a value endpoint derives a number from a series of samples, with no event date or window"
        return dict.fromkeys((*oracle_props, "later-rows"), reason)
    if ep.group is not None:
        reason = (
            "one parameter per value of a `for each` column restricts the event to that value's rows; "
            "the property's own reading does not"
        )
        return dict.fromkeys((*oracle_props, "later-rows"), reason)
    if kind != "tte":
        what = {"best": "a best response", "landmark": "a landmark response", "occurrence": "an incidence",
                "extreme": "a worst-of outcome"}.get(kind, kind)  # fmt: skip
        for name in ("event-beats-censoring", "earliest-event", "aval"):
            why[name] = f"{what} row has no CNSR and its AVAL is a category code"
        if kind in ("best", "landmark"):
            why["later-rows"] = "a later assessment may improve or confirm the response, by design"
        elif kind == "extreme":
            why["later-rows"] = "a later, worse (or better) outcome changes the result, by design"
    if m.timed(ep):
        reason = "counted by the clock (`time in hours|minutes`): the property reads dates only"
        for name in oracle_props:
            why.setdefault(name, reason)
    window_events = [
        ep.origin.event,
        *(b.event for b in ep.bounds),
        *(b.date.event for b in ep.bounds if b.date),
    ]
    odd = _not_plain(model, window_events)
    if odd:
        why.setdefault("window", odd)
    odd = _not_plain(
        model, [*window_events, *(t.event for t in ep.events), ep.missed.event if ep.missed else None,
                ep.population.event],
    )  # fmt: skip
    if odd:
        for name in ("event-beats-censoring", "earliest-event"):
            why.setdefault(name, odd)
    later = _later_rows_matter(model, ep)
    if later:
        why.setdefault("later-rows", later)
    return why


def _not_plain(model: m.Model, names) -> str | None:
    for name in names:
        if name is None or oracle.plain(model, name):
            continue
        ev = model.event(name)
        what = (
            "a confirmed event (its confirmation reads other assessments)" if ev.confirm is not None
            else "a derived date" if ev.date is not None
            else f"another endpoint's rows ({ev.table})"
        )  # fmt: skip
        return f"{ev.display} is {what}, which the property's own reading does not derive"
    return None


def _later_rows_matter(model: m.Model, ep: m.EndpointSpec) -> str | None:
    """Why rows dated after the deciding date may change the record, by design."""
    if model.upstream(ep):
        return f"it reads the rows of {', '.join(model.upstream(ep))}, whose derivation may read later rows"
    for spec in [ep.origin, *(b.date for b in ep.bounds if b.date)]:
        if spec.kind == "last" and spec.event and not model.event(spec.event).per_subject:
            return f"`last {spec.event}` moves with a later row"
    for name in model.read_events(ep):
        ev = model.event(name)
        if ev.confirm is not None:
            return f"{ev.display} is confirmed by later assessments, by design (semantics 2.1)"
        if isinstance(ev.date, m.DatePick) and ev.date.which != "first":
            return f"{ev.display} picks an occurrence other than the first, which a later row may change"
    return None


# ---- what each property says, in the SAP's words --------------------------------------------


def _unit_words(ep: m.EndpointSpec) -> str:
    if m.timed(ep):
        return f"ADTM - STARTDTM in {ep.unit}"
    days = m.UNIT_DAYS[ep.unit]
    per = "" if ep.unit == "days" else f", divided by {days:g} days per {ep.unit.removesuffix('s')}"
    return f"ADT - STARTDT + {ep.origin_day}{per}"


DESCRIPTIONS: dict[str, Callable[[m.EndpointSpec], str]] = {
    "window": lambda ep: (
        "the analysis date lies in the observation window: STARTDT is the origin "
        f"({ep.origin.describe()}) and ADT is on or after it and on or before the end of observation"
        + (f" ({', '.join(b.description for b in ep.bounds)})" if ep.bounds else "")
        + "; a window that ends before the origin gives no record."
    ),
    "event-beats-censoring": lambda ep: (
        "a terminating event ("
        + ", ".join(t.event for t in ep.events)
        + ") in the window gives an event (CNSR 0, or a competing event's code), never a censoring"
        + (" unless the missed-assessment rule censors it" if ep.missed else "")
        + "; subjects whose deciding rows have partial dates (imputed) are not judged."
    ),
    "earliest-event": lambda ep: (
        "ADT is the date of the earliest terminating occurrence in the window (a tie: the first listed); "
        "without one the record is not an event."
    ),
    "later-rows": lambda ep: (
        "occurrences dated after the deciding date change nothing: rows added after an event's ADT "
        "leave the record as it was."
    ),
    "row-order": lambda ep: (
        "the result does not depend on the order of the input rows (every table shuffled); subjects with "
        "records that SRCSEQ cannot tell apart are reported and left out."
    ),
    "aval": lambda ep: f"AVAL is {_unit_words(ep)} (AVALU {m.AVALU.get(ep.unit, ep.unit)}).",
    "every-subject": lambda ep: (
        "every subject of the subject-level table ends, for each parameter, either in the output or in "
        "the exclusions report with a reason, exactly once."
    ),
    "engines-agree": lambda ep: (
        "double programming: the compiled functions, the SQL engine (DuckDB) and the reference "
        "interpreter give identical records and reports (on a tenth of the histories: each runs "
        "the three engines)."
    ),
}
