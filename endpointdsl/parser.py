"""Parser: .ept text to lark tree. The only module that sees lark's exceptions.

Every lark error is translated here into a `Diagnostic` with file, line, column
and a targeted hint; nothing from lark reaches a user.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from importlib import resources
from pathlib import Path

import lark
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)

from . import parser_tables
from .diagnostics import Diagnostic, EptError, Span, with_source

GRAMMAR_NAME = "endpoint.lark"

CLAUSE_KEYWORDS = (
    "from", "to", "censor", "horizon", "cutoff", "stop", "among", "origin", "time",
    "before", "end", "best", "response", "occurrence", "sd", "confirm", "responder", "not",
    "evaluable", "no",
)  # fmt: skip
TOP_KEYWORDS = ("table", "event", "population", "schedule", "endpoint")
RESERVED = frozenset(
    CLAUSE_KEYWORDS
    + TOP_KEYWORDS
    + (
        "one", "row", "rows", "many", "per", "subject", "subjects", "key", "where",
        "sequence", "label", "with", "and", "or", "not", "in", "is", "missing", "first",
        "of", "at", "latest", "last", "calendar", "inclusive", "exclusive", "day",
        "ignore", "move", "cnsr", "evntdesc", "cnsdtdsc", "impute", "mid", "after", "if", "no", "stopped", "by", "schedule", "every", "until", "then", "window", "events", "missed", "like", "without",
        "through", "nearest", "least", "most", "ne", "between", "excluded", "occurred", "reaches", "assessed",
    )
)  # fmt: skip

# Limits that keep every later stage (recursive transformer, checker and generated
# Python, whose parser allows 200 nested parentheses) well inside what it can handle.
MAX_CONDITION_DEPTH = 100
MAX_NUMBER_DIGITS = 20
# Nodes that define a name, and what they define.
_DEFINITIONS = {"table": "a table", "event_def": "an event", "population_def": "a population"}
_CONDITION_OPS = frozenset({"and_", "or_", "not_"})

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


# Keyword terminals (name -> word), filled when the parser is built or loaded.
KEYWORD_TERMINALS: dict[str, str] = {}
_origin = ""  # "tables" (loaded from the package) or "built" (in memory)


def build_parser(grammar: str | None = None) -> lark.Lark:
    """A parser built now, not loaded: with its grammar object, which loaded tables lack
    (hypothesis' from_lark generates texts from it)."""
    parser, keywords = parser_tables.build(grammar_text() if grammar is None else grammar)
    KEYWORD_TERMINALS.update(keywords)
    return parser


@functools.cache
def lark_parser() -> lark.Lark:
    """The LALR parser, from the tables shipped in the package (parser_tables), or built in
    memory when they do not fit this grammar and lark. Nothing is cached on disk."""
    global _origin
    grammar = grammar_text()
    shipped = resources.files("endpointdsl") / parser_tables.FILE
    # Absent from a checkout that was never built or installed.
    loaded = parser_tables.load(shipped.read_text(encoding="utf-8"), grammar) if shipped.is_file() else None
    if loaded is None:
        _origin = "built"
        return build_parser(grammar)
    parser, keywords = loaded
    KEYWORD_TERMINALS.update(keywords)
    _origin = "tables"
    return parser


def parser_origin() -> str:
    """"tables" when the parser was loaded from the tables shipped in the package, "built"
    when it was built in memory (the tables did not fit)."""
    lark_parser()
    return _origin


def parse_tree(text: str, file: str = "<string>") -> lark.Tree:
    """Parse .ept text into a lark tree, or raise EptError with its diagnostics."""
    if text.startswith("\ufeff"):  # a byte-order mark: a blank keeps every column in place
        text = " " + text[1:]
    try:
        tree = lark_parser().parse(text)
    except UnexpectedInput as exc:
        diags = [_translate(exc, text, file)]
    else:
        diags = _tree_problems(tree, file)
        if not diags:
            return tree
    raise EptError(with_source(diags, text))


def _tree_problems(tree: lark.Tree, file: str) -> list[Diagnostic]:
    """Reserved words used as defined names, and input beyond the language's limits."""
    diags: list[Diagnostic] = []
    depth: dict[int, int] = {}  # id(node) -> and/or/not nesting below and at it
    stack: list[tuple[lark.Tree, bool]] = [(tree, False)]
    while stack:  # iterative post-order walk: the tree may be deeper than Python's stack
        node, done = stack.pop()
        subtrees = [c for c in node.children if isinstance(c, lark.Tree)]
        if not done:
            stack.append((node, True))
            stack.extend((c, False) for c in subtrees)
            continue
        below = max((depth.pop(id(c)) for c in subtrees), default=0)
        depth[id(node)] = below + (node.data in _CONDITION_OPS)
        if node.data in ("where", "table_where"):
            cond = subtrees[-1]
            if depth[id(node)] > MAX_CONDITION_DEPTH:
                diags.append(_too_deep(cond, depth[id(node)], file))
        if node.data in _DEFINITIONS and str(node.children[0]) in RESERVED:
            diags.append(_reserved_name(node.children[0], _DEFINITIONS[node.data], file))
        for tok in node.children:
            if isinstance(tok, lark.Token) and tok.type == "SIGNED_NUMBER":
                digits = sum(ch.isdigit() for ch in tok)
                if digits > MAX_NUMBER_DIGITS:
                    diags.append(_too_long(tok, digits, file))
    return diags


def _token_span(tok: lark.Token, file: str) -> Span:
    end = tok.end_column if tok.end_column else tok.column + max(1, len(tok))
    return Span(file, tok.line, tok.column, tok.end_line or tok.line, end)


def _reserved_name(tok: lark.Token, what: str, file: str) -> Diagnostic:
    return Diagnostic(
        "error", "E005", f"'{tok}' is a reserved word and cannot name {what}", _token_span(tok, file),
        f"choose another name, e.g. `{tok}_`; keywords of the language cannot be names",
    )  # fmt: skip


def _too_deep(cond: lark.Tree, depth: int, file: str) -> Diagnostic:
    meta = cond.meta
    span = Span(file, meta.line, meta.column, meta.end_line, meta.end_column)
    return Diagnostic(
        "error", "E006",
        f"this condition combines {depth} and/or/not; at most {MAX_CONDITION_DEPTH} are allowed",
        span, "use `COLUMN in (...)` for a list of values, or split it into several events",
    )  # fmt: skip


def _too_long(tok: lark.Token, digits: int, file: str) -> Diagnostic:
    return Diagnostic(
        "error", "E006", f"this number has {digits} digits; at most {MAX_NUMBER_DIGITS} are allowed",
        _token_span(tok, file), None,
    )  # fmt: skip


def _display(term: str) -> str:
    if term in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[term]
    lark_parser()  # fills KEYWORD_TERMINALS
    if term in KEYWORD_TERMINALS:
        return f'"{KEYWORD_TERMINALS[term]}"'
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
    return _unexpected_token(exc, text, file)


def _show_char(char: str) -> str:
    if not char:
        return "end of input"
    if char == "'":
        return '"\'"'
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


# Characters that start no token anywhere in the language (outside texts and comments).
_FOREIGN = re.compile(r"[^A-Za-z0-9_ \t\f\r\n\"#,:.=<>!()+-]")


def _bad_character(exc: UnexpectedCharacters, text: str, file: str) -> Diagnostic:
    pos = exc.pos_in_stream
    char = text[pos] if pos < len(text) else ""
    span = Span(file, exc.line, exc.column, exc.line, exc.column + 1)
    hint = None
    if char == "'":
        quoted = re.match(r"'([^'\"\\\n\r]*)'", text[pos:])
        value = quoted.group(1) if quoted else "PD"
        hint = f"texts are written in double quotes: \"{value}\", not '{value}'"
    elif char == '"':
        rest = text[pos + 1 :].split("\n", 1)[0]
        if re.search(r'(?<!\\)(\\\\)*"', rest) and "\\" in rest:
            hint = 'inside a text, a backslash is only used in \\" (a quote) and \\\\ (a backslash)'
        else:
            hint = 'a text must close on the same line with "; write \\" for a quote inside it'
    elif char == "=" and text[pos - 1 : pos] == "=":
        hint = 'compare with a single =, as in PARAMCD = "PD"'
    elif char == "/" and text[pos : pos + 2] == "//":
        hint = "comments start with #"
    elif char == "\ufeff":
        hint = "remove the byte-order mark (save the file as UTF-8 without BOM)"
    elif char.isalpha():
        hint = "names are written with ASCII letters, digits and _"
    elif char.isspace():
        hint = f"{_show_char(char)} is not allowed here; use an ordinary space or line break"
    elif _FOREIGN.match(char):
        hint = f"{_show_char(char)} is not used in the language; remove it"
    elif exc.allowed:
        hint = f"expected {_expected_list(set(exc.allowed))}"
    return Diagnostic("error", "E001", f"unexpected character {_show_char(char)}", span, hint)


def _unexpected_end(exc: UnexpectedInput, text: str, file: str) -> Diagnostic:
    tok = getattr(exc, "token", None)
    if tok is not None and tok.end_line:  # $END borrows the position of the last token
        line, column = tok.end_line, tok.end_column
    else:
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    span = Span(file, line, column, line, column + 1)
    expected = set(getattr(exc, "expected", None) or getattr(exc, "accepts", None) or ())
    hint = None
    last = _last_token(exc)
    if last is not None and last.type == "NAME" and last in RESERVED:
        hint = (
            f"the last `{last}` was read as a name because the clause before it is "
            "unfinished; complete that clause"
        )
    elif "END" in expected:
        hint = "an endpoint block is closed with `end`"
    elif expected:
        hint = f"expected {_expected_list(expected)}"
    return Diagnostic("error", "E002", "the file ends in the middle of a statement", span, hint)


def _last_token(exc: UnexpectedInput) -> lark.Token | None:
    """The last token the parser shifted, if lark kept its state."""
    parser = getattr(exc, "interactive_parser", None)
    stack = parser.parser_state.value_stack if parser is not None else []
    node = stack[-1] if stack else None
    while isinstance(node, lark.Tree) and node.children:
        node = node.children[-1]
    return node if isinstance(node, lark.Token) else None


def _unexpected_token(exc: UnexpectedToken, text: str, file: str) -> Diagnostic:
    tok = exc.token
    value = str(tok)
    span = _token_span(tok, file)
    expected = set(exc.accepts or exc.expected or ())
    close = difflib.get_close_matches(value, _keywords(expected), n=1, cutoff=0.6)
    pos = tok.start_pos if tok.start_pos is not None else -1
    message = f"unexpected {_describe(tok)}"
    if value in TOP_KEYWORDS and "END" in expected:
        hint = (
            f"the endpoint above is not closed: write `end` before `{value}` "
            f"(at the end of line {_previous_line(exc)})"
        )
    elif tok.type == "NAME" and close:
        hint = f"did you mean `{close[0]}`?"
    elif value == "=" and pos > 0 and text[pos - 1] == "=":
        span = Span(file, tok.line, tok.column - 1, tok.line, tok.column + 1)
        message = "unexpected '=='"
        hint = 'compare with a single =, as in PARAMCD = "PD"'
    elif tok.type == "SIGNED_NUMBER" and value[:1] in "+-" and pos > 0 and text[pos - 1].isdigit():
        hint = "dates are written YYYY-MM-DD, with two digits for the month and the day"
    elif tok.type == "NAME" and "COMMA" in expected:
        hint = f"is a `,` missing before '{value}'? Otherwise expected {_expected_list(expected)}"
    else:
        hint = f"expected {_expected_list(expected)}"
    return Diagnostic("error", "E003", message, span, hint)


def _previous_line(exc: UnexpectedToken) -> int:
    """The line of the last token before the unexpected one."""
    last = _last_token(exc)
    if last is not None and last.end_line:
        return last.end_line
    return max(1, (exc.token.line or 1) - 1)


def _describe(tok: lark.Token) -> str:
    if tok.type == "STRING":
        return f"text {tok}"
    if tok.type in ("SIGNED_NUMBER", "DATE"):
        return f"value {tok}"
    if tok.type == "NAME":
        return f"name '{tok}'"
    return f"'{tok}'"
