"""Datasets: input tables read from CSV, Parquet, XPT or sas7bdat (writing: `outputs`, `writeset`)."""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyreadstat

from .diagnostics import DataError

Reader = Callable[[Path, str | None], pd.DataFrame]

_ENCODING_HINT = "; if the file is in another encoding, name it with --encoding (e.g. --encoding latin-1)"

# ---- reading --------------------------------------------------------------------------


def _read_csv(path: Path, encoding: str | None) -> pd.DataFrame:
    data = path.read_bytes()
    codec = encoding or "utf-8"
    if codecs.lookup(codec).name == "utf-8":
        codec = "utf-8-sig"  # a byte order mark is not part of the first column's name
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{path}: not {encoding or 'UTF-8'} text at byte offset {exc.start} (line {line}: {exc.reason})"
            f"{_ENCODING_HINT if encoding is None else ''}"
        ) from None
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])


def _read_parquet(path: Path, encoding: str | None) -> pd.DataFrame:
    return pd.read_parquet(path)  # Parquet text is UTF-8 by definition: no encoding to choose


def _read_parquet_arrow(path: Path, encoding: str | None) -> pd.DataFrame:
    return pd.read_parquet(path, dtype_backend="pyarrow")


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
    ".csv": ("CSV", _read_csv),
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
        read = _read_parquet_arrow
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a {kind} file")
    try:
        with path.open("rb") as handle:
            if not handle.read(1):
                raise DataError(f"{path}: empty file (no header)")
        frame = _without_nat(read(path, encoding))
        frame.attrs["path"] = str(path)  # so that a missing column can name its file
        return frame
    except UnicodeDecodeError as exc:
        hint = _ENCODING_HINT if encoding is None else ""
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


# ---- writing: endpointdsl.outputs (formats) and endpointdsl.writeset (files) -----------

from .outputs import LABELS, check_output  # noqa: E402, F401 - the names this module had
from .writeset import write_table, write_tables  # noqa: E402, F401
