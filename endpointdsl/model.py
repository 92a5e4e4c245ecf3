"""Checked model: what an endpoint means, with every name resolved and every default filled.

The code generator and the reference interpreter both start from here; neither
looks at the AST. Spans stay for the line map but do not take part in equality.
"""

from __future__ import annotations

import datetime as dt

from attrs import field, frozen

from .diagnostics import Span
from .runtime import UNIT_DAYS  # noqa: F401 - unit lengths are part of what a model means

_SPAN = field(eq=False, repr=False, default=None, kw_only=True)

UNIT_ALIASES = {
    "day": "days", "days": "days", "week": "weeks", "weeks": "weeks",
    "month": "months", "months": "months", "year": "years", "years": "years",
}  # fmt: skip


# ---- row conditions with resolved literal values ----------------------------------


@frozen
class Literal:
    kind: str  # "text", "number" or "date"
    value: str | float | dt.date


@frozen
class Compare:
    column: str
    op: str  # = != < <= > >=
    literal: Literal


@frozen
class InList:
    column: str
    literals: tuple[Literal, ...]
    negated: bool


@frozen
class IsMissing:
    column: str
    negated: bool


@frozen
class And:
    left: Condition
    right: Condition


@frozen
class Or:
    left: Condition
    right: Condition


@frozen
class Not:
    operand: Condition


Condition = Compare | InList | IsMissing | And | Or | Not


def condition_columns(cond: Condition | None) -> set[str]:
    match cond:
        case None:
            return set()
        case Compare(column=c) | InList(column=c) | IsMissing(column=c):
            return {c}
        case And(left=a, right=b) | Or(left=a, right=b):
            return condition_columns(a) | condition_columns(b)
        case Not(operand=a):
            return condition_columns(a)
    raise TypeError(cond)


# ---- data bindings ---------------------------------------------------------------


@frozen
class TableSpec:
    name: str
    per_subject: bool
    key: str
    span: Span | None = _SPAN

    @property
    def domain(self) -> str:
        return self.name.upper()


@frozen
class EventSource:
    """Dated rows of one table: `event NAME = TABLE.COLUMN where ... sequence SEQ`."""

    name: str
    table: str
    column: str
    where: Condition | None
    sequence: str | None
    label: str | None
    per_subject: bool  # at most one occurrence per subject
    impute: str | None = None  # "first", "mid" or "last": rule for partial dates
    not_before: tuple[str, ...] = ()  # subject-level events bounding the imputed date
    not_after: tuple[str, ...] = ()
    span: Span | None = _SPAN


@frozen
class Population:
    """`all` subjects of the subject table, those `with` an event, or table rows `where`."""

    kind: str  # "all", "with" or "where"
    description: str
    event: str | None = None
    table: str | None = None
    where: Condition | None = None


# ---- endpoint semantics ------------------------------------------------------------


@frozen
class DateSpec:
    """A date per subject: the origin, an event's single date, first/last occurrence, a literal."""

    kind: str  # "origin", "single", "first", "last" or "literal"
    event: str | None = None
    value: dt.date | None = None

    def describe(self) -> str:
        match self.kind:
            case "origin":
                return "origin"
            case "single":
                return str(self.event)
            case "literal":
                return self.value.isoformat() if self.value else "?"
        return f"{self.kind} {self.event}"


@frozen
class Outcome:
    cnsr: int
    evntdesc: str | None
    cnsdtdsc: str | None


@frozen
class TermEvent:
    event: str
    evntdesc: str | None


@frozen
class CensorChoice:
    date: DateSpec
    outcome: Outcome


@frozen
class RuleCondition:
    """`has`: E occurred on or before the end of observation; `no`: it did not;
    `stopped`: observation ended at the stopping event E."""

    kind: str
    event: str


@frozen
class CensorRule:
    """One rule of the ordered censoring list; `latest` rules take the latest choice."""

    choices: tuple[CensorChoice, ...]
    latest: bool
    conditions: tuple[RuleCondition, ...] = ()
    span: Span | None = _SPAN


@frozen
class Schedule:
    """Assessment schedule: (interval in days, in force while elapsed days < until), window."""

    name: str
    pieces: tuple[tuple[float, float | None], ...]
    window: float


@frozen
class MissedRule:
    """FDA B9: an event more than count x interval + window after the last `event`
    occurrence (or the origin) is censored at that occurrence."""

    count: int
    event: str
    schedule: Schedule
    outcome: Outcome


@frozen
class Bound:
    """One end of the observation window: horizon, cut-off or stopping event."""

    kind: str  # "horizon", "cutoff" or "stop"
    inclusive: bool
    outcome: Outcome | None
    description: str  # default CNSDTDSC when a censoring date is capped here
    amount: float | None = None  # horizon
    unit: str | None = None  # horizon
    calendar: bool = False  # horizon
    date: DateSpec | None = None  # cutoff
    event: str | None = None  # stop
    span: Span | None = _SPAN


@frozen
class EndpointSpec:
    paramcd: str
    param: str
    origin: DateSpec
    events: tuple[TermEvent, ...]
    censoring: tuple[CensorRule, ...]
    bounds: tuple[Bound, ...]
    population: Population
    origin_day: int  # 1: AVAL = ADT - STARTDT + 1; 0: AVAL = ADT - STARTDT
    unit: str
    clamp: bool  # occurrences before the origin are moved to it (admiral) instead of ignored
    missed: MissedRule | None = None
    span: Span | None = _SPAN
    # .ept line of each clause ("from", "to", "among"...), for the generated line map
    lines: dict = field(eq=False, repr=False, factory=dict, kw_only=True)


@frozen
class Model:
    file: str
    tables: tuple[TableSpec, ...]
    events: tuple[EventSource, ...]
    endpoints: tuple[EndpointSpec, ...]
    # Checker warnings (W codes): the file means what it says, but perhaps not what was meant.
    warnings: tuple = field(eq=False, default=())

    @property
    def subject_table(self) -> TableSpec:
        return next(t for t in self.tables if t.per_subject)

    def table(self, name: str) -> TableSpec:
        return next(t for t in self.tables if t.name == name)

    def event(self, name: str) -> EventSource:
        return next(e for e in self.events if e.name == name)

    def endpoint(self, paramcd: str) -> EndpointSpec:
        return next(e for e in self.endpoints if e.paramcd == paramcd)
