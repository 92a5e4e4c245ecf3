"""The confirmation over each subject's visit list (engines/sql/confirmlist.py, issue 16).

Where the run proves the assessment dates fit (`packs: <table>.<date>/-`), a best response's
confirmation is computed over each subject's visits as one sorted list, and the record's
category and date are read off the minimum order; otherwise by window functions and
arg_min of the record (best.py). Here: which script holds which path; the list path's
confirmed visits against the window path's relation as `bestgroup._category` reads it, row
for row, on generated visit histories (RECIST, IMWG, iRECIST sets); whole runs
with the list path on and off on generated assessment rows; hand-worked edges (a
confirmation on the last visit, rows without a sequence, several rows on one date).
"""

from __future__ import annotations

import datetime as dt
import functools

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from histories import day, histories
from hypothesis import given, note, settings
from hypothesis import strategies as st
from sql_paths import assert_same_runs, recording

from endpointdsl.api import CompiledFile, check_text
from endpointdsl.check.criteria import shipped
from endpointdsl.engines.sql import confirmlist, run
from endpointdsl.engines.sql.generate import generate_sql

pytestmark = pytest.mark.skipif(not confirmlist.LAMBDAS, reason="the list path needs DuckDB 1.3 or later")

FACT = "packs: adrs.ADT__date/-"
SHORT = "short: adrs"  # few rows a subject (proofs.short_rows): the confirmation's lists pay
IN_ORDER = "same_day_1"  # the assessment rows proven in occurrence order: no sort before the lists
RAND = dt.date(2020, 1, 1)
RULES = (
    "  confirm after 28 days, at most 1 ne between\n",
    "  confirm after 4 weeks, at most 2 ne between, at most 1 sd between\n",
    "  confirm after 0 days, at most 0 ne between\n",
    "",  # no `confirm`: only the categories the set confirms itself (IMWG, iRECIST)
)


def program(criteria: str, rule: str) -> str:
    use = f"  criteria {criteria}\n" if criteria else ""
    names = [k.name for k in shipped(criteria or "recist11").categories if k.role == "response"]
    listed = ", ".join(f'"{n}"' for n in names[-2:])  # RECIST's CR, PR
    return f"""
table adsl: one row per subject, key SUBJID
table adrs: many rows per subject, key SUBJID
event rand = adsl.RANDDT
event assess = adrs.ADT response OVRRESP sequence ASEQ
endpoint BOR "BOR"
  from rand
{use}  best response of assess
{rule}  sd at least 42 days after origin
end
endpoint M2 "M2"
  from rand
{use}  origin is day 0
  response of assess from day 45 through day 75 nearest day 60
  responder if response in ({listed})
  not evaluable: "N"
end
"""


def confirm_statement(script: str) -> str | None:
    for statement in _CON.extract_statements(script):
        if 'TEMP TABLE "confirm_assess_1"' in statement.query:
            return statement.query
    return None


# One connection for the module: opening one costs about 40 ms, more than an example's statements.
# relation() leaves it as it found it (asserted there), so no example reads another's tables.
_CON = duckdb.connect()


@functools.cache
def confirm_statements(criteria: str, rule: str, in_order: bool) -> tuple[str | None, str | None]:
    """The window path's and the list path's confirmation statements of one (set, rule,
    proven order): the generated scripts are deterministic, so each is generated once."""
    model = check_text(program(criteria, rule), "c.ept")
    windows = confirm_statement(generate_sql(model).text)
    # the list path with the rows' order proven (no sort before the lists) and not
    proven = frozenset({FACT, SHORT, IN_ORDER} if in_order else {FACT, SHORT})
    return windows, confirm_statement(generate_sql(model, proven=proven).text)


def test_the_list_path_is_written_only_where_the_dates_are_proven_to_fit():
    model = check_text(program("", RULES[0]), "c.ept")
    general, proven = generate_sql(model).text, generate_sql(model, proven=frozenset({FACT, SHORT})).text
    assert {FACT, SHORT} <= set(generate_sql(model).facts)  # the run is asked to prove them
    assert "list_filter" not in general and "OVER (PARTITION BY key ORDER BY i" in general
    assert "list_filter" in proven and "OVER (PARTITION BY key ORDER BY i" not in proven
    # the list path writes the confirmed visits' categories, which the best responses read
    assert "AS cat\n" in proven and "x.cat" in proven and "x.allowed" not in proven
    assert "x.allowed" in general and "x.cat" not in general
    # many rows a subject (SHORT not proven): the windows, whose cost does not grow with them
    long = generate_sql(model, proven=frozenset({FACT})).text
    assert "list_filter" not in long and "OVER (PARTITION BY key ORDER BY i" in long
    # the record's best category and date from the minimum order alone (bestgroup._best_by_order)
    assert "o // 10000000" in proven and "o // 10000000" not in general
    # iRECIST's window after the visit before W: the list path does not apply
    irecist = generate_sql(
        check_text(program("irecist", RULES[0]), "c.ept"), proven=frozenset({FACT, SHORT})
    ).text
    assert "list_filter" not in irecist and "lag(d)" in irecist
    # rows in no proven order are sorted before the lists are built; rows in order are not
    presorted = "ORDER BY key, x) GROUP BY key"
    assert presorted in proven
    assert presorted not in generate_sql(model, proven=frozenset({FACT, SHORT, IN_ORDER})).text


# ---- the two confirmation relations on the same visits ---------------------------------------


@st.composite
def visits(draw, names: tuple[str, ...]):
    """(key, day, category) rows: up to 4 subjects with up to 12 visits on distinct days."""
    rows = []
    for key in range(draw(st.integers(1, 4))):
        day = 700000 + draw(st.integers(0, 60))
        for _ in range(draw(st.integers(0, 12))):
            day += draw(st.sampled_from((1, 2, 9, 27, 28, 29, 30, 31, 45)))
            rows.append((key, day, draw(st.sampled_from(names))))
    return rows


def relation(statement: str, rows, criteria: str) -> list[tuple]:
    """The statement's confirmation over `rows`, fed to it in the order given."""
    crit = shipped(criteria or "recist11")
    cats = crit.categories
    table = pd.DataFrame(
        [(k, i, dt.date(1, 1, 1) + dt.timedelta(days=i), v, crit.names.index(v), cats[crit.names.index(v)].role)
         for k, i, v in rows],
        columns=["key", "i", "d", "v", "rnk", "role"],
    )  # fmt: skip
    con = _CON
    try:
        con.register("vis", table)
        con.execute(
            "CREATE TEMP TABLE visits AS SELECT CAST(key AS BIGINT) AS key, CAST(i AS BIGINT) AS i,"
            " CAST(d AS DATE) AS d, CAST(v AS VARCHAR) AS v, CAST(rnk AS INTEGER) AS rnk,"
            " CAST(role AS VARCHAR) AS role FROM vis"
        )
        con.execute(statement.replace('"visits_assess_1"', "visits"))
        return con.execute('SELECT * FROM "confirm_assess_1" ORDER BY key, i').fetchall()
    finally:
        con.execute('DROP TABLE IF EXISTS visits; DROP TABLE IF EXISTS "confirm_assess_1"')
        con.unregister("vis")
        assert not leftovers(con)  # the state reset: the next example starts from an empty database


def leftovers(con) -> list[tuple]:
    """The tables and views a connection holds beyond DuckDB's own."""
    return con.execute(
        "SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal"
    ).fetchall()


def confirmed(windows: list[tuple], rows, criteria: str) -> list[tuple]:
    """The window path's relation read as `bestgroup._category` reads it: the visits whose
    every rule holds (SQL's NULL is not TRUE), each with the rank it counts as (a response:
    W's where W is a worse response, else its own; any other category: W's). The list path
    writes exactly these (issue 16, ninth round)."""
    names = shipped(criteria or "recist11").names
    rank = {(k, i): names.index(v) for k, i, v in rows}
    kept = []
    for key, i, _, by_rnk, by_role, allowed, w_ok, ne_ok, sd_ok, mono_ok, arole in windows:
        rules = ne_ok is True and sd_ok is True and mono_ok is not False
        if allowed is True and w_ok is True and (arole != "response" or rules):
            own = rank[(key, i)]
            worse = by_role == "response" and by_rnk > own
            kept.append((key, i, (by_rnk if worse else own) if arole == "response" else by_rnk))
    return kept


@settings(max_examples=max(25, settings.default.max_examples // 2))  # small: DuckDB alone
@given(data=st.data())
def test_the_list_and_window_paths_give_the_same_confirmations(data):
    criteria = data.draw(st.sampled_from(("", "imwg")))
    rule = data.draw(st.sampled_from(RULES))
    windows, lists = confirm_statements(criteria, rule, data.draw(st.booleans()))
    if windows is None:  # nothing is confirmed: neither path writes a confirmation
        assert lists is None
        return
    assert "list_filter" in lists and "list_filter" not in windows
    rows = data.draw(visits(shipped(criteria or "recist11").names))
    # the visits in any order: each list is sorted whatever its rows' order was proven to be
    rows = data.draw(st.permutations(rows))
    note(repr(rows))
    assert relation(lists, rows, criteria) == confirmed(relation(windows, rows, criteria), rows, criteria)


# hand-picked histories (day, category) of one subject, where a slip in the lists' day,
# rank or candidate reading shows: a confirmation too early then in time, on the last visit,
# after an NE or a break, a worse response after a better one
HISTORIES = [
    ((0, "CR"), (1, "CR"), (40, "CR")),
    ((0, "PR"), (27, "PR"), (28, "CR"), (29, "PR")),
    ((0, "PR"), (10, "NE"), (20, "NE"), (45, "PR")),
    ((0, "CR"), (9, "PR"), (30, "CR"), (60, "SD")),
    ((0, "PR"), (5, "CR"), (35, "PR"), (70, "PD")),
    ((0, "SD"), (30, "PR"), (31, "SD"), (62, "PR")),
]


@pytest.mark.parametrize("history", HISTORIES)
@pytest.mark.parametrize("rule", RULES[:3])
@pytest.mark.parametrize("in_order", [False, True])
def test_hand_picked_histories_give_the_same_confirmations(history, rule, in_order):
    model = check_text(program("", rule), "c.ept")
    proven = frozenset({FACT, SHORT, IN_ORDER} if in_order else {FACT, SHORT})
    lists = confirm_statement(generate_sql(model, proven=proven).text)
    windows = confirm_statement(generate_sql(model).text)
    rows = [(0, 700000 + d, v) for d, v in history]
    expected = confirmed(relation(windows, rows, ""), rows, "")
    assert relation(lists, rows, "") == expected
    assert relation(lists, rows[::-1], "") == expected  # rows in any order


# ---- whole runs, the list path on and off ---------------------------------------------------


def frames(rows, seq: str = "float64") -> dict[str, pd.DataFrame]:
    """`seq`: ASEQ's type; integers (Int64) let the run prove packed.py's fact, and the visits
    then take a date's first sequence from one packed minimum (best._visits)."""
    subjects = sorted({s for s, *_ in rows}) or ["S0"]
    adsl = pd.DataFrame({"SUBJID": subjects, "RANDDT": [RAND.isoformat()] * len(subjects)})
    adrs = pd.DataFrame(
        [(s, d.isoformat(), r, q) for s, d, r, q in rows], columns=["SUBJID", "ADT", "OVRRESP", "ASEQ"]
    )
    return {"adsl": adsl, "adrs": adrs.astype({"ASEQ": seq, "OVRRESP": "object"})}


def both(text: str, tables: dict) -> tuple:
    """The SQL engine's result with the dates proven to fit (the list confirmation, the
    records read off the minimum order), and with `packs` never proven (fresh programs each)."""
    on = CompiledFile.from_model(check_text(text, "c.ept")).run(tables, engine="sql")
    with pytest.MonkeyPatch.context() as patch:
        proven = run.fact
        patch.setattr(run, "fact", lambda kind, *a: kind != "packs" and proven(kind, *a))
        off = CompiledFile.from_model(check_text(text, "c.ept")).run(tables, engine="sql")
    return on, off


def assessments(names: tuple[str, ...]) -> st.SearchStrategy:
    """Histories of the criteria's categories, with the unknown NE, XX and missing."""
    responses = st.sampled_from(names) | st.sampled_from(("NE", "XX")) | st.none()
    return histories(origin=RAND, responses=responses, most=12, gaps=(0, 1, 14, 27, 28, 29, 35))


@settings(max_examples=max(6, settings.default.max_examples // 10))
@given(data=st.data())
def test_runs_with_and_without_the_list_path_agree(data):
    criteria = data.draw(st.sampled_from(("", "imwg")))
    text = program(criteria, data.draw(st.sampled_from(RULES)))
    rows = data.draw(assessments(shipped(criteria or "recist11").names))
    note(repr(rows))
    tables = frames(rows, data.draw(st.sampled_from(("float64", "Int64"))))
    on, off = both(text, tables)
    per_subject = CompiledFile.from_model(check_text(text, "c.ept")).run(tables, engine="compiled")
    assert_same_runs(on, off, per_subject)


# ---- hand-worked edges ---------------------------------------------------------------------


EDGES = [
    # confirmed by the last visit, exactly 28 days later
    ("S1", day(3, 1), "PR", 1.0), ("S1", day(3, 29), "PR", 2.0),
    # the candidate is the last visit: nothing after it confirms; SD from day 42
    ("S2", day(3, 1), "SD", 3.0), ("S2", day(3, 29), "CR", 4.0),
    # no sequence on any row; CR confirmed by the last of two CRs after an NE
    ("S3", day(3, 1), "CR", None), ("S3", day(3, 10), "NE", None), ("S3", day(4, 15), "CR", None),
    # CR and PR on one date (the visit is the PR), confirmed by the CR on the last visit
    ("S4", day(3, 1), "CR", 5.0), ("S4", day(3, 1), "PR", 6.0), ("S4", day(4, 1), "CR", 7.0),
    # W (the PR 35 days on) comes after a better response (the CR 9 days on): not confirmed
    ("S5", day(3, 1), "PR", 8.0), ("S5", day(3, 10), "CR", 9.0), ("S5", day(4, 5), "PR", 10.0),
    # a CR and two PRs on one date: the visit is the worse, PR, the first PR row (ASEQ 12)
    ("S6", day(3, 1), "CR", 11.0), ("S6", day(3, 1), "PR", 12.0), ("S6", day(3, 1), "PR", 13.0),
    ("S6", day(4, 1), "PR", 14.0),
]  # fmt: skip
# (AVALC, ADT, SRCSEQ) by hand from semantics 6.1 (28 days, at most 1 NE between)
EXPECTED = {
    "S1": ("PR", day(3, 1), 1.0),
    "S2": ("SD", day(3, 1), 3.0),
    "S3": ("CR", day(3, 1), None),
    "S4": ("PR", day(3, 1), 6.0),
    "S5": ("SD", day(3, 1), 8.0),
    "S6": ("PR", day(3, 1), 12.0),
}


# Int64 without S3 (no missing sequence): the rows are proven in order and their sequences
# packed (the visits' packed minimum); with S3 or as doubles, the other paths
@pytest.mark.parametrize(("seq", "without"), [("float64", ""), ("Int64", ""), ("Int64", "S3")])
def test_edges_by_hand_with_and_without_the_list_path(seq, without):
    rows = [r for r in EDGES if r[0] != without]
    for result in both(program("", RULES[0]), frames(rows, seq)):
        got = {
            r.USUBJID: (r.AVALC, pd.Timestamp(r.ADT).date(), None if pd.isna(r.SRCSEQ) else r.SRCSEQ)
            for r in result.adtte.itertuples()
            if r.PARAMCD == "BOR"
        }
        assert got == {k: v for k, v in EXPECTED.items() if k != without}
        # the landmark from day 45 through 75, nearest day 60 (2020-03-01): the visit on it
        landmark = result.adtte[result.adtte.PARAMCD == "M2"].set_index("USUBJID")
        responded = {"S1": "Y", "S2": "N", "S3": "Y", "S4": "Y", "S5": "Y", "S6": "Y"}
        assert dict(landmark.AVALC) == {k: v for k, v in responded.items() if k != without}


def test_the_visits_pack_the_sequence_only_where_proven():
    model = check_text(program("", RULES[0]), "c.ept")
    in_order = frozenset({"same_day_1", FACT})
    packs = generate_sql(model, proven=in_order | {"packs: adrs.ADT__date/ASEQ__num"}).text
    by_rank_and_row = "arg_min_null(seq, (6 - wrnk)"  # RECIST's 7 categories: worst rank 6
    assert "coalesce(seq, 65536)" in packs and by_rank_and_row not in packs
    assert by_rank_and_row in generate_sql(model, proven=in_order).text


# ---- many rows a subject: the windows (the lists' cost grows with the square of them) ---------


@pytest.mark.parametrize(
    ("keys", "short"),
    [
        ([], True),
        ([0] * 24, True),  # one subject of 24 rows: 24^2 = 24 x 24
        ([0] * 25, False),  # 25^2 > 24 x 25
        ([0] * 30 + list(range(1, 31)), True),  # 30^2 + 30 = 930 <= 24 x 60
        ([0] * 40 + list(range(1, 21)), False),  # 40^2 + 20 = 1620 > 24 x 60
        (["S1"] * 25, False),  # text keys: counted by value
        (["S1"] * 3 + ["S2"] * 2, True),
    ],
)
def test_short_rows_bounds_the_square_of_each_subjects_rows(keys, short):
    from endpointdsl.engines.sql.proofs import fact, short_rows

    typed = pa.chunked_array([keys], pa.int32() if keys and isinstance(keys[0], int) else pa.string())
    assert short_rows(typed) is short
    table = pa.table({"__key": pa.chunked_array([[None], *typed.chunks], typed.type)})  # a row without a key
    assert fact("short", table, None, table) is short


def test_subjects_with_many_visits_take_the_windows_and_agree():
    """Two subjects with 40 visits a day apart (PR, SD, NE, CR in turn) and one with three:
    `short` is not proven, so the confirmation is the window path's, and the result is the
    per-subject engine's."""
    cycle = ("PR", "SD", "NE", "CR")
    rows = [
        (s, RAND + dt.timedelta(days=1 + 7 * k), cycle[k % 4], float(100 * i + k))
        for i, s in enumerate(("S1", "S2"))
        for k in range(40)
    ]
    rows += [("S3", RAND + dt.timedelta(days=d), r, None) for d, r in ((42, "PR"), (71, "PR"), (100, "SD"))]
    text = program("", RULES[0])
    with recording("_proven_program", lambda made: made.text) as scripts:
        sql = CompiledFile.from_model(check_text(text, "c.ept")).run(frames(rows), engine="sql")
    assert scripts and all(
        "list_filter" not in s and "OVER (PARTITION BY key ORDER BY i" in s for s in scripts
    )
    per_subject = CompiledFile.from_model(check_text(text, "c.ept")).run(frames(rows), engine="compiled")
    pd.testing.assert_frame_equal(sql.adtte, per_subject.adtte)
    pd.testing.assert_frame_equal(sql.report, per_subject.report)
