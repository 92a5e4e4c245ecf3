"""SQL generator, third part: an incidence endpoint (`occurrence of E from A through B`,
docs/semantics.md 6.4) to one `res_<PARAMCD>` table, one row per analysed subject.

Population, origin and end of observation are the CTEs p0 to p2 of `EndpointSql`, as for
a time-to-event endpoint. `win_<P>` adds the window's first and last day (`wstart`,
`wstop`); `agg_<P>_1` picks the first occurrence of E inside the window and observed by
the end (the ordering struct of `endpoint`: date, sequence missing, sequence, input
row); `res_<P>` gives the Y/N row or the reason for an exclusion, in the order of
the Python engine's `runtime_response.occurrence_record`.
"""

from __future__ import annotations

from ...check import model as m
from .endpoint import EndpointSql
from .writer import ident, shift, text


def occurrence_support(model: m.Model, ep: m.EndpointSpec) -> str | None:
    """None when the incidence endpoint is translated; else why not. The window bounds and
    the `evaluable if` event are subject-level (the checker requires it): one row each."""
    r = ep.response
    for name in (r.start.event, r.stop.event, r.evaluable_by):
        if name is not None and not model.event(name).per_subject:
            return f"'{name}' is not a subject-level event"
    return None


class OccurrenceSql(EndpointSql):
    def write(self) -> None:
        ep, w = self.ep, self.w
        self.r = ep.response
        self.win = ident("win_" + ep.paramcd)
        w.line("")
        w.line(f"-- endpoint {ep.paramcd}: population, origin, observation and incidence window per subject",
               ep.span)  # fmt: skip
        self.ctes = []
        self._p0()
        self._p1_p2()
        self._window()
        w.line(f"CREATE OR REPLACE TEMP TABLE {self.win} AS")
        self._write_ctes()
        w.line("SELECT * FROM pw;")
        self.ctes = []
        self._first_hit()
        w.line(f"-- endpoint {ep.paramcd}: one row per analysed subject (Y/N, or the reason there is none)",
               ep.span)  # fmt: skip
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident('res_' + ep.paramcd)} AS")
        self._write_ctes()
        self._record()
        self._occurrence_notes()

    def window_day(self, b: m.WindowBound, origin: str = "p.origin") -> str:
        """The date of a window bound: study day d (`origin is day 0|1`) or the subject's date."""
        if b.event is not None:
            return f"p.{ident('row ' + b.event)}.d"
        days = b.day if self.ep.origin_day == 0 or b.day < 0 else b.day - 1
        return shift(origin, days)

    def _window(self) -> None:
        line = self.ep.lines.get("Occurrence")
        self.cte("pw", [
            (f"SELECT p.*, {self.window_day(self.r.start)} AS wstart, {self.window_day(self.r.stop)} AS wstop",
             line),
            "FROM p2 AS p",
        ])  # fmt: skip

    def _first_hit(self) -> None:
        """The first occurrence of E dated from wstart through wstop and on or before the end."""
        event = self.r.event
        ev = self.src(event)
        name = ident("first " + event)
        if self.single_row(event):
            row = f"p.{ident('row ' + event)}"
            inside = f'{row}.d >= p.wstart AND {row}.d <= p.wstop AND {row}.d <= p."end"'
            self.cte(
                "p3", [f"SELECT p.*, CASE WHEN {inside} THEN {row} END AS {name}", f"FROM {self.win} AS p"]
            )
            return
        where, d, seq, rn, dtf = self.occ_fields(ev, "t")
        key = self.key_of(ev, "t")
        table = ident(f"agg_{self.ep.paramcd}_1")
        w = self.w
        w.line(f"CREATE OR REPLACE TEMP TABLE {table} AS", self.ep.lines.get("Occurrence"))
        if event in self.by_row:  # rows proven in occurrence order: the lowest row number
            aggs, built = self.by_row_pick("first", event, "", d, seq, rn, dtf)
            w.line(f"SELECT key, {built} AS {name} FROM (")
        else:
            aggs = [f"min({self.order_struct(d, seq, rn, dtf)}) AS {name}"]
        w.line(f"SELECT {key} AS key,")
        for i, a in enumerate(aggs):
            w.line(f"    {a}" + ("," if i < len(aggs) - 1 else ""))
        w.line(f"FROM {self.source_name(ev)} AS t JOIN {self.win} AS q ON q.key = {key}")
        # both ends included; occurrences before the origin count (a window from baseline)
        w.line(f'WHERE {where} AND {d} >= q.wstart AND {d} <= q.wstop AND {d} <= q."end"')
        w.line(f"GROUP BY {key}" + (") AS g;" if event in self.by_row else ";"))
        self.cte(
            "p3", [f"SELECT p.*, a.{name}", f"FROM {self.win} AS p LEFT JOIN {table} AS a ON a.key = p.key"]
        )

    def _record(self) -> None:
        ep, r, w = self.ep, self.r, self.w
        hit = f"p.{ident('first ' + r.event)}"
        window = f"{r.start.describe()} through {r.stop.describe()}"
        reason = self.common_reasons()
        for column, bound, word in (("wstart", r.start, "start"), ("wstop", r.stop, "end")):
            if bound.event is not None:
                why = f"no window {word} date: {bound.describe()} has no usable date"
                reason.append(f"WHEN p.{column} IS NULL THEN {text(why)}")
        if r.evaluable_by is not None:
            # a subject without an occurrence counts only if F's date reaches the window's last day
            reached = f"p.{ident('row ' + r.evaluable_by)}.d"
            head = f"not evaluable: no {r.event} from {window}, and {r.evaluable_by} "
            reason.append(f"WHEN {hit} IS NULL AND {reached} IS NULL THEN {text(head + 'has no date')}")
            reason.append(
                f"WHEN {hit} IS NULL AND {reached} < p.wstop THEN {text(head + 'is ')} || CAST({reached} AS VARCHAR)"
                f" || {text(', before the window end ')} || CAST(p.wstop AS VARCHAR)"
            )
        dom, var = self.dom_var(r.event)
        found = f"{hit} IS NOT NULL"
        w.line("SELECT p.key,")
        w.line(
            f"    CASE {' '.join(reason)} END AS reason,",
            ep.lines.get("Evaluable") or ep.lines.get("Occurrence"),
        )
        w.line(f"    p.origin AS startdt, p.origin_dtf AS startdtf, {hit}.d AS adt, {hit}.dtf AS adtf,")
        w.line(
            f"    CAST(CASE WHEN {found} THEN 1 ELSE 0 END AS DOUBLE) AS aval, CASE WHEN {found} THEN 'Y' ELSE 'N' END AS avalc,"
        )
        w.line(
            "    CAST(NULL AS BIGINT) AS cnsr, CAST(NULL AS VARCHAR) AS evntdesc, CAST(NULL AS VARCHAR) AS cnsdtdsc,"
        )
        w.line(f"    CASE WHEN {found} THEN {dom} END AS srcdom, CASE WHEN {found} THEN {var} END AS srcvar,")
        w.line(f"    {hit}.seq AS srcseq")
        w.line("FROM p3 AS p;")

    def _occurrence_notes(self) -> None:
        """Findings: the events' data findings (an incidence window adds none of its own)."""
        self.event_notes()
        self.w.line(";")
