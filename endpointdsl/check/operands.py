"""Operands: what the clauses of one endpoint refer to, read the same way by every clause.

Event names (E104), dates per subject (`origin`, an event's date, its first or last
occurrence, a literal date: E120, E121), durations in days, weeks, months or years (E140,
E166). `endpoint.EndpointChecker` reads the time-to-event clauses with them, and
`response.ResponseChecker` the clauses of response and incidence endpoints.
"""

from __future__ import annotations

from ..language import nodes as n
from . import model as m
from .conditions import Conditions
from .confirm import root_event
from .scope import Scope

OPERAND_KIND = {
    n.NameOperand: "a name",
    n.TextOperand: "a text",
    n.NumberOperand: "a number",
    n.DateOperand: "a date",
}


def operand_kind(o: n.Operand) -> str:
    return OPERAND_KIND[type(o)]


class Operands:
    """One endpoint's reader of operands; an error without a span of its own points at the endpoint."""

    def __init__(self, scope: Scope, conditions: Conditions, ep: n.Endpoint):
        self.scope = scope
        self.conditions = conditions
        self.ep = ep

    def error(self, code, message, span, hint=None):
        self.scope.error(code, message, span or self.ep.span, hint)

    def known_event(self, ident: n.Ident) -> bool:
        if ident.text in self.scope.events:
            return True
        self.scope.unknown("event", ident, self.scope.events)
        return False

    def label(self, event: str) -> str | None:
        ev = self.scope.events.get(event)
        return ev.label if ev else self.scope.reldates.label(event)

    def origin_expr(self) -> m.DatePick | m.DateShift | None:
        """reldates: the endpoint's origin as a date expression, for `origin` inside one
        (its own errors are reported where the origin is checked)."""
        clause = next((c for c in self.ep.clauses if isinstance(c, n.Origin)), None)
        if clause is None or isinstance(clause.date, (n.OriginDate, n.DateOperand)):
            return None
        diags = list(self.scope.diags)
        expr = self.scope.reldates.expr(clause.date, None, "`from`")
        self.scope.diags[:] = diags
        return expr

    def date_ref(self, ref: n.DateRef, allow_literal: bool) -> m.DateSpec:
        match ref:
            case n.RelativePick() | n.ShiftedDate():  # reldates
                origin = self.origin_expr()
                own = any(isinstance(c, n.Origin) and c.date is ref for c in self.ep.clauses)
                where = (
                    "the origin itself" if own else "this endpoint, whose origin is not an input event's date"
                )
                return self.scope.reldates.inline_spec(ref, origin, where)
            case n.OriginDate():
                return m.DateSpec("origin")
            case n.FirstOccurrence(event=ev) | n.LastOccurrence(event=ev):
                kind = "first" if isinstance(ref, n.FirstOccurrence) else "last"
                self.known_event(ev)
                return m.DateSpec(kind, ev.text)
            case n.NameOperand(ident=ev):
                if self.known_event(ev):
                    src = root_event(self.scope, ev.text)  # a confirmed event: its candidate's
                    table = self.scope.tables.get(src.table.text) if src else None
                    if table is not None and not table.per_subject:
                        self.error(
                            "E121",
                            f"'{ev.text}' can occur many times per subject "
                            f"(table {table.name.text} has many rows per subject)",
                            ev.span, f"say which one: `first {ev.text}` or `last {ev.text}`",
                        )  # fmt: skip
                return m.DateSpec("single", ev.text)
            case n.DateOperand():
                if allow_literal:
                    return m.DateSpec("literal", value=self.conditions.date(ref))
        self.error(
            "E120", f"{operand_kind(ref)} is given where a date is needed", ref.span,
            "name an event (`death`, `last assessment`), `origin`, or a date YYYY-MM-DD",
        )  # fmt: skip
        return m.DateSpec("origin")

    def days(self, amount: n.Operand, unit: n.Ident, what: str) -> float | None:
        if not isinstance(amount, n.NumberOperand) or float(amount.lexeme) < 0 or len(amount.lexeme) > 6:
            self.error("E166", f"{what} must be a number of days, weeks, months or years", amount.span)
            return None
        return float(amount.lexeme) * m.UNIT_DAYS[self.unit_name(unit, amount.span, what)]

    def unit_name(self, ident: n.Ident | None, span, what: str) -> str:
        if ident is None:
            self.error("E140", f"{what} needs a unit", span, "days, weeks, months or years")
            return "days"
        unit = m.UNIT_ALIASES.get(ident.text)
        if unit is None:
            # `time in ...` also takes the clock's units (times of day, issue 12)
            units = {**m.UNIT_ALIASES, **m.TIME_UNIT_ALIASES} if what == "time" else m.UNIT_ALIASES
            listed = (
                "days, weeks, months, years, hours or minutes"
                if what == "time"
                else "days, weeks, months or years"
            )
            hint = self.scope.did_you_mean(ident.text, units) or listed
            self.error("E140", f"unknown unit '{ident.text}'", ident.span, hint)
            return "days"
        return unit
