"""Diagnostics: source spans, error records and their rendering with a caret."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import field, frozen


@frozen(order=True)
class Span:
    """A region of a .ept file; lines and columns count from 1."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def unknown(cls, file: str = "<unknown>") -> Span:
        return cls(file, 1, 1, 1, 1)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@frozen
class Diagnostic:
    """One problem found in a .ept file; `code` is stable and documented."""

    severity: str  # "error" or "warning"
    code: str
    message: str
    span: Span
    hint: str | None = None
    source_line: str | None = field(default=None, eq=False)

    def render(self) -> str:
        head = f"{self.span}: {self.severity} {self.code}: {self.message}"
        lines = [head]
        if self.source_line is not None:
            text = self.source_line.rstrip("\r\n").expandtabs(1)
            lines.append(f"    {text}")
            width = 1
            if self.span.end_line == self.span.line:
                width = max(1, self.span.end_column - self.span.column)
            width = min(width, max(1, len(text) - self.span.column + 1))
            lines.append("    " + " " * (self.span.column - 1) + "^" * width)
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


def with_source(diags: Iterable[Diagnostic], text: str) -> list[Diagnostic]:
    """Attach the offending source line to each diagnostic, sorted by position; a
    diagnostic found twice (a variant checks its base's clauses again) is shown once."""
    lines = text.split("\n")  # as lark counts lines: \u2028 or a form feed is not a line break
    out = []
    for d in dict.fromkeys(diags):
        src = lines[d.span.line - 1] if 0 < d.span.line <= len(lines) else None
        out.append(Diagnostic(d.severity, d.code, d.message, d.span, d.hint, source_line=src))
    return sorted(out, key=lambda d: (d.span.line, d.span.column, d.code))


class EptError(Exception):
    """A .ept file could not be turned into a checked model; holds every diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__(self.render())

    @classmethod
    def single(cls, code: str, message: str, file: str, hint: str | None = None) -> EptError:
        return cls([Diagnostic("error", code, message, Span.unknown(file), hint)])

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)
