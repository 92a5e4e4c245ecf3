"""Censoring dates after the end of observation: `ascertainment: continuous | at visits`.

The expected records below are worked out by hand from docs/semantics.md, section 3,
step 5 (not from any engine): with continuous ascertainment a censoring date after the
end shows event-free follow-up to the end, so the record is censored AT the end with the
limiting bound's outcome; with ascertainment at visits only dates inside [origin, end]
count, and a rule whose dates all lie after the end does not apply. Each case is derived
by the SQL engine, the compiled functions and the interpreter, which must agree.

Origin 2020-01-01; `horizon 3 years` ends 1095 days later, on 2022-12-31 (AVAL 1096).
1.5 years after the origin is 2021-07-01, 4.5 years 2024-07-01.
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import endpointdsl
from endpointdsl.api import CompiledFile

ENGINES = ("sql", "compiled", "interpreter")

PROGRAM = """
table adsl: one row per subject
table adsv: many rows per subject
event rand = adsl.RANDDT label "Randomization"
event death = adsl.DTHDT label "Death"
event alive = adsl.LSTALVDT label "Last known alive"
event therapy = adsl.NACTDT label "New therapy"
event visit = adsv.SVSTDT sequence SVSEQ label "Follow-up visit"

endpoint OSC "OS within 3 years, continuous"
  from rand
  to death
  censor at last visit cnsr 1 cnsdtdsc "Last visit"
  horizon 3 years
  ascertainment: continuous
end
endpoint OSV "OS within 3 years, at visits" like OSC
  ascertainment: at visits
end
endpoint FIRSTC "censored at the first visit, continuous" like OSC
  censor at first visit cnsr 1 cnsdtdsc "First visit"
end
endpoint ALIVEC "a subject-level date, continuous"
  from rand
  to death
  censor at alive cnsr 1
  censor at last visit cnsr 2
  horizon 3 years cnsr 9 evntdesc "Followed beyond 3 years" cnsdtdsc "End of 3-year time frame"
  ascertainment: continuous
end
endpoint ALIVEV "a subject-level date, at visits" like ALIVEC
  ascertainment: at visits
end
endpoint LATESTV "latest of, at visits"
  from rand
  to death
  censor at latest of alive cnsr 1, last visit cnsr 2
  horizon 3 years
  ascertainment: at visits
end
endpoint LATESTC "latest of, continuous" like LATESTV
  ascertainment: continuous
end
endpoint CUTC "a cut-off, continuous"
  from rand
  to death
  censor at last visit cnsr 1
  cutoff 2021-12-31 cnsr 8 evntdesc "Alive at the cut-off"
  ascertainment: continuous
end
endpoint CUTV "a cut-off, at visits" like CUTC
  ascertainment: at visits
end
endpoint STOPC "a new therapy, continuous"
  from rand
  to death
  censor at alive cnsr 1
  stop at therapy exclusive cnsr 4
  ascertainment: continuous
end
endpoint STOPV "a new therapy, at visits" like STOPC
  ascertainment: at visits
end
endpoint OPENV "a variant without the horizon: the clause inherited, nothing after the end" like OSC
  without horizon
end
endpoint OPEN "no end of observation: nothing lies after it"
  from rand
  to death
  censor at last visit cnsr 1
end
"""

NO_RULE = "no event, and no censoring rule applies"
ORIGIN = dt.date(2020, 1, 1)
HORIZON = "2022-12-31"

# subject -> (LSTALVDT, DTHDT, NACTDT, visit dates)
SUBJECTS = {
    "S1": (None, None, None, ["2021-07-01", "2024-07-01"]),  # visits at 1.5 and 4.5 years
    "S2": (None, None, None, ["2024-07-01"]),  # one visit, at 4.5 years
    "S3": ("2024-07-01", None, None, ["2021-07-01"]),  # last known alive after the horizon
    "S4": ("2021-03-01", None, None, ["2021-07-01", "2024-07-01"]),  # alive date inside
    "S5": (None, "2024-07-01", None, ["2019-12-01"]),  # death after the horizon, a visit before the origin
    "S6": ("2021-06-01", None, "2021-03-01", ["2021-02-01", "2021-05-01"]),  # a new therapy
    "S7": (None, None, None, ["2022-12-31", "2023-01-01"]),  # a visit on the last day, one after
}

# (subject, PARAMCD) -> (ADT, CNSR, EVNTDESC, CNSDTDSC, SRCVAR), or the exclusion reason
EXPECTED = {
    # The worked examples: OS within 3 years.
    ("S1", "OSC"): (HORIZON, 1, "Follow-up visit", "Horizon (3 years)", None),  # known event-free to the end
    ("S1", "OSV"): ("2021-07-01", 1, "Follow-up visit", "Last visit", "SVSTDT"),  # the last visit inside
    ("S2", "OSC"): (HORIZON, 1, "Follow-up visit", "Horizon (3 years)", None),
    ("S2", "OSV"): NO_RULE,  # its only visit is after the end
    ("S1", "FIRSTC"): ("2021-07-01", 1, "Follow-up visit", "First visit", "SVSTDT"),
    ("S2", "FIRSTC"): (HORIZON, 1, "Follow-up visit", "Horizon (3 years)", None),
    ("S5", "OSC"): NO_RULE,  # the visit before the origin is not a censoring date (unchanged)
    ("S7", "OSC"): (HORIZON, 1, "Follow-up visit", "Horizon (3 years)", None),
    ("S7", "OSV"): (HORIZON, 1, "Follow-up visit", "Last visit", "SVSTDT"),  # a visit on the last day
    # A subject-level date after the end: the bound's outcome (continuous), or the next rule.
    ("S3", "ALIVEC"): (HORIZON, 9, "Followed beyond 3 years", "End of 3-year time frame", None),
    ("S3", "ALIVEV"): ("2021-07-01", 2, "Follow-up visit", None, "SVSTDT"),
    ("S4", "ALIVEC"): ("2021-03-01", 1, "Last known alive", None, "LSTALVDT"),
    ("S4", "ALIVEV"): ("2021-03-01", 1, "Last known alive", None, "LSTALVDT"),
    ("S2", "ALIVEC"): (HORIZON, 9, "Followed beyond 3 years", "End of 3-year time frame", None),
    ("S2", "ALIVEV"): NO_RULE,
    ("S5", "ALIVEC"): NO_RULE,  # death after the horizon is not a censoring date here
    # latest of: each choice as above, the latest wins.
    ("S3", "LATESTV"): ("2021-07-01", 2, "Follow-up visit", None, "SVSTDT"),
    ("S3", "LATESTC"): (HORIZON, 1, "Last known alive", "Horizon (3 years)", None),
    ("S4", "LATESTV"): ("2021-07-01", 2, "Follow-up visit", None, "SVSTDT"),
    ("S4", "LATESTC"): (HORIZON, 2, "Follow-up visit", "Horizon (3 years)", None),
    # A cut-off: visits after it.
    ("S1", "CUTC"): ("2021-12-31", 8, "Alive at the cut-off", "Data cut-off (2021-12-31)", None),
    ("S1", "CUTV"): ("2021-07-01", 1, "Follow-up visit", None, "SVSTDT"),
    ("S2", "CUTV"): NO_RULE,
    # Observation stops the day before a new therapy; last known alive after it.
    ("S6", "STOPC"): ("2021-02-28", 4, "Last known alive", "End of observation at therapy", None),
    ("S6", "STOPV"): NO_RULE,
    ("S3", "STOPC"): ("2024-07-01", 1, "Last known alive", None, "LSTALVDT"),  # no therapy: no end
    # Without an end of observation the clause is not needed and nothing changes.
    ("S2", "OPEN"): ("2024-07-01", 1, "Follow-up visit", None, "SVSTDT"),
    ("S2", "OPENV"): ("2024-07-01", 1, "Follow-up visit", "Last visit", "SVSTDT"),
}


def tables() -> dict[str, pd.DataFrame]:
    adsl = pd.DataFrame(
        [(s, "2020-01-01", *dates[:3]) for s, dates in SUBJECTS.items()],
        columns=["USUBJID", "RANDDT", "LSTALVDT", "DTHDT", "NACTDT"],
    )
    adsv = pd.DataFrame(
        [(s, i + 1, d) for s, dates in SUBJECTS.items() for i, d in enumerate(dates[3])],
        columns=["USUBJID", "SVSEQ", "SVSTDT"],
    )
    return {"adsl": adsl, "adsv": adsv}


@functools.cache
def compiled_program(text: str = PROGRAM) -> CompiledFile:
    return CompiledFile.from_model(endpointdsl.check_text(text, "ascertainment.ept"))


@pytest.fixture(scope="module")
def result():
    compiled = compiled_program()
    runs = {engine: compiled.run(tables(), engine=engine) for engine in ENGINES}
    for engine in ENGINES[1:]:
        pd.testing.assert_frame_equal(runs["sql"].adtte, runs[engine].adtte)
        pd.testing.assert_frame_equal(runs["sql"].report, runs[engine].report)
    return runs["sql"]


def _text(value):
    return None if pd.isna(value) else value


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda k: "-".join(k))
def test_censoring_dates_after_the_end(result, key):
    subject, code = key
    expected = EXPECTED[key]
    rows = result.adtte[(result.adtte.USUBJID == subject) & (result.adtte.PARAMCD == code)]
    reasons = result.excluded[(result.excluded.USUBJID == subject) & (result.excluded.PARAMCD == code)]
    if isinstance(expected, str):
        assert rows.empty and list(reasons.MESSAGE) == [expected]
        return
    assert reasons.empty and len(rows) == 1
    row = rows.iloc[0]
    got = (row.ADT.isoformat(), row.CNSR, _text(row.EVNTDESC), _text(row.CNSDTDSC), _text(row.SRCVAR))
    assert got == expected
    if expected[4] is None:  # censored at the end: no source record
        assert (_text(row.SRCDOM), _text(row.SRCSEQ)) == (None, None)
    if expected[0] == HORIZON:
        assert row.AVAL == 1096.0


# ---- generated histories: the three engines agree around the end of observation ----------

# Few endpoints (the SQL run costs per endpoint), each with several bounds and rule kinds.
GENERATED = """
table adsl: one row per subject
table adsv: many rows per subject
event rand = adsl.RANDDT label "Randomization"
event death = adsl.DTHDT label "Death"
event alive = adsl.LSTALVDT label "Last known alive"
event therapy = adsl.NACTDT label "New therapy"
event visit = adsv.SVSTDT sequence SVSEQ label "Follow-up visit"
endpoint A "continuous"
  from rand
  to death
  censor at latest of alive cnsr 1, last visit cnsr 2
  censor at first visit cnsr 3
  horizon 3 years
  stop at therapy exclusive cnsr 4
  ascertainment: continuous
end
endpoint B "at visits" like A
  ascertainment: at visits
end
endpoint C "a cut-off, continuous"
  from rand
  to death
  censor at alive cnsr 1
  censor at last visit cnsr 2
  horizon 2 years cnsr 9 evntdesc "Beyond 2 years"
  cutoff 2022-01-01
  ascertainment: continuous
  before origin: move to origin
end
endpoint D "a cut-off, at visits" like C
  ascertainment: at visits
end
"""

OFFSETS = st.one_of(st.integers(-40, 1500), st.integers(1090, 1100), st.integers(720, 740))


@st.composite
def histories(draw):
    """Subjects whose dates fall before the origin, inside, on and after each end."""
    rows, visits = [], []
    for i in range(draw(st.integers(1, 6))):
        sid = f"S{i}"

        def day(offset):
            return None if offset is None else (ORIGIN + dt.timedelta(days=offset)).isoformat()

        alive, death, therapy = (draw(st.none() | OFFSETS) for _ in range(3))
        rows.append((sid, ORIGIN.isoformat(), day(alive), day(death), day(therapy)))
        for j, offset in enumerate(draw(st.lists(OFFSETS, max_size=4))):
            visits.append((sid, j + 1, day(offset)))
    adsl = pd.DataFrame(rows, columns=["USUBJID", "RANDDT", "LSTALVDT", "DTHDT", "NACTDT"])
    adsv = pd.DataFrame(visits, columns=["USUBJID", "SVSEQ", "SVSTDT"])
    return {"adsl": adsl, "adsv": adsv}


@settings(max_examples=max(10, settings.default.max_examples // 6))  # an SQL run each: keep it short
@given(histories())
def test_the_engines_agree_on_generated_histories(data):
    compiled = compiled_program(GENERATED)
    runs = {engine: compiled.run({k: v.copy() for k, v in data.items()}, engine=engine) for engine in ENGINES}
    for engine in ENGINES[1:]:
        pd.testing.assert_frame_equal(runs["sql"].adtte, runs[engine].adtte)
        pd.testing.assert_frame_equal(runs["sql"].report, runs[engine].report)
