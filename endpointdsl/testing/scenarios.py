"""Scenario reader: .scenarios text to frozen nodes, every syntax error as a Diagnostic.

A scenario file (docs/testing.md) is read by its own LALR grammar, grammar/scenarios.lark.
Its syntax errors are told by the .ept parser's own translation (language/syntax_hints:
E001 a character, E002 an unfinished line, E003 a token out of place), with file, line,
column, caret and hint. Every row and expectation is one line, so after an error the reader
blanks that line and reads again: all the file's syntax errors are reported at once.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import lark
from attrs import frozen
from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..language import parser_tables
from ..language import syntax_hints as hints
from ..language.diagnostics import Diagnostic, EptError, Span, with_source
from ..language.parser import grammar_text as read_grammar

GRAMMAR_NAME = "scenarios.lark"
MAX_ERRORS = 50


@frozen
class Value:
    """A cell as written: kind "date", "text", "number" or "missing"; `text` without quotes."""

    kind: str
    text: str
    span: Span

    def shown(self) -> str:
        return {"text": hints.quote(self.text), "missing": "missing"}.get(self.kind, self.text)


@frozen
class Cell:
    column: str
    value: Value
    span: Span  # the column's name


@frozen
class Row:
    table: str
    cells: tuple[Cell, ...]
    span: Span  # the table's name


@frozen
class Expect:
    """`expect PARAMCD: ...`: kind "values" (the cells), "excluded" (`reason`) or "no record"."""

    paramcd: str
    kind: str
    cells: tuple[Cell, ...] = ()
    reason: str | None = None
    span: Span | None = None  # the PARAMCD


@frozen
class Scenario:
    name: str
    number: int  # from 1, in file order
    rows: tuple[Row, ...]
    expects: tuple[Expect, ...]
    span: Span  # the name


@frozen
class ScenarioFile:
    file: str
    background: tuple[Row, ...]
    scenarios: tuple[Scenario, ...]
    background_span: Span | None = None


def grammar_text() -> str:
    """The scenario grammar, from the installed package or, in a checkout, from grammar/."""
    return read_grammar(GRAMMAR_NAME, __package__)


class _Vocabulary(hints.Vocabulary):
    def display(self, term: str) -> str:
        return "a line break" if term == "_NL" else super().display(term)


@functools.cache
def _parser() -> tuple[lark.Lark, _Vocabulary]:
    # A grammar of a few rules: built in memory in milliseconds, with the .ept parser's
    # whole-word keywords (so that `expected` is a name, not `expect` + `ed`).
    parser, keywords = parser_tables.build(grammar_text())
    return parser, _Vocabulary(parser, keywords, ("background", "scenario"), ())


def read_scenarios(path: str | Path) -> ScenarioFile:
    """Read a scenario file; raises EptError with every syntax error (E004: not UTF-8)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    return parse_scenarios(text, str(path))


def not_utf8(path: str | Path, exc: UnicodeDecodeError) -> EptError:
    """E004 at the first byte that is not UTF-8, with its line, column and caret (the line
    shown with U+FFFD for the bad bytes), as every other problem of a scenario file."""
    data, start = bytes(exc.object), exc.start
    line = data.count(b"\n", 0, start) + 1
    line_start = data.rfind(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    byte = data[start : start + 1].hex().upper()
    span = Span(str(path), line, column, line, column + 1)
    hint = "save the file as UTF-8 (a spreadsheet or editor may have written Latin-1 or Windows-1252)"
    diag = Diagnostic("error", "E004", f"{path} is not UTF-8 text: byte 0x{byte} ({exc.reason})", span, hint)
    return EptError(with_source([diag], data.decode("utf-8", errors="replace").replace("\r\n", "\n")))


def parse_scenarios(text: str, file: str = "<string>") -> ScenarioFile:
    if text.startswith("\ufeff"):  # a byte-order mark: a blank keeps every column in place
        text = " " + text[1:]
    source = text if text.endswith("\n") else text + "\n"  # the last line ends like the others
    parser, vocab = _parser()
    diags = _control_characters(source, file)
    source = _CONTROL.sub(" ", source)  # read on, for the file's other errors
    while True:
        try:
            tree = parser.parse(source)
            break
        except UnexpectedInput as exc:
            diag = _diagnostic(exc, source, file, vocab)
            diags.append(diag)
            line = diag.span.line
            if len(diags) >= MAX_ERRORS or not _blank_line(source, line):
                break
            source = _blank_line(source, line)
    if diags:  # the lines shown without their control characters
        raise EptError(with_source(diags, _CONTROL.sub(" ", text)))
    return _nodes(tree, file)


# Control characters but tab, form feed and the line breaks: the grammar's texts took them, so a
# scenario named with ESC sequences or NUL went raw to the terminal, the trace and pytest's ids.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _control_characters(text: str, file: str) -> list[Diagnostic]:
    diags = []
    for match in _CONTROL.finditer(text):
        pos = match.start()
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        span = Span(file, line, column, line, column + 1)
        char = hints.show_char(match.group())
        hint = "a control character is not shown by a terminal or an editor: remove it"
        diags.append(Diagnostic("error", "E001", f"unexpected character {char}", span, hint))
    return diags[:MAX_ERRORS]


def _blank_line(text: str, line: int) -> str | None:
    """The text with line `line` emptied (None when it is empty already: nothing to drop)."""
    lines = text.split("\n")
    if not 0 < line <= len(lines) or not lines[line - 1].strip():
        return None
    lines[line - 1] = ""
    return "\n".join(lines)


def _diagnostic(exc: UnexpectedInput, text: str, file: str, vocab: _Vocabulary) -> Diagnostic:
    if isinstance(exc, UnexpectedCharacters):
        if text[exc.pos_in_stream : exc.pos_in_stream + 1] == '"':
            # a text with a bad escape (`\n`) or not closed on its line: the .ept's hint, not
            # "expected a quoted text" at a quote
            return hints._broken_string(text, exc.pos_in_stream, file).diagnostic
        return hints.bad_character(text, exc.pos_in_stream, file, exc.allowed or set(), vocab)
    expected = set(getattr(exc, "expected", None) or ())
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        return hints.unexpected_end(text, file, expected, vocab, None)
    tok: Token = exc.token
    if tok.type == "_NL" and text.split("\n")[tok.line - 1].split("#")[0].strip() == "background":
        # a second background, or one after a scenario, was read as a table's name
        line = text.split("\n")[tok.line - 1]
        column = len(line) - len(line.lstrip()) + 1
        span = Span(file, tok.line, column, tok.line, column + len("background"))
        hint = "a file has one background, before its first scenario: give all its rows there"
        return Diagnostic("error", "E003", "unexpected 'background'", span, hint)
    if tok.type == "_NL":  # the line ends early: point at its end, not at the next line
        span = Span(file, tok.line, tok.column, tok.line, tok.column + 1)
        hint = f"the line is unfinished: expected {vocab.listing(expected)}"
        return Diagnostic("error", "E002", "this line ends too early", span, hint)
    line = text.split("\n")[tok.line - 1]
    words = line.split()
    second = line.find(words[1], len(line) - len(line.lstrip()) + len(words[0])) + 1 if len(words) > 1 else 0
    if words[:1] == ["expect"] and tok.column == second and "COLON" in expected:
        # `expect` where no expectation can be (the background) was read as a table's name
        column = len(line) - len(line.lstrip()) + 1
        span = Span(file, tok.line, column, tok.line, column + len("expect"))
        hint = '`expect` lines belong to a scenario, after its `scenario "NAME"` line'
        return Diagnostic("error", "E003", "unexpected 'expect'", span, hint)
    diag = hints.unexpected_token(tok, expected, text, file, vocab, None)
    written = _date_and_time(line, tok.column)
    if written is not None:  # `2024-01-15T10:00` read as a date, then a name: a text is meant
        hint = f'a date and time is written as a text: "{written}"'
        return Diagnostic(diag.severity, diag.code, diag.message, diag.span, hint)
    if (
        tok.type == "SIGNED_NUMBER"
        and str(tok)[:1] == "-"
        and text[tok.start_pos - 1 : tok.start_pos].isdigit()
    ):
        hint = 'dates are written YYYY-MM-DD; write a partial or odd date as a text, as in "2020-04"'
        return Diagnostic(diag.severity, diag.code, diag.message, diag.span, hint)
    return diag


def _date_and_time(line: str, column: int) -> str | None:
    """The date and time written unquoted around `column` of `line` (`2024-01-15T10:00`,
    `2024-01-15 10:00:00`), else None."""
    date = re.search(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[\t ]*$", line[: column - 1])
    if date is None:
        return None
    value = re.split(r"[,#]", line[date.start() :])[0].strip()
    return value if _DATE_TIME.fullmatch(value) else None


_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T| +)[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?")


# ---- the tree as nodes ------------------------------------------------------------------


def _span(tok: Token, file: str) -> Span:
    return hints.span_of(tok, file)


def _nodes(tree: Tree, file: str) -> ScenarioFile:
    background: tuple[Row, ...] = ()
    background_span = None
    scenarios = []
    for node in tree.children:
        if node.data == "background":
            background = tuple(_row(r, file) for r in node.children)
            background_span = Span(
                file, node.meta.line, node.meta.column, node.meta.line, node.meta.column + 10
            )
        else:
            name_tok, *items = node.children
            rows = tuple(_row(r, file) for r in items if r.data == "row")
            expects = tuple(_expect(e, file) for e in items if e.data == "expect")
            name = _unquote(name_tok)
            scenarios.append(Scenario(name, len(scenarios) + 1, rows, expects, _span(name_tok, file)))
    return ScenarioFile(file, background, tuple(scenarios), background_span)


def _row(node: Tree, file: str) -> Row:
    table, cells = node.children
    return Row(str(table), _cells(cells, file), _span(table, file))


def _cells(node: Tree, file: str) -> tuple[Cell, ...]:
    out = []
    for cell in node.children:
        column, value = cell.children
        out.append(Cell(str(column), _value(value, column, file), _span(column, file)))
    return tuple(out)


def _value(node: Tree, column: Token, file: str) -> Value:
    if node.data == "missing":  # no token of its own: the span runs from the column's `=`
        meta = node.meta
        span = Span(file, meta.line, meta.column, meta.end_line, meta.end_column) if not meta.empty else None
        return Value("missing", "", span or _span(column, file))
    tok = node.children[0]
    text = _unquote(tok) if node.data == "text" else str(tok)
    return Value(node.data, text, _span(tok, file))


def _expect(node: Tree, file: str) -> Expect:
    code, outcome = node.children
    span = _span(code, file)
    if outcome.data == "cells":
        return Expect(str(code), "values", _cells(outcome, file), span=span)
    if outcome.data == "excluded":
        return Expect(str(code), "excluded", reason=_unquote(outcome.children[0]), span=span)
    return Expect(str(code), "no record", span=span)


def _unquote(tok: Token) -> str:
    return str(tok)[1:-1].replace('\\"', '"').replace("\\\\", "\\")
