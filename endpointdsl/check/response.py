"""Response: the clauses of response and incidence endpoints (semantics section 6).

An endpoint is a response or incidence endpoint when it says `best response of E`,
`response of E from ... through ...` or `occurrence of E from ... through ...`.
Every convention such an endpoint depends on must be written: the SD minimum when SD
can decide the result, the day numbering of a window, what a landmark without an
evaluable assessment counts as.
"""

from __future__ import annotations

import re

from ..language import nodes as n
from . import model as m
from .confirm import root_event
from .criteria import resolve
from .extreme import check_extreme
from .operands import Operands

KINDS = {n.BestResponse: "best", n.Landmark: "landmark", n.Occurrence: "occurrence"}
KINDS[n.Extreme] = "extreme"  # extreme (issue 19, part 2): `worst of|best of|first of`
# Time-to-event clauses, and what to write instead in a response endpoint.
TTE_ONLY = {
    n.Terminating: ("to", "a response endpoint has no terminating events"),
    n.CensorSingle: ("censor at", "a response endpoint is not censored"),
    n.CensorLatest: ("censor at", "a response endpoint is not censored"),
    n.Missed: ("censor events after", "a response endpoint is not censored"),
    n.TimeUnit: ("time in", "a response endpoint has no time value"),
    n.BeforeOrigin: ("before origin", "assessments before the origin are never used"),
    n.Ascertainment: ("ascertainment", "a response endpoint is not censored"),
    n.NoCensoring: ("no censoring date", "a response endpoint is not censored"),
}
RESPONSE_CLAUSES = (
    n.SdMinimum, n.Confirm, n.Responder, n.NotEvaluable, n.Evaluable, n.NoOrigin,
    n.ProgressionCutoff, n.NoVisits,  # bor (issue 19)
)  # fmt: skip
CLAUSE_WORDS = {
    n.SdMinimum: "sd at least",
    n.Confirm: "confirm",
    n.Responder: "responder if",
    n.NotEvaluable: "not evaluable",
    n.Evaluable: "evaluable if",
    n.NoOrigin: "no origin",
    n.ProgressionCutoff: "progressive disease cutoff",  # bor (issue 19)
    n.NoVisits: "no visits",
}
# Which kinds accept each clause.
ALLOWED = {
    n.SdMinimum: ("best",),
    n.Confirm: ("best",),
    n.Responder: ("best", "landmark"),
    n.NotEvaluable: ("landmark",),
    n.Evaluable: ("occurrence",),
    n.NoOrigin: ("best",),
    n.ProgressionCutoff: ("best", "landmark"),  # bor (issue 19)
    n.NoVisits: ("best",),
}


def is_response(ep: n.Endpoint) -> bool:
    return any(type(c) in KINDS for c in ep.clauses)


class ResponseChecker:
    def __init__(self, operands: Operands, origin_day_stated: bool, origin_day: int):
        self.operands = operands
        self.ep = operands.ep
        self.stated = origin_day_stated
        self.origin_day = origin_day

    def error(self, code, message, span, hint=None):
        self.operands.error(code, message, span, hint)

    def check(self) -> m.ResponseSpec | None:
        heads = [c for c in self.ep.clauses if type(c) in KINDS]
        for extra in heads[1:]:
            self.error(
                "E180", "an endpoint derives one result", extra.span,
                f"the endpoint already says what it derives at line {heads[0].span.line}; "
                "write another endpoint for this",
            )  # fmt: skip
        head = heads[0]
        kind = KINDS[type(head)]
        for clause in self.ep.clauses:
            if isinstance(clause, n.BeforeOrigin) and kind == "best":  # bor (issue 19): ignore | count
                if clause.rule == "move to origin":
                    self.error("E181", "`before origin: move to origin` does not apply here: a best response "
                               "uses an assessment at its own date", clause.span,
                               "write `before origin: count` (admiralonco's rule) or `before origin: ignore`")  # fmt: skip
                continue
            if type(clause) in TTE_ONLY:
                word, why = TTE_ONLY[type(clause)]
                self.error("E181", f"`{word}` does not apply here: {why}", clause.span,
                           "leave it out, or write a time-to-event endpoint")  # fmt: skip
        clauses: dict[type, n.Clause] = {}
        for clause in self.ep.clauses:
            if type(clause) not in RESPONSE_CLAUSES:
                continue
            word = CLAUSE_WORDS[type(clause)]
            if type(clause) in clauses:
                self.error("E110", f"`{word}` is given twice", clause.span, "keep one")
            elif kind not in ALLOWED[type(clause)]:
                self.error(
                    "E183", f"`{word}` does not apply to a `{_head_words(kind)}` endpoint", clause.span,
                    _ALLOWED_HINT[type(clause)],
                )  # fmt: skip
            clauses.setdefault(type(clause), clause)
        if kind == "extreme":  # extreme (issue 19, part 2)
            return check_extreme(self, head, clauses)
        event = head.event
        known = self.operands.known_event(event)
        root = root_event(self.operands.scope, event.text) if known else None
        if known and kind != "occurrence" and (root is None or root.response is None):
            self.error(
                "E182", f"'{event.text}' has no response column", event.span,
                f"add it to the event: `event {event.text} = ... response AVALC`",
            )  # fmt: skip
        criteria = self._criteria(kind)
        responder = self._responder(clauses.get(n.Responder), kind, criteria)
        confirm = self._confirm(clauses.get(n.Confirm))
        sd_min = self._sd_minimum(clauses.get(n.SdMinimum))
        responses = criteria.of_role("response") if criteria else ("CR", "PR")
        controls = criteria.of_role("control") if criteria else ("SD",)
        if kind == "best" and sd_min is None and n.SdMinimum not in clauses and controls:
            # It decides the result unless only CR and PR count: the flag follows the best
            # response, and whether SD counts as SD or as NE changes it only below PR.
            needed = responder is None or not set(responder) <= set(responses)
            if needed:
                # a criteria set names its own disease-control categories (iSD, MR, NMR, ...)
                hint = (
                    "RECIST 1.1 4.6.1: SD needs"
                    if criteria is None
                    else f"{criteria.title}'s disease control ({', '.join(controls)}) needs"
                )
                self.error(
                    "E184", "say when stable disease counts", head.span,
                    f"{hint} a minimum time after the origin, e.g. `sd at least 42 days after origin`",
                )  # fmt: skip
        start = stop = None
        nearest = None
        if kind != "best":
            start, stop = self._bound(head.start), self._bound(head.stop)
            if start and stop and start.day is not None and stop.day is not None and start.day > stop.day:
                self.error("E189", f"the window ends (day {stop.day}) before it starts (day {start.day})",
                           head.stop.span)  # fmt: skip
        if kind == "landmark":
            if head.nearest is not None:
                nearest = self._day_number(head.nearest)
            if responder is None:
                self.error(
                    "E186", "a landmark response is a responder flag", head.span,
                    'add `responder if response in ("CR", "PR")`',
                )  # fmt: skip
        not_evaluable = None
        if kind == "landmark":
            clause = clauses.get(n.NotEvaluable)
            if clause is None:
                self.error(
                    "E187", "say what a subject without an evaluable assessment in the window counts as",
                    head.span, 'add `not evaluable: "N"` (a non-responder) or `not evaluable: excluded`',
                )  # fmt: skip
            elif clause.value is not None:
                not_evaluable = self._text(clause.value, "not evaluable")
        evaluable_by = None
        clause = clauses.get(n.Evaluable)
        if clause is not None and kind == "occurrence":
            spec = self.operands.date_ref(
                n.NameOperand(clause.event, span=clause.event.span), allow_literal=False
            )
            evaluable_by = spec.event
        options = self._bor_options(clauses, kind, event, responder, criteria)  # bor (issue 19)
        return m.ResponseSpec(
            kind, event.text, sd_min, confirm, responder, start, stop, nearest,
            not_evaluable, evaluable_by, n.NoOrigin in clauses and kind == "best", criteria, **options,
        )  # fmt: skip

    # ---- bor (issue 19, part 1): admiralonco's best-response options, E320-E323
    def _bor_options(self, clauses, kind, event, responder, criteria) -> dict:
        out: dict = {}
        before = next((c for c in self.ep.clauses if isinstance(c, n.BeforeOrigin)), None)
        if before is not None and kind == "best":
            out["before_origin"] = before.rule
        none = clauses.get(n.NoVisits)
        if none is not None and kind == "best":
            if none.value == "not evaluable" and responder is not None:
                self.error(
                    "E321", "a responder flag has no not-evaluable value", none.span,
                    "a subject without visits is N; leave `no visits` out",
                )  # fmt: skip
            out["missing_as_ne"] = none.value == "not evaluable"
        cut = clauses.get(n.ProgressionCutoff)
        if cut is None or kind == "occurrence":
            return out
        out["progression"] = cut.rule
        if cut.rule == "event":
            if cut.event.text == event.text:
                self.error(
                    "E320", f"'{cut.event.text}' is the assessments themselves", cut.event.span,
                    "name the progression event: `event pd = adrs.ADT where PARAMCD = \"PD\"`, then "
                    "`progressive disease cutoff: at pd`; or write `progressive disease cutoff: first`",
                )  # fmt: skip
            elif cut.event.text == self._origin_event():
                # review19: it was accepted, and cut every assessment after the origin's day
                self.error(
                    "E330", f"'{cut.event.text}' is the origin: no assessment after its day would be used",
                    cut.event.span,
                    "name the progression event: `event pd = adrs.ADT where PARAMCD = \"PD\"`, then "
                    "`progressive disease cutoff: at pd`; or write `progressive disease cutoff: first`",
                )  # fmt: skip
            elif self.operands.known_event(cut.event):
                out["progression_event"] = cut.event.text
            else:
                out["progression"] = None
        elif cut.rule == "first" and criteria is not None and not criteria.of_role("progression"):
            self.error(
                "E322", f"criteria {criteria.name} has no progressive disease category", cut.span,
                "give a category the role `progressive disease`, or write `progressive disease cutoff: none`",
            )  # fmt: skip
        return out

    def _origin_event(self) -> str | None:
        """The event named by `from E` (None: the origin is not one event by name)."""
        origin = next((c for c in self.ep.clauses if isinstance(c, n.Origin)), None)
        if origin is not None and isinstance(origin.date, n.NameOperand):
            return origin.date.ident.text
        return None

    # ---- clauses
    # ---- criteria (issue 13): the set the endpoint names
    def _criteria(self, kind: str) -> m.CriteriaSet | None:
        uses = [c for c in self.ep.clauses if isinstance(c, n.CriteriaUse)]
        for extra in uses[1:]:
            self.error("E110", "`criteria` is given twice", extra.span, "keep one")
        if not uses:
            return None
        if kind == "occurrence":
            self.error("E258", "`criteria` does not apply to an `occurrence of` endpoint", uses[0].span,
                       "an incidence reads no responses; leave it out")  # fmt: skip
            return None
        return resolve(uses[0], self.operands.scope.criteria, self.error)

    def _responder(
        self, clause: n.Responder | None, kind: str, criteria: m.CriteriaSet | None
    ) -> tuple[str, ...] | None:
        if clause is None or kind == "occurrence":
            return None
        values = []
        names = criteria.names if criteria else m.RESPONSES
        title = f"a category of criteria {criteria.name}" if criteria else "a RECIST 1.1 response"
        for operand in clause.values:
            text = self._text(operand, "a response category")
            if text is None:
                continue
            if text not in names:
                self.error(
                    "E185", f'"{text}" is not {title}', operand.span,
                    "the responses are " + ", ".join(f'"{r}"' for r in names),
                )  # fmt: skip
            elif text in values:
                self.error("E185", f'"{text}" is listed twice', operand.span)
            else:
                values.append(text)
        return tuple(values)

    def _confirm(self, clause: n.Confirm | None) -> m.Confirmation | None:
        if clause is None:
            return None
        days = self.operands.days(clause.amount, clause.unit, "the confirmation interval")
        max_ne = self._count(clause.max_ne, "the number of NE assessments between", 1)
        max_sd = self._count(clause.max_sd, "the number of SD assessments between", 0)
        return m.Confirmation(days if days is not None else 0.0, max_ne, max_sd)

    def _sd_minimum(self, clause: n.SdMinimum | None) -> float | None:
        if clause is None:
            return None
        return self.operands.days(clause.amount, clause.unit, "the SD minimum")

    def _count(self, o: n.Operand | None, what: str, default: int) -> int:
        if o is None:
            return default
        if isinstance(o, n.NumberOperand) and re.fullmatch(r"\+?[0-9]{1,3}", o.lexeme):
            return int(o.lexeme)
        self.error("E166", f"{what} must be a whole number (0 or more)", o.span)
        return default

    def _text(self, o: n.Operand, what: str) -> str | None:
        if isinstance(o, n.TextOperand) and o.value.strip() and len(o.value) <= 200:
            return o.value
        self.error("E132", f"{what} needs a non-empty text", o.span, 'write it in double quotes: "N"')
        return None

    # ---- windows
    def _bound(self, b: n.WindowBound) -> m.WindowBound | None:
        if b.date is not None:  # reldates: a relative date
            spec = self.operands.date_ref(b.date, allow_literal=False)
            return m.WindowBound(event=spec.event, shown=spec.shown)
        if b.event is not None:
            spec = self.operands.date_ref(n.NameOperand(b.event, span=b.event.span), allow_literal=False)
            return m.WindowBound(event=spec.event)
        if not self.stated:
            self.stated = True  # said once per endpoint
            self.error(
                "E188", "say how the days of the window are numbered", b.span,
                "add `origin is day 0` (the origin is Day 0, as in cell-therapy protocols) or "
                "`origin is day 1` (CDISC study days)",
            )  # fmt: skip
            return m.WindowBound(day=self._day_number(b.day))
        day = self._day_number(b.day)
        if day is None:
            return None
        if day == 0 and self.origin_day == 1:
            self.error("E189", "there is no day 0 when the origin is day 1", b.day.span,
                       "CDISC study days go from day -1 to day 1")  # fmt: skip
        return m.WindowBound(day=day)

    def _day_number(self, o: n.Operand) -> int | None:
        if isinstance(o, n.NumberOperand) and re.fullmatch(r"[+-]?[0-9]{1,5}", o.lexeme):
            return int(o.lexeme)
        self.error("E189", "a day is a whole number", o.span, "e.g. `day 28` or `day -7`")
        return None


def cutoff_bound(ep: n.Endpoint, event: str) -> m.Bound:
    """bor (issue 19): `progression cutoff: at E` ends the assessments at E's first date, that date
    included: the end of observation of `stop at E inclusive` (admiralonco's filter_pd)."""
    clause = next(c for c in ep.clauses if isinstance(c, n.ProgressionCutoff))
    return m.Bound("stop", True, None, f"End of observation at {event}", event=event, span=clause.span)


def _head_words(kind: str) -> str:
    words = {"best": "best response of", "landmark": "response of", "occurrence": "occurrence of"}
    return words.get(kind, "worst of")  # extreme (issue 19, part 2)


_ALLOWED_HINT = {
    n.SdMinimum: "the SD minimum belongs to `best response of` endpoints",
    n.Confirm: "confirmation belongs to `best response of` endpoints",
    n.Responder: "an `occurrence of` endpoint is already a Y/N flag",
    n.NotEvaluable: "it says what a landmark without an evaluable assessment counts as",
    n.Evaluable: "it defines the denominator of an `occurrence of` endpoint",
    n.NoOrigin: "a window needs an origin; leave the subject excluded",
    n.ProgressionCutoff: "an `occurrence of` endpoint reads no responses",  # bor (issue 19)
    n.NoVisits: "a landmark says it with `not evaluable:`; an incidence without occurrence is N",
}
