"""Runtime: the helpers that generated endpoint modules call.

Missing values propagate explicitly: a comparison with a missing cell is
`None` (unknown) and a row condition selects a row only when it is `True`, as
in SQL. Dates come from date objects or texts in the event's declared format (ISO
8601 by default); anything else is reported per subject and is not an occurrence. No pandas here: this module is
all a compiled endpoint needs to derive one subject.

The generated code names every argument but the first (what the call works on: a cell,
the subject, the occurrences, the notes) and the operands of and3/or3/not3: the
functions it calls take the others as keywords only, so that a reader of the generated
module never has to look up what a bare `None` or `False` means.

This module is the face that generated modules import (`runtime as rt`); its parts hold one
concern each, beside it: runtime_conditions (three-valued logic, conditions comparing with
other values), runtime_occurrences (occurrences and the notes of a subject), runtime_dates
(dates and durations), runtime_records (a record or an exclusion), runtime_censoring (the
selection steps: end of observation, earliest event, censoring) and runtime_reldates
(derived dates). Every name imports from here as it always did.
"""

from __future__ import annotations

from .runtime_censoring import (
    Candidate,
    Interval,
    Limit,
    censor_choice,
    earliest,
    latest,
    missed_gap,
    occurred,
    stop_end,
    stopped_by,
)
from .runtime_conditions import and3, compare, compare_with, not3, one_of, or3, subject_value
from .runtime_dates import NO_END, add_calendar, aval, bound_end, horizon_end, shift
from .runtime_occurrences import (
    Notes,
    Occurrence,
    before_origin,
    dates_of,
    derived_rows,
    moment,
    pick,
    record_row,
    select,
    shifted,
    within,
)
from .runtime_records import exclude, make_record, no_origin_time, timed_record
from .runtime_reldates import date_pick, date_shift, derived_date

__all__ = [
    "NO_END",
    "Candidate",
    "Interval",
    "Limit",
    "Notes",
    "Occurrence",
    "add_calendar",
    "and3",
    "aval",
    "before_origin",
    "bound_end",
    "censor_choice",
    "compare",
    "compare_with",
    "date_pick",
    "date_shift",
    "dates_of",
    "derived_date",
    "derived_rows",
    "earliest",
    "exclude",
    "horizon_end",
    "latest",
    "make_record",
    "missed_gap",
    "moment",
    "no_origin_time",
    "not3",
    "occurred",
    "one_of",
    "or3",
    "pick",
    "record_row",
    "select",
    "shift",
    "shifted",
    "stop_end",
    "stopped_by",
    "subject_value",
    "timed_record",
    "within",
]
