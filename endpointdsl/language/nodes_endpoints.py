"""AST: an endpoint's clauses: outcomes, origin, events (competing ones, issue 13), censoring
rules and missed assessments, observation bounds, population, unit, variants (`without`),
groups (issue 13) and the ADaM options (`keep`, `dataset`, `paramn`). `Endpoint` and
`Clause`, which join these with the clauses of responses and value endpoints, are in `nodes`.
"""

from __future__ import annotations

from attrs import frozen

from .diagnostics import Span
from .nodes_base import SPAN, Ident
from .nodes_conditions import Operand
from .nodes_dates import DateRef
from .nodes_definitions import Population

# ---- outcomes and the options of a bound -------------------------------------------


@frozen
class OutcomeItem:
    """`cnsr 1`, `evntdesc "..."` or `cnsdtdsc "..."`."""

    field: str
    value: Operand
    span: Span | None = SPAN


@frozen
class Inclusivity:
    inclusive: bool
    span: Span | None = SPAN


BoundOption = Inclusivity | OutcomeItem


# ---- endpoint clauses ----------------------------------------------------------


@frozen
class Origin:
    date: DateRef
    span: Span | None = SPAN


@frozen
class EventRef:
    event: Ident
    items: tuple[OutcomeItem, ...] = ()
    span: Span | None = SPAN


@frozen
class Terminating:
    events: tuple[EventRef, ...]
    span: Span | None = SPAN
    competing: tuple[EventRef, ...] = ()  # competing events (issue 13): `to E competing F cnsr 2`


# ---- competing events (issue 13, item 2)
@frozen
class SameDay:
    """`same day: event first | competing first`: which kind wins a same-day tie."""

    first: str  # "event" or "competing"
    span: Span | None = SPAN


# ---- censoring rules and missed assessments -----------------------------------------


@frozen
class RuleCondition:
    """`E` (E occurred by the end of observation), `no E`, or `stopped by E`."""

    kind: str  # "has", "no" or "stopped"
    event: Ident
    span: Span | None = SPAN


@frozen
class CensorSingle:
    date: DateRef
    items: tuple[OutcomeItem, ...] = ()
    conditions: tuple[RuleCondition, ...] = ()
    span: Span | None = SPAN


@frozen
class Alternative:
    date: DateRef
    items: tuple[OutcomeItem, ...] = ()
    span: Span | None = SPAN


@frozen
class CensorLatest:
    alternatives: tuple[Alternative, ...]
    span: Span | None = SPAN


@frozen
class Missed:
    """`censor events after COUNT missed EVENT per SCHEDULE cnsr N ...`."""

    count: Operand
    event: Ident
    schedule: Ident
    items: tuple[OutcomeItem, ...] = ()
    span: Span | None = SPAN


# ---- observation bounds, population, unit and the other clauses ---------------------


@frozen
class Horizon:
    amount: Operand
    calendar: bool
    unit: Ident | None
    options: tuple[BoundOption, ...] = ()
    span: Span | None = SPAN


@frozen
class Cutoff:
    date: DateRef
    options: tuple[BoundOption, ...] = ()
    span: Span | None = SPAN


@frozen
class Stop:
    event: Ident
    options: tuple[BoundOption, ...] = ()
    span: Span | None = SPAN
    date: object = None  # reldates: `stop at <relative date>` (event is then the empty name)


@frozen
class AmongNamed:
    name: Ident
    span: Span | None = SPAN


@frozen
class AmongInline:
    population: Population
    span: Span | None = SPAN


@frozen
class DayCount:
    origin_day: Operand
    span: Span | None = SPAN


@frozen
class TimeUnit:
    unit: Ident
    span: Span | None = SPAN


@frozen
class Ascertainment:
    """`ascertainment: continuous` or `ascertainment: at visits`."""

    kind: str  # "continuous" or "at visits"
    span: Span | None = SPAN


@frozen
class BeforeOrigin:
    rule: str  # "ignore", "move to origin" or (bor, issue 19: a best response) "count"
    span: Span | None = SPAN


@frozen
class Without:
    """In a variant: drop the base's `horizon`, `cutoff`, `stop at E` or missed-assessment rule."""

    what: str  # "horizon", "cutoff", "stop" or "missed"
    event: Ident | None = None
    span: Span | None = SPAN


@frozen
class NoCensoring:
    """`no censoring date: excluded`: the exclusion of a subject no rule dates is intended."""

    span: Span | None = SPAN


# ---- adam: ADaM-complete output ------------------------------------------------------


@frozen
class Paramn:
    """`paramn 3`: the endpoint's PARAMN."""

    value: Operand
    span: Span | None = SPAN


@frozen
class KeepItem:
    """`TRT01P as TRTP` (`as`: the output name; None: the column's own)."""

    column: Ident
    rename: Ident | None = None
    span: Span | None = SPAN


@frozen
class KeepDef:
    """`keep A, B as C from adsl`: subject-level columns carried onto every record."""

    items: tuple[KeepItem, ...]
    table: Ident
    span: Span | None = SPAN


@frozen
class DatasetDef:
    """`dataset ADTTE label "..."`: the output dataset's name and label."""

    name: Ident
    label: str | None = None
    span: Span | None = SPAN


# ---- groups (issue 13, item 3)
@frozen
class GroupBy:
    """`for each COLUMN[, COLUMN] of EVENT`: one parameter per value of the event's column(s)."""

    columns: tuple[Ident, ...]
    event: Ident
    span: Span | None = SPAN
