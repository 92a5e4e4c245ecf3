"""Datasets: input tables read from CSV, Parquet, XPT or sas7bdat, results written as CSV, Parquet or XPT."""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import functools
import os
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

from .csvtext import ENCODING_HINT, check_names, read_csv
from .diagnostics import DataError

Reader = Callable[[Path, str | None], pd.DataFrame]
Writer = Callable[[pd.DataFrame, Path, str], None]

# ADaM variable labels for ADTTE; any other column is labelled with its name.
LABELS = {
    "USUBJID": "Unique Subject Identifier",
    "PARAMCD": "Parameter Code",
    "PARAM": "Parameter",
    "STARTDT": "Time to Event Origin Date for Subject",
    "STARTDTF": "Origin Date Imputation Flag",
    "ADT": "Analysis Date",
    "ADTF": "Analysis Date Imputation Flag",
    "AVAL": "Analysis Value",
    "AVALC": "Analysis Value (C)",
    "AVALU": "Analysis Value Unit",
    "CNSR": "Censor",
    "EVNTDESC": "Event or Censoring Description",
    "CNSDTDSC": "Censor Date Description",
    "SRCDOM": "Source Data",
    "SRCVAR": "Source Variable",
    "SRCSEQ": "Source Sequence Number",
}
SAS_EPOCH = dt.date(1960, 1, 1)
XPT_MAX_BYTES = 200  # SAS transport version 5: longest character value
_SAS_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,7}$")  # version 5: at most 8 characters

# ---- reading --------------------------------------------------------------------------


def _read_parquet(path: Path, encoding: str | None, arrow: bool = False) -> pd.DataFrame:
    """Parquet text is UTF-8 by definition: no encoding to choose. `arrow`: Arrow-backed columns."""
    with pq.ParquetFile(path) as file:
        check_names(path, file.schema_arrow.names)  # before Arrow refuses them less clearly
        table = file.read(use_pandas_metadata=True)
    table, unusable = _plain_columns(table)
    if arrow:
        frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    else:  # integers with nulls stay integers (not 1.0), as in the Arrow-backed frame
        frame = table.to_pandas(integer_object_nulls=True)
    frame.attrs["unusable"] = unusable
    return frame


def _plain_columns(table: pa.Table) -> tuple[pa.Table, dict[str, str]]:
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


def _read_sas(read: Callable, path: Path, encoding: str | None) -> pd.DataFrame:
    """A pyreadstat reader; an encoding it does not know is retried under Python's name (latin-1: iso8859-1)."""
    names = dict.fromkeys([encoding, codecs.lookup(encoding).name] if encoding else [None])
    for name in names:
        try:
            frame, _meta = read(str(path), encoding=name)
            return frame
        except pyreadstat.ReadstatError as exc:
            if "character set" not in str(exc):
                raise
    raise DataError(f"{path}: the SAS reader does not know the encoding '{encoding}'")


READERS: dict[str, tuple[str, Reader]] = {
    ".csv": ("CSV", read_csv),
    ".parquet": ("Parquet", _read_parquet),
    ".xpt": ("SAS transport (XPT)", lambda p, e: _read_sas(pyreadstat.read_xport, p, e)),
    ".sas7bdat": ("SAS dataset (sas7bdat)", lambda p, e: _read_sas(pyreadstat.read_sas7bdat, p, e)),
}
# pyreadstat raises ReadstatError from the C library and, since 1.3.4, PyreadstatError from
# its Python layer (a ValueError or plain Exception before that).
_SAS_ERRORS = (pyreadstat.ReadstatError, getattr(pyreadstat, "PyreadstatError", pyreadstat.ReadstatError))
_READ_ERRORS = (ValueError, OverflowError, OSError, pa.ArrowException, *_SAS_ERRORS)


def find_table(folder: Path, name: str) -> Path:
    """The one file for table `name` in `folder`, whatever the case of its name."""
    wanted = {f"{name}{ext}".lower() for ext in READERS}
    matches = sorted(p for p in folder.iterdir() if p.name.lower() in wanted)
    if len(matches) > 1:
        names = ", ".join(p.name for p in matches)
        raise DataError(f"table '{name}' has {len(matches)} files in {folder}: {names}; keep only one")
    if not matches:
        present = sorted(p.name for p in folder.iterdir() if p.is_file())
        listing = ", ".join(present[:12]) or "no files"
        expected = f"{name}.csv, .parquet, .xpt or .sas7bdat"
        raise DataError(f"no file for table '{name}' in {folder}: expected {expected} (found: {listing})")
    return matches[0]


def read_table(path: Path, encoding: str | None = None, arrow: bool = False) -> pd.DataFrame:
    """One table, read by the reader for its extension (`arrow`: Parquet columns Arrow-backed)."""
    kind, read = READERS[path.suffix.lower()]
    if arrow and path.suffix.lower() == ".parquet":
        read = functools.partial(_read_parquet, arrow=True)
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a {kind} file")
    try:
        with path.open("rb") as handle:
            if not handle.read(1):
                raise DataError(f"{path}: empty file (no header)")
        frame = read(path, encoding)
        check_names(path, list(frame.columns))
        frame = _without_nat(frame)
        frame.attrs["path"] = str(path)  # so that a missing column can name its file
        return frame
    except UnicodeDecodeError as exc:
        hint = ENCODING_HINT if encoding is None else ""
        raise DataError(f"{path}: text is not {encoding or 'UTF-8'} ({exc.reason}){hint}") from None
    except PermissionError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror})") from None
    except _READ_ERRORS as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: cannot be read as {kind} ({reason})") from None


def _without_nat(frame: pd.DataFrame) -> pd.DataFrame:
    """Date-time columns as Timestamps and None: NaT would pass for a date in the runtime."""
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.ArrowDtype):
            continue  # Arrow-backed: a missing date is <NA>, never NaT
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def read_tables(
    folder: str | Path, names: list[str], encoding: str | None = None, arrow: bool = False
) -> dict[str, pd.DataFrame]:
    """The named tables from `folder`; `encoding` is for text (default: UTF-8, or what a SAS file records).

    `arrow`: Parquet columns stay Arrow arrays (pandas ArrowDtype) instead of Python
    objects; the SQL backend reads them without copying.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"data folder {folder} does not exist or is not a folder")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DataError(f"unknown encoding '{encoding}'") from None
    return {name: read_table(find_table(folder, name), encoding, arrow) for name in names}


# ---- writing --------------------------------------------------------------------------


def _date_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if str(c).endswith("DT")]  # ADaM: *DT holds a date


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):  # also pandas Timestamp and NaT
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.date):
        return value
    if value is None or pd.isna(value):
        return None
    raise DataError(f"{value!r} is not a date")


def _write_csv(frame: pd.DataFrame, target: Path, dataset: str) -> None:
    out = frame.copy()
    for column in _date_columns(out):
        out[column] = out[column].map(lambda d: d.isoformat() if (d := _as_date(d)) else "")
    if "SRCSEQ" in out.columns:
        out["SRCSEQ"] = out["SRCSEQ"].map(_seq_text)
    out.to_csv(target, index=False, lineterminator="\n")


def _seq_text(value: object) -> str:
    if value is None or value is pd.NA or value != value:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _write_parquet(frame: pd.DataFrame, target: Path, dataset: str) -> None:
    dates = set(_date_columns(frame))
    arrays = [_dates(frame[c]) if c in dates else _arrow(frame[c]) for c in frame.columns]
    pq.write_table(pa.table(arrays, names=[str(c) for c in frame.columns]), target)


def _dates(column: pd.Series) -> pa.Array:
    """A date column as Arrow dates; Arrow converts plain datetime.date cells itself (fast)."""
    values = column.to_numpy(dtype=object)
    if set(map(type, values)) <= {dt.date, type(None)}:
        return pa.array(values, type=pa.date32())
    return pa.array([_as_date(v) for v in values], type=pa.date32())


def _arrow(column: pd.Series) -> pa.Array:
    array = pa.array(column, from_pandas=True)  # Float64 with <NA> stays a nullable double
    if pa.types.is_null(array.type) or pa.types.is_large_string(array.type):
        array = array.cast(pa.string())  # text, also when every value is missing
    return array


def _write_xpt(frame: pd.DataFrame, target: Path, dataset: str) -> None:
    out = frame.reset_index(drop=True)
    bad = [str(c) for c in out.columns if not _SAS_NAME.match(str(c))]
    if bad:
        raise DataError(
            f"{', '.join(bad)}: not SAS transport v5 variable names (letters, digits, _; up to 8)"
        )
    upper = [str(c).upper() for c in out.columns]
    clash = sorted({c for c in upper if upper.count(c) > 1})
    if clash:  # SAS names ignore case: n and N would be one variable
        raise DataError(f"{', '.join(clash)}: two columns differ only in case; SAS cannot hold both"
                        " (write this table as .csv or .parquet)")
    formats = {}
    for column in _date_columns(out):  # SAS dates: days since 1960-01-01, shown as 02JAN2014
        out[column] = [
            float((d - SAS_EPOCH).days) if (d := _as_date(v)) else float("nan") for v in out[column]
        ]
        formats[column] = "DATE9."
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype("float64")  # SAS numbers are doubles; <NA> is missing
        else:
            _check_length(out, column)
    pyreadstat.write_xport(
        out,
        str(target),
        table_name=dataset,
        file_format_version=5,
        column_labels={c: LABELS.get(c, c) for c in out.columns},
        variable_format=formats,
    )


def _check_length(frame: pd.DataFrame, column: str) -> None:
    """Refuse, rather than truncate, a character value longer than SAS transport v5 allows."""
    lengths = frame[column].map(lambda v: len(v.encode("utf-8")) if isinstance(v, str) else 0)
    too_long = lengths[lengths > XPT_MAX_BYTES]
    if too_long.empty:
        return
    row = frame.loc[too_long.index[0]]
    where = f"row {too_long.index[0] + 1}"
    if isinstance(row.get("USUBJID"), str):
        where = f"subject {row['USUBJID']}" + (
            f" ({row['PARAMCD']})" if isinstance(row.get("PARAMCD"), str) else ""
        )
    more = f" (and {len(too_long) - 1} more values)" if len(too_long) > 1 else ""
    raise DataError(
        f"{column} of {where} is {too_long.iloc[0]} bytes long{more}; SAS transport v5 allows at most "
        f"{XPT_MAX_BYTES} bytes per value (write .parquet or .csv to keep such values whole)"
    )


WRITERS: dict[str, Writer] = {".csv": _write_csv, ".parquet": _write_parquet, ".xpt": _write_xpt}


def check_output(path: str | Path) -> Path:
    """`path` if a result can be written there, else a DataError saying why not."""
    path = Path(path)
    if path.suffix.lower() not in WRITERS:
        raise DataError(
            f"cannot write {path}: unknown extension '{path.suffix}' (use .csv, .parquet or .xpt)"
        )
    if not path.parent.is_dir():
        raise DataError(f"cannot write {path}: folder {path.parent} does not exist")
    if path.is_dir():
        raise DataError(f"cannot write {path}: it is a folder")
    return path


def write_tables(outputs: list[tuple[pd.DataFrame, str | Path, str]]) -> None:
    """Write each (frame, path, SAS dataset name); if any cannot be written, none is."""
    staged: list[tuple[Path, Path]] = []
    try:
        for frame, path, dataset in outputs:
            path = check_output(path)
            partial = path.with_name(f".{path.name}.partial")
            staged.append((partial, path))
            try:
                WRITERS[path.suffix.lower()](frame, partial, dataset)
            except DataError as exc:
                raise DataError(f"cannot write {path}: {exc}") from None
            except (OSError, pa.ArrowException, *_SAS_ERRORS) as exc:
                raise DataError(f"cannot write {path}: {getattr(exc, 'strerror', None) or exc}") from None
        for partial, path in staged:
            os.replace(partial, path)
    finally:
        for partial, _ in staged:
            partial.unlink(missing_ok=True)


def write_table(frame: pd.DataFrame, path: str | Path, dataset: str = "ADTTE") -> None:
    write_tables([(frame, path, dataset)])
