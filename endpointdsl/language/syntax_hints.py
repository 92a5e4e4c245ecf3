"""Parser diagnostics: what a syntax error says, and the fixes for habits from SAS and R.

A habit (`&` for `and`, `ne` for `!=`, Word's quotes...) is reported with its replacement,
and the parser reads the replacement and goes on, so that the rest of the file is checked
as the author meant it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable

import lark
from attrs import frozen
from lark import Token

from .diagnostics import Diagnostic, Span

_TERMINAL_NAMES = {
    "NAME": "a name",
    "STRING": 'a quoted text ("...")',
    "SIGNED_NUMBER": "a number",
    "DATE": "a date (YYYY-MM-DD)",
    "ORDINAL": "an ordinal (2nd)",
    "COMPARATOR": "a comparison (=, !=, <, <=, >, >=)",
    "$END": "the end of the file",
}
# Characters that start no token anywhere in the language (outside texts and comments).
_FOREIGN = re.compile(r"[^A-Za-z0-9_ \t\f\r\n\"#,:.=<>!()*+-]")
_SMART_QUOTES = "“”„‟‘’‚‛«»"  # what word processors put in place of "


class Vocabulary:
    """The grammar's terminals as a reader knows them: keywords by their word."""

    def __init__(
        self, parser: lark.Lark, keywords: dict[str, str], statements: Iterable[str], reserved: Iterable[str]
    ):
        self.keywords = keywords  # terminal name -> word
        self.terminals = {w: name for name, w in keywords.items()}  # word -> terminal name
        self.patterns = {t.name: t.pattern for t in parser.terminals}
        self.statements = frozenset(statements)  # the words that start a statement
        self.reserved = frozenset(reserved)

    def display(self, term: str) -> str:
        if term in _TERMINAL_NAMES:
            return _TERMINAL_NAMES[term]
        if term in self.keywords:
            return f'"{self.keywords[term]}"'
        pattern = self.patterns.get(term)
        return f'"{pattern.value}"' if pattern is not None and pattern.type == "str" else term.lower()

    def listing(self, terms: Iterable[str]) -> str:
        shown = sorted({self.display(t) for t in terms})
        if len(shown) > 8:
            shown = [*shown[:8], "..."]
        return ", ".join(shown)

    def words(self, terms: Iterable[str]) -> list[str]:
        return sorted(self.keywords[t] for t in terms if t in self.keywords)

    def literal(self, term: str) -> str | None:
        """The text of a keyword or punctuation terminal, None for names, numbers..."""
        if term in self.keywords:
            return self.keywords[term]
        pattern = self.patterns.get(term)
        return pattern.value if pattern is not None and pattern.type == "str" else None


@frozen
class Fix:
    """A mistake with one obvious repair: its diagnostic, the tokens read instead, and
    the position where reading goes on."""

    diagnostic: Diagnostic
    tokens: tuple[Token, ...]
    end: int


def token_at(kind: str, value: str, text: str, start: int, end: int) -> Token:
    """A token for text[start:end] (on one line), read as `value`."""
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Token(kind, value, start, line, column, line, column + (end - start), end)


def span_of(tok: Token, file: str) -> Span:
    end = tok.end_column if tok.end_column else tok.column + max(1, len(tok))
    return Span(file, tok.line, tok.column, tok.end_line or tok.line, end)


def _error(code: str, message: str, tok: Token, file: str, hint: str | None) -> Diagnostic:
    return Diagnostic("error", code, message, span_of(tok, file), hint)


def show_char(char: str) -> str:
    if not char:
        return "end of input"
    if char == "'":
        return '"\'"'
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- habits at a character that starts no token ------------------------------------------

# (text, terminal read instead, its word, why): SAS and R operators.
_OPERATORS = [
    ("%in%", "IN", "in", "`%in%` is R"),
    ("&&", "AND", "and", "`&&` is R"),
    ("||", "OR", "or", "`||` is R"),
    ("&", "AND", "and", "`&` is SAS and R"),
    ("|", "OR", "or", "`|` is SAS and R"),
    ("^=", "COMPARATOR", "!=", "`^=` is SAS"),
    ("~=", "COMPARATOR", "!=", "`~=` is SAS"),
    ("¬=", "COMPARATOR", "!=", "`¬=` is SAS"),
    ("!", "NOT", "not", "`!` is R"),
]


def character_fix(text: str, pos: int, file: str, accepts: Callable[[str], bool]) -> Fix | None:
    """The repair of a character that no token starts with, if it is a known habit."""
    char = text[pos]
    if char in _SMART_QUOTES or char == "'":
        return _quoted(text, pos, file)
    if char == '"':
        return _broken_string(text, pos, file)
    for written, kind, word, why in _OPERATORS:
        if text.startswith(written, pos) and accepts(kind):
            tok = token_at(kind, word, text, pos, pos + len(written))
            return Fix(
                _error("E001", f"unexpected {written!r}", tok, file, f"{why}: write `{word}`"),
                (tok,),
                tok.end_pos,
            )
    if char == ";":
        tok = token_at(";", ";", text, pos, pos + 1)
        hint = "a statement ends where the next keyword starts, not with `;` (a SAS habit): delete the `;`"
        return Fix(_error("E001", "unexpected ';'", tok, file, hint), (), pos + 1)
    if text.startswith("/*", pos):  # SAS and C: a comment up to */
        close = text.find("*/", pos + 2)
        end = len(text) if close < 0 else close + 2
        tok = token_at("COMMENT", "/*", text, pos, pos + 2)
        hint = "comments start with # and run to the end of the line; `/* ... */` is SAS"
        return Fix(_error("E001", "unexpected '/*'", tok, file, hint), (), end)
    if text.startswith("//", pos):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        tok = token_at("COMMENT", text[pos:end], text, pos, pos + 2)
        return Fix(_error("E001", "unexpected '/'", tok, file, "comments start with #"), (), end)
    return None


def _quoted(text: str, pos: int, file: str) -> Fix | None:
    """'PD', “PD” or ‘PD’ read as "PD"."""
    closing = "'" if text[pos] == "'" else _SMART_QUOTES
    match = re.compile(rf"[^\n\r{re.escape(closing)}\"]*[{re.escape(closing)}]").match(text, pos + 1)
    if match is None:
        return None
    value = text[pos + 1 : match.end() - 1]
    tok = token_at("STRING", quote(value), text, pos, match.end())
    if text[pos] == "'":
        hint = f"texts are written in double quotes: {quote(value)}, not '{value}'"
    else:
        hint = f"write {quote(value)} with straight double quotes (a word processor put {text[pos]} {text[match.end() - 1]})"
    return Fix(
        _error("E001", f"unexpected character {show_char(text[pos])}", tok, file, hint), (tok,), tok.end_pos
    )


def _broken_string(text: str, pos: int, file: str) -> Fix:
    """A text with a bad escape, or not closed on its line: read up to its end or the line's."""
    line_end = len(text)
    for stop in ("\n", "\r"):
        found = text.find(stop, pos + 1)
        line_end = found if 0 <= found < line_end else line_end
    rest = text[pos + 1 : line_end]
    closing = re.match(r'(?:[^"\\]|\\.)*"', rest)
    if closing and "\\" in closing.group(0):
        hint = 'inside a text, a backslash is only used in \\" (a quote) and \\\\ (a backslash)'
        end = pos + 1 + closing.end()
        value = re.sub(r"\\(.)", r"\1", text[pos + 1 : end - 1])
    else:
        hint = 'a text must close on the same line with "; write \\" for a quote inside it'
        end, value = line_end, rest
    at = token_at("STRING", quote(value), text, pos, pos + 1)
    tok = token_at("STRING", quote(value), text, pos, end)
    return Fix(_error("E001", "unexpected character '\"'", at, file, hint), (tok,), end)


def bad_character(text: str, pos: int, file: str, expected: Iterable[str], vocab: Vocabulary) -> Diagnostic:
    """E001 for a character that is no habit we know."""
    char = text[pos] if pos < len(text) else ""
    tok = token_at("CHAR", char, text, pos, pos + 1)
    if char in _SMART_QUOTES:
        hint = 'texts are written in straight double quotes: "..."'
    elif char == "'":
        hint = 'texts are written in double quotes: "..."'
    elif char == "\ufeff":
        hint = "remove the byte-order mark (save the file as UTF-8 without BOM)"
    elif char.isalpha():
        hint = "names are written with ASCII letters, digits and _"
    elif char.isspace():
        hint = f"{show_char(char)} is not allowed here; use an ordinary space or line break"
    elif any(text.startswith(written, pos) for written, *_ in _OPERATORS):
        _, _, word, why = next(op for op in _OPERATORS if text.startswith(op[0], pos))
        hint = f"{why}: the language writes `{word}`, but not here; expected {vocab.listing(expected)}"
    elif _FOREIGN.match(char):
        hint = f"{show_char(char)} is not used in the language; remove it"
    else:
        hint = f"expected {vocab.listing(expected)}"
    return _error("E001", f"unexpected character {show_char(char)}", tok, file, hint)


# ---- habits at a token in the wrong place --------------------------------------------------

_SAS_COMPARISONS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def lexing_fix(tok: Token, text: str, file: str, accepts: Callable[[str], bool]) -> Fix | None:
    """`==` and `<>`, which lex as two valid tokens, where a comparison is expected."""
    end = tok.end_pos
    if tok == "=" and text.startswith("=", end) and accepts(tok.type):
        new = token_at(tok.type, "=", text, tok.start_pos, end + 1)
        return Fix(
            _error("E003", "unexpected '=='", new, file, 'compare with a single =, as in PARAMCD = "PD"'),
            (new,),
            end + 1,
        )
    if tok.type == "COMPARATOR" and tok == "<" and text.startswith(">", end) and accepts("COMPARATOR"):
        new = token_at("COMPARATOR", "!=", text, tok.start_pos, end + 1)
        return Fix(_error("E003", "unexpected '<>'", new, file, "`<>` is SAS: write `!=`"), (new,), end + 1)
    return None


def token_fix(tok: Token, file: str, accepts: Callable[[str], bool], vocab: Vocabulary) -> Fix | None:
    """SAS comparisons (`ne`, `EQ`) and keywords written in upper case (`AND`, `Event`)."""
    value, lower = str(tok), str(tok).lower()
    if lower in _SAS_COMPARISONS and accepts("COMPARATOR"):
        new = Token.new_borrow_pos("COMPARATOR", _SAS_COMPARISONS[lower], tok)
        hint = f"`{value}` is SAS: write `{_SAS_COMPARISONS[lower]}`"
        return Fix(_error("E003", f"unexpected name '{value}'", tok, file, hint), (new,), tok.end_pos)
    kind = vocab.terminals.get(lower)
    if lower != value and kind is not None and accepts(kind):
        new = Token.new_borrow_pos(kind, lower, tok)
        hint = f"keywords are lower case: did you mean `{lower}`?"
        return Fix(_error("E003", f"unexpected name '{value}'", tok, file, hint), (new,), tok.end_pos)
    return None


def glued_fix(tok: Token, file: str, accepts: Callable[[str], bool], vocab: Vocabulary) -> Fix | None:
    """A keyword glued to the name after it: `fromrand`."""
    for word, kind in sorted(vocab.terminals.items(), key=lambda item: -len(item[0])):
        rest = str(tok)[len(word) :]
        if (
            tok.type == "NAME"
            and str(tok).startswith(word)
            and re.fullmatch(r"[A-Za-z_]\w*", rest)
            and accepts(kind)
        ):
            start, line, column = tok.start_pos, tok.line, tok.column
            first = Token(kind, word, start, line, column, line, column + len(word), start + len(word))
            second = Token(
                "NAME", rest, start + len(word), line, column + len(word), line, tok.end_column, tok.end_pos
            )
            hint = f"did you mean `{word}`? Write `{word} {rest}`"
            return Fix(
                _error("E003", f"unexpected name '{tok}'", tok, file, hint), (first, second), tok.end_pos
            )
    return None


def close_keyword(tok: Token, expected: Iterable[str], vocab: Vocabulary) -> str | None:
    """The expected keyword a misspelt name is closest to."""
    if tok.type != "NAME":
        return None
    close = difflib.get_close_matches(str(tok), vocab.words(expected), n=1, cutoff=0.6)
    return close[0] if close else None


# ---- what the parser expected -------------------------------------------------------------


def describe(tok: Token) -> str:
    if tok.type == "STRING":
        return f"text {tok}"
    if tok.type in ("SIGNED_NUMBER", "DATE"):
        return f"value {tok}"
    if tok.type == "NAME":
        return f"name '{tok}'"
    return f"'{tok}'"


def unexpected_token(
    tok: Token, expected: set[str], text: str, file: str, vocab: Vocabulary, last: Token | None,
    missing: str | None = None,
) -> Diagnostic:  # fmt: skip
    """E003: a token the parser cannot take here; `missing` is a token the parser inserts."""
    value, pos = str(tok), tok.start_pos if tok.start_pos is not None else -1
    close = close_keyword(tok, expected, vocab)
    if value in vocab.statements and "END" in expected:
        previous = last.end_line if last is not None and last.end_line else max(1, tok.line - 1)
        hint = (
            f"the endpoint above is not closed: write `end` before `{value}` (at the end of line {previous})"
        )
    elif clause := _relative_date_where_names(tok, text, last):
        hint = (
            f"`{clause}` takes events and named dates: declare the relative date above the endpoint, "
            f"e.g. `date second_therapy = the 2nd therapy after last_dose`, then write `{clause} second_therapy`"
        )
        if clause == "without stop at":
            hint += " (and `stop at second_therapy` in the base)"
    elif close:
        hint = f"did you mean `{close}`?"
    elif tok.type == "SIGNED_NUMBER" and value[:1] in "+-" and pos > 0 and text[pos - 1].isdigit():
        hint = "dates are written YYYY-MM-DD, with two digits for the month and the day"
    elif tok.type == "COMMA" and text[pos - 1 : pos].isdigit() and text[pos + 1 : pos + 2].isdigit():
        digits = re.compile(r"[0-9]+").match(text, pos + 1)
        number = last if last is not None and last.type == "SIGNED_NUMBER" else None
        written = f"{number},{digits.group(0)}" if number is not None and digits else "1,5"
        hint = f"decimals are written with a point: {written.replace(',', '.')}, not {written}"
    elif expected == {"LPAR"} and tok.type in ("STRING", "SIGNED_NUMBER", "DATE", "NAME"):
        hint = 'expected "(": a list of values is written in parentheses, as in AVALC in ("CR", "PR")'
    elif missing == '"..."':
        hint = f"expected a quoted text (\"...\") before '{value}'"
    elif missing is not None:
        hint = f"is a `{missing}` missing before '{value}'? Otherwise expected {vocab.listing(expected)}"
    else:
        hint = f"expected {vocab.listing(expected)}"
    return _error("E003", f"unexpected {describe(tok)}", tok, file, hint)


def _relative_date_where_names(tok: Token, text: str, last: Token | None) -> str | None:
    """`to first E after F`, `to the 2nd E`, `without stop at first E after F`: a relative
    date where only names are taken; the clause, else None."""
    pos = tok.start_pos if tok.start_pos is not None else -1
    before = text[text.rfind("\n", 0, pos) + 1 : pos].lstrip() if pos >= 0 else ""
    clause = next((c for c in ("to", "without stop at") if before.startswith(c + " ")), None)
    relative = tok.type == "ORDINAL" or (last is not None and str(last) in ("first", "last", "the"))
    return clause if relative else None


def unexpected_end(
    text: str, file: str, expected: set[str], vocab: Vocabulary, last: Token | None
) -> Diagnostic:
    """E002: the file ends inside a statement."""
    if last is not None and last.end_line:
        line, column = last.end_line, last.end_column
    else:
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    span = Span(file, line, column, line, column + 1)
    hint = None
    if last is not None and last.type == "NAME" and last in vocab.reserved:
        hint = f"the last `{last}` was read as a name because the clause before it is unfinished; complete that clause"
    elif "END" in expected:
        hint = "an endpoint block is closed with `end`"
    elif expected:
        hint = f"expected {vocab.listing(expected)}"
    return Diagnostic("error", "E002", "the file ends in the middle of a statement", span, hint)


def unfinished(word: Token, before: Token, expected: set[str], file: str, vocab: Vocabulary) -> Diagnostic:
    """E003: a keyword that starts a line was read as a name of the unfinished part before it."""
    what = "statement" if str(word) in vocab.statements else "clause"
    line, column = before.end_line or before.line, before.end_column or before.column + len(before)
    span = Span(file, line, column, line, column + 1)
    hint = f"after `{before}` comes {vocab.listing(expected)}; `{word}` on line {word.line} starts the next {what}"
    return Diagnostic("error", "E003", f"unfinished {what} before '{word}'", span, hint)


# The parts of a statement or clause, in the order the grammar takes them.
ORDERS = {
    "event": "event NAME = TABLE.COLUMN format ... with time where ... response ... sequence ... impute ... label ...",
    "censor": "censor at DATE if ... cnsr N evntdesc ... cnsdtdsc ...",
    "horizon": "horizon N calendar UNIT inclusive|exclusive cnsr N ...",
    "table": "table NAME: one row per subject, key COLUMN",
    "schedule": "schedule NAME = every N UNIT until N UNIT then ..., window N UNIT",
    "criteria": 'category "TEXT" = AVAL, ROLE, confirmed by next (...) from A through B UNIT with (...) between',
}


def wrong_order(tok: Token, construct: str, later: str, file: str) -> Diagnostic:
    """E003: a part that the grammar takes only before another part already written."""
    if later == str(tok):
        return _error("E003", f"'{tok}' is given twice", tok, file, "write it once")
    # `later` is empty when the part written before is a keyword alone (a criteria row's role)
    hint = f"`{tok}` comes before `{later}`" if later else f"`{tok}` cannot come here (given twice?)"
    if construct in ORDERS:
        hint += f"; the order is: {ORDERS[construct]}"
    return _error("E003", f"'{tok}' is in the wrong place", tok, file, hint)
