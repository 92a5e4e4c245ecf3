"""explain (issue 15): the shape of an explanation (`Row`, `Explanation`) and the words for
the model's parts that every kind of endpoint uses: conditions, dates, event sources,
bounds, the population and origin, and the exclusion rows the kinds share.
"""

from __future__ import annotations

import datetime as dt
import math

from attrs import frozen

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


def outcome(o: m.Outcome | None) -> tuple[str, str, str]:
    if o is None:
        return ("", "", "")
    return (str(o.cnsr), o.evntdesc or "", o.cnsdtdsc or "")


def population(model: m.Model, ep: m.EndpointSpec) -> list[str]:
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


def origin(model: m.Model, ep: m.EndpointSpec) -> list[str]:
    o = ep.origin
    return [f"Origin (STARTDT): {date_words(model, o)}. A subject without it is excluded (`no origin date`)."]


def bound(model: m.Model, b: m.Bound) -> str:
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
    cnsr, evntdesc, cnsdtdsc = outcome(b.outcome)
    if b.outcome is not None:
        text += f"; its own outcome: CNSR {cnsr}" + (f", EVNTDESC {evntdesc!r}" if evntdesc else "")
        text += f", CNSDTDSC {cnsdtdsc!r}" if cnsdtdsc else ""
    return text + f" [{b.description}]"


# ---- the exclusion rows every kind shares ------------------------------------------------


def origin_exclusion(ep: m.EndpointSpec) -> Row:
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
    return excluded("X:origin", "No origin date", reason, why is None, why)


def population_exclusion(ep: m.EndpointSpec) -> list[Row]:
    """Not in the population: no row when the population is every subject."""
    if ep.population.kind == "all":
        return []
    reason = f"not in population: {ep.population.description}"
    return [excluded("X:population", "Not in the population", reason)]


def cutoff_exclusion(ep: m.EndpointSpec) -> list[Row]:
    """A cut-off before the origin ends observation before it begins: only with a cut-off."""
    if not any(b.kind == "cutoff" for b in ep.bounds):
        return []
    situation, reason = "The cut-off is before the origin", "observation ends before the origin"
    return [excluded("X:before-origin", situation, reason)]


def excluded(key: str, situation: str, reason: str, reachable: bool = True, why: str | None = None) -> Row:
    return Row(key, situation, "", "excluded", reason, "", reachable, why)
