"""Visits without the GROUP BY over every (subject, date) (best._visits, issue 16).

Where the run proves that no two dated rows of a subject share the response event's date
(`one row a date: <table>.<date>`, proofs.fact "dates"), each assessment row is its
visit. Here: which script holds which path; the fact by hand; whole runs with the fact
and without, and against the per-subject engine, on generated histories in any row
order; hand-worked edges (a missing sequence, a subject with no usable response, a
duration of response with no confirmed response, two rows on one date).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest
from histories import day, histories
from hypothesis import given, note, settings
from hypothesis import strategies as st
from sql_paths import assert_same_runs, recording

from endpointdsl.api import CompiledFile, check_text
from endpointdsl.engines.sql import run
from endpointdsl.engines.sql.generate import generate_sql
from endpointdsl.engines.sql.proofs import fact

FACT = "one row a date: adrs.ADT__date"
RAND = dt.date(2020, 1, 1)
TEXT = """
table adsl: one row per subject, key SUBJID
table adrs: many rows per subject, key SUBJID
event rand = adsl.RANDDT
event assess = adrs.ADT response OVRRESP sequence ASEQ
event progression = adrs.ADT where OVRRESP = "PD" sequence ASEQ label "Progression"
endpoint BOR "BOR"
  from rand
  best response of assess
  confirm after 28 days, at most 1 ne between
  sd at least 42 days after origin
end
endpoint BORU "BOR, unconfirmed"
  from rand
  best response of assess
  sd at least 42 days after origin
end
endpoint ORR "ORR"
  from rand
  best response of assess
  confirm after 28 days, at most 1 ne between
  responder if response in ("CR", "PR")
end
endpoint M2 "M2"
  from rand
  origin is day 0
  response of assess from day 45 through day 75 nearest day 60
  responder if response in ("CR", "PR")
  not evaluable: "N"
end
event responded = BOR.ADT where AVALC in ("CR", "PR") label "First confirmed response"
endpoint DOR "DOR"
  among subjects with responded
  from responded
  to progression
  no censoring date: excluded
  censor at last assess cnsr 1
  ascertainment: at visits
end
"""


def test_the_visits_skip_the_grouping_only_where_proven():
    model = check_text(TEXT, "v.ept")
    assert FACT in generate_sql(model).facts  # the run is asked to prove it

    def visits(script: str) -> str:  # the visits' table (proven: `visits_assess_1_rows`)
        start = script.index('TABLE "visits_assess_1')
        return script[start : script.index(";", start)]

    general, proven = generate_sql(model).text, generate_sql(model, proven=frozenset({FACT})).text
    assert "GROUP BY key, d" in visits(general) and "GROUP BY key, d" not in visits(proven)
    # proven: the table holds no text, a view adds the category, role and shown response
    assert 'VIEW "visits_assess_1" AS' in proven and 'VIEW "visits_assess_1"' not in general
    assert "role" not in visits(proven) and "AS v," not in visits(proven)


def keyed(keys, days) -> pa.Table:
    return pa.table({"__key": pa.array(keys, pa.int32()), "ADT__date": pa.array(
        [None if d is None else RAND + dt.timedelta(days=d) for d in days], pa.date32())})  # fmt: skip


@pytest.mark.parametrize(
    ("keys", "days", "holds"),
    [
        ([], [], True),
        ([1, 1, 2, 2], [0, 5, 0, 5], True),  # sorted, distinct: the sorted proof
        ([2, 1, 2, 1], [5, 5, 0, 0], True),  # any order: the packed sort
        ([1, 1, 2], [0, 0, 3], False),  # two rows of S1 on one date
        ([2, 1, 1], [3, 0, 0], False),
        ([1, 1, 1], [0, None, None], True),  # undated rows are no visit
        ([1, None, None], [0, 0, 0], True),  # rows without a key neither
    ],
)
def test_the_dates_fact_by_hand(keys, days, holds):
    table = keyed(keys, days)
    assert fact("dates", table, "ADT__date", table) is holds


def test_text_keys_in_no_order_are_not_proven():
    table = pa.table({"__key": ["S2", "S1"], "ADT__date": pa.array([RAND, RAND], pa.date32())})
    assert fact("dates", table, "ADT__date", table) is False  # no_same_day packs integers only


def frames(rows, order: list[int] | None = None) -> dict[str, pd.DataFrame]:
    subjects = sorted({s for s, *_ in rows} | {"S0"})  # S0: no assessment row
    adsl = pd.DataFrame({"SUBJID": subjects, "RANDDT": [RAND.isoformat()] * len(subjects)})
    adrs = pd.DataFrame(
        [(s, d.isoformat(), r, q) for s, d, r, q in rows], columns=["SUBJID", "ADT", "OVRRESP", "ASEQ"]
    ).astype({"ASEQ": "float64", "OVRRESP": "object"})
    if order is not None:
        adrs = adrs.iloc[order].reset_index(drop=True)
    return {"adsl": adsl, "adrs": adrs}


def both(tables: dict, refused: tuple = ("dates",)) -> tuple:
    """The SQL engine's result with the facts as the data prove them, and with the `refused`
    kinds never proven (`packs` too: the best responses' ranks, not names, per visit)."""
    on = CompiledFile.from_model(check_text(TEXT, "v.ept")).run(tables, engine="sql")
    with pytest.MonkeyPatch.context() as patch:
        proven = run.fact
        patch.setattr(run, "fact", lambda kind, *a: kind not in refused and proven(kind, *a))
        off = CompiledFile.from_model(check_text(TEXT, "v.ept")).run(tables, engine="sql")
    return on, off


# subjects from S1 (S0, with no assessment row, is added by `frames`); mostly distinct dates
# (the fact holds), and now and then a 0 gap (listed last: examples shrink towards the first)
# puts two rows on one date
HISTORIES = histories(
    origin=RAND,
    responses=st.sampled_from(("CR", "PR", "SD", "PD", "NE", "XX")) | st.none(),
    most=10,
    gaps=(1, 14, 27, 28, 29, 35, 0),
    first=1,
)


@settings(max_examples=max(6, settings.default.max_examples // 10))
@given(data=st.data())
def test_runs_with_and_without_the_fact_agree_in_any_row_order(data):
    rows = data.draw(HISTORIES)
    order = data.draw(st.permutations(range(len(rows))) | st.none())
    note(repr((rows, order)))
    tables = frames(rows, None if order is None else list(order))
    on, off = both(tables, data.draw(st.sampled_from((("dates",), ("packs",), ("dates", "packs")))))
    per_subject = CompiledFile.from_model(check_text(TEXT, "v.ept")).run(tables, engine="compiled")
    assert_same_runs(on, off, per_subject)


EDGES = [
    # PR confirmed 28 days on; no sequence on the confirming row; PD later: DOR's event
    ("S1", day(3, 1), "PR", 1.0), ("S1", day(3, 29), "PR", None), ("S1", day(5, 1), "PD", 3.0),
    # responses never confirmed (NE in between twice): BOR SD, no DOR record (not responded)
    ("S2", day(2, 20), "PR", 4.0), ("S2", day(3, 1), "NE", 5.0), ("S2", day(3, 5), "NE", 6.0),
    ("S2", day(3, 30), "PR", 7.0),
    # no usable response at all (XX, missing): no visit, so BOR MISSING and M2 "N"
    ("S3", day(3, 1), "XX", 8.0), ("S3", day(3, 2), None, 9.0),
]  # fmt: skip
# (PARAMCD, USUBJID) -> (AVALC, ADT, SRCSEQ), by hand from semantics 6.1-6.3
EXPECTED = {
    ("BOR", "S0"): ("MISSING", None, None),
    ("BOR", "S1"): ("PR", day(3, 1), 1.0),
    ("BOR", "S2"): ("SD", day(2, 20), 4.0),
    ("BOR", "S3"): ("MISSING", None, None),
    ("BORU", "S1"): ("PR", day(3, 1), 1.0),
    ("BORU", "S2"): ("PR", day(2, 20), 4.0),
    ("ORR", "S1"): ("Y", day(3, 1), 1.0),
    ("ORR", "S2"): ("N", None, None),
    ("ORR", "S3"): ("N", None, None),
    ("M2", "S0"): ("N", None, None),
    ("M2", "S1"): ("Y", day(3, 1), 1.0),  # day 60 exactly
    ("M2", "S2"): ("N", day(3, 1), 5.0),  # the NE on day 60: not evaluable
    ("M2", "S3"): ("N", None, None),
    ("DOR", "S1"): (None, day(5, 1), 3.0),  # progression, 62 days
}


# ("packs",): each row its visit, read through the view of names and roles by the paths that
# compare names (not the list path's ranks)
@pytest.mark.parametrize("refused", [("dates",), ("packs",), ("dates", "packs")])
@pytest.mark.parametrize("order", [None, [8, 3, 0, 5, 1, 7, 2, 6, 4]])
def test_edges_by_hand_with_and_without_the_fact(order, refused):
    for result in both(frames(EDGES, order), refused):
        got = {
            (r.PARAMCD, r.USUBJID): (
                None if pd.isna(r.AVALC) else r.AVALC,
                None if pd.isna(r.ADT) else pd.Timestamp(r.ADT).date(),
                None if pd.isna(r.SRCSEQ) else r.SRCSEQ,
            )
            for r in result.adtte.itertuples()
        }
        assert {k: v for k, v in got.items() if k in EXPECTED} == EXPECTED
        assert not any(k[0] == "DOR" and k[1] != "S1" for k in got)  # S1 alone responded


def test_two_rows_on_one_date_are_not_proven_and_keep_the_grouping():
    rows = [("S1", day(3, 1), "CR", 1.0), ("S1", day(3, 1), "PR", 2.0), ("S1", day(4, 1), "PR", 3.0)]
    tables = frames(rows)
    with recording("_proven_program", lambda made: made.text) as scripts:
        result = CompiledFile.from_model(check_text(TEXT, "v.ept")).run(tables, engine="sql")
    assert scripts and all("GROUP BY key, d" in s for s in scripts)
    bor = result.adtte[result.adtte.PARAMCD == "BOR"].set_index("USUBJID")
    assert (bor.loc["S1", "AVALC"], bor.loc["S1", "SRCSEQ"]) == ("PR", 2.0)  # the date's worst, PR


@pytest.mark.parametrize(
    ("rows", "sorts"),
    [
        (EDGES, False),  # one row a date (a sequence missing too): the fact settles the check
        ([*EDGES, ("S2", day(3, 5), "SD", 10.0)], True),  # two rows of S2 on 5 March: sorted
    ],
)
def test_one_row_a_date_spares_the_same_day_checks_sort(rows, sorts):
    """Rows in no order: where the `dates` fact is proven, the same-day check needs no second
    sort of the rows (run.no_same_day); the outputs equal the per-subject engine's."""
    tables = frames(rows, list(range(len(rows)))[::-1])
    compiled = CompiledFile.from_model(check_text(TEXT, "v.ept"))
    with recording("no_same_day") as sorted_for_the_check:
        got = compiled.run(tables, engine="sql")
    assert bool(sorted_for_the_check) is sorts
    assert_same_runs(got, compiled.run(tables, engine="compiled"))
