"""Python emission primitives shared by the code generator: safe names, literals, a writer.

Everything taken from a .ept file reaches generated source either as an identifier
checked against IDENTIFIER (and prefixed, so no keyword or builtin is shadowed) or
as a `repr()` literal; file names in comments are the model's `file_name`, in a safe alphabet.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from ...check import model as m

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def ident(prefix: str, name: str) -> str:
    if not IDENTIFIER.match(name):  # the grammar makes this impossible; refuse anyway
        raise ValueError(f"not an identifier: {name!r}")
    return f"{prefix}{name}"


def lit(value: object) -> str:
    """A Python literal for a value from the model."""
    if isinstance(value, dt.date):
        return f"_dt.date({value.year}, {value.month}, {value.day})"
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot emit the number {value}")  # the checker rejects these
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if isinstance(value, tuple):
        return "(" + "".join(f"{lit(v)}, " for v in value) + ")"
    raise TypeError(f"cannot emit {type(value).__name__}")


def call(function: str, *first: str, **named: str) -> str:
    """A call into the runtime: at most one argument by position, what the call works on
    (a cell, the subject, the occurrences, the notes), and every other by name, so that the
    generated code reads without the runtime open. The arguments are Python expressions."""
    if len(first) > 1:
        raise ValueError(f"{function}: one positional argument at most")
    return f"{function}({', '.join([*first, *(f'{name}={value}' for name, value in named.items())])})"


class Writer:
    """Source text with an indent level and a generated-line to .ept-line map; `file` is
    the .ept file's name as the comments show it (the model's `file_name`)."""

    def __init__(self, file: str):
        self.file = file
        self.lines: list[str] = []
        self.line_map: dict[int, int] = {}
        self.level = 0

    def line(self, text: str = "", src=None) -> None:
        if not text:
            self.lines.append("")
            return
        if src is not None:
            line = src.line if hasattr(src, "line") else src
            self.line_map[len(self.lines) + 1] = line
            text = f"{text}  # {self.file}:{line}"
        self.lines.append("    " * self.level + text)

    def indent(self) -> None:
        self.level += 1

    def dedent(self) -> None:
        self.level -= 1


def condition(c: m.Condition) -> str:
    match c:
        case m.Compare(column=col, op=op, literal=lt, format=fmt):
            tail = {"date_format": lit(fmt)} if fmt else {}  # a date column's declared format
            return call(
                "rt.compare",
                f"row.get({col!r})",
                op=lit(op),
                kind=lit(lt.kind),
                literal=lit(lt.value),
                **tail,
            )
        case m.InList(column=col, literals=lts, negated=neg, format=fmt):
            kind = lts[0].kind if lts else "text"
            values = lit(tuple(x.value for x in lts))
            tail = {"date_format": lit(fmt)} if fmt else {}
            return call(
                "rt.one_of", f"row.get({col!r})", kind=lit(kind), literals=values, negated=lit(neg), **tail
            )
        case m.CompareColumns(
            column=col, op=op, kind=kind, other=o, factor=factor, offset=offset, format=fmt
        ):
            return compare_with(col, op, kind, o, factor, offset, fmt)
        case m.IsMissing(column=col, negated=neg):
            return f"(row.get({col!r}) is {'not ' if neg else ''}None)"
        case m.And(left=a, right=b):
            return f"rt.and3({condition(a)}, {condition(b)})"
        case m.Or(left=a, right=b):
            return f"rt.or3({condition(a)}, {condition(b)})"
        case m.Not(operand=a):
            return f"rt.not3({condition(a)})"
    raise TypeError(f"the Python generator does not handle {type(c).__name__}")


# ---- conditions comparing with other values (issue 12: conditions) ---------------------


def compare_with(col: str, op: str, kind: str, o: m.OtherColumn, factor: float, offset: float, fmt) -> str:
    """rt.compare_with on the row's cell and the other cell: of the same row, or of the
    subject's row of a one-row-per-subject table (`subject` is in scope where conditions are)."""
    if o.table is None:
        other = f"row.get({o.column!r})"
    else:
        other = call("rt.subject_value", "subject", table=lit(o.table), column=lit(o.column))
    named = {"other": other, "op": lit(op), "kind": lit(kind)}
    if factor != 1.0:
        named["factor"] = lit(factor)
    if offset:
        named["offset"] = lit(offset)
    if fmt:
        named["date_format"] = lit(fmt)
    if o.format:
        named["other_format"] = lit(o.format)
    return call("rt.compare_with", f"row.get({col!r})", **named)
