"""Transformer: the declarations: tables, events (their options, imputation, confirmed and
sustained events), schedules, missed-assessment rules and populations.
"""

from __future__ import annotations

from lark import v_args

from . import nodes as n
from .transform_base import BaseToAst, unescape


@v_args(meta=True)
class DefinitionsToAst(BaseToAst):
    """Tables, events, schedules and populations."""

    # ---- definitions
    def one_per_subject(self, meta, c):
        return True

    def many_per_subject(self, meta, c):
        return False

    def table(self, meta, c):
        key = self._ident(c[2]) if len(c) > 2 else None
        return n.Table(self._ident(c[0]), c[1], key, span=self._span(meta))

    def where(self, meta, c):
        return ("where", c[0])

    def sequence(self, meta, c):
        return ("sequence", self._ident(c[0]))

    def response(self, meta, c):
        return ("response", self._ident(c[0]))

    def label(self, meta, c):
        return ("label", unescape(str(c[0])))

    def event_def(self, meta, c):
        opts = dict(c[3:])
        return n.EventDef(
            self._ident(c[0]),
            self._ident(c[1]),
            self._ident(c[2]),
            where=opts.get("where"),
            sequence=opts.get("sequence"),
            label=opts.get("label"),
            impute=opts.get("impute"),
            response=opts.get("response"),
            format=opts.get("format"),
            span=self._span(meta),
            with_time=bool(opts.get("with_time")),
        )

    def with_time(self, meta, c):  # times of day
        return ("with_time", True)

    # ---- confirmed and sustained events (issue 12, item 2)
    def confirmed_event_def(self, meta, c):
        rule = c[2]
        opts = dict(x for x in c[3:] if isinstance(x, tuple))
        return n.ConfirmedEventDef(
            self._ident(c[0]), self._ident(c[1]), **rule, **opts.get("death", {}),
            label=opts.get("label"), span=self._span(meta),
        )  # fmt: skip

    def confirm_later(self, meta, c):
        rule = {
            "kind": "later",
            "by": self._ident(c[0]),
            "at_least": c[1],
            "at_least_unit": self._ident(c[2]),
        }
        for extra in c[3:]:
            rule.update(extra)
        return rule

    def confirm_at_most(self, meta, c):
        return {"at_most": c[0], "at_most_unit": self._ident(c[1])}

    def confirm_without(self, meta, c):
        return {"without": self._ident(c[0])}

    def confirm_next(self, meta, c):
        return {"kind": "next", "by": self._ident(c[0]), "assessments": self._ident(c[1])}

    def held_for(self, meta, c):
        return {"kind": "consecutive", "count": c[0], "assessments": self._ident(c[1])}

    def sustained_to(self, meta, c):
        return {"kind": "sustained", "assessments": self._ident(c[0])}

    def death_confirms(self, meta, c):
        return ("death", {"death": self._ident(c[0]), "within": c[1], "within_unit": self._ident(c[2])})

    def date_format(self, meta, c):
        return ("format", n.DateFormat(unescape(str(c[0])), span=self._tok_span(c[0])))

    def impute_first(self, meta, c):
        return "first"

    def impute_mid(self, meta, c):
        return "mid"

    def impute_last(self, meta, c):
        return "last"

    def not_before(self, meta, c):
        return ("before", self._ident(c[0]), c[1] if len(c) > 1 else None)

    def not_after(self, meta, c):
        return ("after", self._ident(c[0]), c[1] if len(c) > 1 else None)

    def impute(self, meta, c):
        day_only = len(c) > 1 and c[1] == "day only"
        bounds = c[2:] if day_only else c[1:]
        before = tuple(b for b in bounds if b[0] == "before")
        after = tuple(b for b in bounds if b[0] == "after")
        return ("impute", n.Imputation(
            c[0], tuple(b[1] for b in before), tuple(b[1] for b in after), span=self._span(meta),
            day_only=day_only, before_offsets=tuple(b[2] for b in before), after_offsets=tuple(b[2] for b in after),
        ))  # fmt: skip

    # ---- finer imputation (issue 12)
    def impute_day_only(self, meta, c):
        return "day only"

    def offset_plus(self, meta, c):
        return n.BoundOffset(str(c[1]), c[2], "+", span=self._span(meta))

    def offset_minus(self, meta, c):
        return n.BoundOffset(str(c[1]), c[2], "-", span=self._span(meta))

    def offset_signed(self, meta, c):
        return n.BoundOffset(str(c[0]), c[1], None, span=self._span(meta))

    def offset_unit(self, meta, c):
        return self._ident(c[0])

    def with_event(self, meta, c):
        return n.WithEvent(self._ident(c[0]), span=self._span(meta))

    def table_where(self, meta, c):
        return n.TableWhere(self._ident(c[0]), c[1], span=self._span(meta))

    def schedule_piece(self, meta, c):
        until = c[2] if len(c) > 2 else None
        until_unit = self._ident(c[3]) if len(c) > 3 else None
        return n.SchedulePiece(c[0], self._ident(c[1]), until, until_unit, span=self._span(meta))

    def schedule_def(self, meta, c):
        pieces = tuple(x for x in c[1:-2] if isinstance(x, n.SchedulePiece))
        return n.ScheduleDef(self._ident(c[0]), pieces, c[-2], self._ident(c[-1]), span=self._span(meta))

    def missed(self, meta, c):
        return n.Missed(c[0], self._ident(c[1]), self._ident(c[2]), tuple(c[3:]), span=self._span(meta))

    def population_def(self, meta, c):
        return n.PopulationDef(self._ident(c[0]), c[1], span=self._span(meta))
