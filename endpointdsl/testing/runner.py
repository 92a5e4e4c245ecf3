"""Scenario runner: every scenario of a file on the three engines, compared with its expectations.

All scenarios of a file run together, one subject each (subjects are derived independently),
so each engine runs once per file. When the data stop a whole run (data.errors.DataError),
each scenario runs alone, so that one scenario's bad data fails only that scenario; so do
the scenarios of a file with a grouped endpoint, whose parameters depend on every subject.
`compiled` is api.CompiledFile (its `run` is what `endpointdsl run --engine` calls) and
`trace` gives the trace text of a subject: both come from the api, the layer above.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from attrs import frozen

from ..data.errors import DataError
from ..data.read import read_tables
from ..language.diagnostics import Span
from .results import Derived, ScenarioResult
from .scenario_data import subject_id, write_tables
from .scenarios import Cell, Expect, Scenario, ScenarioFile, Value

_EMPTY = Value("missing", "", Span.unknown())  # the columns shown for a record nobody expected

ENGINES = ("sql", "compiled", "interpreter")


@frozen
class _Run:
    """One engine's outcome for one subject: its records, exclusions and findings, or why the
    run stopped."""

    records: tuple[tuple[tuple[str, object], ...], ...] = ()
    excluded: tuple[tuple[str, str], ...] = ()  # (PARAMCD, reason)
    findings: tuple[str, ...] = ()
    stopped: str | None = None

    def of(self, code: str) -> list[dict]:
        return [dict(r) for r in self.records if dict(r).get("PARAMCD") == code]


def run_scenarios(
    compiled, scenarios: ScenarioFile, trace: Callable[[dict, str, list[str]], str]
) -> list[ScenarioResult]:
    model = compiled.model
    chosen = list(scenarios.scenarios)
    runs: dict[str, dict[str, _Run]] = {sid: {} for sid in map(subject_id, chosen)}
    # A grouped endpoint (`for each`) has a parameter per value over every subject: each
    # scenario runs alone, so that its parameters are numbered by its own rows' values.
    grouped = any(ep.group is not None for ep in model.endpoints)
    for engine in ENGINES:
        outcome = None if grouped else _together(compiled, scenarios, chosen, engine)
        for sc in chosen:
            sid = subject_id(sc)
            alone = outcome is None
            runs[sid][engine] = (
                _alone(compiled, scenarios, sc, engine) if alone else _subject_run(outcome, sid)
            )
    results = []
    for sc in chosen:
        sid = subject_id(sc)
        result = _judge(sc, runs[sid])
        if not result.ok:
            tables = _safe_tables(scenarios, sc, model)  # rows numbered within the scenario
            text = (
                trace(tables, sid, [d.expect.paramcd for d in result.derived if not d.ok or result.disagree])
                if tables is not None
                else ""
            )
            result = ScenarioResult(sc, False, result.derived, result.disagree, _scrubbed(text))
        results.append(result)
    return results


def _together(compiled, scenarios: ScenarioFile, chosen: list[Scenario], engine: str):
    """One engine's run of every scenario at once; None when the data stop it."""
    try:
        return compiled.run(_tables(scenarios, chosen, compiled.model), engine=engine)
    except DataError:
        return None


def _tables(scenarios: ScenarioFile, chosen: list[Scenario], model) -> dict:
    with tempfile.TemporaryDirectory(prefix="endpointdsl-scenarios-") as folder:
        names = write_tables(Path(folder), scenarios, chosen, model)
        return read_tables(folder, names)


def _safe_tables(scenarios: ScenarioFile, sc: Scenario, model) -> dict | None:
    try:
        return _tables(scenarios, [sc], model)
    except DataError:
        return None


def _alone(compiled, scenarios: ScenarioFile, sc: Scenario, engine: str) -> _Run:
    try:
        outcome = compiled.run(_tables(scenarios, [sc], compiled.model), engine=engine)
    except DataError as exc:
        return _Run(stopped=_scrubbed(str(exc)))
    return _subject_run(outcome, subject_id(sc))


# Each engine reads the scenario's tables from a temporary folder of its own: a message that
# names the file (a date column no format reads) differed between engines, so the scenario was
# said to show "a bug in endpointdsl", and named a folder that no longer exists.
_TEMPORARY = re.compile(r"[^\s'\"(]*endpointdsl-scenarios-[^\s/\\'\"]*[/\\]")


def _scrubbed(message: str) -> str:
    """The message with the scenario's table files named as `adrs.csv`, not by temporary path."""
    return _TEMPORARY.sub("", message)


def _subject_run(outcome, sid: str) -> _Run:
    adtte, report = outcome.adtte, outcome.report
    mine = adtte[adtte.USUBJID == sid]
    records = tuple(tuple((k, _plain(v)) for k, v in row.items()) for row in mine.to_dict("records"))
    rep = report[report.USUBJID == sid]
    excluded = tuple(
        (str(p), str(msg))
        for p, s, msg in zip(rep.PARAMCD, rep.STATUS, rep.MESSAGE, strict=True)
        if s == "excluded"
    )
    findings = tuple(str(msg) for s, msg in zip(rep.STATUS, rep.MESSAGE, strict=True) if s != "excluded")
    return _Run(records, tuple(sorted(excluded)), tuple(sorted(findings)))


def _plain(value: object) -> object:
    """A cell as a scenario compares it: None for missing, ISO text for dates, float for numbers."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return (
            value.isoformat(sep="T")
            if (value.hour, value.minute, value.second) != (0, 0, 0)
            else value.date().isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) or type(value).__module__ == "numpy":
        try:
            return float(value)
        except (TypeError, ValueError):
            return str(value)
    if str(value) in ("<NA>", "NaT", "nan"):
        return None
    return str(value)


# ---- judging one scenario ------------------------------------------------------------------


def _judge(sc: Scenario, runs: dict[str, _Run]) -> ScenarioResult:
    derived = []
    ok = True
    for ex in sc.expects:
        by_text: dict[str, list[str]] = {}
        met = True
        for engine in ENGINES:
            good, text = _meets(ex, runs[engine])
            met = met and good
            by_text.setdefault(text, []).append(engine)
        ok = ok and met
        derived.append(Derived(ex, tuple((text, tuple(engines)) for text, engines in by_text.items()), met))
    outcomes = {(r.records, r.excluded, r.stopped) for r in runs.values()}
    disagree = len(outcomes) > 1
    return ScenarioResult(sc, ok and not disagree, tuple(derived), disagree, "")


def _meets(ex: Expect, run: _Run) -> tuple[bool, str]:
    """Whether one engine's outcome meets an expectation, and that outcome as the line says it."""
    if run.stopped is not None:
        return False, f"the run stopped: {run.stopped}"
    records = run.of(ex.paramcd)
    reasons = [why for code, why in run.excluded if code == ex.paramcd]
    if ex.kind == "no record":
        return not records, "no record" if not records else _shown(ex, records)
    if ex.kind == "excluded":
        hit = any(ex.reason.lower() in why.lower() for why in reasons)
        if reasons:
            return hit, "; ".join(f'excluded "{why}"' for why in reasons)
        return False, _shown(ex, records) if records else "no record, and no exclusion"
    if not records:
        return False, "; ".join(f'excluded "{why}"' for why in reasons) or "no record"
    for record in records:
        if all(_equal(cell, record.get(cell.column)) for cell in ex.cells):
            return True, _values(ex.cells, record)
    return False, _shown(ex, records)


def _shown(ex: Expect, records: list[dict]) -> str:
    cells = ex.cells or tuple(Cell(c, _EMPTY, _EMPTY.span) for c in ("ADT", "CNSR", "AVALC", "EVNTDESC"))
    return " | ".join(_values(cells, r) for r in records)


def _values(cells, record: dict) -> str:
    return ", ".join(
        f"{c.column} = {_text(record.get(c.column))}"
        for c in cells
        if c.column in record or c.value.kind != "missing"
    )


def _text(value: object) -> str:
    if value is None:
        return "missing"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str) and not _looks_like_date(value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _looks_like_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return len(text) == 10 or text[10:11] == "T"


def _equal(cell: Cell, derived: object) -> bool:
    value = cell.value
    if value.kind == "missing":
        return derived is None or derived == ""
    if derived is None:
        return False
    if value.kind == "number":
        try:
            return math.isclose(float(value.text), float(derived), rel_tol=0, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return str(derived) == value.text
