"""Transformer: an endpoint and its clauses: dates and outcomes, origin, events (competing ones,
issue 13), censoring rules, observation bounds, population, unit, variants (`like`,
`without`), groups (issue 13) and the ADaM options (`keep`, `dataset`, `paramn`).
"""

from __future__ import annotations

from lark import Token, v_args

from . import nodes as n
from .transform_base import BaseToAst, unescape


@v_args(meta=True)
class EndpointsToAst(BaseToAst):
    """An endpoint, its time-to-event clauses, groups and the ADaM options."""

    # ---- dates and outcomes
    def first_occurrence(self, meta, c):
        return n.FirstOccurrence(self._ident(c[0]), span=self._span(meta))

    def last_occurrence(self, meta, c):
        return n.LastOccurrence(self._ident(c[0]), span=self._span(meta))

    def origin_date(self, meta, c):
        return n.OriginDate(span=self._span(meta))

    def date_ref(self, meta, c):
        return c[0]

    def cnsr(self, meta, c):
        return n.OutcomeItem("cnsr", c[0], span=self._span(meta))

    def evntdesc(self, meta, c):
        return n.OutcomeItem("evntdesc", c[0], span=self._span(meta))

    def cnsdtdsc(self, meta, c):
        return n.OutcomeItem("cnsdtdsc", c[0], span=self._span(meta))

    def inclusive(self, meta, c):
        return n.Inclusivity(True, span=self._span(meta))

    def exclusive(self, meta, c):
        return n.Inclusivity(False, span=self._span(meta))

    # ---- endpoint clauses
    def origin(self, meta, c):
        return n.Origin(c[0], span=self._span(meta))

    def event_ref(self, meta, c):
        return n.EventRef(self._ident(c[0]), tuple(c[1:]), span=self._span(meta))

    def terminating(self, meta, c):
        competing = next((x for x in c if isinstance(x, tuple)), ())
        events = tuple(x for x in c if not isinstance(x, tuple))
        return n.Terminating(events, span=self._span(meta), competing=competing)

    # ---- competing events (issue 13, item 2)
    def competing(self, meta, c):
        return tuple(c)

    def same_day_event(self, meta, c):
        return n.SameDay("event", span=self._span(meta))

    def same_day_competing(self, meta, c):
        return n.SameDay("competing", span=self._span(meta))

    def censor_single(self, meta, c):
        conditions = next((x for x in c[1:] if isinstance(x, tuple)), ())
        items = tuple(x for x in c[1:] if not isinstance(x, tuple))
        return n.CensorSingle(c[0], items, conditions, span=self._span(meta))

    def rule_conditions(self, meta, c):
        return tuple(c)

    def has_event(self, meta, c):
        return n.RuleCondition("has", self._ident(c[0]), span=self._span(meta))

    def no_event(self, meta, c):
        return n.RuleCondition("no", self._ident(c[0]), span=self._span(meta))

    def stopped_by(self, meta, c):
        return n.RuleCondition("stopped", self._ident(c[0]), span=self._span(meta))

    def alternative(self, meta, c):
        return n.Alternative(c[0], tuple(c[1:]), span=self._span(meta))

    def censor_latest(self, meta, c):
        return n.CensorLatest(tuple(c), span=self._span(meta))

    def calendar(self, meta, c):
        return "calendar"

    def horizon(self, meta, c):
        amount, rest = c[0], list(c[1:])
        calendar = bool(rest) and rest[0] == "calendar"
        if calendar:
            rest.pop(0)
        unit = None
        if rest and isinstance(rest[0], Token):
            unit = self._ident(rest.pop(0))
        return n.Horizon(amount, calendar, unit, tuple(rest), span=self._span(meta))

    def cutoff(self, meta, c):
        return n.Cutoff(c[0], tuple(c[1:]), span=self._span(meta))

    def stop(self, meta, c):
        return n.Stop(self._ident(c[0]), tuple(c[1:]), span=self._span(meta))

    def stop_date(self, meta, c):  # reldates
        return n.Stop(n.Ident("", span=c[0].span), tuple(c[1:]), span=self._span(meta), date=c[0])

    def among_named(self, meta, c):
        return n.AmongNamed(self._ident(c[0]), span=self._span(meta))

    def among_inline(self, meta, c):
        return n.AmongInline(c[0], span=self._span(meta))

    def day_count(self, meta, c):
        return n.DayCount(c[0], span=self._span(meta))

    def time_unit(self, meta, c):
        return n.TimeUnit(self._ident(c[0]), span=self._span(meta))

    def ignore_before_origin(self, meta, c):
        return n.BeforeOrigin("ignore", span=self._span(meta))

    def move_to_origin(self, meta, c):
        return n.BeforeOrigin("move to origin", span=self._span(meta))

    def no_censoring(self, meta, c):
        return n.NoCensoring(span=self._span(meta))

    def ascertainment_continuous(self, meta, c):
        return n.Ascertainment("continuous", span=self._span(meta))

    def ascertainment_at_visits(self, meta, c):
        return n.Ascertainment("at visits", span=self._span(meta))

    # ---- groups (issue 13, item 3)
    def group_by(self, meta, c):
        names = [self._ident(x) for x in c]
        return n.GroupBy(tuple(names[:-1]), names[-1], span=self._span(meta))

    def variant_of(self, meta, c):
        return ("like", self._ident(c[0]))

    def without_horizon(self, meta, c):
        return n.Without("horizon", span=self._span(meta))

    def without_cutoff(self, meta, c):
        return n.Without("cutoff", span=self._span(meta))

    def without_stop(self, meta, c):
        return n.Without("stop", self._ident(c[0]), span=self._span(meta))

    def without_missed(self, meta, c):
        return n.Without("missed", span=self._span(meta))

    def endpoint(self, meta, c):
        rest = list(c[2:])
        base = rest.pop(0)[1] if rest and isinstance(rest[0], tuple) else None
        return n.Endpoint(self._ident(c[0]), unescape(str(c[1])), tuple(rest), base, span=self._span(meta))

    # ---- adam: ADaM-complete output
    def keep_item(self, meta, c):
        rename = self._ident(c[1]) if len(c) > 1 else None
        return n.KeepItem(self._ident(c[0]), rename, span=self._span(meta))

    def keep_def(self, meta, c):
        return n.KeepDef(tuple(c[:-1]), self._ident(c[-1]), span=self._span(meta))

    def dataset_def(self, meta, c):
        label = c[1][1] if len(c) > 1 else None
        return n.DatasetDef(self._ident(c[0]), label, span=self._span(meta))

    def paramn(self, meta, c):
        return n.Paramn(c[0], span=self._span(meta))
