"""Conditions: row conditions, their literal values and populations, resolved to the model.

A date literal compared with a column is read in that column's declared format
(`dates.DateFormats`), so the conditions are resolved after the formats are known.
"""

from __future__ import annotations

import datetime as dt
import math

from ..language import nodes as n
from . import model as m
from .compare_with import CompareWith
from .dates import DateFormats
from .scope import Scope


class Conditions:
    """Reads conditions and populations for the checker and each endpoint (E141, E160-E163)."""

    def __init__(self, scope: Scope, formats: DateFormats):
        self.scope = scope
        self.formats = formats

    def condition(self, c: n.Condition, table: str | None = None) -> m.Condition:
        """The model of a row condition on `table`, whose date columns have their formats."""
        match c:
            case n.CompareTo() | n.Compare(operand=n.NameOperand()):  # issue 12: conditions
                return CompareWith(self).condition(c, table)
            case n.Compare(column=col, op=op, operand=operand):
                lit = self.literal(operand)
                if lit is not None and lit.kind == "text" and op not in ("=", "!="):
                    self.scope.error(
                        "E161",
                        f"'{op}' compares numbers or dates, not texts",
                        c.span,
                        "use = or != with a text, or `in (...)` for several values",
                    )
                fmt = self.formats.column(table, col.text) if lit and lit.kind == "date" else None
                return m.Compare(col.text, op, lit or m.Literal("text", ""), fmt)
            case n.InList(column=col, operands=ops, negated=neg):
                lits = [self.literal(o) for o in ops]
                kinds = {lit.kind for lit in lits if lit is not None}
                if len(kinds) > 1:
                    self.scope.error(
                        "E162",
                        "a list mixes " + " and ".join(sorted(kinds)) + " values",
                        c.span,
                        "all values in a list must be of one kind",
                    )
                fmt = self.formats.column(table, col.text) if kinds == {"date"} else None
                return m.InList(col.text, tuple(x for x in lits if x is not None), neg, fmt)
            case n.IsMissing(column=col, negated=neg):
                return m.IsMissing(col.text, neg)
            case n.And(left=a, right=b):
                return m.And(self.condition(a, table), self.condition(b, table))
            case n.Or(left=a, right=b):
                return m.Or(self.condition(a, table), self.condition(b, table))
            case n.Not(operand=a):
                return m.Not(self.condition(a, table))
        raise TypeError(c)

    def literal(self, o: n.Operand) -> m.Literal | None:
        match o:
            case n.TextOperand(value=v):
                return m.Literal("text", v)
            case n.NumberOperand(lexeme=v):
                value = float(v)
                if not math.isfinite(value) or abs(value) > 1e15:
                    self.scope.error(
                        "E163", f"the number {v[:20]}{'...' if len(v) > 20 else ''} is too large", o.span
                    )
                    return None
                return m.Literal("number", value)
            case n.DateOperand():
                d = self.date(o)
                return m.Literal("date", d) if d else None
            case n.NameOperand(ident=ident):
                self.scope.error(
                    "E160",
                    f"'{ident.text}' is a name, but a value is needed here",
                    ident.span,
                    f'texts are quoted: "{ident.text}"',
                )
                return None
        raise TypeError(o)

    def date(self, o: n.DateOperand) -> dt.date | None:
        try:
            return dt.date.fromisoformat(o.lexeme)
        except ValueError:
            self.scope.error(
                "E141", f"{o.lexeme} is not a valid calendar date", o.span,
                "dates are written YYYY-MM-DD with a real month and day",
            )  # fmt: skip
            return None

    def population(self, p: n.Population, name: str | None) -> m.Population:
        match p:
            case n.WithEvent(event=ev):
                if ev.text not in self.scope.events:
                    self.scope.unknown("event", ev, self.scope.events)
                return m.Population("with", name or f"subjects with {ev.text}", event=ev.text)
            case n.TableWhere(table=t, where=w):
                if t.text not in self.scope.tables:
                    self.scope.unknown("table", t, self.scope.tables)
                return m.Population(
                    "where", name or f"{t.text} rows meeting a condition",
                    table=t.text, where=self.condition(w, t.text),
                )  # fmt: skip
        raise TypeError(p)
