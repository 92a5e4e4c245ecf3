"""Times of day (issue 12): what an endpoint counted by the clock (`time in hours|minutes`)
may say: E230 (a date without `with time`), E231 (a clause not yet defined with times of
day), E232 (`origin is day`). docs/semantics.md section 7.
`checker` is the endpoint's EndpointChecker (which imports this module).
"""

from __future__ import annotations

from ..language import nodes as n
from .confirm import root_event


def check_timed(checker, seen: dict, events, rules, unit: str) -> None:
    """E230: every date the AVAL is counted from or to needs its event `with time`;
    E231: clauses not (yet) defined with times of day; E232: `origin is day`."""
    clause = seen["time in"]
    names = [checker.origin.event, *(t.event for t in events)]
    names += [ch.date.event for r in rules for ch in r.choices]
    for name in dict.fromkeys(x for x in names if x):
        ev = checker.scope.events.get(name)
        inline = [d.shown for d in checker.scope.reldates.inline.values() if d.name == name]
        if inline or isinstance(ev, n.DateDef):  # a relative date, inline or declared
            shown = inline[0] if inline else name
            checker.error(
                "E231", f"a relative date ({shown}) does not combine with `time in {unit}` "
                "(not yet defined with times of day)",
                clause.span, "count the time in days, or date by events read `with time`",
            )  # fmt: skip
            continue
        if isinstance(ev, n.ConfirmedEventDef):  # its occurrences are its root event's rows
            ev = root_event(checker.scope, name)
        if ev is not None and not ev.with_time:
            checker.error(
                "E230", f"`time in {unit}` needs times of day, but event {name} reads dates only",
                clause.span, f"declare the event `with time` (event {ev.name.text} = TABLE.COLUMN with time ...), "
                "or count the time in days",
            )  # fmt: skip
    if "origin is day" in seen:
        checker.error(
            "E232", f"`origin is day` does not apply to `time in {unit}`", seen["origin is day"].span,
            f"AVAL is the clock time from STARTDTM to ADTM in {unit}; drop `origin is day`",
        )  # fmt: skip
    for c in checker.ep.clauses:
        word = None
        if isinstance(c, (n.Horizon, n.Cutoff, n.Stop)):
            word = {n.Horizon: "horizon", n.Cutoff: "cutoff", n.Stop: "stop at"}[type(c)]
        elif isinstance(c, n.Missed):
            word = "censor events after ... missed"
        elif isinstance(c, n.BeforeOrigin) and c.rule == "move to origin":
            word = "before origin: move to origin"
        elif isinstance(c, n.CensorLatest):
            word = "censor at latest of"
        elif isinstance(c, n.CensorSingle) and c.conditions:
            word = "a censoring rule with `if`"
        if word is not None:
            checker.error(
                "E231", f"`{word}` does not combine with `time in {unit}` (not yet defined with times of day)",
                c.span, "count the time in days, or leave the clause out",
            )  # fmt: skip
