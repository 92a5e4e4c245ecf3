"""AST: frozen attrs nodes mirroring the .ept syntax, each with its source span.

Spans are excluded from equality so that `parse(format(ast)) == ast` holds.
Nothing here is resolved or checked; that is the checker's job.

The file (`Program`, its `Item`s) and an endpoint (`Endpoint`, its `Clause`s) are here, since
they join the nodes of every part. The nodes, one module a construct beside the transformer's
groups (`transform_*`), are in `nodes_base` (the span field, `Ident`), `nodes_conditions`
(operands, row conditions), `nodes_definitions` (tables, events, populations, schedules),
`nodes_dates` (occurrences, the origin, reldates), `nodes_endpoints` (an endpoint's
time-to-event clauses, groups, the ADaM options), `nodes_responses` (responses, bor,
criteria sets, `worst of`) and `nodes_values` (value endpoints). Every name stays
importable from here.
"""

from __future__ import annotations

from attrs import field, frozen

from .diagnostics import Span
from .nodes_base import SPAN, Ident
from .nodes_conditions import (
    And,
    ColumnOf,
    Compare,
    CompareTo,
    Condition,
    DateOperand,
    InList,
    IsMissing,
    NameOperand,
    Not,
    NumberOperand,
    Operand,
    Or,
    OtherValue,
    Shift,
    TextOperand,
)
from .nodes_dates import (
    DateDef,
    DateRef,
    FirstOccurrence,
    LastOccurrence,
    OriginDate,
    RelativePick,
    ShiftedDate,
)
from .nodes_definitions import (
    BoundOffset,
    ConfirmedEventDef,
    DateFormat,
    EventDef,
    Imputation,
    Population,
    PopulationDef,
    ScheduleDef,
    SchedulePiece,
    Table,
    TableWhere,
    WithEvent,
)
from .nodes_endpoints import (
    Alternative,
    AmongInline,
    AmongNamed,
    Ascertainment,
    BeforeOrigin,
    BoundOption,
    CensorLatest,
    CensorSingle,
    Cutoff,
    DatasetDef,
    DayCount,
    EventRef,
    GroupBy,
    Horizon,
    Inclusivity,
    KeepDef,
    KeepItem,
    Missed,
    NoCensoring,
    Origin,
    OutcomeItem,
    Paramn,
    RuleCondition,
    SameDay,
    Stop,
    Terminating,
    TimeUnit,
    Without,
)
from .nodes_responses import (
    BestResponse,
    Confirm,
    CriteriaConfirm,
    CriteriaDef,
    CriteriaRow,
    CriteriaUse,
    Evaluable,
    Extreme,
    ExtremeOutcome,
    ExtremePick,
    Landmark,
    NoOrigin,
    NotEvaluable,
    NoVisits,
    Occurrence,
    ProgressionCutoff,
    Responder,
    SdMinimum,
    WindowBound,
)
from .nodes_values import (
    BlqRule,
    SeriesDef,
    SeriesOption,
    ValueClause,
    ValueOver,
)

# What reads or builds the AST (the transformer, printer, layout, checks and tests) imports
# the nodes from here (`from ..language import nodes as n`); the parts hold the definitions.
__all__ = [
    "Alternative", "AmongInline", "AmongNamed", "And", "Ascertainment", "BeforeOrigin", "BestResponse",
    "BlqRule", "BoundOffset", "BoundOption", "CensorLatest", "CensorSingle", "Clause", "ColumnOf",
    "Compare", "CompareTo", "Condition", "Confirm", "ConfirmedEventDef", "CriteriaConfirm", "CriteriaDef",
    "CriteriaRow", "CriteriaUse", "Cutoff", "DatasetDef", "DateDef", "DateFormat", "DateOperand",
    "DateRef", "DayCount", "Endpoint", "Evaluable", "EventDef", "EventRef", "Extreme", "ExtremeOutcome",
    "ExtremePick", "FirstOccurrence", "GroupBy", "Horizon", "Ident", "Imputation", "InList",
    "Inclusivity", "IsMissing", "Item", "KeepDef", "KeepItem", "Landmark", "LastOccurrence", "Missed",
    "NameOperand", "NoCensoring", "NoOrigin", "NoVisits", "Not", "NotEvaluable", "NumberOperand",
    "Occurrence", "Operand", "Or", "Origin", "OriginDate", "OtherValue", "OutcomeItem", "Paramn",
    "Population", "PopulationDef", "Program", "ProgressionCutoff", "RelativePick", "Responder",
    "RuleCondition", "SameDay", "ScheduleDef", "SchedulePiece", "SdMinimum", "SeriesDef", "SeriesOption",
    "Shift", "ShiftedDate", "Stop", "Table", "TableWhere", "Terminating", "TextOperand", "TimeUnit",
    "ValueClause", "ValueOver", "WindowBound", "WithEvent", "Without",
]  # fmt: skip


# ---- an endpoint and the file: they join the nodes of every part ----------------------

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
    span: Span | None = SPAN


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
