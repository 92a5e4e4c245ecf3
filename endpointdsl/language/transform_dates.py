"""Transformer: reldates, dates relative to other dates (`date NAME = ...` and inline)."""

from __future__ import annotations

from lark import Token, v_args

from . import nodes as n
from .transform_base import BaseToAst


@v_args(meta=True)
class DatesToAst(BaseToAst):
    """Derived dates: picks of occurrences relative to other dates, and shifts."""

    # ---- reldates: dates relative to other dates
    def date_def(self, meta, c):
        label = c[2][1] if len(c) > 2 else None
        return n.DateDef(self._ident(c[0]), c[1], label, span=self._span(meta))

    def _nth(self, c) -> tuple[str, Token]:
        toks = [t for t in c if isinstance(t, Token) and t.type == "ORDINAL"]
        return str(toks[0]), c[c.index(toks[0]) + 1]

    def first_relative(self, meta, c):
        return n.RelativePick("first", self._ident(c[0]), None, c[1], c[2], span=self._span(meta))

    def last_relative(self, meta, c):
        return n.RelativePick("last", self._ident(c[0]), None, c[1], c[2], span=self._span(meta))

    def nth_occurrence(self, meta, c):
        ordinal, name = self._nth(c)
        return n.RelativePick("nth", self._ident(name), ordinal, span=self._span(meta))

    def nth_relative(self, meta, c):
        ordinal, name = self._nth(c)
        return n.RelativePick("nth", self._ident(name), ordinal, c[-2], c[-1], span=self._span(meta))

    def nth_shifted(self, meta, c):
        ordinal, name = self._nth(c)
        pick = n.RelativePick("nth", self._ident(name), ordinal, span=self._span(meta))
        sign, amount, unit = c[-1]
        return n.ShiftedDate(pick, sign, amount, unit, span=self._span(meta))

    def shifted_date(self, meta, c):
        sign, amount, unit = c[1]
        return n.ShiftedDate(c[0], sign, amount, unit, span=self._span(meta))

    def date_shift(self, meta, c):
        sign = str(c[0]) if len(c) == 3 else None
        number = n.NumberOperand(str(c[-2]), span=self._tok_span(c[-2]))
        return (sign, number, self._ident(c[-1]))

    def rel_after(self, meta, c):
        return "after"

    def rel_on_or_after(self, meta, c):
        return "on or after"

    def rel_on_or_before(self, meta, c):
        return "on or before"

    def base_name(self, meta, c):
        return n.NameOperand(self._ident(c[0]), span=self._tok_span(c[0]))

    def base_first(self, meta, c):
        return n.FirstOccurrence(self._ident(c[0]), span=self._span(meta))

    def base_last(self, meta, c):
        return n.LastOccurrence(self._ident(c[0]), span=self._span(meta))

    def base_origin(self, meta, c):
        return n.OriginDate(span=self._span(meta))
