"""Code generator: checked model to a readable, deterministic Python module.

Everything taken from a .ept file reaches the generated source either as an
identifier already validated against IDENTIFIER (and prefixed, so no keyword
or builtin can be shadowed) or as a `repr()` literal; nothing is pasted in raw.
Each generated line that implements a .ept statement carries a `# file:line`
comment, and LINE_MAP maps generated lines to .ept lines.
"""

from __future__ import annotations

import datetime as dt
import re

from . import __version__
from . import model as m

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def ident(prefix: str, name: str) -> str:
    if not IDENTIFIER.match(name):  # the grammar makes this impossible; refuse anyway
        raise ValueError(f"not an identifier: {name!r}")
    return f"{prefix}{name}"


def lit(value: object) -> str:
    """A Python literal for a value from the model."""
    if isinstance(value, dt.date):
        return f"_dt.date({value.year}, {value.month}, {value.day})"
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if isinstance(value, tuple):
        return "(" + "".join(f"{lit(v)}, " for v in value) + ")"
    raise TypeError(f"cannot emit {type(value).__name__}")


class Writer:
    """Source text with an indent level and a generated-line to .ept-line map."""

    def __init__(self, file: str):
        self.file = file
        self.lines: list[str] = []
        self.line_map: dict[int, int] = {}
        self.level = 0

    def line(self, text: str = "", src=None) -> None:
        if not text:
            self.lines.append("")
            return
        if src is not None:
            line = src.line if hasattr(src, "line") else src
            self.line_map[len(self.lines) + 1] = line
            text = f"{text}  # {_short(self.file)}:{line}"
        self.lines.append("    " * self.level + text)

    def indent(self) -> None:
        self.level += 1

    def dedent(self) -> None:
        self.level -= 1


def _short(path: str) -> str:
    """A file name safe inside a comment or docstring: no quotes, escapes or line breaks."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._+-]", "_", name)


def condition(c: m.Condition) -> str:
    match c:
        case m.Compare(column=col, op=op, literal=lt):
            return f"rt.compare(row.get({col!r}), {op!r}, {lt.kind!r}, {lit(lt.value)})"
        case m.InList(column=col, literals=lts, negated=neg):
            kind = lts[0].kind if lts else "text"
            values = lit(tuple(x.value for x in lts))
            return f"rt.one_of(row.get({col!r}), {kind!r}, {values}, {neg!r})"
        case m.IsMissing(column=col, negated=neg):
            return f"(row.get({col!r}) is {'not ' if neg else ''}None)"
        case m.And(left=a, right=b):
            return f"rt.and3({condition(a)}, {condition(b)})"
        case m.Or(left=a, right=b):
            return f"rt.or3({condition(a)}, {condition(b)})"
        case m.Not(operand=a):
            return f"rt.not3({condition(a)})"
    raise TypeError(f"codegen does not handle {type(c).__name__}")


def generate(model: m.Model) -> tuple[str, dict[int, int]]:
    """The module source and its line map."""
    return ModuleWriter(model).module()


class ModuleWriter:
    def __init__(self, model: m.Model):
        self.model = model
        self.w = Writer(model.file)

    def module(self) -> tuple[str, dict[int, int]]:
        w = self.w
        w.line(f'"""Endpoints compiled from {_short(self.model.file)} by endpointdsl {__version__}.')
        w.line("")
        w.line("Generated code: do not edit. A comment `# file:line` names the .ept line that a")
        w.line("line implements; LINE_MAP holds the same map. Needs only endpointdsl.runtime.")
        w.line('"""')
        w.line("import datetime as _dt")
        w.line("")
        w.line("from endpointdsl import runtime as rt")
        w.line("")
        w.line(f"SOURCE_FILE = {self.model.file!r}")
        w.line(f"SUBJECT_TABLE = {self.model.subject_table.name!r}")
        w.line("TABLES = {")
        for t in self.model.tables:
            w.line(f"    {t.name!r}: {{'per_subject': {t.per_subject!r}, 'key': {t.key!r}, 'columns': {{")
            for column, line in self._columns(t.name).items():
                w.line(f"        {column!r}: {line!r},")
            w.line("    }},")
        w.line("}")
        for ev in self.model.events:
            self._event(ev)
        for ep in self.model.endpoints:
            self._endpoint(ep)
        w.line("")
        w.line("")
        w.line("ENDPOINTS = {")
        for ep in self.model.endpoints:
            w.line(f"    {ep.paramcd!r}: {ident('derive_', ep.paramcd)},")
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
        w.line("from endpointdsl.tables import run_tables")
        w.line("")
        w.line("return run_tables(TABLES, SUBJECT_TABLE, ENDPOINTS, tables, SOURCE_FILE)")
        w.dedent()
        w.line("")
        w.line("")
        table = dict(self.w.line_map)
        w.line(f"LINE_MAP = {table!r}")
        return "\n".join(w.lines) + "\n", table

    def _columns(self, table: str) -> dict[str, int]:
        """Columns of a table that the file uses, with the .ept line that first uses each."""
        cols: dict[str, int] = {}
        spec = self.model.table(table)
        cols[spec.key] = spec.span.line if spec.span else 0
        for ev in self.model.events:
            if ev.table != table:
                continue
            line = ev.span.line if ev.span else 0
            for c in [ev.column, ev.sequence, *sorted(m.condition_columns(ev.where))]:
                if c:
                    cols.setdefault(c, line)
        for ep in self.model.endpoints:
            pop = ep.population
            if pop.kind == "where" and pop.table == table:
                for c in sorted(m.condition_columns(pop.where)):
                    cols.setdefault(c, ep.span.line if ep.span else 0)
        return cols

    # ---- events
    def _event(self, ev: m.EventSource) -> None:
        w = self.w
        domain = self.model.table(ev.table).domain
        where = "None"
        if ev.where is not None:
            w.line("")
            w.line("")
            w.line(f"def {ident('_where_', ev.name)}(row):")
            w.indent()
            w.line(f"return {condition(ev.where)}", ev.span)
            w.dedent()
            where = ident("_where_", ev.name)
        w.line("")
        w.line("")
        w.line(f"def {ident('event_', ev.name)}(subject, notes):")
        w.indent()
        w.line(f'"""Occurrences of {ev.name}: dated {ev.table} rows, in date order."""')
        w.line(
            f"return rt.select(subject, {ev.table!r}, {where}, {ev.name!r}, {domain!r}, "
            f"{ev.column!r}, {ev.sequence!r}, notes, {ev.where is not None or not ev.per_subject!r})",
            ev.span,
        )
        w.dedent()

    # ---- endpoints
    def _endpoint(self, ep: m.EndpointSpec) -> None:
        from .codegen_endpoint import EndpointWriter

        EndpointWriter(self.w, ep).write()
