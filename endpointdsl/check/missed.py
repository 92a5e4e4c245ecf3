"""`censor events after N missed E per S` (FDA row B9): the rule and its assessment
schedule (E166), for one endpoint. docs/semantics.md section 3, step 4.
`checker` is the endpoint's EndpointChecker (which imports this module).
"""

from __future__ import annotations

import re

from ..language import nodes as n
from ..language.printer import format_operand
from . import model as m


def missed_rule(checker, clause) -> m.MissedRule | None:
    if clause is None:
        return None
    count = _whole(checker, clause.count, "the number of missed assessments")
    checker.known_event(clause.event)
    schedule = _schedule(checker, clause.schedule)
    fields = checker.outcome_fields(clause.items)
    if "cnsr" not in fields:
        checker.error("E131", "a censoring rule needs its CNSR code", clause.span, "add `cnsr N`")
    outcome = m.Outcome(fields.get("cnsr", 1), fields.get("evntdesc"), fields.get("cnsdtdsc"))
    if count is None or schedule is None:
        return None
    return m.MissedRule(count, clause.event.text, schedule, outcome)


def _whole(checker, o: n.Operand, what: str) -> int | None:
    if isinstance(o, n.NumberOperand) and re.fullmatch(r"\+?[0-9]{1,4}", o.lexeme) and int(o.lexeme) > 0:
        return int(o.lexeme)
    checker.error("E166", f"{what} must be a positive whole number", o.span)
    return None


def _schedule(checker, ident: n.Ident) -> m.Schedule | None:
    sd = checker.scope.schedules.get(ident.text)
    if sd is None:
        checker.scope.unknown("schedule", ident, checker.scope.schedules)
        return None
    pieces = []
    for i, piece in enumerate(sd.pieces):
        every = checker.days(piece.every, piece.unit, "an assessment interval")
        until = checker.days(piece.until, piece.until_unit, "`until`") if piece.until is not None else None
        if until is None and i < len(sd.pieces) - 1 and piece.until is None:
            checker.error("E166", "only the last part of a schedule can go on without `until`", piece.span)
        if i == len(sd.pieces) - 1 and piece.until is not None:  # else no interval after it
            checker.error(
                "E166", "the last part of a schedule goes on without `until`", piece.until.span,
                f"drop `until {format_operand(piece.until)} {piece.until_unit.text}`, or add `then every ...` after it",
            )  # fmt: skip
        if every is not None and every <= 0:
            checker.error("E166", "an assessment interval must be positive", piece.every.span)
        pieces.append((every or 1.0, until))
    window = checker.days(sd.window, sd.window_unit, "the window")
    return m.Schedule(sd.name.text, tuple(pieces), window or 0.0)
