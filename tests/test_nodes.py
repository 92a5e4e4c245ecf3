"""The AST's parts (language/nodes_*.py), every name of them read through `nodes`.

Engines, checks and tests write `n.NAME` (`from ..language import nodes as n`): a node
defined in a part but not named in `nodes` would be missing there. Spans take no part in
equality, so that `parse(format(ast)) == ast` holds: a node whose span compares would break
that only for programs whose layout differs.
"""

from __future__ import annotations

import importlib
import pkgutil

import attrs

import endpointdsl.language
from endpointdsl.language import nodes as n


def _part_classes() -> dict[str, type]:
    """Every class a nodes_* part defines (not the ones it imports), by name."""
    found = {}
    for info in pkgutil.iter_modules(endpointdsl.language.__path__):
        if info.name.startswith("nodes_"):
            module = importlib.import_module(f"endpointdsl.language.{info.name}")
            mine = vars(module).items()
            found |= {k: v for k, v in mine if isinstance(v, type) and v.__module__ == module.__name__}
    return found


def test_every_node_of_the_parts_is_named_in_nodes():
    parts = _part_classes()
    assert len(parts) > 80
    assert {k for k, v in parts.items() if getattr(n, k, None) is not v} == set()
    assert set(parts) - set(n.__all__) == set()


def test_every_node_has_a_span_that_takes_no_part_in_equality():
    nodes = [v for v in (*_part_classes().values(), n.Endpoint) if attrs.has(v)]
    wrong = []
    for cls in nodes:
        span = attrs.fields_dict(cls).get("span")
        if span is None or span.eq or span.default is not None:
            wrong.append(cls.__name__)
    assert wrong == []
