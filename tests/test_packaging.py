"""Packaging: the wheel carries the grammar and the parser tables built from it, and the
package uses them there (not building the parser, not writing to the user's home)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile

from conftest import ROOT


def test_wheel_contains_grammar_and_loads_it(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("endpointdsl-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "endpointdsl/language/_grammar/endpoint.lark" in names
        assert "endpointdsl/testing/_grammar/scenarios.lark" in names  # test (issue 15)
        for shipped in ("recist11", "irecist", "lugano2014", "imwg"):  # criteria (issue 13)
            assert f"endpointdsl/check/criteria_sets/{shipped}.ept" in names
        assert names.count("endpointdsl/language/_parser_tables.json") == 1
        assert not [n for n in names if "cache" in n or n.endswith(".pickle")], names
        packaged = zf.read("endpointdsl/language/_grammar/endpoint.lark").decode()
        zf.extractall(tmp_path / "site")
    assert packaged == (ROOT / "grammar" / "endpoint.lark").read_text()
    # Import the unpacked wheel from a folder with no grammar/ beside it, so only the
    # packaged copy can be found.
    site, example = str(tmp_path / "site"), str(ROOT / "examples" / "sap" / "irecist_orr.ept")
    probe = (
        "import endpointdsl, endpointdsl.language.parser as p;"
        f"assert endpointdsl.__file__.startswith({site!r});"
        f"endpointdsl.load({example!r});"
        "import endpointdsl.testing.scenarios as s; s.parse_scenarios('scenario \"a\"\\n');"
        "print(len(p.grammar_text()), p.parser_origin())"
    )
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "HOME": str(home)}
    env.pop("XDG_CACHE_HOME", None)
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(len(packaged)), "tables"]  # irecist_orr reads a shipped set
    assert list(home.iterdir()) == []


def test_the_lowest_versions_ci_installs_are_pyprojects_lower_bounds():
    """.ci/run's second job installs .ci/constraints-lowest.txt: it must pin every direct
    dependency (and test tool) at exactly the lower bound pyproject.toml gives it, so a
    raised bound is tested at once and a stale pin is caught."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bounds = {}
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        name, low = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(?:,<[0-9.]+)?", requirement).groups()
        bounds[name.lower()] = low
    pins = {}
    for line in (ROOT / ".ci" / "constraints-lowest.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower()] = version

    def version(text: str) -> tuple[int, ...]:  # 2.0 is 2.0.0
        parts = tuple(int(x) for x in text.split("."))
        return parts + (0,) * (3 - len(parts))

    assert set(bounds) <= set(pins), sorted(set(bounds) - set(pins))
    assert {n: (bounds[n], pins[n]) for n in bounds if version(bounds[n]) != version(pins[n])} == {}
