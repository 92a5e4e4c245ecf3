"""Transformer: lark tree to the attrs AST of `nodes`, with a span on every node.

A thin mapping: no lookups, no evaluation. The grammar guarantees the shapes.

Its methods come in groups, one module a construct: `transform_conditions`,
`transform_definitions` (tables, events, schedules, populations), `transform_endpoints`
(an endpoint's clauses, groups, ADaM options), `transform_dates` (reldates),
`transform_responses` (responses, criteria sets, `worst of`) and `transform_values`;
`transform_base` holds what they share (spans, STRING tokens). `ToAst` joins them.
"""

from __future__ import annotations

import lark
from lark import v_args

from . import nodes as n
from .parser import parse_tree
from .transform_base import escape, unescape
from .transform_conditions import ConditionsToAst
from .transform_dates import DatesToAst
from .transform_definitions import DefinitionsToAst
from .transform_endpoints import EndpointsToAst
from .transform_responses import ResponsesToAst
from .transform_values import ValuesToAst

# `escape` and `unescape` stay importable from here, as before the split; the printer and
# the groups take them from transform_base
__all__ = ["ToAst", "escape", "parse", "to_ast", "unescape"]


@v_args(meta=True)
class ToAst(ConditionsToAst, DefinitionsToAst, DatesToAst, EndpointsToAst, ResponsesToAst, ValuesToAst):
    """The whole transformer: one group of methods a construct, each in its module."""

    def start(self, meta, c):
        return tuple(c)


def to_ast(tree: lark.Tree, file: str) -> n.Program:
    try:
        items = ToAst(file).transform(tree)
    except lark.exceptions.VisitError as exc:  # a transformer bug, never user input
        raise exc.orig_exc from None
    return n.Program(items, file=file)


def parse(text: str, file: str = "<string>") -> n.Program:
    """Text to AST; raises EptError on a syntax error."""
    return to_ast(parse_tree(text, file), file)
