"""Texts and small rules that all three engines must write alike (issue 10, items 5-7).

* `censor at origin` without `evntdesc`: EVNTDESC is the origin event's label, as
  docs/language.md says of every censoring date;
* singular and plural in the texts the engines write: `Horizon (1 year)`, `1 row`;
* a one-piece schedule (`every 8 weeks, window 7 days`) in the SQL engine.

Each case is derived by the SQL engine, the compiled functions and the interpreter, which
must agree, and the values are checked against docs/semantics.md.
"""

from __future__ import annotations

import pandas as pd
import pytest

import endpointdsl
from endpointdsl.api import CompiledFile

ENGINES = ("sql", "compiled", "interpreter")


def run_all(text: str, tables: dict[str, pd.DataFrame]):
    """The result of the three engines, checked to be identical."""
    compiled = CompiledFile.from_model(endpointdsl.check_text(text, "details.ept"))
    results = {e: compiled.run({k: v.copy() for k, v in tables.items()}, engine=e) for e in ENGINES}
    for engine in ENGINES[1:]:
        pd.testing.assert_frame_equal(results["sql"].adtte, results[engine].adtte)
        pd.testing.assert_frame_equal(results["sql"].report, results[engine].report)
    return results["sql"]


def text(value) -> str | None:
    return None if pd.isna(value) else value


def records(result) -> dict:
    return {(r.USUBJID, r.PARAMCD): r for r in result.adtte.itertuples()}


# ---- item 5: `censor at origin` is described by the origin event's label ------------------

ORIGIN_LABEL = """
table adsl: one row per subject
event rand = adsl.RANDDT label "Randomization"
event start = adsl.TRTSDT
event death = adsl.DTHDT label "Death"
endpoint A "labelled origin"
  from rand
  to death
  censor at origin cnsr 1
end
endpoint B "own text wins"
  from rand
  to death
  censor at origin cnsr 2 evntdesc "No follow-up"
end
endpoint C "origin without a label"
  from start
  to death
  censor at origin cnsr 3
end
endpoint D "latest of, the origin chosen"
  from rand
  to death
  censor at latest of start cnsr 4, origin cnsr 5
end
"""


def test_censoring_at_the_origin_is_described_by_the_origin_events_label():
    adsl = pd.DataFrame(
        {"USUBJID": ["S1"], "RANDDT": ["2024-01-10"], "TRTSDT": ["2024-01-05"], "DTHDT": [None]}
    )
    got = records(run_all(ORIGIN_LABEL, {"adsl": adsl}))
    assert [(got["S1", c].CNSR, text(got["S1", c].EVNTDESC)) for c in "ABCD"] == [
        (1, "Randomization"),
        (2, "No follow-up"),
        (3, None),  # the origin event has no label: EVNTDESC stays empty
        (5, "Randomization"),  # TRTSDT is before RANDDT: the origin is the latest date
    ]
    assert (got["S1", "A"].SRCDOM, got["S1", "A"].SRCVAR) == ("ADSL", "RANDDT")


# ---- item 6: singular and plural ------------------------------------------------------------

HORIZONS = """
table adsl: one row per subject
event rand = adsl.RANDDT
event death = adsl.DTHDT
event alive = adsl.LSTALVDT label "Alive"
endpoint H "h"
  from rand
  to death
  censor at alive cnsr 1
  horizon {horizon}
  ascertainment: continuous
end
"""


@pytest.mark.parametrize(
    ("horizon", "text"),
    [
        ("1 year", "Horizon (1 year)"),
        ("1 years", "Horizon (1 year)"),
        ("1.0 years", "Horizon (1.0 year)"),
        ("1 calendar month", "Horizon (1 calendar month)"),
        ("2 weeks", "Horizon (2 weeks)"),
        ("1 day", "Horizon (1 day)"),
        ("0.5 years", "Horizon (0.5 years)"),
    ],
)
def test_a_horizon_of_one_unit_is_singular(horizon, text):
    """The limiting bound's description is the CNSDTDSC of a date censored at the end."""
    program = HORIZONS.format(horizon=horizon)
    adsl = pd.DataFrame(
        {"USUBJID": ["S1"], "RANDDT": ["2020-01-01"], "LSTALVDT": ["2030-01-01"], "DTHDT": [None]}
    )
    (record,) = records(run_all(program, {"adsl": adsl})).values()
    assert record.CNSDTDSC == text


ORPHANS = """
table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event pd = adrs.ADT
endpoint P "p"
  from rand
  to pd
  censor at origin cnsr 1
end
"""


def test_an_orphan_subject_with_one_row_is_reported_in_the_singular():
    adsl = pd.DataFrame({"USUBJID": ["S1"], "RANDDT": ["2020-01-01"]})
    adrs = pd.DataFrame({"USUBJID": ["S8", "S9", "S9"], "ADT": ["2020-02-01"] * 3})
    report = run_all(ORPHANS, {"adsl": adsl, "adrs": adrs}).report
    assert sorted(report.MESSAGE[report.USUBJID.isin(["S8", "S9"])]) == [
        "subject has 1 row in adrs but none in adsl; not analysed",
        "subject has 2 rows in adrs but none in adsl; not analysed",
    ]


# ---- item 7: a schedule of one piece ----------------------------------------------------------

ONE_PIECE = """
table adsl: one row per subject
table adrs: many rows per subject
schedule scans = every 8 weeks, window 7 days
event rand = adsl.RANDDT label "Randomization"
event death = adsl.DTHDT label "Death"
event scan = adrs.ADT sequence ASEQ label "Last scan"
endpoint PFS "p"
  from rand
  to death
  censor events after 2 missed scan per scans cnsr 5
  censor at last scan cnsr 1
  censor at origin cnsr 2
end
"""


def test_a_schedule_of_one_piece_runs_in_every_engine():
    """Two missed scans: more than 2 x 56 + 7 = 119 days after the last scan (or the origin)."""
    origin = pd.Timestamp("2020-01-01")

    def day(k: int) -> str:
        return (origin + pd.Timedelta(days=k)).date().isoformat()

    adsl = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3"],
            "RANDDT": [day(0)] * 3,
            "DTHDT": [day(10 + 119), day(10 + 120), day(120)],
        }
    )
    adrs = pd.DataFrame({"USUBJID": ["S1", "S2"], "ADT": [day(10), day(10)], "ASEQ": [1, 1]})
    got = records(run_all(ONE_PIECE, {"adsl": adsl, "adrs": adrs}))
    assert (got["S1", "PFS"].CNSR, str(got["S1", "PFS"].ADT)) == (0, day(129))  # 119 days: an event
    assert (got["S2", "PFS"].CNSR, str(got["S2", "PFS"].ADT)) == (5, day(10))  # 120 days: censored
    assert (got["S3", "PFS"].CNSR, str(got["S3", "PFS"].ADT)) == (5, day(0))  # no scan: at the origin
