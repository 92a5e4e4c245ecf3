"""Checked model: the data bindings: tables, event sources, confirmed events (issue 12) and
derived dates (reldates).
"""

from __future__ import annotations

from attrs import frozen

from ..language.diagnostics import Span
from .model_conditions import Condition
from .model_vocabulary import SPAN

# ---- data bindings ---------------------------------------------------------------


@frozen
class TableSpec:
    name: str
    per_subject: bool
    key: str
    span: Span | None = SPAN

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
    response: str | None = None  # column holding the RECIST time-point response
    derived: bool = False  # the table is another endpoint's output (section 6.5)
    format: str | None = None  # declared format of the date column's texts (None: ISO 8601)
    span: Span | None = SPAN
    time: bool = False  # `with time`: occurrences keep the time of day after the date
    # ---- finer imputation (issue 12)
    impute_day_only: bool = False  # `impute first day`: a year-only date stays missing (admiral "D")
    not_before_days: tuple[int, ...] = ()  # whole days added to each not_before bound's date
    not_after_days: tuple[int, ...] = ()  # (empty: no offsets)

    # A confirmed or sustained event (semantics 2.1): the candidate's occurrences that the
    # rule confirms; table, column, sequence, response and format are the candidate's.
    confirm: EventConfirmation | None = None
    # reldates: a derived date (`date NAME = ...`, or written inline in an endpoint): one
    # date per subject computed from other events' occurrences. table, column and sequence
    # are then those of the event whose occurrence it picks (its source); `shown` is the
    # expression as written, for an inline date (its name is generated).
    date: DatePick | DateShift | None = None
    shown: str | None = None
    # extreme (issue 19, part 2): `first|last by COLUMN`, the column whose number orders the
    # occurrences of an outcome (rank); set only on the events such an endpoint makes
    rank: str | None = None

    @property
    def display(self) -> str:
        """The name findings and reasons use: the expression as written for an inline date."""
        return self.shown or self.name

    def imputation_bounds(self, side: str) -> tuple[tuple[str, int], ...]:
        """((event, days), ...) of the `not before` (side "before") or `not after` bounds."""
        names, days = (
            (self.not_before, self.not_before_days)
            if side == "before"
            else (self.not_after, self.not_after_days)
        )
        return tuple(zip(names, days or (0,) * len(names), strict=True))


# ---- confirmed and sustained events (issue 12, item 2; docs/semantics.md 2.1) -------------


@frozen
class EventConfirmation:
    """Which occurrences of `candidate` are confirmed.

    kind "later": an occurrence of `by` at least `at_least` (and at most `at_most`) days
    later, with no occurrence of `without` strictly between the two dates.
    kind "next": `by` occurs on the next date of the `assessments` series after it.
    kind "consecutive": the candidate occurs on each of the next count - 1 assessment dates.
    kind "sustained": the candidate occurs on every later assessment date (at least one).
    `death` within `death_within` days of the last assessment date of a run that every later
    assessment continued (the candidate's own date when none is later) also confirms it.
    """

    kind: str
    candidate: str
    by: str | None = None
    assessments: str | None = None
    count: int | None = None
    at_least: float | None = None
    at_most: float | None = None
    without: str | None = None
    death: str | None = None
    death_within: float | None = None

    @property
    def confirming(self) -> str:
        """The event whose occurrence on an assessment date continues or confirms the run."""
        return self.by or self.candidate

    def reads(self) -> list[str]:
        """The events this confirmation reads, the candidate first, without repeats."""
        names = [self.candidate, self.by, self.assessments, self.without, self.death]
        return list(dict.fromkeys(x for x in names if x))


# ---- reldates: dates relative to other dates (docs/semantics.md section 8) ----------


@frozen
class DatePick:
    """An occurrence of `event` (all of them, in occurrence order): the first, the last or the
    `n`th, among those whose date is `relation` ("after", "on or after", "on or before")
    the date `other`; no `other` date: no date."""

    event: str
    which: str  # "first", "last" or "nth"
    n: int = 1
    relation: str | None = None
    other: DatePick | DateShift | None = None


@frozen
class DateShift:
    """`base` plus `days` (negative: minus); the source stays that of base's occurrence."""

    base: DatePick | DateShift
    days: int


def date_events(expr: DatePick | DateShift | None) -> list[str]:
    """The events a derived date reads, in a fixed order."""
    match expr:
        case DatePick(event=e, other=o):
            return [e, *date_events(o)]
        case DateShift(base=b):
            return date_events(b)
    return []
