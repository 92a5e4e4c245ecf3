"""Transformer: operands and conditions (comparisons with literals, lists, missing values, and
comparisons with other values, issue 12).
"""

from __future__ import annotations

from lark import v_args

from . import nodes as n
from .transform_base import BaseToAst, unescape


@v_args(meta=True)
class ConditionsToAst(BaseToAst):
    """Operands and row conditions."""

    # ---- operands
    def name(self, meta, c):
        return n.NameOperand(self._ident(c[0]), span=self._tok_span(c[0]))

    def string(self, meta, c):
        return n.TextOperand(unescape(str(c[0])), span=self._tok_span(c[0]))

    def number(self, meta, c):
        return n.NumberOperand(str(c[0]), span=self._tok_span(c[0]))

    def date(self, meta, c):
        return n.DateOperand(str(c[0]), span=self._tok_span(c[0]))

    # ---- conditions
    def compare(self, meta, c):
        return n.Compare(self._ident(c[0]), str(c[1]), c[2], span=self._span(meta))

    # ---- conditions comparing with other values (issue 12: conditions)
    def compare_to(self, meta, c):
        return n.CompareTo(self._ident(c[0]), str(c[1]), c[2], span=self._span(meta))

    def shifted_value(self, meta, c):
        return n.OtherValue(c[0], None, c[1] if len(c) > 1 else None, span=self._span(meta))

    def scaled_value(self, meta, c):
        factor = n.NumberOperand(str(c[0]), span=self._tok_span(c[0]))
        return n.OtherValue(c[1], factor, c[2] if len(c) > 2 else None, span=self._span(meta))

    def column_of(self, meta, c):
        return n.ColumnOf(self._ident(c[0]), self._ident(c[1]), span=self._span(meta))

    def shift(self, meta, c):
        toks = list(c)
        sign = ""
        if toks[0].type in ("PLUS", "MINUS"):
            sign = "-" if toks[0].type == "MINUS" else "+"
            toks = toks[1:]
        number, unit = toks[0], (toks[1] if len(toks) > 1 else None)
        lexeme = str(number)
        if sign:  # `- 10` is -10, `- -10` is +10, `+ -10` is -10
            inner = lexeme[:1] if lexeme[:1] in "+-" else "+"
            digits = lexeme.lstrip("+-")
            lexeme = ("-" if (sign == "-") != (inner == "-") else "+") + digits
        amount = n.NumberOperand(lexeme, span=self._tok_span(number))
        return n.Shift(amount, self._ident(unit) if unit is not None else None, span=self._span(meta))

    def in_list(self, meta, c):
        return n.InList(self._ident(c[0]), tuple(c[1:]), False, span=self._span(meta))

    def not_in_list(self, meta, c):
        return n.InList(self._ident(c[0]), tuple(c[1:]), True, span=self._span(meta))

    def is_missing(self, meta, c):
        return n.IsMissing(self._ident(c[0]), False, span=self._span(meta))

    def is_not_missing(self, meta, c):
        return n.IsMissing(self._ident(c[0]), True, span=self._span(meta))

    def and_(self, meta, c):
        return n.And(c[0], c[1], span=self._span(meta))

    def or_(self, meta, c):
        return n.Or(c[0], c[1], span=self._span(meta))

    def not_(self, meta, c):
        return n.Not(c[0], span=self._span(meta))
