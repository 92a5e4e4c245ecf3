"""The parser's cursor: where the LALR parser stands in the text, and the moves from there.

`recovery.Driver` decides what to do at a syntax error and `repairs` holds its one-token
fixes; both move the parser with these steps: feed tokens, ask what it can take, pop the
unfinished part of a statement or clause and note what went, go on at a position.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import lark
from lark import Token
from lark.exceptions import UnexpectedToken

from . import syntax_hints as hints
from .diagnostics import Diagnostic
from .dropped import Dropped
from .parse_table import Grammar, leaves

_BLANKS = re.compile(r"[ \t\f\r\v\u00a0]*")  # what may precede the first word of a line


class Cursor:
    """lark's LALR parser fed token by token, with the diagnostics and drops so far.

    A token the parser cannot take goes to `unexpected`, which the driver defines."""

    def __init__(self, parser: lark.Lark, grammar: Grammar, vocab: hints.Vocabulary, text: str, file: str):
        interactive = parser.parse_interactive(text)
        self.ps = interactive.parser_state
        self.lex = interactive.lexer_thread.state
        contextual = interactive.lexer_thread.lexer
        self.lexers, self.root = contextual.lexers, contextual.root_lexer
        self.g, self.vocab, self.text, self.file = grammar, vocab, text, file
        self.diags: list[Diagnostic] = []
        self.dropped = Dropped(text)
        self.last: Token | None = None  # the last token the parser took
        self.fragile = -1  # the line of a stray character just deleted
        self.to_end: list[Token] | None = None  # skipped up to the end of the text
        self.truncated = False  # too many errors: the rest of the text was not read
        self.indent = 1  # in panic mode: the column of the broken statement or clause
        self._indents: dict[int, int] = {}  # line start -> the column of its first word

    # ---- feeding the parser
    def take(self, tok: Token) -> None:
        try:
            self.ps.feed_token(tok)
        except UnexpectedToken:
            self.unexpected(tok)
        else:
            self.last, self.fragile = tok, -1

    def unexpected(self, tok: Token) -> None:
        """A token the parser cannot take here: the driver's to repair, report or skip."""
        raise NotImplementedError

    def feed(self, tokens: Iterable[Token]) -> None:
        for tok in tokens:
            self.take(tok)

    def report(self, diag: Diagnostic) -> None:
        self.diags.append(diag)

    def goto(self, pos: int, lex=None) -> None:
        """Move the lexer to a position (forward in steps, so that skipping stays linear)."""
        counter = (lex or self.lex).line_ctr
        if pos >= counter.char_pos:
            counter.feed(self.text[counter.char_pos : pos])
            return
        counter.char_pos, counter.line = pos, self.text.count("\n", 0, pos) + 1
        counter.line_start_pos = self.text.rfind("\n", 0, pos) + 1
        counter.column = pos - counter.line_start_pos + 1

    # ---- what the parser can take
    def accepts(self, kind: str, top: int | None = None) -> bool:
        stack = self.ps.state_stack
        return self.g.simulate(stack, len(stack) - 1 if top is None else top, [kind]) is not None

    def expected(self, top: int | None = None) -> set[str]:
        stack = self.ps.state_stack
        state = stack[-1 if top is None else top]
        return {t for t in self.g.table[state] if t.isupper() and self.accepts(t, top)}

    def kind(self, tok: Token) -> str:
        """The terminal a token is when read as a keyword (a keyword in a name's place lexes as NAME)."""
        return self.vocab.terminals.get(str(tok), tok.type) if tok.type == "NAME" else tok.type

    def starts_next(self, tok: Token) -> bool:
        """A statement keyword, or a clause keyword (or `end`) that starts its line."""
        kind = self.kind(tok)
        if kind in self.g.statement_starters and (kind not in self.g.embedded or self.first_on_line(tok)):
            return True
        return (
            self.in_endpoint()
            and self.first_on_line(tok)
            and (kind in self.g.clause_starters or kind == self.g.end)
        )

    def first_on_line(self, tok: Token) -> bool:
        return self.indentation(tok) == tok.column

    def indentation(self, tok: Token) -> int:
        """The column of the first word on the token's line."""
        start = tok.start_pos - tok.column + 1
        if start not in self._indents:
            self._indents[start] = _BLANKS.match(self.text, start).end() - start + 1
        return self._indents[start]

    def floor(self) -> int:
        """The index of the state where the current statement or clause began."""
        stack = self.ps.state_stack
        return next((i for i in range(len(stack) - 1, -1, -1) if stack[i] in self.g.boundaries), 0)

    # ---- going on after an error
    def plan(
        self, cand: Token, below: int | None = None, scanned: bool = False
    ) -> tuple[int, list[str]] | None:
        """(states to pop, kinds to feed) to go on at `cand`, if it starts a statement (or a
        clause or `end`, at the start of a line, inside an endpoint)."""
        stack, g = self.ps.state_stack, self.g
        kind = self.kind(cand)
        tops = range(len(stack) - 1 if below is None else below, -1, -1)
        if (
            kind in g.statement_starters and kind in g.clause_starters and cand.column > 1
            and self.first_on_line(cand) and self.in_endpoint()
        ):  # fmt: skip
            # a word that starts both (`criteria`), indented inside an open endpoint: its clause
            for j in tops:
                if g.shifted_in(stack, j, [kind]) in g.clause_boundary:
                    return len(stack) - 1 - j, [kind]
        if kind in g.statement_starters and (kind not in g.embedded or self.first_on_line(cand)):
            for j in tops:
                if g.shifted_in(stack, j, [kind]) in g.top_boundary:
                    return len(stack) - 1 - j, [kind]
                if g.shifted_in(stack, j, [g.end]) in g.clause_boundary and g.simulate(
                    stack, j, [g.end, kind]
                ):
                    return len(stack) - 1 - j, [g.end, kind]
        elif self.first_on_line(cand) and (kind in g.clause_starters or kind == g.end):
            for j in tops:
                if g.shifted_in(stack, j, [kind]) in g.clause_boundary:
                    return len(stack) - 1 - j, [kind]
        elif scanned and self.first_on_line(cand) and cand.column <= self.indent:
            # the next statement or clause, its first word misspelt: stop here, the main loop reports it
            inside = self.in_endpoint()
            starters, boundary = (
                (g.clause_starters, g.clause_boundary) if inside else (g.statement_starters, g.top_boundary)
            )
            for j in tops:
                if any(g.shifted_in(stack, j, [s]) in boundary for s in starters):
                    return len(stack) - 1 - j, []
        return None

    def in_endpoint(self) -> bool:
        """An endpoint is open: between its head and its `end`."""
        i, values = self.floor(), self.ps.value_stack
        if self.ps.state_stack[i] not in self.g.clause_boundary:
            return False
        return not (i < len(values) and isinstance(values[i], Token) and values[i].type == self.g.end)

    def note(self, popped: list[Token], skipped: list[Token], at: Token | None) -> None:
        """Record what went (after the parser's unfinished part was popped)."""
        dropped = popped + skipped
        if not dropped:
            return
        stack, values = self.ps.state_stack, self.ps.value_stack
        record = self.dropped
        lines = {str(t) for t in skipped if self.first_on_line(t)}
        fresh = not popped and self.first_on_line(dropped[0])  # a line of its own went, nothing before it
        if self.in_endpoint():
            words = {str(dropped[0])}
            kept = [t for v in values[self.floor() :] for t in leaves(v)]
            if stack[-1] not in self.g.clause_boundary and kept and not fresh:  # a clause kept in part
                words = {str(kept[0])}
                end = (at.line, at.column) if at is not None else (len(self.text.split("\n")) + 1, 1)
                record.regions.append(((kept[0].line, kept[0].column), end))
            code = self.endpoint_code()
            record.clauses.setdefault(code, set()).update(words | lines)
        elif stack[-1] in self.g.top_boundary or fresh:  # whole statements went
            first = dropped[0]
            record.statements.add(str(first) if self.kind(first) in self.g.statement_starters else "?")
            named = [t for t in dropped[1:3] if t.type == "NAME" and t.line == first.line]
            if named:  # the name it defined: `event NAME`, `endpoint "label" NAME` written backwards
                record.definitions.add(str(named[0]))

    def endpoint_code(self) -> str:
        values, word = self.ps.value_stack, self.vocab.terminals.get("endpoint", "ENDPOINT")
        for i in range(len(values) - 2, -1, -1):
            if isinstance(values[i], Token) and values[i].type == word:
                return str(values[i + 1])
        return ""

    def apply(
        self, plan: tuple[int, list[str]], cand: Token, skipped: list[Token], drop_leaf: bool = True
    ) -> None:
        pops, kinds = plan
        stack, values = self.ps.state_stack, self.ps.value_stack
        popped = [t for v in values[len(values) - pops :] for t in leaves(v)] if pops else []
        if not drop_leaf:  # the keyword read as a name is read again
            popped = popped[: next((i for i, t in enumerate(popped) if t is cand), len(popped))]
        if pops:
            del stack[len(stack) - pops :], values[len(values) - pops :]
        self.note(popped, skipped, cand)
        if not kinds:  # go on reading at the candidate
            self.goto(cand.start_pos)
            return
        for kind in kinds[:-1]:  # an `end` the endpoint lacked
            self.take(self.virtual(kind))
        self.take(Token.new_borrow_pos(kinds[-1], str(cand), cand))
        self.goto(cand.end_pos)

    def virtual(self, kind: str, value: str | None = None) -> Token:
        """A token the file lacks, placed (with no width) after the last token the parser kept."""
        kept = [t for v in self.ps.value_stack[-1:] for t in leaves(v)]
        at = kept[-1] if kept else Token("", "", 0, 1, 1, 1, 1, 0)
        line, column = at.end_line or at.line, at.end_column or at.column
        value = self.vocab.literal(kind) or "" if value is None else value
        return Token(kind, value, at.end_pos, line, column, line, column, at.end_pos)
