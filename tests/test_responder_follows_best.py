"""A responder flag on a best-response endpoint follows the best (confirmed) response.

admiralonco's RSP (and CRSP, CB) are derived from BOR: "Y" when the best overall
response is one of the listed categories. The oracle below restates the definitions
(RECIST 1.1 best overall response with admiralonco's confirmation and SD-minimum rules,
docs/semantics.md 6.1-6.2) over generated visit histories, without endpointdsl's
runtime: with ("PR",), a subject whose confirmed best response is CR is "N".
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import endpointdsl
from endpointdsl.api import CompiledFile

ORIGIN = dt.date(2024, 1, 15)
ORDER = ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"]  # best first
WORST_LAST = ["NE", "CR", "PR", "SD", "NON-CR/NON-PD", "PD"]  # one date: the last of these

PROGRAM = """
table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event ovr = adrs.ADT where PARAMCD = "OVR" response AVALC sequence ASEQ
endpoint F "a flag"
  from rand
  best response of ovr
  sd at least {sd} days after origin
  {confirm}
  responder if response in ({listed})
end
"""


@functools.lru_cache(maxsize=128)
def program(sd: int, confirm: tuple | None, listed: tuple[str, ...]) -> CompiledFile:
    clause = "" if confirm is None else "confirm after {} days, at most {} ne between, at most {} sd between"
    text = PROGRAM.format(
        sd=sd,
        confirm=clause.format(*confirm) if confirm else "",
        listed=", ".join(f'"{c}"' for c in listed),
    )
    return CompiledFile.from_model(endpointdsl.check_text(text, "flag.ept"))


# ---- the oracle -------------------------------------------------------------------------------


def oracle(visits: list[tuple[int, str]], sd: int, confirm: tuple | None, listed) -> tuple[str, int | None]:
    """(AVALC, day of ADT) of the flag, from RECIST 1.1 and admiralonco's definitions."""
    # one assessment per date, the worst response of the date; none before the origin
    by_day: dict[int, str] = {}
    for day, response in visits:
        if day >= 0:
            old = by_day.get(day)
            by_day[day] = (
                response if old is None or WORST_LAST.index(response) > WORST_LAST.index(old) else old
            )
    seq = sorted(by_day.items())
    # RECIST: nothing after the first progression
    pds = [k for k, (_, r) in enumerate(seq) if r == "PD"]
    if pds:
        seq = seq[: pds[0] + 1]
    categories = []
    for k, (day, response) in enumerate(seq):
        stable = day >= sd  # the SD minimum: on or after origin + sd days
        if response in ("CR", "PR") and (confirm is None or is_confirmed(seq, k, *confirm)):
            categories.append(response)
        elif response in ("CR", "PR", "SD", "NON-CR/NON-PD"):
            kept = "SD" if response in ("CR", "PR") else response
            categories.append(kept if stable else "NE")
        else:
            categories.append(response)  # PD, NE
    if not categories:
        return ("N", None)  # no assessment: not a responder
    bor = min(categories, key=ORDER.index)
    if bor not in listed:
        return ("N", None)
    return ("Y", next(day for (day, _), c in zip(seq, categories, strict=True) if c in listed))


def is_confirmed(seq, k: int, days: int, max_ne: int, max_sd: int) -> bool:
    """admiralonco: a later confirming assessment (CR for a CR; CR or PR for a PR) at least
    `days` later; up to and including it only CR/NE (a CR) or CR/PR/SD/NE (a PR), at most
    max_ne NE, at most max_sd SD, and no PR after a CR."""
    day0, first = seq[k]
    confirming = {"CR"} if first == "CR" else {"CR", "PR"}
    allowed = {"CR", "NE"} if first == "CR" else {"CR", "PR", "SD", "NE"}
    between = []
    for day, response in seq[k + 1 :]:
        between.append(response)
        if response in confirming and day - day0 >= days:
            break
    else:
        return False
    if not set(between) <= allowed or between.count("NE") > max_ne:
        return False
    if first == "PR" and between.count("SD") > max_sd:
        return False
    return not ("CR" in between and "PR" in between[between.index("CR") :])


# ---- generated histories ----------------------------------------------------------------------

RESPONSES = st.sampled_from(["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "CR", "PR"])
HISTORIES = st.lists(st.tuples(st.integers(-10, 200), RESPONSES), max_size=7)
LISTS = st.sampled_from(
    [
        ("PR",),
        ("CR",),
        ("SD",),
        ("PD",),
        ("NE",),
        ("CR", "SD"),
        ("PR", "SD"),
        ("CR", "PR"),
        ("CR", "PR", "SD"),
    ]
)
CONFIRMS = st.none() | st.tuples(st.sampled_from([21, 28]), st.integers(0, 2), st.integers(0, 1))


def subject(visits) -> dict:
    return {
        "adsl": [{"USUBJID": "S1", "RANDDT": ORIGIN.isoformat()}],
        "adrs": [
            {"USUBJID": "S1", "ASEQ": i + 1, "PARAMCD": "OVR", "AVALC": r,
             "ADT": (ORIGIN + dt.timedelta(days=d)).isoformat()}
            for i, (d, r) in enumerate(visits)
        ],
    }  # fmt: skip


@given(HISTORIES, st.sampled_from([0, 28, 42]), CONFIRMS, LISTS)
def test_the_flag_is_y_when_the_best_response_is_listed(visits, sd, confirm, listed):
    compiled = program(sd, confirm, listed)
    expected = oracle(visits, sd, confirm, listed)
    for derive in (compiled["F"], compiled["F"].interpret):
        record = derive(subject(visits), subject_id="S1").record
        day = None if record.ADT is None else (record.ADT - ORIGIN).days
        assert (record.AVALC, day) == expected


# a PR confirmed by the CR of day 56, which the CR of day 84 confirms: the best response is CR
CONFIRMED_CR = [(28, "PR"), (56, "CR"), (84, "CR")]


@pytest.mark.parametrize(
    ("listed", "expected"),
    [
        (("PR",), ("N", None)),  # the best response is CR: not a partial responder
        (("CR",), ("Y", 56)),
        (("CR", "PR"), ("Y", 28)),  # dated by the first listed visit, as admiralonco's RSP
        (("SD",), ("N", None)),
    ],
)
@pytest.mark.parametrize("engine", ["sql", "compiled", "interpreter"])
def test_a_confirmed_complete_responder_is_not_a_partial_responder(listed, expected, engine):
    compiled = program(42, (28, 1, 0), listed)
    tables = {name: pd.DataFrame(rows) for name, rows in subject(CONFIRMED_CR).items()}
    (row,) = compiled.run(tables, engine=engine).adtte.itertuples()
    day = None if pd.isna(row.ADT) else (row.ADT - ORIGIN).days
    assert (row.AVALC, day) == expected
    assert oracle(CONFIRMED_CR, 42, (28, 1, 0), listed) == expected
