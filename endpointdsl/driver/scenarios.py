"""Driver, test (issue 15): a .ept file's scenarios on the three engines and its generated properties."""

from __future__ import annotations

import functools
from pathlib import Path

from ..check.model import Model
from ..language.diagnostics import EptError, with_source
from .compiled import CompiledFile, compile_file
from .tracing import TraceError, trace


def read_scenario_file(path: str | Path, model: Model):
    """A .scenarios file read and checked against the model of its .ept (testing/); raises
    EptError with every diagnostic of the scenario file (E001-E004, E400-E419)."""
    from ..testing.scenario_check import check_scenarios
    from ..testing.scenarios import not_utf8, parse_scenarios

    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    scenarios = parse_scenarios(text, str(path))
    problems = check_scenarios(scenarios, model)
    if problems:
        raise EptError(with_source(problems, text))
    return scenarios


def scenario_path(ept: str | Path) -> Path:
    """Where a .ept file's scenarios are: FILE.scenarios beside FILE.ept."""
    return Path(ept).with_suffix(".scenarios")


def test_file(
    path: str | Path,
    scenarios: str | Path | None = None,
    properties: bool = True,
    examples: int = 50,
    seed: int = 0,
    checks=None,
):
    """Run a .ept file's scenarios (FILE.scenarios beside it, or `scenarios`) on the three
    engines, then (`properties`) the generated properties of each endpoint with `examples`
    histories drawn from `seed`. Returns a testing.results.TestReport. Raises EptError for a
    bad .ept or scenario file, FileNotFoundError for a `scenarios` file that is not there.
    `checks`: the property checks' source (default: testing.properties.property_checks)."""
    from ..testing.results import FileReport, TestReport

    compiled = compile_file(path)
    given = scenarios is not None
    where = Path(scenarios) if given else scenario_path(path)
    if given and not where.is_file():
        raise FileNotFoundError(f"{where}: no such scenario file")
    results = (
        tuple(run_scenarios(compiled, read_scenario_file(where, compiled.model))) if where.is_file() else ()
    )
    outcomes = []
    if properties:
        if checks is None:
            from ..testing.properties import property_checks as checks
        for ep in compiled.model.endpoints:
            outcomes += [run_property(ep.paramcd, c, examples, seed) for c in checks(compiled, ep.paramcd)]
    report = FileReport(str(path), str(where) if where.is_file() else None, results, tuple(outcomes))
    return TestReport((report,))


def run_scenarios(compiled: CompiledFile, scenarios) -> list:
    """Every scenario of a checked scenario file on the three engines (testing/runner.py): a
    testing.results.ScenarioResult each, with the trace of a failing one."""
    from ..testing.runner import run_scenarios as run

    return run(compiled, scenarios, functools.partial(_scenario_trace, compiled.model))


def run_property(paramcd: str, check, examples: int, seed: int):
    """One generated property's outcome (testing.results.PropertyOutcome); a property that
    crashes is a failure that says so, not a traceback."""
    from ..testing.results import PropertyOutcome

    skipped = getattr(check, "skipped", None)
    if skipped is not None:  # does not apply to this endpoint: said, not run
        return PropertyOutcome(paramcd, check.name, check.description, True, "", skipped)
    try:
        result = check.run(examples, seed)
        ok, message = result.ok, result.message
    except Exception as exc:
        ok, message = False, f"the property could not run: {type(exc).__name__}: {exc}"
    return PropertyOutcome(paramcd, check.name, check.description, ok, message)


def _scenario_trace(model: Model, tables: dict, subject: str, codes: list[str]) -> str:
    """The trace text of a scenario's subject for the endpoints it expects (as `trace` prints)."""
    from ..data.errors import DataError
    from ..engines.reference.trace import text

    parts = []
    for code in dict.fromkeys(codes):
        try:
            parts += [text(t) for t in trace(model, tables, subject, code)]
        except (TraceError, DataError) as exc:
            parts.append(f"{code}: no trace ({exc})")
    return "\n".join(parts)
