"""Spark engine, inputs on remote storage (issue 16): `--data` given as a URI.

`endpointdsl run --engine spark --data s3://bucket/study1` (or `file://`, `gs://`, `hdfs://`,
`abfss://`: what `pyarrow.fs.FileSystem.from_uri` opens): the tables are Parquet files in
that folder, found as `data.read.find_table` finds them (a table's one file, whatever the
case of its name). Every Parquet reading of the Spark engine opens its file here: the
footers and schemas on the driver, the row groups in the executors' tasks (`inputs.py`),
so a URI is opened by each executor with its own credentials (pyarrow's, e.g. AWS_* or an
instance profile), and a plain path as before. A table the executors do not read (the
one-row-per-subject tables, or one `inputs.plan` leaves to the driver) is read on the
driver as `data.read` reads a Parquet file, from the URI. Only Parquet: CSV, XPT and
sas7bdat stay local files (a DataError says so).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ...data.csvtext import check_names
from ...data.errors import DataError
from ...data.projection import Columns
from ...data.read import READERS, plain_columns

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")  # two letters at least: C:\ is a path


def is_uri(text: str | Path) -> bool:
    """Whether `--data` (or a table's file) names remote storage: scheme://..."""
    return isinstance(text, str) and _URI.match(text) is not None


def local_path(text: str | Path) -> Path | None:
    """The local file a path or a file:// URI names (None: remote storage)."""
    if not is_uri(text):
        return Path(text)
    parsed = urlparse(str(text))
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None


def _filesystem(uri: str):
    from pyarrow import fs

    try:
        return fs.FileSystem.from_uri(uri)
    except (pa.ArrowException, ValueError, OSError) as exc:
        raise DataError(f"{uri}: cannot open this storage ({_first_line(exc)})") from None


def parquet_file(path: str) -> pq.ParquetFile:
    """The Parquet file at a path or URI (close it: `with parquet_file(p) as file`)."""
    if not is_uri(path):
        return pq.ParquetFile(path)
    filesystem, inner = _filesystem(path)
    return pq.ParquetFile(filesystem.open_input_file(inner))


def find_tables(folder: str, names: list[str]) -> dict[str, str]:
    """Each table's one Parquet file in the folder URI (`find_table`'s rules and messages)."""
    from pyarrow import fs

    filesystem, inner = _filesystem(folder)
    try:
        listed = filesystem.get_file_info(fs.FileSelector(inner.rstrip("/") or "/"))
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"data folder {folder} cannot be listed ({_first_line(exc)})") from None
    files = sorted(i.base_name for i in listed if i.type == fs.FileType.File)
    base = folder.rstrip("/")
    found = {}
    for name in names:
        matches = [f for f in files if f.lower() in {f"{name}{ext}".lower() for ext in READERS}]
        if len(matches) > 1:
            raise DataError(
                f"table '{name}' has {len(matches)} files in {folder}: {', '.join(matches)}; keep only one"
            )
        if not matches:
            listing = ", ".join(files[:12]) or "no files"
            raise DataError(
                f"no file for table '{name}' in {folder}: expected {name}.parquet (found: {listing})"
            )
        if not matches[0].lower().endswith(".parquet"):
            raise DataError(
                f"{base}/{matches[0]}: only Parquet tables are read from remote storage; "
                "write it as Parquet, or copy it to a local folder"
            )
        found[name] = f"{base}/{matches[0]}"
    return found


def read_table(uri: str, columns: Columns | None) -> pd.DataFrame:
    """A Parquet table read on the driver from a URI, as `data.read.read_table(path, arrow=True,
    columns=...)` reads a local one (its column types, its messages)."""
    try:
        with parquet_file(uri) as file:
            check_names(uri, file.schema_arrow.names)
            chosen = columns.of(file.schema_arrow.names) if columns is not None else None
            table = file.read(columns=chosen, use_pandas_metadata=True)
    except (ValueError, OSError, pa.ArrowException) as exc:
        raise DataError(f"{uri}: cannot be read as Parquet ({_first_line(exc)})") from None
    table, unusable = plain_columns(table)
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    frame.attrs["unusable"] = unusable
    frame.attrs["path"] = uri
    return frame


def manifest_entry(uri: str) -> dict:
    """The manifest's record of an input read from a URI, as `data.manifest` records a file."""
    filesystem, inner = _filesystem(uri)
    info = filesystem.get_file_info(inner)
    digest = hashlib.sha256()
    with filesystem.open_input_stream(inner) as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    entry = {"file": uri, "sha256": digest.hexdigest(), "size": info.size}
    if info.mtime is not None:
        modified = info.mtime if info.mtime.tzinfo else info.mtime.replace(tzinfo=dt.UTC)
        entry["modified"] = modified.astimezone(dt.UTC).isoformat(timespec="seconds")
    return entry


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
