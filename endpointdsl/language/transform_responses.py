"""Transformer: response and incidence endpoints (windows, confirmation, responders), the
best-response options (bor, issue 19), response criteria sets (issue 13) and `worst of|best
of|first of` outcomes (issue 19).
"""

from __future__ import annotations

from lark import Token, v_args

from . import nodes as n
from .transform_base import BaseToAst, unescape


@v_args(meta=True)
class ResponsesToAst(BaseToAst):
    """Response and incidence endpoints, criteria sets and `worst of` outcomes."""

    # ---- response and incidence endpoints
    def day_bound(self, meta, c):
        return n.WindowBound(day=c[0], span=self._span(meta))

    def event_bound(self, meta, c):
        return n.WindowBound(event=self._ident(c[0]), span=self._span(meta))

    def date_bound(self, meta, c):
        return n.WindowBound(date=c[0], span=self._span(meta))

    def window(self, meta, c):
        return (c[0], c[1])

    def nearest(self, meta, c):
        return ("nearest", c[0])

    def best_in_window(self, meta, c):
        return ("nearest", None)

    def best_response(self, meta, c):
        return n.BestResponse(self._ident(c[0]), span=self._span(meta))

    def landmark(self, meta, c):
        (start, stop), (_, nearest) = c[1], c[2]
        return n.Landmark(self._ident(c[0]), start, stop, nearest, span=self._span(meta))

    def occurrence(self, meta, c):
        start, stop = c[1]
        return n.Occurrence(self._ident(c[0]), start, stop, span=self._span(meta))

    def sd_minimum(self, meta, c):
        return n.SdMinimum(c[0], self._ident(c[1]), span=self._span(meta))

    def max_ne(self, meta, c):
        return ("max_ne", c[0])

    def max_sd(self, meta, c):
        return ("max_sd", c[0])

    def confirm(self, meta, c):
        opts = dict(c[2:])
        return n.Confirm(
            c[0], self._ident(c[1]), opts.get("max_ne"), opts.get("max_sd"), span=self._span(meta)
        )

    def responder(self, meta, c):
        return n.Responder(tuple(c), span=self._span(meta))

    def not_evaluable_as(self, meta, c):
        return n.NotEvaluable(c[0], span=self._span(meta))

    def not_evaluable_excluded(self, meta, c):
        return n.NotEvaluable(None, span=self._span(meta))

    def no_origin(self, meta, c):
        return n.NoOrigin(span=self._span(meta))

    # ---- bor (issue 19): admiralonco's best-response options
    def count_before_origin(self, meta, c):
        return n.BeforeOrigin("count", span=self._span(meta))

    def cutoff_first_pd(self, meta, c):
        return n.ProgressionCutoff("first", span=self._span(meta))

    def cutoff_at_event(self, meta, c):
        return n.ProgressionCutoff("event", self._ident(c[0]), span=self._span(meta))

    def cutoff_none(self, meta, c):
        return n.ProgressionCutoff("none", span=self._span(meta))

    def no_visits_ne(self, meta, c):
        return n.NoVisits("not evaluable", span=self._span(meta))

    def no_visits_missing(self, meta, c):
        return n.NoVisits("missing", span=self._span(meta))

    def evaluable(self, meta, c):
        return n.Evaluable(self._ident(c[0]), span=self._span(meta))

    # ---- criteria: response criteria sets (issue 13)
    def role_response(self, meta, c):
        return ("role", "response")

    def role_control(self, meta, c):
        return ("role", "disease control")

    def role_progression(self, meta, c):
        return ("role", "progressive disease")

    def role_not_evaluable(self, meta, c):
        return ("role", "not evaluable")

    def criteria_list(self, meta, c):
        return tuple(c)

    def criteria_between(self, meta, c):
        return ("between", c[0])

    def criteria_next(self, meta, c):
        return ("next", True)

    def criteria_window(self, meta, c):
        return ("window", (c[0], c[1], self._ident(c[2])))

    def criteria_confirm(self, meta, c):
        opts = dict(x for x in c if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str))
        by = next(x for x in c if isinstance(x, tuple) and not (len(x) == 2 and isinstance(x[0], str)))
        window = opts.get("window") or (None, None, None)
        return n.CriteriaConfirm(by, opts.get("between", ()), "next" in opts, *window, span=self._span(meta))

    def criteria_row(self, meta, c):
        role = next((x[1] for x in c[2:] if isinstance(x, tuple)), None)
        confirm = next((x for x in c[2:] if isinstance(x, n.CriteriaConfirm)), None)
        return n.CriteriaRow(c[0], c[1], role, confirm, span=self._span(meta))

    def criteria_row_uncoded(self, meta, c):  # bor (issue 19): `category "ND" = none`
        role = next((x[1] for x in c[1:] if isinstance(x, tuple)), None)
        confirm = next((x for x in c[1:] if isinstance(x, n.CriteriaConfirm)), None)
        return n.CriteriaRow(c[0], None, role, confirm, span=self._span(meta))

    def after_stop(self, meta, c):
        return ("after", "stop")

    def after_continue(self, meta, c):
        return ("after", "continue")

    def criteria_def(self, meta, c):
        title = unescape(str(c[1])) if len(c) > 1 and isinstance(c[1], Token) else None
        rows = tuple(x for x in c[1:] if isinstance(x, n.CriteriaRow))
        after = next((x[1] for x in c[1:] if isinstance(x, tuple)), None)
        return n.CriteriaDef(self._ident(c[0]), title, rows, after, span=self._span(meta))

    def criteria_use(self, meta, c):
        return n.CriteriaUse(self._ident(c[0]), span=self._span(meta))

    # ---- extreme (issue 19, part 2)
    def extreme(self, meta, c):
        head, *rest = c
        outcomes = tuple(x for x in rest if isinstance(x, n.ExtremeOutcome))
        other = next((x for x in rest if isinstance(x, tuple)), (None, None))
        return n.Extreme(head, outcomes, other[0], other[1], span=self._span(meta))

    def extreme_worst(self, meta, c):
        return "worst"

    def extreme_best(self, meta, c):
        return "best"

    def extreme_first(self, meta, c):
        return "first"

    def extreme_outcome(self, meta, c):
        avalc, *rest = c
        aval = rest[0][1] if len(rest) == 2 else None
        every, event, cond = rest[-1]
        return n.ExtremeOutcome(avalc, aval, every, event, cond, span=self._span(meta))

    def extreme_aval(self, meta, c):
        return ("aval", c[0])

    def extreme_any(self, meta, c):
        return (False, self._ident(c[0]), c[1] if len(c) > 1 else None)

    def extreme_every(self, meta, c):
        return (True, self._ident(c[0]), c[1])

    def extreme_otherwise(self, meta, c):
        return (c[0], c[1][1] if len(c) > 1 else None)

    def extreme_pick_first(self, meta, c):
        return n.ExtremePick("first", self._ident(c[0]) if c else None, span=self._span(meta))

    def extreme_pick_last(self, meta, c):
        return n.ExtremePick("last", self._ident(c[0]) if c else None, span=self._span(meta))
