"""reldates: dates relative to other dates (docs/semantics.md section 8).

`date NAME = EXPR` declares a subject-level derived date; a relative date written inline
where an endpoint takes a date (`from`, `censor at`, `cutoff`, `stop at`, a window bound)
becomes such a date too, with a generated name and the expression as written for findings
and reasons, so that every engine implements one thing: a derived event with at most one
occurrence per subject (`EventSource.date`). Codes E200-E205.
"""

from __future__ import annotations

from ..language import nodes as n
from ..language.printer import _date as printed
from . import model as m
from .confirm import root_event
from .scope import Scope

RELATIVE = (n.RelativePick, n.ShiftedDate)
ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}
SHIFT_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7}


def is_relative(ref) -> bool:
    return isinstance(ref, RELATIVE)


class RelDates:
    """Reads date expressions; keeps the inline dates made so far (one per distinct expression)."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.inline: dict[tuple, m.EventSource] = {}  # (expression, label) -> its derived event
        self.declared: dict[str, m.DatePick | m.DateShift | None] = {}
        self.busy: list[str] = []

    # ---- declarations
    def declare(self, d: n.DateDef) -> m.EventSource:
        expr = self.declared_expr(d.name.text)
        return self._event(d.name.text, expr, d.label, None, d.span)

    def declared_expr(self, name: str) -> m.DatePick | m.DateShift | None:
        """The expression of `date NAME = ...`, read once; a cycle is reported once (E204)."""
        if name in self.declared:
            return self.declared[name]
        node = self.scope.events[name]
        if name in self.busy:
            cycle = [*self.busy[self.busy.index(name) :], name]
            self.scope.error(
                "E204", "dates defined in terms of each other: " + " -> ".join(cycle), node.name.span,
                "a date can use only dates that do not use it",
            )  # fmt: skip
            self.declared[name] = None
            return None
        self.busy.append(name)
        expr = self.expr(node.date, None, "a `date` declaration")
        for dep in m.date_events(expr):  # the dates it uses first: a cycle is found here
            if isinstance(self.scope.events.get(dep), n.DateDef):
                self.declared_expr(dep)
        self.busy.pop()
        self.declared.setdefault(name, expr)
        return self.declared[name]

    # ---- inline dates
    def inline_spec(self, ref, origin: m.DatePick | m.DateShift | None, where: str) -> m.DateSpec:
        """A DateSpec naming the derived event of an inline relative date."""
        expr = self.expr(ref, origin, where)
        shown = printed(ref)
        if expr is None:
            return m.DateSpec("origin")
        key = (expr, shown)
        if key not in self.inline:
            k = len(self.inline) + 1
            name = f"date__{k}"
            while name in self.scope.events:
                k += 1
                name = f"date__{k}"
            self.inline[key] = self._event(name, expr, None, shown, ref.span)
        return m.DateSpec("single", self.inline[key].name, shown=shown)

    def label(self, name: str) -> str | None:
        for ev in self.inline.values():
            if ev.name == name:
                return ev.label
        return None

    # ---- expressions
    def expr(self, ref, origin, where: str) -> m.DatePick | m.DateShift | None:
        """A model expression; None after an error (reported)."""
        match ref:
            case n.RelativePick(which=which, event=event, ordinal=ordinal, relation=relation, other=other):
                known = self._known(event)
                count = self._ordinal(ordinal, ref.span) if which == "nth" else 1
                inner = self.expr(other, origin, where) if relation is not None else None
                if not known or count is None or (relation is not None and inner is None):
                    return None
                return m.DatePick(event.text, which, count, relation, inner)
            case n.ShiftedDate(base=base, sign=sign, amount=amount, unit=unit):
                inner = self.expr(base, origin, where)
                days = self._days(sign, amount, unit)
                if inner is None or days is None:
                    return None
                return m.DateShift(inner, days)
            case n.FirstOccurrence(event=event) | n.LastOccurrence(event=event):
                which = "first" if isinstance(ref, n.FirstOccurrence) else "last"
                return m.DatePick(event.text, which) if self._known(event) else None
            case n.NameOperand(ident=event):
                if not self._known(event):
                    return None
                table = self._table_of(event.text)
                if table is not None and not table.per_subject:
                    self.scope.error(
                        "E121",
                        f"'{event.text}' can occur many times per subject "
                        f"(table {table.name.text} has many rows per subject)",
                        event.span, f"say which one: `first {event.text}` or `last {event.text}`",
                    )  # fmt: skip
                    return None
                return m.DatePick(event.text, "first")
            case n.OriginDate():
                if origin is None:
                    self.scope.error(
                        "E202", f"`origin` has no meaning in {where}", ref.span,
                        "name the event the origin is, e.g. `randomised + 150 days`",
                    )  # fmt: skip
                return origin
        what = {n.TextOperand: "a text", n.NumberOperand: "a number", n.DateOperand: "a fixed date"}
        self.scope.error(
            "E120", f"{what.get(type(ref), 'this')} is given where a date per subject is needed", ref.span,
            "a relative date starts from an event: `first E after F`, `the 2nd E`, `E + 30 days`",
        )  # fmt: skip
        return None

    def _known(self, event: n.Ident) -> bool:
        node = self.scope.events.get(event.text)
        if node is None:
            self.scope.unknown("event", event, self.scope.events)
            return False
        # an event on another endpoint's rows is a date per subject too (semantics 6.5)
        return not (
            isinstance(node, n.EventDef)
            and node.table.text not in self.scope.tables
            and node.table.text not in self.scope.endpoint_nodes
        )

    def _table_of(self, name: str) -> n.Table | None:
        node = self.scope.events.get(name)
        return self.scope.tables.get(node.table.text) if isinstance(node, n.EventDef) else None

    def _ordinal(self, lexeme: str, span) -> int | None:
        digits = lexeme[:-2]
        count = int(digits) if len(digits) <= 4 else 0
        suffix = "th" if 10 <= count % 100 <= 20 else ORDINAL_SUFFIX.get(count % 10, "th")
        if count < 1 or lexeme[-2:] != suffix:
            right = f"`{count}{suffix}`" if count >= 1 else "an ordinal from 1st"
            self.scope.error(
                "E205", f"'{lexeme}' is not an ordinal", span, f"write {right}, e.g. `the 2nd progression`"
            )
            return None
        return count

    def _days(self, sign: str | None, amount: n.NumberOperand, unit: n.Ident) -> int | None:
        lexeme = amount.lexeme
        bare = lexeme.lstrip("+-")
        signed = bare != lexeme
        if (sign is None) == (not signed) or not bare.isdigit() or len(bare) > 6:
            written = (sign or "") + lexeme
            too_far = (sign is None) != (not signed) and bare.isdigit()
            message = (
                f"'{written}' has more than 6 digits: a date moves by at most 999,999 days or weeks"
                if too_far
                else f"'{written}' is not a whole number of days to add or subtract"
            )
            self.scope.error(
                "E201", message,
                amount.span, "write `+ 30 days` or `- 1 day`: a sign, then a whole number of at most 6 digits",
            )  # fmt: skip
            return None
        per = SHIFT_UNITS.get(unit.text)
        if per is None:
            if unit.text in ("month", "months", "year", "years"):
                hint = (
                    "a month or a year is not a fixed number of days: write days or weeks "
                    "(e.g. `+ 30 days`, `+ 52 weeks`); a calendar end of observation is `horizon N calendar months`"
                )
            else:
                hint = self.scope.did_you_mean(unit.text, SHIFT_UNITS) or "days or weeks"
            self.scope.error("E200", f"a date moves by days or weeks, not '{unit.text}'", unit.span, hint)
            return None
        negative = (sign == "-") != lexeme.startswith("-")
        return (-1 if negative else 1) * int(bare) * per

    # ---- the derived event
    def _event(self, name: str, expr, label: str | None, shown: str | None, span) -> m.EventSource:
        """Table, column and sequence are those of the event the expression's occurrence comes from."""
        table, column, sequence, base_label = self._source(expr)
        if shown is not None and label is None:
            label = base_label
        return m.EventSource(
            name, table, column, None, sequence, label, per_subject=True, date=expr, shown=shown, span=span
        )

    def _source(self, expr) -> tuple[str, str, str | None, str | None]:
        while isinstance(expr, m.DateShift):
            expr = expr.base
        if expr is None:
            return ("", "", None, None)
        node = self.scope.events.get(expr.event)
        if isinstance(node, n.DateDef):
            return (*self._source(self.declared_expr(expr.event))[:3], node.label)
        if isinstance(node, n.ConfirmedEventDef):  # its occurrences are its root event's rows
            root = root_event(self.scope, expr.event)
            if root is None:
                return ("", "", None, node.label)
            sequence = root.sequence.text if root.sequence else None
            return (root.table.text, root.column.text, sequence, node.label)
        if node is None:
            return ("", "", None, None)
        return (node.table.text, node.column.text, node.sequence.text if node.sequence else None, node.label)
