"""The transformer's groups of methods (language/transform_*.py), joined by `ToAst`.

Each group is a lark Transformer of its own, so that `v_args(meta=True)` wraps the methods
it defines (lark wraps only the methods a class defines, not inherited ones). A method
defined in two groups would be resolved silently by the method order of `ToAst`: none is.
"""

from __future__ import annotations

import importlib
import pkgutil

import endpointdsl.language
from endpointdsl.language.transform_base import BaseToAst
from endpointdsl.language.transformer import ToAst, parse


def _groups() -> list[type]:
    return [g for g in ToAst.__mro__ if issubclass(g, BaseToAst)]


def test_no_method_is_defined_in_two_groups():
    where: dict[str, list[str]] = {}
    for group in _groups():
        for name, value in vars(group).items():
            if callable(value) and not name.startswith("__"):
                where.setdefault(name, []).append(group.__name__)
    assert {name: groups for name, groups in where.items() if len(groups) > 1} == {}


def test_every_group_of_the_transform_modules_is_joined():
    defined = set()
    for info in pkgutil.iter_modules(endpointdsl.language.__path__):
        if info.name.startswith("transform_"):
            module = importlib.import_module(f"endpointdsl.language.{info.name}")
            defined |= {v for v in vars(module).values() if isinstance(v, type) and issubclass(v, BaseToAst)}
    assert len(defined) > 1
    assert defined - set(_groups()) == set()


def test_a_group_method_called_through_to_ast_gets_the_meta_argument():
    """v_args(meta=True) on the group: the node has the span lark's meta gives."""
    table = parse("table adsl: one row per subject, key USUBJID\n", "t.ept").items[0]
    assert (table.name.text, table.key.text, table.per_subject) == ("adsl", "USUBJID", True)
    assert (table.span.line, table.span.column, table.span.end_line) == (1, 1, 1)
