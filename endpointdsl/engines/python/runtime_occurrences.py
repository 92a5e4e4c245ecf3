"""Runtime: occurrences, the dated records of an event read from a subject's rows, in the
order of the date or of the clock, and the findings noted while reading them."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

from attrs import define, frozen

from ...data.dates import at_time, parse_date, parse_time
from ...data.dates import impute as impute_date
from ...data.records import Derivation, Record
from ...data.values import Row, Subject, as_number, as_text, normalise

# ---- occurrences ---------------------------------------------------------------------


@frozen(order=False)
class Occurrence:
    """A dated record of an event: what it is, when, and which row supplied it."""

    event: str
    date: dt.date
    domain: str
    column: str
    seq: float | None
    row: int
    flag: str | None = None  # imputation flag of the date: D or M
    value: str | None = None  # the response of a tumour assessment (`response COLUMN`)
    time: int | None = None  # `with time`: seconds after midnight (None: a date only)
    rank: float | None = None  # extreme (issue 19, part 2): the number of `first|last by COLUMN`

    @property
    def order(self) -> tuple:
        return (self.date, self.seq is None, self.seq or 0.0, self.row)

    @property
    def moment_order(self) -> tuple:
        """The order in an endpoint timed by the clock: date, time (a date only first), sequence, row."""
        return (self.date, self.time is not None, self.time or 0, *self.order[1:])


@define(kw_only=True)
class Notes:
    """Per-subject data findings collected while deriving one endpoint."""

    subject: str
    paramcd: str
    messages: list[str]

    def add(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)


def select(
    subject: Subject,
    *,
    table: str,
    where: Callable[[Row], bool | None] | None,
    event: str,
    domain: str,
    column: str,
    sequence: str | None,
    notes: Notes,
    report_missing: bool = True,
    impute: str | None = None,
    not_before: list[dt.date] = (),
    not_after: list[dt.date] = (),
    response: str | None = None,
    derived: bool = False,
    date_format: str | None = None,
    with_time: bool = False,
    impute_day_only: bool = False,
    rank_column: str | None = None,
) -> list[Occurrence]:
    """Occurrences of an event: rows where the condition `where` is True, with a usable date.

    A value that is not a date is always reported. A blank date is reported only
    when the row was selected as an occurrence (`report_missing`): a blank death
    date in a subject-level table just means no death.
    """
    found = []
    for row in subject.rows(table):
        if where is not None and where(row) is not True:
            continue
        if impute is None:
            date, problem = parse_date(row.get(column), date_format)
            flag = None
        else:
            date, flag, problem = impute_date(row.get(column), impute, not_before, not_after, impute_day_only)
        if date is None:
            if problem == "missing" and not report_missing:
                continue
            shown = table.lstrip("@")  # a derived table is named by its endpoint
            notes.add(f"{event}: {shown} row {row.number} has no usable {column} ({problem}); not counted")
            continue
        seq = as_number(row.get(sequence)) if sequence else None
        value = as_text(row.get(response)) if response else None
        if derived:  # another endpoint's row: trace back to the row that decided it
            domain, var, seq = row.get("SRCDOM"), row.get("SRCVAR"), row.get("SRCSEQ")
            flag = row.get("ADTF" if column == "ADT" else "STARTDTF")
            found.append(Occurrence(event, date, domain, var, seq, row.number, flag, value))
            continue
        time = parse_time(row.get(column), date_format) if with_time else None
        rank = as_number(row.get(rank_column)) if rank_column else None  # extreme (issue 19)
        found.append(Occurrence(event, date, domain, column, seq, row.number, flag, value, time, rank))
    found.sort(key=lambda o: o.order)
    for before, after in itertools.pairwise(found):
        if (before.date, before.seq) == (after.date, after.seq):
            notes.add(_same_day_message(event, table, before, sequence))
    return found


def _same_day_message(event: str, table: str, occ: Occurrence, sequence: str | None) -> str:
    what = f"the same {sequence}" if sequence else "no sequence variable"
    return f"{event}: several {table} records on {occ.date} with {what}; SRCSEQ cannot tell them apart"


def derived_rows(subject: Subject, *, paramcd: str, derive: Callable[[Subject], Derivation]) -> str:
    """Another endpoint's row for this subject, as a one-row table (semantics 6.5).

    Derived once per subject and kept under `@PARAMCD`, a key no table name can take.
    """
    key = "@" + paramcd
    if key not in subject.tables:
        record = derive(subject).record
        # normalised as an input cell is (the interpreter and the SQL engine read it so: a
        # text without its trailing blanks, an empty one missing)
        row = None if record is None else {k: normalise(v) for k, v in record_row(record).items()}
        subject.tables[key] = [] if row is None else [Row(row, 1)]
    return key


def record_row(record: Record) -> dict:
    return {a.name: getattr(record, a.name) for a in record.__attrs_attrs__}


def dates_of(occurrences: list[Occurrence]) -> list[dt.date]:
    return [o.date for o in occurrences]


# ---- finer imputation (issue 12) -----------------------------------------------------


def shifted(dates: list[dt.date], days: int) -> list[dt.date]:
    """An imputation bound's dates moved by `days` (`not after last_alive + 1 day`); a date
    pushed outside the calendar bounds nothing (no partial date's range holds it)."""
    out = []
    for date in dates:
        try:
            out.append(date + dt.timedelta(days=days))
        except OverflowError:
            continue
    return out


def pick(occurrences: list[Occurrence], *, which: str, timed: bool = False) -> Occurrence | None:
    """'first' or 'single': the earliest; 'last': the latest (ties: highest sequence);
    `timed`: in the order of an endpoint timed by the clock (`moment_order`)."""
    if not occurrences:
        return None
    if timed:
        occurrences = sorted(occurrences, key=lambda o: o.moment_order)
    return occurrences[-1] if which == "last" else occurrences[0]


def within(
    occurrences: list[Occurrence], *, origin: dt.date, end: dt.date, clamp: bool, notes: Notes,
    origin_occ: Occurrence | None = None,
) -> list[Occurrence]:  # fmt: skip
    """The occurrences inside the observation window [origin, end]; with `origin_occ` (an
    endpoint timed by the clock) one on the origin's day before the origin's time is before it."""
    kept = []
    if origin_occ is not None:  # reported in the order of the clock, as the occurrences count
        occurrences = sorted(occurrences, key=lambda o: o.moment_order)
    for occ in occurrences:
        if occ.date > end:
            continue
        if origin_occ is not None and before_origin(occ, origin_occ):
            notes.add(f"{occ.event} on {moment(occ)} is before the origin {moment(origin_occ)}; ignored")
            continue
        if occ.date < origin and not clamp:
            notes.add(f"{occ.event} on {occ.date} is before the origin {origin}; ignored")
            continue
        kept.append(occ)
    return kept


# ---- times of day (issue 12): endpoints timed by the clock (`time in hours|minutes`) ---


def moment(occ: Occurrence) -> str:
    """An occurrence's date and time as the findings show it: 2023-01-05T14:30:00 (a date only: 2023-01-05)."""
    return occ.date.isoformat() if occ.time is None else at_time(occ.date, occ.time).isoformat()


def before_origin(occ: Occurrence, origin_occ: Occurrence) -> bool:
    """Before the origin by date, or on its day at an earlier time (a date only on the
    origin's day cannot be shown to be before it)."""
    if occ.date != origin_occ.date:
        return occ.date < origin_occ.date
    return occ.time is not None and origin_occ.time is not None and occ.time < origin_occ.time
