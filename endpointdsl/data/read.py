"""Reading: input tables read from CSV, Parquet, XPT or sas7bdat (writing: `write`, `writeset`)."""

from __future__ import annotations

import codecs
import functools
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

from .arrowtables import arrow_frame
from .arrowtables import plain_columns as plain_columns  # the Spark engine imports it from here
from .csvtext import ENCODING_HINT, check_names, read_csv
from .errors import DataError
from .projection import Columns

Reader = Callable[..., pd.DataFrame]  # (path, encoding, columns=None): the frame

# ---- reading --------------------------------------------------------------------------


def _read_parquet(
    path: Path, encoding: str | None, arrow: bool = False, columns: Columns | None = None
) -> pd.DataFrame:
    """Parquet text is UTF-8 by definition: no encoding to choose. `arrow`: Arrow-backed columns;
    `columns`: only those the run reads (projection)."""
    with pq.ParquetFile(path) as file:
        check_names(path, file.schema_arrow.names)  # before Arrow refuses them less clearly
        chosen = columns.of(file.schema_arrow.names) if columns is not None else None
        table = file.read(columns=chosen, use_pandas_metadata=True)
    return arrow_frame(table, arrow)


def _read_sas(
    read: Callable, path: Path, encoding: str | None, columns: Columns | None = None, arrow: bool = False
) -> pd.DataFrame:
    """A pyreadstat reader; an encoding it does not know is retried under Python's name
    (latin-1: iso8859-1). `columns`: only those the run reads (the names from the metadata);
    `arrow` (with `columns`): Arrow-backed columns, each chunk made Arrow as it is read."""
    names = dict.fromkeys([encoding, codecs.lookup(encoding).name] if encoding else [None])
    for name in names:
        try:
            if columns is None:
                frame, meta = read(str(path), encoding=name)
            elif arrow:
                frame, meta = _sas_batches(read, path, name, columns)
            else:
                frame, meta = _sas_chunks(read, path, name, columns)
            # adam: the SAS labels and formats of the columns, for the columns `keep` carries
            frame.attrs["labels"] = {
                k: v for k, v in (getattr(meta, "column_names_to_labels", None) or {}).items() if v
            }
            frame.attrs["formats"] = {
                k: v for k, v in (getattr(meta, "original_variable_types", None) or {}).items() if v
            }
            return frame
        except pyreadstat.ReadstatError as exc:
            if "character set" not in str(exc):
                raise
    raise DataError(f"{path}: the SAS reader does not know the encoding '{encoding}'")


SAS_CHUNK = 200_000  # rows of a SAS file read at a time when only some columns are kept


def _sas_chunks(read: Callable, path: Path, encoding: str | None, columns: Columns):
    """(frame, metadata) of the chosen columns, read SAS_CHUNK rows at a time: every column of
    a chunk is read (and its text decoded, so that a value not in the encoding stops the run
    as the whole read does), then only the chosen ones are kept."""
    _, meta = read(str(path), encoding=encoding, metadataonly=True)
    chosen = columns.of(list(meta.column_names))
    parts = []
    while True:
        chunk, meta = read(
            str(path), encoding=encoding, row_offset=len(parts) * SAS_CHUNK, row_limit=SAS_CHUNK
        )
        if parts and len(chunk) == 0:
            break
        parts.append(chunk if chosen is None else chunk[chosen])
        if len(chunk) < SAS_CHUNK:
            break
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    return frame, meta


def _sas_batches(read: Callable, path: Path, encoding: str | None, columns: Columns):
    """(frame, metadata) as _sas_chunks reads them, but each chunk's chosen columns become an
    Arrow table at once and its pandas frame is dropped (issue 16): the text is held as Arrow
    strings, not Python objects. The frame is Arrow-backed, as a Parquet input's."""
    try:
        return _arrow_chunks(read, path, encoding, columns)
    except pa.ArrowException:  # a column Arrow cannot type (mixed cells): read as pandas, as before
        return _sas_chunks(read, path, encoding, columns)


def _arrow_chunks(read: Callable, path: Path, encoding: str | None, columns: Columns):
    _, meta = read(str(path), encoding=encoding, metadataonly=True)
    chosen = columns.of(list(meta.column_names))
    parts: list[pa.Table] = []
    rows = 0
    while True:
        chunk, meta = read(str(path), encoding=encoding, row_offset=rows, row_limit=SAS_CHUNK)
        count = len(chunk)
        if parts and count == 0:
            break
        parts.append(pa.Table.from_pandas(chunk if chosen is None else chunk[chosen], preserve_index=False))
        del chunk
        rows += count
        if count < SAS_CHUNK:
            break
    # a chunk whose column is all missing has Arrow's null type: promoted to the others' type
    table = pa.concat_tables(parts, promote_options="default") if len(parts) > 1 else parts[0]
    return table.replace_schema_metadata(None).to_pandas(types_mapper=pd.ArrowDtype), meta


READERS: dict[str, tuple[str, Reader]] = {
    ".csv": ("CSV", read_csv),
    ".parquet": ("Parquet", _read_parquet),
    # the reader looked up at each call (tests replace pyreadstat's)
    ".xpt": (
        "SAS transport (XPT)",
        lambda p, e, columns=None: _read_sas(pyreadstat.read_xport, p, e, columns),
    ),
    ".sas7bdat": (
        "SAS dataset (sas7bdat)",
        lambda p, e, columns=None: _read_sas(pyreadstat.read_sas7bdat, p, e, columns),
    ),
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


def read_table(
    path: Path, encoding: str | None = None, arrow: bool = False, columns: Columns | None = None
) -> pd.DataFrame:
    """One table, read by the reader for its extension (`arrow`: Parquet columns Arrow-backed;
    `columns`: only the columns a run reads, data.projection)."""
    kind, read = READERS[path.suffix.lower()]
    if arrow and path.suffix.lower() == ".parquet":
        read = functools.partial(_read_parquet, arrow=True)
    elif arrow and path.suffix.lower() == ".csv":  # perf (issue 16): Arrow's text columns, not copied
        read = functools.partial(read_csv, arrow=True)
    elif arrow and columns is not None and path.suffix.lower() in (".xpt", ".sas7bdat"):  # issue 16
        sas = pyreadstat.read_xport if path.suffix.lower() == ".xpt" else pyreadstat.read_sas7bdat
        read = lambda p, e, columns=None: _read_sas(sas, p, e, columns, arrow=True)  # noqa: E731
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a {kind} file")
    try:
        with path.open("rb") as handle:
            if not handle.read(1):
                raise DataError(f"{path}: empty file (no header)")
        frame = read(path, encoding, columns=columns) if columns is not None else read(path, encoding)
        check_names(path, list(frame.columns))
        frame = _without_nat(frame)
        frame.attrs["path"] = str(path)  # so that a missing column can name its file
        # issue 16: what the parse freed (its blocks, a file's bytes), back to the system now
        # rather than kept by Arrow's allocator through the run
        pa.default_memory_pool().release_unused()
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
    folder: str | Path,
    names: list[str],
    encoding: str | None = None,
    arrow: bool = False,
    columns: dict[str, Columns] | None = None,
) -> dict[str, pd.DataFrame]:
    """The named tables from `folder`; `encoding` is for text (default: UTF-8, or what a SAS file records).

    `arrow`: Parquet columns stay Arrow arrays (pandas ArrowDtype) instead of Python
    objects; the SQL backend reads them without copying. `columns` (issue 16, projection):
    per table, the columns to read (check.projection.run_columns); a table not named is read whole.
    """
    folder = usable_folder(folder, encoding)
    chosen = columns or {}
    return {name: read_table(find_table(folder, name), encoding, arrow, chosen.get(name)) for name in names}


def usable_folder(folder: str | Path, encoding: str | None) -> Path:
    """The data folder, if it is one and the encoding is known; else why not (run and
    `check --data` say it alike)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"data folder {folder} does not exist or is not a folder")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DataError(f"unknown encoding '{encoding}'") from None
    return folder
