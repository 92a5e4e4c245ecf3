"""Facts proven on the prepared data (issue 16): properties of the typed relations
(prepare.py) that let the script a run executes skip a check or take a faster path
(generate.Facts asks for them by name, `fact` proves each in a few vectorised passes; not
proven, the general statement runs). Each answers False when it cannot tell."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .packed import fits


def sorted_proof(table: pa.Table, date: str, seq: str | None) -> bool:
    """True when the dated rows with a key are strictly increasing in (key, date, sequence):
    then no two of them share all three, and the same-day check has nothing to find.
    Input sorted by subject and date (as ADaM data usually is) is proven in a few vectorised
    comparisons instead of a GROUP BY over every row."""
    rows = table.select(["__key", date] + ([seq] if seq else []))
    if rows["__key"].null_count or rows[date].null_count:
        rows = rows.filter(pc.and_(rows["__key"].is_valid(), rows[date].is_valid()))
    if rows.num_rows < 2:
        return True
    if seq is not None and rows[seq].null_count:
        return False  # a missing sequence equals another missing one: leave it to the GROUP BY

    def pairs(name: str) -> tuple:
        column = rows[name]
        return column.slice(0, len(column) - 1), column.slice(1)

    key0, key1 = pairs("__key")
    d0, d1 = pairs(date)
    later = pc.less(d0, d1)
    if seq is not None:
        s0, s1 = pairs(seq)
        later = pc.or_(later, pc.and_(pc.equal(d0, d1), pc.less(s0, s1)))
    increasing = pc.or_(pc.less(key0, key1), pc.and_(pc.equal(key0, key1), later))
    return bool(pc.all(increasing).as_py())


def no_same_day(table: pa.Table, date: str, seq: str | None) -> bool:
    """True when no two dated rows with a key share (key, date, sequence), for rows in any
    order (shuffled input, where `sorted_proof` fails): the same-day check then has nothing
    to find. Integer subject numbers (keys.py), dates and integer sequences are packed into
    one 64-bit integer per row, offset by their minimum, and sorted (at 9M rows about 0.6 s
    of CPU, most of it the sort, against 2 s for the check's GROUP BY); False when they do not fit 63 bits, a
    sequence is missing or not an integer, or the keys are text. Says nothing of the rows'
    order (no by-row picks)."""
    if not (pa.types.is_int32(table["__key"].type) and pa.types.is_date32(table[date].type)):
        return False  # text keys, or a date view of another type (not made today): the check runs
    rows = table.select(["__key", date] + ([seq] if seq else []))
    if rows["__key"].null_count or rows[date].null_count:
        rows = rows.filter(pc.and_(rows["__key"].is_valid(), rows[date].is_valid()))
    if rows.num_rows < 2:
        return True
    if seq is not None and (rows[seq].null_count or not pa.types.is_integer(rows[seq].type)):
        return False
    fields = [rows["__key"], rows[date].cast(pa.int32())] + ([rows[seq]] if seq else [])
    packed, bits = None, 0
    for column in fields:
        low, high = (int(v.as_py()) for v in pc.min_max(column).values())
        width = (high - low).bit_length()
        if bits + width > 63:
            return False
        values = column.to_numpy()
        # in place (a copy of 9M rows costs 0.03-0.05 s): int64 arithmetic wraps modulo 2^64,
        # so adding before subtracting the minimum gives the same field once it fits its bits
        if packed is None:
            packed = values.astype(np.int64)
        else:
            packed <<= width
            packed += values
        packed -= low
        bits += width
    packed.sort()
    return not bool((packed[1:] == packed[:-1]).any())


SHORT = 24  # rows a subject, on average over the rows (below)


def short_rows(keys: pa.ChunkedArray) -> bool:
    """The rows' subjects have few rows: the sum over subjects of (rows)^2 is at most SHORT
    times the rows, i.e. a row's subject has SHORT rows on average. A per-subject list
    computation that compares each row with the subject's later rows (confirmlist.py) costs
    that sum; windows cost the rows. Measured (100k rows): lists faster at 9 rows a subject
    (a third of the windows' time), slower from about 50 (1.5x), 7x at 500, 36x at 5,000."""
    if len(keys) == 0:
        return True
    if pa.types.is_integer(keys.type):  # subject numbers (keys.py): 0 .. subjects - 1
        values = keys.to_numpy()
        counts = np.bincount(values) if int(values.min()) >= 0 else None
    else:
        counts = None
    if counts is None:
        counts = pc.value_counts(keys).field("counts").to_numpy()
    counts = counts.astype(np.int64)
    return int((counts * counts).sum()) <= SHORT * len(keys)


def fact(kind: str, table: pa.Table, view: str | None, subject: pa.Table) -> bool:
    """A property of the prepared data that lets the script skip a check (generate.fact),
    proven in a few vectorised passes; False when not proven (the check then runs).

    complete: the view has no missing value (no unusable date, no row without a key);
    rows: the table has a row;
    usable: every reason a date is missing (a `why` view) is 'missing': no date is there and
    unusable (a blank date of a per-subject event, as a death, is no finding);
    unique: the keys that are not missing are strictly increasing, so none repeats;
    within: every key of `table` is a key of the subject-level table `subject`;
    packs: the rows' dates, sequences and numbers fit a packed ordering (packed.fits);
    short: the subjects' rows are few enough for per-subject lists (`short_rows`);
    dates: no two dated rows with a key share (key, date): rows sorted by them, or any order
    with integer subject numbers (`no_same_day`'s sort, about 0.8 s CPU at 9M rows)."""
    if kind == "complete":
        return table[view].null_count == 0
    if kind == "rows":  # the table has a row (the report's `has no rows` finding is empty)
        return table.num_rows > 0
    if kind == "usable":  # `all` skips the NULLs (a usable date has no reason): True when none else
        return pc.all(pc.equal(table[view], "missing")).as_py() is not False
    if kind == "packs":  # view: (date view, sequence view or None)
        return fits(table, *view)
    if kind == "dates":  # view: the date view
        return sorted_proof(table, view, None) or no_same_day(table, view, None)
    keys = table["__key"]
    keys = keys.drop_null() if keys.null_count else keys
    if kind == "short":
        return short_rows(keys)
    if kind == "unique":
        return len(keys) < 2 or bool(pc.all(pc.less(keys.slice(0, len(keys) - 1), keys.slice(1))).as_py())
    if kind == "within":
        if len(keys) == 0:
            return True
        # the distinct keys: where a key differs from the row before (few when the table is
        # sorted by subject, as ADaM data are), then the same test over those
        change = pc.not_equal(keys.slice(1), keys.slice(0, len(keys) - 1))
        firsts = pa.chunked_array([*keys.slice(0, 1).chunks, *keys.slice(1).filter(change).chunks], keys.type)
        return bool(pc.all(pc.is_in(firsts, value_set=subject["__key"].drop_null())).as_py())
    raise ValueError(kind)
