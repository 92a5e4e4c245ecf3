"""AST: response and incidence endpoints (windows, confirmation, responders), the
best-response options (bor, issue 19), response criteria sets (issue 13) and `worst of|best
of|first of` outcomes (issue 19).
"""

from __future__ import annotations

from attrs import frozen

from .diagnostics import Span
from .nodes_base import SPAN, Ident
from .nodes_conditions import Condition, Operand

# ---- response and incidence endpoints ----------------------------------------------


@frozen
class WindowBound:
    """`day d` (day is an operand) or a subject-level event's date."""

    day: Operand | None = None
    event: Ident | None = None
    span: Span | None = SPAN
    date: object = None  # reldates: a relative date (RelativePick or ShiftedDate)


@frozen
class BestResponse:
    event: Ident
    span: Span | None = SPAN


@frozen
class Landmark:
    """`response of E from day A through day B nearest day T | best`."""

    event: Ident
    start: WindowBound
    stop: WindowBound
    nearest: Operand | None  # None: `best`
    span: Span | None = SPAN


@frozen
class Occurrence:
    event: Ident
    start: WindowBound
    stop: WindowBound
    span: Span | None = SPAN


@frozen
class SdMinimum:
    amount: Operand
    unit: Ident
    span: Span | None = SPAN


@frozen
class Confirm:
    amount: Operand
    unit: Ident
    max_ne: Operand | None = None
    max_sd: Operand | None = None
    span: Span | None = SPAN


@frozen
class Responder:
    values: tuple[Operand, ...]
    span: Span | None = SPAN


@frozen
class NotEvaluable:
    value: Operand | None  # None: excluded
    span: Span | None = SPAN


@frozen
class Evaluable:
    """`evaluable if occurred or F reaches window end`."""

    event: Ident
    span: Span | None = SPAN


@frozen
class NoOrigin:
    """`no origin: not assessed`: without an origin date, the result of no assessment."""

    span: Span | None = SPAN


# ---- bor: admiralonco's best-response options (issue 19, part 1) ----------------------


@frozen
class ProgressionCutoff:
    """`progressive disease cutoff: first | at EVENT | none`."""

    rule: str  # "first", "event" or "none"
    event: Ident | None = None
    span: Span | None = SPAN


@frozen
class NoVisits:
    """`no visits: not evaluable | missing` (admiralonco's missing_as_ne)."""

    value: str  # "not evaluable" or "missing"
    span: Span | None = SPAN


# ---- criteria: response criteria sets as declarations (issue 13) -------------------------


@frozen
class CriteriaConfirm:
    """`confirmed by (C, ...) [with (B, ...) between] [at next assessment [from A through B UNIT]]`."""

    by: tuple[Operand, ...]
    between: tuple[Operand, ...] = ()
    at_next: bool = False
    window_from: Operand | None = None
    window_through: Operand | None = None
    window_unit: Ident | None = None
    span: Span | None = SPAN


@frozen
class CriteriaRow:
    """`category "PR" = 2, response, confirmed by ...`: one category, best rows first."""

    category: Operand
    aval: Operand | None  # None: `= none`, no AVAL code (bor, issue 19: admiralonco's ND)
    role: str | None = None  # "response", "disease control", "progression", "not evaluable"
    confirm: CriteriaConfirm | None = None
    span: Span | None = SPAN


@frozen
class CriteriaDef:
    """`criteria NAME "Title" <rows> [after progression: stop|continue] end`."""

    name: Ident
    title: str | None
    rows: tuple[CriteriaRow, ...]
    after_progression: str | None = None  # "stop", "continue"; None: stop
    span: Span | None = SPAN


@frozen
class CriteriaUse:
    """`criteria NAME` in an endpoint: the response criteria set it reads."""

    name: Ident
    span: Span | None = SPAN


# ---- extreme (issue 19, part 2): worst or best of ordered categories
@frozen
class ExtremeOutcome:
    """`outcome "AVALC" [= AVAL] if any E [has C]` or `... if every E has C`."""

    avalc: Operand
    aval: Operand | None
    every: bool
    event: Ident
    condition: Condition | None
    span: Span | None = SPAN


@frozen
class Extreme:
    """`worst of|best of|first of` then its outcomes, in priority order, and `otherwise`."""

    head: str  # "worst", "best" or "first"
    outcomes: tuple[ExtremeOutcome, ...]
    otherwise: Operand | None = None
    otherwise_aval: Operand | None = None
    span: Span | None = SPAN


@frozen
class ExtremePick:
    """`first by date` / `last by date`: which row of the winning outcome dates the result."""

    which: str  # "first" or "last"
    column: Ident | None = None  # `first by AVAL`: the column whose number orders the rows (None: date)
    span: Span | None = SPAN
