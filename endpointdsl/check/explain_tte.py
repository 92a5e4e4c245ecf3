"""explain (issue 15): a time-to-event endpoint: its paragraphs and its outcome table, each
row's reachability decided from the model (a censoring rule another makes unreachable,
an end of observation no rule's date can pass).
"""

from __future__ import annotations

from . import model as m
from .explain_words import (
    Explanation,
    Row,
    bound,
    cutoff_exclusion,
    date_words,
    excluded,
    name,
    number,
    origin,
    origin_exclusion,
    outcome,
    population,
    population_exclusion,
)

# ---- time to event -----------------------------------------------------------------------


def tte(model: m.Model, ep: m.EndpointSpec) -> Explanation:
    terms = [t for t in ep.events if not t.competing]
    competing = [t for t in ep.events if t.competing]
    paras: list[tuple[str, tuple[str, ...]]] = []
    paras.append(("Population", tuple(population(model, ep))))
    paras.append(("Origin", tuple(origin(model, ep))))
    ev = [
        f"Event (CNSR 0): the earliest of {', '.join(name(model, t.event) for t in terms)} dated from the "
        "origin to the end of observation; on one date the first listed wins, then the lowest sequence."
    ]
    for t in competing:
        ev.append(f"Competing event (CNSR {t.cnsr}): {name(model, t.event)}, in the same window.")
    if competing:
        ev.append(
            f"A same-day tie between an event and a competing event: the {ep.same_day or 'event'} first."
        )
    if ep.clamp:
        ev.append(
            "Occurrences before the origin take part and a date before it is moved to the origin (admiral)."
        )
    else:
        ev.append("Occurrences before the origin are not events; they are ignored and reported.")
    if ep.group is not None:
        g = ep.group
        ev.append(
            f"One parameter per value of {', '.join(g.columns)} of {name(model, g.event)} ({g.table}): "
            f"PARAMCD {ep.paramcd} followed by the value's number."
        )
    paras.append(("Events", tuple(ev)))
    if ep.missed is not None:
        r = ep.missed
        sched = ", then ".join(
            f"every {number(every)} days" + (f" until day {number(until)}" if until is not None else "")
            for every, until in r.schedule.pieces
        )
        paras.append((
            "Missed assessments",
            (
                f"An event more than {r.count} x the interval + {number(r.schedule.window)} days after the last "
                f"{name(model, r.event)} before it (the origin when none) is censored at that "
                f"{name(model, r.event)} (schedule {r.schedule.name}: {sched}; window {number(r.schedule.window)} days).",
            ),
        ))  # fmt: skip
    if ep.bounds:
        obs = ["End of observation: the earliest of the following (a tie: the first listed)."]
        obs += [f"{i}. {bound(model, b)}" for i, b in enumerate(ep.bounds, 1)]
        if ep.ascertainment == "continuous":
            obs.append(
                "Ascertainment continuous: a censoring date after the end shows the subject event-free through "
                "it, so the record is censored at the end (the bound's outcome where it declares one)."
            )
        elif ep.ascertainment == "at visits":
            obs.append(
                "Ascertainment at visits: a censoring date after the end does not count; the rule's "
                "occurrences are taken up to the end, else the next rule is tried."
            )
    else:
        obs = ["No end of observation: every later occurrence counts."]
    paras.append(("Observation", tuple(obs)))
    cens = ["Without an event, the censoring rules are tried in order; the first that gives a date decides:"]
    for i, rule in enumerate(ep.censoring, 1):
        cens.append(f"{i}. {_rule_words(model, rule)}")
    if not ep.censoring:
        cens = ["No censoring rule: a subject without an event is excluded."]
    cens += _plain_words(model, ep, terms)
    paras.append(("Censoring", tuple(cens)))
    unit = ep.unit
    day = "+ 1" if ep.origin_day == 1 else "+ 0"
    aval = f"AVAL = (ADT - STARTDT {day})"
    if m.timed(ep):  # times of day: from the origin's moment, no day added
        text = (
            f"AVAL = (ADTM - STARTDTM) in {unit}, not rounded; AVALU {m.AVALU[unit]}; the origin and the "
            "chosen date must have a time of day, else the subject is excluded (`no time of day`)."
        )
    else:
        if unit != "days":
            aval += f" / {number(m.UNIT_DAYS[unit])}"
        text = f"{aval}, not rounded; AVALU {m.AVALU[unit]}; origin is day {ep.origin_day}."
    paras.append(("AVAL", (text,)))
    return Explanation(ep.paramcd, ep.param, ep.kind, tuple(paras), tuple(_tte_rows(model, ep)))


def _rule_words(model: m.Model, rule: m.CensorRule) -> str:
    conds = [_condition_words(model, c) for c in rule.conditions]
    choices = [f"{date_words(model, ch.date)} (CNSR {ch.outcome.cnsr})" for ch in rule.choices]
    text = ("the latest of " + ", ".join(choices)) if rule.latest else choices[0]
    return f"censored at {text}" + (f" if {' and '.join(conds)}" if conds else "") + "."


def _condition_words(model: m.Model, c: m.RuleCondition) -> str:
    if c.kind == "has":
        return f"{name(model, c.event)} occurred by the end of observation"
    if c.kind == "no":
        return f"no {name(model, c.event)} by the end of observation"
    return f"observation was stopped by {name(model, c.event)}"


def _plain_words(model: m.Model, ep: m.EndpointSpec, terms) -> list[str]:
    """A censoring at a subject-level event that is not an event of the endpoint, said plainly
    (the seed's literal PFS: death without progression is censored at the death date)."""
    out = []
    listed = {t.event for t in ep.events}
    events = " or ".join(name(model, t.event) for t in ep.events)
    # an event of another endpoint of the file, censored here: said to be no event here
    elsewhere = {t.event for other in model.endpoints if other is not ep for t in other.events}
    for rule in ep.censoring:
        for ch in rule.choices:
            e = ch.date.event
            if ch.date.kind == "single" and e not in listed and model.event(e).per_subject:
                note = f"{name(model, e)} is not an event here: " if e in elsewhere else ""
                out.append(
                    f"{note}{name(model, e)} without {events} is censored at the {name(model, e)} date "
                    f"(CNSR {ch.outcome.cnsr})."
                )
    return list(dict.fromkeys(out))


def _capped_at(ep: m.EndpointSpec, rule: m.CensorRule) -> list[int]:
    """The bounds (1-based) at whose end rule's date can be capped: continuous ascertainment;
    a `stopped by G` rule only by the stop at G."""
    if ep.ascertainment != "continuous":
        return []
    stops = {c.event for c in rule.conditions if c.kind == "stopped"}
    out = []
    for k, b in enumerate(ep.bounds, 1):
        if stops and not (b.kind == "stop" and b.event in stops):
            continue
        out.append(k)
    return out


def _tte_rows(model: m.Model, ep: m.EndpointSpec) -> list[Row]:
    rows: list[Row] = []
    terms = [t for t in ep.events]
    listed = ", ".join(name(model, t.event) for t in terms)  # an event or a competing event
    # With a missed-assessment rule an event is measured from the last assessment before it,
    # or from the origin when there is none: two branches (FDA B7 and B8 are one each).
    missed = ep.missed
    split = (
        [("", "")]
        if missed is None
        else [(".0", f"; no {name(model, missed.event)} before it"),
              (".1", f"; after a {name(model, missed.event)}")]
    )  # fmt: skip
    for i, t in enumerate(terms, 1):
        what = "Competing event" if t.competing else "Event"
        for suffix, words in split:
            within = (
                f", at most {missed.count} missed assessments after the {'origin' if suffix == '.0' else 'last one'}"
                if missed
                else ""
            )
            rows.append(Row(
                f"E{i}{suffix}", f"{what}: {name(model, t.event)} is the earliest of the events in the window{words}{within}",
                f"date of {name(model, t.event)}", str(t.cnsr), t.evntdesc or model.event(t.event).label or "", "",
            ))  # fmt: skip
    if missed is not None:
        cnsr, evntdesc, cnsdtdsc = outcome(missed.outcome)
        a = name(model, missed.event)
        rows.append(Row(
            "M.0", f"Event more than {missed.count} missed assessments after the origin, no {a} before it",
            "the origin", cnsr, evntdesc, cnsdtdsc,
        ))  # fmt: skip
        rows.append(Row(
            "M.1", f"Event more than {missed.count} missed assessments after the last {a} before it",
            f"date of the last {a} before the event", cnsr, evntdesc, cnsdtdsc,
        ))  # fmt: skip
    for i, rule in enumerate(ep.censoring, 1):
        unreachable = _rule_unreachable(ep, i)
        conds = " and ".join(_condition_words(model, c) for c in rule.conditions)
        for j, ch in enumerate(rule.choices, 1):
            key = f"R{i}" if len(rule.choices) == 1 else f"R{i}.{j}"
            situation = f"No event ({listed})" + (f"; {conds}" if conds else "")
            if rule.latest:
                situation += f"; the latest of the rule's dates is {date_words(model, ch.date)}"
            if ch.date.kind != "origin" and ep.bounds:
                situation += "; the date is on or before the end of observation"
            evntdesc = ch.outcome.evntdesc or ""
            rows.append(Row(
                key, situation, date_words(model, ch.date), str(ch.outcome.cnsr), evntdesc,
                ch.outcome.cnsdtdsc or "", unreachable is None, unreachable,
            ))  # fmt: skip
            if ch.date.kind == "origin":
                continue
            for k in _capped_at(ep, rule):
                b = ep.bounds[k - 1]
                if b.kind == "cutoff" and b.inclusive and b.date == ch.date:
                    continue  # the end is never before this date: it is the cut-off itself
                bo = b.outcome
                cnsr = str(bo.cnsr) if bo else str(ch.outcome.cnsr)
                evd = bo.evntdesc if bo and bo.evntdesc is not None else (ch.outcome.evntdesc or "")
                cdd = bo.cnsdtdsc if bo and bo.cnsdtdsc is not None else b.description
                rows.append(Row(
                    f"{key}>B{k}",
                    f"As {key}, but {date_words(model, ch.date)} is after the end of observation, set by {b.description}",
                    f"the end of observation ({b.description})", cnsr, evd or "", cdd,
                    unreachable is None, unreachable,
                ))  # fmt: skip
    used = {r.key.split(">B")[1] for r in rows if ">B" in r.key}
    for k, b in enumerate(ep.bounds, 1):
        if b.outcome is None or str(k) in used:
            continue
        cnsr, evntdesc, cnsdtdsc = outcome(b.outcome)
        if ep.ascertainment == "at visits":
            why = "ascertainment at visits: a censoring date after the end does not count, so no record is censored at the end"
        else:
            why = "no censoring rule has a date that can lie after the end of observation"
        rows.append(Row(
            f"B{k}", f"Censored at the end of observation ({b.description})",
            f"the end of observation ({b.description})", cnsr, evntdesc or "", cnsdtdsc or b.description, False, why,
        ))  # fmt: skip
    rows += _tte_exclusions(model, ep)
    return rows


def _rule_unreachable(ep: m.EndpointSpec, i: int) -> str | None:
    """Why censoring rule i (1-based) can never decide, or None. Rule i is unreachable when it
    needs an event and its absence; or when an earlier rule applies whenever it does (its
    conditions are a subset) and gives a date whenever rule i would (an `origin` choice, or
    rule i's choices among its own)."""
    rule = ep.censoring[i - 1]
    has = {c.event for c in rule.conditions if c.kind == "has"}
    no = {c.event for c in rule.conditions if c.kind == "no"}
    if has & no:
        return f"its conditions need {sorted(has & no)[0]} both to occur and not to occur"
    stops = {c.event for c in rule.conditions if c.kind == "stopped"}
    if len(stops) > 1:
        return "observation cannot be stopped by two events"
    for s in stops:
        if not any(b.kind == "stop" and b.event == s for b in ep.bounds):
            return f"the endpoint has no stop at {s}"
    mine = set(rule.conditions)
    for h, earlier in enumerate(ep.censoring[: i - 1], 1):
        if not set(earlier.conditions) <= mine:
            continue
        if any(ch.date.kind == "origin" for ch in earlier.choices):
            return f"rule {h} gives the origin whenever this rule applies"
        if {ch.date for ch in rule.choices} <= {ch.date for ch in earlier.choices}:
            return f"rule {h} applies whenever this rule does and gives a date whenever this one would"
    return None


def _tte_exclusions(model: m.Model, ep: m.EndpointSpec) -> list[Row]:
    rows = [*population_exclusion(ep), origin_exclusion(ep), *cutoff_exclusion(ep)]
    if m.timed(ep):  # times of day: the origin or the chosen date without a time
        rows.append(
            excluded("X:no-time", "The origin or the chosen date has no time of day", "no time of day")
        )
    always = any(
        not rule.conditions and any(ch.date.kind == "origin" for ch in rule.choices) for rule in ep.censoring
    )
    why = "a censoring rule without conditions gives the origin" if always else None
    rows.append(excluded(
        "X:no-rule", "No event, and no censoring rule gives a date", "no event, and no censoring rule applies",
        why is None, why,
    ))  # fmt: skip
    return rows
