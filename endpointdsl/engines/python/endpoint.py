"""Code generator, second half: one endpoint to one `derive_<PARAMCD>(subject)` function.

The function follows the steps of docs/semantics.md in order; each step is a
few lines calling `endpointdsl.runtime`, commented with the .ept line it comes from.
"""

from __future__ import annotations

from ...check import model as m
from .emit import Writer, condition, ident, lit
from .response import ResponseWriter


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
        w.line(f"notes = rt.Notes(subject.id, {ep.paramcd!r}, [])")
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
        self._events()
        self._censoring()
        w.line("return rt.exclude(notes, 'no event, and no censoring rule applies')")
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
        w.line(f"return rt.exclude(notes, {'not in population: ' + pop.description!r})")
        w.dedent()

    def _origin(self) -> None:
        w, spec = self.w, self.ep.origin
        w.line(f"origin_occ = rt.pick({self.occ(spec.event)}, {spec.kind!r})", self.ep.lines.get("from"))
        w.line("if origin_occ is None:")
        w.indent()
        r = self.ep.response
        if r is not None and r.no_origin_assessed:
            w.line("# no origin: not assessed", self.ep.lines.get("NoOrigin"))
            w.line(f"return rr.best_record(notes, param, None, [], {lit(r.responder)})")
            w.dedent()
            w.line("origin = origin_occ.date")
            return
        reason = f"no origin date: {spec.describe()} has no usable date"
        w.line(f"return rt.exclude(notes, {reason!r})")
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
            info = (
                b.description,
                o.cnsr if o else None,
                o.evntdesc if o else None,
                o.cnsdtdsc if o else None,
                b.event,
            )
            w.line(f"end, limit = day, rt.Limit{lit(info)}")
            w.dedent()
        if ep.bounds:
            w.line("if end < origin:")
            w.indent()
            w.line(
                "return rt.exclude(notes, 'observation ends before the origin: ' "
                "+ limit.description + ' on ' + str(end))"
            )
            w.dedent()

    def _bound_expr(self, b: m.Bound) -> str:
        if b.kind == "horizon":
            return f"rt.horizon_end(origin, {b.amount!r}, {b.unit!r}, {b.calendar!r}, {b.inclusive!r})"
        if b.kind == "stop":
            return f"rt.stop_end({self.occ(b.event)}, origin, {b.inclusive!r})"
        if b.date.kind == "literal":
            return f"rt.bound_end({lit(b.date.value)}, {b.inclusive!r})"
        picked = f"rt.pick({self.occ(b.date.event)}, {b.date.kind!r})"
        return f"(lambda occ: rt.bound_end(occ.date, {b.inclusive!r}) if occ else None)({picked})"

    def _events(self) -> None:
        w, ep = self.w, self.ep
        w.line("# events: the earliest in the window wins; a same-day tie goes to the first listed")
        w.line("event = rt.earliest([", self.ep.lines.get("to"))
        w.indent()
        for t in ep.events:
            w.line(f"(rt.within({self.occ(t.event)}, origin, end, {ep.clamp!r}, notes), {t.evntdesc!r}),")
        w.dedent()
        w.line("])")
        w.line("if event is not None:")
        w.indent()
        if ep.missed is not None:
            self._missed(ep.missed)
        adt = "max(event[0].date, origin)" if ep.clamp else "event[0].date"
        w.line(
            f"return rt.make_record(notes, param, origin_occ, {adt}, {ep.origin_day!r}, "
            f"{ep.unit!r}, 0, event[1], None, event[0])"
        )
        w.dedent()

    def _censoring(self) -> None:
        w, ep = self.w, self.ep
        for rule in ep.censoring:
            w.line("# censoring rule" + (": the latest of its dates" if rule.latest else ""), rule.span)
            if rule.conditions:
                w.line(f"if {' and '.join(self._condition(c) for c in rule.conditions)}:")
                w.indent()
            calls = [self._choice(ch) for ch in rule.choices]
            if rule.latest:
                w.line("chosen = rt.latest([")
                w.indent()
                for call in calls:
                    w.line(call + ",")
                w.dedent()
                w.line("])")
            else:
                w.line(f"chosen = {calls[0]}")
            w.line("if chosen is not None:")
            w.indent()
            adt = "max(chosen.date, origin)" if ep.clamp else "chosen.date"
            w.line(
                f"return rt.make_record(notes, param, origin_occ, {adt}, {ep.origin_day!r}, "
                f"{ep.unit!r}, chosen.cnsr, chosen.evntdesc, chosen.cnsdtdsc, chosen.source)"
            )
            w.dedent()
            if rule.conditions:
                w.dedent()

    def _missed(self, rule: m.MissedRule) -> None:
        w, ep, o = self.w, self.ep, rule.outcome
        w.line(
            f"gap = rt.missed_gap(event[0].date, {self.occ(rule.event)}, origin_occ, {ep.clamp!r}, "
            f"{rule.count!r}, {lit(rule.schedule.pieces)}, {rule.schedule.window!r})",
            ep.lines.get("censor events after"),
        )
        w.line("if gap is not None:")
        w.indent()
        adt = "max(gap.date, origin)" if ep.clamp else "gap.date"
        w.line(
            f"return rt.make_record(notes, param, origin_occ, {adt}, {ep.origin_day!r}, {ep.unit!r}, "
            f"{o.cnsr!r}, {o.evntdesc!r}, {o.cnsdtdsc!r}, gap)"
        )
        w.dedent()

    def _condition(self, c: m.RuleCondition) -> str:
        if c.kind == "stopped":
            return f"rt.stopped_by(limit, {c.event!r})"
        test = f"rt.occurred({self.occ(c.event)}, end)"
        return test if c.kind == "has" else f"not {test}"

    def _choice(self, ch: m.CensorChoice) -> str:
        occ = self.occ(ch.date.event) if ch.date.event else "[]"
        o = ch.outcome
        return (
            f"rt.censor_choice({ch.date.kind!r}, {occ}, origin_occ, end, limit, {self.ep.clamp!r}, "
            f"notes, {o.cnsr!r}, {o.evntdesc!r}, {o.cnsdtdsc!r}, {self.ep.ascertainment!r})"
        )
