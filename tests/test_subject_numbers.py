"""perf (issue 16): integer subject numbers (engines/sql/keys.py). The numbers are used only
when proven usable on the data; the run on them gives what the run on the text keys gives.
Expected numbers are worked out by hand from the keys below."""

from __future__ import annotations

import contextlib
from unittest import mock

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from sql_paths import recording, same_with_and_without
from strategies import table_cases
from test_differential import compile_text, frames, rejected

from endpointdsl.api import CompiledFile, check_text
from endpointdsl.engines.sql import keys


def table(*chunks: list) -> pa.Table:
    return pa.table({"__key": pa.chunked_array([pa.array(c, pa.string()) for c in chunks], pa.string())})


def numbers(result: keys.Numbered, name: str) -> list:
    return result.tables[name]["__key"].to_pylist()


def test_keys_are_numbered_in_key_order_with_missing_keys_kept_missing():
    # subject keys A < B < C (one row without a key); the other table in runs of one key,
    # over two chunks, with a row without a key and the runs not in key order
    result = keys.numbered_tables(
        {"adsl": table(["A", "B", None, "C"]), "adrs": table(["A", "A", None, "C"], ["C", "B", "B"])}, "adsl"
    )
    assert result is not None
    assert result.keys.to_pylist() == ["A", "B", "C"]
    assert numbers(result, "adsl") == [0, 1, None, 2]
    assert numbers(result, "adrs") == [0, 0, None, 2, 2, 1, 1]
    mapped = keys.text_keys(pa.chunked_array([pa.array([2, None, 0], pa.int32())]), result.keys)
    assert mapped.to_pylist() == ["C", None, "A"]
    # a key number a union made text (the report's USUBJID) reads the same
    assert keys.text_keys(pa.chunked_array([pa.array(["1", None])]), result.keys).to_pylist() == ["B", None]


@pytest.mark.parametrize(
    "subject, other",
    [
        (["A", "A", "B"], ["A"]),  # a duplicate subject
        (["B", "A", "B"], ["A"]),  # a duplicate subject, the keys not in order
        (["A", "B"], ["A", "Z"]),  # Z is no subject's key (the orphan check reads text keys)
        (["A", "B"], [None, "Z"]),  # the same, in a chunk with a missing key
    ],
)
def test_keys_are_not_numbered_unless_proven_usable(subject, other):
    assert keys.numbered_tables({"adsl": table(subject), "adrs": table(other)}, "adsl") is None


def test_an_orphan_key_in_a_later_chunk_is_found_after_a_chunk_with_missing_keys():
    # the lookups of all chunks are gathered into one: a missing key (NULL) must not hide
    # an orphan (also NULL from the lookup) of another chunk
    subject = table(["A", "B"])
    assert keys.numbered_tables({"adsl": subject, "adrs": table([None, "A"], ["B", "Z"])}, "adsl") is None
    assert keys.numbered_tables({"adsl": subject, "adrs": table(["Z"], [None, "B"])}, "adsl") is None
    result = keys.numbered_tables(
        {"adsl": subject, "adrs": table([None, "A"], [], ["B", "B"], ["A"])}, "adsl"
    )
    assert result is not None and numbers(result, "adrs") == [None, 0, 1, 1, 0]


@contextlib.contextmanager
def counted_lookups():
    """The calls to index_in (the hash-table lookup) made inside the block, as a list."""
    calls = []
    real = keys.pc.index_in

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    with mock.patch.object(keys.pc, "index_in", counted):
        yield calls


def test_the_subject_keys_are_looked_up_once_per_table_however_many_chunks():
    # a CSV read gives a chunk per block (hundreds at 1M subjects); index_in builds its hash
    # table of the subject keys on every call: one call per chunk took 64 s at 1M subjects
    # keys of varying length (S0 < S1 < S10 < S100 ...): looked up by index_in, not a binary search
    subjects = sorted(f"S{i}" for i in range(300))
    chunks = [[k, k, k] for k in subjects]  # 300 chunks, one run each
    with counted_lookups() as calls:
        result = keys.numbered_tables({"adsl": table(subjects), "adrs": table(*chunks)}, "adsl")
    assert result is not None and numbers(result, "adrs")[-4:] == [298, 299, 299, 299]
    assert len(calls) == 1


@pytest.mark.parametrize(
    "subject, other, expected, lookups",
    [
        # keys of one byte length: a binary search, no index_in (numbers worked out by hand)
        (["A1", "A2", "B1", "B7"], [["A2", "A2", "B7"], ["B7", "A1"]], [1, 1, 3, 3, 0], 0),
        (["ab", "zz", "é"], [["é", "ab"]], [2, 0], 0),  # é: two bytes (C3 A9), after z
        # a NUL byte: numpy's byte strings drop trailing NULs, so its search may go wrong;
        # each found key is compared with the key looked up, and index_in answers then
        (["A\x00", "AA", "AB"], [["AB", "A\x00", "AA"]], [2, 0, 1], None),
        (["A1", "A2"], [["A2", "A3"]], None, 1),  # A3 is no subject's: searched, not found, index_in
        (["A1", "A2"], [["A2", "A11"]], None, 1),  # an orphan of another length: index_in
        (["A", "B"], [["B", "A"]], [1, 0], 0),
        # more than 8 bytes after the common prefix: a search of byte strings, not of integers
        (["A-0000000001", "B-0000000002"], [["B-0000000002", "A-0000000001"]], [1, 0], 0),
        (["SUBJ-0000001", "SUBJ-0000002"], [["SUBJ-0000002"], ["SUBJ-0000001"]], [1, 0], 0),
        # ZZ9 does not share the prefix AA that the first and last keys share: caught by the check
        (["AA1", "AA2", "AA9"], [["AA1", "ZZ9", "AA9"]], None, 1),
    ],
)
def test_keys_of_one_length_are_found_by_a_binary_search_or_refused(subject, other, expected, lookups):
    with counted_lookups() as calls:
        result = keys.numbered_tables({"adsl": table(subject), "adrs": table(*other)}, "adsl")
    assert (None if result is None else numbers(result, "adrs")) == expected
    assert lookups is None or len(calls) == lookups


def test_a_binary_search_reads_the_keys_of_sliced_arrays_at_their_offsets():
    # arrays that start inside their buffers (a slice): read from their offsets, not the buffer's start
    subject = pa.array(["X9", "A1", "A2", "A3"], pa.string()).slice(1)
    looked = pa.array(["Z9", "Z9", "A3", "A1"], pa.string()).slice(2)
    assert keys._sorted_positions(looked, subject).to_pylist() == [2, 0]
    assert keys._sorted_positions(looked, subject.slice(0, 2)) is None  # A3 is not among A1, A2


def test_subject_keys_out_of_order_are_numbered_in_key_order():
    # shuffled input: adsl C, A, (no key), B -> numbers by key order: C 2, A 0, B 1
    result = keys.numbered_tables(
        {"adsl": table(["C", "A", None, "B"]), "adrs": table(["B", "C", "A"])}, "adsl"
    )
    assert result is not None and result.keys.to_pylist() == ["A", "B", "C"]
    assert numbers(result, "adsl") == [2, 0, None, 1]
    assert numbers(result, "adrs") == [1, 2, 0]


def test_rows_not_in_runs_of_one_subject_are_looked_up_one_by_one():
    subjects = [f"S{i:05d}" for i in range(600)]
    alternating = [subjects[(7 * i) % 600] for i in range(2000)]  # a new run on every row
    with counted_lookups() as calls:
        result = keys.numbered_tables({"adsl": table(subjects), "adrs": table(alternating)}, "adsl")
    assert result is not None and len(calls) == 0  # S + five digits: a direct table (_dense)
    assert numbers(result, "adrs")[:4] == [0, 7, 14, 21]
    with counted_lookups() as calls:  # keys of several lengths: one hash lookup of every row
        result = keys.numbered_tables({"adsl": table(["S1", "S10", "S2"]), "adrs": table(["S2", "S1", "S10"] * 700)},
                                      "adsl")  # fmt: skip
    assert result is not None and len(calls) == 1
    assert numbers(result, "adrs")[:4] == [2, 0, 1, 2]
    orphan = keys.numbered_tables({"adsl": table(subjects), "adrs": table([*alternating, "S99999"])}, "adsl")
    assert orphan is None  # S99999 is no subject's: the text keys (the orphan check)
    grouped = sorted(alternating)
    result = keys.numbered_tables({"adsl": table(subjects), "adrs": table(grouped)}, "adsl")
    assert result is not None and numbers(result, "adrs")[:5] == [0, 0, 0, 0, 1]


PROGRAM = """table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event death = adrs.ADT where PARAMCD = "DEATH"
event seen = adrs.ADT
endpoint OS "Overall survival"
  from rand
  to death
  censor at last seen cnsr 1
end
"""


@pytest.mark.parametrize(
    "adsl_keys, adrs_keys, numbered",
    [
        (["S1", "S2", "S3"], ["S3", "S1", "S1", "S2"], True),
        (["S2", "S1", "S3"], ["S3", "S1", "S1", "S2"], True),  # subject keys not sorted: sorted first
        (["S1", "S2", "S2"], ["S3", "S1", "S1", "S2"], False),  # a duplicate subject
        (["S1", "S2", "S3"], ["S3", "S1", "S9", "S2"], False),  # S9 has no adsl row
        (["S1", None, "S3"], ["S3", "S1", None, "S2"], False),  # S2: no adsl row (and missing keys)
    ],
)
def test_the_sql_engine_equals_the_per_subject_engine_on_either_key(adsl_keys, adrs_keys, numbered):
    adsl = pd.DataFrame({"USUBJID": adsl_keys, "RANDDT": ["2020-01-01"] * 3})
    adrs = pd.DataFrame(
        {
            "USUBJID": adrs_keys,
            "PARAMCD": ["OVR", "OVR", "DEATH", "OVR"],
            "ADT": ["2020-03-01", "2020-02-01", "2020-04-01", "2020-05-01"],
        }
    )
    compiled = CompiledFile.from_model(check_text(PROGRAM))
    with recording("numbered_tables", lambda got: got is not None) as taken:
        sql = compiled.run({"adsl": adsl, "adrs": adrs}, engine="sql")
    assert taken == [numbered]
    per_subject = compiled.run({"adsl": adsl, "adrs": adrs}, engine="compiled")
    pd.testing.assert_frame_equal(sql.adtte, per_subject.adtte)
    pd.testing.assert_frame_equal(sql.report, per_subject.report)
    if numbered:  # S1 dies on day 92; S2 censored at its last row (day 122); S3 at day 61
        assert sql.adtte.USUBJID.tolist() == ["S1", "S2", "S3"]
        assert sql.adtte.AVAL.tolist() == [92.0, 122.0, 61.0]
        assert sql.adtte.CNSR.tolist() == [0, 1, 1]


@settings(max_examples=20)
@given(table_cases())
def test_a_run_on_subject_numbers_equals_the_run_on_text_keys(case):
    """Generated tables (duplicate subjects, rows without a key, orphans in some cases,
    clean in others): the run on numbers, where they are proven usable, gives what the
    run on the text keys gives."""
    desc, tables = case
    if rejected(desc):
        return
    compiled = compile_text(desc.text)
    data = frames(desc, tables)
    taken = same_with_and_without(
        compiled, data, "numbered_tables", lambda *_: None, lambda got: got is not None
    )
    if taken is not None:
        event(f"subject numbers used: {taken}")  # both paths: hypothesis' statistics


def chunked(*chunks: list) -> pa.ChunkedArray:
    return pa.chunked_array([pa.array(c, pa.string()) for c in chunks], pa.string())


@pytest.mark.parametrize(
    "subject, looked, expected",
    [
        # A1 < A2 < B1: bytes A-B at 0, 1-2 at 1: a table of 2 x 2 numbers (worked out by hand)
        (["A1", "A2", "B1"], [["B1", "A1"], [], ["A2", "A2"]], [2, 0, 1, 1]),
        (["A1", "A2", "B1"], [["B2"]], None),  # every byte in range, but B2 is no key: refused
        (["A1", "A2", "B1"], [["C1"]], None),  # C out of range at byte 0
        (["A1", "A2", "B1"], [["A11"]], None),  # another length
        (["AAAAAA", "ZZZZZZ"], [["AAAAAA"]], None),  # 26^6 numbers for two keys: too sparse
        (["SUBJ-09", "SUBJ-10", "SUBJ-11"], [["SUBJ-11", "SUBJ-09"]], [2, 0]),
    ],
)
def test_keys_are_found_in_a_direct_table_or_refused(subject, looked, expected):
    found = keys._dense(chunked(*looked), pa.array(subject, pa.string()))
    assert (None if found is None else found.to_pylist()) == expected


@pytest.mark.parametrize("block", [1, 2, 3])
def test_a_direct_table_looks_up_a_chunk_in_blocks_with_the_same_result(block):
    # keys S0-S9 shuffled, over two chunks of 7 and 5 rows; an orphan (S10: another length,
    # SX: out of range) in the last block of a chunk refuses the whole lookup
    subject = pa.array([f"S{i}" for i in range(10)], pa.string())
    looked = [["S3", "S9", "S0", "S0", "S5", "S1", "S8"], ["S2", "S7", "S6", "S4", "S3"]]
    with mock.patch.object(keys, "BLOCK", block):
        found = keys._dense(chunked(*looked), subject)
        assert found.to_pylist() == [int(k[1:]) for chunk in looked for k in chunk]
        assert [len(c) for c in found.chunks] == [7, 5]  # the chunks as given
        assert keys._dense(chunked(looked[0], [*looked[1], "SX"]), subject) is None
        assert keys._dense(chunked([*looked[0], "S10"]), subject) is None


def test_a_direct_table_reads_sliced_arrays_at_their_offsets():
    subject = pa.array(["X9", "A1", "A2", "A3"], pa.string()).slice(1)
    looked = pa.chunked_array([pa.array(["Z9", "Z9", "A3", "A1"], pa.string()).slice(2)])
    assert keys._dense(looked, subject).to_pylist() == [2, 0]


@pytest.mark.parametrize(
    "subject, integers",
    [
        (["SUBJ-10", "SUBJ-09", "SUBJ-11", "SUBJ-00"], True),  # a constant prefix, 2 bytes after it
        (["B", "C", "A"], True),  # one byte
        (["X-000000002", "X-000000001", "Y-000000000"], False),  # 11 bytes, not one prefix
        (["ab", "a", "b"], False),  # lengths differ
        (["é1", "zz1", "eé", "\u00ff1"], True),  # 3 bytes each in UTF-8: still byte order
        (["A-20", "A-1\x00", "A-10", "A-2\x00"], True),  # NUL bytes order first
    ],
)
def test_shuffled_subject_keys_are_put_in_the_order_arrow_sorts_them(subject, integers):
    text = pa.array(subject, pa.string())
    with mock.patch.object(keys.pc, "sort_indices", wraps=keys.pc.sort_indices) as general:
        order = keys._key_order(text)
    assert order.to_pylist() == pc.sort_indices(text).to_pylist()
    assert general.called is not integers  # the integer path taken where the keys allow it


@settings(max_examples=60)
@given(
    st.lists(st.binary(min_size=3, max_size=3), min_size=2, max_size=40),
    st.sampled_from(["", "SUBJ", "é" * 4]),
)
def test_key_order_equals_sort_indices_for_keys_of_one_length(tails, prefix):
    # random tails (any byte 0-127, a repeat being a duplicate subject) after a prefix of 0, 4 or 8 bytes
    text = pa.array([prefix + bytes(b & 0x7F for b in t).decode() for t in tails], pa.string())
    order = keys._key_order(text)
    assert text.take(order).to_pylist() == text.take(pc.sort_indices(text)).to_pylist()
    assert sorted(order.to_pylist()) == list(range(len(tails)))
