"""The layers of docs/architecture.md, held against the package's import graph.

Every import counts (at the top, inside functions, under `if TYPE_CHECKING:`; see
import_graph.py). From the bottom: `version`; `data` and `language` (each imports only
itself); `check` (language, data); `engines` (check, data; no engine imports another);
`api` and `datacheck`; `cli`; the package's face (`__init__`, `__main__`). A module imports
only its own package or a lower layer; the reference interpreter imports only the checked
model, data and itself; and there is no import circle anywhere, inside packages too.
"""

from __future__ import annotations

import textwrap

import pytest
from import_graph import circles, graph, loop

# (package or module, layer); a package takes in its submodules. Packages of one layer
# (data and language; the three engines; api and datacheck) do not import each other.
LAYERS = {
    "endpointdsl.version": 0,
    "endpointdsl.progress": 0,  # issue 16: the stage callback and its display; imports nothing of ours
    "endpointdsl.data": 1,
    "endpointdsl.language": 1,
    "endpointdsl.check": 2,
    "endpointdsl.engines": 3,
    "endpointdsl.engines.python": 3,
    "endpointdsl.engines.sql": 3,
    "endpointdsl.engines.reference": 3,
    "endpointdsl.report": 3,  # the HTML report's parts (issue 15): check and data only; api runs the engine
    # test (issue 15): scenarios read, checked and judged, and the generated properties; above
    # the engines (the api hands them the compiled file and the trace), below the api
    "endpointdsl.testing": 3.5,
    # issue 16: the Spark engine translates the SQL engine's script and runs it on its
    # prepared inputs: it stands on engines.sql (and no engine imports it)
    "endpointdsl.engines.spark": 3.5,
    # the Python API's parts (loading, compiled runs, summaries, trace, report, scenarios),
    # below their face `api`
    "endpointdsl.driver": 4,
    "endpointdsl.api": 4.5,
    "endpointdsl.datacheck": 4,
    # the command line, a package split by concern: its Kaplan-Meier and Spark parts, what the
    # commands share and the parser, then the commands, then the package's face (main and
    # entry, in cli/__init__.py) and `python -m endpointdsl.cli` (cli/__main__.py)
    "endpointdsl.cli.km": 4,  # the Kaplan-Meier parts: data only
    "endpointdsl.cli.spark": 4,  # the Spark parts (issue 16): the Spark engine
    "endpointdsl.cli.common": 4.7,  # exit codes, error lines, the .ept file and data folder: api, data
    "endpointdsl.cli.parser": 4.7,  # the argument parser: cli.km's and cli.spark's options
    "endpointdsl.cli.check": 4.8,  # check, compile, fmt
    "endpointdsl.cli.run": 4.8,  # run
    "endpointdsl.cli.review": 4.8,  # explain, trace, report, summary
    "endpointdsl.cli.testing": 4.8,  # test
    "endpointdsl.cli": 5,
    "endpointdsl.pytest_plugin": 5,  # the pytest plugin (issue 15): runs api.test_file
    "endpointdsl.__main__": 6,
}
FACE = "endpointdsl"  # __init__.py: the public API; nothing in the package imports it
REFERENCE = "endpointdsl.engines.reference"
REFERENCE_MAY_IMPORT = ("endpointdsl.check.model", "endpointdsl.data", REFERENCE)


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def place(module: str) -> tuple[str, int] | None:
    """The package (or module) of LAYERS that holds a module, and its layer."""
    if module == FACE:
        return FACE, 7
    holders = [p for p in LAYERS if _within(module, p)]
    if not holders:
        return None
    holder = max(holders, key=len)
    return holder, LAYERS[holder]


def wrong_way(arrows: dict[str, set[str]]) -> list[str]:
    """Imports of a higher layer, or of another package of the same layer."""
    out = []
    for a in sorted(arrows):
        for b in sorted(arrows[a]):
            if place(a) is None or place(b) is None:
                continue  # test_every_module_is_in_a_layer names it
            (pa, la), (pb, lb) = place(a), place(b)
            if pa != pb and lb >= la:
                out.append(f"{a} (layer {la}, {pa}) imports {b} (layer {lb}, {pb})")
    return out


@pytest.fixture(scope="module")
def arrows() -> dict[str, set[str]]:
    return graph()


def test_every_module_is_in_a_layer(arrows):
    assert [m for m in arrows if place(m) is None] == []


def test_no_import_runs_up_or_across_layers(arrows):
    assert wrong_way(arrows) == []


def test_the_reference_interpreter_imports_only_the_model_and_data(arrows):
    """Its independence from the compiled and SQL engines is what double programming needs."""
    reference = [m for m in arrows if _within(m, REFERENCE)]
    assert reference, "no reference interpreter found"
    bad = [
        f"{a} imports {b}"
        for a in reference
        for b in sorted(arrows[a])
        if not any(_within(b, allowed) for allowed in REFERENCE_MAY_IMPORT)
    ]
    assert bad == []


def test_no_import_circles(arrows):
    found = [" -> ".join(loop(arrows, c)) + f" (circle of {', '.join(c)})" for c in circles(arrows)]
    assert found == []


def test_the_graph_sees_every_kind_of_import(tmp_path):
    """Function-level, TYPE_CHECKING, relative and absolute imports, of modules and of names."""
    package = tmp_path / "endpointdsl"
    files = {
        "__init__.py": "from .api import load\n",
        "api.py": "def load():\n    from .engines.sql import run\n",
        "engines/__init__.py": "",
        "engines/sql/__init__.py": "",
        "engines/sql/run.py": """
            from typing import TYPE_CHECKING
            from ..python import runtime
            if TYPE_CHECKING:
                from ...api import load
            """,
        "engines/python/__init__.py": "",
        "engines/python/runtime.py": "import endpointdsl.data.values\nfrom endpointdsl.data import errors\n",
        "data/__init__.py": "",
        "data/values.py": "from . import errors as e\nfrom .errors import DataError\n",
        "data/errors.py": "import os\n",
    }
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(textwrap.dedent(text))
    found = graph(package)
    assert found == {
        "endpointdsl": {"endpointdsl.api"},
        "endpointdsl.api": {"endpointdsl.engines.sql.run"},
        "endpointdsl.engines": set(),
        "endpointdsl.engines.sql": set(),
        "endpointdsl.engines.sql.run": {"endpointdsl.engines.python.runtime", "endpointdsl.api"},
        "endpointdsl.engines.python": set(),
        "endpointdsl.engines.python.runtime": {"endpointdsl.data.values", "endpointdsl.data.errors"},
        "endpointdsl.data": set(),
        "endpointdsl.data.values": {"endpointdsl.data.errors"},
        "endpointdsl.data.errors": set(),
    }
    assert circles(found) == [["endpointdsl.api", "endpointdsl.engines.sql.run"]]
    assert wrong_way(found) == [
        "endpointdsl.engines.sql.run (layer 3, endpointdsl.engines.sql) imports endpointdsl.api "
        "(layer 4.5, endpointdsl.api)",
        "endpointdsl.engines.sql.run (layer 3, endpointdsl.engines.sql) imports "
        "endpointdsl.engines.python.runtime (layer 3, endpointdsl.engines.python)",
    ]
