"""Checker: AST to checked model, reporting every problem of a file at once.

Error codes are stable (see docs/language.md, "Diagnostics"); each diagnostic
points at the offending token and says how to fix it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math

from . import model as m
from .checker_dates import DateFormats
from .checker_endpoint import SINGLE_CLAUSES, EndpointChecker
from .checker_names import check_names
from .language import nodes as n
from .language.diagnostics import Diagnostic, EptError, Span


class Checker:
    def __init__(self, program: n.Program):
        self.program = program
        self.diags: list[Diagnostic] = []
        self.pending: list[Diagnostic] = []  # warnings on what a valid file derives (W102)
        self.tables: dict[str, n.Table] = {}
        self.events: dict[str, n.EventDef] = {}
        self.populations: dict[str, n.PopulationDef] = {}
        self.schedules: dict[str, n.ScheduleDef] = {}
        # Endpoints by PARAMCD: their rows can be read as tables (semantics 6.5).
        self.endpoint_nodes = {e.paramcd.text: e for e in program.items if isinstance(e, n.Endpoint)}

    # ---- reporting
    def error(self, code: str, message: str, span: Span | None, hint: str | None = None):
        span = span or Span.unknown(self.program.file)
        self.diags.append(Diagnostic("error", code, message, span, hint))

    def warning(self, code: str, message: str, span: Span | None, hint: str | None = None):
        """A warning about what a valid file derives: reported only when it has no error."""
        span = span or Span.unknown(self.program.file)
        self.pending.append(Diagnostic("warning", code, message, span, hint))

    def _did_you_mean(self, name: str, choices) -> str | None:
        close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
        return f"did you mean `{close[0]}`?" if close else None

    def _unknown(self, kind: str, ident: n.Ident, choices) -> None:
        hint = self._did_you_mean(ident.text, choices)
        if hint is None:
            known = ", ".join(sorted(choices)) or "none"
            hint = f"defined {kind}s: {known}"
        self.error("E104", f"unknown {kind} '{ident.text}'", ident.span, hint)

    # ---- entry point
    def check(self) -> m.Model:
        self._collect()
        self.formats = DateFormats(self)  # before any condition: a date literal reads its column's format
        check_names(self)
        tables = tuple(self._table(t) for t in self.tables.values())
        events = tuple(self._event(e) for e in self.events.values())
        endpoints = []
        seen: dict[str, n.Endpoint] = {}
        for item in self.program.items:
            if isinstance(item, n.Endpoint):
                if item.paramcd.text in seen:
                    self.error(
                        "E102",
                        f"endpoint {item.paramcd.text} is defined twice",
                        item.paramcd.span,
                        f"the first definition is at line {seen[item.paramcd.text].span.line}",
                    )
                seen.setdefault(item.paramcd.text, item)
                resolved = self._variant(item)
                if resolved is not None:  # an unknown base: one error, not one per missing clause
                    endpoints.append(self._endpoint(resolved))
        if not any(d.severity == "error" for d in self.diags):
            self._cycles(endpoints, events)
        if not seen:
            self.error(
                "E112", "the file defines no endpoint", Span.unknown(self.program.file),
                'add `endpoint CODE "Label" ... end`',
            )  # fmt: skip
        if any(d.severity == "error" for d in self.diags):
            raise EptError(self.diags)
        warnings = tuple(d for d in [*self.diags, *self.pending] if d.severity == "warning")
        return m.Model(self.program.file, tables, events, tuple(endpoints), warnings)

    def _collect(self) -> None:
        names: dict[str, n.Ident] = {}
        for item in self.program.items:
            if isinstance(item, n.Endpoint):
                continue
            ident = item.name
            if ident.text in names:
                first = names[ident.text].span
                self.error(
                    "E101",
                    f"'{ident.text}' is defined twice",
                    ident.span,
                    f"the first definition is at line {first.line}" if first else None,
                )
                continue
            names[ident.text] = ident
            if isinstance(item, n.Table):
                if ident.text in self.endpoint_nodes:
                    self.error(
                        "E101", f"'{ident.text}' is both a table and an endpoint", ident.span,
                        "an endpoint's rows can be read as a table by its PARAMCD; rename one",
                    )  # fmt: skip
                self.tables[ident.text] = item
            elif isinstance(item, n.EventDef):
                self.events[ident.text] = item
            elif isinstance(item, n.ScheduleDef):
                self.schedules[ident.text] = item
            else:
                self.populations[ident.text] = item
        subject_tables = [t for t in self.tables.values() if t.per_subject]
        if len(subject_tables) != 1:
            spans = [t.span for t in subject_tables] or [Span.unknown(self.program.file)]
            self.error(
                "E106",
                f"exactly one table must be `one row per subject`; found {len(subject_tables)}",
                spans[-1],
                "declare the subject-level table, e.g. `table adsl: one row per subject`",
            )

    # ---- data definitions
    def _table(self, t: n.Table) -> m.TableSpec:
        key = t.key.text if t.key else "USUBJID"
        return m.TableSpec(t.name.text, t.per_subject, key, span=t.span)

    def _cycles(self, endpoints: list[m.EndpointSpec], events: tuple[m.EventSource, ...]) -> None:
        """E171: endpoints that read each other's rows, directly or not."""
        model = m.Model(self.program.file, (), events, tuple(endpoints))
        deps = {ep.paramcd: model.upstream(ep) for ep in endpoints}
        for ep in endpoints:
            path, todo = [], [(ep.paramcd, [ep.paramcd])]
            while todo:
                code, path = todo.pop()
                for up in deps.get(code, []):
                    if up == ep.paramcd:
                        self.error(
                            "E171", "endpoints read each other's results: " + " -> ".join([*path, up]),
                            ep.span, "an endpoint can read only endpoints that do not read it",
                        )  # fmt: skip
                        return
                    if up not in path:
                        todo.append((up, [*path, up]))

    def _event(self, e: n.EventDef) -> m.EventSource:
        table = self.tables.get(e.table.text)
        derived = table is None and e.table.text in self.endpoint_nodes
        if derived:
            self._derived_event(e)
        elif table is None:
            self._unknown("table", e.table, {**self.tables, **self.endpoint_nodes})
        where = self._condition(e.where, e.table.text) if e.where is not None else None
        if e.where is not None:
            self._warn_negations(e.where)
        imp = e.impute
        if imp is not None:
            for bound in (*imp.not_before, *imp.not_after):
                self._imputation_bound(e, bound)
        return m.EventSource(
            e.name.text,
            e.table.text,
            e.column.text,
            where,
            e.sequence.text if e.sequence else None,
            e.label,
            per_subject=bool(table and table.per_subject) or derived,
            impute=imp.rule if imp else None,
            not_before=tuple(b.text for b in imp.not_before) if imp else (),
            not_after=tuple(b.text for b in imp.not_after) if imp else (),
            response=e.response.text if e.response else None,
            derived=derived,
            format=self.formats.events.get(e.name.text),
            span=e.span,
        )

    def _derived_event(self, e: n.EventDef) -> None:
        """An event on another endpoint's rows: its output columns, dates ADT or STARTDT."""
        if e.column.text not in m.DERIVED_DATES:
            self.error(
                "E173", f"'{e.column.text}' is not a date of {e.table.text}'s rows", e.column.span,
                "an endpoint's rows have the dates ADT and STARTDT",
            )  # fmt: skip
        used = [e.sequence, e.response]
        if e.where is not None:
            used += [c.column for c in _tests(e.where)]
        for ident in used:
            if ident is not None and ident.text not in m.DERIVED_COLUMNS:
                self._unknown("column of an endpoint's rows", ident, m.DERIVED_COLUMNS)

    def _imputation_bound(self, e: n.EventDef, bound: n.Ident) -> None:
        """A bound is another event's single date per subject, itself not bounded (no cycles)."""
        other = self.events.get(bound.text)
        if other is None:
            self._unknown("event", bound, self.events)
            return
        table = self.tables.get(other.table.text)
        if bound.text == e.name.text or (
            other.impute and (other.impute.not_before or other.impute.not_after)
        ):
            self.error(
                "E164", f"'{bound.text}' cannot bound the imputation of '{e.name.text}'", bound.span,
                "a bound is a date that does not itself depend on imputation bounds",
            )  # fmt: skip
        elif table is not None and not table.per_subject:
            self.error(
                "E164", f"'{bound.text}' can occur many times per subject; a bound needs one date",
                bound.span, "use an event of the `one row per subject` table, e.g. the treatment start",
            )  # fmt: skip

    def _warn_negations(self, cond: n.Condition) -> None:
        """W101: `X != v` / `X not in (...)` never matches a blank X (three-valued logic),
        unless the condition also says what a missing X means."""
        nodes = list(_tests(cond))
        covered = {c.column.text for c in nodes if isinstance(c, n.IsMissing)}
        for c in nodes:
            negated = (isinstance(c, n.Compare) and c.op == "!=") or (isinstance(c, n.InList) and c.negated)
            if negated and c.column.text not in covered:
                col = c.column.text
                self.diags.append(Diagnostic(
                    "warning", "W101", f"rows where {col} is missing never match this test", c.span or Span.unknown(self.program.file),
                    f"if they should, write `({col} is missing or ...)`; to silence, write `{col} is not missing and ...`",
                ))  # fmt: skip

    def _condition(self, c: n.Condition, table: str | None = None) -> m.Condition:
        """The model of a row condition on `table`, whose date columns have their formats."""
        match c:
            case n.Compare(column=col, op=op, operand=operand):
                lit = self._literal(operand)
                if lit is not None and lit.kind == "text" and op not in ("=", "!="):
                    self.error(
                        "E161",
                        f"'{op}' compares numbers or dates, not texts",
                        c.span,
                        "use = or != with a text, or `in (...)` for several values",
                    )
                fmt = self.formats.column(table, col.text) if lit and lit.kind == "date" else None
                return m.Compare(col.text, op, lit or m.Literal("text", ""), fmt)
            case n.InList(column=col, operands=ops, negated=neg):
                lits = [self._literal(o) for o in ops]
                kinds = {lit.kind for lit in lits if lit is not None}
                if len(kinds) > 1:
                    self.error(
                        "E162",
                        "a list mixes " + " and ".join(sorted(kinds)) + " values",
                        c.span,
                        "all values in a list must be of one kind",
                    )
                fmt = self.formats.column(table, col.text) if kinds == {"date"} else None
                return m.InList(col.text, tuple(x for x in lits if x is not None), neg, fmt)
            case n.IsMissing(column=col, negated=neg):
                return m.IsMissing(col.text, neg)
            case n.And(left=a, right=b):
                return m.And(self._condition(a, table), self._condition(b, table))
            case n.Or(left=a, right=b):
                return m.Or(self._condition(a, table), self._condition(b, table))
            case n.Not(operand=a):
                return m.Not(self._condition(a, table))
        raise TypeError(c)

    def _literal(self, o: n.Operand) -> m.Literal | None:
        match o:
            case n.TextOperand(value=v):
                return m.Literal("text", v)
            case n.NumberOperand(lexeme=v):
                value = float(v)
                if not math.isfinite(value) or abs(value) > 1e15:
                    self.error(
                        "E163", f"the number {v[:20]}{'...' if len(v) > 20 else ''} is too large", o.span
                    )
                    return None
                return m.Literal("number", value)
            case n.DateOperand():
                d = self._date(o)
                return m.Literal("date", d) if d else None
            case n.NameOperand(ident=ident):
                self.error(
                    "E160",
                    f"'{ident.text}' is a name, but a value is needed here",
                    ident.span,
                    f'texts are quoted: "{ident.text}"',
                )
                return None
        raise TypeError(o)

    def _date(self, o: n.DateOperand) -> dt.date | None:
        try:
            return dt.date.fromisoformat(o.lexeme)
        except ValueError:
            self.error(
                "E141", f"{o.lexeme} is not a valid calendar date", o.span,
                "dates are written YYYY-MM-DD with a real month and day",
            )  # fmt: skip
            return None

    # ---- endpoints
    def _variant(self, ep: n.Endpoint, chain: tuple = (), report: bool = True) -> n.Endpoint | None:
        """A `like BASE` endpoint as the base's clauses with the variant's in their place.

        A base that is itself a variant is resolved first (`report=False`: its own
        problems are reported where it is defined)."""
        withouts = [c for c in ep.clauses if isinstance(c, n.Without)]
        if ep.base is None:
            for w in withouts:
                self.error(
                    "E167",
                    "`without` is for variants",
                    w.span,
                    f'write `endpoint {ep.paramcd.text} "..." like BASE`',
                )
            return ep
        bases = {e.paramcd.text: e for e in self.program.items if isinstance(e, n.Endpoint)}
        base = bases.get(ep.base.text)
        if base is None:
            if report:
                self._unknown("endpoint", ep.base, bases)
            return None
        if base.base is not None:  # a variant of a variant: resolve the base first
            chain = (*chain, ep.paramcd.text)
            if base.paramcd.text in chain:
                self.error(
                    "E167", "variants form a cycle: " + " -> ".join([*chain, base.paramcd.text]),
                    ep.base.span, "a variant starts from an endpoint that is not its own variant",
                )  # fmt: skip
                return None
            base = self._variant(base, chain, report=False)
            if base is None:
                return None
        own = [c for c in ep.clauses if not isinstance(c, n.Without)]
        replaced = {clause_key(c) for c in own}
        if any(isinstance(c, (n.CensorSingle, n.CensorLatest)) for c in own):
            replaced.add("censor")
        for w in withouts:
            key = {"stop": ("stop", w.event.text if w.event else ""), "missed": "censor events after"}.get(
                w.what, w.what
            )
            if report and not any(clause_key(c) == key for c in base.clauses):
                self.error("E167", f"{base.paramcd.text} has no {w.what} to leave out", w.span)
            replaced.add(key)
        kept = [c for c in base.clauses if clause_key(c) not in replaced and not isinstance(c, n.Without)]
        return n.Endpoint(ep.paramcd, ep.param, (*kept, *own), span=ep.span)

    def _endpoint(self, ep: n.Endpoint) -> m.EndpointSpec:
        return EndpointChecker(self, ep).check()

    def population(self, p: n.Population, name: str | None) -> m.Population:
        match p:
            case n.WithEvent(event=ev):
                if ev.text not in self.events:
                    self._unknown("event", ev, self.events)
                return m.Population("with", name or f"subjects with {ev.text}", event=ev.text)
            case n.TableWhere(table=t, where=w):
                if t.text not in self.tables:
                    self._unknown("table", t, self.tables)
                return m.Population(
                    "where", name or f"{t.text} rows meeting a condition",
                    table=t.text, where=self._condition(w, t.text),
                )  # fmt: skip
        raise TypeError(p)


def _tests(cond: n.Condition):
    """The comparisons and missing-value tests of a condition (nesting is at most 100 deep)."""
    match cond:
        case n.And(left=a, right=b) | n.Or(left=a, right=b):
            yield from _tests(a)
            yield from _tests(b)
        case n.Not(operand=a):
            yield from _tests(a)
        case _:
            yield cond


def clause_key(c: n.Clause) -> object:
    """What a variant's clause replaces in its base."""
    match c:
        case n.CensorSingle() | n.CensorLatest():
            return "censor"
        case n.Stop(event=event):
            return ("stop", event.text)
    return SINGLE_CLAUSES.get(type(c), type(c).__name__)


def check(program: n.Program) -> m.Model:
    """Resolve and check a program; raise EptError with every error found."""
    return Checker(program).check()
