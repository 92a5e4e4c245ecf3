"""AST: value endpoints (issue 14): series and their statistics."""

from __future__ import annotations

from attrs import frozen

from .diagnostics import Span
from .nodes_base import SPAN, Ident
from .nodes_conditions import Condition, Operand


# ---- value endpoints (issue 14): a number per subject from a series of measurements
@frozen
class SeriesOption:
    """One option of a series, as written: kind "where" (value: a condition), "sequence"
    (Ident), "label" (str), "unit column" (Ident), "unit text" (str), "lloq" (Operand),
    "below lloq" (BlqRule), "duplicate times" ("refuse" or "mean"), "negative times" (None),
    "from" (Ident: the origin event of a time axis of dates), "origin is day" (Operand)."""

    kind: str
    value: object = None
    span: Span | None = SPAN


@frozen
class BlqRule:
    """`below lloq if COND: RULE [before first quantifiable, RULE after]`; a rule is "zero",
    "half lloq" or "missing" (`after` None: one rule for every BLQ sample)."""

    condition: Condition
    before: str
    after: str | None = None
    span: Span | None = SPAN


@frozen
class SeriesDef:
    """`series NAME = TABLE.COLUMN at TIME UNIT <options>`: a subject's measurements."""

    name: Ident
    table: Ident
    column: Ident
    time: Ident
    time_unit: Ident
    options: tuple[SeriesOption, ...] = ()
    span: Span | None = SPAN


@frozen
class ValueOver:
    """`over A to B UNIT`: the samples whose time lies in [A, B]."""

    start: Operand
    stop: Operand
    unit: Ident
    span: Span | None = SPAN


@frozen
class ValueClause:
    """`value STAT of SERIES [over ...] [linear | linear up log down]`, `value of SERIES at T
    UNIT within W UNIT`, `value detectable of SERIES at ...`. stat: "max", "min", "last",
    "time of max", "time of min", "time of last", "auc", "auc to last", "change from min",
    "at", "detectable"."""

    stat: str
    series: Ident
    over: ValueOver | None = None
    rule: str | None = None  # "linear" or "linear up log down" (auc)
    at: Operand | None = None
    at_unit: Ident | None = None
    within: Operand | None = None
    within_unit: Ident | None = None
    span: Span | None = SPAN
