"""Runtime for `worst of|best of|first of` endpoints (issue 19, part 2; docs/semantics.md 6.8).

Compiled `derive_<PARAMCD>` functions of such endpoints call `extreme_record` with the
occurrences of each outcome's event; one subject at a time, like `runtime`.
"""

from __future__ import annotations

import datetime as dt

from ...data.records import Derivation
from .runtime import Notes, Occurrence, exclude
from .runtime_response import parameter


def extreme_record(
    notes: Notes, *, param: str, origin_occ: Occurrence, end: dt.date, outcomes: list, read: list,
    head: str, pick: str, otherwise: str | None, otherwise_aval: float | None, by_rank: bool = False,
) -> Derivation:  # fmt: skip
    """`outcomes`: (AVALC, AVAL, occurrences, occurrences of E for `every E has C` or None),
    in priority order; `read`: the occurrences of every event the outcomes read (findings)."""
    origin = origin_occ.date
    for occs in read:  # rows before the origin are not used, and are reported
        for occ in occs:
            if occ.date < origin:
                notes.add(f"{occ.event} on {occ.date} is before the origin {origin}; ignored")
    winner = None  # (sort key, AVALC, AVAL, the row that dates it)
    for i, (avalc, aval, occs, every) in enumerate(outcomes):
        inside = [o for o in occs if origin <= o.date <= end]
        if not inside:
            continue
        if every is not None and len(inside) != sum(1 for o in every if origin <= o.date <= end):
            continue  # `every E has C`: a row of E in the window fails C
        row = _dating(inside, pick, by_rank)
        key = (row.date, i) if head == "first" else (i,)
        if winner is None or key < winner[0]:
            winner = (key, avalc, aval, row)
        if head != "first":
            break  # the first listed outcome that holds
    if winner is None:
        if otherwise is None:
            return exclude(notes, reason="no outcome holds, and the endpoint has no `otherwise`")
        return parameter(notes, param, origin_occ, otherwise, None, codes=_code(otherwise, otherwise_aval))
    _, avalc, aval, row = winner
    return parameter(notes, param, origin_occ, avalc, row, codes=_code(avalc, aval))


def _dating(rows: list[Occurrence], pick: str, by_rank: bool) -> Occurrence:
    """First or last in occurrence order; by rank (`by COLUMN`): the smallest or largest
    number, rows without one after all others, a tie to the earlier (first) or later (last)."""
    if not by_rank:
        return rows[0] if pick == "first" else rows[-1]
    keyed = [((o.rank is None, o.rank or 0.0, i), o) for i, o in enumerate(rows)]
    if pick == "first":
        return min(keyed, key=lambda k: k[0])[1]
    return max(((o.rank is not None, o.rank or 0.0, i), o) for i, o in enumerate(rows))[1]


def _code(avalc: str, aval: float | None) -> dict:
    return {} if aval is None else {avalc: aval}
