"""Endpoint: one endpoint block to an `EndpointSpec`.

Defaults filled here are the documented ones (docs/language.md): origin is day 1,
time in days, occurrences before the origin ignored, horizon and cut-off inclusive.
"""

from __future__ import annotations

import math
import re

from ..language import nodes as n
from . import model as m
from .clock import check_timed
from .competing import check_codes, same_day_rule, with_competing
from .extreme import stray_pick
from .groups import group_spec
from .missed import missed_rule
from .operands import Operands, operand_kind
from .response import RESPONSE_CLAUSES, ResponseChecker, cutoff_bound, is_response
from .value import check_value_endpoint, is_value

MAX_HORIZON_DAYS = 1000 * 365.25  # keeps every end of observation a real date
PARAMCD_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,7}$")

SINGLE_CLAUSES = {
    n.Origin: "from",
    n.Terminating: "to",
    n.Horizon: "horizon",
    n.Cutoff: "cutoff",
    n.DayCount: "origin is day",
    n.TimeUnit: "time in",
    n.BeforeOrigin: "before origin",
    n.AmongNamed: "among",
    n.AmongInline: "among",
    n.Missed: "censor events after",
    n.Ascertainment: "ascertainment",
    n.NoCensoring: "no censoring date",
    n.SameDay: "same day",
    n.GroupBy: "for each",
}


class EndpointChecker(Operands):
    """One endpoint block to an `EndpointSpec` (the file's declarations in `scope`)."""

    def check(self) -> m.EndpointSpec:
        ep = self.ep
        code = ep.paramcd.text
        if not PARAMCD_RE.match(code):
            self.error(
                "E107", f"'{code}' is not a valid PARAMCD", ep.paramcd.span,
                "PARAMCD is 1 to 8 characters: an upper-case letter, then upper-case "
                "letters, digits or underscores",
            )  # fmt: skip
        if not ep.param.strip() or len(ep.param) > 200:
            self.error(
                "E108", "PARAM must be a non-empty text of at most 200 characters",
                ep.paramcd.span, "write the label after the code: endpoint PFS \"Progression-Free Survival\"",
            )  # fmt: skip
        seen: dict[str, n.Clause] = {}
        for clause in ep.clauses:
            key = SINGLE_CLAUSES.get(type(clause))
            if key is None:
                continue
            if key in seen:
                self.error(
                    "E110", f"`{key}` is given twice in endpoint {code}", clause.span,
                    f"the first is at line {seen[key].span.line}; keep one",
                )  # fmt: skip
            seen.setdefault(key, clause)
        if is_value(ep):  # value endpoints (issue 14): a number from a series
            return check_value_endpoint(self, ep, self.scope.series)
        origin = self._origin(seen.get("from"))
        self.origin = origin  # `censor at origin` describes itself by the origin event's label
        origin_day = self._origin_day(seen.get("origin is day"))
        response = None
        if is_response(ep):  # section 6: no events, no censoring
            response = ResponseChecker(self, "origin is day" in seen, origin_day).check()
            events, rules, missed = (), (), None
        else:
            for clause in ep.clauses:
                if isinstance(clause, n.CriteriaUse):  # criteria (issue 13)
                    self.error("E258", "`criteria` applies to response endpoints", clause.span,
                               "a time-to-event endpoint reads dated events; name the criteria in "
                               "the response endpoint whose rows it reads")  # fmt: skip
                if isinstance(clause, RESPONSE_CLAUSES):
                    self.error(
                        "E183", "this clause belongs to response and incidence endpoints", clause.span,
                        "say what the endpoint derives: `best response of E`, "
                        "`response of E from ... through ...` or `occurrence of E from ... through ...`",
                    )  # fmt: skip
            events = self._events(seen.get("to"))
            events = with_competing(self, seen.get("to"), seen.get("same day"), events)
            rules = self._censoring(self._event_only(events, seen))
            missed = missed_rule(self, seen.get("censor events after"))
        bounds = self._bounds()
        if response is not None and response.progression_event is not None:  # bor (issue 19)
            bounds = (*bounds, cutoff_bound(ep, response.progression_event))
        if response is None:  # competing events (issue 13): their CNSR is no censoring code
            check_codes(self, events, rules, bounds, missed)
        elif "same day" in seen:
            with_competing(self, None, seen["same day"], ())
        ascertainment = None if response else self._ascertainment(seen.get("ascertainment"), rules, bounds)
        before = seen.get("before origin")
        if (
            response is None and isinstance(before, n.BeforeOrigin) and before.rule == "count"
        ):  # bor (issue 19)
            self.error(
                "E323", "`before origin: count` applies to a best response", before.span,
                "a time-to-event endpoint ignores an event before the origin (`before origin: ignore`) "
                "or moves it there (`before origin: move to origin`)",
            )  # fmt: skip
        clamp = isinstance(before, n.BeforeOrigin) and before.rule == "move to origin"
        said = seen.get("no censoring date")
        if response is None and rules:
            self._no_catch_all(events, rules, bool(bounds), ascertainment, clamp, said)
        population = self._population(seen.get("among"))
        unit = self._unit(seen.get("time in"))
        if unit in m.TIME_UNIT_SECONDS and response is None:
            check_timed(self, seen, events, rules, unit)
        group = group_spec(self, seen.get("for each"), events, response)  # groups (issue 13)
        stray_pick(self, ep, response)  # extreme (issue 19, part 2): `first by date` elsewhere
        lines = {key: c.span.line for key, c in seen.items() if c.span is not None}
        lines.update({type(c).__name__: c.span.line for c in ep.clauses if c.span is not None})
        return m.EndpointSpec(
            code, ep.param, origin, events, rules, bounds, population, origin_day, unit,
            clamp, missed, response, ascertainment, said is not None and response is None, span=ep.span,
            lines=lines, same_day=same_day_rule(seen.get("to"), seen.get("same day")), group=group,
        )  # fmt: skip

    def _no_catch_all(self, events, rules, bounded: bool, ascertainment, clamp: bool, said) -> None:
        """W102: without a rule that always gives a date (an unconditional `censor at
        origin`, or a `latest of` with the origin), some subjects get no record; unless the
        endpoint says so (`no censoring date: excluded`), which is E153 where it cannot happen."""
        origin = [ch for r in rules if not r.conditions for ch in r.choices if self._is_origin(ch.date)]
        if said is not None and origin:
            self.error(
                "E153", "`no censoring date: excluded` can never apply here", said.span,
                "a rule always gives a date (`censor at origin`), so every subject has a record; remove it",
            )  # fmt: skip
            return
        if origin or not events or said is not None:
            return
        end = " up to the end of observation" if bounded else ""
        names = [t.event for t in events]
        parts = [f"no {', '.join(names[:-1])}{' or ' if len(names) > 1 else ''}{names[-1]}{end}"]
        when = ("" if clamp else " on or after the origin") + (end if ascertainment == "at visits" else "")
        for rule in rules:
            dated = [ch.date for ch in rule.choices if not self._is_origin(ch.date)]
            what = " and ".join(
                f"no {d.shown or d.event}{' date' if d.kind == 'single' else ''}{when}" for d in dated
            )
            words = {"has": "", "no": "no ", "stopped": "stopped by "}
            conds = " and ".join(words[c.kind] + c.event for c in rule.conditions)
            if conds:
                what = f"{what} (or not `if {conds}`)" if what else f"not `if {conds}`"
            parts.append(what)
        self.scope.warning(
            "W102", f"endpoint {self.ep.paramcd.text} gives no record to a subject with "
            + " and ".join(dict.fromkeys(parts)), self.ep.paramcd.span,
            "add `censor at origin cnsr N` as the last rule to keep every subject, or say "
            "`no censoring date: excluded` if such subjects are to be excluded (listed in the report)",
        )  # fmt: skip

    def _is_origin(self, date: m.DateSpec) -> bool:
        """`origin`, or the origin's own date (`censor at randomisation` from randomisation)."""
        return date.kind == "origin" or date == self.origin

    def _ascertainment(self, clause, rules, bounds) -> str | None:
        """E152: with an end of observation, a censoring date may lie after it; what that
        means depends on how events are ascertained, which the endpoint must say."""
        dated = [ch.date for rule in rules for ch in rule.choices if not self._is_origin(ch.date)]
        if clause is not None:
            return clause.kind
        if bounds and dated:
            self.error(
                "E152", f"endpoint {self.ep.paramcd.text} must say how its events are ascertained: "
                f"its censoring date ({dated[0].describe()}) can lie after the end of observation",
                self.ep.paramcd.span,
                "`ascertainment: continuous` if events are recorded whenever they happen (death, last "
                "contact): a date after the end censors at the end\n        `ascertainment: at visits` if "
                "events are seen only at visits (tumour scans): only dates up to the end count",
            )  # fmt: skip
        return None

    # ---- origin and events
    def _origin(self, clause) -> m.DateSpec:
        if clause is None:
            self.error(
                "E110", f"endpoint {self.ep.paramcd.text} has no origin", self.ep.paramcd.span,
                "say where time starts, e.g. `from randomisation`",
            )  # fmt: skip
            return m.DateSpec("origin")
        if isinstance(clause.date, n.OriginDate):
            self.error(
                "E120", "the origin cannot be defined as itself", clause.span,
                "name an event, e.g. `from randomisation` or `from first response`",
            )  # fmt: skip
            return m.DateSpec("origin")
        if isinstance(clause.date, n.DateOperand):
            self.error(
                "E120", "the origin must be a date per subject, not one fixed date",
                clause.date.span, "name an event, e.g. `from randomisation`",
            )  # fmt: skip
            return m.DateSpec("origin")
        return self.date_ref(clause.date, allow_literal=False)

    def _events(self, clause) -> tuple[m.TermEvent, ...]:
        if clause is None:
            self.error(
                "E111", f"endpoint {self.ep.paramcd.text} has no terminating event",
                self.ep.paramcd.span, "list them, e.g. `to first of progression, death`",
            )  # fmt: skip
            return ()
        out, seen = [], set()
        for ref in clause.events:
            name = ref.event.text
            if name in seen:
                self.error(
                    "E151", f"event '{name}' is listed twice", ref.event.span,
                    "each terminating event is listed once; the first listed wins ties",
                )  # fmt: skip
            seen.add(name)
            self.known_event(ref.event)
            fields = self.outcome_fields(ref.items)
            for bad in ("cnsr", "cnsdtdsc"):
                if bad in fields:
                    self.error(
                        "E134", f"`{bad}` does not apply to an event", ref.span,
                        "events always have CNSR 0; only `evntdesc` can be set",
                    )  # fmt: skip
            text = fields.get("evntdesc")
            out.append(m.TermEvent(name, text if text is not None else self.label(name)))
        return tuple(out)

    # ---- outcomes and censoring
    def outcome_fields(self, items) -> dict:
        fields: dict = {}
        for item in items:
            if not isinstance(item, n.OutcomeItem):
                continue
            if item.field in fields:
                self.error("E133", f"`{item.field}` is given twice", item.span)
                continue
            value = item.value
            if item.field == "cnsr":
                code = self._cnsr(value)
                if code is not None:
                    fields["cnsr"] = code
            elif isinstance(value, n.TextOperand):
                fields[item.field] = value.value
            else:
                self.error(
                    "E132", f"`{item.field}` needs a text, not {operand_kind(value)}",
                    value.span, f'write it in double quotes: {item.field} "..."',
                )  # fmt: skip
        return fields

    def _cnsr(self, value: n.Operand) -> int | None:
        if not isinstance(value, n.NumberOperand) or not re.fullmatch(r"\+?[0-9]+", value.lexeme):
            shown = value.lexeme if isinstance(value, n.NumberOperand) else operand_kind(value)
            self.error(
                "E130", f"CNSR must be a positive whole number, not {shown}", value.span,
                "censoring codes are positive integers, e.g. `cnsr 1`",
            )  # fmt: skip
            return None
        if len(value.lexeme.lstrip("+0")) > 9:
            self.error(
                "E130", "CNSR code is too large", value.span, "censoring codes are small positive integers"
            )
            return None
        code = int(value.lexeme)
        if code == 0:
            self.error(
                "E130", "CNSR 0 is reserved for events", value.span,
                "give each censoring reason its own positive code",
            )  # fmt: skip
            return None
        return code

    def _outcome(self, items, span, date: m.DateSpec) -> m.Outcome:
        fields = self.outcome_fields(items)
        if "cnsr" not in fields and not any(
            isinstance(i, n.OutcomeItem) and i.field == "cnsr" for i in items
        ):
            self.error(
                "E131", "a censoring rule needs its CNSR code", span,
                'add it after the date, e.g. `cnsr 1 evntdesc "Last follow-up"`',
            )  # fmt: skip
        event = self.origin.event if date.kind == "origin" else date.event
        label = self.label(event) if event else None
        text = fields.get("evntdesc")
        return m.Outcome(fields.get("cnsr", 1), text if text is not None else label, fields.get("cnsdtdsc"))

    # ---- event-only endpoints (issue 12): no censoring rule when every subject has the event
    def _event_only(self, events, seen) -> str | None:
        """The event every subject of the population has, when the endpoint can do without a
        censoring rule: `among subjects with E` and `to ... E ...`, with no end of observation
        (`horizon`, `cutoff`, `stop at`) and no `censor events after ... missed` that could cut
        the event off. None otherwise."""
        among = seen.get("among")
        if among is None or seen.get("censor events after") is not None:
            return None
        if any(isinstance(c, (n.Horizon, n.Cutoff, n.Stop)) for c in self.ep.clauses):
            return None
        if isinstance(among, n.AmongInline):
            population = among.population
        else:
            pop = self.scope.populations.get(among.name.text)
            if pop is None:  # an unknown (or unparsed) population is its own error: no E112 besides
                return ""
            population = pop.population
        if not isinstance(population, n.WithEvent):
            return None
        name = population.event.text
        return name if any(t.event == name for t in events) else None

    def _censoring(self, event_only: str | None = None) -> tuple[m.CensorRule, ...]:
        rules: list[m.CensorRule] = []
        always: n.Clause | None = None
        for clause in self.ep.clauses:
            if isinstance(clause, n.CensorSingle):
                parts = [(clause.date, clause.items, clause.span)]
            elif isinstance(clause, n.CensorLatest):
                parts = [(a.date, a.items, a.span) for a in clause.alternatives]
            else:
                continue
            conditions = self._rule_conditions(getattr(clause, "conditions", ()))
            if always is not None:
                self.error(
                    "E150", "this censoring rule can never apply", clause.span,
                    f"the rule at line {always.span.line} always applies (it censors at the "
                    "origin); rules are tried in order, so put it last",
                )  # fmt: skip
            choices = []
            for date, items, span in parts:
                spec = self.date_ref(date, allow_literal=False)
                choices.append(m.CensorChoice(spec, self._outcome(items, span, spec)))
            rule = m.CensorRule(
                tuple(choices), isinstance(clause, n.CensorLatest), conditions, span=clause.span
            )
            if rule in rules:
                self.error("E150", "this censoring rule repeats an earlier one", clause.span)
            if any(ch.date.kind == "origin" for ch in choices) and not conditions and always is None:
                always = clause
            rules.append(rule)
        if not rules and event_only is None:
            self.error(
                "E112", f"endpoint {self.ep.paramcd.text} has no censoring rule",
                self.ep.paramcd.span,
                "subjects without an event need one, e.g. `censor at last_alive cnsr 1`; none is "
                "needed when every subject has the event (`among subjects with E` and `to E`, "
                "with no horizon, cutoff or stop)",
            )  # fmt: skip
        return tuple(rules)

    def _rule_conditions(self, conditions) -> tuple[m.RuleCondition, ...]:
        stops = {c.event.text for c in self.ep.clauses if isinstance(c, n.Stop)}
        out = []
        for cond in conditions:
            self.known_event(cond.event)
            if cond.kind == "stopped" and cond.event.text not in stops:
                self.error(
                    "E165", f"`stopped by {cond.event.text}` needs `stop at {cond.event.text}` in this endpoint",
                    cond.event.span, f"add `stop at {cond.event.text} exclusive` (or inclusive)",
                )  # fmt: skip
            out.append(m.RuleCondition(cond.kind, cond.event.text))
        return tuple(out)

    # ---- observation window
    def _bounds(self) -> tuple[m.Bound, ...]:
        bounds = []
        for clause in self.ep.clauses:
            if isinstance(clause, n.Horizon):
                bounds.append(self._horizon(clause))
            elif isinstance(clause, n.Cutoff):
                date = self.date_ref(clause.date, allow_literal=True)
                if isinstance(clause.date, n.OriginDate):
                    self.error(
                        "E120", "the cut-off cannot be the origin", clause.span,
                        "give a date (`cutoff 2024-06-30`) or a subject's date (`cutoff dco`)",
                    )  # fmt: skip
                    date = m.DateSpec("literal", value=None)
                inclusive, outcome = self._bound_options(clause, default=True)
                bounds.append(
                    m.Bound(
                        "cutoff",
                        inclusive,
                        outcome,
                        f"Data cut-off ({date.describe()})",
                        date=date,
                        span=clause.span,
                    )
                )
            elif isinstance(clause, n.Stop):
                event = clause.event.text
                if clause.date is not None:  # reldates: `stop at <relative date>`
                    spec = self.date_ref(clause.date, allow_literal=False)
                    event, shown = spec.event, spec.shown
                else:
                    self.known_event(clause.event)
                    shown = event
                inclusive, outcome = self._bound_options(clause, default=None)
                desc = f"End of observation at {shown}"
                bounds.append(m.Bound("stop", inclusive, outcome, desc, event=event, span=clause.span))
        return tuple(bounds)

    def _bound_options(self, clause, default: bool | None) -> tuple[bool, m.Outcome | None]:
        flags = [o for o in clause.options if isinstance(o, n.Inclusivity)]
        if len(flags) > 1:
            self.error("E144", "inclusive/exclusive is given twice", flags[1].span)
        if not flags and default is None:
            self.error(
                "E143", "say whether the stopping event's own day is observed", clause.span,
                f"write `stop at {clause.event.text} exclusive` (its day is not observed) "
                "or `inclusive`",
            )  # fmt: skip
        inclusive = flags[0].inclusive if flags else bool(default)
        items = [o for o in clause.options if isinstance(o, n.OutcomeItem)]
        if not items:
            return inclusive, None
        fields = self.outcome_fields(items)
        if "cnsr" not in fields:
            self.error("E131", "a censoring outcome needs its CNSR code", clause.span, "add `cnsr N`")
        return inclusive, m.Outcome(fields.get("cnsr", 1), fields.get("evntdesc"), fields.get("cnsdtdsc"))

    def _horizon(self, h: n.Horizon) -> m.Bound:
        amount = None
        if isinstance(h.amount, n.NumberOperand):
            amount = float(h.amount.lexeme)
            if not math.isfinite(amount) or amount <= 0:
                self.error("E140", "the horizon must be a positive duration", h.amount.span)
                amount = None
        else:
            self.error(
                "E140", f"the horizon needs a number, not {operand_kind(h.amount)}",
                h.amount.span, "e.g. `horizon 3 years` or `horizon 28 days`",
            )  # fmt: skip
        unit = self.unit_name(h.unit, h.span, what="the horizon")
        if h.calendar and amount is not None and not amount.is_integer():
            self.error(
                "E140", "a calendar horizon needs a whole number of units", h.amount.span,
                "drop `calendar` for a fixed-length horizon (month = 30.4375 days)",
            )  # fmt: skip
        if amount is not None and amount * m.UNIT_DAYS[unit] > MAX_HORIZON_DAYS:
            self.error(
                "E140", "the horizon is longer than 1000 years", h.amount.span,
                "a horizon is a follow-up duration, e.g. `horizon 3 years`",
            )  # fmt: skip
            amount = None
        inclusive, outcome = self._bound_options(h, default=True)
        text = f"{h.amount.lexeme if isinstance(h.amount, n.NumberOperand) else '?'}"
        word = unit.removesuffix("s") if amount == 1 else unit  # "Horizon (1 year)"
        desc = f"Horizon ({text} {'calendar ' if h.calendar else ''}{word})"
        return m.Bound(
            "horizon",
            inclusive,
            outcome,
            desc,
            amount=amount or 1.0,
            unit=unit,
            calendar=h.calendar,
            span=h.span,
        )

    # ---- population and conventions
    def _population(self, clause) -> m.Population:
        if clause is None:
            return m.Population("all", "all subjects")
        if isinstance(clause, n.AmongInline):
            return self.conditions.population(clause.population, None)
        pop = self.scope.populations.get(clause.name.text)
        if pop is None:
            self.scope.unknown("population", clause.name, self.scope.populations)
            return m.Population("all", "all subjects")
        return self.conditions.population(pop.population, pop.name.text)

    def _origin_day(self, clause) -> int:
        if clause is None:
            return 1
        o = clause.origin_day
        if isinstance(o, n.NumberOperand) and o.lexeme in ("0", "1"):
            return int(o.lexeme)
        self.error(
            "E142", "the origin is day 1 or day 0", o.span,
            "`origin is day 1`: AVAL = ADT - STARTDT + 1 (ADaM default); "
            "`origin is day 0`: AVAL = ADT - STARTDT",
        )  # fmt: skip
        return 1

    def _unit(self, clause) -> str:
        if clause is not None and clause.unit is not None and clause.unit.text in m.TIME_UNIT_ALIASES:
            return m.TIME_UNIT_ALIASES[clause.unit.text]  # times of day (issue 12)
        return "days" if clause is None else self.unit_name(clause.unit, clause.span, "time")
