"""Parser: .ept text to lark tree. The only module that sees lark's exceptions.

Every lark error is translated here into a `Diagnostic` with file, line, column
and a targeted hint; nothing from lark reaches a user.
"""

from __future__ import annotations

import difflib
import functools
from importlib import resources
from pathlib import Path

import lark
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)

from .diagnostics import Diagnostic, EptError, Span, with_source

GRAMMAR_NAME = "endpoint.lark"

CLAUSE_KEYWORDS = (
    "from", "to", "censor", "horizon", "cutoff", "stop", "among", "origin", "time",
    "before", "end",
)  # fmt: skip
TOP_KEYWORDS = ("table", "event", "population", "endpoint")
RESERVED = frozenset(
    CLAUSE_KEYWORDS
    + TOP_KEYWORDS
    + (
        "one", "row", "rows", "many", "per", "subject", "subjects", "key", "where",
        "sequence", "label", "with", "and", "or", "not", "in", "is", "missing", "first",
        "of", "at", "latest", "last", "calendar", "inclusive", "exclusive", "day",
        "ignore", "move", "cnsr", "evntdesc", "cnsdtdsc",
    )
)  # fmt: skip

_TERMINAL_NAMES = {
    "NAME": "a name",
    "STRING": 'a quoted text ("...")',
    "SIGNED_NUMBER": "a number",
    "DATE": "a date (YYYY-MM-DD)",
    "COMPARATOR": "a comparison (=, !=, <, <=, >, >=)",
    "$END": "the end of the file",
}


def grammar_text() -> str:
    """The grammar, from the installed package or, in a checkout, from grammar/."""
    packaged = resources.files("endpointdsl") / "_grammar" / GRAMMAR_NAME
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parent.parent / "grammar" / GRAMMAR_NAME
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    raise RuntimeError(  # an installation defect, not a user error
        f"endpointdsl: grammar file {GRAMMAR_NAME} is missing from the installation"
    )


@functools.cache
def lark_parser() -> lark.Lark:
    return lark.Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
    )


def parse_tree(text: str, file: str = "<string>") -> lark.Tree:
    """Parse .ept text into a lark tree, or raise EptError with one diagnostic."""
    try:
        return lark_parser().parse(text)
    except UnexpectedInput as exc:
        diag = _translate(exc, text, file)
    raise EptError(with_source([diag], text))


def _display(term: str) -> str:
    if term in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[term]
    try:
        pattern = lark_parser().get_terminal(term).pattern
    except KeyError:
        return term.lower()
    return f'"{pattern.value}"' if pattern.type == "str" else term.lower()


def _expected_list(expected: set[str]) -> str:
    shown = sorted({_display(t) for t in expected})
    if len(shown) > 8:
        shown = [*shown[:8], "..."]
    return ", ".join(shown)


def _keywords(expected: set[str]) -> list[str]:
    words = []
    for term in expected:
        shown = _display(term)
        if shown.startswith('"') and shown[1:-1].isalpha():
            words.append(shown[1:-1])
    return words


def _translate(exc: UnexpectedInput, text: str, file: str) -> Diagnostic:
    if isinstance(exc, UnexpectedCharacters):
        return _bad_character(exc, text, file)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        return _unexpected_end(exc, text, file)
    assert isinstance(exc, UnexpectedToken)
    return _unexpected_token(exc, file)


def _bad_character(exc: UnexpectedCharacters, text: str, file: str) -> Diagnostic:
    char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
    span = Span(file, exc.line, exc.column, exc.line, exc.column + 1)
    hint = None
    if char == "'":
        hint = "texts are written in double quotes: \"PD\", not 'PD'"
    elif char == '"':
        hint = 'a text must close on the same line with "; write \\" for a quote inside it'
    elif char == "=" and text[exc.pos_in_stream - 1 : exc.pos_in_stream] == "=":
        hint = 'compare with a single =, as in PARAMCD = "PD"'
    elif char == "/" and text[exc.pos_in_stream : exc.pos_in_stream + 2] == "//":
        hint = "comments start with #"
    elif exc.allowed:
        hint = f"expected {_expected_list(set(exc.allowed))}"
    shown = repr(char)[1:-1] if char else "end of input"
    return Diagnostic("error", "E001", f"unexpected character '{shown}'", span, hint)


def _unexpected_end(exc: UnexpectedInput, text: str, file: str) -> Diagnostic:
    lines = text.splitlines() or [""]
    last = len(lines)
    span = Span(file, last, len(lines[-1]) + 1, last, len(lines[-1]) + 2)
    expected = set(getattr(exc, "expected", None) or getattr(exc, "accepts", None) or ())
    hint = None
    if "END" in expected:
        hint = "an endpoint block is closed with `end`"
    elif expected:
        hint = f"expected {_expected_list(expected)}"
    return Diagnostic("error", "E002", "the file ends in the middle of a statement", span, hint)


def _unexpected_token(exc: UnexpectedToken, file: str) -> Diagnostic:
    tok = exc.token
    value = str(tok)
    end_col = tok.end_column if tok.end_column else tok.column + max(1, len(value))
    span = Span(file, tok.line, tok.column, tok.end_line or tok.line, end_col)
    expected = set(exc.accepts or exc.expected or ())
    words = _keywords(expected)
    hint = f"expected {_expected_list(expected)}"
    if "NAME" in expected and value in RESERVED:
        hint = f"'{value}' is a reserved word of the language; choose another name"
    elif tok.type == "NAME" and words:
        close = difflib.get_close_matches(value, words, n=1, cutoff=0.6)
        if close:
            hint = f"did you mean `{close[0]}`?"
    if value in TOP_KEYWORDS and "END" in expected:
        hint = (
            f"the endpoint above is not closed: write `end` before `{value}` "
            f"(at the end of line {_previous_line(tok)})"
        )
    elif tok.type == "COMPARATOR" and value == "=" and "SIGNED_NUMBER" in expected:
        hint = 'compare with a single =, as in PARAMCD = "PD"'
    elif tok.type == "NAME" and value[:1].isupper() and "COMMA" in expected:
        hint += "; a list of names is separated by commas"
    return Diagnostic("error", "E003", f"unexpected {_describe(tok)}", span, hint)


def _previous_line(tok: lark.Token) -> int:
    return max(1, (tok.line or 1) - 1)


def _describe(tok: lark.Token) -> str:
    if tok.type == "STRING":
        return f"text {tok}"
    if tok.type in ("SIGNED_NUMBER", "DATE"):
        return f"value {tok}"
    if tok.type == "NAME":
        return f"name '{tok}'"
    return f"'{tok}'"
