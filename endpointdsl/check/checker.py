"""Checker: AST to checked model, reporting every problem of a file at once.

Error codes are stable (see docs/language.md, "Diagnostics"); each diagnostic
points at the offending token and says how to fix it.
"""

from __future__ import annotations

from ..language import nodes as n
from ..language.diagnostics import Diagnostic, EptError, Span
from ..language.printer import _date as format_date
from . import model as m
from .adam import check_adam
from .conditions import Conditions
from .confirm import ConfirmedEvents
from .criteria import check_set
from .dates import DateFormats
from .endpoint import SINGLE_CLAUSES, EndpointChecker
from .groups import check_groups
from .imputation import offset_days
from .names import check_names
from .reldates import RelDates
from .scope import Scope
from .value import check_series


class Checker(Scope):
    """The file-level checker: declarations, tables and events; each endpoint is checked
    by `endpoint.EndpointChecker`."""

    # ---- entry point
    def check(self) -> m.Model:
        self._collect()
        self.reldates = RelDates(self)  # reldates: derived dates, declared and inline
        # before any condition: a date literal reads its column's format
        self.conditions = Conditions(self, DateFormats(self))
        check_names(self)
        tables = tuple(self._table(t) for t in self.tables.values())
        # criteria (issue 13): the file's response criteria sets, before the endpoints naming them
        self.criteria = {name: check_set(d, self.error) for name, d in self.criteria_nodes.items()}
        # value endpoints (issue 14): the series, before the endpoints reading them
        self.series = {name: check_series(self, self.conditions, d) for name, d in self.series_nodes.items()}
        confirmed = ConfirmedEvents(self, self.conditions.formats.events)
        events = tuple(
            confirmed.check(e)
            if isinstance(e, n.ConfirmedEventDef)
            else self.reldates.declare(e)
            if isinstance(e, n.DateDef)
            else self._event(e)
            for e in self.events.values()
        )
        # extreme (issue 19, part 2): `E has C` in an outcome is an event of its own, made from E's
        self.event_sources = {e.name: e for e in events}
        self.extreme_events: dict = {}
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
        events += tuple(self.reldates.inline.values())  # reldates: dates written inline
        events += tuple(self.extreme_events.values())  # extreme (issue 19, part 2)
        adam = check_adam(self, self.program)  # adam: keep, dataset, paramn
        check_groups(self, endpoints, events)  # groups (issue 13)
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
        return m.Model(self.program.file, tables, events, tuple(endpoints), warnings, adam=adam)

    def _collect(self) -> None:
        names: dict[str, n.Ident] = {}
        for item in self.program.items:
            if isinstance(item, (n.Endpoint, n.KeepDef, n.DatasetDef)):  # adam: no name declared
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
            elif isinstance(
                item, (n.EventDef, n.ConfirmedEventDef, n.DateDef)
            ):  # a derived date is used as an event
                self.events[ident.text] = item
            elif isinstance(item, n.ScheduleDef):
                self.schedules[ident.text] = item
            elif isinstance(item, n.CriteriaDef):  # criteria (issue 13)
                self.criteria_nodes[ident.text] = item
            elif isinstance(item, n.SeriesDef):  # value endpoints (issue 14)
                self.series_nodes[ident.text] = item
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
            self.unknown("table", e.table, {**self.tables, **self.endpoint_nodes})
        where = self.conditions.condition(e.where, e.table.text) if e.where is not None else None
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
            format=self.conditions.formats.events.get(e.name.text),
            span=e.span,
            time=self._with_time(e, derived),
            impute_day_only=bool(imp and imp.day_only),
            not_before_days=offset_days(self, imp.before_offsets) if imp else (),
            not_after_days=offset_days(self, imp.after_offsets) if imp else (),
        )

    def _with_time(self, e: n.EventDef, derived: bool) -> bool:
        """Times of day: E233 where `with time` cannot keep a time (imputed or derived dates)."""
        if not e.with_time:
            return False
        if e.impute is not None or derived:
            what = (
                "an imputed date has no time of day"
                if e.impute is not None
                else ("another endpoint's rows have dates only")
            )
            self.error(
                "E233", f"`with time` does not apply to event {e.name.text}: {what}", e.span,
                "drop `with time`, or read a date-time column of an input table",
            )  # fmt: skip
            return False
        return True

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
                self.unknown("column of an endpoint's rows", ident, m.DERIVED_COLUMNS)

    def _imputation_bound(self, e: n.EventDef, bound: n.Ident) -> None:
        """A bound is another event's single date per subject, itself not bounded (no cycles)."""
        other = self.events.get(bound.text)
        if other is None:
            self.unknown("event", bound, self.events)
            return
        if isinstance(other, n.ConfirmedEventDef | n.DateDef):  # confirmed events and derived dates: issue 12
            what = "a confirmed event" if isinstance(other, n.ConfirmedEventDef) else "a derived date"
            self.error(
                "E164", f"{bound.text!r} is {what}; it cannot bound an imputation", bound.span,
                "a bound is the date of an event of the `one row per subject` table, e.g. the treatment start",
            )  # fmt: skip
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
            negated = (isinstance(c, (n.Compare, n.CompareTo)) and c.op == "!=") or (
                isinstance(c, n.InList) and c.negated
            )
            if negated and c.column.text not in covered:
                col = c.column.text
                self.diags.append(Diagnostic(
                    "warning", "W101", f"rows where {col} is missing never match this test", c.span or Span.unknown(self.program.file),
                    f"if they should, write `({col} is missing or ...)`; to silence, write `{col} is not missing and ...`",
                ))  # fmt: skip

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
                self.unknown("endpoint", ep.base, bases)
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
        base_to = next((c for c in base.clauses if isinstance(c, n.Terminating)), None)
        if any(isinstance(c, n.Terminating) and _kinds(c) != _kinds(base_to) for c in own):
            # competing events (issue 13): the tie rule goes with the events it was stated for; a
            # variant with other events (NRM like CIR swaps the kinds) states its own (E272)
            replaced.add("same day")
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
        return EndpointChecker(self, self.conditions, ep).check()


def _kinds(clause: n.Terminating | None):
    """The events of interest and the competing events of a `to` clause, as sets of names."""
    if clause is None:
        return None
    return frozenset(r.event.text for r in clause.events), frozenset(r.event.text for r in clause.competing)


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
        case n.Stop(event=event, date=date):  # reldates: an inline date is keyed by its text
            return ("stop", event.text if date is None else format_date(date))
    return SINGLE_CLAUSES.get(type(c), type(c).__name__)


def check(program: n.Program) -> m.Model:
    """Resolve and check a program; raise EptError with every error found."""
    return Checker(program).check()
