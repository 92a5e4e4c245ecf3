"""Parser: .ept text to lark tree. With syntax_hints and recovery (its cursor and repairs), the only code that sees lark's errors.

A file that parses is returned as a tree. Otherwise `recovery` reports every syntax error,
each as a `Diagnostic` with file, line, column and a targeted hint (nothing from lark
reaches a user), and `SyntaxErrors` carries the tree of what parsed cleanly, for the checker.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import lark
from lark.exceptions import UnexpectedInput

from . import parser_tables
from .diagnostics import Diagnostic, EptError, Span, with_source

if TYPE_CHECKING:
    from .dropped import Dropped
    from .parse_table import Grammar
    from .syntax_hints import Vocabulary

GRAMMAR_NAME = "endpoint.lark"

CLAUSE_KEYWORDS = (
    "from", "to", "censor", "horizon", "cutoff", "stop", "among", "origin", "time",
    "before", "end", "best", "response", "occurrence", "sd", "confirm", "responder", "not",
    "evaluable", "no", "ascertainment",
    "same",  # competing events (issue 13): `same day: event first`
    "for",  # groups (issue 13): `for each COLUMN of EVENT`
    "worst",  # extreme (issue 19, part 2): `worst of`
    "value",  # value endpoints (issue 14): `value max of conc`
)  # fmt: skip
TOP_KEYWORDS = ("table", "event", "population", "schedule", "endpoint", "date", "keep", "dataset", "series")
RESERVED = frozenset(
    CLAUSE_KEYWORDS
    + TOP_KEYWORDS
    + (
        "one", "row", "rows", "many", "per", "subject", "subjects", "key", "where",
        "sequence", "label", "with", "and", "or", "not", "in", "is", "missing", "first",
        "of", "at", "latest", "last", "calendar", "inclusive", "exclusive", "day",
        "ignore", "move", "cnsr", "evntdesc", "cnsdtdsc", "impute", "mid", "after", "if", "no", "stopped", "by", "schedule", "every", "until", "then", "window", "events", "missed", "like", "without",
        "through", "nearest", "least", "most", "ne", "between", "excluded", "occurred", "reaches", "assessed",
        "format",
        "continuous", "visits", "censoring", "date",
        "confirmed", "next", "later", "held", "for", "consecutive", "sustained", "within",
        "on", "the",  # reldates: `first E on or after F`, `the 2nd E`
        "keep", "as", "dataset", "paramn",  # adam: `keep A as B from adsl`, `dataset`, `paramn 3`
        "competing",  # competing events (issue 13): `to relapse competing death cnsr 2`
        "criteria", "category", "disease", "control", "progressive", "continue",  # criteria (issue 13)
        "each",  # groups (issue 13)
        "count", "none",  # bor (issue 19): `before origin: count`, `progressive disease cutoff: none`
        "outcome", "any", "has", "otherwise",  # extreme (issue 19, part 2)
        # value endpoints (issue 14): series and `value` clauses
        "series", "unit", "lloq", "below", "zero", "half", "quantifiable", "duplicate", "times", "refuse",
        "mean", "negative", "value", "max", "min", "auc", "change", "over", "linear", "up", "log", "down",
        "detectable",
    )
)  # fmt: skip

# Limits that keep every later stage (recursive transformer, checker and generated
# Python, whose parser allows 200 nested parentheses) well inside what it can handle.
MAX_CONDITION_DEPTH = 100
MAX_NUMBER_DIGITS = 20
# Nodes that define a name, and what they define.
_DEFINITIONS = {"table": "a table", "event_def": "an event", "population_def": "a population",
                "confirmed_event_def": "an event", "date_def": "a date",
                "schedule_def": "a schedule", "criteria_def": "a criteria set"}  # fmt: skip
_CONDITION_OPS = frozenset({"and_", "or_", "not_"})


def grammar_text(name: str = GRAMMAR_NAME, package: str = __package__) -> str:
    """A grammar shipped in `package`'s _grammar/ (the installed wheel) or, in a checkout,
    grammar/ at the root: the .ept grammar by default, the scenario files' for testing/."""
    packaged = resources.files(package) / "_grammar" / name
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "grammar" / name
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    raise RuntimeError(f"endpointdsl: grammar file {name} is missing from the installation")  # a defect


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
    shipped = resources.files(__package__) / parser_tables.FILE
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
    """Where the parser came from: "tables" (shipped in the package) or "built" (in memory,
    as the tables did not fit this grammar or lark)."""
    lark_parser()
    return _origin


@functools.cache
def _recovery() -> tuple[Grammar, Vocabulary]:
    from .parse_table import Grammar
    from .syntax_hints import Vocabulary

    parser = lark_parser()
    vocab = Vocabulary(parser, dict(KEYWORD_TERMINALS), TOP_KEYWORDS, RESERVED)
    return Grammar(parser, vocab), vocab


class SyntaxErrors(EptError):
    """Every syntax error of a file, with the tree of what parsed cleanly (None when it is
    too deep for the later stages) and what recovery dropped."""

    def __init__(self, diagnostics: list[Diagnostic], tree: lark.Tree | None, dropped: Dropped):
        super().__init__(diagnostics)
        self.tree = tree
        self.dropped = dropped


def parse_tree(text: str, file: str = "<string>") -> lark.Tree:
    """Parse .ept text into a lark tree, or raise SyntaxErrors with every diagnostic."""
    if text.startswith("\ufeff"):  # a byte-order mark: a blank keeps every column in place
        text = " " + text[1:]
    try:
        tree = lark_parser().parse(text)
    except UnexpectedInput:
        # Imported only now: a file that parses starts no slower for recovery.
        from . import recovery

        grammar, vocab = _recovery()
        driver = recovery.Driver(lark_parser(), grammar, vocab, text, file)
        tree = driver.run()
        diags, dropped = driver.diags, driver.dropped
        if driver.truncated:  # what was not read would make the checker's findings noise
            raise SyntaxErrors(with_source(diags, text), None, dropped) from None
    else:
        diags, dropped = [], None
    problems = _tree_problems(tree, file)
    if diags or problems:
        if dropped is None:
            from .dropped import Dropped

            dropped = Dropped(text)
        too_deep = any(d.code == "E006" for d in problems)
        raise SyntaxErrors(with_source(diags + problems, text), None if too_deep else tree, dropped)
    return tree


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


def _span(tok: lark.Token, file: str) -> Span:
    end = tok.end_column if tok.end_column else tok.column + max(1, len(tok))
    return Span(file, tok.line, tok.column, tok.end_line or tok.line, end)


def _reserved_name(tok: lark.Token, what: str, file: str) -> Diagnostic:
    return Diagnostic(
        "error", "E005", f"'{tok}' is a reserved word and cannot name {what}", _span(tok, file),
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
        _span(tok, file), None,
    )  # fmt: skip
