"""Seed endpoints against oracles written from the protocol sentences.

Each oracle below is a few plain lines that restate one sentence of the registry
record (quoted in examples/her2_cart_trastuzumab.ept) over a generated subject
history; none of them calls endpointdsl. The compiled endpoint must agree with
it on every history, including missing dates, same-day ties, records before
enrolment and events just inside or outside the 3-year time frame.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import EXAMPLES
from hypothesis import given
from hypothesis import strategies as st

import endpointdsl

COMPILED = endpointdsl.load(EXAMPLES / "her2_cart_trastuzumab.ept")
THREE_YEARS = 1095  # 3 x 365.25 days, inclusive: at most 1095 days after enrolment
RESPONSES = ["CR", "PR", "SD", "PD", "NE"]
NO_RULE = "no event, and no censoring rule applies"

# ---- generated histories (offsets in days from enrolment) ---------------------------

offset = st.one_of(st.integers(-40, 1300), st.integers(THREE_YEARS - 3, THREE_YEARS + 3))


@st.composite
def histories(draw):
    enrol = dt.date(2021, 1, 1) + dt.timedelta(days=draw(st.integers(0, 365)))
    death = draw(st.none() | st.integers(-3, 1400) | st.integers(THREE_YEARS - 2, THREE_YEARS + 2))
    discontinued = draw(st.booleans())
    disc = draw(st.none() | offset)
    assessments = draw(
        st.lists(
            st.tuples(
                st.none() | offset,  # None: a record without a date
                # Screening scans (before enrolment) are never a response.
                st.sampled_from(RESPONSES),
            ),
            max_size=6,
        )
    )
    assessments = [(d, r if d is None or d >= 0 or r not in ("CR", "PR") else "SD") for d, r in assessments]
    visits = draw(st.lists(st.integers(0, 1300) | st.integers(THREE_YEARS - 2, THREE_YEARS + 2), max_size=5))
    last_alive = death if death is not None else draw(st.integers(-5, 1400))
    return {
        "enrol": enrol, "death": death, "discontinued": discontinued, "disc": disc,
        "assessments": assessments, "visits": visits, "last_alive": last_alive,
    }  # fmt: skip


def as_tables(h) -> dict:
    def day(off):
        return "" if off is None else (h["enrol"] + dt.timedelta(days=off)).isoformat()

    adsl = {
        "USUBJID": "S1", "ENRLDT": h["enrol"].isoformat(),
        "EOTSTT": "DISCONTINUED" if h["discontinued"] else "COMPLETED",
        "DCTDT": day(h["disc"]), "DTHFL": "Y" if h["death"] is not None else "",
        "DTHDT": day(h["death"]), "LSTALVDT": day(h["last_alive"]),
    }  # fmt: skip
    adrs = [
        {"USUBJID": "S1", "ASEQ": i + 1, "PARAMCD": "OVR", "AVALC": r, "ADT": day(d)}
        for i, (d, r) in enumerate(h["assessments"])
    ]
    adsv = [{"USUBJID": "S1", "SVSEQ": i + 1, "SVSTDT": day(v)} for i, v in enumerate(h["visits"])]
    return {"adsl": [adsl], "adrs": adrs, "adsv": adsv}


def derive(code: str, h):
    result = COMPILED[code](as_tables(h), subject_id="S1")
    if result.record is None:
        return result.excluded
    rec = result.record
    assert rec.STARTDT == h["enrol"]
    assert rec.AVAL == (rec.ADT - rec.STARTDT).days + 1
    return ((rec.ADT - h["enrol"]).days, rec.CNSR, rec.EVNTDESC)


# ---- oracles: one protocol sentence each ------------------------------------------------


def first_pd(h, limit=None):
    days = [d for d, r in h["assessments"] if r == "PD" and d is not None and d >= 0]
    days = [d for d in days if limit is None or d <= limit]
    return min(days, default=None)


def in_frame(d):
    return d is not None and 0 <= d <= THREE_YEARS


def last_visit(h, censored: tuple[int, str], beyond: tuple[int, str]):
    """Censored at the last follow-up visit; a visit after the 3 years shows the subject
    followed event-free through them (continuous ascertainment): censored at their end."""
    seen = [v for v in h["visits"] if v >= 0]
    if not seen:
        return None
    if max(seen) > THREE_YEARS:
        return (THREE_YEARS, *beyond)
    return (max(seen), *censored)


def earliest(candidates):
    """(day, 0, text) of the earliest dated candidate inside the 3 years; ties: first listed."""
    events = [(d, i, text) for i, (d, text) in enumerate(candidates) if in_frame(d)]
    if not events:
        return None
    d, _, text = min(events)
    return (d, 0, text)


def oracle_ttf(h):
    """From enrolment to the first of early discontinuation of study therapy, progressive
    disease, or death; censored at the last follow-up visit; 3 years."""
    candidates = [
        (h["disc"] if h["discontinued"] else None, "Early discontinuation of study therapy"),
        (first_pd(h, THREE_YEARS), "Progressive disease"),
        (h["death"], "Death due to any cause"),
    ]
    if event := earliest(candidates):
        return event
    return last_visit(h, (1, "Last follow-up visit"), (1, "Last follow-up visit")) or NO_RULE


def oracle_pfs(h):
    """From enrolment to the first documented progression; censored at the date of death
    without progression; alive without progression: censored at the last follow-up
    visit; 3 years (a death or a visit beyond them: censored at the end of the 3 years,
    "followed beyond 3 years")."""
    pd_day = first_pd(h, THREE_YEARS)
    if pd_day is not None:
        return (pd_day, 0, "Progressive disease")
    if h["death"] is not None and h["death"] >= 0:
        if h["death"] <= THREE_YEARS:
            return (h["death"], 2, "Death without documented progression")
        return (THREE_YEARS, 9, "Followed beyond 3 years")
    alive = (1, "Alive without documented progression")
    return last_visit(h, alive, (9, "Followed beyond 3 years")) or NO_RULE


def oracle_dor(h):
    """Among tumour responders, from enrolment to the first of progression or death;
    censored at the last follow-up visit; 3 years."""
    if not any(r in ("CR", "PR") and d is not None for d, r in h["assessments"]):
        return "not in population: responders"
    if event := earliest(
        [(first_pd(h, THREE_YEARS), "Progressive disease"), (h["death"], "Death due to any cause")]
    ):
        return event
    return last_visit(h, (1, "Last follow-up visit"), (1, "Last follow-up visit")) or NO_RULE


def oracle_os(h):
    """Death from any cause; censored at the date last known alive."""
    if h["death"] is not None and h["death"] >= 0:
        return (h["death"], 0, "Death due to any cause")
    if h["last_alive"] >= 0:
        return (h["last_alive"], 1, "Alive")
    return "no event, and no censoring rule applies"


def oracle_pfs_standard(h):
    """Progression or death, whichever first; censored at the last adequate assessment
    (overall response other than NE), or at enrolment when there is none."""
    events = [(d, i, text) for i, (d, text) in enumerate(
        [(first_pd(h), "Progressive disease"), (h["death"], "Death")]
    ) if d is not None and d >= 0]  # fmt: skip
    if events:
        d, _, text = min(events)
        return (d, 0, text)
    adequate = [d for d, r in h["assessments"] if r != "NE" and d is not None and d >= 0]
    if adequate:
        return (max(adequate), 1, "Last adequate tumour assessment")
    return (0, 3, "No adequate post-baseline assessment")


ORACLES = {
    "TTF": oracle_ttf,
    "PFS": oracle_pfs,
    "DOR": oracle_dor,
    "OS": oracle_os,
    "PFSSTD": oracle_pfs_standard,
}


@pytest.mark.parametrize("code", sorted(ORACLES))
@given(h=histories())
def test_seed_endpoint_matches_protocol_oracle(code, h):
    assert derive(code, h) == ORACLES[code](h)


def test_oracles_cover_every_time_to_event_endpoint_of_the_seed_file():
    # CBR and ORR (response endpoints) have theirs in test_seed_response_oracles.py.
    assert set(ORACLES) == {ep.paramcd for ep in COMPILED.model.endpoints if ep.response is None}
