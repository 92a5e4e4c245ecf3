"""Checked model: one endpoint (`EndpointSpec`): origin, events, censoring, observation
bounds, population, missed assessments, groups (issue 13), and the events it reads.
"""

from __future__ import annotations

import datetime as dt

from attrs import field, frozen

from ..language.diagnostics import Span
from .model_conditions import Condition
from .model_response import ResponseSpec
from .model_value import ValueSpec
from .model_vocabulary import SPAN, TIME_UNIT_SECONDS


def timed(ep: EndpointSpec) -> bool:
    """The endpoint counts time by the clock (`time in hours|minutes`): STARTDTM and ADTM."""
    return ep.unit in TIME_UNIT_SECONDS


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
    shown: str | None = None  # reldates: an inline relative date, as written

    def describe(self) -> str:
        if self.shown is not None:
            return self.shown
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
    # competing events (issue 13): the CNSR of a competing event (positive), 0 for an event of interest
    cnsr: int = 0

    @property
    def competing(self) -> bool:
        return self.cnsr != 0


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
    span: Span | None = SPAN


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
    span: Span | None = SPAN


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
    response: ResponseSpec | None = None  # set for response and incidence endpoints
    # When a censoring date after the end of observation counts (semantics 3, step 5):
    # "continuous" (censored at the end), "at visits" (the date does not count), or None
    # when the endpoint cannot have such a date (no end of observation, or only `origin`).
    ascertainment: str | None = None
    # `no censoring date: excluded`: a subject that no rule dates is excluded on purpose
    # (what every endpoint does; said, so that the checker does not warn, W102)
    no_censoring_excluded: bool = False
    span: Span | None = SPAN
    # .ept line of each clause ("from", "to", "among"...), for the generated line map
    lines: dict = field(eq=False, repr=False, factory=dict, kw_only=True)
    # competing events (issue 13): `events` then holds the events of interest and the competing
    # events in the order a same-day tie is decided; "event" or "competing" wins such a tie
    same_day: str | None = None
    # groups (issue 13, item 3): `for each COLUMN of EVENT`, one parameter per value
    group: GroupBy | None = field(default=None, kw_only=True)
    # value endpoints (issue 14): a number per subject from a series of measurements
    value: ValueSpec | None = field(default=None, kw_only=True)

    @property
    def kind(self) -> str:
        """What the endpoint derives: "tte" (an ADTTE record), the response kind: "best",
        "landmark" or "occurrence" (a parameter row with AVALC), or "value" (issue 14)."""
        if self.value is not None:
            return "value"
        return self.response.kind if self.response is not None else "tte"


# ---- groups (issue 13, item 3; docs/semantics.md section 10) -----------------------------


@frozen
class GroupBy:
    """`for each COLUMN[, COLUMN] of EVENT`: one parameter per value (a tuple of the columns'
    cells read as text, None when missing) that the rows of `event` selected by its condition
    take in `table`, over every subject of the subject-level table. PARAMCD is the endpoint's
    code followed by the value's 1-based number in sorted order, zero-padded to 8 characters."""

    event: str
    table: str
    columns: tuple[str, ...]
    span: Span | None = SPAN


GROUP_PREFIX_MAX = 7  # a grouped endpoint's code, followed by at least one digit: 8 in all


def event_names(ep: EndpointSpec) -> list[str]:
    """Every event an endpoint reads, in a fixed order (all are evaluated, so all
    data findings are reported)."""
    names = [ep.population.event, ep.origin.event]
    names += [t.event for t in ep.events]
    names += [ch.date.event for rule in ep.censoring for ch in rule.choices]
    names += [c.event for rule in ep.censoring for c in rule.conditions]
    names += [ep.missed.event] if ep.missed else []
    names += [b.event for b in ep.bounds] + [b.date.event for b in ep.bounds if b.date]
    names += [ep.value.series.origin] if ep.value is not None else []  # value endpoints (issue 14)
    r = ep.response
    if r is not None:
        names += [r.event, r.evaluable_by]
        names += [b.event for b in (r.start, r.stop) if b is not None]
        names += r.extreme.events() if r.extreme is not None else []  # extreme (issue 19, part 2)
    return list(dict.fromkeys(x for x in names if x))
