"""Competing events (issue 13, item 2): `to E competing F cnsr N` and `same day: ...`, for one
endpoint (E270-E275). docs/semantics.md section 3, step 4. `checker` is the endpoint's
EndpointChecker (which imports this module).
"""

from __future__ import annotations

from ..language import nodes as n
from . import model as m


def with_competing(checker, clause, same_day, events: tuple[m.TermEvent, ...]) -> tuple[m.TermEvent, ...]:
    """The events of interest and the competing events, in the order a same-day tie is decided:
    the winning kind first, each kind in the order written."""
    refs = clause.competing if isinstance(clause, n.Terminating) else ()
    if not refs:
        if same_day is not None:
            checker.error(
                "E273", "`same day:` decides ties with competing events, and this endpoint has none",
                same_day.span, "remove it, or name the competing events: `to relapse competing death cnsr 2`",
            )  # fmt: skip
        return events
    interest = {t.event for t in events}
    out, seen = [], set()
    for ref in refs:
        name = ref.event.text
        if name in interest:
            checker.error(
                "E274", f"event '{name}' is both an event of interest and a competing event", ref.event.span,
                "list it once: before `competing` (CNSR 0) or after it (its own CNSR)",
            )  # fmt: skip
        elif name in seen:
            checker.error(
                "E151", f"event '{name}' is listed twice", ref.event.span, "list each competing event once"
            )
        seen.add(name)
        checker.known_event(ref.event)
        fields = checker.outcome_fields(ref.items)
        if "cnsdtdsc" in fields:
            checker.error(
                "E275", "`cnsdtdsc` does not apply to a competing event", ref.span,
                "a competing event is not a censoring; only `cnsr` and `evntdesc` can be set",
            )  # fmt: skip
        if "cnsr" not in fields and not any(i.field == "cnsr" for i in ref.items):
            checker.error(
                "E270", f"competing event '{name}' needs its CNSR code", ref.span,
                f"add a positive code that no censoring rule of the endpoint uses, e.g. `competing {name} cnsr 2`",
            )  # fmt: skip
        text = fields.get("evntdesc")
        out.append(
            m.TermEvent(name, text if text is not None else checker.label(name), fields.get("cnsr", 2))
        )
    if same_day is None:
        checker.error(
            "E272", f"endpoint {checker.ep.paramcd.text} has competing events but does not say who wins "
            "a same-day tie", clause.span,
            "add `same day: event first` or `same day: competing first` (for non-relapse mortality, a relapse "
            "and a death on one day are a relapse: `to death competing relapse cnsr 2` with `competing first`)",
        )  # fmt: skip
    if same_day is not None and same_day.first == "competing":
        return (*out, *events)
    return (*events, *out)


def check_codes(checker, events, rules, bounds, missed) -> None:
    """E271: a competing event's CNSR must not be a censoring code of the endpoint, or the
    analysis could not tell the two apart."""
    used: dict[int, int | None] = {}  # code -> .ept line of the first rule or bound using it
    for rule in rules:
        for ch in rule.choices:
            used.setdefault(ch.outcome.cnsr, rule.span.line if rule.span else None)
    for b in bounds:
        if b.outcome is not None:
            used.setdefault(b.outcome.cnsr, b.span.line if b.span else None)
    if missed is not None:
        clause = next((c for c in checker.ep.clauses if isinstance(c, n.Missed)), None)
        used.setdefault(missed.outcome.cnsr, clause.span.line if clause and clause.span else None)
    refs = {}
    for clause in checker.ep.clauses:
        if isinstance(clause, n.Terminating):
            refs = {r.event.text: r for r in clause.competing}
    for t in events:
        if t.competing and t.cnsr in used and t.event in refs:
            line = used[t.cnsr]
            free = next(c for c in range(1, len(used) + 2) if c not in used)
            checker.error(
                "E271", f"competing event '{t.event}' has CNSR {t.cnsr}, a censoring code of this endpoint"
                + (f" (line {line})" if line else ""), refs[t.event].span,
                f"give it a code of its own, e.g. `cnsr {free}`: a competing event and a censoring must differ",
            )  # fmt: skip


def same_day_rule(clause, same_day) -> str | None:
    if isinstance(clause, n.Terminating) and clause.competing and same_day is not None:
        return same_day.first
    return None
