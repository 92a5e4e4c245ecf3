"""Error recovery: every syntax error of a file at once, and a tree of what parsed cleanly.

When the LALR parser meets a token it cannot take, the driver first tries one repair (a
habit from SAS or R, an upper-case, misspelt or glued keyword, a missing `,` `:` `end` or
label) and reads on as if the file said what was meant. Otherwise it reports the error and
drops input up to the next statement keyword or the next line that starts an endpoint
clause (or `end`), together with the unfinished part on the parser's stack: panic mode,
synchronised on the grammar's own statement and clause starts. `Dropped` remembers what
went, so that checker diagnostics that only the dropped pieces explain are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import lark
from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedToken

from . import repairs
from . import syntax_hints as hints
from .diagnostics import Diagnostic, Span
from .dropped import Dropped
from .parse_table import Grammar, leaves

MAX_ERRORS = 50
_BLANKS = re.compile(r"[ \t\f\r\v\u00a0]*")  # what may precede the first word of a line


class Driver:
    """Feeds lark's LALR parser token by token, repairing or skipping what it cannot take."""

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

    # ---- the main loop
    def run(self) -> Tree:
        while len(self.diags) < MAX_ERRORS:
            tok = self.next()
            if tok is None:
                tree = self.finish()
                if tree is not None:
                    return tree
            elif tok.type != "SKIPPED":
                self.take(tok)
        self.report(self._too_many())
        self.to_end, self.truncated = self.to_end or [], True
        return self.finish()

    def take(self, tok: Token) -> None:
        try:
            self.ps.feed_token(tok)
        except UnexpectedToken:
            self.unexpected(tok)
        else:
            self.last, self.fragile = tok, -1

    def report(self, diag: Diagnostic) -> None:
        self.diags.append(diag)

    # ---- reading tokens
    def next(self) -> Token | None:
        try:
            tok = self.lexers[self.ps.position].next_token(self.lex, self.ps)
        except EOFError:
            return None
        except UnexpectedCharacters:
            pos = self.lex.line_ctr.char_pos
            try:  # a token, but not one the parser takes here
                tok = self.root.next_token(self.lex, self.ps)
            except UnexpectedCharacters:
                return self.bad_character(pos)
        fix = hints.lexing_fix(tok, self.text, self.file, self.accepts)
        if fix is not None:
            self.report(fix.diagnostic)
            self.goto(fix.end)
            return fix.tokens[0]
        return tok

    def bad_character(self, pos: int) -> Token:
        skipped = Token("SKIPPED", "", pos)
        fix = hints.character_fix(self.text, pos, self.file, self.accepts)
        if fix is not None:
            self.report(fix.diagnostic)
            self.goto(fix.end)
            if not fix.tokens:
                self.fragile = fix.diagnostic.span.line
            return fix.tokens[0] if fix.tokens else skipped
        self.report(hints.bad_character(self.text, pos, self.file, self.expected(), self.vocab))
        if self.text[pos].isalpha():  # a name with a letter from outside ASCII: not guessable
            end = pos
            while end < len(self.text) and (self.text[end].isalnum() or self.text[end] == "_"):
                end += 1
            self.goto(end)
            self.recover(None)
        else:  # a stray character: read on without it
            self.goto(pos + 1)
            self.fragile = self.diags[-1].span.line
        return skipped

    def scan(self) -> Token | None:
        """The next token in panic mode, whatever the parser's state; texts in the wrong
        quotes are still reported (every one, not only the first)."""
        while True:
            try:
                return self.root.next_token(self.lex, self.ps)
            except EOFError:
                return None
            except UnexpectedCharacters:
                pos = self.lex.line_ctr.char_pos
                fix = hints.character_fix(self.text, pos, self.file, lambda kind: True)
                if fix is not None and fix.tokens and fix.tokens[0].type == "STRING":
                    if self.text[pos] != '"':
                        self.report(fix.diagnostic)
                    self.goto(fix.end)
                    return fix.tokens[0]
                line, column = self.lex.line_ctr.line, self.lex.line_ctr.column
                char = Token("CHAR", self.text[pos], pos, line, column, line, column + 1, pos + 1)
                self.goto(pos + 1)
                if self.first_on_line(char) and char.column <= self.indent:
                    return char  # a line of its own: its mistake is its own, reported there

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
        if kind in self.g.statement_starters:
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

    # ---- a token the parser cannot take
    def unexpected(self, tok: Token) -> None:
        if tok.line == self.fragile:  # the deleted character was not the whole mistake
            self.fragile = -1
            self.recover(tok)
            return
        if self.kind(tok) != tok.type:  # a keyword lexed as a name where names may follow
            tok = Token.new_borrow_pos(self.kind(tok), str(tok), tok)
        fix = hints.token_fix(tok, self.file, self.accepts, self.vocab)
        if fix is not None:
            self.report(fix.diagnostic)
            self.feed(fix.tokens)
            return
        if (
            repairs.decimal_comma(self, tok)
            or repairs.upper_case_before(self, tok)
            or repairs.backtrack(self)
        ):
            return
        expected = self.expected()
        if self.starts_next(tok) and self.last is not None and self.g.end not in expected:
            # the statement or clause before it is unfinished: say so where it ends
            self.report(hints.unfinished(tok, self.last, expected, self.file, self.vocab))
            self.recover(tok)
            return
        if tok.type in self.vocab.keywords and repairs.wrong_order(self, tok):
            self.recover(tok)
            return
        repair = repairs.insert_or_replace(self, tok, expected)
        if repair is not None:
            diag, tokens = repair
            self.report(diag)
            self.feed(tokens)
            return
        self.report(hints.unexpected_token(tok, expected, self.text, self.file, self.vocab, self.last))
        self.recover(tok)

    def feed(self, tokens: Iterable[Token]) -> None:
        for tok in tokens:
            self.take(tok)

    # ---- panic mode
    def recover(self, first: Token | None) -> None:
        """Skip to a statement or clause start; drop the parser's unfinished part."""
        skipped: list[Token] = []
        # Lines that start at most as far right as the broken statement or clause are the
        # next one (deeper ones continue it).
        values = self.ps.value_stack
        construct = [t for v in values[self.floor() :] for t in leaves(v)]
        start = first if first is not None and self.first_on_line(first) else (construct or [first])[0]
        self.indent = self.indentation(start) if start is not None else 1
        cand = first if first is not None else self.scan()
        while cand is not None:
            plan = self.plan(cand, scanned=cand is not first)
            if plan is not None:
                self.apply(plan, cand, skipped)
                return
            skipped.append(cand)
            cand = self.scan()
        self.to_end = skipped

    def plan(
        self, cand: Token, below: int | None = None, scanned: bool = False
    ) -> tuple[int, list[str]] | None:
        """(states to pop, kinds to feed) to go on at `cand`, if it starts a statement (or a
        clause or `end`, at the start of a line, inside an endpoint)."""
        stack, g = self.ps.state_stack, self.g
        kind = self.kind(cand)
        tops = range(len(stack) - 1 if below is None else below, -1, -1)
        if kind in g.statement_starters:
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

    # ---- the end of the text
    def finish(self) -> Tree | None:
        end = (
            Token.new_borrow_pos("$END", "", self.last)
            if self.last is not None
            else Token("$END", "", 0, 1, 1)
        )
        if self.to_end is None:
            if self.accepts("$END"):
                return self.ps.feed_token(end, True)
            if repairs.backtrack(self):
                return None
            self.report(hints.unexpected_end(self.text, self.file, self.expected(), self.vocab, self.last))
            if self.last is not None and self.last.type == "NAME" and str(self.last) in self.vocab.reserved:
                # a keyword read as a value (`cnsr end`): what the checker says of that value is noise
                kept = [t for v in self.ps.value_stack[self.floor() :] for t in leaves(v)]
                self.dropped.regions.append(
                    ((kept[0].line, kept[0].column), (len(self.text.split("\n")) + 1, 1))
                )
        stack, g = self.ps.state_stack, self.g
        for j in range(len(stack) - 1, -1, -1):
            for kinds in (["$END"], [g.end, "$END"]):
                if g.simulate(stack, j, kinds) is not None:
                    popped = [t for v in self.ps.value_stack[j:] for t in leaves(v)]
                    del stack[j + 1 :], self.ps.value_stack[j:]
                    self.note(popped, self.to_end or [], None)
                    if len(kinds) == 2:
                        self.take(self.virtual(g.end))
                    return self.ps.feed_token(end, True)
        raise AssertionError("the start state takes the end of the text")  # pragma: no cover

    def _too_many(self) -> Diagnostic:
        line = self.lex.line_ctr.line
        return Diagnostic(
            "error", "E007", f"more than {MAX_ERRORS} syntax errors; the rest of the file is not read",
            Span(self.file, line, 1, line, 1), "is this a .ept file? Correct the errors above first",
        )  # fmt: skip
