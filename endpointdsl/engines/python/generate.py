"""Code generator: checked model to a readable, deterministic Python module.

Nothing from a .ept file is pasted in raw (see `emit`). Each generated line that implements a .ept statement carries a `# file:line`
comment, and LINE_MAP maps generated lines to .ept lines.
"""

from __future__ import annotations

from ...check import model as m
from ...check.usage import table_usage, value_series
from ...version import __version__
from .emit import Writer, call, condition, ident, lit
from .endpoint import EndpointWriter
from .groups import write_grouped
from .value import write_series, write_value


def generate(model: m.Model) -> tuple[str, dict[int, int]]:
    """The module source and its line map."""
    return ModuleWriter(model).module()


class ModuleWriter:
    def __init__(self, model: m.Model):
        self.model = model
        self.w = Writer(model.file_name)

    def module(self) -> tuple[str, dict[int, int]]:
        w = self.w
        w.line(f'"""Endpoints compiled from {self.model.file_name} by endpointdsl {__version__}.')
        w.line("")
        w.line("Generated code: do not edit. A comment `# file:line` names the .ept line that a")
        w.line("line implements; LINE_MAP holds the same map. Imports the runtime of the installed")
        w.line("endpointdsl package (endpointdsl.engines.python.runtime and runtime_response).")
        w.line('"""')
        w.line("import datetime as _dt")
        w.line("")
        w.line("from endpointdsl.engines.python import runtime as rt")
        w.line("from endpointdsl.engines.python import runtime_response as rr")
        if any(ev.confirm is not None for ev in self.model.events):  # confirmed events (issue 12)
            w.line("from endpointdsl.engines.python import runtime_confirm as rc")
        if any(ep.group is not None for ep in self.model.endpoints):  # groups (issue 13)
            w.line("from endpointdsl.engines.python import runtime_groups as rg")
        if any(ep.kind == "extreme" for ep in self.model.endpoints):  # extreme (issue 19, part 2)
            w.line("from endpointdsl.engines.python import runtime_extreme as rx")
        if any(ep.value is not None for ep in self.model.endpoints):  # value endpoints (issue 14)
            w.line("from endpointdsl.engines.python import runtime_value as rv")
        w.line("")
        w.line(f"SOURCE_FILE = {self.model.file!r}")
        w.line(f"SUBJECT_TABLE = {self.model.subject_table.name!r}")
        w.line("TABLES = {")
        for name, use in table_usage(self.model).items():
            w.line(
                f"    {name!r}: {{'per_subject': {use['per_subject']!r}, 'key': {use['key']!r}, 'columns': {{"
            )
            for column, line in use["columns"].items():
                w.line(f"        {column!r}: {line!r},")
            w.line("    }, 'dates': [")  # the date columns data.tables.validate checks whole
            for date in use["dates"]:
                w.line(f"        {date!r},")
            w.line("    ]},")
        w.line("}")
        for ev in self.model.events:
            self._event(ev)
        for series in value_series(self.model):  # value endpoints (issue 14)
            write_series(w, series)
        for ep in self.model.endpoints:
            if ep.value is not None:  # value endpoints (issue 14)
                write_value(w, ep)
                continue
            self._endpoint(ep)
            if ep.group is not None:  # groups (issue 13): one parameter per value
                write_grouped(w, self.model, ep)
        w.line("")
        w.line("")
        w.line("ENDPOINTS = {")
        for ep in self.model.endpoints:
            fn = ident("grouped_" if ep.group is not None else "derive_", ep.paramcd)
            w.line(f"    {ep.paramcd!r}: {fn},")
        w.line("}")
        w.line("# What each endpoint derives: tte (ADTTE record), best, landmark or occurrence.")
        w.line("KINDS = {")
        for ep in self.model.endpoints:
            w.line(f"    {ep.paramcd!r}: {ep.kind!r},")
        w.line("}")
        w.line("PARAMS = {")
        for ep in self.model.endpoints:
            w.line(f"    {ep.paramcd!r}: {ep.param!r},")
        w.line("}")
        w.line("")
        w.line("")
        w.line("def run(tables):")
        w.indent()
        w.line('"""Derive every endpoint from a dict of pandas DataFrames: a RunResult (adtte, report)."""')
        w.line("from endpointdsl.data.tables import run_tables")
        w.line("")
        w.line("return run_tables(TABLES, SUBJECT_TABLE, ENDPOINTS, tables, SOURCE_FILE, KINDS)")
        w.dedent()
        w.line("")
        w.line("")
        table = dict(self.w.line_map)
        w.line(f"LINE_MAP = {table!r}")
        return "\n".join(w.lines) + "\n", table

    # ---- events
    def _event(self, ev: m.EventSource) -> None:
        if ev.confirm is not None:
            self._confirmed_event(ev)
            return
        w = self.w
        if ev.date is not None:  # reldates: a derived date
            self._derived_date(ev)
            return
        domain = ev.table.upper() if ev.derived else self.model.table(ev.table).domain
        where = "None"
        if ev.where is not None:
            w.line("")
            w.line("")
            # a condition reading a one-row-per-subject table is given the subject (issue 12: conditions)
            by_subject = bool(m.subject_columns(ev.where))
            w.line(f"def {ident('_where_', ev.name)}(row{', subject' if by_subject else ''}):")
            w.indent()
            w.line(f"return {condition(ev.where)}", ev.span)
            w.dedent()
            where = ident("_where_", ev.name)
            if by_subject:
                where = f"lambda row: {where}(row, subject)"
        w.line("")
        w.line("")
        w.line(f"def {ident('event_', ev.name)}(subject, notes):")
        w.indent()
        w.line(f'"""Occurrences of {ev.name}: dated {ev.table} rows, in date order."""')
        table = repr(ev.table)
        if ev.derived:  # another endpoint's row for this subject (semantics 6.5)
            derived = call(
                "rt.derived_rows", "subject", paramcd=lit(ev.table), derive=ident("derive_", ev.table)
            )
            w.line(f"table = {derived}", ev.span)
            table = "table"
        named = {
            "table": table, "where": where, "event": lit(ev.display), "domain": lit(domain),
            "column": lit(ev.column), "sequence": lit(ev.sequence), "notes": "notes",
            "report_missing": lit(ev.where is not None or not ev.per_subject),
        }  # fmt: skip
        if ev.impute is not None:
            before = ", ".join(_bound_dates(b, days) for b, days in ev.imputation_bounds("before"))
            after = ", ".join(_bound_dates(b, days) for b, days in ev.imputation_bounds("after"))
            named |= {"impute": lit(ev.impute), "not_before": f"[{before}]", "not_after": f"[{after}]"}
            if ev.impute_day_only:
                named |= {"impute_day_only": lit(True)}
        if ev.response is not None or ev.derived:
            named |= {"response": lit(ev.response), "derived": lit(ev.derived)}
        if ev.format is not None:
            named |= {"date_format": lit(ev.format)}
        if ev.time:  # times of day
            named |= {"with_time": lit(True)}
        if ev.rank:  # extreme (issue 19, part 2): `first|last by COLUMN`
            named |= {"rank_column": lit(ev.rank)}
        w.line(f"return {call('rt.select', 'subject', **named)}", ev.span)
        w.dedent()

    # ---- confirmed and sustained events (issue 12, item 2; semantics 2.1)
    def _confirmed_event(self, ev: m.EventSource) -> None:
        w, c = self.w, ev.confirm
        w.line("")
        w.line("")
        w.line(f"def {ident('event_', ev.name)}(subject, notes):")
        w.indent()
        w.line(f'"""Occurrences of {ev.name}: the occurrences of {c.candidate} that the rule confirms."""')

        def occ(name: str | None) -> str:
            return f"{ident('event_', name)}(subject, notes)" if name else "[]"

        named = {"event": lit(ev.name), "kind": lit(c.kind), "confirming": occ(c.confirming)}
        if c.kind == "later":
            named |= {"at_least": lit(c.at_least), "at_most": lit(c.at_most), "breaking": occ(c.without)}
        else:
            named |= {"assessments": occ(c.assessments), "count": lit(c.count)}
            named |= {"death": occ(c.death), "death_within": lit(c.death_within)}
        w.line(f"return {call('rc.confirmed', occ(c.candidate), **named)}", ev.span)
        w.dedent()

    # ---- reldates: derived dates (docs/semantics.md section 8)
    def _derived_date(self, ev: m.EventSource) -> None:
        w = self.w
        w.line("")
        w.line("")
        w.line(f"def {ident('event_', ev.name)}(subject, notes):")
        w.indent()
        w.line(f'"""The derived date {ev.name}: at most one occurrence."""')
        w.line(f"return rt.derived_date({self._date_expr(ev.date)}, event={lit(ev.display)})", ev.span)
        w.dedent()

    def _date_expr(self, expr) -> str:
        if isinstance(expr, m.DateShift):
            return call("rt.date_shift", self._date_expr(expr.base), days=lit(expr.days))
        named = {"which": lit(expr.which)}
        if expr.which == "nth":
            named["n"] = lit(expr.n)
        if expr.relation is not None:
            named |= {"relation": lit(expr.relation), "other": self._date_expr(expr.other)}
        return call("rt.date_pick", f"{ident('event_', expr.event)}(subject, notes)", **named)

    # ---- endpoints
    def _endpoint(self, ep: m.EndpointSpec) -> None:
        EndpointWriter(self.w, ep, self.model).write()


# ---- finer imputation (issue 12)
def _bound_dates(event: str, days: int) -> str:
    """The dates of an imputation bound, moved by its offset (`not after alive + 1 day`)."""
    dates = f"rt.dates_of({ident('event_', event)}(subject, notes))"
    return f"*rt.shifted({dates}, {int(days)})" if days else f"*{dates}"
