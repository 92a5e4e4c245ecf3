"""Runtime: reldates, derived dates (docs/semantics.md section 8)."""

from __future__ import annotations

from attrs import evolve

from .runtime_dates import shift
from .runtime_occurrences import Occurrence


def date_pick(
    occurrences: list[Occurrence],
    *,
    which: str,
    n: int = 1,
    relation: str | None = None,
    other: list[Occurrence] | None = None,
) -> list[Occurrence]:
    """The first, last or nth occurrence (in occurrence order), among those dated `relation`
    the single date in `other`; [] when there is none, or no `other` date."""
    if relation is not None:
        if not other:
            return []
        bound = other[0].date
        if relation == "after":
            occurrences = [o for o in occurrences if o.date > bound]
        elif relation == "on or after":
            occurrences = [o for o in occurrences if o.date >= bound]
        else:
            occurrences = [o for o in occurrences if o.date <= bound]
    if which == "nth":
        return occurrences[n - 1 : n]
    return occurrences[-1:] if which == "last" else occurrences[:1]


def date_shift(occurrences: list[Occurrence], *, days: int) -> list[Occurrence]:
    """The occurrence moved by `days`; its source stays the same."""
    return [evolve(o, date=shift(o.date, days)) for o in occurrences]


def derived_date(occurrences: list[Occurrence], *, event: str) -> list[Occurrence]:
    return [evolve(o, event=event) for o in occurrences]
