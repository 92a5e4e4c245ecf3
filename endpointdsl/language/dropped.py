"""Dropped pieces: what syntax-error recovery left out, and the checker diagnostics it explains.

After a syntax error the checker still runs on what parsed cleanly; a diagnostic that only a
dropped piece explains ("unknown event X" when X's own definition failed to parse, "no
censoring rule" when the censor clause failed) would be noise, and is left out.
"""

from __future__ import annotations

from attrs import define, field

from . import nodes as n
from .diagnostics import Diagnostic

# What the absence (or a partial parse) of a clause, by its first word, can make the checker say.
# E323 (bor, issue 19): `before origin: count` once the lost clause made it a best response;
# E342/E343 (extreme): `first|last by` without its lost `worst of`, or a lost `by`; E258 (value)
_KIND = frozenset(
    {
        "E110",
        "E111",
        "E112",
        "E180",
        "E181",
        "E183",
        "E184",
        "E186",
        "E187",
        "E188",
        "E258",
        "E323",
        "E342",
        "E343",
    }
)
_CAUSES = {
    "from": {"E110"},
    # E273: `same day:` whose competing events were in the lost `to`; E281: `for each ... of E`
    # whose E was counted by the lost `to` (or `occurrence of`)
    "to": {"E111", "E151", "E273", "E281"},
    "same": {"E272"},  # competing events (issue 13): the lost clause was the same-day rule
    "censor": {"E112", "E131", "E150"},
    "stop": {"E143", "E165"},
    "sd": {"E184"},
    "responder": {"E186"},
    "not": {"E187"},
    "origin": {"E142", "E188"},
    "best": _KIND,
    "response": _KIND,
    "occurrence": _KIND | {"E281"},
    "worst": _KIND,  # extreme (issue 19): `worst of|best of|first of` and `first|last by`
    "first": _KIND,
    "last": {"E342"},
    "without": {"E167"},
    "like": {"E167"},  # the base endpoint lost clauses: a `without` may find nothing to leave out
}
_EVERYTHING = frozenset().union(*_CAUSES.values())
_ABOUT_THE_HEAD = frozenset({"E102", "E107", "E108"})  # said at the PARAMCD, true whatever the clauses


@define
class Dropped:
    text: str
    definitions: set[str] = field(factory=set)  # names whose definition was dropped whole
    statements: set[str] = field(factory=set)  # their first words; "?" for a misspelt one
    clauses: dict[str, set[str]] = field(factory=dict)  # PARAMCD -> first words of dropped clauses
    regions: list[tuple[tuple[int, int], tuple[int, int]]] = field(factory=list)  # clauses kept in part

    def explains(self, d: Diagnostic, program: n.Program) -> bool:
        at = (d.span.line, d.span.column)
        if any(start <= at < end for start, end in self.regions):
            return True
        if d.code in ("E104", "E290") and self._text(d) in self.definitions:  # E290: `keep` of a lost table
            return True
        if d.code == "E106" and self.statements & {"table", "?"}:
            return True
        if d.code == "E112" and "no endpoint" in d.message and self.statements & {"endpoint", "?"}:
            return True
        endpoints = {e.paramcd.text: e for e in program.items if isinstance(e, n.Endpoint)}
        for ep in endpoints.values():
            words = self._words(ep, endpoints)
            if not words or ep.span is None or not ep.span.line <= d.span.line <= ep.span.end_line:
                continue
            if d.span == ep.paramcd.span and d.code not in _ABOUT_THE_HEAD:
                return True
            causes = set().union(*(_CAUSES.get(w, _EVERYTHING) for w in words))
            if d.code in causes:
                return True
        return False

    def _words(self, ep: n.Endpoint, endpoints: dict[str, n.Endpoint]) -> set[str]:
        """The dropped clauses of an endpoint, and "like" when its base lost some."""
        words = set(self.clauses.get(ep.paramcd.text, ()))
        seen = {ep.paramcd.text}
        base = ep.base
        while base is not None and base.text not in seen:
            seen.add(base.text)
            if self.clauses.get(base.text) or base.text in self.definitions:
                words |= {"like", *self.clauses.get(base.text, ())}
            parent = endpoints.get(base.text)
            base = parent.base if parent is not None else None
        return words

    def _text(self, d: Diagnostic) -> str:
        lines = self.text.split("\n")
        if not 0 < d.span.line <= len(lines) or d.span.end_line != d.span.line:
            return ""
        return lines[d.span.line - 1][d.span.column - 1 : d.span.end_column - 1]
