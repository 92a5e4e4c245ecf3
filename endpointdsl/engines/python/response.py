"""Code generator, third part: the body of a response or incidence endpoint (section 6).

Population, origin and end of observation are written by `EndpointWriter` as for any
endpoint; this writes what follows, as calls to `endpointdsl.runtime_response` (`rr`).
"""

from __future__ import annotations

from ...check import model as m
from .emit import Writer, ident, lit


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
        {"best": self._best, "landmark": self._landmark, "occurrence": self._occurrence}[self.r.kind]()

    def _visits(self, head: str) -> None:
        self.w.line("# visits: one per date (the worst response), up to the first PD")
        src = self.model.event(self.r.event)
        self.w.line(
            f"visits = rr.visits({self.occ(self.r.event)}, origin, end, notes, {src.table!r}, {src.response!r})",
            self.line(head),
        )

    def _best(self) -> None:
        w, r = self.w, self.r
        self._visits("BestResponse")
        confirm = None if r.confirm is None else (r.confirm.days, r.confirm.max_ne, r.confirm.max_sd)
        w.line("# each visit's category: confirmation and the SD minimum applied", self.line("Confirm"))
        w.line(f"categorised = rr.categorise(visits, origin, {r.sd_min_days!r}, {lit(confirm)})",
               self.line("SdMinimum"))  # fmt: skip
        w.line(
            f"return rr.best_record(notes, param, origin_occ, categorised, {lit(r.responder)})",
            self.line("Responder") or self.line("BestResponse"),
        )

    def _window_dates(self, head: str) -> None:
        w = self.w
        for name, bound in (("start", self.r.start), ("stop", self.r.stop)):
            if bound.event is None:
                w.line(f"{name} = rr.day_date(origin, {bound.day!r}, {self.ep.origin_day!r})", self.line(head))
                continue
            w.line(f"{name}_occ = rt.pick({self.occ(bound.event)}, 'single')", self.line(head))
            w.line(f"if {name}_occ is None:")
            w.indent()
            word = "start" if name == "start" else "end"
            w.line(f"return rr.exclude(notes, {f'no window {word} date: {bound.event} has no usable date'!r})")
            w.dedent()
            w.line(f"{name} = {name}_occ.date")

    def _window_text(self) -> str:
        return f"{self.r.start.describe()} through {self.r.stop.describe()}"

    def _landmark(self) -> None:
        w, r = self.w, self.r
        self._visits("Landmark")
        self._window_dates("Landmark")
        nearest = "None" if r.nearest is None else f"rr.day_date(origin, {r.nearest!r}, {self.ep.origin_day!r})"
        w.line(
            f"return rr.landmark_record(notes, param, origin_occ, visits, start, stop, {nearest}, "
            f"{lit(r.responder)}, {r.not_evaluable!r}, {self._window_text()!r})",
            self.line("NotEvaluable") or self.line("Landmark"),
        )

    def _occurrence(self) -> None:
        w, r = self.w, self.r
        self._window_dates("Occurrence")
        evaluable = "None"
        if r.evaluable_by is not None:
            evaluable = f"({r.evaluable_by!r}, {self.occ(r.evaluable_by)})"
        w.line("# Y at the first occurrence in the window, both ends included")
        w.line(
            f"return rr.occurrence_record(notes, param, origin_occ, {r.event!r}, {self.occ(r.event)}, "
            f"start, stop, end, {evaluable}, {self._window_text()!r})",
            self.line("Evaluable") or self.line("Occurrence"),
        )
