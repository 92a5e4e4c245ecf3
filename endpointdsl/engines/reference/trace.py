"""trace (issue 15): why one subject got its record, told by the reference interpreter.

`trace(model, ep, subject)` walks docs/semantics.md section 3 with the interpreter's own
parts (`occurrences`, the bounds, the censoring candidates), noting each decision, and takes
the record from `interpreter.derive` itself: the trace never derives a record of its own,
so it cannot disagree with the interpreter, and the tests hold the interpreter to the other
two engines. What it says:

* the source rows each event read: table, row number, SEQ, the date cell as read, the date
  and its imputation flag;
* the occurrences ignored, and why (before the origin, after the end of observation, outside
  the window, and the findings: unusable dates, responses that are not categories);
* the end of observation and the bound that set it;
* the row of the explain table that decided (its key, check/explain.py) and the record, or
  the exclusion reason.
"""

from __future__ import annotations

import datetime as dt

from attrs import field, frozen

from ...check import model as m
from ...data.records import Derivation, Record
from ...data.values import Subject
from . import interpreter as ip
from . import response as rs


@frozen
class Read:
    """One source row an event read."""

    event: str
    table: str
    row: int | None
    seq: float | None
    cell: object  # the date cell as read (the input text, date or number)
    date: dt.date
    imputed: str | None  # the imputation flag (D, M), None when the date was complete
    response: str | None = None


@frozen
class Trace:
    subject: str
    paramcd: str
    kind: str
    reads: tuple[Read, ...]
    ignored: tuple[str, ...]
    origin: str | None
    end: str  # the end of observation and what set it
    steps: tuple[str, ...]  # the decisions, in order
    decided: str | None  # the explain table's row key
    derivation: Derivation
    findings: tuple[str, ...] = field(factory=tuple)
    param: str | None = None  # groups: the parameter's PARAM (the value it is for)

    @property
    def record(self) -> Record | None:
        return self.derivation.record

    @property
    def excluded(self) -> str | None:
        return self.derivation.excluded


def trace(model: m.Model, ep: m.EndpointSpec, subject: Subject) -> Trace:
    derivation = ip.derive(model, ep, subject)  # the record: the interpreter's, unchanged
    scratch: list[str] = []
    occ = {n: ip.occurrences(model, n, subject, scratch) for n in dict.fromkeys(ip._referenced(ep))}
    reads = tuple(_reads(model, occ, subject))
    walk = _Walk(model, ep, subject, occ, derivation)
    walk.run()
    return Trace(
        str(subject.id), ep.paramcd, ep.kind, reads, tuple(walk.ignored), walk.origin_text, walk.end_text,
        tuple(walk.steps), walk.key, derivation, derivation.findings,
    )  # fmt: skip


def _reads(model: m.Model, occ: dict, subject: Subject):
    for name, found in occ.items():
        src = model.event(name)
        rows = {} if src.derived else {r.number: r for r in subject.rows(src.table)}
        for o in found:
            row = rows.get(o["row"])
            cell = row.get(src.column) if row is not None else o["date"]
            yield Read(name, src.table, o["row"], o["seq"], cell, o["date"], o["flag"], o.get("value"))


def _seq(o: dict) -> str:
    return "" if o.get("seq") is None else f" SEQ {_num(o['seq'])}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def where(o: dict) -> str:
    """An occurrence as the trace names it: event, date, source row."""
    src = f"{o['domain']} row {o['row']}" if o.get("domain") else f"row {o['row']}"
    return f"{o['event']} on {o['date']} ({src}{_seq(o)})"


class _Walk:
    def __init__(self, model, ep, subject, occ, derivation):
        self.model, self.ep, self.subject, self.occ, self.derivation = model, ep, subject, occ, derivation
        self.ignored: list[str] = []
        self.steps: list[str] = []
        self.key: str | None = None
        self.origin_text: str | None = None
        self.end_text = "no end of observation"

    def run(self) -> None:
        ep, occ = self.ep, self.occ
        pop = ep.population
        if pop.kind == "with" and not occ[pop.event]:
            return self._exclude("X:population", f"no {pop.event}: not in the population {pop.description}")
        if pop.kind == "where" and not any(
            ip.holds(pop.where, r, self.subject) is True for r in self.subject.rows(pop.table)
        ):
            return self._exclude(
                "X:population", f"no {pop.table} row where the condition holds: not in {pop.description}"
            )
        if pop.kind != "all":
            self.steps.append(f"in the population ({pop.description})")
        if ep.kind == "value":  # value endpoints (issue 14): no origin of their own
            return self._value()
        origin_occ = ip._date_of(ep.origin, occ, None)
        if origin_occ is None:
            if ep.response is not None and ep.response.no_origin_assessed:
                self.origin_text = "none (`no origin: not assessed`)"
                return self._decide(f"C:{self.derivation.record.AVALC}", "no origin date: not assessed")
            return self._exclude("X:origin", f"no origin date: {ep.origin.describe()} has no usable date")
        origin = origin_occ["date"]
        self.origin_text = f"{origin} from {where(origin_occ)}" + (
            f", imputed ({origin_occ['flag']})" if origin_occ.get("flag") else ""
        )
        end, limiting, limit_index = dt.date.max, None, None
        for k, b in enumerate(ep.bounds, 1):
            day = ip._bound_date(b, origin, occ)
            self.steps.append(f"bound {k} ({b.description}): {day if day is not None else 'no date'}")
            if day is not None and day < end:
                end, limiting, limit_index = day, b, k
        if limiting is not None:
            self.end_text = f"{end}, set by bound {limit_index}: {limiting.description}"
        if end < origin:
            return self._exclude("X:before-origin", f"observation ends before the origin ({end})")
        self.origin, self.end, self.limiting, self.limit_index = origin, end, limiting, limit_index
        self.origin_occ = origin_occ
        # The walk of each kind of endpoint (EndpointSpec.kind); a kind without its own walk is
        # told by its record (the lead adds the kinds of issues 14 and 19 here).
        if ep.kind in ("best", "landmark", "occurrence"):
            return self._response()
        if ep.kind == "tte" and not m.timed(ep):
            return self._tte()
        return self._by_record()

    # ---- outcomes ----

    def _exclude(self, key: str, text: str) -> None:
        self.key = key
        self.steps.append(f"excluded: {text}")

    def _decide(self, key: str, text: str) -> None:
        self.key = key
        self.steps.append(f"decided by row {key}: {text}")

    # ---- time to event (section 3, steps 4 and 5) ----

    def _tte(self) -> None:
        ep, occ, origin, end = self.ep, self.occ, self.origin, self.end
        best = None
        for pos, term in enumerate(ep.events):
            for o in occ[term.event]:
                if not ep.clamp and o["date"] < origin:
                    self.ignored.append(f"{where(o)}: before the origin {origin}")
                    continue
                if o["date"] > end:
                    self.ignored.append(f"{where(o)}: after the end of observation {end}")
                    continue
                key = (o["date"], pos, o["seq"] is None, o["seq"] or 0.0, o["row"])
                if best is None or key < best[0]:
                    best = (key, o, pos)
        if best is not None:
            o, pos = best[1], best[2]
            suffix = ""
            if ep.missed is not None:
                decided, suffix = self._missed(o)
                if decided:
                    return
            term = ep.events[pos]
            what = "competing event" if term.competing else "event"
            return self._decide(f"E{pos + 1}{suffix}", f"the {what} {where(o)} is the earliest in the window")
        self.steps.append("no event in the window")
        for i, rule in enumerate(ep.censoring, 1):
            failed = [c for c in rule.conditions if not self._holds(c)]
            if failed:
                self.steps.append(
                    f"censoring rule {i}: its condition {failed[0].kind} {failed[0].event} does not hold"
                )
                continue
            found = []
            for j, ch in enumerate(rule.choices, 1):
                cand = ip._censor_candidate(
                    ch, occ, self.origin_occ, origin, end, self.limiting, ep.clamp,
                    lambda x: x["date"] <= end and (ep.clamp or x["date"] >= origin), [], ep.ascertainment,
                )  # fmt: skip
                if cand is None:
                    self.steps.append(f"censoring rule {i}: {ch.date.describe()} gives no date")
                else:
                    found.append((cand, j, ch))
            if not found:
                continue
            chosen = found[0]
            for cand in found[1:]:
                if cand[0][0] >= chosen[0][0]:
                    chosen = cand
            (date, _, _, src), j, ch = chosen
            key = f"R{i}" if len(rule.choices) == 1 else f"R{i}.{j}"
            if src is None:  # known event-free past the end: censored at the end
                return self._decide(
                    f"{key}>B{self.limit_index}",
                    f"censoring rule {i}: {ch.date.describe()} is after the end; censored at the end {date}",
                )
            return self._decide(key, f"censoring rule {i}: {ch.date.describe()}, {where(src)}")
        self._exclude("X:no-rule", "no event, and no censoring rule applies")

    def _holds(self, c: m.RuleCondition) -> bool:
        if c.kind == "stopped":
            return (
                self.limiting is not None and self.limiting.kind == "stop" and self.limiting.event == c.event
            )
        happened = any(o["date"] <= self.end for o in self.occ[c.event])
        return happened if c.kind == "has" else not happened

    def _missed(self, o: dict) -> bool:
        ep, rule = self.ep, self.ep.missed
        before = [
            a
            for a in self.occ[rule.event]
            if a["date"] < o["date"] and (ep.clamp or a["date"] >= self.origin)
        ]
        last = (
            max(before, key=lambda a: (a["date"], a["seq"] is None, a["seq"] or 0.0, a["row"]))
            if before
            else self.origin_occ
        )
        days_in = (last["date"] - self.origin).days
        interval = next(every for every, until in rule.schedule.pieces if until is None or days_in < until)
        limit = rule.count * interval + rule.schedule.window
        gap = (o["date"] - last["date"]).days
        suffix = ".1" if before else ".0"  # measured from an assessment, or from the origin
        if gap > limit:
            self._decide(
                f"M{suffix}",
                f"the event {where(o)} is {gap} days after {where(last)}, more than {_num(limit)}",
            )
            return True, suffix
        since = f"the last {rule.event}" if before else "the origin"
        self.steps.append(f"missed assessments: the event is {gap} days after {since}, at most {_num(limit)}")
        return False, suffix

    # ---- responses and incidence (section 6) ----

    def _response(self) -> None:
        ep, spec, occ, origin, end = self.ep, self.ep.response, self.occ, self.origin, self.end
        if spec.kind in ("best", "landmark"):
            t = rs.table(spec)
            for o in occ[spec.event]:
                if o["date"] < origin:
                    self.ignored.append(f"{where(o)}: before the origin {origin}")
                elif o["date"] > end:
                    self.ignored.append(f"{where(o)}: after the end of observation {end}")
                elif o["value"] not in t["best"]:
                    self.ignored.append(f"{where(o)}: response {o['value']!r} is not a {t['title']} response")
            vs = rs.visits(self.model, spec.event, occ[spec.event], origin, end, [], t)
            for v in vs:
                self.steps.append(f"visit {v['date']}: {v['response']}")
        if spec.kind in ("landmark", "occurrence"):
            start = rs._window_date(spec.start, ep.origin_day, origin, occ)
            stop = rs._window_date(spec.stop, ep.origin_day, origin, occ)
            if start is None or stop is None:
                return self._exclude("X:window", self.derivation.excluded or "a window bound has no date")
            self.steps.append(f"window {start} to {stop}")
            if spec.kind == "landmark":
                for v in vs:
                    if not start <= v["date"] <= stop:
                        self.ignored.append(
                            f"the visit of {v['date']} ({v['response']}): not in the window {start} to {stop}"
                        )
            if spec.kind == "occurrence":
                for o in occ[spec.event]:
                    if not start <= o["date"] <= stop:
                        self.ignored.append(f"{where(o)}: not in the window {start} to {stop}")
                    elif o["date"] > end:
                        self.ignored.append(f"{where(o)}: after the end of observation {end}")
        return self._by_record()

    def _value(self) -> None:
        """A value endpoint (issue 14): the series' rows, the findings on them, the record."""
        s, d = self.ep.value.series, self.derivation
        rows = [r for r in self.subject.rows(s.table)
                if s.where is None or ip.holds(s.where, r, self.subject) is True]  # fmt: skip
        self.steps.append(f"series {s.name}: {len(rows)} row(s) of {s.table}")
        self.ignored += [f for f in d.findings if f.startswith(f"{s.name}:")]
        if d.record is None:
            why = d.excluded or ""
            key = next((k for k, text in _VALUE_REASONS if text in why), "X:no-sample")
            return self._exclude(key, why)
        rec = d.record
        if self.ep.value.stat == "detectable":
            return self._decide(f"C:{rec.AVALC}", f"AVALC {rec.AVALC}")
        unit = f" {rec.AVALU}" if getattr(rec, "AVALU", None) else ""
        return self._decide("V", f"AVAL {_num(rec.AVAL)}{unit}")

    def _by_record(self) -> None:
        """The row of the table the interpreter's record is (responses; clock-timed endpoints)."""
        d = self.derivation
        if d.record is None:
            why = d.excluded or ""
            key = "X:not-evaluable" if why.startswith("not evaluable") else "X:no-rule"
            key = "X:no-time" if why.startswith("no time of day") else key
            return self._exclude(key, d.excluded or "")
        rec = d.record
        if self.ep.response is not None:
            src = f" ({rec.SRCDOM} {rec.SRCVAR} SEQ {_num(rec.SRCSEQ)})" if rec.SRCSEQ is not None else ""
            return self._decide(
                f"C:{rec.AVALC}", f"AVALC {rec.AVALC}" + (f" from {rec.ADT}{src}" if rec.ADT else "")
            )
        for pos, term in enumerate(self.ep.events, 1):
            if rec.CNSR == term.cnsr and rec.EVNTDESC == (
                term.evntdesc or self.model.event(term.event).label
            ):
                return self._decide(f"E{pos}", f"the event {term.event} on {rec.ADT}")
        for i, rule in enumerate(self.ep.censoring, 1):
            for j, ch in enumerate(rule.choices, 1):
                if rec.CNSR == ch.outcome.cnsr and rec.CNSDTDSC == ch.outcome.cnsdtdsc:
                    key = f"R{i}" if len(rule.choices) == 1 else f"R{i}.{j}"
                    return self._decide(key, f"censoring rule {i} on {rec.ADT}")
        self.key = None


# A value endpoint's exclusion (engines/reference/value.py's reasons) and its row of the table.
_VALUE_REASONS = (
    ("X:origin", "no origin date"), ("X:duplicates", "have the same"), ("X:units", "several units"),
    ("X:no-quantifiable", "no quantifiable sample"), ("X:no-sample", "no usable sample"),
)  # fmt: skip


# ---- groups (issue 13): one parameter per value -------------------------------------------


def narrowed(model: m.Model, ep: m.EndpointSpec, value: tuple) -> m.Model:
    """The model whose grouped event keeps only the rows of one value (as groups.grouped)."""
    import attrs

    g = ep.group
    src = model.event(g.event)
    cond = src.where
    for column, v in zip(g.columns, value, strict=True):
        test = m.IsMissing(column, False) if v is None else m.Compare(column, "=", m.Literal("text", v))
        cond = test if cond is None else m.And(cond, test)
    events = tuple(attrs.evolve(e, where=cond) if e.name == g.event else e for e in model.events)
    return attrs.evolve(model, events=events)


# ---- the trace as text ----------------------------------------------------------------------


def _cell(value) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return repr(value) if isinstance(value, str) else str(value)


def text(t: Trace) -> str:
    """The trace as the command line prints it."""
    out = [f"{t.paramcd}, subject {t.subject}" + (f" ({t.param})" if t.param else "")]
    if t.origin is not None:
        out.append(f"  origin: {t.origin}")
    out.append(f"  end of observation: {t.end}")
    out.append("  source rows read:")
    if not t.reads:
        out.append("    (none)")
    for r in t.reads:
        seq = f" SEQ {_num(r.seq)}" if r.seq is not None else ""
        row = f" row {r.row}" if r.row is not None else ""
        imputed = f", imputed ({r.imputed})" if r.imputed else ""
        resp = f", response {r.response!r}" if r.response is not None else ""
        out.append(f"    {r.event}: {r.table}{row}{seq}: {_cell(r.cell)} read as {r.date}{imputed}{resp}")
    ignored = list(t.ignored) + [f for f in t.findings if f not in t.ignored]
    out.append("  ignored:")
    out += [f"    {x}" for x in ignored] or ["    (nothing)"]
    out.append("  decisions:")
    out += [f"    {s}" for s in t.steps]
    if t.record is not None:
        r = t.record
        fields = [
            "STARTDT",
            "ADT",
            "AVAL",
            "AVALU",
            "CNSR",
            "AVALC",
            "EVNTDESC",
            "CNSDTDSC",
            "SRCDOM",
            "SRCVAR",
            "SRCSEQ",
        ]
        shown = [f"{f}={_cell(getattr(r, f))}" for f in fields if getattr(r, f) is not None]
        out.append(f"  record: {', '.join(shown)}")
    else:
        out.append(f"  no record: excluded ({t.excluded})")
    return "\n".join(out) + "\n"
