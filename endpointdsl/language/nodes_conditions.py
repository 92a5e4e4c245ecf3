"""AST: operands and row conditions (comparisons with literals, lists, missing values, and
comparisons with other values, issue 12).
"""

from __future__ import annotations

from attrs import frozen

from .diagnostics import Span
from .nodes_base import SPAN, Ident

# ---- operands ------------------------------------------------------------------


@frozen
class NameOperand:
    ident: Ident
    span: Span | None = SPAN


@frozen
class TextOperand:
    value: str
    span: Span | None = SPAN


@frozen
class NumberOperand:
    lexeme: str  # kept as written so the printer reproduces it
    span: Span | None = SPAN


@frozen
class DateOperand:
    lexeme: str  # YYYY-MM-DD; validity is checked later
    span: Span | None = SPAN


Operand = NameOperand | TextOperand | NumberOperand | DateOperand


# ---- row conditions --------------------------------------------------------------


@frozen
class Compare:
    column: Ident
    op: str
    operand: Operand
    span: Span | None = SPAN


@frozen
class InList:
    column: Ident
    operands: tuple[Operand, ...]
    negated: bool
    span: Span | None = SPAN


@frozen
class IsMissing:
    column: Ident
    negated: bool
    span: Span | None = SPAN


@frozen
class And:
    left: Condition
    right: Condition
    span: Span | None = SPAN


@frozen
class Or:
    left: Condition
    right: Condition
    span: Span | None = SPAN


@frozen
class Not:
    operand: Condition
    span: Span | None = SPAN


# ---- conditions comparing with other values (issue 12: conditions) --------------------


@frozen
class ColumnOf:
    """`TABLE.COLUMN`: a column of a one-row-per-subject table, read for the row's subject."""

    table: Ident
    column: Ident
    span: Span | None = SPAN


@frozen
class Shift:
    """`+ 10`, `- 30 days`, `-10`: `amount` with its sign as one lexeme ("+10", "-30");
    without a sign ("10") when none was written (`BASE 10`, rejected by the checker)."""

    amount: NumberOperand
    unit: Ident | None = None
    span: Span | None = SPAN


@frozen
class OtherValue:
    """The right side of `COL op [N *] BASE [+|- M [UNIT]]`: BASE is a column of the same
    row (a NameOperand), a ColumnOf, or a literal operand."""

    base: Operand | ColumnOf
    factor: NumberOperand | None = None
    shift: Shift | None = None
    span: Span | None = SPAN


@frozen
class CompareTo:
    column: Ident
    op: str
    value: OtherValue
    span: Span | None = SPAN


Condition = Compare | InList | IsMissing | And | Or | Not | CompareTo
