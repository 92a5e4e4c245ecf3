"""Checked model: what an endpoint means, with every name resolved and every default filled.

The code generator and the reference interpreter both start from here; neither
looks at the AST. Spans stay for the line map but do not take part in equality.

The file (`Model`, its ADaM options) is here; its parts, one module a concern, are
`model_vocabulary` (units, AVALU, responses, AVAL codes), `model_conditions` (row
conditions), `model_events` (tables, event sources, confirmed events, derived dates),
`model_endpoint` (one endpoint), `model_response` (response, incidence, `worst of`,
criteria sets) and `model_value` (value endpoints). Every name stays importable from here.
"""

from __future__ import annotations

import re

from attrs import field, frozen

from .model_conditions import (
    And,
    Compare,
    CompareColumns,
    Condition,
    InList,
    IsMissing,
    Literal,
    Not,
    Or,
    OtherColumn,
    condition_columns,
    subject_columns,
)
from .model_endpoint import (
    GROUP_PREFIX_MAX,
    Bound,
    CensorChoice,
    CensorRule,
    DateSpec,
    EndpointSpec,
    GroupBy,
    MissedRule,
    Outcome,
    Population,
    RuleCondition,
    Schedule,
    TermEvent,
    event_names,
    timed,
)
from .model_events import DatePick, DateShift, EventConfirmation, EventSource, TableSpec, date_events
from .model_response import (
    CRITERIA_RESERVED,
    Confirmation,
    CriteriaCategory,
    CriteriaSet,
    ExtremeOutcome,
    ExtremeSpec,
    ResponseSpec,
    WindowBound,
)
from .model_value import (
    BLQ_RULES,
    VALUE_STATS,
    VALUE_TIME_UNITS,
    VALUE_UNIT_ALIASES,
    VALUE_UNIT_SECONDS,
    SeriesSpec,
    ValueSpec,
    value_avalu,
)
from .model_vocabulary import (
    AVAL_CODES,
    AVALU,
    BEST_ORDER,
    DERIVED_COLUMNS,
    DERIVED_DATES,
    NOT_DONE,
    RESPONSES,
    TIME_UNIT_ALIASES,
    TIME_UNIT_SECONDS,
    UNIT_ALIASES,
    UNIT_DAYS,
    WORST_ORDER,
)

# Every engine, check module and test imports the model from here (`from ..check import
# model as m`); the parts above hold the definitions.
__all__ = [
    "AVALU", "AVAL_CODES", "BEST_ORDER", "BLQ_RULES", "CRITERIA_RESERVED", "DERIVED_COLUMNS",
    "DERIVED_DATES", "GROUP_PREFIX_MAX", "NOT_DONE", "RESPONSES", "TIME_UNIT_ALIASES",
    "TIME_UNIT_SECONDS", "UNIT_ALIASES", "UNIT_DAYS", "VALUE_STATS", "VALUE_TIME_UNITS",
    "VALUE_UNIT_ALIASES", "VALUE_UNIT_SECONDS", "WORST_ORDER", "AdamSpec", "And", "Bound", "Carried",
    "CensorChoice", "CensorRule", "Compare", "CompareColumns", "Condition", "Confirmation",
    "CriteriaCategory", "CriteriaSet", "DatePick", "DateShift", "DateSpec", "EndpointSpec",
    "EventConfirmation", "EventSource", "ExtremeOutcome", "ExtremeSpec", "GroupBy", "InList",
    "IsMissing", "Literal", "MissedRule", "Model", "Not", "Or", "OtherColumn", "Outcome", "Population",
    "ResponseSpec", "RuleCondition", "Schedule", "SeriesSpec", "TableSpec", "TermEvent", "ValueSpec",
    "WindowBound", "condition_columns", "date_events", "event_names", "subject_columns", "timed",
    "value_avalu",
]  # fmt: skip

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
