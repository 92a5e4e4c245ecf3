"""Input preparation for the SQL backend: pandas tables to typed Arrow relations.

The generated SQL (`generate`) never reads a raw cell. It reads *views* of the cells
that the .ept file uses, one typed column per (column, reader):

    "__row"        BIGINT   1-based position of the row in the input table
    "__key"        VARCHAR  the subject key as runtime.subject_key reads it, NULL when missing
    "C__text"      VARCHAR  the cell read as text (NULL: missing)
    "C__num"       DOUBLE   the cell read as a finite number (NULL: missing or unreadable);
                           BIGINT when every value is an integer a double holds exactly
    "C__date"      DATE     the cell read as a complete date (NULL: missing or unusable)
    "C__why"       VARCHAR  why C__date is NULL ('missing', or the reader's message)
    "C__date@F", "C__why@F"  the same for a text column in the declared date format F
                           (`format "DDMONYYYY"`: reader "date@DDMONYYYY")
    "C__first|mid|last"  DATE  the date imputed by that rule, before any not-before/not-after bound
    "C__iwhy"      VARCHAR  why the imputed date is NULL
    "C__first@day", "C__iwhy@day"  the same imputing the day only (`impute first day`)
    "C__dtf"       VARCHAR  imputation flag (D or M) of a partial date
    "C__lo", "C__hi" DATE   the range a partial date allows (NULL for complete dates)
    "C__time", "C__time@F" BIGINT  a `with time` event's time of day, seconds after midnight

Every view is the runtime's own Python reader (`normalise`, `subject_key`, `as_text`,
`as_number`, `parse_date`, `impute`) applied to the cell, so the SQL sees exactly what
the per-subject path sees. It is vectorised: typed Arrow columns (text, dates, integers;
floats for the key) take direct Arrow kernels; other columns apply the Python reader
once per distinct value; only columns of mixed Python objects are read cell by cell.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...data.dates import impute, parse_date, parse_time
from ...data.values import as_number, as_text, normalise, subject_key

# What str.rstrip() strips (chr(i).isspace()); tests/test_sql_backend.py checks the list.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
IMPUTE_RULES = ("first", "mid", "last")
_ARROW_TYPES = {
    "key": pa.string(), "text": pa.string(), "num": pa.float64(), "date": pa.date32(),
    "why": pa.string(), "iwhy": pa.string(), "dtf": pa.string(), "lo": pa.date32(), "hi": pa.date32(),
    "first": pa.date32(), "mid": pa.date32(), "last": pa.date32(),
    "time": pa.int64(),  # times of day: seconds after midnight (`with time`)
}  # fmt: skip


def view_name(column: str, reader: str) -> str:
    return f"{column}__{reader}"


def imputation_readers(rule: str, day_only: bool) -> tuple[str, str]:
    """The (date, why) readers of a column imputed by `rule` (`impute first day`: "first@day",
    the day only, a year-only date missing)."""
    return (f"{rule}@day", "iwhy@day") if day_only else (rule, "iwhy")


def date_readers(fmt: str | None) -> tuple[str, str]:
    """The (date, why) readers of a column in a declared format (None: ISO 8601)."""
    return ("date", "why") if fmt is None else (f"date@{fmt}", f"why@{fmt}")


# ---- one reader, applied to one normalised Python value ---------------------------------


def _partial_range(value: object) -> tuple[dt.date | None, dt.date | None]:
    _, flag, _ = impute(value, "first")
    if flag is None:
        return None, None
    return impute(value, "first")[0], impute(value, "last")[0]


def read_value(value: object, reader: str) -> object:
    """One view of one normalised cell (the per-subject path's reading, by definition)."""
    reader, _, fmt = reader.partition("@")
    match reader:
        case "key":
            return subject_key(value)
        case "text":
            return as_text(value)
        case "num":
            return as_number(value)
        case "date":
            return parse_date(value, fmt or None)[0]
        case "why":
            return parse_date(value, fmt or None)[1]
        case "time":
            return parse_time(value, fmt or None)
        case "first" | "mid" | "last":  # "first@day": the day only (issue 12)
            return impute(value, reader, day_only=fmt == "day")[0]
        case "iwhy":
            return impute(value, "first", day_only=fmt == "day")[2]
        case "dtf":
            return impute(value, "first")[1]
        case "lo":
            return _partial_range(value)[0]
        case "hi":
            return _partial_range(value)[1]
    raise ValueError(reader)


# ---- a column in the form that reads fastest -----------------------------------------------


class Column:
    """One input column: an Arrow array when its type allows fast kernels, else Python values."""

    def __init__(self, series: pd.Series):
        self.length = len(series)
        self.arrow: pa.Array | None = None  # string, date32, integer or float
        self.codes: np.ndarray | None = None  # else: factorised, codes into self.values (-1: missing)
        self.values: list | None = None
        self.cells: list | None = None  # else: mixed Python objects, cell by cell
        dtype = series.dtype
        # an Arrow dtype first: pandas cannot answer is_object_dtype for every Arrow type (string_view)
        if not isinstance(dtype, pd.ArrowDtype) and pd.api.types.is_object_dtype(dtype):
            self._from_objects(series)
            return
        try:
            arrow = _plain(pa.Array.from_pandas(series))
        except (pa.ArrowException, TypeError, ValueError):
            arrow = None
        if arrow is not None and (
            _is_text(arrow.type) or pa.types.is_date32(arrow.type) or pa.types.is_integer(arrow.type)
            or pa.types.is_float32(arrow.type) or pa.types.is_float64(arrow.type)
        ):  # fmt: skip
            self.arrow = arrow
            if _is_text(arrow.type):
                self.arrow = _strip(arrow)
            elif pa.types.is_floating(arrow.type) and pc.any(pc.is_nan(arrow)).as_py():
                self.arrow = pc.if_else(pc.is_nan(arrow), pa.scalar(None, arrow.type), arrow)  # NaN: missing
            return
        if arrow is not None and isinstance(dtype, pd.ArrowDtype) and arrow.type != dtype.pyarrow_dtype:
            series = pd.Series(arrow.to_pandas(types_mapper=pd.ArrowDtype))  # a dictionary decoded
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        self.codes = codes
        self.values = [normalise(v) for v in _python_values(uniques)]

    def _from_objects(self, series: pd.Series) -> None:
        kind = pd.api.types.infer_dtype(series, skipna=True)
        values = series.to_numpy(dtype=object)
        if kind == "string":
            try:
                self.arrow = _strip(pa.array(values, type=pa.string(), from_pandas=True))
                return
            except (pa.ArrowException, TypeError, ValueError):
                pass
        if kind == "date" and set(map(type, values)) <= {
            dt.date,
            type(None),
            float,
            type(pd.NaT),
            type(pd.NA),
        }:
            try:
                self.arrow = pa.array(values, type=pa.date32(), from_pandas=True)
                return
            except (pa.ArrowException, TypeError, ValueError):
                pass
        self.cells = [normalise(v) for v in values]

    def view(self, reader: str) -> pa.Array:
        arrow_type = _ARROW_TYPES[reader.partition("@")[0]]
        if self.arrow is not None:
            fast = _fast_view(self.arrow, reader)
            if fast is not None:
                return fast
            # each distinct value read once (a missing cell is one of them), chunk by chunk:
            # no combined copy of the column (at 9M rows a date column's text is 126 MB)
            uniques = pc.unique(self.arrow)
            mapped = pa.array([read_value(v, reader) for v in uniques.to_pylist()], type=arrow_type)
            return pc.take(mapped, pc.index_in(self.arrow, value_set=uniques))
        if self.codes is not None:
            mapped = pa.array([read_value(v, reader) for v in self.values] + [read_value(None, reader)],
                              type=arrow_type)  # fmt: skip
            return pc.take(mapped, pa.array(np.where(self.codes < 0, len(self.values), self.codes)))
        return pa.array([read_value(v, reader) for v in self.cells], type=arrow_type)


def _python_values(uniques) -> list:
    """Distinct values as the per-subject path sees them (Python scalars, Timestamps)."""
    if isinstance(uniques, pd.Index):
        uniques = uniques.to_numpy(dtype=object) if uniques.dtype != object else uniques.to_numpy()
    else:
        uniques = np.asarray(uniques, dtype=object)
    return [v.item() if isinstance(v, np.generic) else v for v in uniques]


def _is_text(arrow_type: pa.DataType) -> bool:
    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _plain(arrow: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Text as string (from string_view, dictionary or UTF-8 binary, as data.read reads it),
    other dictionaries decoded: the types the kernels below take."""
    if pa.types.is_dictionary(arrow.type):
        arrow = arrow.cast(arrow.type.value_type)
    if _is_view_or_binary(arrow.type):
        try:
            return arrow.cast(pa.string())
        except (pa.ArrowException, TypeError, ValueError):
            return arrow  # bytes that are not UTF-8 text: read cell by cell, as the other engines
    return arrow


def _is_view_or_binary(arrow_type: pa.DataType) -> bool:
    names = ("is_string_view", "is_binary", "is_large_binary", "is_binary_view", "is_fixed_size_binary")
    return any(getattr(pa.types, name, lambda _: False)(arrow_type) for name in names)


# Last UTF-8 byte of each character in PY_WHITESPACE: a text ending in none needs no rstrip.
_BLANK_LAST_BYTES = np.array(sorted({ch.encode("utf-8")[-1] for ch in PY_WHITESPACE}), dtype=np.uint8)


_BLANK_LAST = np.zeros(256, dtype=bool)
_BLANK_LAST[_BLANK_LAST_BYTES] = True


def _needs_strip(text: pa.Array) -> bool:
    """Some text is empty or may end in a blank (vectorised over the Arrow buffers)."""
    if len(text) == 0 or text.buffers()[2] is None or text.buffers()[2].size == 0:
        return len(text) > text.null_count  # no character at all: only empty texts or nulls
    offsets_type = np.int64 if pa.types.is_large_string(text.type) else np.int32
    offsets = np.frombuffer(text.buffers()[1], dtype=offsets_type)[text.offset : text.offset + len(text) + 1]
    if text.null_count == 0:  # an empty text: two equal offsets (quicker than Arrow's lengths)
        if (offsets[1:] == offsets[:-1]).any():
            return True
    elif pc.any(pc.equal(pc.binary_length(text), 0)).as_py():
        return True
    # the last byte of each text (of a null one: a neighbour's, or at offset 0 the buffer's
    # first byte, which only costs a strip)
    return _any_of(text, offsets[1:] - 1, _BLANK_LAST)


def _any_of(text: pa.Array, at: np.ndarray, wanted: np.ndarray) -> bool:
    """Whether the byte of `text`'s data at some position of `at` is `wanted` (a 256-entry mask).

    Arrow's take gathers the bytes with the offsets' own integers (numpy's indexing converts
    9M of them to 64 bits first), and text whose gathered bytes are all printable ASCII needs
    no lookup: each byte the masks mark is a control byte, a space, or part of a character
    of several bytes (0x80 and above; tests/test_perf_paths.py checks this of the masks).
    At 9M texts: 0.038 s to about 0.015 s per column."""
    if at[0] < 0:  # a null text at offset 0: its "last byte" is the buffer's first one
        at = np.maximum(at, 0)
    data = text.buffers()[2]
    picked = pc.take(pa.Array.from_buffers(pa.uint8(), data.size, [None, data]), pa.array(at)).to_numpy()
    if not ((picked <= 0x20).any() or (picked >= 0x80).any()):
        return False
    return bool(wanted[picked].any())


def _strip(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """normalise() for texts: trailing blanks dropped, an empty text is missing."""
    if isinstance(text, pa.ChunkedArray):
        return pa.chunked_array([_strip(chunk) for chunk in text.chunks], type=text.type)
    if not _needs_strip(text):
        return text
    stripped = pc.utf8_rtrim(text, characters=PY_WHITESPACE)
    return pc.if_else(pc.equal(pc.binary_length(stripped), 0), pa.scalar(None, text.type), stripped)


# First UTF-8 byte of each character in PY_WHITESPACE: a text starting with none needs no lstrip.
_BLANK_FIRST = np.zeros(256, dtype=bool)
_BLANK_FIRST[sorted({ch.encode("utf-8")[0] for ch in PY_WHITESPACE})] = True


def _lstrip(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """subject_key() for texts already _strip()ped: leading blanks dropped too (what is left is
    never empty: its last character is not a blank)."""
    if isinstance(text, pa.ChunkedArray):
        return pa.chunked_array([_lstrip(chunk) for chunk in text.chunks], type=text.type)
    data = text.buffers()[2]
    if len(text) == text.null_count or data is None or data.size == 0:
        return text
    offsets_type = np.int64 if pa.types.is_large_string(text.type) else np.int32
    starts = np.frombuffer(text.buffers()[1], dtype=offsets_type)[text.offset : text.offset + len(text)]
    # the first byte of each text (of a null or empty one: a neighbour's, which only costs a strip)
    if starts[-1] >= data.size:  # texts at the end with no character: read the last byte instead
        starts = np.minimum(starts, data.size - 1)
    if not _any_of(text, starts, _BLANK_FIRST):
        return text
    return pc.utf8_ltrim(text, characters=PY_WHITESPACE)


def _whole_key(numbers: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray | None:
    """subject_key() for floats that are all whole (1001.0 as "1001"); None when some are not."""
    valid = numbers.drop_null() if numbers.null_count else numbers
    if len(valid) == 0:
        return pa.nulls(len(numbers), pa.string())
    low, high = pc.min_max(valid).values()
    if not (-(2.0**63) < low.as_py() and high.as_py() < 2.0**63):  # also inf; NaN is null here
        return None
    if not pc.all(pc.equal(pc.floor(valid), valid)).as_py():
        return None
    return numbers.cast(pa.int64()).cast(pa.string())


def _fast_view(arrow: pa.Array, reader: str) -> pa.Array | None:
    """A view computed by Arrow kernels, where they are known to equal the Python reader.

    Texts in a date format, like ISO 8601 texts, are read once per distinct value (the
    caller's dictionary path): that is the Python reader itself, and a column holds few
    distinct dates. A date object is a date whatever the declared format."""
    n = len(arrow)
    if "@" in reader:
        if not pa.types.is_date32(arrow.type):
            return None  # integers too: YYYYMMDD and days since 1960-01-01 read numbers
        reader = reader.partition("@")[0]
    if _is_text(arrow.type):
        if reader == "key":
            return _lstrip(arrow)
        return arrow if reader == "text" else None
    if pa.types.is_floating(arrow.type):
        return _whole_key(arrow) if reader == "key" else None
    if pa.types.is_date32(arrow.type):
        missing = (
            pc.if_else(arrow.is_null(), pa.scalar("missing"), pa.scalar(None, pa.string()))
            if arrow.null_count
            else pa.nulls(n, pa.string())
        )
        match reader:
            case "key" | "text":
                return arrow.cast(pa.string())  # str(date) == date.isoformat()
            case "date" | "first" | "mid" | "last":
                return arrow
            case "why" | "iwhy":
                return missing
            case "num" | "dtf" | "time":  # a date object has no time of day
                return pa.nulls(n, _ARROW_TYPES[reader])
            case "lo" | "hi":
                return pa.nulls(n, pa.date32())
    if pa.types.is_integer(arrow.type):
        match reader:
            case "key" | "text":
                return arrow.cast(pa.string())
            case "num":
                low, high = pc.min_max(arrow).values()
                if low.as_py() is None or (-(2**53) <= low.as_py() and high.as_py() <= 2**53):
                    return arrow.cast(pa.int64())  # exact as a double too: SQL compares it as one
                return pc.cast(arrow, pa.float64(), safe=False)  # float(int): nearest double
            case "date" | "first" | "mid" | "last" | "lo" | "hi":
                return pa.nulls(n, pa.date32())
            case "dtf":
                return pa.nulls(n, pa.string())
            case "time":
                return pa.nulls(n, pa.int64())
    return None


# ---- whole tables ---------------------------------------------------------------------------


def prepare_table(frame: pd.DataFrame, key: str, views: set[tuple[str, str]]) -> pa.Table:
    """The typed relation the generated SQL reads for one input table."""
    columns: dict[str, Column] = {}

    def column(name: str) -> Column:
        if name not in columns:
            columns[name] = Column(frame[name])
        return columns[name]

    rows = np.arange(1, len(frame) + 1, dtype=np.int32 if len(frame) < 2**31 - 1 else np.int64)
    out = {"__row": pa.array(rows), "__key": column(key).view("key")}
    for name, reader in sorted(views):
        out[view_name(name, reader)] = column(name).view(reader)
    # one chunk layout for all columns (zero-copy slices): DuckDB scans aligned record
    # batches several times faster than columns chunked differently
    table = pa.table(out)
    return pa.Table.from_batches(table.to_batches(), schema=table.schema)
