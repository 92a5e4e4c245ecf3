"""The days at the edges of a generated program's response rules, for the history strategy
(strategies.subject_tables): a fault at a rule's edge (`>` for `>=`, a window a day short)
changes a record only when a visit falls on that edge, which uniformly drawn days rarely do.

- `origin_edges`: days after the origin (calendar days) where a rule changes its answer: the
  SD minimum (semantics 6.1: origin + N x unit qualifies), the `day d` bounds of landmark and
  incidence windows and the landmark's `nearest day T` (6.3: numbered as `origin is day 0|1`).
- `gap_edges`: the confirmation intervals in days (6.1: a confirming visit on or after
  V + N x unit), which are edges between two visits, not from the origin.
- `category_roles`: a best response's categories by role, so that a visit on the SD edge can
  be a disease-control one that is also the subject's best (6.1).
- `confirming`: a best response's `response` categories and the categories that confirm each,
  so that a visit and its confirming visit can be put a confirmation interval apart (6.1)."""

from __future__ import annotations

import re

UNIT_DAYS = {"days": 1, "weeks": 7}


def window_day(day: int, origin_day: int | None) -> int:
    """Calendar days after the origin of study day `day` (semantics 6.3)."""
    return day - 1 if origin_day == 1 and day >= 1 else day


def origin_edges(endpoints) -> tuple[int, ...]:
    out: set[int] = set()
    for ep in endpoints:
        if getattr(ep, "kind", None) not in ("best", "landmark", "occurrence"):
            continue
        if ep.kind == "best" and ep.sd is not None:
            out.add(ep.sd[0] * UNIT_DAYS[ep.sd[1]])
        days = [b[1] for b in ep.window or () if b[0] == "day"]
        days += [ep.nearest] if ep.nearest is not None else []
        out.update(window_day(d, ep.origin_day) for d in days)
    return tuple(sorted(out))


def gap_edges(endpoints) -> tuple[int, ...]:
    out = {
        ep.confirm[0] * UNIT_DAYS[ep.confirm[1]]
        for ep in endpoints
        if getattr(ep, "kind", None) == "best" and ep.confirm is not None
    }
    return tuple(sorted(out))


# RECIST 1.1's categories by role (built in, or the shipped `recist11`), as criteria sets name them
RECIST_ROLES = {
    "CR": "response", "PR": "response", "SD": "disease control", "NON-CR/NON-PD": "disease control",
    "PD": "progressive disease", "NE": "not evaluable",
}  # fmt: skip
CATEGORY_ROLE = re.compile(
    r'category "([^"]+)" = \w+(?:, (response|disease control|progressive disease|not evaluable))?'
)


def category_roles(ep, criteria_texts: tuple[str, ...]) -> dict[str, str | None]:
    """The categories of a best-response endpoint's set and their roles (None: ranked only)."""
    if ep.criteria is None or ep.criteria == "recist11":
        return dict(RECIST_ROLES)
    block = next(t for t in criteria_texts if t.startswith(f"criteria {ep.criteria}\n"))
    return {name: role or None for name, role in CATEGORY_ROLE.findall(block)}


# RECIST 1.1's confirmation rules (built in, or the shipped `recist11`)
RECIST_CONFIRMING = {"CR": ("CR",), "PR": ("CR", "PR")}
CONFIRMED_BY = re.compile(r'category "([^"]+)" = \w+, response, confirmed by (?:next )?\(([^)]*)\)')


def confirming(ep, criteria_texts: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The `response` categories of a best-response endpoint's set that a rule confirms, and
    the categories that confirm each (the `confirm after` interval is theirs alone: 6.1)."""
    if ep.criteria is None or ep.criteria == "recist11":
        return dict(RECIST_CONFIRMING)
    block = next(t for t in criteria_texts if t.startswith(f"criteria {ep.criteria}\n"))
    return {name: tuple(re.findall(r'"([^"]+)"', by)) for name, by in CONFIRMED_BY.findall(block)}
