"""Finer imputation (issue 12): the offsets of imputation bounds (E240-E243).

`impute last not after last_alive + 1 day`: a bound moves by whole days or weeks. The
checker turns each offset into a number of days for the model (EventSource.not_before_days,
not_after_days); a bound without an offset is 0 days.
"""

from __future__ import annotations

import re

from ..language import nodes as n
from .scope import Scope

UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
MAX_DAYS = 36525  # 100 years: any offset a plan writes; keeps every engine's date arithmetic in range
_WHOLE = re.compile(r"[+-]?[0-9]+")


def offset_days(scope: Scope, offsets: tuple[n.BoundOffset | None, ...]) -> tuple[int, ...]:
    """The offsets in days (E240-E243 for a bad one); () when no bound has an offset."""
    if all(o is None for o in offsets):
        return ()
    return tuple(0 if o is None else _days(scope, o) for o in offsets)


def _days(scope: Scope, o: n.BoundOffset) -> int:
    shown = f"{o.sign} {o.number}" if o.sign else o.number
    span = o.span or o.unit.span
    unit = UNITS.get(o.unit.text)
    if unit is None:
        scope.error(
            "E240", f"'{o.unit.text}' is not a unit of an imputation bound's offset", o.unit.span,
            "a bound moves by whole days or weeks: `+ 1 day`, `- 7 days`, `+ 2 weeks`",
        )  # fmt: skip
        return 0
    if not _WHOLE.fullmatch(o.number):
        scope.error(
            "E241", f"'{o.number}' {o.unit.text} is not a whole number of {o.unit.text.rstrip('s')}s", span,
            "a bound moves by whole days or weeks: write e.g. `+ 1 day`",
        )  # fmt: skip
        return 0
    signed = o.number[0] in "+-"
    if o.sign is None and not signed:
        scope.error(
            "E242", f"the offset '{o.number} {o.unit.text}' has no sign", span,
            f"write `+ {o.number} {o.unit.text}` (later) or `- {o.number} {o.unit.text}` (earlier)",
        )  # fmt: skip
        return 0
    if o.sign is not None and signed:
        scope.error(
            "E242", f"the offset '{shown} {o.unit.text}' has two signs", span,
            f"write `+ {o.number.lstrip('+-')} {o.unit.text}` or `- {o.number.lstrip('+-')} {o.unit.text}`",
        )  # fmt: skip
        return 0
    days = int(o.number) * unit * (-1 if o.sign == "-" else 1)
    if abs(days) > MAX_DAYS:
        scope.error(
            "E243", f"the offset '{shown} {o.unit.text}' is more than 100 years", span,
            f"an imputation bound moves by at most {MAX_DAYS} days",
        )  # fmt: skip
        return 0
    return days
