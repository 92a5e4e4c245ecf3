"""AST: frozen attrs nodes mirroring the .ept syntax, each with its source span.

Spans are excluded from equality so that `parse(format(ast)) == ast` holds.
Nothing here is resolved or checked; that is the checker's job.
"""

from __future__ import annotations

from attrs import field, frozen

from .diagnostics import Span

_SPAN = field(eq=False, repr=False, default=None, kw_only=True)


@frozen
class Ident:
    text: str
    span: Span | None = _SPAN


# ---- operands ------------------------------------------------------------------


@frozen
class NameOperand:
    ident: Ident
    span: Span | None = _SPAN


@frozen
class TextOperand:
    value: str
    span: Span | None = _SPAN


@frozen
class NumberOperand:
    lexeme: str  # kept as written so the printer reproduces it
    span: Span | None = _SPAN


@frozen
class DateOperand:
    lexeme: str  # YYYY-MM-DD; validity is checked later
    span: Span | None = _SPAN


Operand = NameOperand | TextOperand | NumberOperand | DateOperand


# ---- row conditions --------------------------------------------------------------


@frozen
class Compare:
    column: Ident
    op: str
    operand: Operand
    span: Span | None = _SPAN


@frozen
class InList:
    column: Ident
    operands: tuple[Operand, ...]
    negated: bool
    span: Span | None = _SPAN


@frozen
class IsMissing:
    column: Ident
    negated: bool
    span: Span | None = _SPAN


@frozen
class And:
    left: Condition
    right: Condition
    span: Span | None = _SPAN


@frozen
class Or:
    left: Condition
    right: Condition
    span: Span | None = _SPAN


@frozen
class Not:
    operand: Condition
    span: Span | None = _SPAN


# ---- conditions comparing with other values (issue 12: conditions) --------------------


@frozen
class ColumnOf:
    """`TABLE.COLUMN`: a column of a one-row-per-subject table, read for the row's subject."""

    table: Ident
    column: Ident
    span: Span | None = _SPAN


@frozen
class Shift:
    """`+ 10`, `- 30 days`, `-10`: `amount` with its sign as one lexeme ("+10", "-30");
    without a sign ("10") when none was written (`BASE 10`, rejected by the checker)."""

    amount: NumberOperand
    unit: Ident | None = None
    span: Span | None = _SPAN


@frozen
class OtherValue:
    """The right side of `COL op [N *] BASE [+|- M [UNIT]]`: BASE is a column of the same
    row (a NameOperand), a ColumnOf, or a literal operand."""

    base: Operand | ColumnOf
    factor: NumberOperand | None = None
    shift: Shift | None = None
    span: Span | None = _SPAN


@frozen
class CompareTo:
    column: Ident
    op: str
    value: OtherValue
    span: Span | None = _SPAN


Condition = Compare | InList | IsMissing | And | Or | Not | CompareTo


# ---- top-level definitions ----------------------------------------------------------


@frozen
class Table:
    name: Ident
    per_subject: bool
    key: Ident | None = None
    span: Span | None = _SPAN


@frozen
class Imputation:
    """`impute first|mid|last not before E not after F`."""

    rule: str
    not_before: tuple[Ident, ...] = ()
    not_after: tuple[Ident, ...] = ()
    span: Span | None = _SPAN
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
    span: Span | None = _SPAN


@frozen
class DateFormat:
    """`format "DDMONYYYY"`: how the texts of an event's date column are written."""

    pattern: str
    span: Span | None = _SPAN


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
    span: Span | None = _SPAN
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
    span: Span | None = _SPAN


@frozen
class WithEvent:
    event: Ident
    span: Span | None = _SPAN


@frozen
class TableWhere:
    table: Ident
    where: Condition
    span: Span | None = _SPAN


Population = WithEvent | TableWhere


@frozen
class PopulationDef:
    name: Ident
    population: Population
    span: Span | None = _SPAN


@frozen
class SchedulePiece:
    """`every AMOUNT UNIT [until AMOUNT UNIT]`."""

    every: Operand
    unit: Ident
    until: Operand | None = None
    until_unit: Ident | None = None
    span: Span | None = _SPAN


@frozen
class ScheduleDef:
    name: Ident
    pieces: tuple[SchedulePiece, ...]
    window: Operand
    window_unit: Ident
    span: Span | None = _SPAN


# ---- dates and outcomes ------------------------------------------------------------


@frozen
class FirstOccurrence:
    event: Ident
    span: Span | None = _SPAN


@frozen
class LastOccurrence:
    event: Ident
    span: Span | None = _SPAN


@frozen
class OriginDate:
    span: Span | None = _SPAN


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
    span: Span | None = _SPAN


@frozen
class ShiftedDate:
    """`D + 30 days`, `D - 1 day`: sign "+" or "-", or None when the number carries it."""

    base: object  # a DateRef: a name, first/last E, the nth E or origin
    sign: str | None
    amount: NumberOperand
    unit: Ident
    span: Span | None = _SPAN


@frozen
class DateDef:
    """`date NAME = EXPR label "..."`: a subject-level derived date."""

    name: Ident
    date: object  # a DateRef
    label: str | None = None
    span: Span | None = _SPAN


DateRef = FirstOccurrence | LastOccurrence | OriginDate | Operand | RelativePick | ShiftedDate


@frozen
class OutcomeItem:
    """`cnsr 1`, `evntdesc "..."` or `cnsdtdsc "..."`."""

    field: str
    value: Operand
    span: Span | None = _SPAN


@frozen
class Inclusivity:
    inclusive: bool
    span: Span | None = _SPAN


BoundOption = Inclusivity | OutcomeItem


# ---- endpoint clauses ----------------------------------------------------------


@frozen
class Origin:
    date: DateRef
    span: Span | None = _SPAN


@frozen
class EventRef:
    event: Ident
    items: tuple[OutcomeItem, ...] = ()
    span: Span | None = _SPAN


@frozen
class Terminating:
    events: tuple[EventRef, ...]
    span: Span | None = _SPAN
    competing: tuple[EventRef, ...] = ()  # competing events (issue 13): `to E competing F cnsr 2`


# ---- competing events (issue 13, item 2)
@frozen
class SameDay:
    """`same day: event first | competing first`: which kind wins a same-day tie."""

    first: str  # "event" or "competing"
    span: Span | None = _SPAN


@frozen
class RuleCondition:
    """`E` (E occurred by the end of observation), `no E`, or `stopped by E`."""

    kind: str  # "has", "no" or "stopped"
    event: Ident
    span: Span | None = _SPAN


@frozen
class CensorSingle:
    date: DateRef
    items: tuple[OutcomeItem, ...] = ()
    conditions: tuple[RuleCondition, ...] = ()
    span: Span | None = _SPAN


@frozen
class Alternative:
    date: DateRef
    items: tuple[OutcomeItem, ...] = ()
    span: Span | None = _SPAN


@frozen
class CensorLatest:
    alternatives: tuple[Alternative, ...]
    span: Span | None = _SPAN


@frozen
class Missed:
    """`censor events after COUNT missed EVENT per SCHEDULE cnsr N ...`."""

    count: Operand
    event: Ident
    schedule: Ident
    items: tuple[OutcomeItem, ...] = ()
    span: Span | None = _SPAN


@frozen
class Horizon:
    amount: Operand
    calendar: bool
    unit: Ident | None
    options: tuple[BoundOption, ...] = ()
    span: Span | None = _SPAN


@frozen
class Cutoff:
    date: DateRef
    options: tuple[BoundOption, ...] = ()
    span: Span | None = _SPAN


@frozen
class Stop:
    event: Ident
    options: tuple[BoundOption, ...] = ()
    span: Span | None = _SPAN
    date: object = None  # reldates: `stop at <relative date>` (event is then the empty name)


@frozen
class AmongNamed:
    name: Ident
    span: Span | None = _SPAN


@frozen
class AmongInline:
    population: Population
    span: Span | None = _SPAN


@frozen
class DayCount:
    origin_day: Operand
    span: Span | None = _SPAN


@frozen
class TimeUnit:
    unit: Ident
    span: Span | None = _SPAN


@frozen
class Ascertainment:
    """`ascertainment: continuous` or `ascertainment: at visits`."""

    kind: str  # "continuous" or "at visits"
    span: Span | None = _SPAN


@frozen
class BeforeOrigin:
    rule: str  # "ignore", "move to origin" or (bor, issue 19: a best response) "count"
    span: Span | None = _SPAN


@frozen
class Without:
    """In a variant: drop the base's `horizon`, `cutoff`, `stop at E` or missed-assessment rule."""

    what: str  # "horizon", "cutoff", "stop" or "missed"
    event: Ident | None = None
    span: Span | None = _SPAN


@frozen
class WindowBound:
    """`day d` (day is an operand) or a subject-level event's date."""

    day: Operand | None = None
    event: Ident | None = None
    span: Span | None = _SPAN
    date: object = None  # reldates: a relative date (RelativePick or ShiftedDate)


@frozen
class BestResponse:
    event: Ident
    span: Span | None = _SPAN


@frozen
class Landmark:
    """`response of E from day A through day B nearest day T | best`."""

    event: Ident
    start: WindowBound
    stop: WindowBound
    nearest: Operand | None  # None: `best`
    span: Span | None = _SPAN


@frozen
class Occurrence:
    event: Ident
    start: WindowBound
    stop: WindowBound
    span: Span | None = _SPAN


@frozen
class SdMinimum:
    amount: Operand
    unit: Ident
    span: Span | None = _SPAN


@frozen
class Confirm:
    amount: Operand
    unit: Ident
    max_ne: Operand | None = None
    max_sd: Operand | None = None
    span: Span | None = _SPAN


@frozen
class Responder:
    values: tuple[Operand, ...]
    span: Span | None = _SPAN


@frozen
class NotEvaluable:
    value: Operand | None  # None: excluded
    span: Span | None = _SPAN


@frozen
class Evaluable:
    """`evaluable if occurred or F reaches window end`."""

    event: Ident
    span: Span | None = _SPAN


@frozen
class NoCensoring:
    """`no censoring date: excluded`: the exclusion of a subject no rule dates is intended."""

    span: Span | None = _SPAN


@frozen
class NoOrigin:
    """`no origin: not assessed`: without an origin date, the result of no assessment."""

    span: Span | None = _SPAN


# ---- bor: admiralonco's best-response options (issue 19, part 1) ----------------------


@frozen
class ProgressionCutoff:
    """`progressive disease cutoff: first | at EVENT | none`."""

    rule: str  # "first", "event" or "none"
    event: Ident | None = None
    span: Span | None = _SPAN


@frozen
class NoVisits:
    """`no visits: not evaluable | missing` (admiralonco's missing_as_ne)."""

    value: str  # "not evaluable" or "missing"
    span: Span | None = _SPAN


# ---- adam: ADaM-complete output ------------------------------------------------------


@frozen
class Paramn:
    """`paramn 3`: the endpoint's PARAMN."""

    value: Operand
    span: Span | None = _SPAN


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
    span: Span | None = _SPAN


@frozen
class KeepItem:
    """`TRT01P as TRTP` (`as`: the output name; None: the column's own)."""

    column: Ident
    rename: Ident | None = None
    span: Span | None = _SPAN


@frozen
class CriteriaRow:
    """`category "PR" = 2, response, confirmed by ...`: one category, best rows first."""

    category: Operand
    aval: Operand | None  # None: `= none`, no AVAL code (bor, issue 19: admiralonco's ND)
    role: str | None = None  # "response", "disease control", "progression", "not evaluable"
    confirm: CriteriaConfirm | None = None
    span: Span | None = _SPAN


@frozen
class KeepDef:
    """`keep A, B as C from adsl`: subject-level columns carried onto every record."""

    items: tuple[KeepItem, ...]
    table: Ident
    span: Span | None = _SPAN


@frozen
class DatasetDef:
    """`dataset ADTTE label "..."`: the output dataset's name and label."""

    name: Ident
    label: str | None = None
    span: Span | None = _SPAN


@frozen
class CriteriaDef:
    """`criteria NAME "Title" <rows> [after progression: stop|continue] end`."""

    name: Ident
    title: str | None
    rows: tuple[CriteriaRow, ...]
    after_progression: str | None = None  # "stop", "continue"; None: stop
    span: Span | None = _SPAN


@frozen
class CriteriaUse:
    """`criteria NAME` in an endpoint: the response criteria set it reads."""

    name: Ident
    span: Span | None = _SPAN


# ---- groups (issue 13, item 3)
@frozen
class GroupBy:
    """`for each COLUMN[, COLUMN] of EVENT`: one parameter per value of the event's column(s)."""

    columns: tuple[Ident, ...]
    event: Ident
    span: Span | None = _SPAN


# ---- extreme (issue 19, part 2): worst or best of ordered categories
@frozen
class ExtremeOutcome:
    """`outcome "AVALC" [= AVAL] if any E [has C]` or `... if every E has C`."""

    avalc: Operand
    aval: Operand | None
    every: bool
    event: Ident
    condition: Condition | None
    span: Span | None = _SPAN


@frozen
class Extreme:
    """`worst of|best of|first of` then its outcomes, in priority order, and `otherwise`."""

    head: str  # "worst", "best" or "first"
    outcomes: tuple[ExtremeOutcome, ...]
    otherwise: Operand | None = None
    otherwise_aval: Operand | None = None
    span: Span | None = _SPAN


@frozen
class ExtremePick:
    """`first by date` / `last by date`: which row of the winning outcome dates the result."""

    which: str  # "first" or "last"
    column: Ident | None = None  # `first by AVAL`: the column whose number orders the rows (None: date)
    span: Span | None = _SPAN


# ---- value endpoints (issue 14): a number per subject from a series of measurements
@frozen
class SeriesOption:
    """One option of a series, as written: kind "where" (value: a condition), "sequence"
    (Ident), "label" (str), "unit column" (Ident), "unit text" (str), "lloq" (Operand),
    "below lloq" (BlqRule), "duplicate times" ("refuse" or "mean"), "negative times" (None),
    "from" (Ident: the origin event of a time axis of dates), "origin is day" (Operand)."""

    kind: str
    value: object = None
    span: Span | None = _SPAN


@frozen
class BlqRule:
    """`below lloq if COND: RULE [before first quantifiable, RULE after]`; a rule is "zero",
    "half lloq" or "missing" (`after` None: one rule for every BLQ sample)."""

    condition: Condition
    before: str
    after: str | None = None
    span: Span | None = _SPAN


@frozen
class SeriesDef:
    """`series NAME = TABLE.COLUMN at TIME UNIT <options>`: a subject's measurements."""

    name: Ident
    table: Ident
    column: Ident
    time: Ident
    time_unit: Ident
    options: tuple[SeriesOption, ...] = ()
    span: Span | None = _SPAN


@frozen
class ValueOver:
    """`over A to B UNIT`: the samples whose time lies in [A, B]."""

    start: Operand
    stop: Operand
    unit: Ident
    span: Span | None = _SPAN


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
    span: Span | None = _SPAN


Clause = (
    Origin
    | Terminating
    | CensorSingle
    | CensorLatest
    | Horizon
    | Cutoff
    | Stop
    | AmongNamed
    | AmongInline
    | DayCount
    | TimeUnit
    | BeforeOrigin
    | Ascertainment
    | NoCensoring
    | Missed
    | Without
    | BestResponse
    | Landmark
    | Occurrence
    | SdMinimum
    | Confirm
    | Responder
    | NotEvaluable
    | Evaluable
    | NoOrigin
    | Paramn
    | SameDay
    | CriteriaUse
    | GroupBy
    | ProgressionCutoff  # bor (issue 19)
    | NoVisits
    | Extreme
    | ExtremePick
    | ValueClause  # value endpoints (issue 14)
)


@frozen
class Endpoint:
    paramcd: Ident
    param: str
    clauses: tuple[Clause, ...]
    base: Ident | None = None  # `like BASE`: a variant of another endpoint of the file
    span: Span | None = _SPAN


Item = (
    Table
    | EventDef
    | PopulationDef
    | ScheduleDef
    | Endpoint
    | ConfirmedEventDef
    | DateDef
    | KeepDef
    | DatasetDef
    | CriteriaDef
    | SeriesDef
)


@frozen
class Program:
    items: tuple[Item, ...]
    file: str = field(eq=False, default="<string>")
