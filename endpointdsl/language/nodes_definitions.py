"""AST: the declarations: tables, events (their options, imputation, confirmed and sustained
events), populations and schedules.
"""

from __future__ import annotations

from attrs import frozen

from .diagnostics import Span
from .nodes_base import SPAN, Ident
from .nodes_conditions import Condition, Operand

# ---- top-level definitions ----------------------------------------------------------


@frozen
class Table:
    name: Ident
    per_subject: bool
    key: Ident | None = None
    span: Span | None = SPAN


@frozen
class Imputation:
    """`impute first|mid|last not before E not after F`."""

    rule: str
    not_before: tuple[Ident, ...] = ()
    not_after: tuple[Ident, ...] = ()
    span: Span | None = SPAN
    day_only: bool = False  # `impute first day`: admiral's highest_imputation = "D"
    # the offset of each bound (None: the bound's date itself), in the order of not_before / not_after
    before_offsets: tuple[BoundOffset | None, ...] = ()
    after_offsets: tuple[BoundOffset | None, ...] = ()


# ---- finer imputation (issue 12) ----------------------------------------------------


@frozen
class BoundOffset:
    """`+ 1 day`, `- 7 days`, `+1 day`: how far an imputation bound moves from its event's date.

    `number` is the number as written (`1`, `+1`, `-7`); `sign` the operator before it
    ("+", "-", or None when the number carries its own sign)."""

    number: str
    unit: Ident
    sign: str | None = None
    span: Span | None = SPAN


@frozen
class DateFormat:
    """`format "DDMONYYYY"`: how the texts of an event's date column are written."""

    pattern: str
    span: Span | None = SPAN


@frozen
class EventDef:
    name: Ident
    table: Ident
    column: Ident
    where: Condition | None = None
    sequence: Ident | None = None
    label: str | None = None
    impute: Imputation | None = None
    response: Ident | None = None  # column of the RECIST time-point response
    format: DateFormat | None = None
    span: Span | None = SPAN
    with_time: bool = False  # times of day: `with time` keeps the time after the date


# ---- confirmed and sustained events (issue 12, item 2) ---------------------------------


@frozen
class ConfirmedEventDef:
    """`event C = E confirmed by F at least N days later [and at most M days later]
    [without G between]`, `... confirmed by F at next A`, `... held for N consecutive A`
    or `... sustained to last A`, each optionally followed by `or D within K days`."""

    name: Ident
    candidate: Ident
    kind: str  # "later", "next", "consecutive" or "sustained"
    by: Ident | None = None  # the confirming event (later, next)
    assessments: Ident | None = None  # the assessment series (next, consecutive, sustained)
    count: Operand | None = None  # consecutive: how many assessments, the candidate's included
    at_least: Operand | None = None  # later
    at_least_unit: Ident | None = None
    at_most: Operand | None = None
    at_most_unit: Ident | None = None
    without: Ident | None = None  # later: an occurrence strictly between breaks it
    death: Ident | None = None  # `or D within K UNIT`
    within: Operand | None = None
    within_unit: Ident | None = None
    label: str | None = None
    span: Span | None = SPAN


# ---- populations and schedules ------------------------------------------------------


@frozen
class WithEvent:
    event: Ident
    span: Span | None = SPAN


@frozen
class TableWhere:
    table: Ident
    where: Condition
    span: Span | None = SPAN


Population = WithEvent | TableWhere


@frozen
class PopulationDef:
    name: Ident
    population: Population
    span: Span | None = SPAN


@frozen
class SchedulePiece:
    """`every AMOUNT UNIT [until AMOUNT UNIT]`."""

    every: Operand
    unit: Ident
    until: Operand | None = None
    until_unit: Ident | None = None
    span: Span | None = SPAN


@frozen
class ScheduleDef:
    name: Ident
    pieces: tuple[SchedulePiece, ...]
    window: Operand
    window_unit: Ident
    span: Span | None = SPAN
