"""perf (issue 16): an occurrence's ordering packed into one BIGINT (engines/sql/packed.py).
The packed path is taken only where the data are proven to fit, and picks the occurrence
the ordering struct picks: the SQL engine equals the per-subject engine (an independent
oracle) on both paths. Expected values are worked out by hand from the tables below."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from endpointdsl.api import CompiledFile, check_text
from endpointdsl.engines.sql import packed
from endpointdsl.engines.sql import run as sql_run
from endpointdsl.engines.sql.proofs import no_same_day

PROGRAM = """table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event pd = adrs.ADT where AVALC = "PD" sequence ASEQ
event seen = adrs.ADT sequence ASEQ
endpoint PFS "PFS"
  from rand
  to first of pd
  censor at last seen cnsr 1
  before origin: move to origin
end
"""
LAST = dt.date(1900, 1, 1) + dt.timedelta(days=2**17 - 1)  # 2258-11-11, the last date that fits
DATES = [dt.date(1899, 12, 31), dt.date(1900, 1, 1), dt.date(2020, 2, 1), dt.date(2020, 3, 1), LAST, None]


def fits(dates: list, seqs: list | None, seq_type: pa.DataType | None = None) -> bool:
    columns = {"ADT__date": pa.array(dates, pa.date32())}
    if seqs is not None:
        columns["ASEQ__num"] = pa.array(seqs, seq_type or pa.int64())
    return packed.fits(pa.table(columns), "ADT__date", "ASEQ__num" if seqs is not None else None)


def test_the_data_fit_only_within_each_fields_bits():
    day = dt.date(2024, 1, 1)
    assert fits([dt.date(1900, 1, 1), LAST, None], [0, 65535, None])
    assert not fits([dt.date(1899, 12, 31), day], [1, 2])  # before the epoch
    assert not fits([day, LAST + dt.timedelta(days=1)], [1, 2])  # beyond 17 bits of days
    assert not fits([day, day], [1, 65536])  # beyond 16 bits of sequence
    assert not fits([day, day], [-1, 2])  # a negative sequence
    assert not fits([day, day], [1.0, 2.0], pa.float64())  # prepare's DOUBLE view: a fraction somewhere
    assert fits([None, None], [None, None]) and fits([day], None)  # nothing dated; no sequence


EDGES = [  # (date, sequence, row): each field at the ends of its bits, a missing sequence
    (dt.date(1900, 1, 1), 0, 0),
    (dt.date(1900, 1, 1), None, 1),
    (dt.date(2020, 2, 29), 7, 123456),
    (LAST, 65535, 2**29 - 1),
    (LAST, None, 2**29 - 1),
]


@pytest.mark.parametrize("seq_type", [pa.uint16(), pa.int32(), pa.int64()])
def test_the_packed_key_is_the_arithmetic_of_its_fields(seq_type):
    """packed.key (shifts and ORs) equals ((days * 2 + missing) * 2^16 + seq) * 2^29 + row,
    worked out here in Python, at every field's edges and for any integer type of sequence
    (a narrow one shifted in its own type would overflow); `fields` reads them back."""
    import duckdb

    table = pa.table({"d": pa.array([e[0] for e in EDGES], pa.date32()),
                      "s": pa.array([e[1] for e in EDGES], seq_type),
                      "r": pa.array([e[2] for e in EDGES], pa.int32())})  # fmt: skip
    con = duckdb.connect()
    con.register("t", table)
    k = packed.key("t.d", "t.s", "t.r")
    got = [row[0] for row in con.execute(f"SELECT {k} FROM t").fetchall()]
    want = [(((d - packed.EPOCH).days * 2 + (s is None)) * 2**16 + (s or 0)) * 2**29 + r for d, s, r in EDGES]
    assert got == want
    d, seq, rn = packed.fields("k", "t.s")
    back = con.execute(f"SELECT {d}, {seq}, {rn} FROM (SELECT {k} AS k, t.s FROM t) AS t").fetchall()
    assert back == [(d, s, r) for d, s, r in EDGES]
    no_seq = packed.key("t.d", "CAST(NULL AS DOUBLE)", "t.r")  # no sequence: always "missing"
    got = [row[0] for row in con.execute(f"SELECT {no_seq} FROM t").fetchall()]
    assert got == [(((d - packed.EPOCH).days * 2 + 1) * 2**16) * 2**29 + r for d, _, r in EDGES]


def run(adsl: pd.DataFrame, adrs: pd.DataFrame):
    compiled = CompiledFile.from_model(check_text(PROGRAM))
    proven = []
    real = packed.fits

    def spy(*args):
        proven.append(real(*args))
        return proven[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sql_run, "fact", _spied(spy))
        sql = compiled.run({"adsl": adsl, "adrs": adrs}, engine="sql")
    per_subject = compiled.run({"adsl": adsl, "adrs": adrs}, engine="compiled")
    pd.testing.assert_frame_equal(sql.adtte, per_subject.adtte)
    pd.testing.assert_frame_equal(sql.report, per_subject.report)
    return sql, proven


def _spied(spy):
    from endpointdsl.engines.sql.proofs import fact

    def counted(kind, table, view, subject):
        return spy(table, *view) if kind == "packs" else fact(kind, table, view, subject)

    return counted


@pytest.mark.parametrize("big, packs", [(9, True), (70000, False)])  # ASEQ 70000: 17 bits, the struct
def test_packed_orderings_pick_the_occurrences_the_structs_pick(big, packs):
    adsl = pd.DataFrame({"USUBJID": ["S2", "S1"], "RANDDT": ["2020-01-01", "2020-01-01"]})
    # rows shuffled; S1: two PD on 03-01 (ASEQ 5 and 2: ASEQ 2 is the first); S2: no PD, its
    # last visits on 05-01 twice (ASEQ 3, and none: a missing sequence sorts last, so the
    # record is censored there with no SRCSEQ), after 04-20 with ASEQ `big`
    adrs = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S2", "S1", "S2", "S1"],
            "ADT": ["2020-03-01", "2020-05-01", "2020-05-01", "2020-03-01", "2020-04-20", "2020-04-01"],
            "AVALC": ["PD", "SD", "SD", "PD", "SD", "SD"],
            "ASEQ": pd.array([5, None, 3, 2, big, big], dtype="Int64"),
        }
    )
    sql, proven = run(adsl, adrs)
    assert proven == [packs]
    adtte = sql.adtte
    assert adtte.USUBJID.tolist() == ["S1", "S2"]
    assert adtte.ADT.astype(str).tolist() == ["2020-03-01", "2020-05-01"]
    assert adtte.CNSR.tolist() == [0, 1]
    assert adtte.SRCSEQ.iloc[0] == 2.0 and pd.isna(adtte.SRCSEQ.iloc[1])


@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["S1", "S2", "S3"]),
            st.sampled_from(DATES),
            st.sampled_from(["PD", "SD"]),
            st.sampled_from([None, 0, 1, 2, 65535, 65536]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.booleans(),
)
def test_either_path_equals_the_per_subject_engine(rows, integers):
    """Dates and sequences at and beyond the bits' edges, ties on a day, missing sequences:
    packed where they fit, structs where not, and the per-subject engine agrees with both."""
    adsl = pd.DataFrame({"USUBJID": ["S3", "S1", "S2"], "RANDDT": ["1900-01-01", "2020-01-01", "2258-01-01"]})
    adrs = pd.DataFrame(rows, columns=["USUBJID", "ADT", "AVALC", "ASEQ"])
    adrs["ASEQ"] = adrs["ASEQ"].astype("Int64" if integers else "float64")  # float: a DOUBLE view
    run(adsl, adrs)


# ---- proofs.no_same_day: shuffled rows proven free of same-day ties, apart from their order ----


def rows(keys: list, dates: list, seqs: list | None, key_type=None) -> pa.Table:
    columns = {"__key": pa.array(keys, key_type or pa.int32()), "ADT__date": pa.array(dates, pa.date32())}
    if seqs is not None:
        columns["ASEQ__num"] = pa.array(seqs, pa.int64())
    return pa.table(columns)


def test_shuffled_rows_are_proven_free_of_ties_only_when_no_two_share_key_date_and_sequence():
    a, b = dt.date(2020, 1, 1), dt.date(2020, 1, 2)
    assert no_same_day(rows([1, 0, 1, 0], [b, a, a, a], [1, 1, 1, 2]), "ADT__date", "ASEQ__num")
    assert not no_same_day(
        rows([1, 0, 1, 0], [b, a, b, a], [1, 1, 1, 2]), "ADT__date", "ASEQ__num"
    )  # 1, b, 1
    # rows without a key or a date are not compared; without a sequence, key and date alone
    assert no_same_day(rows([1, None, 1, 0], [b, b, None, b], [1, 1, 1, 1]), "ADT__date", "ASEQ__num")
    assert not no_same_day(rows([0, 0], [a, a], None), "ADT__date", None)
    assert no_same_day(rows([0, 1], [a, a], None), "ADT__date", None)
    # not proven: a missing sequence (equal to another missing one), text keys, too many bits
    assert not no_same_day(rows([0, 1], [a, a], [1, None]), "ADT__date", "ASEQ__num")
    assert not no_same_day(rows(["A", "B"], [a, a], [1, 2], pa.string()), "ADT__date", "ASEQ__num")
    assert not no_same_day(rows([0, 1], [a, b], [0, 2**62]), "ADT__date", "ASEQ__num")
    # a date view that is not a date32 (none is made today): not proven, and no cast error
    moments = pa.array([dt.datetime(2020, 1, 1, 9), dt.datetime(2020, 1, 2, 9)], pa.timestamp("us"))
    timed = rows([0, 1], [a, b], [1, 2]).set_column(1, "ADT__date", moments)
    assert not no_same_day(timed, "ADT__date", "ASEQ__num")


@settings(max_examples=80)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(0, 5)),
            st.one_of(st.none(), st.dates(dt.date(1800, 1, 1), dt.date(2200, 1, 1))),
            st.one_of(st.integers(-3, 3), st.integers(-(2**62), 2**62)),
        ),
        min_size=2,
        max_size=30,
    ),
    st.booleans(),
)
def test_shuffled_rows_are_proven_free_of_ties_only_where_a_set_of_the_rows_finds_none(data, with_seq):
    # the oracle: the dated rows with a key as (key, date, sequence) tuples, none repeated;
    # sequences far apart (up to 2^62, negative) need more than 63 bits: never proven then
    keys, dates, seqs = (list(c) for c in zip(*data, strict=True))
    table = rows(keys, dates, seqs if with_seq else None)
    dated = [(k, d, s if with_seq else None) for k, d, s in data if k is not None and d is not None]
    proven = no_same_day(table, "ADT__date", "ASEQ__num" if with_seq else None)
    assert not proven or len(set(dated)) == len(dated)
    fits = len(dated) < 2 or not with_seq or max(s for *_, s in dated) - min(s for *_, s in dated) < 2**16
    if fits:  # small ranges always fit: proven exactly when there is no tie
        assert proven == (len(set(dated)) == len(dated))


@pytest.mark.parametrize("tie", [False, True])
def test_shuffled_rows_skip_the_same_day_check_only_without_a_tie(tie):
    # rows out of order (the sorted proof fails); S1 has two SD rows on 04-01, ASEQ 3 and
    # 4, or 3 twice (a tie: the finding that SRCSEQ cannot tell them apart)
    adsl = pd.DataFrame({"USUBJID": ["S1", "S2"], "RANDDT": ["2020-01-01", "2020-01-01"]})
    adrs = pd.DataFrame(
        {
            "USUBJID": ["S2", "S1", "S1", "S2"],
            "ADT": ["2020-05-01", "2020-04-01", "2020-04-01", "2020-03-01"],
            "AVALC": ["SD", "SD", "SD", "PD"],
            "ASEQ": pd.array([2, 3, 3 if tie else 4, 1], dtype="Int64"),
        }
    )
    found = []

    def spy(*args):
        found.append(no_same_day(*args))
        return found[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sql_run, "no_same_day", spy)
        sql, _ = run(adsl, adrs)  # equal to the per-subject engine
    assert found == [not tie]
    findings = sql.report[sql.report.STATUS == "finding"].MESSAGE.tolist()
    expected = ["seen: several adrs records on 2020-04-01 with the same ASEQ; SRCSEQ cannot tell them apart"]
    assert findings == (expected if tie else [])
