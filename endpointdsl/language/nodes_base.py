"""AST: what every node shares: the span field (excluded from equality, so that
`parse(format(ast)) == ast` holds) and `Ident`, a name as written.
"""

from __future__ import annotations

from attrs import field, frozen

from .diagnostics import Span

SPAN = field(eq=False, repr=False, default=None, kw_only=True)


@frozen
class Ident:
    text: str
    span: Span | None = SPAN
