"""Runtime, groups (issue 13, item 3): what a compiled grouped endpoint calls.

The generated module gives `data.groups.Grouped` the values of a subject's rows
(`group_values`) and, for one value, the subject with only the rows of that value in the
grouped event's table (`with_group`): the endpoint's own function then derives it as usual.
"""

from __future__ import annotations

from collections.abc import Callable

from ...data.groups import Grouped
from ...data.values import Row, Subject, as_text

__all__ = ["Grouped", "group_values", "with_group"]


def _value(row: Row, columns: tuple[str, ...]) -> tuple:
    return tuple(as_text(row.get(c)) for c in columns)


def group_values(subject: Subject, *, table: str, columns: tuple[str, ...], where: Callable | None) -> set:
    """The values (texts, None when missing) of the rows of `table` that `where` selects."""
    return {_value(row, columns) for row in subject.rows(table) if where is None or where(row) is True}


def with_group(subject: Subject, *, table: str, columns: tuple[str, ...], value: tuple) -> Subject:
    """The subject with only the rows of `table` whose columns hold `value`."""
    rows = [row for row in subject.rows(table) if _value(row, columns) == value]
    return Subject(subject.id, {**subject.tables, table: rows})
