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

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters

from . import repairs
from . import syntax_hints as hints
from .cursor import Cursor
from .diagnostics import Diagnostic, Span
from .parse_table import leaves

MAX_ERRORS = 50


class Driver(Cursor):
    """Feeds lark's LALR parser token by token, repairing or skipping what it cannot take."""

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
