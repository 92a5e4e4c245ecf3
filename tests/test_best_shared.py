"""Best responses of one event grouped once (bestgroup._shared_best, shared.grow_once; issue 16),
and the landmarks' progression visit read once (landmark._progressions).

Best-response endpoints over the same visits and the same confirmation relation read one
`best_<E>_<n>` relation: one join of the visits with the confirmation and one GROUP BY,
with each endpoint's own category and aggregates (`cat_k`, `o_k`, ...). Here: which
endpoints share which relation (a different confirmation rule, or a first endpoint that
confirms nothing, makes another); the whole file's run against each endpoint run on its
own (its relation then has one member, the statement each had before) and against the
per-subject engine, on generated histories in any row order, with the list path's facts
proven and refused; hand-worked edges.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from histories import day
from hypothesis import given, note, settings
from hypothesis import strategies as st
from sql_paths import assert_same_runs

from endpointdsl.api import CompiledFile, check_text
from endpointdsl.engines.sql import run
from endpointdsl.engines.sql.generate import generate_sql

RAND = dt.date(2020, 1, 1)
HEAD = """
table adsl: one row per subject, key SUBJID
table adrs: many rows per subject, key SUBJID
event rand = adsl.RANDDT
event assess = adrs.ADT response OVRRESP sequence ASEQ
event progression = adrs.ADT where OVRRESP = "PD" sequence ASEQ label "Progression"
"""
ENDPOINTS = {
    "BOR": """endpoint BOR "BOR"
  from rand
  best response of assess
  confirm after 28 days, at most 1 ne between
  sd at least 42 days after origin
end""",
    "BORU": """endpoint BORU "BOR, unconfirmed"
  from rand
  best response of assess
  sd at least 42 days after origin
end""",
    "ORR": """endpoint ORR "ORR"
  from rand
  best response of assess
  confirm after 28 days, at most 1 ne between
  responder if response in ("CR", "PR")
end""",
    # another confirmation rule: another confirmation relation, so another group
    "ORR8": """endpoint ORR8 "ORR, confirmed 8 weeks on"
  from rand
  best response of assess
  confirm after 56 days
  responder if response in ("CR", "PR")
end""",
    "M2": """endpoint M2 "M2"
  from rand
  origin is day 0
  response of assess from day 45 through day 75 nearest day 60
  responder if response in ("CR", "PR")
  not evaluable: "N"
end""",
    "M3": """endpoint M3 "M3"
  from rand
  origin is day 0
  response of assess from day 80 through day 100 nearest day 91
  responder if response in ("CR", "PR")
  not evaluable: "N"
end""",
    "DOR": """event responded = BOR.ADT where AVALC in ("CR", "PR") label "First confirmed response"
endpoint DOR "DOR"
  among subjects with responded
  from responded
  to progression
  no censoring date: excluded
  censor at last assess cnsr 1
  ascertainment: at visits
end""",
}
TEXT = HEAD + "\n".join(ENDPOINTS.values())
LISTED = "packs: adrs.ADT__date/-"  # the list path's fact (confirmlist.py, bestgroup._best_by_order)


def model(text: str = TEXT):
    return check_text(text, "b.ept")


def members(script: str) -> dict[str, int]:
    """Each shared relation and the number of endpoints it holds."""
    found = {}
    for name in re.findall(r'TEMP TABLE "(best_assess_\d+)" AS', script):
        body = script[script.index(f'TABLE "{name}"') :]
        found[name] = len(re.findall(r" AS cat_\d+", body[: body.index(";")]))
    return found


def reads(script: str, code: str) -> str:
    """The shared relation the endpoint's record reads."""
    body = script[script.index(f'TABLE "res_{code}"') :]
    return re.search(r'FROM "(best_assess_\d+)"', body[: body.index(";")]).group(1)


@pytest.mark.parametrize("proven", [frozenset(), frozenset({LISTED})])
def test_endpoints_over_the_same_visits_and_confirmation_share_one_grouping(proven):
    m = model()
    assert LISTED in generate_sql(m).facts
    script = generate_sql(m, proven=proven).text
    # BOR, BORU and ORR in one (BORU confirms nothing: it joins the first over its visits)
    assert members(script) == {"best_assess_1": 3, "best_assess_2": 1}
    assert {c: reads(script, c) for c in ("BOR", "BORU", "ORR", "ORR8")} == {
        "BOR": "best_assess_1", "BORU": "best_assess_1", "ORR": "best_assess_1", "ORR8": "best_assess_2"
    }  # fmt: skip
    assert script.count('LEFT JOIN "confirm_assess_') == 2  # one join per confirmation rule
    assert "best_assess" not in script[script.index('TABLE "res_M2"') :].split(";")[0]  # landmarks apart
    # the landmarks' progression visit: written once, read by both
    assert script.count('TABLE "progression_assess_1" AS') == 1 and "progression_assess_2" not in script
    for code in ("M2", "M3"):
        assert (
            'JOIN "progression_assess_1" AS pv' in script[script.index(f'TABLE "res_{code}"') :].split(";")[0]
        )


def test_a_first_endpoint_that_confirms_nothing_keeps_its_own():
    text = HEAD + "\n".join(ENDPOINTS[c] for c in ("BORU", "BOR", "ORR"))
    script = generate_sql(model(text)).text
    # BORU's relation is written before any confirmation: it cannot read one
    assert members(script) == {"best_assess_1": 1, "best_assess_2": 2}
    first = script[script.index('TABLE "best_assess_1"') :].split(";")[0]
    assert "confirm_assess" not in first


def test_an_endpoint_alone_has_its_own_grouping():
    script = generate_sql(model(), only=["ORR"]).text
    assert members(script) == {"best_assess_1": 1}


def frames(rows, order: list[int] | None = None) -> dict[str, pd.DataFrame]:
    subjects = sorted({s for s, *_ in rows} | {"S0"})  # S0: no assessment row
    adsl = pd.DataFrame({"SUBJID": subjects, "RANDDT": [RAND.isoformat()] * len(subjects)})
    adrs = pd.DataFrame(
        [(s, d.isoformat(), r, q) for s, d, r, q in rows], columns=["SUBJID", "ADT", "OVRRESP", "ASEQ"]
    ).astype({"ASEQ": "float64", "OVRRESP": "object"})
    if order is not None:
        adrs = adrs.iloc[order].reset_index(drop=True)
    return {"adsl": adsl, "adrs": adrs}


def sql_run(tables: dict, only=None, listed: bool = True):
    """The SQL engine's run; `listed=False`: the list path's fact refused (the general
    script's aggregates, arg_min over the categories and records)."""
    compiled = CompiledFile.from_model(model())
    if listed:
        return compiled.run(tables, only, engine="sql")
    with pytest.MonkeyPatch.context() as patch:
        proven = run.fact
        patch.setattr(run, "fact", lambda kind, *a: kind != "packs" and proven(kind, *a))
        return compiled.run(tables, only, engine="sql")


BEST = ("BOR", "BORU", "ORR", "ORR8")


def alone(tables: dict, listed: bool) -> list[tuple]:
    """The best responses' records, each endpoint alone in its relation: BOR, ORR, and BORU
    with ORR8 (BORU then has no relation with a confirmation to join)."""
    parts = []
    for only in (["BOR"], ["ORR"], ["BORU", "ORR8"]):
        got = sql_run(tables, only, listed).adtte
        parts.append(got[got.PARAMCD.isin(only)])
    return records(pd.concat(parts))


def records(adtte: pd.DataFrame) -> list[tuple]:
    """The records in the file's order of endpoints, missing values as None."""
    rows = [tuple(None if pd.isna(x) else x for x in r) for r in adtte.itertuples(index=False)]
    order = {c: i for i, c in enumerate(ENDPOINTS)}
    return sorted(rows, key=lambda r: (order[r[adtte.columns.get_loc("PARAMCD")]], str(r)))


@st.composite
def histories(draw):
    rows, seq = [], 0
    for s in range(1, draw(st.integers(1, 4)) + 1):
        when = RAND + dt.timedelta(days=draw(st.sampled_from((-7, 0, 20, 42, 60))))
        pool = st.sampled_from(("CR", "PR", "SD", "PD", "NE", "XX")) | st.none()
        for _ in range(draw(st.integers(0, 10))):
            # a 0 now and then: two rows on one date (the date's worst is the visit)
            when += dt.timedelta(days=draw(st.sampled_from((1, 14, 27, 28, 29, 35, 56, 0))))
            seq += 1
            rows.append((f"S{s}", when, draw(pool), draw(st.sampled_from((float(seq), None)))))
    return rows


@settings(max_examples=max(4, settings.default.max_examples // 30))
@given(data=st.data())
def test_shared_grouping_equals_each_alone_and_the_per_subject_engine(data):
    rows = data.draw(histories())
    order = data.draw(st.permutations(range(len(rows))) | st.none())
    listed = data.draw(st.booleans())
    note(repr((rows, order, listed)))
    tables = frames(rows, None if order is None else list(order))
    together = sql_run(tables, listed=listed)
    per_subject = CompiledFile.from_model(model()).run(tables, engine="compiled")
    assert_same_runs(together, per_subject)
    assert records(together.adtte[together.adtte.PARAMCD.isin(BEST)]) == alone(tables, listed)


EDGES = [
    # PR confirmed 28 days on (not 56: ORR8's confirmation needs a later one); the confirming
    # row has no sequence; PD later: DOR's event
    ("S1", day(3, 1), "PR", 1.0), ("S1", day(3, 29), "PR", None), ("S1", day(5, 1), "PD", 3.0),
    # two rows on one date (PR and SD: the worst, SD, is the visit); a CR confirmed 56 days on
    ("S2", day(2, 1), "PR", 4.0), ("S2", day(2, 1), "SD", 5.0), ("S2", day(3, 1), "CR", 6.0),
    ("S2", day(4, 26), "CR", 7.0),
    # no usable response at all (XX, missing): no visit
    ("S3", day(3, 1), "XX", 8.0), ("S3", day(3, 2), None, 9.0),
    # responses never confirmed (two NE between): no confirmed response, so no DOR record
    ("S4", day(2, 20), "PR", 10.0), ("S4", day(3, 1), "NE", 11.0), ("S4", day(3, 5), "NE", 12.0),
    ("S4", day(3, 30), "PR", 13.0),
]  # fmt: skip
# (PARAMCD, USUBJID) -> (AVALC, ADT, SRCSEQ), by hand from semantics 6.1-6.3
EXPECTED = {
    ("BOR", "S0"): ("MISSING", None, None),
    ("BOR", "S1"): ("PR", day(3, 1), 1.0),
    ("BOR", "S2"): ("CR", day(3, 1), 6.0),
    ("BOR", "S3"): ("MISSING", None, None),
    ("BOR", "S4"): ("SD", day(2, 20), 10.0),
    ("BORU", "S1"): ("PR", day(3, 1), 1.0),
    ("BORU", "S2"): ("CR", day(3, 1), 6.0),
    ("BORU", "S4"): ("PR", day(2, 20), 10.0),
    ("ORR", "S1"): ("Y", day(3, 1), 1.0),
    ("ORR", "S2"): ("Y", day(3, 1), 6.0),
    ("ORR", "S3"): ("N", None, None),
    ("ORR", "S4"): ("N", None, None),
    ("ORR8", "S1"): ("N", None, None),  # 28 days is not 56
    ("ORR8", "S2"): ("Y", day(3, 1), 6.0),  # 56 days exactly
    ("M2", "S0"): ("N", None, None),
    ("M2", "S1"): ("Y", day(3, 1), 1.0),  # day 60 exactly
    ("M2", "S2"): ("Y", day(3, 1), 6.0),
    ("M2", "S4"): ("N", day(3, 1), 11.0),  # the NE on day 60: not evaluable
    ("M3", "S1"): ("Y", day(3, 29), None),  # day 88, no sequence
    ("M3", "S2"): ("N", None, None),  # no visit from day 80 through 100
    ("M3", "S4"): ("Y", day(3, 30), 13.0),  # day 89
    ("DOR", "S1"): (None, day(5, 1), 3.0),  # progression
}


@pytest.mark.parametrize("listed", [True, False])
@pytest.mark.parametrize("order", [None, list(range(len(EDGES)))[::-1]])
def test_edges_by_hand(order, listed):
    result = sql_run(frames(EDGES, order), listed=listed)
    got = {
        (r.PARAMCD, r.USUBJID): (
            None if pd.isna(r.AVALC) else r.AVALC,
            None if pd.isna(r.ADT) else pd.Timestamp(r.ADT).date(),
            None if pd.isna(r.SRCSEQ) else r.SRCSEQ,
        )
        for r in result.adtte.itertuples()
    }
    assert {k: v for k, v in got.items() if k in EXPECTED} == EXPECTED
    assert sorted(k[1] for k in got if k[0] == "DOR") == ["S1", "S2"]  # S4 never confirmed


@pytest.mark.parametrize("proven", [frozenset(), frozenset({LISTED})])
def test_the_list_path_groups_ranks_and_the_general_path_names(proven):
    # on the list path the categories are ranks (no CASE from names to ranks in each
    # aggregate, bestgroup._category); the general script (golden files, Spark) keeps names
    script = generate_sql(model(), proven=proven).text
    body = script[script.index('TABLE "best_assess_1"') :].split(";")[0]
    if proven:
        assert "min(cat_1 * 10000000 + i) AS o_1" in body and "cat_3 IN (0, 1)" in body
        assert "CASE cat_" not in body and "v.v" not in body and "x.by_v" not in body
    else:
        assert "CASE cat_1 WHEN 'CR' THEN 0" in body and "v.rnk ELSE" not in body
