"""FDA PFS table, row by row, on generated histories (hypothesis).

The oracle restates DOMAIN.md section B's table in plain code over a generated
subject history: randomisation 2024-01-15, scans planned every 8 weeks (+/- 7 days,
some missed), an optional baseline scan, discontinuation, new anticancer therapy
and death; data cut-off 2024-10-01. It does not call endpointdsl. The test also
checks that every row of the table is reached by the generated histories.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from conftest import EXAMPLES
from hypothesis import event, example, given
from hypothesis import strategies as st

import endpointdsl

COMPILED = endpointdsl.load(EXAMPLES / "fda_pfs.ept")
RAND = dt.date(2024, 1, 15)
DCO = dt.date(2024, 10, 1)
ADEQUATE = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD")
REACHED: Counter = Counter()


def day(offset: int | None) -> dt.date | None:
    return None if offset is None else RAND + dt.timedelta(days=offset)


@st.composite
def histories(draw):
    scans = []
    for visit in range(1, 7):
        if draw(st.booleans()) or draw(st.booleans()):  # about 1 in 4 visits missed
            response = draw(st.sampled_from(["SD", "SD", "PR", "CR", "NE", "PD", "NON-CR/NON-PD"]))
            scans.append((56 * visit + draw(st.integers(-7, 7)), response))
    return {
        "baseline": draw(st.booleans()) or draw(st.booleans()),
        "scans": scans,
        "death": draw(st.none() | st.integers(0, 330)),
        "new_therapy": draw(st.none() | st.integers(0, 330)),
        "discontinued": draw(st.none() | st.integers(0, 330)),
        "for_pd": draw(st.booleans()),
    }


def tables(h) -> dict:
    adsl = {
        "USUBJID": "S1", "RANDDT": RAND.isoformat(),
        "DTHDT": day(h["death"]), "NACTDT": day(h["new_therapy"]), "DCTDT": day(h["discontinued"]),
        "DCTREAS": "PROGRESSIVE DISEASE" if h["for_pd"] else "ADVERSE EVENT",
    }  # fmt: skip
    adrs = [{"USUBJID": "S1", "ASEQ": 0, "PARAMCD": "OVR", "AVALC": "SD", "ABLFL": "Y", "ADT": day(-10)}]
    adrs = adrs if h["baseline"] else []
    adrs += [
        {"USUBJID": "S1", "ASEQ": i + 1, "PARAMCD": "OVR", "AVALC": r, "ABLFL": None, "ADT": day(d)}
        for i, (d, r) in enumerate(h["scans"])
    ]
    return {"adsl": [adsl], "adrs": adrs}


def oracle(h) -> tuple[str, int, dt.date]:
    """(row of the table, CNSR, ADT) as the FDA table says."""
    end = DCO
    nt = day(h["new_therapy"])
    stopped = nt is not None and nt - dt.timedelta(days=1) < DCO  # stop at new therapy, exclusive
    if stopped:
        end = max(nt - dt.timedelta(days=1), RAND)  # the randomisation day is always observed
    scans = sorted((day(d), r) for d, r in h["scans"] if day(d) <= end)
    adequate = [d for d, r in scans if r in ADEQUATE]
    pd = next((d for d, r in scans if r == "PD"), None)
    death = day(h["death"]) if h["death"] is not None and day(h["death"]) <= end else None
    events = [e for e in ((pd, "B3"), (death, "B7/B8")) if e[0] is not None]
    if events:
        date, row = min(events, key=lambda e: e[0])  # same day: progression is listed first
        before = [d for d in adequate if d < date]
        last = before[-1] if before else RAND
        interval = 56 if (last - RAND).days < 48 * 7 else 84
        if (date - last).days > 2 * interval + 7:
            return ("B9", 5, last)
        return (row, 0, date)
    if not h["baseline"]:
        return ("B1", 2, RAND)
    if stopped and adequate:
        return ("B6", 4, adequate[-1])
    dct = day(h["discontinued"])
    if dct is not None and not h["for_pd"] and dct <= end and adequate:
        return ("B5", 6, adequate[-1])
    if adequate:
        return ("B4", 1, adequate[-1])
    return ("B2", 3, RAND)


def history(
    scans=((56, "SD"),), baseline=True, death=None, new_therapy=None, discontinued=None, for_pd=False
):
    return {
        "baseline": baseline, "scans": list(scans), "death": death, "new_therapy": new_therapy,
        "discontinued": discontinued, "for_pd": for_pd,
    }  # fmt: skip


# One history per row, so that every run reaches every row whatever hypothesis draws.
ROW_EXAMPLES = [
    history(baseline=False),  # B1
    history(scans=[(56, "NE")]),  # B2
    history(scans=[(56, "SD"), (112, "PD")]),  # B3
    history(scans=[(56, "SD"), (112, "SD")]),  # B4
    history(discontinued=80),  # B5
    history(new_therapy=100, death=200),  # B6
    history(death=30),  # B7
    history(death=190),  # B9: 134 days after the last scan > 2 x 56 + 7
]


@given(histories())
@example(ROW_EXAMPLES[0])
@example(ROW_EXAMPLES[1])
@example(ROW_EXAMPLES[2])
@example(ROW_EXAMPLES[3])
@example(ROW_EXAMPLES[4])
@example(ROW_EXAMPLES[5])
@example(ROW_EXAMPLES[6])
@example(ROW_EXAMPLES[7])
def test_fda_pfs_follows_the_table(h):
    row, cnsr, adt = oracle(h)
    REACHED[row] += 1
    event(row)
    rec = COMPILED["PFS"](tables(h), subject_id="S1").record
    assert (rec.CNSR, rec.ADT) == (cnsr, adt), row
    assert rec.AVAL == (rec.ADT - RAND).days + 1


def test_every_row_of_the_table_is_reached():
    # Runs after the property test in this module (pytest keeps file order).
    assert {"B1", "B2", "B3", "B4", "B5", "B6", "B7/B8", "B9"} <= set(REACHED), REACHED
