"""Parse table: what error recovery needs to know about lark's LALR tables, and a tree's tokens."""

from __future__ import annotations

from collections.abc import Iterable

import lark
from lark import Token, Tree
from lark.parsers.lalr_analysis import Shift

from . import syntax_hints as hints


class Grammar:
    """What recovery needs to know about the parse table; computed once per parser."""

    def __init__(self, parser: lark.Lark, vocab: hints.Vocabulary):
        conf = parser.parse_interactive("").parser_state.parse_conf
        self.table, self.end_state = conf.states, conf.end_state
        start = conf.start_state
        self.statement_starters = {t for t in vocab.keywords if self._shifts(start, t)}
        head = self.simulate([start], 0, [vocab.terminals.get("endpoint", "ENDPOINT"), "NAME", "STRING"])
        after_head = head[1][-1] if head else start
        skip = {vocab.terminals.get("end"), vocab.terminals.get("like")}
        self.clause_starters = {t for t in vocab.keywords if self._shifts(after_head, t) and t not in skip}
        self.end = vocab.terminals.get("end", "END")
        self.top_boundary = self._boundary(self.statement_starters)
        self.clause_boundary = self._boundary(self.clause_starters)
        self.boundaries = self.top_boundary | self.clause_boundary
        # Statement keywords that a clause also uses mid-way (`date` in `no censoring date:
        # excluded`, reldates): they start a statement only at the start of a line.
        self.embedded = frozenset(
            t
            for t in self.statement_starters
            if any(self._shifts(s, t) for s in self.table if s != start and s not in self.top_boundary)
        )

    def _shifts(self, state, term: str) -> bool:
        return self.table[state].get(term, (None,))[0] is Shift

    def _boundary(self, starters: set[str]) -> frozenset:
        """States between two statements (or two clauses): every starter is shifted there."""
        return frozenset(s for s in self.table if starters and all(self._shifts(s, t) for t in starters))

    def simulate(self, base: list, top: int, kinds: Iterable[str]):
        """The stack after the parser takes tokens of these kinds from base[: top + 1], as
        (top, extra): base[: top + 1] + extra; None when it cannot. Nothing is built."""
        extra: list = []
        for kind in kinds:
            while True:
                state = extra[-1] if extra else base[top]
                action = self.table[state].get(kind)
                if action is None:
                    return None
                what, arg = action
                if what is Shift:
                    extra.append(arg)
                    break
                size = len(arg.expansion)
                keep = min(size, len(extra))
                del extra[len(extra) - keep :]
                top -= size - keep
                state = extra[-1] if extra else base[top]
                extra.append(self.table[state][arg.origin.name][1])
                if kind == "$END" and extra[-1] == self.end_state:
                    return top, extra
        return top, extra

    def shifted_in(self, base: list, top: int, kinds: list[str]):
        """The state in which the last of `kinds` is shifted, or None."""
        result = self.simulate(base, top, kinds)
        if result is None:
            return None
        top, extra = result
        return extra[-2] if len(extra) > 1 else base[top]


def leaves(value) -> list[Token]:
    """The tokens of a tree in order (iterative: conditions nest deeply)."""
    out, todo = [], [value]
    while todo:
        item = todo.pop()
        if isinstance(item, Token):
            out.append(item)
        elif isinstance(item, Tree):
            todo.extend(reversed(item.children))
    return out
