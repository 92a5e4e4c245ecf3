"""Checked model: response and incidence endpoints (docs/semantics.md 6): their windows and
confirmation, `worst of|best of|first of` outcomes (issue 19) and response criteria sets
(issue 13).
"""

from __future__ import annotations

from attrs import frozen

from ..language.diagnostics import Span
from .model_vocabulary import SPAN


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
    span: Span | None = SPAN

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
