"""Values: what an input cell is to every engine, and a subject's rows.

A cell is normalised once (`normalise`: missing is None, text without trailing blanks),
then read as text, a number or a subject key the same way by the per-subject runtime, the
reference interpreter and the SQL engine's input preparation.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Iterable

from attrs import define


class Row(dict):
    """One input row: column name to normalised value, and its 1-based row number."""

    __slots__ = ("number",)

    def __init__(self, values: dict, number: int = 0):
        super().__init__(values)
        self.number = number


@define
class Subject:
    """All rows of one subject, by table name."""

    id: str
    tables: dict[str, list[Row]]

    def rows(self, table: str) -> list[Row]:
        return self.tables.get(table, [])

    @classmethod
    def from_dicts(cls, subject_id: object, tables: dict[str, Iterable[dict]]) -> Subject:
        key = subject_key(subject_id)
        return cls(
            key if key is not None else str(subject_id),
            {
                name: [Row({k: normalise(v) for k, v in r.items()}, i + 1) for i, r in enumerate(rows)]
                for name, rows in tables.items()
            },
        )


def normalise(value: object) -> object:
    """A cell as every engine sees it: None for missing, text without trailing blanks."""
    if value is None:
        return None
    if isinstance(
        value, bytes
    ):  # Parquet binary: text when it is UTF-8 (as the SQL engine's prepare reads it)
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    if isinstance(value, str):
        value = value.rstrip()
        return value if value else None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else value
    if isinstance(value, (dt.date, dt.datetime)):
        return None if value != value else value  # pandas.NaT is a datetime that is not equal to itself
    try:  # pandas.NA / NaT and numpy scalars, without importing them
        if value != value:
            return None
    except (TypeError, ValueError):
        return None
    if hasattr(value, "item"):
        return normalise(value.item())
    return value


def subject_key(value: object) -> str | None:
    """A subject key as text, the same for every table and engine (docs/semantics.md 5):
    missing stays missing, blanks on both sides are dropped, a whole number reads as an
    integer (1001.0 and Decimal 1001.00 as "1001"), any other value as `as_text` reads it."""
    text = as_text(normalise(value))
    if text is None:
        return None
    text = text.strip()
    return text or None


def as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, decimal.Decimal) and value.is_finite():
        # as a float reads: 1001.00 as "1001", 2.50 as "2.5", -0.00 as "0"
        return "0" if value.is_zero() else format(value.normalize(), "f")
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def as_number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value) if isinstance(value, (int, float)) else float(str(value))
    except ValueError:
        return None
    return number if math.isfinite(number) else None  # inf and nan compare as nothing
