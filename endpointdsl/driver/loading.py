"""Driver, loading: .ept text read, parsed and checked into a model; fmt's canonical layout."""

from __future__ import annotations

from pathlib import Path

from attrs import evolve

from ..check.checker import check
from ..check.model import Model
from ..language.diagnostics import Diagnostic, EptError, with_source
from ..language.parser import SyntaxErrors
from ..language.transformer import parse, to_ast


def read_source(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise EptError.single("E004", f"{path} is not UTF-8 text ({exc.reason})", str(path)) from None


def check_text(text: str, file: str = "<string>") -> Model:
    """Parse and check .ept text; raise EptError carrying every diagnostic."""
    try:
        model = check(parse(text, file))
    except SyntaxErrors as exc:  # and the checker's findings on what parsed cleanly
        raise EptError(with_source(exc.diagnostics + _after_syntax_errors(exc, file), text)) from None
    except EptError as exc:
        raise EptError(with_source(exc.diagnostics, text)) from None
    return evolve(model, warnings=tuple(with_source(model.warnings, text)))


def _after_syntax_errors(exc: SyntaxErrors, file: str) -> list[Diagnostic]:
    """The checker's diagnostics on what parsed cleanly, less those the dropped pieces explain."""
    if exc.tree is None:
        return []
    program = to_ast(exc.tree, file)
    try:  # W102 (no catch-all censoring) is for files without errors: a dropped rule may be it
        found = [w for w in check(program).warnings if w.code != "W102"]
    except EptError as err:
        found = err.diagnostics
    return [d for d in found if not exc.dropped.explains(d, program)]


def check_file(path: str | Path) -> Model:
    return check_text(read_source(path), str(path))


# ---- fmt: the canonical layout (issue 15) -----------------------------------------------------


def format_source(text: str, file: str = "<string>") -> str:
    """.ept text in the canonical layout, comments kept (language/layout.py); raises
    EptError (with every diagnostic) when it does not parse."""
    from ..language.layout import format_text

    try:
        return format_text(text, file)
    except EptError as exc:
        raise EptError(with_source(exc.diagnostics, text)) from None


def format_file(path: str | Path, check: bool = False) -> bool:
    """Rewrite a .ept file in the canonical layout (`check`: only tell); True when it
    changes (or would)."""
    text = read_source(path)
    formatted = format_source(text, str(path))
    if formatted != text and not check:
        Path(path).write_text(formatted, encoding="utf-8")
    return formatted != text
