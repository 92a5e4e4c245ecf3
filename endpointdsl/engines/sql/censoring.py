"""SQL generator, the censoring steps of a time-to-event endpoint (docs/semantics.md 3).

`rule_columns` evaluates each censoring rule in order (its conditions, and for `latest of`
the choice that gives the date, a tie going to the later-listed one), `branch` the branch
taken (missed assessment, event, or the first rule that applies), and `field` reads a record
field (date, sequence, flags, domain, outcome texts) from the branch. A mixin of
`endpoint.EndpointSql`, which provides the occurrence picks and the CTE writer.
"""

from __future__ import annotations

from ...check import model as m
from .writer import ident, text


class CensoringSql:
    def choice(self, ch: m.CensorChoice, rule_no: int, choice_no: int) -> dict[str, str]:
        """Fields of one censoring choice: date (NULL: no date), source date, seq, dtf, dom, var, outcome."""
        o, spec = ch.outcome, ch.date
        out = {"cnsr": str(o.cnsr), "evntdesc": text(o.evntdesc), "cnsdtdsc": text(o.cnsdtdsc)}
        if spec.kind == "origin":
            dom, var = self.origin_dom_var()
            return out | {"date": "p.origin", "src": "p.origin", "seq": "p.origin_seq", "dtf": "p.origin_dtf",
                          "dom": dom, "var": var}  # fmt: skip
        dom, var = self.dom_var(spec.event)
        continuous = self.ep.ascertainment == "continuous"
        if spec.kind in ("first", "last") and not continuous:  # inside the window
            pick = f"p.{ident(f'{spec.kind} {spec.event}')}"
            return out | {"date": f"{pick}.d", "src": f"{pick}.d", "seq": f"{pick}.seq", "dtf": f"{pick}.dtf",
                          "dom": dom, "var": var}  # fmt: skip
        if spec.kind in ("first", "last"):  # on or after the origin (p3's c-picks), capped at the end
            pick = f"p.{ident(f'c{spec.kind} {spec.event}')}"
            valid = f"{pick}.d IS NOT NULL"
        else:  # a subject-level date: before the origin it does not apply
            pick = self.pick_all(spec)
            valid = f"{pick}.d IS NOT NULL" + ("" if self.ep.clamp else f" AND {pick}.d >= p.origin")
        inside = f'{pick}.d <= p."end"'
        fields = self.capped(out, pick, inside, dom, var)
        # after the end: censored at the end (continuous), or the rule does not apply (at visits)
        after = "NULL" if self.ep.ascertainment == "at visits" else 'p."end"'
        fields["date"] = f"CASE WHEN NOT ({valid}) THEN NULL WHEN {inside} THEN {pick}.d ELSE {after} END"
        if spec.kind == "single" and not self.ep.clamp:
            fields["note"] = (
                f"CASE WHEN {pick}.d < p.origin THEN {text(self.model.event(spec.event).display + ' on ')} || CAST({pick}.d AS VARCHAR)"
                f" || {text(' is before the origin ')} || CAST(p.origin AS VARCHAR) || {text('; ignored')} END"
            )
        return fields

    def capped(self, out: dict[str, str], pick: str, inside: str, dom: str, var: str) -> dict[str, str]:
        """The fields of a date that is censored at the end of observation when it lies after
        it: no source then, and the limiting bound's outcome where the bound declares one."""

        def capped(value: str, when_capped: str) -> str:
            return f"CASE WHEN {inside} THEN {value} ELSE {when_capped} END"

        def lim(field: str, default: str) -> str:
            cases = []
            for i, b in enumerate(self.ep.bounds, 1):
                bo = b.outcome
                value = {"cnsr": str(bo.cnsr) if bo else default,
                         "evntdesc": text(bo.evntdesc) if bo and bo.evntdesc is not None else default,
                         "cnsdtdsc": text(bo.cnsdtdsc if bo and bo.cnsdtdsc is not None else b.description)}[field]  # fmt: skip
                cases.append(f"WHEN {i} THEN {value}")
            return f"CASE p.lim {' '.join(cases)} END" if cases else "NULL"

        return {
            "src": f"CASE WHEN {inside} THEN {pick}.d END",
            "seq": f"CASE WHEN {inside} THEN {pick}.seq END",
            "dtf": f"CASE WHEN {inside} THEN {pick}.dtf END",
            "dom": f"CASE WHEN {inside} THEN {dom} END",
            "var": f"CASE WHEN {inside} THEN {var} END",
            "cnsr": capped(out["cnsr"], lim("cnsr", out["cnsr"])),
            "evntdesc": capped(out["evntdesc"], lim("evntdesc", out["evntdesc"])),
            "cnsdtdsc": capped(out["cnsdtdsc"], lim("cnsdtdsc", "NULL")),
        }

    def rule_condition(self, c: m.RuleCondition) -> str:
        if c.kind == "stopped":
            stops = [
                str(i) for i, b in enumerate(self.ep.bounds, 1) if b.kind == "stop" and b.event == c.event
            ]
            return f"coalesce(p.lim IN ({', '.join(stops)}), FALSE)" if stops else "FALSE"
        has = f"p.{ident('has ' + c.event)}"
        return has if c.kind == "has" else f"NOT {has}"

    def rule_columns(self) -> tuple[list, list[str]]:
        """The censoring rules' columns in two layers (p4, then the layer that reads them):
        each rule's date `r<i>`, whether its conditions hold, and whether the subject reached
        the window; then, for `latest of`, which choice gave the date (it reads `r<i>`)."""
        ep = self.ep
        items, choices = [], []
        self.rules: list[list[dict[str, str]]] = []
        for i, rule in enumerate(ep.censoring, 1):
            options = [self.choice(ch, i, j) for j, ch in enumerate(rule.choices, 1)]
            self.rules.append(options)
            conds = " AND ".join(self.rule_condition(c) for c in rule.conditions) or "TRUE"
            dates = [c["date"] for c in options]
            best = dates[0] if len(dates) == 1 else f"GREATEST({', '.join(dates)})"
            items.append((f"CASE WHEN {conds} THEN {best} END AS r{i},", rule.span))
            items.append(f"{conds} AS r{i}_holds,")
            if len(options) > 1:  # latest of: a tie goes to the later-listed choice
                which = " ".join(
                    f"WHEN {d} = p.r{i} THEN {j}" for j, d in reversed(list(enumerate(dates, 1)))
                )
                choices.append(f"CASE {which} END AS r{i}_choice")
        items.append('p.in_pop AND p.origin IS NOT NULL AND p."end" >= p.origin AS reached')
        return items, choices

    def branch(self) -> str:
        """p7: the branch taken (missed assessment, event, or the first rule that applies)."""
        branch = ["WHEN NOT p.reached THEN NULL", "WHEN p.missed THEN -1", "WHEN p.ev_d IS NOT NULL THEN 0"]
        branch += [f"WHEN p.r{i} IS NOT NULL THEN {i}" for i in range(1, len(self.ep.censoring) + 1)]
        return f"CASE {' '.join(branch)} END AS branch"

    def field(self, name: str) -> str:
        ep = self.ep
        cases = []
        if ep.missed is not None:
            o = ep.missed.outcome
            dom, var = self.dom_var(ep.missed.event)
            odom, ovar = self.origin_dom_var()
            missed = {"date": "p.last_d", "src": "p.last_d", "seq": "p.last_seq", "dtf": "p.last_dtf",
                      "dom": f"CASE WHEN p.last_is_origin THEN {odom} ELSE {dom} END",
                      "var": f"CASE WHEN p.last_is_origin THEN {ovar} ELSE {var} END",
                      "cnsr": str(o.cnsr), "evntdesc": text(o.evntdesc), "cnsdtdsc": text(o.cnsdtdsc)}  # fmt: skip
            cases.append(f"WHEN -1 THEN {missed[name]}")
        event = {"date": "p.ev_d", "src": "p.ev_d", "cnsr": "0", "cnsdtdsc": "CAST(NULL AS VARCHAR)"}
        if any(t.competing for t in ep.events):  # competing events (issue 13): CNSR by the event chosen
            del event["cnsr"]
        if name in event:
            cases.append(f"WHEN 0 THEN {event[name]}")
        else:
            per = []
            for i, t in enumerate(ep.events, 1):
                first = f"p.{ident('first ' + t.event)}"
                dom, var = self.dom_var(t.event)
                value = {"seq": f"{first}.seq", "dtf": f"{first}.dtf", "dom": dom, "var": var,
                         "evntdesc": text(t.evntdesc), "cnsr": str(t.cnsr)}[name]  # fmt: skip
                per.append(f"WHEN {i} THEN {value}")
            cases.append(f"WHEN 0 THEN CASE p.ev_pos {' '.join(per)} END")
        for i, choices in enumerate(self.rules, 1):
            if len(choices) == 1:
                cases.append(f"WHEN {i} THEN {choices[0][name]}")
            else:
                per = " ".join(f"WHEN {j} THEN {c[name]}" for j, c in enumerate(choices, 1))
                cases.append(f"WHEN {i} THEN CASE p.r{i}_choice {per} END")
        return f"CASE p.branch {' '.join(cases)} END"
