"""SQL generator: a `worst of|best of|first of` endpoint (issue 19, part 2; docs/semantics.md
6.8) to one `res_<PARAMCD>` table, one row per analysed subject, set-based.

Population, origin and end of observation are the CTEs p0 to p2 of `EndpointSql` (`win_<P>`).
`agg_<P>_<k>` counts, per subject, the occurrences of the k-th event the outcomes read inside
[origin, end] and keeps the first and last of them (the ordering struct of `endpoint`: date,
sequence missing, sequence, input row). An outcome holds when its event has a row there (and,
for `every E has C`, as many as E); the winner is the first listed that holds (`worst of`,
`best of`) or the one whose row is earliest, a tie to the first listed (`first of`).
"""

from __future__ import annotations

from ...check import model as m
from .endpoint import EndpointSql
from .writer import ident, number, text


class ExtremeSql(EndpointSql):
    def write(self) -> None:
        ep, w = self.ep, self.w
        self.x = ep.response.extreme
        self.win = ident("win_" + ep.paramcd)
        w.line("")
        w.line(f"-- endpoint {ep.paramcd}: population, origin and observation window per subject", ep.span)
        self.ctes = []
        self._p0()
        self._p1_p2()
        w.line(f"CREATE OR REPLACE TEMP TABLE {self.win} AS")
        self._write_ctes()
        w.line("SELECT * FROM p2;")
        self.read = self.x.events()
        for k, event in enumerate(self.read, 1):
            self._aggregate(k, event)
        self.ctes = []
        self._outcomes()
        w.line(f"-- endpoint {ep.paramcd}: one row per analysed subject (the winning outcome, or the reason)",
               ep.span)  # fmt: skip
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident('res_' + ep.paramcd)} AS")
        self._write_ctes()
        self._record()
        self._extreme_notes()

    def _aggregate(self, k: int, event: str) -> None:
        """Count, first and last occurrence of `event` inside [origin, end] per subject."""
        struct = self.order_struct("o.d", "o.seq", "o.rn", "o.dtf")
        first, last = struct, struct
        if self.model.event(event).rank:  # by COLUMN's number, rows without one after all others
            first = "{'m': o.k IS NULL, 'k': coalesce(o.k, 0), " + struct[1:]
            last = "{'m': o.k IS NOT NULL, 'k': coalesce(o.k, 0), " + struct[1:]
        w = self.w
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident(f'agg_{self.ep.paramcd}_{k}')} AS",
               self.ep.lines.get("Extreme"))  # fmt: skip
        w.line(f"SELECT o.key, count(*) AS n, min({first}) AS f, max({last}) AS l")
        w.line(f"FROM {ident('occ_' + event)} AS o JOIN {self.win} AS q ON q.key = o.key")
        w.line('WHERE o.d >= q.origin AND o.d <= q."end"')
        w.line("GROUP BY o.key;")

    def _outcomes(self) -> None:
        x = self.x
        items, joins = ["p.*"], []
        for k, _ in enumerate(self.read, 1):
            items.append(f"coalesce(a{k}.n, 0) AS n{k}, a{k}.f AS f{k}, a{k}.l AS l{k}")
            joins.append(f"LEFT JOIN {ident(f'agg_{self.ep.paramcd}_{k}')} AS a{k} ON a{k}.key = p.key")
        self.cte("p3", ["SELECT " + ", ".join(items), f"FROM {self.win} AS p", *joins])
        held, rows = [], []
        for i, o in enumerate(x.outcomes, 1):
            k = self.read.index(o.event) + 1
            holds = f"p.n{k} > 0"
            if o.every is not None:  # every row of E in the window satisfies C
                holds += f" AND p.n{k} = p.n{self.read.index(o.every) + 1}"
            held.append(f"{holds} AS h{i}")
            rows.append(f"p.{'f' if x.pick == 'first' else 'l'}{k} AS o{i}")
        self.cte("p4", ["SELECT p.*, " + ", ".join(held + rows), "FROM p3 AS p"])
        n = len(x.outcomes)
        if x.head == "first":  # the earliest row; a same-day tie: the outcome listed first
            dates = ", ".join(f"CASE WHEN p.h{i} THEN p.o{i}.d END" for i in range(1, n + 1))
            self.cte("p5a", [f"SELECT p.*, LEAST({dates}) AS win_d", "FROM p4 AS p"])
            pos = " ".join(f"WHEN p.h{i} AND p.o{i}.d = p.win_d THEN {i}" for i in range(1, n + 1))
            source = "p5a"
        else:  # the first listed outcome that holds
            pos = " ".join(f"WHEN p.h{i} THEN {i}" for i in range(1, n + 1))
            source = "p4"
        self.cte("p5", [(f"SELECT p.*, CASE {pos} END AS winner", self.ep.lines.get("Extreme")),
                        f"FROM {source} AS p"])  # fmt: skip
        row = "CASE p.winner " + " ".join(f"WHEN {i} THEN p.o{i}" for i in range(1, n + 1)) + " END"
        self.cte("p6", [f"SELECT p.*, {row} AS chosen", "FROM p5 AS p"])

    def _record(self) -> None:
        x, w = self.x, self.w
        reason = self.common_reasons()
        if x.otherwise is None:
            reason.append(
                f"WHEN p.winner IS NULL THEN {text('no outcome holds, and the endpoint has no `otherwise`')}"
            )
        avalc = " ".join(f"WHEN {i} THEN {text(o.avalc)}" for i, o in enumerate(x.outcomes, 1))
        aval = " ".join(f"WHEN {i} THEN {_double(o.aval)}" for i, o in enumerate(x.outcomes, 1))
        doms, vars_ = [], []
        for i, o in enumerate(x.outcomes, 1):
            dom, var = self.dom_var(o.event)
            doms.append(f"WHEN {i} THEN {dom}")
            vars_.append(f"WHEN {i} THEN {var}")
        w.line("SELECT p.key,")
        w.line(f"    CASE {' '.join(reason)} END AS reason,")
        w.line('    p.in_pop AND p.origin IS NOT NULL AND p."end" >= p.origin AS reached,')
        w.line("    p.origin AS startdt, p.origin_dtf AS startdtf, p.chosen.d AS adt, p.chosen.dtf AS adtf,")
        w.line(f"    CASE p.winner {aval} ELSE {_double(x.otherwise_aval)} END AS aval,")
        w.line(f"    CASE p.winner {avalc} ELSE {text(x.otherwise)} END AS avalc,")
        w.line(
            "    CAST(NULL AS BIGINT) AS cnsr, CAST(NULL AS VARCHAR) AS evntdesc, CAST(NULL AS VARCHAR) AS cnsdtdsc,"
        )
        w.line(
            f"    CASE p.winner {' '.join(doms)} END AS srcdom, CASE p.winner {' '.join(vars_)} END AS srcvar,"
        )
        w.line("    p.chosen.seq AS srcseq")
        w.line("FROM p6 AS p;")

    def _extreme_notes(self) -> None:
        """Findings: the events' data findings, and their rows before the origin (not used)."""
        w = self.w
        res = ident("res_" + self.ep.paramcd)
        self.event_notes()
        for event in self.read:
            shown = self.model.event(event).display
            w.line(f"UNION ALL SELECT o.key, {text(shown + ' on ')} || CAST(o.d AS VARCHAR) || "
                   f"{text(' is before the origin ')} || CAST(r.startdt AS VARCHAR) || {text('; ignored')}")  # fmt: skip
            w.line(f"FROM {ident('occ_' + event)} AS o JOIN {res} AS r ON r.key = o.key "
                   "WHERE r.reached AND o.d < r.startdt")  # fmt: skip
        w.line(";")


def _double(value: float | None) -> str:
    return "CAST(NULL AS DOUBLE)" if value is None else f"CAST({number(float(value))} AS DOUBLE)"


def extreme_support(model: m.Model, ep: m.EndpointSpec) -> str | None:
    """Always translated: the outcomes' events are occurrence views like any other."""
    return None
