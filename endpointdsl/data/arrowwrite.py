"""Arrow writers (issue 16): records kept in Arrow (arrowrecords) written as CSV and Parquet
byte for byte as `write` writes the pandas frame, without making that frame.

CSV: each column is formatted as pandas' to_csv formats the frame's column (numbers as
numpy's `str`, 5.0 as "5.0"; missing as ""; dates ISO; SRCSEQ as seqtext.seq_text), texts
quoted as the csv module's QUOTE_MINIMAL quotes them, the cells joined into lines by Arrow
and the lines' bytes written 64k rows at a time. Parquet: the columns in the Arrow types the
pandas path gives (NaN missing, times in nanoseconds), with write's metadata. A column of a
type not handled here (none the SQL engine gives) sends the table to the pandas writer.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .arrowrecords import Records
from .seqtext import seq_text

BATCH = 65_536  # rows formatted at a time: the text of a batch is a few MiB
_EXACT = 2.0**53  # below this a whole float is an exact int64
_ISO = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$"


class _Unhandled(Exception):
    """A column this module does not write as pandas would: the pandas writer writes it."""


def write_csv(records: Records, target: Path, dataset: str, fallback, dates: set, times: set) -> None:
    """`fallback`: the pandas writer; `dates`, `times`: the columns it writes as dates, as times."""
    names = records.columns
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow(names)  # the header as pandas writes it
    try:
        with open(target, "wb") as out:
            out.write(head.getvalue().encode("utf-8"))
            for batch in records.table.to_batches(max_chunksize=BATCH):
                cells = [_cells(batch.column(i), n, n in dates, n in times) for i, n in enumerate(names)]
                if batch.num_rows:
                    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, ","), "", "\n")
                    out.write(_bytes(lines))
    except _Unhandled:  # written again, whole, by the pandas writer
        fallback(records.frame(), target, dataset)


def _bytes(lines: pa.Array) -> memoryview:
    """The text of a string array without nulls: its values' bytes, one after the other."""
    if lines.null_count:
        raise ValueError("a CSV line is missing")  # never: every cell is text ("" when missing)
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]


def _cells(column: pa.Array, name: str, date: bool, time: bool) -> pa.Array:
    """One column's CSV cells (no nulls), as pandas' to_csv writes the frame's column."""
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
        return _quoted(pc.fill_null(column.cast(pa.string()), ""))
    if pa.types.is_date32(kind):
        return pc.fill_null(column.cast(pa.string()), "")
    if pa.types.is_timestamp(kind) and time and kind.tz is None:
        return _iso(column)
    if pa.types.is_integer(kind) and not date and not time:
        return pc.fill_null(column.cast(pa.string()), "")
    if pa.types.is_float64(kind) and not date and not time:
        return _numbers(column, seq=name == "SRCSEQ")
    raise _Unhandled(name)


def _quoted(text: pa.Array) -> pa.Array:
    """csv.QUOTE_MINIMAL: a text with a comma, quote or line break in quotes, quotes doubled."""
    special = pc.match_substring_regex(text, r'[",\r\n]')
    if not pc.any(special).as_py():
        return text
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(special, quoted, text)


def _iso(column: pa.Array) -> pa.Array:
    """datetime.isoformat of each time (microseconds only when not zero), as write does."""
    try:  # nanoseconds (never from the engines, which keep microseconds): the pandas writer's
        text = pc.cast(column.cast(pa.timestamp("us")), pa.string())
    except pa.ArrowInvalid:
        raise _Unhandled("a time with nanoseconds") from None
    text = pc.replace_substring_regex(
        pc.replace_substring(text, " ", "T", max_replacements=1), r"\.000000$", ""
    )
    if pc.all(pc.match_substring_regex(text, _ISO)).as_py() is False:  # another Arrow's format
        raise _Unhandled("a time this Arrow formats otherwise")
    return pc.fill_null(text, "")


def _numbers(column: pa.Array, seq: bool) -> pa.Array:
    """numpy's str of each float (pandas' to_csv; SRCSEQ: seq_text), missing or NaN "".
    A whole number below 2**53 is its int64's text (and ".0"); the others, few, by numpy."""
    present = pc.fill_null(pc.invert(pc.is_nan(column)), False)  # neither missing nor NaN
    whole = pc.and_(pc.equal(pc.floor(column), column), pc.less(pc.abs(column), _EXACT))
    negative_zero = pc.equal(pc.divide(1.0, column), float("-inf"))
    fast = pc.fill_null(pc.and_(present, pc.and_(whole, pc.invert(negative_zero))), False)
    integers = pc.cast(pc.if_else(fast, column, 0.0), pa.int64()).cast(pa.string())
    text = pc.if_else(fast, integers if seq else pc.binary_join_element_wise(integers, ".0", ""), "")
    slow = pc.and_(present, pc.invert(fast))
    if pc.any(slow).as_py():
        values = pc.filter(column, slow).to_numpy(zero_copy_only=False)
        # SRCSEQ: the pandas writer's rule itself (seqtext), not a copy of it
        texts = [seq_text(v) for v in values.tolist()] if seq else values.astype(str).tolist()
        text = pc.replace_with_mask(text, slow, pa.array(texts, pa.string()))
    return text


def write_parquet(records: Records, target: Path, dataset: str, metadata) -> None:
    """The table with the Arrow types write._write_parquet makes from the pandas frame."""
    arrays = [_parquet_column(records.table.column(i)) for i in range(records.table.num_columns)]
    table = pa.table(arrays, names=records.columns)
    pq.write_table(table.replace_schema_metadata(metadata), target)


def _parquet_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
    if pa.types.is_floating(kind):  # pandas' NaN is Arrow's null (from_pandas)
        return pc.if_else(pc.fill_null(pc.is_nan(column), False), pa.scalar(None, kind), column)
    if pa.types.is_timestamp(kind):  # pandas holds times in nanoseconds
        return column.cast(pa.timestamp("ns"))
    if pa.types.is_null(kind) or pa.types.is_large_string(kind):
        return column.cast(pa.string())
    return column
