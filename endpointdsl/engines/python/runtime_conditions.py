"""Runtime: row conditions in three-valued logic (a missing or unreadable cell is None,
unknown) and conditions comparing with other values."""

from __future__ import annotations

from ...data.dates import parse_date
from ...data.values import Subject, as_number, as_text
from .runtime_dates import shift

# ---- three-valued logic --------------------------------------------------------------


def compare(
    value: object, *, op: str, kind: str, literal: object, date_format: str | None = None
) -> bool | None:
    """`value op literal`, read as the literal's kind (a date in the column's `date_format`);
    None when the cell is missing or unreadable."""
    if kind == "text":
        left = as_text(value)
    elif kind == "number":
        left = as_number(value)
    else:
        left = parse_date(value, date_format)[0]
    if left is None:
        return None
    match op:
        case "=":
            return left == literal
        case "!=":
            return left != literal
        case "<":
            return left < literal
        case "<=":
            return left <= literal
        case ">":
            return left > literal
        case ">=":
            return left >= literal
    raise ValueError(op)


def one_of(
    value: object, *, kind: str, literals: tuple, negated: bool, date_format: str | None = None
) -> bool | None:
    found = None
    for literal in literals:
        hit = compare(value, op="=", kind=kind, literal=literal, date_format=date_format)
        if hit is None:
            return None
        found = found or hit
    result = bool(found)
    return not result if negated else result


def and3(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def or3(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def not3(a: bool | None) -> bool | None:
    return None if a is None else not a


# ---- conditions comparing with other values (issue 12: conditions) -------------------


def subject_value(subject: Subject, *, table: str, column: str) -> object:
    """The subject's cell of a one-row-per-subject table; missing unless it has exactly one row."""
    rows = subject.rows(table)
    return rows[0].get(column) if len(rows) == 1 else None


def _cell_kind(value: object) -> tuple[str | None, object]:
    """A cell read by the first kind that reads it: number, ISO 8601 date, else text."""
    number = as_number(value)
    if number is not None:
        return "number", number
    date = parse_date(value, None)[0]
    if date is not None:
        return "date", date
    text = as_text(value)
    return ("text", text) if text is not None else (None, None)


def compare_with(
    value: object,
    *,
    other: object,
    op: str,
    kind: str,
    factor: float = 1.0,
    offset: float = 0.0,
    date_format: str | None = None,
    other_format: str | None = None,
) -> bool | None:
    """`value op factor * other + offset`, both read as `kind` (docs/semantics.md 1); None
    (unknown) when either is missing or cannot be read so."""
    if kind == "number":
        left, right = as_number(value), as_number(other)
        if left is None or right is None:
            return None
        right = factor * right + offset
    elif kind == "date":
        left, right = parse_date(value, date_format)[0], parse_date(other, other_format)[0]
        if left is None or right is None:
            return None
        right = shift(right, int(offset))
    else:
        (left_kind, left), (right_kind, right) = _cell_kind(value), _cell_kind(other)
        if left_kind is None or left_kind != right_kind or (left_kind == "text" and op not in ("=", "!=")):
            return None
    match op:
        case "=":
            return left == right
        case "!=":
            return left != right
        case "<":
            return left < right
        case "<=":
            return left <= right
        case ">":
            return left > right
    return left >= right
