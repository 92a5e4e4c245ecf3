"""SQL generator, fourth part's second half: the best overall response's GROUP BY and its
record (docs/semantics.md 6.1-6.2, 6.6; issue 16).

Best responses over the same visits and the same confirmation (each relation written once
by `shared.write_once` from its text: the same event, criteria, population and rule) read
one relation, `best_<E>_<n>`: the visits joined once with the confirmation, each
endpoint's category a column `cat_k` and its aggregates columns of one GROUP BY per
subject (`shared.grow_once`). The record of each endpoint reads its columns. Mixed into
`best.ResponseSql`, whose relations (`names`), criteria set (`crit`), `rank` and `_codes`
it reads.
"""

from __future__ import annotations

from .shared import grow_once, grown_keys
from .writer import ident, number, text


class BestGroup:
    """A best response's category, its part of the shared GROUP BY, and its record."""

    def _responders(self) -> str | None:
        """A responder's categories as an SQL list, else None."""
        responder = self.r.responder
        return "(" + ", ".join(text(x) for x in responder) + ")" if responder else None

    def _best(self) -> None:
        w, r = self.w, self.r
        responder, listed = r.responder, self._responders()
        shared, k = self.names["best"], self.k
        if self.r.event in self.listed:  # perf (issue 16): dates proven in 1900-2258 (packed.fits)
            self._best_by_order(shared, k, listed)
        elif responder is None:
            w.line(f"WITH b AS (SELECT key, best_{k} AS best, hit_{k} AS hit FROM {shared})")
        else:
            w.line(
                f"WITH b AS (SELECT key, best_{k} AS best, CASE WHEN best_{k} IN {listed} THEN first_{k} END AS hit"
            )
            w.line(f"    FROM {shared})")
        missing = text(self.crit.of_role("ne")[0]) if r.missing_as_ne else "'MISSING'"  # bor (issue 19)
        if responder is None:
            avalc = f"coalesce(b.best, {missing})"
        else:
            avalc = "CASE WHEN b.hit IS NOT NULL THEN 'Y' ELSE 'N' END"
        reason = self._reasons()
        dom, var = self.dom_var(r.event)
        no_origin = "p.origin IS NULL" if r.no_origin_assessed else "FALSE"
        w.line("SELECT p.key,")
        w.line(f"    CASE {' '.join(reason)} END AS reason," if reason else "    CAST(NULL AS VARCHAR) AS reason,",
               self.ep.lines.get("BestResponse"))  # fmt: skip
        w.line(f"    p.origin AS startdt, CASE WHEN {no_origin} THEN NULL ELSE p.origin_dtf END AS startdtf,")
        w.line("    p.hit.d AS adt, p.hit.dtf AS adtf,")
        w.line(f"    {self._codes('v_avalc')} AS aval, v_avalc AS avalc,", self.ep.lines.get("Responder"))
        w.line(
            "    CAST(NULL AS BIGINT) AS cnsr, CAST(NULL AS VARCHAR) AS evntdesc, CAST(NULL AS VARCHAR) AS cnsdtdsc,"
        )
        w.line(
            f"    CASE WHEN p.hit IS NOT NULL THEN {dom} END AS srcdom, CASE WHEN p.hit IS NOT NULL THEN {var} END AS srcvar,"
        )
        w.line("    p.hit.seq AS srcseq")
        w.line(
            f"FROM (SELECT p.*, b.hit, {avalc} AS v_avalc FROM {self.win} AS p LEFT JOIN b ON b.key = p.key) AS p;"
        )

    def _best_by_order(self, shared: str, k: int, listed: str | None) -> None:
        """`_best`'s b (key, best, hit) from the minimum order alone: it holds the rank, hence
        the category, and the visit's day number i, hence its date (i is 693,595 or more, days
        from 0001-01-01, where the dates are proven from 1900); only the sequence (and a time
        of day, where imputed) are taken with it. No category and no record struct per visit:
        at 1M, 0.4 s of CPU less in each of res_BORC, res_ORR and res_BORU."""
        w = self.w
        _, _, _, _, dtf = self.occ_fields(self.src(self.r.event), "t")
        dtf = dtf if dtf.startswith("CAST(NULL") else f"dtf_{k}"
        best = "CASE o // 10000000 " + " ".join(
            f"WHEN {i} THEN {text(c.name)}" for i, c in enumerate(self.crit.categories)
        ) + " END"  # fmt: skip
        first = "" if listed is None else f" fi_{k} AS fi,"
        w.line(f"WITH g AS (SELECT key, o_{k} AS o,{first} seq_{k} AS seq, {dtf} AS dtf FROM {shared})")
        day = "o % 10000000" if listed is None else "fi"
        hit = f"CASE WHEN {day} IS NOT NULL THEN {{'d': DATE '0001-01-01' + CAST({day} AS INTEGER), 'dtf': dtf, 'seq': seq}} END"
        if listed is None:
            w.line(f", b AS (SELECT key, {best} AS best, {hit} AS hit FROM g)")
        else:
            w.line(
                f", b AS (SELECT key, {best} AS best, CASE WHEN {best} IN {listed} THEN {hit} END AS hit FROM g)"
            )

    def _category(self, ranks: bool = False) -> str:
        """A visit's category (of `v`, and `x` its confirmation where read): confirmation and
        the SD minimum (issue 16: no `vc_<P>` table; a visit with no confirmable category
        joins nothing). `ranks`: as its rank (its place in the set, as `rank` numbers it),
        for the list path, whose aggregates order by the rank: no CASE over the names."""
        r, names = self.r, self.names
        cats = [k.name for k in self.crit.categories]
        lit = (lambda c: str(cats.index(c))) if ranks else text
        vv, by_v = ("v.rnk", "x.by_rnk") if ranks else ("v.v", "x.by_v")
        conf = r.confirm
        # a visit's role: by its rank where the categories are ranks (the visits' roles are
        # their ranks'; perf, issue 16: no text compared per visit, none read from a view)
        role = (lambda x: self.role_is("v", x)) if ranks else (lambda x: f"v.role = {text(x)}")
        other = f"NOT {role('response')}" if ranks else "v.role IS DISTINCT FROM 'response'"  # rnk not NULL
        controls = self.crit.of_role("control")
        ne = lit(self.crit.of_role("ne")[0])
        sd_min = r.sd_min_days
        long_enough = "FALSE" if sd_min is None else f"(date_diff('day', v.origin, v.d) >= {number(sd_min)})"
        fallback = f"CASE WHEN {long_enough} THEN {lit(controls[0])} ELSE {ne} END" if controls else ne
        control = f"WHEN {role('control')} THEN CASE WHEN {long_enough} THEN {vv} ELSE {ne} END"
        if "pair" not in names:  # nothing is confirmed: a response counts only without a `confirm`
            response = vv if conf is None else fallback
            return f"CASE WHEN {role('response')} THEN {response} {control} ELSE {vv} END"
        if self._confirmed_by_lists():  # a row for each confirmed visit, with the rank it counts as
            response = vv if conf is None else f"coalesce(x.cat, {fallback})"
            return f"CASE WHEN {role('response')} THEN {response} {control} ELSE coalesce(x.cat, {vv}) END"
        confirmed = ("(x.allowed AND x.w_ok AND (x.arole IS DISTINCT FROM 'response' OR (x.ne_ok AND x.sd_ok"
                     " AND coalesce(x.mono_ok, TRUE))))")  # fmt: skip
        response_ok = "TRUE" if conf is None else f"coalesce({confirmed}, FALSE)"
        # a response confirmed by a worse response counts as that one (IMWG: CR then VGPR)
        own = (
            vv
            if conf is None
            else f"CASE WHEN x.by_role = 'response' AND x.by_rnk > v.rnk THEN {by_v} ELSE {vv} END"
        )
        return (
            f"CASE WHEN {role('response')} THEN CASE WHEN {response_ok} THEN {own} ELSE {fallback} END {control}"
            f" WHEN {other} AND coalesce({confirmed}, FALSE) THEN {by_v} ELSE {vv} END"
        )

    def _shared_best(self, listed: str | None) -> tuple[str, int]:
        """The per-subject relation `best_<E>_<n>` that holds this endpoint's aggregates over
        its visits' categories, and this endpoint's number k in it (columns `cat_k`, `o_k`,
        ...). Best responses over the same visits and the same confirmation (one relation
        each, written once: the same event, criteria, population and rule) share one join
        and one GROUP BY; each keeps its own category and aggregates, so an SD minimum or a
        responder list may differ (issue 16: at 1M, BORC, ORR and BORU grouped the same
        9M visits three times, 6.3 s of CPU; together 3.6 s). An endpoint that reads no
        confirmation joins the first relation over its visits, which may join one."""
        vd, pair = self.names["vd"], self.names.get("pair")
        prefix, key = f"best_{self.r.event}", (vd, pair)
        if pair is None:
            key = next((k for k in grown_keys(self.w, prefix) if k[0] == vd), key)
        # perf (issue 16): on the list path the categories are ranks (at 1M, the GROUP BY
        # 3.3 to 2.6 s CPU: no CASE from the names to the ranks in each aggregate)
        by_order = self.r.event in self.listed
        part = (self._category(ranks=by_order), self._aggregates(listed))
        event = self.r.event

        def render(name: str, parts: list) -> list[str]:
            cats = ", ".join(f"{cat} AS cat_{k}" for k, (cat, _) in enumerate(parts, 1))
            aggs = ", ".join(agg(f"cat_{k}", k) for k, (_, agg) in enumerate(parts, 1))
            join = "" if key[1] is None else f" LEFT JOIN {key[1]} AS x ON x.key = v.key AND x.i = v.i"
            return [
                f"-- {event}: per subject, each best response's pick of its visits' categories (one GROUP BY)",
                f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS",
                "WITH c AS (SELECT v.key, v.i, v.d, v.dtf, v.seq,",
                f"    {cats}",
                f"    FROM {vd} AS v{join})",
                "SELECT key,",
                f"    {aggs}",
                "FROM c GROUP BY key;",
            ]

        name, k = grow_once(self.w, prefix, key, render, part)
        return ident(name), k

    def _aggregates(self, listed: str | None):
        """This endpoint's aggregates in `_shared_best`'s GROUP BY, given its category column
        and number: the best category's first visit (the lowest order: rank, then day), or
        the first visit in a responder's categories (i, the visit's day number, < 10^7)."""
        dtf = self.occ_fields(self.src(self.r.event), "t")[4]
        imputed = not dtf.startswith("CAST(NULL")  # else every dtf is NULL: no aggregate
        by_order = self.r.event in self.listed  # perf (issue 16): dates proven in 1900-2258 (packed.fits)

        names = [c.name for c in self.crit.categories]
        ranks = (
            None if listed is None else "(" + ", ".join(str(names.index(x)) for x in self.r.responder) + ")"
        )

        def aggregates(cat: str, k: int) -> str:
            # the list path's categories are ranks (`_category`)
            order = f"{cat} * 10000000 + i" if by_order else f"{self.rank(cat)} * 10000000 + i"
            keep = "" if listed is None else f" FILTER (WHERE {cat} IN {ranks if by_order else listed})"
            if not by_order:
                hit, at = "{'d': d, 'dtf': dtf, 'seq': seq}", order if listed is None else "i"
                pick = "hit" if listed is None else "first"
                return f"arg_min({cat}, {order}) AS best_{k}, arg_min({hit}, {at}){keep} AS {pick}_{k}"
            at = order if listed is None else "i"
            found = [f"min({order}) AS o_{k}"] + ([f"min(i){keep} AS fi_{k}"] if listed else [])
            found.append(f"arg_min_null(seq, {at}){keep} AS seq_{k}")
            if imputed:
                found.append(f"arg_min_null(dtf, {at}){keep} AS dtf_{k}")
            return ", ".join(found)

        return aggregates

    def _reasons(self) -> list[str]:
        reason = self.common_reasons()
        if self.r.no_origin_assessed:
            reason = [x for x in reason if "no origin date" not in x]
        return reason
