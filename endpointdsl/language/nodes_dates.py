"""AST: dates: an event's first or last occurrence, the origin, and (reldates) dates relative
to other dates, `date NAME = ...` and inline.
"""

from __future__ import annotations

from attrs import frozen

from .diagnostics import Span
from .nodes_base import SPAN, Ident
from .nodes_conditions import NumberOperand, Operand

# ---- first and last occurrences, the origin ---------------------------------------


@frozen
class FirstOccurrence:
    event: Ident
    span: Span | None = SPAN


@frozen
class LastOccurrence:
    event: Ident
    span: Span | None = SPAN


@frozen
class OriginDate:
    span: Span | None = SPAN


# ---- reldates: dates relative to other dates -------------------------------------------


@frozen
class RelativePick:
    """`first E after F`, `last E on or before F`, `the 2nd E [after F]`.

    which: "first", "last" or "nth" (`ordinal` then holds the lexeme, e.g. "2nd");
    relation: None, "after", "on or after" or "on or before"; `other` is F."""

    which: str
    event: Ident
    ordinal: str | None = None
    relation: str | None = None
    other: object = None  # a DateRef
    span: Span | None = SPAN


@frozen
class ShiftedDate:
    """`D + 30 days`, `D - 1 day`: sign "+" or "-", or None when the number carries it."""

    base: object  # a DateRef: a name, first/last E, the nth E or origin
    sign: str | None
    amount: NumberOperand
    unit: Ident
    span: Span | None = SPAN


@frozen
class DateDef:
    """`date NAME = EXPR label "..."`: a subject-level derived date."""

    name: Ident
    date: object  # a DateRef
    label: str | None = None
    span: Span | None = SPAN


DateRef = FirstOccurrence | LastOccurrence | OriginDate | Operand | RelativePick | ShiftedDate
