"""Transformer (lark tree to `nodes`): what every group of its methods shares: the value of a
STRING token (and back, for the printer) and the span of a node or token.
"""

from __future__ import annotations

from lark import Token, Transformer

from . import nodes as n
from .diagnostics import Span


def unescape(literal: str) -> str:
    """The value of a STRING token: strip the quotes, undo \\" and \\\\ only."""
    body = literal[1:-1]
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append(body[i + 1])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def escape(value: str) -> str:
    """Inverse of `unescape`, used by the printer."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class BaseToAst(Transformer):
    """The file a tree comes from, and the spans of its nodes and tokens; the groups of
    transformer methods (`transform_*`) subclass it, and `transformer.ToAst` joins them."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def _span(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok_span(self, tok: Token) -> Span:
        return Span(
            self.file,
            tok.line,
            tok.column,
            tok.end_line or tok.line,
            tok.end_column or tok.column + len(tok),
        )

    def _ident(self, tok: Token) -> n.Ident:
        return n.Ident(str(tok), span=self._tok_span(tok))
