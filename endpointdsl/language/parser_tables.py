"""Parser tables: the grammar's LALR tables as plain data, built with the package and shipped in it.

lark builds the tables of the grammar in about a tenth of a second and loads built ones in a
few milliseconds. They are built when the wheel is built (hatch_build.py; an editable install
builds them into the source folder) and kept in `_parser_tables.json`, plain data in the
package: not a pickle, nothing read from or written to a user's folders at run time.
Tables made for another grammar, another version of this module or another lark are not
used: the parser is then built in memory, as slow as building always was, and correct.

Only the standard library and lark are imported here: the build hook loads this file by path,
in a build environment without the package's other dependencies.
`python -m endpointdsl.language.parser_tables` rebuilds the tables of a checkout.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

import lark
from lark.grammar import Rule
from lark.lexer import PatternRE, TerminalDef

FORMAT = 1  # bump when what the module holds changes
FILE = "_parser_tables.json"
_INT_KEYS = "__int_keys__"  # JSON keys are texts; lark's tables have numbers as keys


def _whole_word(term: TerminalDef, keywords: dict[str, str]) -> None:
    """Make a keyword match only as a whole word.

    With a contextual lexer a plain string keyword also matches the start of a longer
    word wherever no name is expected: `fromrand` would read as `from rand` and a
    missing `end` before `endpoint` as `end` + `point`. A keyword regex that refuses a
    following letter, digit or _ (and outranks NAME where both are expected) avoids it.
    """
    if term.pattern.type == "str" and term.pattern.value.isalpha():
        keywords[term.name] = term.pattern.value
        term.pattern = PatternRE(re.escape(term.pattern.value) + r"(?![A-Za-z0-9_])")
        term.priority = 1


def build(grammar: str) -> tuple[lark.Lark, dict[str, str]]:
    """The parser built now, with its grammar object (hypothesis' from_lark needs it), and
    its keyword terminals (name -> word)."""
    keywords: dict[str, str] = {}
    parser = lark.Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        edit_terminals=lambda term: _whole_word(term, keywords),
    )
    return parser, keywords


def grammar_digest(grammar: str) -> str:
    """What the tables depend on besides lark: the grammar and how this module edits it."""
    digest = hashlib.sha256()
    for part in (grammar.encode("utf-8"), Path(__file__).read_bytes(), str(FORMAT).encode()):
        digest.update(part + b"\0")
    return digest.hexdigest()


def _to_json(value):
    if isinstance(value, dict):
        if value and all(type(k) is int for k in value):
            return {_INT_KEYS: [[k, _to_json(v)] for k, v in value.items()]}
        if not all(isinstance(k, str) and k != _INT_KEYS for k in value):
            raise ValueError(f"parser tables: unexpected keys {sorted(map(repr, value))[:5]}")
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):  # lark reads its tuples as sequences
        return [_to_json(v) for v in value]
    if isinstance(value, str):  # lark 1.1 keeps some texts as Tokens
        return str(value)
    if value is None or type(value) in (int, bool):
        return value
    raise ValueError(f"parser tables: {type(value).__name__} is not plain data")


def _from_json(obj: dict):
    return {k: v for k, v in obj[_INT_KEYS]} if _INT_KEYS in obj else obj


def render(grammar: str) -> str:
    """The tables of this grammar as JSON, built with the lark imported here."""
    parser, keywords = build(grammar)
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    data["options"] = {k: v for k, v in data["options"].items() if k != "edit_terminals"}
    tables = {
        "format": FORMAT,
        "grammar_digest": grammar_digest(grammar),
        "lark_version": lark.__version__,
        "keywords": keywords,
        "data": data,
        "memo": memo,
    }
    return json.dumps(_to_json(tables), separators=(",", ":"), sort_keys=True) + "\n"


def load(text: str, grammar: str) -> tuple[lark.Lark, dict[str, str]] | None:
    """The parser from tables, or None when they were built for something else."""
    try:
        tables = json.loads(text, object_hook=_from_json)
    except ValueError:
        return None
    if (
        tables.get("format") != FORMAT
        or tables.get("lark_version") != lark.__version__
        or tables.get("grammar_digest") != grammar_digest(grammar)
    ):
        return None
    return lark.Lark._load_from_dict(tables["data"], tables["memo"]), dict(tables["keywords"])


def write(path: Path, source: str) -> None:
    """Replace the file at once, so that a concurrent import never reads half of it."""
    import tempfile  # only when building the tables, not on every start

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{FILE}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(source)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main() -> int:
    """Rebuild the tables of a source checkout (after an edit of the grammar or an upgrade of lark)."""
    package = Path(__file__).resolve().parent  # endpointdsl/language, in the checkout's root
    grammar = package.parents[1] / "grammar" / "endpoint.lark"
    if not grammar.is_file():
        print(f"{grammar} not found: run this in a source checkout", file=sys.stderr)
        return 2
    target = package / FILE
    write(target, render(grammar.read_text(encoding="utf-8")))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
