"""Checked model: row conditions with resolved literal values, and conditions comparing with
other columns (issue 12).
"""

from __future__ import annotations

import datetime as dt

from attrs import frozen

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
    format: str | None = None  # a date literal: the column's declared date format (None: ISO 8601)


@frozen
class InList:
    column: str
    literals: tuple[Literal, ...]
    negated: bool
    format: str | None = None


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


# ---- conditions comparing with other values (issue 12: conditions) --------------------


@frozen
class OtherColumn:
    """The cell a row is compared with: a column of the same row (`table` None) or of a
    one-row-per-subject table, read for the row's subject (missing without exactly one row)."""

    column: str
    table: str | None = None
    format: str | None = None  # kind "date": the column's declared date format (None: ISO 8601)


@frozen
class CompareColumns:
    """`column op factor * other + offset`, both sides read as `kind` (docs/semantics.md 1):
    "number"; "date" (factor 1, offset in whole days, each side in its format); or "any"
    (factor 1, offset 0): numbers when both cells are numbers, dates when both are ISO 8601
    dates, texts (= and != only) when both are neither; otherwise unknown."""

    column: str
    op: str  # = != < <= > >=
    kind: str  # "number", "date" or "any"
    other: OtherColumn
    factor: float = 1.0
    offset: float = 0.0
    format: str | None = None  # kind "date": the row column's declared format


def subject_columns(cond: Condition | None) -> set[tuple[str, str]]:
    """(table, column) of the one-row-per-subject cells a condition reads."""
    match cond:
        case CompareColumns(other=OtherColumn(table=str() as t, column=c)):
            return {(t, c)}
        case And(left=a, right=b) | Or(left=a, right=b):
            return subject_columns(a) | subject_columns(b)
        case Not(operand=a):
            return subject_columns(a)
    return set()


Condition = Compare | InList | IsMissing | And | Or | Not | CompareColumns


def condition_columns(cond: Condition | None) -> set[str]:
    match cond:
        case None:
            return set()
        case Compare(column=c) | InList(column=c) | IsMissing(column=c):
            return {c}
        case CompareColumns(column=c, other=o):
            return {c} if o.table is not None else {c, o.column}
        case And(left=a, right=b) | Or(left=a, right=b):
            return condition_columns(a) | condition_columns(b)
        case Not(operand=a):
            return condition_columns(a)
    raise TypeError(cond)
