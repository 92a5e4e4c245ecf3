"""Code generator, second half: one endpoint to one `derive_<PARAMCD>(subject)` function.

The function follows the steps of docs/semantics.md in order; each step is a
few lines calling the runtime (`rt`), every argument named (`emit.call`), commented
with the .ept line it comes from.
"""

from __future__ import annotations

from ...check import model as m
from .emit import Writer, call, condition, ident, lit
from .response import ResponseWriter, criteria_call


class EndpointWriter:
    def __init__(self, w: Writer, ep: m.EndpointSpec, model: m.Model):
        self.w = w
        self.ep = ep
        self.model = model

    def occ(self, event: str) -> str:
        return ident("occ_", event)

    def write(self) -> None:
        w, ep = self.w, self.ep
        w.line("")
        w.line("")
        w.line(f"def {ident('derive_', ep.paramcd)}(subject):", ep.span)
        w.indent()
        w.line(f'"""{ep.paramcd}: derive one subject\'s record, or the reason there is none."""')
        w.line(f"notes = {call('rt.Notes', subject='subject.id', paramcd=lit(ep.paramcd), messages='[]')}")
        w.line(f"param = {ep.param!r}")
        for event in m.event_names(ep):
            w.line(f"{self.occ(event)} = {ident('event_', event)}(subject, notes)")
        self._population()
        self._origin()
        self._window()
        if ep.response is not None:
            ResponseWriter(w, ep, self.model).write()
            w.dedent()
            return
        if m.timed(ep):
            self._timed()
        else:
            self._events()
            self._censoring()
        w.line(f"return {call('rt.exclude', 'notes', reason=lit('no event, and no censoring rule applies'))}")
        w.dedent()

    def _population(self) -> None:
        w, pop = self.w, self.ep.population
        if pop.kind == "all":
            return
        w.line(f"# among {pop.description}", self.ep.lines.get("among"))
        if pop.kind == "with":
            w.line(f"if not {self.occ(pop.event)}:")
        else:
            w.line(f"if not any({condition(pop.where)} is True for row in subject.rows({pop.table!r})):")
        w.indent()
        w.line(f"return {call('rt.exclude', 'notes', reason=lit('not in population: ' + pop.description))}")
        w.dedent()

    def _origin(self) -> None:
        w, spec = self.w, self.ep.origin
        timed = {"timed": lit(True)} if m.timed(self.ep) else {}  # times of day: by date and time
        w.line(
            f"origin_occ = {call('rt.pick', self.occ(spec.event), which=lit(spec.kind), **timed)}",
            self.ep.lines.get("from"),
        )
        w.line("if origin_occ is None:")
        w.indent()
        r = self.ep.response
        if r is not None and r.no_origin_assessed:
            w.line("# no origin: not assessed", self.ep.lines.get("NoOrigin"))
            record = call(
                "rr.best_record", "notes", param="param", origin_occ="None", categorised="[]",
                responder=lit(r.responder),
                **({"criteria": built} if (built := criteria_call(r)) else {}),  # criteria (issue 13)
                **({"missing_as_ne": "True"} if r.missing_as_ne else {}),  # bor (issue 19)
            )  # fmt: skip
            w.line(f"return {record}")
            w.dedent()
            w.line("origin = origin_occ.date")
            return
        reason = f"no origin date: {spec.describe()} has no usable date"
        w.line(f"return {call('rt.exclude', 'notes', reason=lit(reason))}")
        w.dedent()
        w.line("origin = origin_occ.date")

    def _window(self) -> None:
        w, ep = self.w, self.ep
        w.line("# observation window: the earliest end of its bounds (ties: the first declared)")
        w.line("end, limit = rt.NO_END, None")
        for b in ep.bounds:
            w.line(f"day = {self._bound_expr(b)}", b.span)
            w.line("if day is not None and day < end:")
            w.indent()
            o = b.outcome
            limit = call(
                "rt.Limit",
                description=lit(b.description),
                cnsr=lit(o.cnsr if o else None),
                evntdesc=lit(o.evntdesc if o else None),
                cnsdtdsc=lit(o.cnsdtdsc if o else None),
                event=lit(b.event),
            )
            w.line(f"end, limit = day, {limit}")
            w.dedent()
        if ep.bounds:
            w.line("if end < origin:")
            w.indent()
            reason = "'observation ends before the origin: ' + limit.description + ' on ' + str(end)"
            w.line(f"return {call('rt.exclude', 'notes', reason=reason)}")
            w.dedent()

    def _bound_expr(self, b: m.Bound) -> str:
        inclusive = lit(b.inclusive)
        if b.kind == "horizon":
            return call(
                "rt.horizon_end", "origin", amount=lit(b.amount), unit=lit(b.unit),
                calendar_units=lit(b.calendar), inclusive=inclusive,
            )  # fmt: skip
        if b.kind == "stop":
            return call("rt.stop_end", self.occ(b.event), origin="origin", inclusive=inclusive)
        if b.date.kind == "literal":
            return call("rt.bound_end", lit(b.date.value), inclusive=inclusive)
        picked = call("rt.pick", self.occ(b.date.event), which=lit(b.date.kind))
        return f"(lambda occ: {call('rt.bound_end', 'occ.date', inclusive=inclusive)} if occ else None)({picked})"

    def _events(self) -> None:
        w, ep = self.w, self.ep
        w.line("# events: the earliest in the window wins; a same-day tie goes to the first listed")
        w.line("event = rt.earliest([", self.ep.lines.get("to"))
        w.indent()
        for t in ep.events:
            within = call(
                "rt.within", self.occ(t.event), origin="origin", end="end", clamp=lit(ep.clamp), notes="notes"
            )
            w.line(f"({within}, {self._outcome(t)}),")
        w.dedent()
        w.line("])")
        w.line("if event is not None:")
        w.indent()
        if ep.missed is not None:
            self._missed(ep.missed)
        adt = "max(event[0].date, origin)" if ep.clamp else "event[0].date"
        w.line(f"return {self._record(adt, self._event_cnsr(), 'event[1]', 'None', 'event[0]')}")
        w.dedent()

    def _censoring(self) -> None:
        w, ep = self.w, self.ep
        for rule in ep.censoring:
            w.line("# censoring rule" + (": the latest of its dates" if rule.latest else ""), rule.span)
            if rule.conditions:
                w.line(f"if {' and '.join(self._condition(c) for c in rule.conditions)}:")
                w.indent()
            choices = [self._choice(ch) for ch in rule.choices]
            if rule.latest:
                w.line("chosen = rt.latest([")
                w.indent()
                for choice in choices:
                    w.line(choice + ",")
                w.dedent()
                w.line("])")
            else:
                w.line(f"chosen = {choices[0]}")
            w.line("if chosen is not None:")
            w.indent()
            adt = "max(chosen.date, origin)" if ep.clamp else "chosen.date"
            record = self._record(adt, "chosen.cnsr", "chosen.evntdesc", "chosen.cnsdtdsc", "chosen.source")
            w.line(f"return {record}")
            w.dedent()
            if rule.conditions:
                w.dedent()

    def _missed(self, rule: m.MissedRule) -> None:
        w, ep, o = self.w, self.ep, rule.outcome
        pieces = "".join(
            f"{call('rt.Interval', every=lit(every), until=lit(until))}, "
            for every, until in rule.schedule.pieces
        )
        gap = call(
            "rt.missed_gap", event_date="event[0].date", assessments=self.occ(rule.event), origin_occ="origin_occ",
            clamp=lit(ep.clamp), count=lit(rule.count), pieces=f"({pieces})", window=lit(rule.schedule.window),
        )  # fmt: skip
        w.line(f"gap = {gap}", ep.lines.get("censor events after"))
        w.line("if gap is not None:")
        w.indent()
        adt = "max(gap.date, origin)" if ep.clamp else "gap.date"
        w.line(f"return {self._record(adt, lit(o.cnsr), lit(o.evntdesc), lit(o.cnsdtdsc), 'gap')}")
        w.dedent()

    def _condition(self, c: m.RuleCondition) -> str:
        if c.kind == "stopped":
            return call("rt.stopped_by", "limit", event=lit(c.event))
        test = call("rt.occurred", self.occ(c.event), end="end")
        return test if c.kind == "has" else f"not {test}"

    def _choice(self, ch: m.CensorChoice) -> str:
        occ = self.occ(ch.date.event) if ch.date.event else "[]"
        o = ch.outcome
        return call(
            "rt.censor_choice", kind=lit(ch.date.kind), occurrences=occ, origin_occ="origin_occ", end="end",
            limit="limit", clamp=lit(self.ep.clamp), notes="notes", cnsr=lit(o.cnsr), evntdesc=lit(o.evntdesc),
            cnsdtdsc=lit(o.cnsdtdsc), ascertainment=lit(self.ep.ascertainment),
        )  # fmt: skip

    # ---- times of day (issue 12): `time in hours|minutes`, no bounds (checker E231)
    def _timed(self) -> None:
        w, ep = self.w, self.ep
        w.line("# the clock time of the origin", ep.lines.get("time in"))
        w.line(f"no_time = {call('rt.no_origin_time', 'notes', origin_occ='origin_occ')}")
        w.line("if no_time is not None:")
        w.indent()
        w.line("return no_time")
        w.dedent()
        w.line(
            "# events: the earliest by date and time on or after the origin; a tie goes to the first listed"
        )
        w.line("event = rt.earliest([", ep.lines.get("to"))
        w.indent()
        for t in ep.events:
            within = call(
                "rt.within", self.occ(t.event), origin="origin", end="end", clamp=lit(False), notes="notes",
                origin_occ="origin_occ",
            )  # fmt: skip
            w.line(f"({within}, {self._outcome(t)}),")
        w.dedent()
        w.line("], timed=True)")
        w.line("if event is not None:")
        w.indent()
        record = self._timed_record("event[0]", "the event", self._event_cnsr(), "event[1]", "None")
        w.line(f"return {record}")
        w.dedent()
        for rule in ep.censoring:  # one date each, no conditions (E231)
            w.line("# censoring rule", rule.span)
            ch, o = rule.choices[0], rule.choices[0].outcome
            occ = self.occ(ch.date.event) if ch.date.event else "[]"
            choice = call(
                "rt.censor_choice", kind=lit(ch.date.kind), occurrences=occ, origin_occ="origin_occ", end="end",
                limit="None", clamp=lit(False), notes="notes", cnsr=lit(o.cnsr), evntdesc=lit(o.evntdesc),
                cnsdtdsc=lit(o.cnsdtdsc), timed=lit(True),
            )  # fmt: skip
            w.line(f"chosen = {choice}")
            w.line("if chosen is not None:")
            w.indent()
            record = self._timed_record(
                "chosen.source", "the censoring date", "chosen.cnsr", "chosen.evntdesc", "chosen.cnsdtdsc"
            )
            w.line(f"return {record}")
            w.dedent()

    # ---- competing events (issue 13): each listed event carries its CNSR (0: an event of interest)
    def _competing(self) -> bool:
        return any(t.competing for t in self.ep.events)

    def _outcome(self, t: m.TermEvent) -> str:
        """The EVNTDESC (and, with competing events, the CNSR) an earliest occurrence of t gives."""
        return f"{lit(t.evntdesc)}, {lit(t.cnsr)}" if self._competing() else lit(t.evntdesc)

    def _event_cnsr(self) -> str:
        return "event[2]" if self._competing() else "0"

    def _timed_record(self, source: str, what: str, cnsr: str, evntdesc: str, cnsdtdsc: str) -> str:
        return call(
            "rt.timed_record", "notes", param="param", origin_occ="origin_occ", source=source, what=lit(what),
            unit=lit(self.ep.unit), cnsr=cnsr, evntdesc=evntdesc, cnsdtdsc=cnsdtdsc,
        )  # fmt: skip

    def _record(self, adt: str, cnsr: str, evntdesc: str, cnsdtdsc: str, source: str) -> str:
        """The call that makes the record (the arguments are Python expressions)."""
        ep = self.ep
        return call(
            "rt.make_record", "notes", param="param", origin_occ="origin_occ", adt=adt,
            origin_day=lit(ep.origin_day), unit=lit(ep.unit), cnsr=cnsr, evntdesc=evntdesc,
            cnsdtdsc=cnsdtdsc, source=source,
        )  # fmt: skip
