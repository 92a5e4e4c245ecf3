"""A time-to-event endpoint among a population groups only its population's rows (issue 16:
DOR's `agg_DOR_1` joined all 9M assessment rows with all 1M subjects, though 457k are in
its population). A subject outside it is not reached, so nothing read off its picks may
reach a record or a finding: the records and report equal the per-subject engine's, and
the hand-worked values, for a population of no subject, of every subject, and of some.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sql_paths import assert_same_runs

from endpointdsl.api import CompiledFile, check_text
from endpointdsl.engines.sql.generate import generate_sql

TEXT = """
table adsl: one row per subject, key SUBJID
table adrs: many rows per subject, key SUBJID
event rand = adsl.RANDDT
event assess = adrs.ADT response OVRRESP sequence ASEQ
event progression = adrs.ADT where OVRRESP = "PD" sequence ASEQ label "Progression"
event adequate = adrs.ADT where OVRRESP in ("CR", "PR", "SD", "PD") sequence ASEQ label "Adequate"

endpoint BOR "BOR"
  from rand
  best response of assess
  confirm after 28 days, at most 1 ne between
  sd at least 42 days after origin
end

event responded = BOR.ADT where AVALC in ("CR", "PR") label "First confirmed response"

endpoint DOR "DOR"
  among subjects with responded
  from responded
  to progression
  no censoring date: excluded
  censor at last adequate cnsr 1
  ascertainment: at visits
end

endpoint PFS "PFS"
  from rand
  to progression
  censor at last adequate cnsr 1
end
"""
RAND = dt.date(2020, 1, 1)


def day(month: int, d: int) -> dt.date:
    return dt.date(2020, month, d)


def tables(rows: list[tuple], subjects: tuple = ("S1", "S2", "S3")) -> dict[str, pd.DataFrame]:
    adsl = pd.DataFrame({"SUBJID": list(subjects), "RANDDT": [RAND.isoformat()] * len(subjects)})
    adrs = pd.DataFrame(
        [(s, d.isoformat(), r, q) for s, d, r, q in rows], columns=["SUBJID", "ADT", "OVRRESP", "ASEQ"]
    ).astype({"ASEQ": "float64", "OVRRESP": "object"})
    return {"adsl": adsl, "adrs": adrs}


def test_only_a_population_endpoint_joins_its_population():
    script = generate_sql(check_text(TEXT, "p.ept")).text
    dor = script[script.index('VIEW "agg_DOR_1"') :].split(";")[0]
    pfs = script[script.index('VIEW "agg_PFS_1"') :].split(";")[0]
    assert 'JOIN "win_DOR" AS q ON q.key = t.__key AND q.in_pop' in dor
    assert "in_pop" not in pfs  # every subject is in PFS's population


def confirmed(s: str, q: float, pd_after: bool) -> list[tuple]:
    """A PR confirmed 28 days on (from q), then a PD or an SD."""
    last = "PD" if pd_after else "SD"
    return [(s, day(2, 1), "PR", q), (s, day(2, 29), "PR", q + 1), (s, day(4, 1), last, q + 2)]


# (rows, DOR records by subject: (ADT, CNSR, SRCSEQ)), by hand
CASES = {
    # nobody responds; S1 progresses and S3 has rows before and after: no DOR record at all
    "no subject": (
        [("S1", day(2, 1), "SD", 1.0), ("S1", day(3, 1), "PD", 2.0), ("S3", day(2, 1), "PR", 3.0),
         ("S3", day(2, 15), "NE", 4.0), ("S3", day(2, 20), "NE", 5.0), ("S3", day(3, 20), "PR", 6.0)],
        {},
    ),
    # every subject responds: S1 progresses, S2 and S3 are censored at their last adequate one
    "every subject": (
        confirmed("S1", 1.0, True) + confirmed("S2", 4.0, False) + confirmed("S3", 7.0, False),
        {"S1": (day(4, 1), 0, 3.0), "S2": (day(4, 1), 1, 6.0), "S3": (day(4, 1), 1, 9.0)},
    ),
    # S2 responds with no progression after it (censored); S1 progresses but never responds;
    # S3 has no rows
    "some": (
        [("S1", day(2, 1), "SD", 1.0), ("S1", day(3, 1), "PD", 2.0), *confirmed("S2", 3.0, False)],
        {"S2": (day(4, 1), 1, 5.0)},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_population_edges_by_hand_and_against_the_per_subject_engine(case):
    rows, expected = CASES[case]
    data = tables(rows)
    compiled = CompiledFile.from_model(check_text(TEXT, "p.ept"))
    got = compiled.run(data, engine="sql")
    assert_same_runs(got, compiled.run(data, engine="compiled"))
    dor = got.adtte[got.adtte.PARAMCD == "DOR"]
    assert {
        r.USUBJID: (pd.Timestamp(r.ADT).date(), int(r.CNSR), r.SRCSEQ) for r in dor.itertuples()
    } == expected
    excluded = got.report[(got.report.PARAMCD == "DOR") & (got.report.STATUS == "excluded")]
    assert sorted(excluded.USUBJID) == sorted({"S1", "S2", "S3"} - set(expected))
    # PFS, among all subjects: a record for every subject with an adequate assessment
    assert set(got.adtte[got.adtte.PARAMCD == "PFS"].USUBJID) == {s for s, *_ in rows}
