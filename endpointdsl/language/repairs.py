"""Repairs: the one-token fixes that let the parser read on after a syntax error.

Each reports its diagnostic and leaves the parser where the file, as meant, would have
put it: a decimal comma read as a point, an upper-case keyword read as a column name, a
part out of its order, a keyword at the start of a line read as a name of the unfinished
part before it, a glued or misspelt keyword, one missing `,` `:` `=` `end` or label.
"""

from __future__ import annotations

from copy import copy

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters

from . import syntax_hints as hints
from .cursor import Cursor
from .diagnostics import Diagnostic
from .parse_table import leaves

# Never inserted: a guessed name, number or comparison would be a wrong value, and an
# opening parenthesis would need its closing one later.
_NOT_INSERTED = frozenset({"SIGNED_NUMBER", "DATE", "NAME", "COMPARATOR", "$END", "LPAR"})


def insert_or_replace(d: Cursor, tok: Token, expected: set[str]) -> tuple[Diagnostic, list[Token]] | None:
    """A glued or misspelt keyword, or one missing token, that lets the parser read on."""
    fix = hints.glued_fix(tok, d.file, lambda kind: viable(d, [kind, "NAME"]), d.vocab)
    if fix is not None:
        return fix.diagnostic, list(fix.tokens)
    word = hints.close_keyword(tok, expected, d.vocab)
    if word is not None:
        new = Token.new_borrow_pos(d.vocab.terminals[word], word, tok)
        if viable(d, [new.type], peek=tok.end_pos):
            return hints.unexpected_token(tok, expected, d.text, d.file, d.vocab, d.last), [new]
    punctuation = sorted(t for t in expected if t not in d.vocab.keywords and t not in _NOT_INSERTED)
    if d.first_on_line(tok):  # a line starts something new: only an `end` can be missing
        punctuation = []
        keywords = [d.g.end] if d.g.end in expected else []
    else:
        keywords = sorted(t for t in expected if t in d.vocab.keywords)
    for group in (punctuation, keywords):
        fits = [t for t in group if viable(d, [t, tok.type], peek=tok.end_pos)]
        if len(fits) == 1:
            literal = d.vocab.literal(fits[0]) or ('"..."' if fits[0] == "STRING" else None)
            if literal is None:
                return None
            missing = d.virtual(fits[0], literal)
            diag = hints.unexpected_token(tok, expected, d.text, d.file, d.vocab, d.last, literal)
            return diag, [missing, tok]
        if fits:
            return None
    return None


def viable(d: Cursor, kinds: list[str], peek: int | None = None) -> bool:
    """The parser can take these tokens, and then (if `peek`) the token at that position."""
    stack = d.ps.state_stack
    result = d.g.simulate(stack, len(stack) - 1, kinds)
    if result is None or peek is None:
        return result is not None
    top, extra = result
    state = extra[-1] if extra else stack[top]
    lookahead = copy(d.lex)
    d.goto(peek, lookahead)
    try:
        nxt = d.lexers[state].next_token(lookahead, None)
    except EOFError:
        nxt = Token("$END", "")
    except UnexpectedCharacters:
        try:  # a token, but not one the parser takes after the repair
            d.root.next_token(lookahead, None)
        except UnexpectedCharacters:
            return True  # a bad character next is an error of its own
        return False
    if nxt.type == "NAME" and d.first_on_line(nxt) and str(nxt) in d.vocab.terminals:
        return False  # the keyword that starts the next line would be read as a name
    return d.g.simulate(stack[: top + 1] + extra, top + len(extra), [nxt.type]) is not None


def decimal_comma(d: Cursor, tok: Token) -> bool:
    """`1,5`: report it and read 1.5."""
    last, pos = d.last, tok.start_pos
    if not (
        tok.type == "COMMA" and last is not None and last.type == "SIGNED_NUMBER" and last.end_pos == pos
    ):
        return False
    end = pos + 1
    while end < len(d.text) and d.text[end].isdigit():
        end += 1
    if end == pos + 1:
        return False
    d.report(hints.unexpected_token(tok, d.expected(), d.text, d.file, d.vocab, last))
    merged = f"{last}.{d.text[pos + 1 : end]}"
    number = Token(last.type, merged, last.start_pos, last.line, last.column, last.line,
                   last.column + (end - last.start_pos), end)  # fmt: skip
    values = d.ps.value_stack
    if values and values[-1] is last:
        values[-1] = number
    elif values and isinstance(values[-1], Tree):  # already read as an operand
        for node in values[-1].iter_subtrees():
            node.children = [number if c is last else c for c in node.children]
    d.goto(end)
    return True


def upper_case_before(d: Cursor, tok: Token) -> bool:
    """`NOT X = 1`: the upper-case keyword was read as a column name."""
    last, stack, values = d.last, d.ps.state_stack, d.ps.value_stack
    if last is None or last.type != "NAME" or not values or values[-1] is not last:
        return False
    kind = d.vocab.terminals.get(str(last).lower())
    if kind is None or str(last).islower() or d.g.simulate(stack, len(stack) - 2, [kind, tok.type]) is None:
        return False
    fix = hints.token_fix(last, d.file, lambda _: True, d.vocab)
    if fix is None:
        return False
    d.report(fix.diagnostic)
    del stack[-1], values[-1]
    d.feed([*fix.tokens, tok])
    return True


def wrong_order(d: Cursor, tok: Token) -> bool:
    """A part the grammar takes earlier in this statement or clause, written after a later part."""
    stack, values = d.ps.state_stack, d.ps.value_stack
    floor = d.floor()
    # the latest state that takes it: the part pushed from there is the one it must precede
    # (the earliest could be before optional parts that come before it, e.g. `with time`)
    for i in reversed(range(floor + 1, len(stack) - 1)):
        if d.accepts(tok.type, i):
            later = leaves(values[i])
            construct = leaves(values[floor]) if floor < len(values) else []
            word = str(construct[0]) if construct else ""
            d.report(hints.wrong_order(tok, word, str(later[0]) if later else "", d.file))
            return True
    return False


def backtrack(d: Cursor) -> bool:
    """A keyword that starts a line but was read as a name of the unfinished part before
    it (`cnsr` + newline + `end`): report the unfinished part and read the keyword again."""
    values = d.ps.value_stack
    floor = d.floor()
    for k in range(len(values) - 1, floor - 1, -1):
        for leaf in reversed(leaves(values[k])):
            if not (leaf.type == "NAME" and d.first_on_line(leaf) and d.kind(leaf) != "NAME"):
                continue
            plan = d.plan(leaf, below=k)
            if plan is None:
                continue
            own = leaves(values[k])
            i = next(i for i, t in enumerate(own) if t is leaf)
            earlier = own[:i] or (leaves(values[k - 1]) if k else [])
            # a keyword has no leaf (`first rand after` + newline + `endpoint`): the word before
            before = earlier[-1] if earlier else _word_before(d.text, leaf) or leaf
            d.report(hints.unfinished(leaf, before, d.expected(k), d.file, d.vocab))
            d.apply(plan, leaf, [], drop_leaf=False)
            return True
    return False


def _word_before(text: str, tok: Token) -> Token | None:
    """The last word written before `tok` (comments left out), as a token."""
    end = tok.start_pos if tok.start_pos is not None else 0
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        hash_at = line.find("#")
        if hash_at >= 0 and '"' not in line[:hash_at]:
            line = line[:hash_at]
        stripped = line.rstrip()
        if stripped:
            word = stripped.split()[-1]
            at = start + len(stripped) - len(word)
            return hints.token_at("WORD", word, text, at, at + len(word))
        end = start - 1
    return None
