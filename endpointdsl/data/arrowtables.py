"""Arrow tables as the engines read them: a Parquet file's, or one given to the API (issue 16).

Apart from `read` (whose readers import pyreadstat) so that a Table given to the API costs
no reader's import.
"""

from __future__ import annotations

import contextlib

import pandas as pd
import pyarrow as pa


def arrow_frame(table: pa.Table, arrow: bool) -> pd.DataFrame:
    """An Arrow table as the engines read it (a Parquet file's, or one given to the API):
    plain columns (`plain_columns`, the unusable ones named in attrs); `arrow`: the columns
    stay Arrow arrays (pandas ArrowDtype, no copy), else Python and numpy values."""
    table, unusable = plain_columns(table)
    if arrow:
        frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    else:  # integers with nulls stay integers (not 1.0), as in the Arrow-backed frame
        frame = table.to_pandas(integer_object_nulls=True)
    frame.attrs["unusable"] = unusable
    return frame


def plain_columns(table: pa.Table) -> tuple[pa.Table, dict[str, str]]:
    """Columns in the Arrow types every engine reads alike: dictionaries decoded, string views
    and UTF-8 binary as text, date64 as date32, float16 as float32. A column of another kind
    (lists, structs, durations, bytes that are not UTF-8 text...) becomes missing values and
    is named in the result, so that tables.validate refuses it when the .ept file reads it."""
    unusable = {}
    for i, name in enumerate(table.column_names):
        column = table.column(i)
        kind = column.type
        if pa.types.is_dictionary(kind):
            column, kind = column.cast(kind.value_type), kind.value_type
        target = _PLAIN.get(next((t for t in _PLAIN if _is_a(kind, t)), ""))
        if target is not None:  # kept as it is if it cannot: bytes not UTF-8, a date64 not a whole day
            with contextlib.suppress(pa.ArrowException, ValueError):
                column = column.cast(target)
        if _is_a(column.type, *_BINARY):
            unusable[name] = "binary data that is not UTF-8 text"
        elif not _is_a(column.type, *_USABLE):
            unusable[name] = f"values of Arrow type {column.type}"
        if name in unusable:
            column = pa.nulls(len(column), pa.string())
        table = table.set_column(i, name, column)
    return table, unusable


# pyarrow.types tests (by name: an older pyarrow lacks some, string_view came in 16) and the
# Arrow type a column of that kind is read as.
_PLAIN = {
    "is_string_view": pa.string(), "is_binary": pa.string(), "is_binary_view": pa.string(),
    "is_fixed_size_binary": pa.string(), "is_large_binary": pa.large_string(), "is_date64": pa.date32(),
    "is_float16": pa.float32(),
}  # fmt: skip
_BINARY = ("is_binary", "is_large_binary", "is_binary_view", "is_fixed_size_binary")
_USABLE = (
    "is_null", "is_boolean", "is_integer", "is_float32", "is_float64", "is_decimal", "is_date32", "is_date64",
    "is_timestamp", "is_time", "is_string", "is_large_string",
)  # fmt: skip


def _is_a(kind: pa.DataType, *tests: str) -> bool:
    return any(getattr(pa.types, test, lambda _: False)(kind) for test in tests)
