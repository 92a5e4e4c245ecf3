"""fmt (issue 15): a .ept file in the canonical layout, with its comments kept.

The words of every statement are the printer's (language/printer.py: the canonical text,
so `parse(fmt(x)) == parse(x)`); the layout around them is fixed where the printer fixes
it and kept where the author chose it:

- indentation: top-level items and `end` at column 1, endpoint clauses and criteria rows
  indented by two spaces, the continuation lines of a statement by four;
- one space between words (none around `.`, before `,` `:` `)` or after `(`), as printed;
- a statement whose words are the printer's keeps its line breaks; one whose words the
  printer changes (parentheses, spacing of a sign, a keyword spelled otherwise) is printed
  anew, on one line, wrapped before `where`, `label`, `and` ... when longer than 100
  characters;
- blank lines: at most one in a row, kept where they were; one around each endpoint and
  criteria set; none at the start or the end of the file;
- comments: a comment on its own line stays before the statement (or continuation line)
  that follows it, indented as that (before an `end`: as the clauses); a comment after code stays at the end of its line,
  two spaces after the code. When a statement is printed anew, the comments inside it
  move above it, and a comment at the end of one of its lines goes to the end of its last
  line (several: all but the last move above it). Comments after the last statement
  stay at the end of the file.

`format_text` is idempotent: its output is its own canonical layout.
"""

from __future__ import annotations

import re

from attrs import frozen

from . import nodes as n
from .printer import format_clause, format_item
from .transformer import parse

WIDTH = 100
CONTINUATION = "    "
INDENT = "  "
_TOKEN = re.compile(
    r'"(?:[^"\\\n\r]|\\["\\])*"'  # a string (one line; \" and \\ escaped)
    r"|#[^\n]*"  # a comment
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}"  # a date
    r"|[0-9]+(?:st|nd|rd|th)\b"  # an ordinal (`the 2nd E`)
    r"|[A-Za-z_][A-Za-z0-9_]*"
    r"|[+-]?[0-9]+(?:\.[0-9]+)?"  # a number, its sign glued as the lexer reads it
    r"|<=|>=|!="
    r"|\S"
)
# Words a long statement printed anew is broken before (its first break that fits).
_BREAK_BEFORE = frozenset(
    {"where", "sequence", "label", "impute", "format", "response", "and", "or", "competing", "confirmed",
     "held", "sustained", "cnsr", "evntdesc", "cnsdtdsc", "if", "not", "with"}
)  # fmt: skip


@frozen
class Token:
    text: str
    line: int  # from 1
    column: int  # from 1


def tokens(text: str) -> list[Token]:
    """Every word, mark and comment of `text`, with its position (strings whole)."""
    out = []
    # lines as the lexer counts them: at "\n" only (str.splitlines also splits at form feeds...)
    for number, line in enumerate(text.replace("\ufeff", " ").split("\n"), start=1):
        line = line.removesuffix("\r")  # Windows line ends; a comment's trailing blanks go too
        out += [Token(m.group().rstrip(), number, m.start() + 1) for m in _TOKEN.finditer(line)]
    return out


@frozen
class _Anchor:
    """One statement (a top-level item, an endpoint's header, clause or `end`, a criteria
    row ...): its canonical text and the source tokens it was written with."""

    canonical: str
    indent: str
    source: tuple[Token, ...]
    block: bool = False  # an endpoint or criteria set begins (a blank line before it)
    closes: bool = False  # an endpoint or criteria set ends (a blank line after it)
    comment_indent: str | None = None  # of the comments before it (default: its indent)


def _anchors(program: n.Program, words: list[Token]) -> list[_Anchor]:
    anchors: list[_Anchor] = []

    def inside(start: tuple[int, int], end: tuple[int, int]) -> tuple[Token, ...]:
        return tuple(t for t in words if start <= (t.line, t.column) <= end)

    for item in program.items:
        span = item.span
        first, last = (span.line, span.column), (span.end_line, span.end_column - 1)
        lines = format_item(item).split("\n")
        parts = list(getattr(item, "clauses", None) or getattr(item, "rows", None) or ())
        if isinstance(item, n.SeriesDef) and item.options:  # value endpoints: an option a line
            body = inside(first, last)
            starts = [(o.span.line, o.span.column) for o in item.options]
            anchors.append(_Anchor(lines[0], "", tuple(t for t in body if (t.line, t.column) < starts[0])))
            for option, text in zip(item.options, lines[1:], strict=True):
                s = option.span
                source = inside((s.line, s.column), (s.end_line, s.end_column - 1))
                anchors.append(_Anchor(text.strip(), INDENT * 2, source))
            continue
        if not isinstance(item, n.Endpoint | n.CriteriaDef):
            anchors.append(_Anchor(lines[0], "", inside(first, last)))
            continue
        starts = [(p.span.line, p.span.column) for p in parts]
        body = inside(first, last)
        end_token = body[-1]
        head_end = starts[0] if starts else (end_token.line, end_token.column)
        anchors.append(
            _Anchor(lines[0], "", tuple(t for t in body if (t.line, t.column) < head_end), block=True)
        )
        if isinstance(item, n.Endpoint):  # a clause may print on several lines (`worst of`)
            texts = [format_clause(p) for p in parts]
            rest = []
        else:
            texts = lines[1 : 1 + len(parts)]
            rest = lines[1 + len(parts) : -1]  # a criteria set's `after progressive disease: ...`
        for part, text in zip(parts, texts, strict=True):
            s = part.span
            clause = inside((s.line, s.column), (s.end_line, s.end_column - 1))
            if isinstance(part, n.Extreme):
                anchors += _extreme_anchors(part, text, clause)
            else:
                anchors.append(_Anchor(text.strip(), INDENT, clause))
        if rest:
            after = parts[-1].span if parts else span
            tail = tuple(
                t
                for t in body
                if (after.end_line, after.end_column - 1) < (t.line, t.column) and t is not end_token
            )
            anchors.append(_Anchor(rest[0].strip(), INDENT, tail))
        anchors.append(_Anchor("end", "", (end_token,), closes=True, comment_indent=INDENT))
    return anchors


def _extreme_anchors(part: n.Extreme, text: str, clause: tuple[Token, ...]) -> list[_Anchor]:
    """`worst of`, each outcome and `otherwise` are lines of their own, under the clause."""
    printed = [line.strip() for line in text.split("\n")]
    spans = [o.span for o in part.outcomes]
    bounds = [(s.line, s.column) for s in spans]
    ends = [(s.end_line, s.end_column - 1) for s in spans]
    head = tuple(t for t in clause if (t.line, t.column) < bounds[0])
    out = [_Anchor(printed[0], INDENT, head)]
    for i, (start, end) in enumerate(zip(bounds, ends, strict=True)):
        source = tuple(t for t in clause if start <= (t.line, t.column) <= end)
        out.append(_Anchor(printed[1 + i], INDENT * 2, source))
    if part.otherwise is not None:
        tail = tuple(t for t in clause if (t.line, t.column) > ends[-1])
        out.append(_Anchor(printed[-1], INDENT * 2, tail))
    return out


def _spaced(text: str) -> list[tuple[str, bool]]:
    """The tokens of a canonical text, each with whether a space comes before it there."""
    out, end = [], 0
    for m in _TOKEN.finditer(text):
        out.append((m.group(), m.start() > end))
        end = m.end()
    return out


def _joined(words: list[tuple[str, bool]]) -> str:
    return "".join((" " if space and i else "") + w for i, (w, space) in enumerate(words))


def _wrapped(canonical: str, indent: str) -> list[str]:
    """The canonical text on lines no longer than WIDTH where the breaks allow it: pieces
    that begin at a break (before `where`, `and` ..., after a comma), as many on a line as fit."""
    words = _spaced(canonical)
    pieces: list[list[tuple[str, bool]]] = []
    for i, (w, space) in enumerate(words):
        if not pieces or (space and (w in _BREAK_BEFORE or words[i - 1][0] == ",")):
            pieces.append([])
        pieces[-1].append((w, space))
    lines: list[list[tuple[str, bool]]] = [pieces[0]] if pieces else [[]]
    for piece in pieces[1:]:
        prefix = indent if len(lines) == 1 else CONTINUATION
        if len(prefix + _joined([*lines[-1], *piece])) > WIDTH:
            lines.append(piece)
        else:
            lines[-1] = [*lines[-1], *piece]
    return [(indent if i == 0 else CONTINUATION) + _joined(ws) for i, ws in enumerate(lines)]


def _after_code(comment: Token, words: list[Token]) -> bool:
    return any(w.line == comment.line and w.column < comment.column for w in words)


def _by_source_lines(
    source: tuple[Token, ...], spaced: list[tuple[str, bool]], inner: list[Token], indent: str
) -> list[tuple[str, int]]:
    """The statement's words on the lines the author broke them onto, spaced as printed,
    with the comments inside it and at the ends of its lines."""
    groups: dict[int, list[tuple[str, bool]]] = {}
    for t, word in zip(source, spaced, strict=True):
        groups.setdefault(t.line, []).append(word)
    comments = {c.line: c for c in inner}
    lines = []
    for i, line in enumerate(sorted(set(groups) | set(comments))):
        prefix = indent if i == 0 else CONTINUATION
        if line in groups:
            text = prefix + _joined(groups[line])
            text += f"  {comments[line].text}" if line in comments else ""
        else:
            text = prefix + comments[line].text
        lines.append((text, line))
    return lines


def format_text(text: str, file: str = "<string>") -> str:
    """The canonical layout of a .ept text (raises EptError when it does not parse)."""
    program = parse(text, file)
    everything = tokens(text)
    words = [t for t in everything if not t.text.startswith("#")]
    pending = [t for t in everything if t.text.startswith("#")]
    blank = {i for i, line in enumerate(text.split("\n"), start=1) if not line.strip()}
    out: list[str] = []

    def emit(line: str, source_line: int | None) -> None:
        if out and out[-1] != "" and source_line is not None and source_line - 1 in blank:
            out.append("")
        out.append(line)

    previous: _Anchor | None = None
    for anchor in _anchors(program, words):
        source = anchor.source
        if not source:
            continue
        if (
            previous is not None
            and anchor.indent == ""
            and (anchor.block or previous.closes)
            and out[-1] != ""
        ):
            out.append("")  # an endpoint or criteria set stands apart
        first, last = source[0], source[-1]
        while pending and (pending[0].line, pending[0].column) < (first.line, first.column):
            c = pending.pop(0)  # on its own line before the statement (one after code went with it)
            indent = anchor.indent if anchor.comment_indent is None else anchor.comment_indent
            emit(indent + c.text, c.line)
        inner = []
        while pending and pending[0].line <= last.line:
            inner.append(pending.pop(0))
        spaced = _spaced(anchor.canonical)
        if [t.text for t in source] == [w for w, _ in spaced]:
            lines = _by_source_lines(source, spaced, inner, anchor.indent)
        else:  # printed anew: comments inside move above it, the last after code to its end
            ends = [c for c in inner if _after_code(c, words)][-1:]
            for c in inner:
                if c not in ends:
                    emit(anchor.indent + c.text, None)
            lines = [(line, None) for line in _wrapped(anchor.canonical, anchor.indent)]
            lines[0] = (lines[0][0], first.line)
            if ends:
                lines[-1] = (f"{lines[-1][0]}  {ends[0].text}", lines[-1][1])
        for line, source_line in lines:
            emit(line, source_line)
        previous = anchor
    for c in pending:  # after the last statement
        emit(c.text, c.line)
    while out and out[-1] == "":
        out.pop()
    formatted = "".join(line + "\n" for line in out)
    if parse(formatted, file) != program or _comments(formatted) != _comments(text):
        # a defect of this module: never write a file whose meaning or comments changed
        raise RuntimeError(f"{file}: the canonical layout would change the program or lose a comment")
    return formatted


def _comments(text: str) -> list[str]:
    return sorted(t.text for t in tokens(text) if t.text.startswith("#"))


def needs_formatting(text: str, file: str = "<string>") -> bool:
    return format_text(text, file) != text
