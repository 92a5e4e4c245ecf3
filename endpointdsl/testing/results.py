"""Test results: what `endpointdsl test` found per scenario and per property, and its text."""

from __future__ import annotations

from attrs import frozen

from .scenarios import Expect, Scenario


@frozen
class Derived:
    """One expectation and what the engines derived for it: (text, engines) per distinct outcome."""

    expect: Expect
    outcomes: tuple[tuple[str, tuple[str, ...]], ...]
    ok: bool = True  # every engine met it


@frozen
class ScenarioResult:
    scenario: Scenario
    ok: bool
    derived: tuple[Derived, ...]
    disagree: bool  # the engines derived different records: a bug in endpointdsl
    trace: str = ""  # the reference interpreter's trace of the subject, when it failed


@frozen
class PropertyOutcome:
    paramcd: str
    name: str
    description: str
    ok: bool
    message: str = ""
    skipped: str | None = None  # why the property does not apply to this endpoint (ok is True)


@frozen
class FileReport:
    ept: str
    scenario_file: str | None  # None: the .ept has no scenario file
    scenarios: tuple[ScenarioResult, ...] = ()
    properties: tuple[PropertyOutcome, ...] = ()

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.scenarios) and all(p.ok for p in self.properties)


@frozen
class TestReport:
    """What `api.test_file` returns: one FileReport per .ept file."""

    __test__ = False  # not a test class, for pytest

    files: tuple[FileReport, ...]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def counts(self) -> tuple[int, int]:
        """(passed, failed) over every scenario and property that applies."""
        items = [s.ok for f in self.files for s in f.scenarios] + [
            p.ok for f in self.files for p in f.properties if p.skipped is None
        ]
        return sum(items), len(items) - sum(items)

    @property
    def skipped(self) -> int:
        """Properties that do not apply to their endpoint (each says why)."""
        return sum(p.skipped is not None for f in self.files for p in f.properties)


def expectation(ex: Expect) -> str:
    """An `expect` line as written (without `expect`)."""
    if ex.kind == "values":
        return f"{ex.paramcd}: " + ", ".join(f"{c.column} = {c.value.shown()}" for c in ex.cells)
    if ex.kind == "excluded":
        return f'{ex.paramcd}: excluded "{ex.reason}"'
    return f"{ex.paramcd}: no record"


def scenario_failure(result: ScenarioResult) -> list[str]:
    """Why a scenario failed: per expectation, expected and derived (per engine), and the trace."""
    out = []
    for d in result.derived:
        if d.ok and not result.disagree:  # met by every engine: not part of the failure
            continue
        out.append(f"  expected  {expectation(d.expect)}")
        for text, engines in d.outcomes:
            out.append(f"  derived   {d.expect.paramcd}: {text}   ({', '.join(engines)})")
    if result.disagree:
        out.append(
            "  the three engines derived different records for this subject: that is a bug in "
            "endpointdsl, not in your file; please report it with this scenario"
        )
    if result.trace:
        out.append("  trace (as `endpointdsl trace` prints it):")
        out += ["    " + line if line else "" for line in result.trace.splitlines()]
    return out


def render_file(f: FileReport) -> str:
    """One .ept file's lines: PASS or FAIL per scenario and property, and why each failed."""
    lines = [f"{f.ept}: " + (f"scenarios in {f.scenario_file}" if f.scenario_file else "no scenario file")]
    for s in f.scenarios:
        lines.append(f'{"PASS" if s.ok else "FAIL"}  scenario "{s.scenario.name}"')
        if not s.ok:
            lines += scenario_failure(s)
    for p in f.properties:
        if p.skipped is not None:
            lines.append(f"SKIP  property {p.paramcd}: {p.name} (not applicable: {p.skipped})")
            continue
        lines.append(f"{'PASS' if p.ok else 'FAIL'}  property {p.paramcd}: {p.name}")
        if not p.ok:
            lines += ["  " + line for line in (p.message or p.description).splitlines()]
    return "\n".join(lines) + "\n"


def render_total(report: TestReport) -> str:
    passed, failed = report.counts
    scen = sum(len(f.scenarios) for f in report.files)
    props = sum(len(f.properties) for f in report.files)
    what = f"{_plural(scen, 'scenario')}, {_plural(props, 'property', 'properties')}"
    skipped = f", {report.skipped} skipped" if report.skipped else ""
    return f"{passed} passed, {failed} failed{skipped} ({what})\n"


def render(report: TestReport) -> str:
    return "".join(render_file(f) for f in report.files) + render_total(report)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
