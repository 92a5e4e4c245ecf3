"""Conditions comparing a row's column with another value (issue 12: conditions), E210-E218.

`AVAL <= BASE - 10`, `AVAL > 3 * ANRHI`, `ASTDT <= adsl.TRTEDT + 30 days`, `AVAL = BASE`:
the other value is a column of the same row, or a column of a one-row-per-subject table
read for the row's subject, times an optional factor, plus or minus an optional amount
(a number, or days and weeks for a date). A literal moved by an amount
(`ADT > 2024-01-01 + 30 days`) is folded into an ordinary comparison with a literal.

What the two sides are read as (docs/semantics.md section 1): a date when a duration is
added or when either column is the date column of an event (then in that event's
format); a number with a factor or a plain amount; otherwise decided per row ("any").
"""

from __future__ import annotations

import datetime as dt
import math

from ..language import nodes as n
from . import model as m

DAY_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
MAX_SHIFT_DAYS = 1_000_000  # about 2700 years


class CompareWith:
    """Reads `COL op OTHER` for `conditions.Conditions` (which owns the scope and formats)."""

    def __init__(self, conditions):
        self.conditions = conditions
        self.scope = conditions.scope
        self.formats = conditions.formats

    def error(self, code: str, message: str, span, hint: str | None = None) -> None:
        self.scope.error(code, message, span, hint)

    def condition(self, c: n.Compare | n.CompareTo, table: str | None) -> m.Condition:
        value = n.OtherValue(c.operand, span=c.operand.span) if isinstance(c, n.Compare) else c.value
        placeholder = m.Compare(c.column.text, c.op, m.Literal("text", ""))
        if table not in self.scope.tables:  # an endpoint's rows (an unknown table is reported elsewhere)
            if table in self.scope.endpoint_nodes:
                self.error(
                    "E218", f"a row of {table} (an endpoint's rows) is compared only with values", c.span,
                    f'compare {c.column.text} with a literal value (`ADT >= 2024-01-01`, `AVALC = "CR"`)',
                )  # fmt: skip
            return placeholder
        if isinstance(value.base, (n.TextOperand, n.NumberOperand, n.DateOperand)):
            return self._moved_literal(c, value, table) or placeholder
        return self._columns(c, value, table) or placeholder

    # ---- pieces
    def _number(self, o: n.NumberOperand) -> float | None:
        value = float(o.lexeme)
        if not math.isfinite(value) or abs(value) > 1e15:
            self.error("E163", f"the number {o.lexeme[:20]} is too large", o.span)
            return None
        return value

    def _shift(self, s: n.Shift, base: str) -> tuple[float, str | None] | None:
        """(amount, None) for a plain number, (whole days, "days") for a duration."""
        lexeme = s.amount.lexeme
        if lexeme[:1] not in "+-":
            self.error(
                "E217", f"a number follows {base} without + or -", s.amount.span,
                f"write `{base} + {lexeme}` or `{base} - {lexeme}`",
            )  # fmt: skip
            return None
        amount = self._number(s.amount)
        if amount is None:
            return None
        if s.unit is None:
            return amount, None
        per_unit = DAY_UNITS.get(s.unit.text)
        if per_unit is None:
            if s.unit.text in m.UNIT_ALIASES:
                self.error(
                    "E214", f"a date in a condition moves by days or weeks, not {m.UNIT_ALIASES[s.unit.text]}", s.unit.span,
                    "months and years are not a whole number of days: write the days, e.g. `+ 30 days`",
                )  # fmt: skip
            else:
                hint = self.scope.did_you_mean(s.unit.text, DAY_UNITS) or "days or weeks"
                self.error("E214", f"unknown unit '{s.unit.text}'", s.unit.span, hint)
            return None
        days = amount * per_unit
        if not days.is_integer() or abs(days) > MAX_SHIFT_DAYS:
            self.error(
                "E215", f"a date moves by a whole number of days, at most {MAX_SHIFT_DAYS:,}; "
                f"{s.amount.lexeme} {s.unit.text} is not", s.span or s.amount.span,
                "write whole days, e.g. `+ 30 days` or `- 1 day`",
            )  # fmt: skip
            return None
        return days, "days"

    def _moved_literal(self, c, value: n.OtherValue, table: str) -> m.Condition | None:
        """`COL op LITERAL + AMOUNT`: a comparison with one literal (the grammar gives a shift)."""
        base, shift = value.base, value.shift
        if isinstance(base, n.TextOperand):
            self.error(
                "E216", "a text cannot be moved by + or -", value.span or c.span,
                "only numbers and dates move: `AVAL <= BASE - 10`, `ADT > 2024-01-01 + 30 days`",
            )  # fmt: skip
            return None
        lit = self.conditions.literal(base)
        moved = self._shift(shift, format_base(value)) if shift is not None else (0.0, None)
        if lit is None or moved is None:
            return None
        amount, unit = moved
        if lit.kind == "number":
            if unit is not None:
                self.error(
                    "E212", f"{unit} added to the number {base.lexeme}", shift.unit.span,
                    "a duration moves a date; a number moves by a number: `AVAL <= BASE - 10`",
                )  # fmt: skip
                return None
            return m.Compare(c.column.text, c.op, m.Literal("number", lit.value + amount))
        if unit is None:
            self.error(*_no_unit(shift, format_base(value), base.lexeme))
            return None
        try:
            day = lit.value + dt.timedelta(days=int(amount))
        except OverflowError:
            self.error("E215", f"{format_base(value)} moved by {int(amount)} days is not a calendar date",
                       shift.span or c.span, "a date stays between 0001-01-01 and 9999-12-31")  # fmt: skip
            return None
        fmt = self.formats.column(table, c.column.text)
        return m.Compare(c.column.text, c.op, m.Literal("date", day), fmt)

    def _other(self, base: n.NameOperand | n.ColumnOf, table: str) -> m.OtherColumn | None:
        if isinstance(base, n.NameOperand):
            name = base.ident.text
            if name == "origin":  # an endpoint's, while a condition belongs to an event or a population
                self.error(
                    "E202", "`origin` has no meaning in a condition", base.span,
                    "a condition selects rows whatever the endpoint: name the event the origin is, "
                    "e.g. `ADT >= adsl.RANDDT`, or bound the endpoint (`stop at`, a window)",
                )  # fmt: skip
                return None
            event = self.scope.events.get(name)
            if event is not None:
                return self._event_date(event, base)
            return m.OtherColumn(name, None, self.formats.column(table, name))
        other = self.scope.tables.get(base.table.text)
        if other is None:
            self.scope.unknown("table", base.table, self.scope.tables)
            return None
        if not other.per_subject:
            self.error(
                "E211", f"table {base.table.text} has many rows per subject: which row's "
                f"{base.column.text} is meant cannot be known", base.span,
                "compare with a column of the same row (without `TABLE.`), or of a table with one "
                "row per subject (`adsl.TRTSDT`)",
            )  # fmt: skip
            return None
        return m.OtherColumn(
            base.column.text, base.table.text, self.formats.column(base.table.text, base.column.text)
        )

    def _event_date(self, event: n.EventDef, base: n.NameOperand) -> m.OtherColumn | None:
        """A subject-level event without condition or imputation (`last_dose + 30 days`):
        its date is its column of the subject's row, read in its format."""
        if not isinstance(event, n.EventDef):  # a derived date or a confirmed event
            what = "a derived date" if isinstance(event, n.DateDef) else "a confirmed event"
            self.error(
                "E210", f"'{event.name.text}' is {what}: a condition compares with a date read from a column",
                base.span, "compare with a column of the row, or of the one-row-per-subject table (`adsl.TRTEDT`)",
            )  # fmt: skip
            return None
        source = self.scope.tables.get(event.table.text)
        column = f"{event.table.text}.{event.column.text}"
        if source is None or not source.per_subject:
            why = "can occur many times per subject" if source is not None else "is on an endpoint's rows"
            self.error(
                "E210", f"'{event.name.text}' {why}: a condition compares with one date per subject",
                base.span, "compare with a column of the row, or of the one-row-per-subject table (`adsl.TRTEDT`)",
            )  # fmt: skip
            return None
        if event.where is not None or event.impute is not None:
            what = "a condition" if event.where is not None else "imputation"
            self.error(
                "E210", f"'{event.name.text}' has {what}, which a row condition does not apply", base.span,
                f"compare with the column itself, `{column}`, or with an event that reads it as it is",
            )  # fmt: skip
            return None
        return m.OtherColumn(
            event.column.text, event.table.text, self.formats.column(event.table.text, event.column.text)
        )

    def _columns(self, c, value: n.OtherValue, table: str) -> m.Condition | None:
        other = self._other(value.base, table)
        if other is None:
            return None
        left_date = (table, c.column.text) in self.formats.columns
        right_date = (other.table or table, other.column) in self.formats.columns
        dated = c.column.text if left_date else base_text(value.base) if right_date else None
        factor = self._number(value.factor) if value.factor is not None else 1.0
        moved = self._shift(value.shift, format_base(value)) if value.shift is not None else (0.0, None)
        if factor is None or moved is None:
            return None
        amount, unit = moved
        if value.factor is not None:
            if unit is not None:
                self.error(
                    "E212", f"{unit} added to a number ({value.factor.lexeme} * ...)", value.shift.unit.span,
                    "a duration moves a date; a multiple is a number: `AVAL > 3 * ANRHI + 5`",
                )  # fmt: skip
                return None
            if dated:
                self.error(*_kinds(c, dated, "multiplied", value))
                return None
            kind = "number"
        elif unit is not None:
            kind = "date"
        elif value.shift is not None:
            if dated:
                self.error(*_no_unit(value.shift, format_base(value), dated))
                return None
            kind = "number"
        else:
            kind = "date" if dated else "any"
        left_fmt = self.formats.column(table, c.column.text) if kind == "date" else None
        if kind != "date":
            other = m.OtherColumn(other.column, other.table)
        return m.CompareColumns(c.column.text, c.op, kind, other, factor, amount, left_fmt)


def base_text(base) -> str:
    if isinstance(base, n.ColumnOf):
        return f"{base.table.text}.{base.column.text}"
    if isinstance(base, n.NameOperand):
        return base.ident.text
    if isinstance(base, n.TextOperand):
        return f'"{base.value}"'
    return base.lexeme


def format_base(value: n.OtherValue) -> str:
    text = base_text(value.base)
    return f"{value.factor.lexeme} * {text}" if value.factor is not None else text


def _no_unit(shift: n.Shift, base: str, dated: str) -> tuple:
    lexeme = shift.amount.lexeme
    sign, digits = ("-" if lexeme.startswith("-") else "+"), lexeme.lstrip("+-")
    return (
        "E213", f"{dated} is a date, so `{sign} {digits}` needs a unit", shift.span or shift.amount.span,
        f"say the unit: `{base} {sign} {digits} days`",
    )  # fmt: skip


def _kinds(c, dated: str, what: str, value: n.OtherValue) -> tuple:
    return (
        "E216", f"{dated} is a date (an event's date column), which cannot be {what}", value.span or c.span,
        "compare a date with a date moved by days (`ASTDT <= adsl.TRTEDT + 30 days`), a number with a number",
    )  # fmt: skip
