"""Extreme: `worst of|best of|first of` outcomes (issue 19, part 2; semantics section 6.8).

admiral's `derive_extreme_event` in the language: outcomes in priority order, each a
condition on a row (`any E has C`) or on all of the subject's rows in the window (`every E
has C`), with the AVALC and AVAL it gives. `E has C` becomes an event of its own (E's rows
where C also holds, named `has__N`, E's name in findings; with `first|last by COLUMN` every
outcome's event is such a copy whose occurrences carry COLUMN's number, its rank), so that
every engine only counts and picks occurrences. Codes E340-E349.
"""

from __future__ import annotations

import math

import attrs

from ..language import nodes as n
from . import model as m


def check_extreme(rc, head: n.Extreme, clauses: list) -> m.ResponseSpec:
    """The model of a `worst of` endpoint; `rc` is the endpoint's ResponseChecker."""
    ops = rc.operands
    picks = [c for c in rc.ep.clauses if isinstance(c, n.ExtremePick)]
    for extra in picks[1:]:
        rc.error("E110", f"`{_words(extra)}` is given twice", extra.span, "keep one")
    pick = picks[0].which if picks else "first"
    by = picks[0].column.text if picks and picks[0].column is not None else None
    if head.head == "first" and picks:
        by = None
        rc.error(
            "E343", f"`{_words(picks[0])}` does not apply to `first of`", picks[0].span,
            "`first of` takes the earliest row of any outcome; leave it out, or write `worst of` to "
            "list the outcomes in priority order",
        )  # fmt: skip
    elif head.head != "first" and not picks:
        rc.error(
            "E342", "say which row of the winning outcome dates the result", head.span,
            "add `first by date` (its earliest row, as admiral's mode \"first\") or `last by date`",
        )  # fmt: skip
    for clause in rc.ep.clauses:
        if isinstance(clause, n.CriteriaUse):
            rc.error("E349", f"`criteria` does not apply to a `{head.head} of` endpoint", clause.span,
                     "the outcomes say the categories; leave it out")  # fmt: skip
    codes: dict[str, tuple[float | None, n.ExtremeOutcome | None]] = {}
    outcomes = []
    for o in head.outcomes:
        avalc, aval = _avalc(rc, o.avalc), _aval(rc, o.aval)
        if avalc is not None:
            _same_code(rc, codes, avalc, aval, o.avalc.span or o.span)
        got = _test(rc, ops, o, by)
        if avalc is not None and got is not None:
            outcomes.append(m.ExtremeOutcome(avalc, aval, *got))
    otherwise = otherwise_aval = None
    if head.otherwise is not None:
        otherwise, otherwise_aval = _avalc(rc, head.otherwise), _aval(rc, head.otherwise_aval)
        if otherwise is not None:
            _same_code(rc, codes, otherwise, otherwise_aval, head.otherwise.span or head.span)
    spec = m.ExtremeSpec(head.head, tuple(outcomes), pick, otherwise, otherwise_aval, by)
    first = outcomes[0].event if outcomes else head.outcomes[0].event.text
    return m.ResponseSpec("extreme", first, extreme=spec)


def stray_pick(checker, ep: n.Endpoint, response: m.ResponseSpec | None) -> None:
    """E343: `first|last by date` in an endpoint that is not `worst of` / `best of`."""
    if response is not None and response.kind == "extreme":
        return
    for clause in ep.clauses:
        if isinstance(clause, n.ExtremePick):
            checker.error(
                "E343", f"`{_words(clause)}` belongs to `worst of` and `best of` endpoints",
                clause.span, "it says which row of the winning outcome dates the result; leave it out",
            )  # fmt: skip


def _words(pick: n.ExtremePick) -> str:
    return f"{pick.which} by {pick.column.text if pick.column is not None else 'date'}"


def _avalc(rc, o: n.Operand) -> str | None:
    if isinstance(o, n.TextOperand) and len(o.value.encode("utf-8")) > 200:
        # review19: said "has blanks around it" and hinted the same text back; and counted
        # characters, so 150 accented letters (300 bytes) passed and the XPT writer stopped
        rc.error(
            "E340", f"an outcome's AVALC is at most 200 bytes long; this one is {len(o.value.encode('utf-8'))}",
            o.span, "AVALC is a SAS character variable of at most 200 bytes (UTF-8): shorten it",
        )  # fmt: skip
        return None
    if isinstance(o, n.TextOperand) and o.value.strip() and o.value == o.value.strip():
        return o.value
    hint = 'write it in double quotes: outcome "GRADE 3" = 3 if ...'
    if isinstance(o, n.TextOperand) and o.value.strip():
        hint = f'texts are compared without blanks around them: write "{o.value.strip()}"'
    rc.error("E340", "an outcome's AVALC is a non-empty text without blanks around it", o.span, hint)
    return None


def _aval(rc, o: n.Operand | None) -> float | None:
    if o is None:
        return None
    if isinstance(o, n.NumberOperand) and math.isfinite(float(o.lexeme)) and len(o.lexeme) <= 20:
        return float(o.lexeme)
    rc.error("E341", "an outcome's AVAL is a number", o.span, 'e.g. outcome "Y" = 1 if ...')
    return None


def _same_code(rc, codes: dict, avalc: str, aval: float | None, span) -> None:
    """E344: one AVALC with two AVAL codes (listing an AVALC again is allowed: several ways
    to one category, as admiral's events may set the same values)."""
    if avalc in codes and codes[avalc] != aval:
        shown = "no AVAL" if codes[avalc] is None else f"AVAL {codes[avalc]:g}"
        rc.error(
            "E344", f'"{avalc}" is given two AVAL codes', span,
            f"it has {shown} above; give every outcome of one AVALC the same code",
        )  # fmt: skip
    codes.setdefault(avalc, aval)


def _test(rc, ops, o: n.ExtremeOutcome, by: str | None) -> tuple[str, str | None] | None:
    """(event, every) of an outcome: the event whose occurrences make it hold, and for
    `every E has C` the E all of whose occurrences must be among them."""
    name = o.event.text
    if not ops.known_event(o.event):
        return None
    node = ops.scope.events[name]
    if o.condition is None and by is None:
        return name, None
    if isinstance(node, n.EventDef) and node.table.text not in (*ops.scope.tables, *ops.scope.endpoint_nodes):
        return None  # an unknown table is reported where the event reads it
    plain = isinstance(node, n.EventDef) and node.table.text in ops.scope.tables
    if not plain or name in ops.scope.endpoint_nodes:
        code, what = ("E345", "`has`") if o.condition is not None else ("E346", f"`by {by}`")
        rc.error(
            code, f"{what} needs the rows of an input table, and '{name}' is not an event of one",
            o.event.span,
            "a confirmed event, a derived date and another endpoint's rows have no rows to read; write "
            "`any E` without `has` and order `by date`, or read the rows of the event they are made from",
        )  # fmt: skip
        return None
    cond = None
    if o.condition is not None:
        cond = ops.scope.conditions.condition(o.condition, node.table.text)
        ops.scope._warn_negations(o.condition)
    narrowed = _narrowed(ops.scope, name, cond, by, o.span)
    if narrowed is None:
        return None
    return narrowed, (name if o.every else None)


def _narrowed(scope, base: str, cond: m.Condition | None, by: str | None, span) -> str | None:
    """The event `base where (its condition) and cond`, its rows ordered by `by` (its rank):
    made once per (event, condition, rank)."""
    made = scope.extreme_events
    source = scope.event_sources.get(base)
    if source is None:
        return None
    key = (base, cond, by)
    if key not in made:
        taken = set(scope.events) | {e.name for e in made.values()}
        k = len(made) + 1
        while f"has__{k}" in taken:
            k += 1
        where = source.where if cond is None else cond if source.where is None else m.And(source.where, cond)
        made[key] = attrs.evolve(
            source, name=f"has__{k}", where=where, shown=source.display, span=span, rank=by
        )
    return made[key].name
