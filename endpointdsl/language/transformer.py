"""Transformer: lark tree to the attrs AST of `nodes`, with a span on every node.

A thin mapping: no lookups, no evaluation. The grammar guarantees the shapes.
"""

from __future__ import annotations

import lark
from lark import Token, Transformer, v_args

from . import nodes as n
from .diagnostics import Span
from .parser import parse_tree


def unescape(literal: str) -> str:
    """The value of a STRING token: strip the quotes, undo \\" and \\\\ only."""
    body = literal[1:-1]
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append(body[i + 1])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def escape(value: str) -> str:
    """Inverse of `unescape`, used by the printer."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@v_args(meta=True)
class ToAst(Transformer):
    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def _span(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok_span(self, tok: Token) -> Span:
        return Span(
            self.file,
            tok.line,
            tok.column,
            tok.end_line or tok.line,
            tok.end_column or tok.column + len(tok),
        )

    def _ident(self, tok: Token) -> n.Ident:
        return n.Ident(str(tok), span=self._tok_span(tok))

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

    # ---- response and incidence endpoints
    def day_bound(self, meta, c):
        return n.WindowBound(day=c[0], span=self._span(meta))

    def event_bound(self, meta, c):
        return n.WindowBound(event=self._ident(c[0]), span=self._span(meta))

    def date_bound(self, meta, c):
        return n.WindowBound(date=c[0], span=self._span(meta))

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

    # ---- groups (issue 13, item 3)
    def group_by(self, meta, c):
        names = [self._ident(x) for x in c]
        return n.GroupBy(tuple(names[:-1]), names[-1], span=self._span(meta))

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

    # ---- value endpoints (issue 14)
    def series_def(self, meta, c):
        names = [self._ident(x) for x in c[:5]]
        return n.SeriesDef(*names, tuple(c[5:]), span=self._span(meta))

    def series_where(self, meta, c):
        return n.SeriesOption("where", c[0], span=self._span(meta))

    def series_sequence(self, meta, c):
        return n.SeriesOption("sequence", self._ident(c[0]), span=self._span(meta))

    def series_label(self, meta, c):
        return n.SeriesOption("label", unescape(str(c[0])), span=self._span(meta))

    def unit_column(self, meta, c):
        return n.SeriesOption("unit column", self._ident(c[0]), span=self._span(meta))

    def unit_text(self, meta, c):
        return n.SeriesOption("unit text", unescape(str(c[0])), span=self._span(meta))

    def lloq(self, meta, c):
        return n.SeriesOption("lloq", c[0], span=self._span(meta))

    def below_lloq(self, meta, c):
        after = c[2] if len(c) > 2 else None
        rule = n.BlqRule(c[0], c[1], after, span=self._span(meta))
        return n.SeriesOption("below lloq", rule, span=self._span(meta))

    def duplicates_refuse(self, meta, c):
        return n.SeriesOption("duplicate times", "refuse", span=self._span(meta))

    def duplicates_mean(self, meta, c):
        return n.SeriesOption("duplicate times", "mean", span=self._span(meta))

    def negative_at_zero(self, meta, c):
        return n.SeriesOption("negative times", None, span=self._span(meta))

    def series_origin(self, meta, c):
        return n.SeriesOption("from", self._ident(c[0]), span=self._span(meta))

    def series_origin_day(self, meta, c):
        return n.SeriesOption("origin is day", c[0], span=self._span(meta))

    def blq_zero(self, meta, c):
        return "zero"

    def blq_half(self, meta, c):
        return "half lloq"

    def blq_missing(self, meta, c):
        return "missing"

    def blq_after(self, meta, c):
        return c[0]

    def stat_max(self, meta, c):
        return "max"

    def stat_min(self, meta, c):
        return "min"

    def stat_last(self, meta, c):
        return "last"

    def stat_tmax(self, meta, c):
        return "time of max"

    def stat_tmin(self, meta, c):
        return "time of min"

    def stat_tlast(self, meta, c):
        return "time of last"

    def stat_auc(self, meta, c):
        return "auc"

    def stat_auc_last(self, meta, c):
        return "auc to last"

    def stat_change(self, meta, c):
        return "change from min"

    def auc_linear(self, meta, c):
        return ("rule", "linear")

    def auc_log_down(self, meta, c):
        return ("rule", "linear up log down")

    def value_over(self, meta, c):
        return n.ValueOver(c[0], c[1], self._ident(c[2]), span=self._span(meta))

    def value_clause(self, meta, c):
        over = next((x for x in c[2:] if isinstance(x, n.ValueOver)), None)
        rule = next((x[1] for x in c[2:] if isinstance(x, tuple)), None)
        return n.ValueClause(c[0], self._ident(c[1]), over, rule, span=self._span(meta))

    def _value_at(self, stat, meta, c):
        over = c[5] if len(c) > 5 else None
        return n.ValueClause(
            stat, self._ident(c[0]), over, None, c[1], self._ident(c[2]), c[3], self._ident(c[4]),
            span=self._span(meta),
        )  # fmt: skip

    def value_at(self, meta, c):
        return self._value_at("at", meta, c)

    def value_detectable(self, meta, c):
        return self._value_at("detectable", meta, c)

    def start(self, meta, c):
        return tuple(c)


def to_ast(tree: lark.Tree, file: str) -> n.Program:
    try:
        items = ToAst(file).transform(tree)
    except lark.exceptions.VisitError as exc:  # a transformer bug, never user input
        raise exc.orig_exc from None
    return n.Program(items, file=file)


def parse(text: str, file: str = "<string>") -> n.Program:
    """Text to AST; raises EptError on a syntax error."""
    return to_ast(parse_tree(text, file), file)
