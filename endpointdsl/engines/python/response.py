"""Code generator, third part: the body of a response or incidence endpoint (section 6).

Population, origin and end of observation are written by `EndpointWriter` as for any
endpoint; this writes what follows, as calls to the response runtime (`rr`), every
argument named.
"""

from __future__ import annotations

from ...check import model as m
from ...check.criteria import shipped
from .emit import Writer, call, ident, lit


class ResponseWriter:
    def __init__(self, w: Writer, ep: m.EndpointSpec, model: m.Model):
        self.model = model
        self.w = w
        self.ep = ep
        self.r = ep.response

    def occ(self, event: str) -> str:
        return ident("occ_", event)

    def line(self, clause: type) -> int | None:
        return self.ep.lines.get(clause)

    def write(self) -> None:
        self._criteria()
        {"best": self._best, "landmark": self._landmark, "occurrence": self._occurrence,
         "extreme": self._extreme}[self.r.kind]()  # fmt: skip

    # ---- criteria (issue 13): the set named, built once per call from literals
    def _criteria(self) -> None:
        built = criteria_call(self.r)
        self.crit = {}
        if built is not None:
            self.w.line(f"criteria = {built}", self.line("CriteriaUse"))
            self.crit = {"criteria": "criteria"}

    def _visits(self, head: str) -> None:
        self.w.line("# visits: one per date (the worst response), up to the first PD")
        src = self.model.event(self.r.event)
        before = {"count_before": "True"} if self.r.before_origin == "count" else {}  # bor (issue 19)
        visits = call(
            "rr.visits", self.occ(self.r.event), origin="origin", end="end", notes="notes",
            table=lit(src.table), column=lit(src.response), **self.crit, **before,
        )  # fmt: skip
        self.w.line(f"visits = {visits}", self.line(head))

    def _best(self) -> None:
        w, r = self.w, self.r
        self._visits("BestResponse")
        c = r.confirm
        confirm = "None"
        if c is not None:
            confirm = call("rr.Confirmation", days=lit(c.days), max_ne=lit(c.max_ne), max_sd=lit(c.max_sd))
        w.line("# each visit's category: confirmation and the SD minimum applied", self.line("Confirm"))
        categorised = call(
            "rr.categorise",
            "visits",
            origin="origin",
            sd_min_days=lit(r.sd_min_days),
            confirm=confirm,
            **self.crit,
        )
        w.line(f"categorised = {categorised}", self.line("SdMinimum"))
        missing = {"missing_as_ne": "True"} if r.missing_as_ne else {}  # bor (issue 19)
        record = call(
            "rr.best_record", "notes", param="param", origin_occ="origin_occ", categorised="categorised",
            responder=lit(r.responder), **self.crit, **missing,
        )  # fmt: skip
        w.line(f"return {record}", self.line("Responder") or self.line("BestResponse"))

    def _window_dates(self, head: str) -> None:
        w = self.w
        for name, bound in (("start", self.r.start), ("stop", self.r.stop)):
            if bound.event is None:
                w.line(f"{name} = {self._day_date(bound.day)}", self.line(head))
                continue
            w.line(
                f"{name}_occ = {call('rt.pick', self.occ(bound.event), which=lit('single'))}", self.line(head)
            )
            w.line(f"if {name}_occ is None:")
            w.indent()
            word = "start" if name == "start" else "end"
            reason = lit(f"no window {word} date: {bound.describe()} has no usable date")
            w.line(f"return {call('rr.exclude', 'notes', reason=reason)}")
            w.dedent()
            w.line(f"{name} = {name}_occ.date")

    def _day_date(self, day: int) -> str:
        return call("rr.day_date", "origin", day=lit(day), origin_day=lit(self.ep.origin_day))

    def _window_text(self) -> str:
        return f"{self.r.start.describe()} through {self.r.stop.describe()}"

    def _landmark(self) -> None:
        w, r = self.w, self.r
        self._visits("Landmark")
        self._window_dates("Landmark")
        record = call(
            "rr.landmark_record", "notes", param="param", origin_occ="origin_occ", visits="visits",
            start="start", stop="stop", nearest="None" if r.nearest is None else self._day_date(r.nearest),
            responder=lit(r.responder), not_evaluable=lit(r.not_evaluable), window=lit(self._window_text()),
            **self.crit,
        )  # fmt: skip
        w.line(f"return {record}", self.line("NotEvaluable") or self.line("Landmark"))

    def _occurrence(self) -> None:
        w, r = self.w, self.r
        self._window_dates("Occurrence")
        evaluable = "None"
        if r.evaluable_by is not None:
            evaluable = f"({lit(r.evaluable_by)}, {self.occ(r.evaluable_by)})"
        w.line("# Y at the first occurrence in the window, both ends included")
        record = call(
            "rr.occurrence_record", "notes", param="param", origin_occ="origin_occ", event=lit(r.event),
            occurrences=self.occ(r.event), start="start", stop="stop", end="end", evaluable=evaluable,
            window=lit(self._window_text()),
        )  # fmt: skip
        w.line(f"return {record}", self.line("Evaluable") or self.line("Occurrence"))

    # ---- extreme (issue 19, part 2): the outcomes in priority order
    def _extreme(self) -> None:
        x = self.r.extreme
        outcomes = ", ".join(
            f"({lit(o.avalc)}, {lit(o.aval)}, {self.occ(o.event)}, {self.occ(o.every) if o.every else 'None'})"
            for o in x.outcomes
        )
        read = ", ".join(self.occ(e) for e in x.events())
        record = call(
            "rx.extreme_record", "notes", param="param", origin_occ="origin_occ", end="end",
            outcomes=f"[{outcomes}]", read=f"[{read}]", head=lit(x.head), pick=lit(x.pick),
            otherwise=lit(x.otherwise), otherwise_aval=lit(x.otherwise_aval),
            **({"by_rank": lit(True)} if x.by else {}),
        )  # fmt: skip
        self.w.line(f"return {record}", self.line("Extreme"))


def criteria_call(r: m.ResponseSpec) -> str | None:
    """The runtime's criteria set of a best-response or landmark endpoint that names one."""
    c = r.criteria
    if r.kind == "occurrence":
        return None
    if c is None and r.continues:  # bor (issue 19): RECIST 1.1 without the cut at the first PD
        c = shipped("recist11")
    if c is None:
        return None
    rows = tuple(
        (k.name, k.aval, k.role, k.confirmed_by, k.between, k.at_next, k.window) for k in c.categories
    )
    return call("rr.criteria_set", title=lit(c.title), rows=lit(rows), continues=lit(r.continues))
