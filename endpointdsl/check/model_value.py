"""Checked model: value endpoints (issue 14; docs/semantics.md 11): series and statistics."""

from __future__ import annotations

from attrs import frozen

from ..language.diagnostics import Span
from .model_conditions import Condition
from .model_vocabulary import SPAN

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
    span: Span | None = SPAN
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
