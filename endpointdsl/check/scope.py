"""Scope: what a file declares, by name, and the diagnostics found in it so far.

Every part of the checker reads the declarations and reports here: the file-level
`checker.Checker` is a Scope that it fills first; the name, date-format, condition,
endpoint and response checks are given it.
"""

from __future__ import annotations

import difflib

from ..language import nodes as n
from ..language.diagnostics import Diagnostic, Span


class Scope:
    def __init__(self, program: n.Program):
        self.program = program
        self.diags: list[Diagnostic] = []
        self.pending: list[Diagnostic] = []  # warnings on what a valid file derives (W102)
        self.tables: dict[str, n.Table] = {}
        self.events: dict[str, n.EventDef] = {}
        self.populations: dict[str, n.PopulationDef] = {}
        self.schedules: dict[str, n.ScheduleDef] = {}
        self.criteria_nodes: dict[str, n.CriteriaDef] = {}  # criteria (issue 13)
        self.criteria: dict = {}  # name -> model.CriteriaSet, once checked
        # value endpoints (issue 14): series declarations, and their models once checked
        self.series_nodes: dict[str, n.SeriesDef] = {}
        self.series: dict = {}  # name -> model.SeriesSpec
        # Endpoints by PARAMCD: their rows can be read as tables (semantics 6.5).
        self.endpoint_nodes = {e.paramcd.text: e for e in program.items if isinstance(e, n.Endpoint)}

    # ---- reporting
    def error(self, code: str, message: str, span: Span | None, hint: str | None = None):
        span = span or Span.unknown(self.program.file)
        self.diags.append(Diagnostic("error", code, message, span, hint))

    def warning(self, code: str, message: str, span: Span | None, hint: str | None = None):
        """A warning about what a valid file derives: reported only when it has no error."""
        span = span or Span.unknown(self.program.file)
        self.pending.append(Diagnostic("warning", code, message, span, hint))

    def did_you_mean(self, name: str, choices) -> str | None:
        close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
        return f"did you mean `{close[0]}`?" if close else None

    def unknown(self, kind: str, ident: n.Ident, choices) -> None:
        hint = self.did_you_mean(ident.text, choices)
        if hint is None:
            known = ", ".join(sorted(choices)) or "none"
            hint = f"defined {kind}s: {known}"
        self.error("E104", f"unknown {kind} '{ident.text}'", ident.span, hint)
