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
    from endpointdsl.engines.sql.prepare import fact

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


@settings(max_examples=15, deadline=None)
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
