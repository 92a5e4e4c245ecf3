"""An occurrence's ordering packed into one BIGINT (perf, issue 16).

The first or last occurrence of an event is min()/max() of its ordering struct (date,
sequence missing, sequence, input row; endpoint.py), built for every input row. Where
the data are proven to fit (`fits`, a fact the run proves: dates from 1900-01-01 for
2^17 days, integer sequences 0 to 2^16 - 1, fewer than 2^29 rows), the same order is
one integer,

    ((days since 1900-01-01) * 2 + (sequence missing)) * 2^16 + sequence) * 2^29 + row

whose min()/max() is the same occurrence (each field is within its bits, so the integers
order as the structs do; the row number makes every key distinct), and the struct is
built from it once per subject. At 1M subjects (9M rows) the GROUP BY of benchmarks/
pfs.ept: 1.4-1.5 s of CPU with structs or per-field arg_min_null, 0.75 s packed.
Data that do not fit (an earlier date, a fractional or negative sequence) keep the
struct: the same result, slower.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from ...check import model as m

EPOCH = dt.date(1900, 1, 1)
DAY_BITS, SEQ_BITS, ROW_BITS = 17, 16, 29  # with the missing-sequence bit: 63 bits, a BIGINT's
_ROW, _SEQ = 2**ROW_BITS, 2**SEQ_BITS
_NOS = _ROW * _SEQ  # the missing-sequence bit
_DAY = _NOS * 2
NOS_SHIFT, DAY_SHIFT = ROW_BITS + SEQ_BITS, ROW_BITS + SEQ_BITS + 1  # _NOS == 2**NOS_SHIFT


def packable(ev: m.EventSource) -> bool:
    """An event read straight from its table's rows, with no imputation flag to carry
    (a bounded, derived, confirmed or imputed event keeps the struct)."""
    plain = not (ev.not_before or ev.not_after or ev.date is not None or ev.confirm or ev.derived)
    return plain and not ev.per_subject and not ev.impute


def fact_name(table: str, date: str, seq: str | None) -> str:
    return f"packs: {table}.{date}/{seq or '-'}"


def fits(table: pa.Table, date: str, seq: str | None) -> bool:
    """Every dated row's date, sequence and row number fit their bits (the fact `packs`)."""
    if table.num_rows >= _ROW:
        return False
    days = table[date]
    if days.null_count < len(days):
        low, high = pc.min_max(days).values()
        start = (low.as_py() - EPOCH).days
        if start < 0 or (high.as_py() - EPOCH).days >= 2**DAY_BITS:
            return False
    if seq is None:
        return True
    numbers = table[seq]
    if not pa.types.is_integer(numbers.type):  # a DOUBLE view: some value is not an integer
        return False
    if numbers.null_count == len(numbers):
        return True
    low, high = pc.min_max(numbers).values()
    return low.as_py() >= 0 and high.as_py() < _SEQ


def key(d: str, seq: str, rn: str) -> str:
    """The packed ordering of a row (`seq`: a column, or a constant NULL: no sequence).

    Written with shifts and ORs, which equal the products and sums above where the data fit
    (every field non-negative and within its bits): DuckDB checks each BIGINT `*` and `+`
    for overflow, and at 9M rows the key took 150 ms of CPU that way against 95 ms so (the
    date's `d - DATE` is also cheaper than `date_diff`). The sequence is cast to BIGINT
    first: a narrower integer shifted by 29 bits would overflow its own type."""
    days = f"({d} - DATE '{EPOCH.isoformat()}')"
    if seq.startswith("CAST(NULL"):
        return f"(({days} << {DAY_SHIFT}) | {_NOS} | {rn})"
    nos = f"(CAST({seq} IS NULL AS BIGINT) << {NOS_SHIFT})"
    return f"(({days} << {DAY_SHIFT}) | {nos} | (coalesce(CAST({seq} AS BIGINT), 0) << {ROW_BITS}) | {rn})"


def fields(k: str, seq: str) -> tuple[str, str, str]:
    """(d, seq, rn) of a packed key `k` (`seq` as in `key`: a constant stays itself)."""
    d = f"DATE '{EPOCH.isoformat()}' + CAST({k} // {_DAY} AS INTEGER)"
    if not seq.startswith("CAST(NULL"):
        seq = f"CASE WHEN ({k} // {_NOS}) % 2 = 0 THEN ({k} // {_ROW}) % {_SEQ} END"
    return d, seq, f"CAST({k} % {_ROW} AS INTEGER)"
