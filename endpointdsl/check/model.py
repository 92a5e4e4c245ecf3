"""Checked model: what an endpoint means, with every name resolved and every default filled.

The code generator and the reference interpreter both start from here; neither
looks at the AST. Spans stay for the line map but do not take part in equality.
"""

from __future__ import annotations

import datetime as dt
import re

from attrs import field, frozen

from ..language.diagnostics import Span

_SPAN = field(eq=False, repr=False, default=None, kw_only=True)

# ---- the vocabulary: what the words of the language mean, for every engine ------------

# Days in a unit of time, and the unit's AVALU.
UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}
AVALU = {"days": "DAYS", "weeks": "WEEKS", "months": "MONTHS", "years": "YEARS"}
# RECIST 1.1 time-point responses, best first (the best-overall-response order).
RESPONSES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
# bor (issue 19): ND (not done), ranked just above MISSING with no AVAL code (admiralonco's
# derive_param_confirmed_bor); the mildest on a date. Part of RECIST 1.1 (built in and recist11).
NOT_DONE = "ND"
# Worst last: the response kept when one date has several (admiralonco's order).
WORST_ORDER = ("NE", "CR", "PR", "SD", "NON-CR/NON-PD", "PD")
# AVAL of a category or flag (admiralonco's aval_resp()).
AVAL_CODES = {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6, "MISSING": 7, "Y": 1, "N": 0}

# ---- times of day (issue 12): `time in hours|minutes`, AVAL from date and time -----------
# Seconds in a unit of an endpoint timed by the clock (AVAL = seconds / this), and its AVALU.
TIME_UNIT_SECONDS = {"hours": 3600, "minutes": 60}
TIME_UNIT_ALIASES = {"hour": "hours", "hours": "hours", "minute": "minutes", "minutes": "minutes"}
AVALU.update({"hours": "HOURS", "minutes": "MINUTES"})


def timed(ep: EndpointSpec) -> bool:
    """The endpoint counts time by the clock (`time in hours|minutes`): STARTDTM and ADTM."""
    return ep.unit in TIME_UNIT_SECONDS


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
    response: str | None = None  # column holding the RECIST time-point response
    derived: bool = False  # the table is another endpoint's output (section 6.5)
    format: str | None = None  # declared format of the date column's texts (None: ISO 8601)
    span: Span | None = _SPAN
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
class Confirmation:
    """CR/PR confirmed by a later visit at least `days` later (admiralonco's rules)."""

    days: float
    max_ne: int = 1
    max_sd: int = 0


@frozen
class WindowBound:
    """`day d` (numbered by the endpoint's origin day) or a subject-level event's date."""

    day: int | None = None
    event: str | None = None
    shown: str | None = None  # reldates: an inline relative date, as written

    def describe(self) -> str:
        if self.shown is not None:
            return self.shown
        return f"day {self.day}" if self.event is None else str(self.event)


@frozen
class ResponseSpec:
    """What a response or incidence endpoint derives (docs/semantics.md section 6).

    kind: "best" (best overall response), "landmark" (response in a visit window) or
    "occurrence" (incidence of an event in a window).
    """

    kind: str
    event: str
    sd_min_days: float | None = None
    confirm: Confirmation | None = None
    responder: tuple[str, ...] | None = None  # a Y/N flag: categories that count as Y
    start: WindowBound | None = None  # landmark and occurrence windows, both ends included
    stop: WindowBound | None = None
    nearest: int | None = None  # landmark: the visit nearest this day; None: the best one
    not_evaluable: str | None = None  # landmark: AVALC when not evaluable; None: excluded
    evaluable_by: str | None = None  # occurrence: evaluable if occurred or this date reaches the end
    no_origin_assessed: bool = False  # best: no origin date gives MISSING / N, not an exclusion
    criteria: CriteriaSet | None = None  # criteria (issue 13): the set named; None: RECIST 1.1 built in
    # bor (issue 19, part 1): admiralonco's best-response options (docs/semantics.md 6.7)
    before_origin: str = "ignore"  # "count": assessments before the origin are used (admiralonco)
    progression: str | None = None  # the cut-off written: "first", "event" or "none"; None: the default
    progression_event: str | None = None  # "event": assessments after its first date are not used
    missing_as_ne: bool = False  # `no assessments: not evaluable`: NE instead of MISSING

    @property
    def continues(self) -> bool:
        """Assessments after the first progressive-disease visit are used (bor, issue 19): as the
        endpoint's `progression cutoff` says, else as its criteria set says (RECIST 1.1: no)."""
        if self.progression is None:
            return self.criteria.continues if self.criteria is not None else False
        return self.progression != "first"

    @property
    def progression_cutoff(self) -> str:
        """The cut-off that applies, in words (the summary and `explain` show it)."""
        if self.progression == "event":
            return f"at {self.progression_event} (assessments on or before its first date)"
        if self.continues:
            return "none (every assessment is used)"
        pd = self.criteria.of_role("progression") if self.criteria is not None else ("PD",)
        return f"first progressive disease ({', '.join(pd)})"

    extreme: ExtremeSpec | None = None  # extreme (issue 19, part 2): kind "extreme", its outcomes


# ---- extreme (issue 19, part 2; docs/semantics.md 6.8): worst or best of ordered categories ----


@frozen
class ExtremeOutcome:
    """One outcome of a `worst of|best of|first of` endpoint. It holds when `event` has an
    occurrence in the window (on or after the origin, on or before the end of observation);
    with `every` (the E of `every E has C`; `event` is then E narrowed by C), when moreover E
    has at least one occurrence in the window and every one of them is one of `event`'s."""

    avalc: str
    aval: float | None
    event: str
    every: str | None = None


@frozen
class ExtremeSpec:
    """`head` "worst" or "best": the first listed outcome that holds wins; "first": the outcome
    whose row is earliest (a same-day tie: the first listed). `pick`: the row of the winning
    outcome that supplies ADT and the source, the first or the last in occurrence order.
    `otherwise`: AVALC (and AVAL) of a subject for whom no outcome holds; None: excluded."""

    head: str
    outcomes: tuple[ExtremeOutcome, ...]
    pick: str = "first"
    otherwise: str | None = None
    otherwise_aval: float | None = None
    # `first|last by COLUMN`: the rows are ordered by COLUMN's number (each outcome's event
    # then has `rank` COLUMN), rows without one last; None: by date (occurrence order)
    by: str | None = None

    def events(self) -> list[str]:
        """The events the outcomes read, in a fixed order, without repeats."""
        names = [x for o in self.outcomes for x in (o.event, o.every) if x]
        return list(dict.fromkeys(names))


# An endpoint's rows read as a table (section 6.5).
DERIVED_COLUMNS = (
    "STARTDT", "ADT", "AVAL", "AVALC", "CNSR", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "SRCSEQ",
)  # fmt: skip
DERIVED_DATES = ("ADT", "STARTDT")
BEST_ORDER = RESPONSES  # best overall response order: CR > PR > SD > NON-CR/NON-PD > PD > NE


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
    span: Span | None = _SPAN
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


# ---- value endpoints (issue 14; docs/semantics.md 11) ---------------------------------------

# The time axis of a series: its unit and the unit's AVALU (TMAX in "h", AUC in "h*ug/mL").
VALUE_TIME_UNITS = {"minutes": "min", "hours": "h", "days": "d", "weeks": "wk"}
# Seconds in a unit a window or nominal time is written in (converted to the series' unit).
VALUE_UNIT_SECONDS = {
    "minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800,
    "months": 30.4375 * 86400, "years": 365.25 * 86400,
}  # fmt: skip
VALUE_UNIT_ALIASES = {
    "minute": "minutes", "minutes": "minutes", "hour": "hours", "hours": "hours",
    "day": "days", "days": "days", "week": "weeks", "weeks": "weeks",
    "month": "months", "months": "months", "year": "years", "years": "years",
}  # fmt: skip
BLQ_RULES = ("zero", "half lloq", "missing")
VALUE_STATS = (
    "max", "min", "last", "time of max", "time of min", "time of last", "auc", "auc to last",
    "change from min", "at", "detectable",
)  # fmt: skip


@frozen
class SeriesSpec:
    """`series NAME = TABLE.COLUMN at TIME UNIT ...` (docs/semantics.md 11.1): the rows of
    `table` where `where` holds, a number `column` at a number `time` (in `time_unit`).
    A row where `blq` holds is below the LLOQ: its value is given by `blq_before` (before the
    subject's first quantifiable sample) or `blq_after` ("zero", "half lloq": half the
    `lloq_column` cell or `lloq_value`, "missing": not used). Samples at one time:
    `duplicates` "refuse" (the subject is excluded) or "mean"."""

    name: str
    table: str
    column: str
    time: str
    time_unit: str  # a key of VALUE_TIME_UNITS
    where: Condition | None
    blq: Condition
    blq_before: str
    blq_after: str
    lloq_column: str | None = None
    lloq_value: float | None = None
    unit_column: str | None = None  # AVALU: the rows' unit, read from this column...
    unit_text: str | None = None  # ...or stated
    duplicates: str = "refuse"
    negative_at_zero: bool = False  # a sample before time 0 (pre-dose) counts at time 0
    sequence: str | None = None  # SRCSEQ
    label: str | None = None
    span: Span | None = _SPAN
    # a time axis of dates: `time` is a date column, t its day counted from the date of the
    # subject-level event `origin`, numbered as `origin_day` says (1: the origin is day 1, the
    # day before day -1; 0: the origin is day 0)
    origin: str | None = None
    origin_day: int = 1

    @property
    def domain(self) -> str:
        return self.table.upper()

    def columns(self) -> list[str]:
        """The columns of `table` the series reads, without the conditions'."""
        out = [self.column, self.time, self.lloq_column, self.unit_column, self.sequence]
        return [c for c in out if c]


@frozen
class ValueSpec:
    """What a value endpoint derives from `series` (docs/semantics.md 11.2): `stat` (one of
    VALUE_STATS) over the samples whose time is in [start, stop] (None: all), both in the
    series' unit; `rule` "linear" or "linear up log down" (auc); `at` and `within`: the
    nominal time and tolerance (stat "at", "detectable"). `over` and `near` are the window
    and the nominal time as written, for the report."""

    stat: str
    series: SeriesSpec
    start: float | None = None
    stop: float | None = None
    rule: str | None = None
    at: float | None = None
    within: float | None = None
    over: str | None = None
    near: str | None = None


def value_avalu(value: ValueSpec, unit: str | None) -> str | None:
    """AVALU of a value endpoint's record, from the unit of the samples (None: unknown)."""
    time = VALUE_TIME_UNITS[value.series.time_unit]
    if value.stat.startswith("time of"):
        return time
    if value.stat == "detectable":
        return None
    if unit is None:
        return None
    return f"{time}*{unit}" if value.stat.startswith("auc") else unit


# ---- adam: ADaM-complete output (docs/semantics.md 9) ----------------------------------


@frozen
class Carried:
    """A subject-level column carried onto every record: `column` of the subject table,
    written as `name` (`keep TRT01P as TRTP`), declared at `line`."""

    column: str
    name: str
    line: int


@frozen
class AdamSpec:
    """What makes the output ADaM-complete. `keep`: the carried columns in `keep` order;
    `paramn`: PARAMCD to PARAMN (stated, or the endpoint's position in the file);
    `dataset` and `label`: the output dataset's name and label; `stated`: the endpoints
    whose PARAMN is stated (`paramn N`), which a grouped endpoint's numbering needs."""

    keep: tuple[Carried, ...] = ()
    paramn: tuple[tuple[str, int], ...] = ()
    dataset: str = "ADTTE"
    label: str | None = None
    stated: frozenset[str] = frozenset()


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
    span: Span | None = _SPAN


GROUP_PREFIX_MAX = 7  # a grouped endpoint's code, followed by at least one digit: 8 in all


@frozen
class Model:
    file: str
    tables: tuple[TableSpec, ...]
    events: tuple[EventSource, ...]
    endpoints: tuple[EndpointSpec, ...]
    # Checker warnings (W codes): the file means what it says, but perhaps not what was meant.
    warnings: tuple = field(eq=False, default=())
    adam: AdamSpec = field(factory=AdamSpec)  # adam: carried columns, PARAMN, dataset label

    @property
    def file_name(self) -> str:
        """The file's name without its folders, safe inside a comment or docstring of generated
        code: no quotes, escapes or line breaks (a character but A-Z a-z 0-9 . _ + - is _)."""
        name = self.file.replace("\\", "/").rsplit("/", 1)[-1]
        return re.sub(r"[^A-Za-z0-9._+-]", "_", name)

    @property
    def subject_table(self) -> TableSpec:
        return next(t for t in self.tables if t.per_subject)

    def table(self, name: str) -> TableSpec:
        return next(t for t in self.tables if t.name == name)

    def event(self, name: str) -> EventSource:
        return next(e for e in self.events if e.name == name)

    def endpoint(self, paramcd: str) -> EndpointSpec:
        return next(e for e in self.endpoints if e.paramcd == paramcd)

    def upstream(self, ep: EndpointSpec) -> list[str]:
        """Endpoints whose rows this endpoint reads (section 6.5), in file order."""
        names = {self.event(n).table for n in self.read_events(ep) if self.event(n).derived}
        return [e.paramcd for e in self.endpoints if e.paramcd in names]

    def read_events(self, ep: EndpointSpec) -> list[str]:
        """reldates: `event_names`, and the events its derived dates read (at any depth)."""
        out: list[str] = []
        todo = list(event_names(ep))
        while todo:
            name = todo.pop(0)
            if name not in out:
                out.append(name)
                todo += date_events(self.event(name).date)
        return out


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


# ---- criteria: response criteria sets as declarations (issue 13; docs/semantics.md 6.6) ------


@frozen
class CriteriaCategory:
    """One row of a criteria set. `role`: "response", "control" (disease control, counted
    after the SD minimum), "progression", "ne" (not evaluable) or None (only ranked).
    `confirmed_by`: the categories that confirm it (empty: never confirmed); `between`: those
    allowed between it and the confirming visit; `at_next`: the confirming visit is the next one
    whose category is not in `between`, `window` (days) apart from the visit before it."""

    name: str
    aval: int | None  # None: no AVAL code, only ranked (bor, issue 19: admiralonco's ND)
    role: str | None = None
    confirmed_by: tuple[str, ...] = ()
    between: tuple[str, ...] = ()
    at_next: bool = False
    window: tuple[float, float] | None = None


@frozen
class CriteriaSet:
    """A response criteria set: its categories best first; after the first visit whose
    response has the role "progression", later visits are not used unless `continues`."""

    name: str
    title: str
    categories: tuple[CriteriaCategory, ...]
    continues: bool = False
    span: Span | None = _SPAN

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.categories)

    def of_role(self, role: str) -> tuple[str, ...]:
        return tuple(c.name for c in self.categories if c.role == role)

    def category(self, name: str) -> CriteriaCategory:
        return next(c for c in self.categories if c.name == name)

    @property
    def missing_aval(self) -> int:
        """AVAL of MISSING (no assessment): one more than the largest code of the set."""
        return max(c.aval for c in self.categories if c.aval is not None) + 1

    @property
    def mildest_first(self) -> tuple[str, ...]:
        """The order in which one date keeps the last (6.6 rule 2): categories without an AVAL
        code (bor, issue 19: ND, not done) mildest, then not evaluable, then best to worst."""
        uncoded = [c.name for c in self.categories if c.aval is None]
        ne = [c.name for c in self.categories if c.role == "ne" and c.aval is not None]
        rest = [c.name for c in self.categories if c.name not in uncoded and c.name not in ne]
        return (*uncoded, *ne, *rest)


CRITERIA_RESERVED = ("MISSING", "Y", "N")  # AVALC values a response endpoint gives itself
