"""Outputs: result tables written as CSV, Parquet or XPT (SAS transport v5), and their limits.

Each writer writes one table to one path; `writeset` decides which path (a private
staging folder) and makes the set of outputs appear whole. A table the chosen format
cannot hold (an XPT name or value too long) is an OutputError, never a truncated file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

from . import arrowwrite, xptwrite
from .arrowrecords import Records
from .errors import DataError
from .km import XPT_LABELS as KM_XPT_LABELS  # km: the Kaplan-Meier summary (issue 15)
from .seqtext import seq_text
from .summary import XPT_LABELS as SUMMARY_XPT_LABELS
from .summary import XPT_NAMES as SUMMARY_XPT_NAMES

Writer = Callable[[object, Path, str], None]


class OutputError(DataError):
    """An output cannot be written (the path, the folder, or the format's limits); CLI exit 4.

    A DataError, as before, for callers of the Python API that catch that."""


# ADaM variable labels for ADTTE; any other column is labelled with its name.
LABELS = {
    "USUBJID": "Unique Subject Identifier",
    "PARAMCD": "Parameter Code",
    "PARAM": "Parameter",
    "PARCAT1": "Parameter Category 1",  # groups (issue 13): a grouped endpoint's value
    "PARCAT2": "Parameter Category 2",
    "STARTDT": "Time to Event Origin Date for Subject",
    "STARTDTF": "Origin Date Imputation Flag",
    "STARTDTM": "Time to Event Origin Datetime for Subj",
    "ADT": "Analysis Date",
    "ADTF": "Analysis Date Imputation Flag",
    "ADTM": "Analysis Datetime",
    "AVAL": "Analysis Value",
    "AVALC": "Analysis Value (C)",
    "AVALU": "Analysis Value Unit",
    "CNSR": "Censor",
    "EVNTDESC": "Event or Censoring Description",
    "CNSDTDSC": "Censor Date Description",
    "SRCDOM": "Source Data",
    "SRCVAR": "Source Variable",
    "SRCSEQ": "Source Sequence Number",
    "STUDYID": "Study Identifier",  # adam
    "PARAMN": "Parameter (N)",  # adam
}
# Per SAS dataset: the XPT name of a column whose own name SAS cannot hold, and labels.
XPT_NAMES = {"SUMMARY": SUMMARY_XPT_NAMES}
XPT_LABELS = {"SUMMARY": SUMMARY_XPT_LABELS, "KM": KM_XPT_LABELS}
SAS_EPOCH = dt.date(1960, 1, 1)
XPT_MAX_BYTES = 200  # SAS transport version 5: longest character value
XPT_LABEL_BYTES = 40  # SAS transport version 5: longest variable label
_SAS_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,7}$")  # version 5: at most 8 characters
# pyreadstat raises ReadstatError from the C library and, since 1.3.4, PyreadstatError.
_SAS_ERRORS = (pyreadstat.ReadstatError, getattr(pyreadstat, "PyreadstatError", pyreadstat.ReadstatError))
WRITE_ERRORS = (pa.ArrowException, *_SAS_ERRORS)  # besides OSError


# The Kaplan-Meier table has no date column: its --by column holds the groups' labels, texts
# (`--by RANDDT` failed: "cannot write ...km.csv: '2024-01-15' is not a date").
_NO_DATES = frozenset({"KM"})


def _date_columns(frame: pd.DataFrame, dataset: str = "") -> list[str]:
    if dataset in _NO_DATES:
        return []
    return [c for c in frame.columns if str(c).endswith("DT")]  # ADaM: *DT holds a date


def _datetime_columns(frame: pd.DataFrame, dataset: str = "") -> list[str]:
    """Times of day: ADaM *DTM holds a date and time (STARTDTM, ADTM)."""
    if dataset in _NO_DATES:
        return []
    return [c for c in frame.columns if str(c).endswith("DTM")]


def _as_datetime(value: object) -> dt.datetime | None:
    if value is None or pd.isna(value):
        return None
    if isinstance(value, dt.datetime):  # also pandas Timestamp
        return pd.Timestamp(value).to_pydatetime()
    raise OutputError(f"{value!r} is not a date and time")


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):  # also pandas Timestamp and NaT
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.date):
        return value
    if value is None or pd.isna(value):
        return None
    raise OutputError(f"{value!r} is not a date")


def _write_csv(frame: pd.DataFrame, target: Path, dataset: str) -> None:
    if isinstance(frame, Records):  # issue 16: Arrow records, written without a pandas frame
        dates, times = set(_date_columns(frame, dataset)), set(_datetime_columns(frame, dataset))
        return arrowwrite.write_csv(frame, target, dataset, _write_csv, dates, times)
    out = frame.copy()
    for column in _date_columns(out, dataset):
        out[column] = out[column].map(lambda d: d.isoformat() if (d := _as_date(d)) else "")
    for column in _datetime_columns(out, dataset):  # ISO 8601: 2023-01-05T14:30:00
        out[column] = out[column].map(lambda d: d.isoformat() if (d := _as_datetime(d)) else "")
    if "SRCSEQ" in out.columns:
        out["SRCSEQ"] = out["SRCSEQ"].map(seq_text)
    out.to_csv(target, index=False, lineterminator="\n")


def _write_parquet(frame: pd.DataFrame, target: Path, dataset: str) -> None:
    if isinstance(frame, Records):  # issue 16: Arrow records, written without a pandas frame
        return arrowwrite.write_parquet(frame, target, dataset, _parquet_metadata(frame, dataset))
    dates = set(_date_columns(frame, dataset))
    arrays = [_dates(frame[c]) if c in dates else _arrow(frame[c]) for c in frame.columns]
    table = pa.table(arrays, names=[str(c) for c in frame.columns])
    pq.write_table(table.replace_schema_metadata(_parquet_metadata(frame, dataset)), target)


def _parquet_metadata(frame: pd.DataFrame, dataset: str) -> dict[bytes, bytes] | None:
    """adam: the dataset's name and label and the column labels, as Parquet key-value metadata
    (`endpointdsl.dataset`, `endpointdsl.label`, `endpointdsl.labels` as JSON)."""
    if "dataset_label" not in frame.attrs and not frame.attrs.get("labels"):
        return None
    labels = {**LABELS, **frame.attrs.get("labels", {})}
    meta = {
        "endpointdsl.dataset": frame.attrs.get("dataset", dataset),
        "endpointdsl.labels": json.dumps({str(c): labels.get(str(c), str(c)) for c in frame.columns}),
    }
    if frame.attrs.get("dataset_label") is not None:
        meta["endpointdsl.label"] = frame.attrs["dataset_label"]
    return {k.encode(): v.encode() for k, v in meta.items()}


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
    if isinstance(frame, Records):  # issue 16 (mem): Arrow records written without a pandas frame
        renamed = XPT_NAMES.get(dataset, {})
        names = [str(renamed.get(c, c)) for c in frame.columns]
        _check_xpt_names(names)
        named = SimpleNamespace(columns=names)  # the columns as the pandas path names them
        dates, times = _date_columns(named, dataset), _datetime_columns(named, dataset)
        formats = {**frame.attrs.get("formats", {}), **dict.fromkeys(dates, "DATE9."),
                   **dict.fromkeys(times, "E8601DT19.")}  # fmt: skip
        labels = _xpt_labels(frame, dataset)
        if xptwrite.write_table(
            frame.table, names, target, dates=set(dates), times=set(times),
            labels={c: _label(labels.get(c, c)) for c in names}, formats=formats,
            table_name=_xpt_table_name(frame, dataset), file_label=frame.attrs.get("dataset_label") or "",
        ):  # fmt: skip
            return
        frame = frame.frame()  # what xptwrite does not write as pyreadstat does: pyreadstat
    out = frame.reset_index(drop=True).rename(columns=XPT_NAMES.get(dataset, {}))
    _check_xpt_names([str(c) for c in out.columns])
    formats = {}
    for column in _date_columns(out, dataset):  # SAS dates: days since 1960-01-01, shown as 02JAN2014
        out[column] = [
            float((d - SAS_EPOCH).days) if (d := _as_date(v)) else float("nan") for v in out[column]
        ]
        formats[column] = "DATE9."
    for column in _datetime_columns(out, dataset):  # SAS datetimes: seconds since 1960-01-01T00:00
        epoch = dt.datetime.combine(SAS_EPOCH, dt.time())
        out[column] = [
            (d - epoch).total_seconds() if (d := _as_datetime(v)) else float("nan") for v in out[column]
        ]
        formats[column] = "E8601DT19."
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype("float64")  # SAS numbers are doubles; <NA> is missing
        else:
            _check_length(out, column)
    labels = _xpt_labels(frame, dataset)
    formats = {**frame.attrs.get("formats", {}), **formats}
    pyreadstat.write_xport(
        out,
        str(target),
        table_name=_xpt_table_name(frame, dataset),
        file_label=frame.attrs.get("dataset_label") or "",
        file_format_version=5,
        column_labels={c: _label(labels.get(c, c)) for c in out.columns},
        variable_format=formats,
    )


def _check_xpt_names(names: list[str]) -> None:
    bad = [c for c in names if not _SAS_NAME.match(c)]
    if bad:
        raise OutputError(
            f"{', '.join(bad)}: not SAS transport v5 variable names (letters, digits, _; up to 8)"
        )
    upper = [c.upper() for c in names]
    clash = sorted({c for c in upper if upper.count(c) > 1})
    if clash:  # SAS names ignore case: two such columns would be one variable
        raise OutputError(
            f"{', '.join(clash)}: two columns differ only in case; SAS cannot hold both"
            " (write this table as .csv or .parquet)"
        )


def _xpt_labels(frame, dataset: str) -> dict[str, str]:
    return {**LABELS, **XPT_LABELS.get(dataset, {}), **frame.attrs.get("labels", {})}  # adam: carried labels


def _xpt_table_name(frame, dataset: str) -> str:
    return frame.attrs.get("dataset", dataset) if dataset == "ADTTE" else dataset


def _label(text: str) -> str:
    """A label cut to what SAS transport v5 holds, at a character boundary: pyreadstat cuts
    bytes and left half of a UTF-8 letter (a carried label from a sas7bdat input)."""
    return text.encode("utf-8")[:XPT_LABEL_BYTES].decode("utf-8", errors="ignore")


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
    raise OutputError(
        f"{column} of {where} is {too_long.iloc[0]} bytes long{more}; SAS transport v5 allows at most "
        f"{XPT_MAX_BYTES} bytes per value (write .parquet or .csv to keep such values whole)"
    )


def write_text(text: str, target: Path, dataset: str = "") -> None:
    """A generated module or SQL script (compile -o), UTF-8 with the lines as generated."""
    with open(target, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


WRITERS: dict[str, Writer] = {".csv": _write_csv, ".parquet": _write_parquet, ".xpt": _write_xpt}
FORMATS = ".csv, .parquet or .xpt"


def check_output(path: str | Path) -> Path:
    """`path` if a table can be written in its format, else a DataError (exit 2: the
    command line names a format that does not exist)."""
    path = Path(path)
    if path.suffix.lower() not in WRITERS:
        raise DataError(f"cannot write {path}: unknown extension '{path.suffix}' (use {FORMATS})")
    return path
