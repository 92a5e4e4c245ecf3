"""Data check without deriving (`endpointdsl check FILE --data DIR`): files, columns, types.

Every table needs a file and every column the .ept file uses must be there (the same
messages as `run`: `data.read.find_table`, `data.tables.validate`). Then each column must have
a type its use can read: a date that is a plain number (a SAS date without a date
format) or true/false, a number that is a date or true/false, text that is true/false,
and a key that is missing in every row give every subject a wrong or no result. It reads
as little as it can: a Parquet or SAS file's metadata and a sample of the used columns, a
CSV's header and first rows; the key column is read whole.
"""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pandas as pd

from .check import model as m
from .check.usage import Use, column_uses, table_usage
from .data.csvtext import ENCODING_HINT as _ENCODING_HINT  # run's hint, for the same messages
from .data.errors import DataError
from .data.read import READERS

SAMPLE = 1000  # rows read to judge the type of a column without a declared one
_READERS = {"text": "text", "number": "a number", "date": "a date"}


def check_data(model: m.Model, folder: str | Path, encoding: str | None = None) -> tuple[list[str], int]:
    """The problems `run` would meet in the tables of `folder` (empty: none), and how many
    columns were checked. DataError when the folder itself cannot be used."""
    from .data.read import find_table, usable_folder
    from .data.tables import validate

    folder = usable_folder(folder, encoding)
    uses = column_uses(model)
    problems: list[str] = []
    samples: dict[str, pd.DataFrame] = {}
    for table in model.tables:
        try:
            path = find_table(folder, table.name)
            wanted = list(dict.fromkeys(u.column for u in uses if u.table == table.name))
            if table.per_subject:  # adam: the kept columns too, whose *DT cells must be dates
                wanted += [c.column for c in model.adam.keep if c.column not in wanted]
            samples[table.name] = _sample(path, wanted, table.key, encoding)
        except DataError as exc:
            problems.append(str(exc))
    meta = table_usage(model)
    try:  # run's own checks, on the samples: columns, then date columns in their formats
        validate({n: meta[n] for n in samples}, samples, model.file)
    except DataError as exc:
        problems += str(exc).splitlines()
    subject = model.subject_table.name
    if model.adam.keep and subject in samples:  # adam: the columns `keep` carries, as run checks them
        from .data.adam import check_kept

        try:
            check_kept(
                [(c.column, c.name, c.line) for c in model.adam.keep], subject, samples[subject], model.file,
                model.subject_table.key,
            )  # fmt: skip
        except DataError as exc:
            problems += str(exc).splitlines()
    seen = set()
    for use in uses:
        frame = samples.get(use.table)
        if frame is None or use.column not in frame.columns or (use.table, use.column, use.reader) in seen:
            continue
        seen.add((use.table, use.column, use.reader))  # one message per column and use, at its first line
        problem = _type_problem(frame, use, model.file)
        if problem:
            where = f"table '{use.table}' ({frame.attrs['path']})"
            problems.append(f"{where}: {problem}")
    return list(dict.fromkeys(problems)), len({(u.table, u.column) for u in uses if u.table in samples})


def _type_problem(frame: pd.DataFrame, use: Use, file: str) -> str | None:
    at = f"{file}:{use.line}"
    if use.reader == "key":
        if frame.attrs.get("key_missing"):
            return f"key column {use.column} is missing in every row: no row belongs to a subject"
        return None
    kind = _kind(frame[use.column])
    if kind == "boolean" and use.reader in _READERS and use.reader != "date":
        return (
            f"column {use.column} holds true/false values, but {at} reads it as {_READERS[use.reader]}; "
            'write it as text (e.g. "Y"/"N")'
        )
    # A date column is judged by validate's date check, in the event's declared format
    # (numbers are dates under "days since 1960-01-01").
    if kind == "date" and use.reader == "number":
        return f"column {use.column} holds dates, but {at} reads it as a number"
    return None


def _kind(column: pd.Series) -> str | None:
    """boolean, number or date when the column's type (or every value in the sample) says so."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    values = [v for v in column if v is not None and not (isinstance(v, float) and v != v)]
    values = [v for v in values if not (isinstance(v, str) and not v.strip()) and v is not pd.NA]
    if values and all(isinstance(v, bool) for v in values):
        return "boolean"
    if values and all(isinstance(v, (dt.date, dt.datetime)) for v in values):
        return "date"
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "number"
    return None


# ---- a sample of each table -----------------------------------------------------------------


def _sample(path: Path, wanted: list[str], key: str, encoding: str | None) -> pd.DataFrame:
    """The used columns of the first rows (every column name, as an empty frame's columns)."""
    kind = path.suffix.lower()
    try:
        if path.is_dir():
            raise DataError(f"{path}: is a folder, not a {READERS[kind][0]} file")
        if path.stat().st_size == 0:
            raise DataError(f"{path}: empty file (no header)")
        if kind == ".csv":
            frame, key_values = _csv(path, key, encoding)
        elif kind == ".parquet":
            frame, key_values = _parquet(path, wanted, key)
        else:
            frame, key_values = _sas(path, wanted, key, encoding)
    except UnicodeDecodeError as exc:
        hint = _ENCODING_HINT if encoding is None else ""
        raise DataError(f"{path}: text is not {encoding or 'UTF-8'} ({exc.reason}){hint}") from None
    except PermissionError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror})") from None
    except DataError:
        raise
    except Exception as exc:  # each reader's own errors: the file cannot be read as its kind
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: cannot be read as {READERS[kind][0]} ({reason})") from None
    frame.attrs["path"] = str(path)
    if key_values is not None:
        from .data.values import normalise

        frame.attrs["key_missing"] = all(normalise(v) is None for v in key_values)
    return frame


def _codec(encoding: str | None) -> str:
    codec = encoding or "utf-8"
    return "utf-8-sig" if codecs.lookup(codec).name == "utf-8" else codec


def _csv(path: Path, key: str, encoding: str | None):
    options = {"dtype": str, "keep_default_na": False, "na_values": [""], "encoding": _codec(encoding)}
    frame = pd.read_csv(path, nrows=SAMPLE, index_col=False, **options)
    keys = pd.read_csv(path, usecols=[key], **options)[key] if key in frame.columns else None
    return frame, keys


def _parquet(path: Path, wanted: list[str], key: str):
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(path)
    names = handle.schema_arrow.names
    present = [c for c in wanted if c in names]
    batch = next(handle.iter_batches(batch_size=SAMPLE, columns=present), None)
    frame = batch.to_pandas() if batch is not None else handle.schema_arrow.empty_table().to_pandas()
    frame = frame.reindex(columns=[*frame.columns, *(c for c in names if c not in frame.columns)])
    keys = handle.read(columns=[key]).column(key).to_pylist() if key in names else None
    return frame, keys


def _sas(path: Path, wanted: list[str], key: str, encoding: str | None):
    import pyreadstat

    reader = pyreadstat.read_xport if path.suffix.lower() == ".xpt" else pyreadstat.read_sas7bdat

    def read(*args, encoding=None, **kwargs):  # an encoding ReadStat does not know: Python's name
        try:
            return reader(*args, encoding=encoding, **kwargs)
        except pyreadstat.ReadstatError as exc:
            if encoding is None or "character set" not in str(exc):
                raise
            return reader(*args, encoding=codecs.lookup(encoding).name, **kwargs)

    _, meta = read(str(path), metadataonly=True, encoding=encoding)
    names = list(meta.column_names)
    present = [c for c in wanted if c in names]
    frame, _ = read(str(path), row_limit=SAMPLE, usecols=present or names[:1], encoding=encoding)
    frame = frame.reindex(columns=[*frame.columns, *(c for c in names if c not in frame.columns)])
    keys = read(str(path), usecols=[key], encoding=encoding)[0][key].tolist() if key in names else None
    return frame, keys
