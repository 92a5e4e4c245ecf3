"""SQL generator, fourth part's third piece: the landmark response (docs/semantics.md 6.3;
issue 16).

A landmark's record: per subject, the visit that answers it (the nearest to a target day, else
the best ranked) among the visits in its window, from one GROUP BY over `visits_<E>_<n>`
(packed with the visit's rank where the dates are proven to fit, confirmlist.SLOTS), unless a
progression before the window decides (`progression_<E>_<n>`, written once per event). Mixed
into `best.ResponseSql`, whose relations (`names`), criteria set (`crit`), `rank`, `_codes` and
window (`win`) it reads.
"""

from __future__ import annotations

from ...check import model as m
from .confirmlist import SLOTS
from .writer import SqlWriter, ident, text


class Landmark:
    """A landmark's progression visit and its record."""

    def _progressions(self, w: SqlWriter, name: str) -> None:
        """Each subject's progression visit, which a landmark before its window reads: the
        visits stop at the first progression, so a subject has one at most (issue 16: the
        landmarks of one event read it once; each scanned the 9M visits for it, 0.3 s CPU)."""
        fields = "{'d': v.d, 'dtf': v.dtf, 'seq': v.seq, 'v': v.v, 'role': v.role}"
        w.line(f"-- {self.r.event}: each subject's progression visit (the visits stop at the first)")
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS")
        progression = self.role_is("v", "progression")
        w.line(f"SELECT v.key, {fields} AS pv FROM {self.names['vd']} AS v WHERE {progression};")

    def _landmark(self) -> None:
        w, r, names = self.w, self.r, self.names
        vd = names["vd"]
        stop_first = not r.continues
        fields = "{'d': v.d, 'dtf': v.dtf, 'seq': v.seq, 'v': v.v, 'role': v.role}"
        # days from the origin: the window is read on the visits' own origin, so only the
        # visits inside it are grouped, without a join (issue 16); else the subject's dates
        days = r.start.event is None and r.stop.event is None
        if days:
            lo, hi = (self.window_day(b, "v.origin") for b in (r.start, r.stop))
            target = (
                self.window_day(m.WindowBound(day=r.nearest), "v.origin") if r.nearest is not None else None
            )
        else:
            lo, hi, target = "q.wstart", "q.wstop", "q.wtarget"
        if r.nearest is not None:  # i: the visit's day number
            order = f"abs(date_diff('day', {target}, v.d)) * 100000000 + v.i"
        else:
            order = f"{self.rank('v.v')} * 100000000 + v.i"
        join = "" if days else f" JOIN {self.win} AS q ON q.key = v.key"
        if self.r.event in self.listed and len(self.crit.categories) <= SLOTS:
            # perf (issue 16): dates proven from 1900 (packed.fits): the minimum order with the
            # visit's rank gives its day number, date, category and role; the sequence (and an
            # imputed time of day) taken with it (no struct per visit: 0.7 to 0.35 s CPU at 1M)
            _, _, _, _, dtf = self.occ_fields(self.src(self.r.event), "t")
            dtf = dtf if dtf.startswith("CAST(NULL") else f"arg_min_null(v.dtf, {order})"
            w.line(f"WITH g0 AS (SELECT v.key, min(({order}) * {SLOTS} + v.rnk) AS o,")
            w.line(f"    arg_min_null(v.seq, {order}) AS seq, {dtf} AS dtf")
            w.line(f"    FROM {vd} AS v{join} WHERE v.d >= {lo} AND v.d <= {hi} GROUP BY v.key)")
            cats = self.crit.categories
            name = " ".join(f"WHEN {i} THEN {text(k.name)}" for i, k in enumerate(cats))
            role = " ".join(f"WHEN {i} THEN {text(k.role)}" for i, k in enumerate(cats) if k.role is not None)
            role = f"CASE o % {SLOTS} {role} END" if role else "CAST(NULL AS VARCHAR)"
            day = f"DATE '0001-01-01' + CAST((o // {SLOTS}) % 100000000 AS INTEGER)"
            w.line(f", g AS (SELECT key, CASE WHEN o IS NOT NULL THEN {{'d': {day}, 'dtf': dtf, 'seq': seq,")
            w.line(f"    'v': CASE o % {SLOTS} {name} END, 'role': {role}}} END AS pick FROM g0)")
        else:
            w.line(f"WITH g AS (SELECT v.key, arg_min({fields}, {order}) AS pick")
            w.line(f"    FROM {vd} AS v{join} WHERE v.d >= {lo} AND v.d <= {hi} GROUP BY v.key)")
        chosen, joins = "g.pick", ""
        if stop_first:  # the first progression before the window decides
            chosen = "CASE WHEN pv.pv.d < p.wstart THEN pv.pv ELSE g.pick END"
            joins = f" LEFT JOIN {names['pv']} AS pv ON pv.key = p.key"
        w.line(f", ch AS (SELECT p.*, {chosen} AS chosen")
        w.line(f"    FROM {self.win} AS p LEFT JOIN g ON g.key = p.key{joins})")
        reason = self.common_reasons()
        window = f"{r.start.describe()} through {r.stop.describe()}"
        for column, bound, word in (("wstart", r.start, "start"), ("wstop", r.stop, "end")):
            if bound.event is not None:
                why = f"no window {word} date: {bound.describe()} has no usable date"
                reason.append(f"WHEN p.{column} IS NULL THEN {text(why)}")
        not_evaluable = "(p.chosen IS NULL OR p.chosen.role = 'ne')"
        if r.not_evaluable is None:
            reason.append(f"WHEN p.chosen IS NULL THEN {text('not evaluable: no assessment from ' + window)}")
            reason.append(f"WHEN p.chosen.role = 'ne' THEN {text('not evaluable: an ')} || p.chosen.v || "
                          f"{text(' response from ' + window)}")  # fmt: skip
        listed = "(" + ", ".join(text(x) for x in r.responder) + ")"
        avalc = (f"CASE WHEN {not_evaluable} THEN {text(r.not_evaluable)} WHEN p.chosen.v IN {listed} THEN 'Y'"
                 " ELSE 'N' END")  # fmt: skip
        dom, var = self.dom_var(r.event)
        w.line("SELECT p.key,")
        w.line(f"    CASE {' '.join(reason)} END AS reason,", self.ep.lines.get("NotEvaluable"))
        w.line("    p.origin AS startdt, p.origin_dtf AS startdtf, p.chosen.d AS adt, p.chosen.dtf AS adtf,")
        w.line(f"    {self._codes('avalc')} AS aval, avalc,", self.ep.lines.get("Landmark"))
        w.line(
            "    CAST(NULL AS BIGINT) AS cnsr, CAST(NULL AS VARCHAR) AS evntdesc, CAST(NULL AS VARCHAR) AS cnsdtdsc,"
        )
        w.line(
            f"    CASE WHEN p.chosen IS NOT NULL THEN {dom} END AS srcdom, CASE WHEN p.chosen IS NOT NULL THEN {var} END AS srcvar,"
        )
        w.line("    p.chosen.seq AS srcseq")
        w.line(f"FROM (SELECT p.*, {avalc} AS avalc FROM ch AS p) AS p;")
