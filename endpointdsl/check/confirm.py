"""Confirmed and sustained events (issue 12, item 2; docs/semantics.md 2.1): E220-E226.

`event C = E confirmed by F at least N days later`, `... confirmed by F at next A`,
`... held for N consecutive A`, `... sustained to last A`, each optionally followed by
`or D within K days`. A confirmed event reads only events declared before it (no cycles)
on the input tables (not another endpoint's rows); its occurrences are the candidate's,
so it has the candidate's table, column, sequence, response and date format.
"""

from __future__ import annotations

import attrs

from ..language import nodes as n
from . import model as m
from .scope import Scope

KIND_WORDS = {
    "later": "confirmed by ... later", "next": "confirmed by ... at next",
    "consecutive": "held for ... consecutive", "sustained": "sustained to last",
}  # fmt: skip


def root_event(scope: Scope, name: str) -> n.EventDef | None:
    """The plain event (table.column) whose occurrences a confirmed event filters."""
    seen = set()
    ev = scope.events.get(name)
    while isinstance(ev, n.ConfirmedEventDef) and ev.name.text not in seen:
        seen.add(ev.name.text)
        ev = scope.events.get(ev.candidate.text)
    return ev if isinstance(ev, n.EventDef) else None


class ConfirmedEvents:
    """Checks `event C = E confirmed ...` and gives its model."""

    def __init__(self, scope: Scope, formats: dict):
        self.scope = scope
        self.formats = formats  # event name -> declared date format

    def check(self, e: n.ConfirmedEventDef) -> m.EventSource:
        s = self.scope
        order = [i.name.text for i in s.program.items if isinstance(i, (n.EventDef, n.ConfirmedEventDef))]
        refs = [e.candidate, e.by, e.assessments, e.without, e.death]
        for ref in (r for r in refs if r is not None):
            if ref.text not in s.events:
                s.unknown("event", ref, s.events)
            elif isinstance(s.events[ref.text], n.DateDef):
                s.error(
                    "E227", f"'{e.name.text}' reads '{ref.text}', a derived date; a confirmation reads events",
                    ref.span, f"confirm the event '{ref.text}' picks from, then pick from the confirmed event: "
                    "`date d = first c after F`",
                )  # fmt: skip
            elif ref.text == e.name.text or order.index(ref.text) > order.index(e.name.text):
                s.error(
                    "E220", f"'{e.name.text}' reads '{ref.text}', which is not declared before it",
                    ref.span, f"declare `event {ref.text}` above `event {e.name.text}`: "
                    "a confirmed event reads only the events declared before it",
                )  # fmt: skip
            elif _on_endpoint_rows(s, ref.text):
                s.error(
                    "E221", f"'{ref.text}' reads another endpoint's rows; a confirmation reads input tables",
                    ref.span, "confirm the event on the input table that endpoint reads",
                )  # fmt: skip
        rule = m.EventConfirmation(
            e.kind, e.candidate.text, by=e.by.text if e.by else None,
            assessments=e.assessments.text if e.assessments else None,
        )  # fmt: skip
        if e.kind == "consecutive":
            rule = _with(rule, count=self._count(e.count))
        if e.kind == "later":
            least = self._days(e.at_least, e.at_least_unit, "`at least`")
            most = self._days(e.at_most, e.at_most_unit, "`at most`") if e.at_most is not None else None
            if least is not None and least <= 0:
                s.error(
                    "E223", "a confirmation `at least` 0 days later could be the candidate itself",
                    e.at_least.span, "write a number of days above 0, e.g. `at least 28 days later`",
                )  # fmt: skip
            if least is not None and most is not None and most < least:
                s.error(
                    "E224", f"`at most` ({most:g} days) is less than `at least` ({least:g} days)",
                    e.at_most.span, "the confirming occurrence must fit between the two",
                )  # fmt: skip
            rule = _with(rule, at_least=least, at_most=most, without=e.without.text if e.without else None)
        if e.death is not None:
            if e.kind == "later":
                s.error(
                    "E225", f"`or {e.death.text} within` needs an assessment series",
                    e.death.span, "it applies to `confirmed by ... at next A`, `held for N consecutive A` "
                    "and `sustained to last A`: the candidate at the last assessment of A",
                )  # fmt: skip
            within = self._days(e.within, e.within_unit, "`within`")
            rule = _with(rule, death=e.death.text, death_within=within)
        root = root_event(s, e.candidate.text)
        table = s.tables.get(root.table.text) if root is not None else None
        return m.EventSource(
            e.name.text, root.table.text if root else "", root.column.text if root else "", None,
            root.sequence.text if root and root.sequence else None, e.label,
            per_subject=bool(table and table.per_subject),
            response=root.response.text if root and root.response else None,
            format=self.formats.get(root.name.text) if root else None,
            span=e.span, confirm=rule,
        )  # fmt: skip

    def _count(self, amount: n.Operand) -> int:
        ok = isinstance(amount, n.NumberOperand) and len(amount.lexeme) <= 6
        value = float(amount.lexeme) if ok else 0.0
        if not ok or value < 2 or not value.is_integer():
            self.scope.error(
                "E222", "`held for` needs a whole number of assessments, at least 2", amount.span,
                "the candidate is the first of them: `held for 3 consecutive anc_test`",
            )  # fmt: skip
            return 2
        return int(value)

    def _days(self, amount: n.Operand, unit: n.Ident, what: str) -> float | None:
        s = self.scope
        if not isinstance(amount, n.NumberOperand) or float(amount.lexeme) < 0 or len(amount.lexeme) > 6:
            s.error(
                "E226", f"{what} must be a number of days, weeks, months or years"
                + (" (at most 6 digits)" if isinstance(amount, n.NumberOperand) else ""),
                amount.span, "e.g. `at least 21 days later`, `within 3 weeks`",
            )  # fmt: skip
            return None
        name = m.UNIT_ALIASES.get(unit.text)
        if name is None:
            hint = s.did_you_mean(unit.text, m.UNIT_ALIASES) or "days, weeks, months or years"
            s.error("E140", f"unknown unit '{unit.text}'", unit.span, hint)
            return None
        return float(amount.lexeme) * m.UNIT_DAYS[name]


def _on_endpoint_rows(scope: Scope, name: str) -> bool:
    root = root_event(scope, name)
    return (
        root is not None and root.table.text not in scope.tables and root.table.text in scope.endpoint_nodes
    )


def _with(rule: m.EventConfirmation, **changes) -> m.EventConfirmation:
    return attrs.evolve(rule, **changes)
