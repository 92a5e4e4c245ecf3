"""Driver, empty events (bor, issue 19): an event that matches no row, said once for every engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..check.model import Model
from ..engines.reference import interpreter

if TYPE_CHECKING:
    import pandas as pd


def empty_events(model: Model, tables: dict[str, pd.DataFrame], report: pd.DataFrame) -> pd.DataFrame:
    """The report with a warning (or a finding) for every event whose condition matches no row
    of its table (data.emptyevents); a condition is read as the reference interpreter reads it."""
    from ..check import model as m
    from ..data.emptyevents import Probe, empty_event_rows, with_rows

    best: dict[str, str] = {}  # review19: every best response that reads the event (was: the last one)
    for ep in model.endpoints:
        if ep.kind == "best":
            best[ep.response.event] = (
                f"{best[ep.response.event]}, {ep.paramcd}" if ep.response.event in best else ep.paramcd
            )
    probes, probed = [], set()
    for ev in sorted(model.events, key=lambda e: e.display != e.name):  # the user's events first
        if ev.where is None or ev.derived or ev.confirm is not None or ev.date is not None:
            continue
        # review19: an outcome's `E has C` is an event made by the checker (`has__1`), a name the
        # user never wrote: it is named by E, and the condition shown is E's and C together
        name = ev.name if ev.display == ev.name else f"{ev.display} (in an outcome's `has`)"
        if (ev.table, ev.where) in probed:
            continue  # `first|last by COLUMN` without `has` makes a copy of E: E is reported once
        probed.add((ev.table, ev.where))
        probes.append(
            Probe(
                name, ev.table, _condition_text(ev.where),
                lambda row, subject, cond=ev.where: interpreter.holds(cond, row, subject),
                tuple(_texts(ev.where).items()), best.get(ev.name), bool(m.subject_columns(ev.where)),
                model.table(ev.table).key, tuple(sorted(m.condition_columns(ev.where))),
                tuple(_required(ev.where)),
            )
        )  # fmt: skip
    per_subject = {t.name: t.key for t in model.tables if t.per_subject and t.name in tables}
    return with_rows(report, empty_event_rows(probes, tables, per_subject))


def _texts(cond, out: dict | None = None) -> dict[str, tuple[str, ...]]:
    """The texts a condition looks for with `COLUMN = "text"` or `COLUMN in ("a", "b")`."""
    from ..check import model as m

    out = {} if out is None else out
    match cond:
        case m.Compare(column=c, op="=", literal=lit) if lit.kind == "text":
            out[c] = tuple(dict.fromkeys((*out.get(c, ()), lit.value)))
        case m.InList(column=c, literals=lits, negated=False):
            texts = [x.value for x in lits if x.kind == "text"]
            out[c] = tuple(dict.fromkeys((*out.get(c, ()), *texts)))
        case m.And(left=a, right=b) | m.Or(left=a, right=b):
            _texts(a, out)
            _texts(b, out)
    return out


def _required(cond) -> list[tuple[str, tuple[str, ...]]]:
    """(column, texts) that every row the condition holds for has: its `and`-ed `=` and `in`."""
    from ..check import model as m

    match cond:
        case m.Compare(column=c, op="=", literal=lit) if lit.kind == "text":
            return [(c, (lit.value,))]
        case m.InList(column=c, literals=lits, negated=False) if lits and all(x.kind == "text" for x in lits):
            return [(c, tuple(x.value for x in lits))]
        case m.And(left=a, right=b):
            return _required(a) + _required(b)
    return []


def _condition_text(cond) -> str:
    """A model condition as the .ept says it (for the report)."""

    def lit(x) -> str:  # review19: as written: `7`, not `7.0`; a `"` inside a text escaped
        if x.kind == "text":
            return '"' + x.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if x.kind == "number" and float(x.value).is_integer():
            return str(int(x.value))
        return str(x.value)

    return _condition_part(cond, lit)


def _condition_part(cond, lit) -> str:
    """`a and b and c` without parentheses; a mix of `and` and `or` (or a `not`) parenthesised."""
    from ..check import model as m

    def inner(x, kind) -> str:
        text = _condition_part(x, lit)
        return text if isinstance(x, kind) or not isinstance(x, m.And | m.Or) else f"({text})"

    match cond:
        case m.Compare(column=c, op=op, literal=x):
            return f"{c} {op} {lit(x)}"
        case m.InList(column=c, literals=xs, negated=neg):
            return f"{c} {'not in' if neg else 'in'} ({', '.join(lit(x) for x in xs)})"
        case m.IsMissing(column=c, negated=neg):
            return f"{c} is {'not ' if neg else ''}missing"
        case m.And(left=a, right=b):
            return f"{inner(a, m.And)} and {inner(b, m.And)}"
        case m.Or(left=a, right=b):
            return f"{inner(a, m.Or)} or {inner(b, m.Or)}"
        case m.Not(operand=a):
            text = _condition_part(a, lit)
            return f"not ({text})" if isinstance(a, m.And | m.Or) else f"not {text}"
        case m.CompareColumns(column=c, op=op, other=o):
            return f"{c} {op} {o.table + '.' if o.table else ''}{o.column} ..."
    return "..."
