"""Integer subject numbers (issue 16): the script's joins and GROUP BYs on integers, not text.

Key number i is the i-th of the subject-level table's keys in code point order (the order
the proofs and the result queries rely on): when the keys are strictly increasing (as
sorted ADaM data are) that is their row order; otherwise they are sorted first (shuffled
input). `numbered_tables` replaces each prepared table's `__key` by its number. Rows of a
table come in runs of one key when the table is sorted or grouped by subject: each run's
key is looked up once and the number repeated over the run; rows in no such order are
looked up one by one (one hash lookup of every row costs less than the script's joins
and GROUP BYs on text keys of shuffled rows). The numbers are used only when proven usable
on the data; otherwise (a duplicate subject, a key that is not a subject's) the script
runs on the text keys as before, which gives the same result. `text_keys` maps the
numbers of a result column back to the keys.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from attrs import frozen

SAMPLE = 65_536  # rows whose runs are counted first: a table not in runs is given up cheaply


@frozen
class Numbered:
    keys: pa.Array  # the subject keys, strictly increasing: number i stands for keys[i]
    tables: dict  # table name -> the prepared table with __key replaced by the key's number


def numbered_tables(prepared: dict[str, pa.Table], subject: str) -> Numbered | None:
    """The prepared tables with integer subject numbers, or None when not proven usable."""
    keys = prepared[subject]["__key"]
    keys = (keys.drop_null() if keys.null_count else keys).combine_chunks()
    if len(keys) >= 2**31 - 1:  # numbers are 32-bit
        return None
    order = None  # the keys' rows in key order, when the rows are not in it
    if not _increasing(keys):
        order = _key_order(keys)
        keys = keys.take(order)
        if not _increasing(keys):
            return None  # a duplicate subject: the script's own check reads the text keys
    tables = {}
    for name, table in prepared.items():
        numbers = _own_numbers(table["__key"], order) if name == subject else _numbers(table["__key"], keys)
        if numbers is None:
            return None
        tables[name] = table.set_column(table.schema.get_field_index("__key"), "__key", numbers)
    return Numbered(keys, tables)


def _key_order(keys: pa.Array) -> pa.Array:
    """The positions of the keys in code point order (Arrow sorts text by its bytes: UTF-8's
    code point order). Keys of one byte length that differ only in their last 8 bytes (a
    constant prefix: SUBJ-0000001) are sorted as 64-bit big-endian integers of those bytes,
    which order as the bytes do (at 1M shuffled subjects 0.08 s of CPU against 0.34 s for
    sort_indices on the texts); equal keys (a duplicate subject) are found by the caller."""
    width = _fixed_width(keys)
    if width is not None and width > 0 and len(keys) > 1:
        prefix = max(width - 8, 0)
        head = _grid(keys, width)[:, :prefix]
        if (head == head[0]).all():
            return pa.array(np.argsort(_tail_number(keys, width, prefix), kind="stable"))
    return pc.sort_indices(keys)


def _increasing(keys: pa.Array) -> bool:
    return len(keys) < 2 or bool(pc.all(pc.less(keys.slice(0, len(keys) - 1), keys.slice(1))).as_py())


def _own_numbers(column: pa.ChunkedArray, order: pa.Array | None) -> pa.ChunkedArray:
    """The subject-level table's numbers: the rank of its i-th key (skipping rows without one)
    in key order (`order`: the positions of the keys in key order; None: i itself)."""
    column = column.combine_chunks()
    valid = column.is_valid().to_numpy(zero_copy_only=False)
    numbers = np.cumsum(valid, dtype=np.int64) - 1
    if order is not None and len(order):
        rank = np.empty(len(order), dtype=np.int64)
        rank[order.to_numpy()] = np.arange(len(order))
        numbers = rank[np.maximum(numbers, 0)]  # rows without a key are masked below
    return pa.chunked_array([pa.array(numbers.astype(np.int32), mask=~valid)], pa.int32())


def _numbers(column: pa.ChunkedArray, keys: pa.Array) -> pa.ChunkedArray | None:
    """Each row's key number (NULL: no key), or None when a key is not a subject's.

    The keys looked up (each run's first key; every row of a chunk with missing keys) are
    gathered from all chunks and looked up in one call: `index_in` builds its hash table
    of the subject keys once per call, and a CSV read gives hundreds of chunks (at 1M
    subjects, one call per chunk took 64 s)."""
    limit = max(1024, 2 * len(keys))  # runs allowed: about one per subject
    parts: list[tuple[int, np.ndarray | None]] = []  # (rows, run starts; None: a lookup per row)
    looked_up, runs, missing = [], 0, 0
    for chunk in column.chunks:
        n = len(chunk)
        if n == 0:
            continue
        if chunk.null_count:  # rows without a key: a lookup per row (NULL stays NULL)
            parts.append((n, None))
            looked_up.append(chunk)
            runs += n
            missing += chunk.null_count
            continue
        head = min(n, SAMPLE)
        if head >= 1024 and _starts(chunk.slice(0, head)).size > head // 2:
            return _each_row(column, keys)  # not in runs of one subject (shuffled rows)
        starts = _starts(chunk)
        runs += len(starts)
        if runs > limit:
            return _each_row(column, keys)
        parts.append((n, starts))
        looked_up.append(chunk.take(pa.array(starts)))
    if not parts:
        return pa.chunked_array([], pa.int32())
    looked = pa.chunked_array(looked_up, column.type).combine_chunks()
    found = None if missing else _sorted_positions(looked, keys)
    if found is None:
        found = pc.index_in(looked, value_set=keys)
        if found.null_count != missing:
            return None  # a key that is not a subject's: the orphan check reads the text keys
        found = found.cast(pa.int32())
    chunks, at = [], 0
    for n, starts in parts:
        if starts is None:
            chunks.append(found.slice(at, n))
            at += n
        else:
            numbers = found.slice(at, len(starts)).to_numpy()
            chunks.append(pa.array(np.repeat(numbers, np.diff(np.append(starts, n)))))
            at += len(starts)
    return pa.chunked_array(chunks, pa.int32())


def _each_row(column: pa.ChunkedArray, keys: pa.Array) -> pa.ChunkedArray | None:
    """Each row's key number by one lookup of every row (rows in no order: a binary search's
    random reads cost more): in a direct table where the keys allow it (`_dense`), else by
    one hash lookup; None when a key is not a subject's."""
    found = _dense(column, keys)
    if found is not None:
        return found
    found = pc.index_in(column, value_set=keys)
    if found.null_count != column.null_count:
        return None  # a key that is not a subject's: the orphan check reads the text keys
    return found.cast(pa.int32())


DENSE = 8  # a direct table of at most this many entries per subject key (int32 each)
BLOCK = 65_536  # rows looked up at a time in the direct table


def _dense(column: pa.ChunkedArray, keys: pa.Array) -> pa.ChunkedArray | None:
    """Each row's key number through a direct table, or None (then `index_in`).

    Keys of one byte length whose bytes at each position lie in a small range (SUBJ-0000001
    to SUBJ-1000000: a constant prefix, then digits) are numbers in a mixed radix: position j
    counts (byte - lowest byte at j) in base (highest - lowest + 1) of the subject keys. Two
    texts of that length with every byte in range have the same number only if they are
    equal, so the table (number -> key number, -1 for none) answers exactly; a row whose
    byte is out of range, or whose number is no key's, hands the lookup back (an orphan).
    At 9M shuffled rows: a few vectorised passes, against 1.7 s for index_in's hash lookup."""
    width = _fixed_width(keys)
    if width is None or width == 0 or any(_fixed_width(c) != width for c in column.chunks if len(c)):
        return None
    grid = _grid(keys, width)
    low, high = grid.min(axis=0).astype(np.int64), grid.max(axis=0).astype(np.int64)
    varying = [j for j in range(width) if high[j] > low[j]]
    size = int(np.prod([high[j] - low[j] + 1 for j in varying], dtype=np.float64))
    if size > DENSE * len(keys) + 1024:
        return None

    def numbers(rows: np.ndarray) -> np.ndarray:
        value = np.zeros(len(rows), dtype=np.int64)
        for j in varying:
            value = value * int(high[j] - low[j] + 1) + (rows[:, j].astype(np.int64) - low[j])
        return value

    table = np.full(size, -1, dtype=np.int32)
    table[numbers(grid)] = np.arange(len(keys), dtype=np.int32)
    chunks = []
    for chunk in column.chunks:
        if len(chunk) == 0:
            continue
        found = np.empty(len(chunk), dtype=np.int32)
        # in blocks that stay in the CPU's cache (the byte columns of a 9M-row chunk, read one
        # by one, do not: at 9M shuffled rows 0.45-0.7 s of CPU in one block, 0.3 s in blocks)
        for at in range(0, len(chunk), BLOCK):
            rows = _grid(chunk.slice(at, BLOCK), width)
            for j in range(width):  # every byte within the keys' range at its position
                if rows[:, j].min() < low[j] or rows[:, j].max() > high[j]:
                    return None
            found[at : at + len(rows)] = table[numbers(rows)]
        if (found < 0).any():
            return None
        chunks.append(pa.array(found))
    return pa.chunked_array(chunks, pa.int32())


def _grid(text: pa.Array, width: int) -> np.ndarray:
    """The bytes of a fixed-width text array as a (rows, width) array (no copy)."""
    start = int(_offsets(text)[0])
    return np.frombuffer(text.buffers()[2], dtype=np.uint8, count=len(text) * width, offset=start).reshape(
        len(text), width
    )


def _sorted_positions(looked: pa.Array, keys: pa.Array) -> pa.Array | None:
    """Each looked-up key's number found by binary search, or None (then `index_in`).

    When every key is text of one byte length (as most USUBJID formats are), the Arrow
    buffers are fixed-width byte strings to numpy, and a binary search in the sorted
    subject keys needs no hash table (at 1M subjects, with the check: 0.047 s of CPU as
    integers, 0.084 s as byte strings, against index_in's 0.25 s). Whatever numpy's order
    of byte strings, the positions are used only when
    the key at each of them equals the key looked up (the subject keys are unique, so
    that position is the key's number); otherwise (a key that is no subject's) None."""
    width = _fixed_width(keys)
    if width is None or width == 0 or _fixed_width(looked) != width:
        return None
    ours, theirs = _as_bytes(keys, width), _as_bytes(looked, width)
    # keys differing only in their last 8 bytes (SUBJ-0000001: a common prefix, found from the
    # first and last sorted keys) search faster as 64-bit integers of those bytes, big-endian
    prefix = min(_common(ours[0], ours[-1]), _common(theirs[0], theirs[-1]), _common(ours[0], theirs[0]))
    if width - prefix <= 8:
        ours, theirs = _tail_number(keys, width, prefix), _tail_number(looked, width, prefix)
    at = np.searchsorted(ours, theirs)
    at = pa.array(np.minimum(at, len(keys) - 1).astype(np.int32))
    if not pc.all(pc.equal(keys.take(at), looked)).as_py():
        return None
    return at


def _fixed_width(text: pa.Array) -> int | None:
    """The byte length of every text of an array without nulls, or None when they differ."""
    if text.null_count or not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)):
        return None
    if len(text) == 0:
        return None
    offsets = _offsets(text)
    lengths = np.diff(offsets)
    return int(lengths[0]) if (lengths == lengths[0]).all() else None


def _offsets(text: pa.Array) -> np.ndarray:
    kind = np.int64 if pa.types.is_large_string(text.type) else np.int32
    return np.frombuffer(text.buffers()[1], dtype=kind)[text.offset : text.offset + len(text) + 1]


def _as_bytes(text: pa.Array, width: int) -> np.ndarray:
    """The texts of a fixed-width array as numpy byte strings (no copy)."""
    start = int(_offsets(text)[0])
    return np.frombuffer(text.buffers()[2], dtype=f"S{width}", count=len(text), offset=start)


def _common(a: bytes, b: bytes) -> int:
    """The length of the bytes two keys start with alike."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _tail_number(text: pa.Array, width: int, prefix: int) -> np.ndarray:
    """Each fixed-width text's bytes after `prefix` (at most 8) as one big-endian integer,
    which orders as the bytes do (a key not sharing the prefix is caught by the check)."""
    padded = np.zeros((len(text), 8), dtype=np.uint8)
    padded[:, 8 - (width - prefix) :] = _grid(text, width)[:, prefix:]
    return padded.view(">u8").ravel()


def _starts(chunk: pa.Array) -> np.ndarray:
    """Positions where a run of one key starts (a chunk without nulls)."""
    if len(chunk) < 2:
        return np.zeros(len(chunk), dtype=np.int64)
    change = pc.not_equal(chunk.slice(1), chunk.slice(0, len(chunk) - 1))
    return np.concatenate(([0], np.flatnonzero(change.to_numpy(zero_copy_only=False)) + 1))


def text_keys(column: pa.ChunkedArray, keys: pa.Array) -> pa.ChunkedArray:
    """A result column of key numbers (an integer, or its text where a union made it text) as keys."""
    if not pa.types.is_integer(column.type):
        column = pc.cast(column, pa.int64())
    return pc.take(keys, column)
