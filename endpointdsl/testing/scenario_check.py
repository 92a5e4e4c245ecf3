"""Scenario checker: a scenario file held against the checked model of its .ept, every problem at once.

Codes E400-E419 (docs/testing.md). A scenario names the .ept's own tables and the columns
the .ept reads (the input a derivation can depend on), the endpoints' PARAMCDs and the
output's columns; a value of the wrong kind for what the .ept reads the column as (a
number where it reads a date) is refused, as its run would only test the typo.
"""

from __future__ import annotations

import datetime as dt
import difflib

from ..check import model as m
from ..check.usage import column_uses
from ..data.tables import output_columns
from ..language.diagnostics import Diagnostic, Span
from .scenario_data import scenario_usage
from .scenarios import Cell, Expect, Row, Scenario, ScenarioFile, Value

# The output columns whose values are dates, numbers or texts (any other: any kind).
DATE_OUTPUTS = frozenset({"STARTDT", "ADT"})
NUMBER_OUTPUTS = frozenset({"AVAL", "CNSR", "SRCSEQ", "PARAMN"})
TEXT_OUTPUTS = frozenset(
    {"PARAM", "AVALU", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "STARTDTF", "ADTF", "PARCAT1", "PARCAT2"}
)
_NOT_EXPECTED = frozenset({"USUBJID", "PARAMCD", "STUDYID"})  # the runner's, and the `expect` line's


def _error(code: str, message: str, span: Span | None, hint: str | None = None) -> Diagnostic:
    return Diagnostic("error", code, message, span or Span.unknown(), hint)


def _nearest(name: str, names, what: str) -> str:
    names = sorted(set(names))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    close += [n for n in names if n.lower() == name.lower() and n not in close]
    if close:
        return f"did you mean {', '.join(close)}? ({what}: {', '.join(names)})"
    return f"{what}: {', '.join(names)}" if names else f"there are no {what}"


def output_names(model: m.Model) -> list[str]:
    """Every column an output record of this .ept can have, but the subject key and PARAMCD."""
    eps = model.endpoints
    responses = any(ep.response is not None or ep.value is not None for ep in eps)
    parcats = max((len(ep.group.columns) for ep in eps if ep.group is not None), default=0)
    columns = [*output_columns(responses, any(m.timed(ep) for ep in eps), parcats), "PARAMN"]
    columns += [c.name for c in model.adam.keep]
    return [c for c in dict.fromkeys(columns) if c not in _NOT_EXPECTED]


def parameter(model: m.Model, code: str) -> m.EndpointSpec | None:
    """The endpoint that gives PARAMCD `code`: its own, or a grouped endpoint's numbered one."""
    for ep in model.endpoints:
        if ep.paramcd == code:
            return ep
        rest = code[len(ep.paramcd) :]
        if ep.group is not None and code.startswith(ep.paramcd) and rest.isdigit() and len(code) == 8:
            return ep
    return None


def check_scenarios(scenarios: ScenarioFile, model: m.Model) -> list[Diagnostic]:
    usage = scenario_usage(model)
    readers: dict[tuple[str, str], set[str]] = {}
    for use in column_uses(model):
        readers.setdefault((use.table, use.column), set()).add(use.reader)
    diags: list[Diagnostic] = []
    rows = _RowCheck(model, usage, readers, diags)
    for row in scenarios.background:
        rows.check(row)
    rows.once(scenarios.background, "the background")
    if scenarios.background_span is not None and not scenarios.background:
        diags.append(_error("E411", "the background has no rows", scenarios.background_span,
                            "give rows as `TABLE: COLUMN = value, ...` under `background`, or remove it"))  # fmt: skip
    if not scenarios.scenarios:
        diags.append(_error("E410", "the file has no scenario", Span(scenarios.file, 1, 1, 1, 2),
                            'write one as `scenario "NAME"` followed by rows and `expect` lines'))  # fmt: skip
    seen: dict[str, Scenario] = {}
    outputs = output_names(model)
    for sc in scenarios.scenarios:
        if sc.name in seen:
            first = seen[sc.name].span.line
            diags.append(_error("E408", f'scenario "{sc.name}" is named twice (first on line {first})',
                                sc.span, "give each scenario its own name: a failure is reported by it"))  # fmt: skip
        seen.setdefault(sc.name, sc)
        if not sc.name.strip():
            diags.append(
                _error("E408", "a scenario needs a name", sc.span, 'as in scenario "B1: progression"')
            )
        for row in sc.rows:
            rows.check(row)
        rows.once(sc.rows, f'scenario "{sc.name}"')
        if not sc.expects:
            diags.append(_error("E409", f'scenario "{sc.name}" has no `expect` line', sc.span,
                                "say what the record must be: `expect PARAMCD: CNSR = 0, ...`, "
                                '`expect PARAMCD: excluded "reason"` or `expect PARAMCD: no record`'))  # fmt: skip
        _check_expects(sc.expects, model, outputs, diags)
    return diags


class _RowCheck:
    """Rows against the .ept's tables and the columns it reads, and how it reads each."""

    def __init__(self, model: m.Model, usage: dict, readers: dict, diags: list[Diagnostic]):
        self.model, self.usage, self.readers, self.diags = model, usage, readers, diags

    def check(self, row: Row) -> None:
        if row.table not in self.usage:
            self.diags.append(_error("E400", f"the .ept file has no table '{row.table}'", row.span,
                                     _nearest(row.table, self.usage, "its tables")))  # fmt: skip
            return
        table = self.model.table(row.table)
        columns = self.usage[row.table]["columns"]
        given: dict[str, Cell] = {}
        for cell in row.cells:
            if cell.column in given:
                self.diags.append(_error("E412", f"{cell.column} is given twice in this row", cell.span,
                                         f"first at column {given[cell.column].span.column}; give it once"))  # fmt: skip
                continue
            given[cell.column] = cell
            if not _in_calendar(cell.value, self.diags):
                continue
            if cell.column == table.key:
                self.diags.append(_error("E402", f"{cell.column} is the subject key of {row.table}", cell.span,
                                         "the runner gives each scenario its own subject: remove it"))  # fmt: skip
            elif cell.column not in columns:
                self.diags.append(_error("E401", f"the .ept file reads no column {cell.column} of {row.table}",
                                         cell.span, _nearest(cell.column, [c for c in columns if c != table.key],
                                                             f"columns of {row.table} it reads")))  # fmt: skip
            else:
                self._kind(row.table, cell)

    def _kind(self, table: str, cell: Cell) -> None:
        """A number where the .ept reads a date, or a date where it reads a number."""
        readers, value = self.readers.get((table, cell.column), set()), cell.value
        if value.kind == "number" and "date" in readers:
            hint = 'dates are written YYYY-MM-DD; an odd date as a text, as in "2020-02-30"'
            self.diags.append(_error("E403", f"{table}.{cell.column} is read as a date, not a number",
                                     value.span, hint))  # fmt: skip
        elif value.kind == "date" and "number" in readers and "date" not in readers:
            self.diags.append(_error("E403", f"{table}.{cell.column} is read as a number, not a date",
                                     value.span, f'write a number, or "{value.text}" as a text to test bad data'))  # fmt: skip

    def once(self, rows: tuple[Row, ...], where: str) -> None:
        """A table of one row per subject has at most one row in the background or a scenario."""
        seen: set[str] = set()
        for row in rows:
            if row.table in self.usage and self.usage[row.table]["per_subject"]:
                if row.table in seen:
                    self.diags.append(_error("E404", f"{where} gives {row.table} a second row", row.span,
                                             f"{row.table} has one row per subject: give its columns in one line"))  # fmt: skip
                seen.add(row.table)


def _check_expects(expects: tuple[Expect, ...], model: m.Model, outputs: list[str], diags: list) -> None:
    seen: dict[str, Expect] = {}
    codes = [ep.paramcd for ep in model.endpoints]
    for ex in expects:
        ep = parameter(model, ex.paramcd)
        if ep is None:
            diags.append(_error("E405", f"the .ept file has no endpoint {ex.paramcd}", ex.span,
                                _nearest(ex.paramcd, codes, "its endpoints")))  # fmt: skip
            continue
        if ep.group is not None and ex.paramcd == ep.paramcd:
            # no record has the grouped endpoint's own code: `no record` held whatever was derived
            of, width = ", ".join(ep.group.columns), 8 - len(ep.paramcd)  # as data.groups numbers them
            first, second = (f"{ex.paramcd}{i:0{width}d}" for i in (1, 2))
            diags.append(_error("E415", f"{ex.paramcd} is a grouped endpoint (for each {of}): no record "
                                "has that code", ex.span, f"expect its parameters, {first}, {second}..., "
                                f"numbered by the scenario's values of {of}"))  # fmt: skip
            continue
        if ex.paramcd in seen:
            diags.append(_error("E413", f"{ex.paramcd} is expected twice in this scenario", ex.span,
                                f"first on line {seen[ex.paramcd].span.line}: give its columns in one `expect` line"))  # fmt: skip
        seen.setdefault(ex.paramcd, ex)
        if ex.kind == "excluded" and not ex.reason.strip():
            diags.append(_error("E407", "an empty reason matches any exclusion", ex.span,
                                'give words of the reason, as in excluded "no origin"'))  # fmt: skip
        given: set[str] = set()
        for cell in ex.cells:
            if cell.column in given:
                diags.append(
                    _error("E412", f"{cell.column} is given twice in this line", cell.span, "give it once")
                )
            given.add(cell.column)
            if not _in_calendar(cell.value, diags):
                continue
            if cell.column not in outputs:
                hint = _nearest(cell.column, outputs, "output columns")
                if cell.column in _NOT_EXPECTED:
                    hint = f"{cell.column} is set by the runner and the `expect` line; expect another column"
                diags.append(_error("E406", f"records have no column {cell.column}", cell.span, hint))
            else:
                _expected_kind(cell, diags)


def _in_calendar(value: Value, diags: list) -> bool:
    """A date written as a date is one of the calendar; an impossible one is a text."""
    if value.kind != "date":
        return True
    try:
        dt.date.fromisoformat(value.text)
    except ValueError:
        diags.append(_error("E414", f"{value.text} is not a date of the calendar", value.span,
                            f'to test an impossible date, write it as a text: "{value.text}"'))  # fmt: skip
        return False
    return True


def _expected_kind(cell: Cell, diags: list) -> None:
    value: Value = cell.value
    if value.kind == "missing":
        return
    wanted = (
        "date" if cell.column in DATE_OUTPUTS
        else "number" if cell.column in NUMBER_OUTPUTS
        else "text" if cell.column in TEXT_OUTPUTS
        else None
    )  # fmt: skip
    if wanted is None or value.kind == wanted:
        return
    shown = {"date": "a date (YYYY-MM-DD)", "number": "a number", "text": 'a quoted text ("...")'}[wanted]
    hint = f'write {shown}, as in {cell.column} = "{value.text}"' if wanted == "text" else f"write {shown}"
    diags.append(_error("E407", f"{cell.column} is {shown}, not {_kind_name(value)}", value.span, hint))


def _kind_name(value: Value) -> str:
    return {"date": "a date", "number": "a number", "text": "a text"}[value.kind]
