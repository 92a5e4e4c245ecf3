"""Generated assessment histories for whole runs of a response file (test_visits_one_a_day,
test_confirm_lists): rows (subject, date, response, sequence) of a few subjects, each from
its own first date on, with gaps around the 28 days a confirmation asks and some rows on one
date, responses from a pool with the unknown ones and missing, and sequences now and then
missing (the same-day and sequence edges). Each test gives what it needs as parameters.
Also `day`, the hand-written histories' dates (test_best_shared, test_confirm_linear, ...)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st


def day(month: int, d: int) -> dt.date:
    """A date of 2020, as the hand-written histories write them."""
    return dt.date(2020, month, d)


FIRST_DAYS = (-7, 0, 20, 42, 60)  # a subject's first assessment, in days after the origin


@st.composite
def histories(
    draw, *, origin: dt.date, responses: st.SearchStrategy, most: int, gaps: tuple[int, ...], first: int = 0
) -> list[tuple]:
    """1 to 4 subjects (S<first>, S<first+1>, ...), each with 0 to `most` rows in date order:
    dates `gaps` days apart (a 0: two rows on one date), a response drawn from `responses`,
    sequences counting up over all rows, each missing or not."""
    rows, seq = [], 0
    for s in range(first, first + draw(st.integers(1, 4))):
        when = origin + dt.timedelta(days=draw(st.sampled_from(FIRST_DAYS)))
        for _ in range(draw(st.integers(0, most))):
            when += dt.timedelta(days=draw(st.sampled_from(gaps)))
            seq += 1
            rows.append((f"S{s}", when, draw(responses), draw(st.sampled_from((float(seq), None)))))
    return rows
