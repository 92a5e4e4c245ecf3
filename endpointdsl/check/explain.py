"""explain (issue 15): what a checked endpoint does, in the SAP's words, from the model alone.

`explain(model)` gives one `Explanation` per endpoint: paragraphs (origin, events, censoring
in order, end of observation, population, AVAL rule; criteria and confirmation for
responses) and the **outcome table**: one row per outcome the definition can give, each
with a key, its situation, date, CNSR, EVNTDESC and CNSDTDSC, enumerated from the model's
branches, and each row's reachability decided by `_reach_*` (an analysis of the model, not
of data). Subjects without a record have their own rows (`excluded`).

Row keys are what the trace (engines/reference/trace.py) names as the row that decided a
subject: `E1`.. (the listed and competing events, in order; with a missed-assessment rule
`E1.0` when no assessment precedes the event, `E1.1` when one does), `M.0`, `M.1` (the
event censored by the missed-assessment rule, at the origin or at the last assessment), `R1`.. (censoring rules; `R2.1`, `R2.2` for the choices of a `latest of` rule),
`R1>B2` (rule 1's date lies after the end of observation, so the record is censored at
the end set by bound 2: `ascertainment: continuous`), `B2` (bound 2's declared outcome,
listed only when no `R>B2` row can use it), `C:<AVALC>` (response and incidence
endpoints) and `X:population`, `X:origin`, `X:before-origin`, `X:no-rule`,
`X:not-evaluable`, `X:window`, `X:no-time` (exclusions).

The dispatch is on the endpoint's kind (`EXPLAINERS`): a new kind of endpoint adds its own.
"""

from __future__ import annotations

import datetime as dt
import math

from attrs import evolve, frozen

from . import model as m


@frozen
class Row:
    key: str
    situation: str
    date: str
    cnsr: str  # the CNSR (time to event), the AVALC (responses), or "excluded"
    evntdesc: str  # EVNTDESC (time to event), AVAL (responses), or the exclusion reason
    cnsdtdsc: str
    reachable: bool = True
    why: str | None = None  # why a row cannot be reached


@frozen
class Explanation:
    paramcd: str
    param: str
    kind: str
    paragraphs: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, sentences)
    rows: tuple[Row, ...]
    columns: tuple[str, ...] = ("Situation", "Date", "CNSR", "EVNTDESC", "CNSDTDSC")

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    @property
    def reachable(self) -> frozenset[str]:
        return frozenset(r.key for r in self.rows if r.reachable)


def explain(model: m.Model, only: str | None = None) -> list[Explanation]:
    """Every endpoint's explanation (or only the endpoint `only`), in file order."""
    out = []
    for ep in model.endpoints:
        if only not in (None, ep.paramcd):
            continue
        got = EXPLAINERS.get(ep.kind, _other)(model, ep)
        sources = tuple(event_source(model, model.event(e)) for e in model.read_events(ep))
        out.append(evolve(got, paragraphs=(*got.paragraphs, ("Sources", sources))))
    return out


# ---- words for the model's parts ---------------------------------------------------------


def number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def literal(lit: m.Literal) -> str:
    if lit.kind == "text":
        return '"' + str(lit.value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    if lit.kind == "number":
        return number(lit.value)
    return lit.value.isoformat() if isinstance(lit.value, dt.date) else str(lit.value)


def condition(cond: m.Condition | None, inner: bool = False) -> str:
    match cond:
        case None:
            return ""
        case m.Compare(column=c, op=op, literal=lit):
            return f"{c} {op} {literal(lit)}"
        case m.InList(column=c, literals=lits, negated=neg):
            return f"{c} {'not in' if neg else 'in'} ({', '.join(literal(x) for x in lits)})"
        case m.IsMissing(column=c, negated=neg):
            return f"{c} is {'not ' if neg else ''}missing"
        case m.Not(operand=a):
            return f"not ({condition(a)})"
        case m.And(left=a, right=b):
            return f"{condition(a, True)} and {condition(b, True)}"
        case m.Or(left=a, right=b):
            text = f"{condition(a, True)} or {condition(b, True)}"
            return f"({text})" if inner else text
        case m.CompareColumns():
            return _compare_columns(cond)
    return str(cond)


def _compare_columns(c: m.CompareColumns) -> str:
    other = f"{c.other.table}.{c.other.column}" if c.other.table else c.other.column
    right = other if c.factor == 1 else f"{number(c.factor)} * {other}"
    if c.offset:
        sign = "+" if c.offset > 0 else "-"
        right += f" {sign} {number(abs(c.offset))}{' days' if c.kind == 'date' else ''}"
    return f"{c.column} {c.op} {right}"


def name(model: m.Model, event: str | None) -> str:
    """An event as the text calls it: its label, else its name (a derived date: as written)."""
    if event is None:
        return "?"
    src = model.event(event)
    return src.label or src.display


def date_words(model: m.Model, spec: m.DateSpec) -> str:
    if spec.shown is not None:
        return spec.shown
    match spec.kind:
        case "origin":
            return "the origin"
        case "literal":
            return spec.value.isoformat() if spec.value else "?"
        case "single":
            return f"the date of {name(model, spec.event)}"
    label = name(model, spec.event)
    head, _, rest = label.partition(" ")
    if head.lower() == spec.kind and rest:  # "Last adequate tumour assessment": not "the last Last ..."
        return f"the {spec.kind} {rest}"
    return f"the {spec.kind} {label}"


def _date_pick(expr) -> str:
    match expr:
        case m.DatePick(event=e, which=w, n=k, relation=rel, other=o):
            head = f"the {k}th {e}" if w == "nth" else f"{w} {e}"
            return head + (f" {rel} {_date_pick(o)}" if rel else "")
        case m.DateShift(base=b, days=d):
            return f"{_date_pick(b)} {'+' if d >= 0 else '-'} {abs(d)} days"
    return "origin"


def event_source(model: m.Model, src: m.EventSource) -> str:
    """Where an event's occurrences come from, as one sentence."""
    label = f"{src.label} (`{src.name}`)" if src.label else f"`{src.name}`"
    if src.date is not None:
        return f"{label}: a derived date, {src.shown or _date_pick(src.date)}; one per subject."
    if src.confirm is not None:
        return f"{label}: {_confirmation(model, src.confirm)}"
    where = f" where {condition(src.where)}" if src.where is not None else ""
    parts = [f"{label}: {src.table}.{src.column}{where}"]
    if src.derived:
        parts.append(f"the rows of endpoint {src.table}")
    parts.append("one per subject" if src.per_subject else "one occurrence per selected row")
    if src.sequence:
        parts.append(f"SRCSEQ from {src.sequence}")
    if src.format:
        parts.append(f'dates read as "{src.format}"')
    if src.impute:
        how = {"first": "the first", "mid": "the middle", "last": "the last"}[src.impute]
        day = " (a year alone is not used)" if src.impute_day_only else ""
        bounds = [f"not before {e}{_days(d)}" for e, d in src.imputation_bounds("before")]
        bounds += [f"not after {e}{_days(d)}" for e, d in src.imputation_bounds("after")]
        parts.append(
            f"a partial date takes {how} possible day{day}" + (f", {', '.join(bounds)}" if bounds else "")
        )
    if src.response:
        parts.append(f"the time-point response is {src.response}")
    if src.time:
        parts.append("with the time of day")
    return "; ".join(parts) + "."


def _days(d: int) -> str:
    return "" if d == 0 else f" {'+' if d > 0 else '-'} {abs(d)} days"


def _confirmation(model: m.Model, c: m.EventConfirmation) -> str:
    cand = c.candidate
    if c.kind == "later":
        text = f"an occurrence of {cand} confirmed by {c.by} at least {number(c.at_least or 0)} days later"
        if c.at_most is not None:
            text += f" and at most {number(c.at_most)} days later"
        if c.without:
            text += f", with no {c.without} between"
    elif c.kind == "next":
        text = f"an occurrence of {cand} confirmed by {c.by} at the next {c.assessments}"
    elif c.kind == "consecutive":
        text = f"an occurrence of {cand} held for {c.count} consecutive {c.assessments}"
    else:
        text = f"an occurrence of {cand} sustained to the last {c.assessments}"
    if c.death:
        text += f", or {c.death} within {number(c.death_within or 0)} days of the last assessment"
    return text + "; the candidate's own date and source are kept."


def _outcome(o: m.Outcome | None) -> tuple[str, str, str]:
    if o is None:
        return ("", "", "")
    return (str(o.cnsr), o.evntdesc or "", o.cnsdtdsc or "")


def _population(model: m.Model, ep: m.EndpointSpec) -> list[str]:
    pop = ep.population
    subjects = (
        f"every subject of {model.subject_table.name} (one row per subject, key {model.subject_table.key})"
    )
    if pop.kind == "all":
        return [f"Population: {subjects}."]
    if pop.kind == "with":
        return [
            f"Population ({pop.description}): subjects with at least one {name(model, pop.event)}; "
            "others are excluded (`not in population`)."
        ]
    return [
        f"Population ({pop.description}): subjects with at least one {pop.table} row where "
        f"{condition(pop.where)}; others are excluded (`not in population`)."
    ]


def _origin(model: m.Model, ep: m.EndpointSpec) -> list[str]:
    o = ep.origin
    return [f"Origin (STARTDT): {date_words(model, o)}. A subject without it is excluded (`no origin date`)."]


def _bound(model: m.Model, b: m.Bound) -> str:
    incl = "inclusive" if b.inclusive else "exclusive"
    if b.kind == "horizon":
        unit = b.unit or "days"
        if b.calendar:
            text = f"a horizon of {number(b.amount)} calendar {unit} after the origin ({incl})"
        else:
            length = b.amount * m.UNIT_DAYS[unit]
            last = math.floor(length) if b.inclusive else math.ceil(length) - 1
            text = (
                f"a horizon of {number(b.amount)} {unit} ({number(length)} days, {incl}): the last date observed "
                f"is {last} days after the origin"
            )
    elif b.kind == "cutoff":
        text = f"a cut-off at {date_words(model, b.date)} ({incl})"
    else:
        text = (
            f"stop at the first {name(model, b.event)} on or after the origin ({incl}"
            + ("; never before the origin day" if not b.inclusive else "")
            + ")"
        )
    cnsr, evntdesc, cnsdtdsc = _outcome(b.outcome)
    if b.outcome is not None:
        text += f"; its own outcome: CNSR {cnsr}" + (f", EVNTDESC {evntdesc!r}" if evntdesc else "")
        text += f", CNSDTDSC {cnsdtdsc!r}" if cnsdtdsc else ""
    return text + f" [{b.description}]"


# ---- time to event -----------------------------------------------------------------------


def _tte(model: m.Model, ep: m.EndpointSpec) -> Explanation:
    terms = [t for t in ep.events if not t.competing]
    competing = [t for t in ep.events if t.competing]
    paras: list[tuple[str, tuple[str, ...]]] = []
    paras.append(("Population", tuple(_population(model, ep))))
    paras.append(("Origin", tuple(_origin(model, ep))))
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
        obs += [f"{i}. {_bound(model, b)}" for i, b in enumerate(ep.bounds, 1)]
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
        cnsr, evntdesc, cnsdtdsc = _outcome(missed.outcome)
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
        cnsr, evntdesc, cnsdtdsc = _outcome(b.outcome)
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
    rows = []
    if ep.population.kind != "all":
        rows.append(
            _excluded(
                "X:population", "Not in the population", f"not in population: {ep.population.description}"
            )
        )
    rows.append(_origin_exclusion(ep))
    if any(b.kind == "cutoff" for b in ep.bounds):
        rows.append(
            _excluded(
                "X:before-origin", "The cut-off is before the origin", "observation ends before the origin"
            )
        )
    if m.timed(ep):  # times of day: the origin or the chosen date without a time
        rows.append(
            _excluded("X:no-time", "The origin or the chosen date has no time of day", "no time of day")
        )
    always = any(
        not rule.conditions and any(ch.date.kind == "origin" for ch in rule.choices) for rule in ep.censoring
    )
    why = "a censoring rule without conditions gives the origin" if always else None
    rows.append(_excluded(
        "X:no-rule", "No event, and no censoring rule gives a date", "no event, and no censoring rule applies",
        why is None, why,
    ))  # fmt: skip
    return rows


def _origin_exclusion(ep: m.EndpointSpec) -> Row:
    """No origin date; unreachable when the population is the subjects with the origin's event."""
    o, pop = ep.origin, ep.population
    why = None
    if (
        pop.kind == "with"
        and o.kind in ("first", "last", "single")
        and o.shown is None
        and o.event == pop.event
    ):
        why = f"the population is the subjects with {o.event}, the origin's event"
    reason = f"no origin date: {o.describe()} has no usable date"
    return _excluded("X:origin", "No origin date", reason, why is None, why)


def _excluded(key: str, situation: str, reason: str, reachable: bool = True, why: str | None = None) -> Row:
    return Row(key, situation, "", "excluded", reason, "", reachable, why)


# ---- responses and incidence -------------------------------------------------------------


def _criteria(r: m.ResponseSpec) -> tuple[str, tuple[str, ...]]:
    if r.criteria is None:
        return "RECIST 1.1", m.RESPONSES
    return r.criteria.title, r.criteria.names


def _codes(r: m.ResponseSpec) -> dict:
    if r.criteria is None:
        return dict(m.AVAL_CODES)
    codes = {c.name: c.aval for c in r.criteria.categories}
    codes.update({"MISSING": r.criteria.missing_aval, "Y": 1, "N": 0})
    return codes


def _window(model: m.Model, b: m.WindowBound | None) -> str:
    if b is None:
        return "?"
    if b.shown is not None:
        return b.shown
    return f"day {b.day}" if b.event is None else f"the date of {name(model, b.event)}"


def _response_common(model: m.Model, ep: m.EndpointSpec) -> list[tuple[str, tuple[str, ...]]]:
    paras = [("Population", tuple(_population(model, ep))), ("Origin", tuple(_origin(model, ep)))]
    if ep.bounds:
        obs = ["End of observation: the earliest of the following."]
        obs += [f"{i}. {_bound(model, b)}" for i, b in enumerate(ep.bounds, 1)]
        paras.append(("Observation", tuple(obs)))
    return paras


def _response(model: m.Model, ep: m.EndpointSpec) -> Explanation:
    r = ep.response
    title, names = _criteria(r)
    codes = _codes(r)
    paras = _response_common(model, ep)
    src = model.event(r.event)
    visits = [
        f"Assessments: {name(model, r.event)} ({src.table}.{src.column}, response {src.response}), from the origin "
        f"to the end of observation; {title} categories: {', '.join(names)}.",
        "Several assessments on one date make one visit with the worst response. An assessment with a "
        "response that is not a category is reported and not used.",
    ]
    if r.before_origin == "count":  # bor (issue 19): admiralonco's choices, said as they apply
        visits.append("Assessments before the origin are used (`before origin: count`).")
    else:
        visits.append("An assessment before the origin is reported and not used.")
    visits.append(f"Progressive disease cut-off: {r.progression_cutoff}.")
    if r.criteria is not None:  # criteria (issue 13): each category's role and confirmation
        for c in r.criteria.categories:
            if not c.confirmed_by:
                continue
            rule = f"{c.name} is confirmed by a later {' or '.join(c.confirmed_by)}"
            rule += f", with only {' or '.join(c.between)} between" if c.between else ""
            rule += ", at the next assessment" if c.at_next else ""
            if c.window is not None:
                rule += (
                    f", {number(c.window[0])} to {number(c.window[1])} days after the assessment before it"
                )
            when = " (with `confirm after`)" if c.role == "response" else ""
            rank = r.criteria.names
            worse = [x for x in c.confirmed_by if rank.index(x) > rank.index(c.name)]
            if c.role == "response" and worse:
                when += f"; confirmed by {' or '.join(worse)} it counts as that category, from its own date"
            elif c.role != "response":
                when += "; confirmed, it counts as the confirming visit's category, from its own date"
            visits.append(rule + when + ".")
    paras.append(("Assessments", tuple(visits)))
    rows: list[Row] = []
    if r.kind == "best":
        rule = [
            f"Best overall response: the best category over the visits ({' > '.join(names)}), dated by its first visit."
        ]
        if r.sd_min_days is not None:
            rule.append(
                f"A disease-control visit qualifies when dated at least {number(r.sd_min_days)} days after the origin."
            )
        if r.confirm is not None:
            c = r.confirm
            rule.append(
                f"Responses need confirmation by a later visit at least {number(c.days)} days later, with at most "
                f"{c.max_ne} not-evaluable and {c.max_sd} disease-control visits between; an unconfirmed response "
                "counts as disease control when it qualifies, else not evaluable."
            )
        none = "MISSING"
        if r.missing_as_ne:  # bor (issue 19): `no visits: not evaluable`
            none = (r.criteria.of_role("ne") if r.criteria else ("NE",))[0]
            rule.append(f"A subject without a usable visit is {none} (`no visits: not evaluable`).")
        if r.no_origin_assessed:
            rule.append(f"A subject without an origin date is not excluded: {none} (N for a flag).")
        if r.responder is not None:
            rule.append(
                f"Responder flag: Y when the best category is one of {', '.join(r.responder)}; else N."
            )
            rows.append(Row("C:Y", f"The best category is one of {', '.join(r.responder)}",
                            "first visit with a listed category", "Y", "1", ""))  # fmt: skip
            rows.append(Row("C:N", "Otherwise (also without any visit)", "", "N", "0", ""))
        else:
            shown = names if r.criteria is not None else (*names, m.NOT_DONE)  # ND: no AVAL code
            for cat in shown:
                aval = codes.get(cat)
                situation = f"The best category is {cat}"
                if cat == none != "MISSING":
                    situation += " (also without a usable visit)"
                rows.append(Row(f"C:{cat}", situation, f"first visit of {cat}", cat,
                                "" if aval is None else str(aval), ""))  # fmt: skip
            if none == "MISSING":
                rows.append(Row("C:MISSING", "No usable visit", "", "MISSING", str(codes["MISSING"]), ""))
        paras.append(("Best response", tuple(rule)))
    else:
        a, b = _window(model, r.start), _window(model, r.stop)
        which = (
            f"the visit nearest day {r.nearest} (a tie: the earlier)"
            if r.nearest is not None
            else "the best visit"
        )
        rule = [
            f"Landmark response: {which} dated from {a} through {b} (origin is day {ep.origin_day}); "
            "a progression before the window gives PD.",
            f"Responder: Y when that response is one of {', '.join(r.responder or ())}; else N.",
        ]
        ne = r.not_evaluable
        rows.append(
            Row(
                "C:Y",
                f"The response is one of {', '.join(r.responder or ())}",
                "the chosen visit",
                "Y",
                "1",
                "",
            )
        )
        rows.append(
            Row(
                "C:N",
                "The response is another category (or a progression before the window)",
                "the chosen visit",
                "N",
                "0",
                "",
            )
        )
        if ne is None:
            rule.append("No visit in the window, or a not-evaluable one: excluded (`not evaluable`).")
            rows.append(
                _excluded(
                    "X:not-evaluable", "No visit in the window, or a not-evaluable one", "not evaluable"
                )
            )
        else:
            rule.append(f'No visit in the window, or a not-evaluable one: AVALC "{ne}".')
            if ne not in ("Y", "N"):
                rows.append(Row(f"C:{ne}", "No visit in the window, or a not-evaluable one", "", ne, "", ""))
        paras.append(("Landmark", tuple(rule)))
        rows += _window_exclusion(r)
    rows += _response_exclusions(model, ep)
    return Explanation(ep.paramcd, ep.param, ep.kind, tuple(paras), tuple(rows), _RESPONSE_COLUMNS)


_RESPONSE_COLUMNS = ("Situation", "Date", "AVALC", "AVAL", "")


def _occurrence(model: m.Model, ep: m.EndpointSpec) -> Explanation:
    r = ep.response
    paras = _response_common(model, ep)
    a, b = _window(model, r.start), _window(model, r.stop)
    rule = [
        f"Incidence: Y when {name(model, r.event)} occurs from {a} through {b} (both included; origin is day "
        f"{ep.origin_day}) and by the end of observation, dated by the first such occurrence; else N. "
        "A subject counts once.",
        "A missing window bound excludes the subject.",
    ]
    rows = [
        Row(
            "C:Y",
            f"{name(model, r.event)} in the window",
            f"first {name(model, r.event)} in the window",
            "Y",
            "1",
            "",
        ),
        Row("C:N", f"No {name(model, r.event)} in the window", "", "N", "0", ""),
    ]
    if r.evaluable_by is not None:
        rule.append(
            f"Evaluable: a subject without an occurrence is excluded (`not evaluable`) unless "
            f"{name(model, r.evaluable_by)} is on or after the window's last day."
        )
        rows.append(
            _excluded(
                "X:not-evaluable",
                f"No occurrence, and {name(model, r.evaluable_by)} before the window's end",
                "not evaluable",
            )
        )
    if ep.group is not None:
        g = ep.group
        rule.append(f"One parameter per value of {', '.join(g.columns)} of {name(model, g.event)}.")
    paras.append(("Incidence", tuple(rule)))
    rows += _window_exclusion(r)
    rows += _response_exclusions(model, ep)
    return Explanation(ep.paramcd, ep.param, ep.kind, tuple(paras), tuple(rows), _RESPONSE_COLUMNS)


def _window_exclusion(r: m.ResponseSpec) -> list[Row]:
    """A window bound that is an event's date excludes the subjects without it."""
    if all(b is None or b.event is None for b in (r.start, r.stop)):
        return []
    return [_excluded("X:window", "A window bound has no date", "no window start|end date")]


def _response_exclusions(model: m.Model, ep: m.EndpointSpec) -> list[Row]:
    rows = []
    if ep.population.kind != "all":
        rows.append(
            _excluded(
                "X:population", "Not in the population", f"not in population: {ep.population.description}"
            )
        )
    if not (ep.response and ep.response.no_origin_assessed):
        rows.append(_origin_exclusion(ep))
    if any(b.kind == "cutoff" for b in ep.bounds):
        rows.append(
            _excluded(
                "X:before-origin", "The cut-off is before the origin", "observation ends before the origin"
            )
        )
    return rows


def _other(model: m.Model, ep: m.EndpointSpec) -> Explanation:
    """A kind of endpoint without an explainer of its own yet: what every kind shares, and no
    outcome table (said, rather than guessed)."""
    paras = _response_common(model, ep)
    paras.append(("Outcomes", (f"No outcome table is written for endpoints of kind {ep.kind!r} yet.",)))
    return Explanation(ep.paramcd, ep.param, ep.kind, tuple(paras), (), _RESPONSE_COLUMNS)


# ---- worst of | best of | first of (issue 19; docs/semantics.md 6.8) ----------------------


def _outcome_rows(model: m.Model, event: str) -> str:
    """An outcome's event: `E has C` is an event of its own (E's rows where C also holds),
    shown by the event it is made from and its whole condition."""
    src = model.event(event)
    if src.shown is None or src.shown == event or src.where is None:
        return name(model, event)
    return f"{src.shown} row where {condition(src.where)}"


def _outcome_test(model: m.Model, o: m.ExtremeOutcome) -> str:
    if o.every is not None:
        return (
            f"every {name(model, o.every)} in the window is a {_outcome_rows(model, o.event)} (at least one)"
        )
    return f"some {_outcome_rows(model, o.event)} in the window"


def _extreme(model: m.Model, ep: m.EndpointSpec) -> Explanation:
    x = ep.response.extreme
    paras = _response_common(model, ep)
    if x.head == "first":
        rule = ["The outcome whose row is earliest wins (a same-day tie: the outcome listed first)."]
    else:
        rule = [f"{x.head.capitalize()} of the outcomes: the first listed that holds wins."]
    order = f"the number in {x.by} (rows without one last)" if x.by else "date, then sequence"
    if x.head != "first":
        rule.append(f"Its {x.pick} row by {order} dates the result (ADT, SRCDOM/SRCVAR/SRCSEQ).")
    rule.append(
        "Rows before the origin are reported and not used; rows after the end of observation are not used."
    )
    for i, o in enumerate(x.outcomes, 1):
        code = f" (AVAL {number(o.aval)})" if o.aval is not None else " (no AVAL)"
        rule.append(f"{i}. {o.avalc}{code} when {_outcome_test(model, o)}.")
    if x.otherwise is not None:
        code = f" (AVAL {number(x.otherwise_aval)})" if x.otherwise_aval is not None else ""
        rule.append(f"Otherwise: {x.otherwise}{code}, without a date.")
    else:
        rule.append("A subject for whom no outcome holds is excluded and reported.")
    paras.append(("Outcomes", tuple(rule)))
    rows: list[Row] = []
    situations: dict[str, list[str]] = {}
    codes: dict[str, str] = {}
    for o in x.outcomes:  # one row per AVALC: several outcomes may give one category
        situations.setdefault(o.avalc, []).append(_outcome_test(model, o))
        codes.setdefault(o.avalc, number(o.aval) if o.aval is not None else "")
    for avalc, tests in situations.items():
        rows.append(Row(f"C:{avalc}", "; or ".join(tests), "the winning row", avalc, codes[avalc], ""))
    if x.otherwise is not None:
        aval = number(x.otherwise_aval) if x.otherwise_aval is not None else ""
        if x.otherwise in situations:
            rows = [evolve(r, situation=r.situation + "; or no outcome holds") if r.key == f"C:{x.otherwise}" else r
                    for r in rows]  # fmt: skip
        else:
            rows.append(Row(f"C:{x.otherwise}", "No outcome holds", "", x.otherwise, aval, ""))
    else:
        rows.append(
            _excluded(
                "X:no-rule", "No outcome holds", "no outcome holds, and the endpoint has no `otherwise`"
            )
        )
    rows += _response_exclusions(model, ep)
    return Explanation(ep.paramcd, ep.param, ep.kind, tuple(paras), tuple(rows), _RESPONSE_COLUMNS)


# ---- value endpoints (issue 14; docs/semantics.md 11) ---------------------------------------

_STAT_WORDS = {
    "max": "the maximum value (Cmax); a tie: the first time",
    "min": "the minimum value (the nadir); a tie: the first time",
    "last": "the last quantifiable value (Clast)",
    "time of max": "the time of the maximum (Tmax); a tie: the first time",
    "time of min": "the time of the minimum; a tie: the first time",
    "time of last": "the time of the last quantifiable value (Tlast)",
    "auc": "the area under the curve over the samples",
    "auc to last": "the area under the curve up to the last quantifiable value (AUClast)",
    "change from min": "the change of the last value from the minimum",
    "at": "the value of the sample nearest the nominal time (a tie: the earlier)",
    "detectable": "Y when the sample nearest the nominal time is quantifiable, else N",
}


def _value(model: m.Model, ep: m.EndpointSpec) -> Explanation:
    v = ep.value
    s = v.series
    unit = m.VALUE_TIME_UNITS[s.time_unit]
    axis = (
        f"{s.table}.{s.time} (dates), in days from {name(model, s.origin)} (origin is day {s.origin_day})"
        if s.origin is not None
        else f"{s.table}.{s.time}, a number of {s.time_unit}"
    )
    series = [
        f"Series {s.name}: the numbers in {s.table}.{s.column}"
        + (f" of the rows where {condition(s.where)}" if s.where is not None else "")
        + f", at the time in {axis}.",
        f"Below the limit of quantification when {condition(s.blq)}: {s.blq_before} before the first "
        f"quantifiable sample, {s.blq_after} after it"
        + (
            f" (LLOQ: {s.lloq_column or number(s.lloq_value)})"
            if s.lloq_column or s.lloq_value is not None
            else ""
        )
        + ". A quantifiable sample is one that is not below the LLOQ and is above 0.",
        "Samples at one time: " + ("the subject is excluded." if s.duplicates == "refuse" else "their mean."),
    ]
    if s.negative_at_zero:
        series.append("A sample before time 0 (pre-dose) counts at time 0.")
    stat = [f"AVAL: {_STAT_WORDS[v.stat]}"]
    if v.over:
        stat.append(f"over {v.over}")
    if v.rule:
        stat.append(f"by the {v.rule} trapezoidal rule")
    if v.near:
        stat.append(f"within {v.near}")
    avalu = m.value_avalu(v, "U")
    source = s.unit_column or (repr(s.unit_text) if s.unit_text else None)
    units = ""
    if avalu:
        units = f" AVALU: {avalu}" + (
            f", U being the samples' unit ({source})." if "U" in avalu and source else "."
        )
    paras = [
        ("Population", (f"Population: every subject of {model.subject_table.name}.",)),
        ("Series", tuple(series)),
        ("Value", (", ".join(stat) + "." + units, f"Time unit of the series: {unit}.")),
    ]
    if v.stat == "detectable":
        rows = [
            Row("C:Y", "The sample nearest the nominal time is quantifiable", "", "Y", "1", ""),
            Row("C:N", "The sample nearest the nominal time is below the LLOQ", "", "N", "0", ""),
        ]
    else:
        rows = [Row("V", "The subject has the samples the statistic needs", "", "", _STAT_WORDS[v.stat], "")]
    if s.origin is not None:
        rows.append(_excluded("X:origin", "No origin date", f"no origin date: {s.origin} has no usable date"))
    where = f" within {v.near}" if v.near else (f" over {v.over}" if v.over else "")
    rows.append(_excluded("X:no-sample", f"No usable sample{where}", f"{s.name}: no usable sample{where}"))
    if s.duplicates == "refuse":
        rows.append(_excluded("X:duplicates", "Two samples at one time", f"rows have the same {s.time}"))
    if s.unit_column is not None and v.stat not in (
        "time of last",
        "detectable",
    ):  # the others compare values
        rows.append(_excluded("X:units", "Samples in several units", f"{s.name}: samples in several units"))
    if v.stat in ("last", "time of last", "auc to last"):
        rows.append(
            _excluded(
                "X:no-quantifiable", "No quantifiable sample", f"{s.name}: no quantifiable sample{where}"
            )
        )
    return Explanation(ep.paramcd, ep.param, ep.kind, tuple(paras), tuple(rows), _RESPONSE_COLUMNS)


# The explainer of each kind of endpoint (EndpointSpec.kind); a new kind adds its own here.
EXPLAINERS = {
    "tte": _tte, "best": _response, "landmark": _response, "occurrence": _occurrence,
    "extreme": _extreme, "value": _value,
}  # fmt: skip
