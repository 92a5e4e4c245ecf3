"""pytest plugin (issue 15): the scenarios of .ept files, and their generated properties, as test items.

Registered by the `pytest11` entry point, so `pytest` in a study repository runs them. A
`.ept` file under the paths pytest is given is collected when it has a `.scenarios` file
beside it: one item per scenario. With `--ept-properties` (or `ept_properties = true` in
the ini file), every `.ept` file is collected, with one item per generated property of each
endpoint (`ept_examples` histories each, from `ept_seed`). pytest only visits the paths it
is given (or `testpaths`), so a project's own examples run only when asked: `pytest examples/`.
"""

from __future__ import annotations

import pytest

# endpointdsl itself is imported only when a .ept file is collected: the plugin loads in
# every pytest session of an environment that has endpointdsl installed.


def pytest_addoption(parser) -> None:
    group = parser.getgroup("endpointdsl", "endpointdsl scenarios and properties of .ept files")
    group.addoption(
        "--ept-properties",
        action="store_true",
        default=None,
        help="also collect every .ept file's generated properties (ini: ept_properties = true)",
    )
    parser.addini(
        "ept_properties", "collect the generated properties of every .ept file", type="bool", default=False
    )
    parser.addini("ept_examples", "histories generated per property (default 50)", default="50")
    parser.addini("ept_seed", "seed of the generated histories (default 0)", default="0")


def pytest_configure(config) -> None:
    _settings(config)  # a bad ept_examples or ept_seed stops the session before any test


def _settings(config) -> tuple[int, int]:
    """(ept_examples, ept_seed) from the ini file, as `endpointdsl test` checks --examples and
    --seed: a value that is not a whole number (an inline `# comment`, which ini files do not
    strip) or fewer than one history is a usage error, not a traceback in every property item
    (nor, for 0, properties that pass having checked nothing)."""
    values = []
    for name, least in (("ept_examples", 1), ("ept_seed", None)):
        text = str(config.getini(name)).strip()
        try:
            value = int(text)
        except ValueError:
            raise pytest.UsageError(
                f"{name} = {text!r} in the ini file: not a whole number (a comment goes on a line of its own)"
            ) from None
        if least is not None and value < least:
            raise pytest.UsageError(f"{name} = {value} in the ini file: must be {least} or more")
        values.append(value)
    return values[0], values[1]


def _properties(config) -> bool:
    option = config.getoption("ept_properties", default=None)
    return bool(option) if option is not None else bool(config.getini("ept_properties"))


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".scenarios" and not file_path.with_suffix(".ept").is_file():
        return OrphanScenarios.from_parent(parent, path=file_path)
    if file_path.suffix != ".ept":
        return None
    if not file_path.with_suffix(".scenarios").is_file() and not _properties(parent.config):
        return None
    return EptFile.from_parent(parent, path=file_path)


class EptFile(pytest.File):
    """A .ept file: checked (with its scenario file) when collected; its scenarios run together
    on the three engines when the first of them runs."""

    def collect(self):
        from . import api

        self.compiled = api.compile_file(self.path)
        where = api.scenario_path(self.path)
        self.scenarios = api.read_scenario_file(where, self.compiled.model) if where.is_file() else None
        self._results = None
        names: set[str] = set()
        for sc in self.scenarios.scenarios if self.scenarios else ():
            name = _name(sc.name)
            if name in names:  # "a::b" and "a: :b": one id would select both
                name = f"{name} (line {sc.span.line})"
            names.add(name)
            yield ScenarioItem.from_parent(self, name=name, scenario=sc)
        if _properties(self.config):
            from .testing.properties import property_checks

            for ep in self.compiled.model.endpoints:
                for check in property_checks(self.compiled, ep.paramcd):
                    name = _name(f"property {ep.paramcd}: {check.name}")
                    yield PropertyItem.from_parent(self, name=name, paramcd=ep.paramcd, check=check)

    def result(self, number: int):
        from . import api

        if self._results is None:
            self._results = {r.scenario.number: r for r in api.run_scenarios(self.compiled, self.scenarios)}
        return self._results[number]

    def repr_failure(self, excinfo):
        from .language.diagnostics import EptError

        if excinfo.errisinstance(EptError):  # a bad .ept or scenario file: its diagnostics
            return excinfo.value.render()
        return super().repr_failure(excinfo)


class OrphanScenarios(pytest.File):
    """A .scenarios file without its .ept beside it (renamed, or a typo in its name): a
    collection error, as its scenarios would otherwise silently never run."""

    def collect(self):
        raise OrphanError(
            f"{self.path}: no .ept file {self.path.with_suffix('.ept').name} beside it, so its "
            "scenarios cannot run; name it as its .ept file (NAME.ept, NAME.scenarios)"
        )

    def repr_failure(self, excinfo):
        if excinfo.errisinstance(OrphanError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class OrphanError(Exception):
    pass


def _name(text: str) -> str:
    return text.replace("::", ": :")  # `::` separates the parts of a pytest node id


class EptTestFailure(Exception):
    """A failed scenario or property; its lines are the failure's report."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario, **kwargs):
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        result = self.parent.result(self.scenario.number)
        if not result.ok:
            from .testing.results import scenario_failure

            raise EptTestFailure([f'scenario "{self.scenario.name}" failed', *scenario_failure(result)])

    def repr_failure(self, excinfo):
        if excinfo.errisinstance(EptTestFailure):
            return "\n".join(excinfo.value.lines)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.scenario.span.line - 1, f'scenario "{self.scenario.name}"'


class PropertyItem(pytest.Item):
    def __init__(self, *, paramcd: str, check, **kwargs):
        super().__init__(**kwargs)
        self.paramcd, self.check = paramcd, check

    def runtest(self) -> None:
        from . import api

        examples, seed = _settings(self.config)
        outcome = api.run_property(self.paramcd, self.check, examples, seed)
        if outcome.skipped is not None:
            pytest.skip(f"not applicable to {self.paramcd}: {outcome.skipped}")
        if not outcome.ok:
            head = f"property {self.paramcd}: {self.check.name} failed ({self.check.description})"
            raise EptTestFailure([head, *outcome.message.splitlines()])

    def repr_failure(self, excinfo):
        if excinfo.errisinstance(EptTestFailure):
            return "\n".join(excinfo.value.lines)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"property {self.paramcd}: {self.check.name}"
