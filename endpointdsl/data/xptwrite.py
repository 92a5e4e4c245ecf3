"""SAS transport (XPORT) version 5 written from Arrow records (issue 16, mem), without the
pandas frame pyreadstat needs, byte for byte as `write._write_xpt` has pyreadstat write it.

The format is public (SAS technical note TS-140): 80-byte records; a library, member and
descriptor header; one 140-byte NAMESTR per variable; then the observations, each the
variables' cells one after the other (a number as an 8-byte IBM 370 double, a text as its
UTF-8 bytes padded with blanks to the variable's length), the last record padded with
blanks. The choices pyreadstat (ReadStat) makes are kept: SAS 6.06 and bsd4.2 in the
headers, the longest value's bytes as a text's length (at least 1), numbers right-aligned
(NFJ 1), the format's name, width and decimals in NFORM/NFL/NFD, a missing number as "."
and seven zero bytes. The informat fields are as the installed pyreadstat writes them
(1.3.1 copies the format there, 1.3.8 leaves them blank): found once per process by
having pyreadstat write a one-cell file (`_informats_copied`).

Anything this module does not write exactly as that path does (a column type it does not
know, a value too long for SAS or with a NUL byte, a reserved or unusual name, a format it
cannot parse, an infinite number or a time too far to be exact) makes `write_table` return
False before anything is written, and the caller writes the frame with pyreadstat, with
its messages.
"""

from __future__ import annotations

import functools
import re
import struct
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

RECORD = 80
BATCH = 16_384  # rows a time: a batch's cells are a few MiB
MAX_TEXT = 200  # SAS transport v5: longest character value (longer: the pandas path's message)
_EPOCH_DAYS = 3653  # 1960-01-01 (SAS) to 1970-01-01 (Arrow)
_EXACT = 2**53  # microseconds below this are exact as doubles
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,7}$")  # no leading _: SAS's reserved _N_, _ALL_, ...
_FORMAT = re.compile(r"^(?P<name>\$?[A-Za-z_]*|E8601DT)(?P<width>[0-9]{0,4})\.(?P<decimals>[0-9]{0,4})$")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_NAMESTR = struct.Struct(">hhhh8s40s8shhh2s8shhi52s")  # 140 bytes


def write_table(
    table: pa.Table,
    names: list[str],
    target: Path,
    *,
    dates: set,
    times: set,
    labels: dict[str, str],
    formats: dict[str, str],
    table_name: str,
    file_label: str,
) -> bool:
    """Write `table` (its columns named `names`) as `write._write_xpt` writes its frame;
    False, with nothing written, where this module would not write the same bytes.

    `dates`, `times`: the columns written as SAS dates and datetimes; `labels`: each
    column's label, cut to 40 bytes; `formats`: SAS formats by column."""
    if not _NAME.match(table_name) or len(file_label.encode("utf-8")) > 40 or "\0" in file_label:
        return False
    if _informats_copied() is None:  # pyreadstat could not be asked: it writes the file itself
        return False
    variables = []
    for i, name in enumerate(names):
        variable = _variable(table.column(i), name, name in dates, name in times)
        fmt = _format(formats.get(name))
        label = labels.get(name, name)
        if variable is None or fmt is None or not _NAME.match(name) or "\0" in label:
            return False
        variables.append((name, label, fmt, variable))
    stamp = _timestamp()
    with open(target, "wb") as out:
        out.write(_headers(table_name, file_label, stamp, len(variables)))
        out.write(_namestrs(variables))
        out.write(_record("HEADER RECORD*******OBS     HEADER RECORD!!!!!!!" + "0" * 30))
        written = 0
        for batch in table.to_batches(max_chunksize=BATCH):
            if batch.num_rows:
                cells = [kind(batch.column(i), width) for i, (_, _, _, (kind, width)) in enumerate(variables)]
                rows = np.hstack(cells) if cells else np.zeros((batch.num_rows, 0), np.uint8)
                out.write(memoryview(np.ascontiguousarray(rows)).cast("B"))
                written += rows.size
        out.write(b" " * (-written % RECORD))
    return True


# ---- the variables --------------------------------------------------------------------


def _variable(column: pa.ChunkedArray, name: str, date: bool, time_: bool):
    """(cells, length) of a column, as pyreadstat writes what write._write_xpt makes of it;
    None where that is not certain. `cells(array, length)` gives each row's bytes."""
    kind = column.type
    if date:  # write: *DT columns as days since 1960 (a non-date: the pandas path's error)
        return (_date_cells, 8) if pa.types.is_date32(kind) else None
    if time_:  # *DTM: seconds since 1960, from a datetime (microseconds: exact in a double)
        if not (pa.types.is_timestamp(kind) and kind.tz is None):
            return None
        try:  # nanoseconds: the pandas path drops them (with a warning): its way
            micros = column.cast(pa.timestamp("us")).cast(pa.int64())
            limit = pc.max(pc.abs_checked(pc.add_checked(micros, _EPOCH_DAYS * 86_400 * 10**6))).as_py()
        except pa.ArrowInvalid:
            return None
        return (_time_cells, 8) if limit is None or limit < _EXACT else None
    if pa.types.is_integer(kind):
        return _number_cells, 8
    if pa.types.is_float64(kind):  # NaN and null are missing; an infinity: pyreadstat's to decide
        if pc.any(pc.is_inf(column)).as_py():
            return None
        return _number_cells, 8
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        if pc.any(pc.match_substring(column, "\0")).as_py():
            return None  # C strings end at a NUL byte
        longest = pc.max(pc.binary_length(column)).as_py() or 0
        return (_text_cells, max(longest, 1)) if longest <= MAX_TEXT else None
    return None  # yes/no, null-typed, dictionaries, other dates...: the frame's way


def _format(fmt: str | None) -> tuple[bytes, int, int] | None:
    """(name, width, decimals) of a SAS format as ReadStat parses it ("DATE9.", "8.2", "$20.")."""
    if not fmt:
        return b"", 0, 0
    match = _FORMAT.match(fmt)
    if match is None:
        return None
    return match["name"].encode("ascii"), int(match["width"] or 0), int(match["decimals"] or 0)


def _namestrs(variables: list) -> bytes:
    parts, position = [], 0
    copied = _informats_copied()
    for number, (name, label, (fmt, width, decimals), (kind, length)) in enumerate(variables, 1):
        numeric = kind is not _text_cells
        informat = tuple(
            v if c else e for v, c, e in zip((fmt, width, decimals), copied, (b"", 0, 0), strict=True)
        )
        parts.append(
            _NAMESTR.pack(
                1 if numeric else 2, 0, length, number, _pad(name.encode("ascii"), 8),
                _pad(label.encode("utf-8"), 40), _pad(fmt, 8), width, decimals, 1 if numeric else 0,
                b"\0\0", _pad(informat[0], 8), informat[1], informat[2], position, b"\0" * 52,
            )
        )  # fmt: skip
        position += length
    return _record(b"".join(parts))


@functools.cache
def _informats_copied() -> tuple[bool, bool, bool] | None:
    """Whether the installed pyreadstat writes a variable's format's name, width and decimals
    again as its informat's (NIFORM, NIFL, NIFD): asked of pyreadstat itself, once, with a
    one-cell file in the format COMMA10.2 (None: it could not be asked)."""
    import pandas as pd
    import pyreadstat

    try:
        with tempfile.TemporaryDirectory(prefix="endpointdsl-xpt-") as folder:
            path = Path(folder) / "probe.xpt"
            pyreadstat.write_xport(pd.DataFrame({"A": [1.0]}), str(path), file_format_version=5,
                                   variable_format={"A": "COMMA10.2"})  # fmt: skip
            data = path.read_bytes()
    except Exception:  # no temporary folder, a pyreadstat that refuses: no answer
        return None
    namestr = data.index(b"HEADER RECORD*******NAMESTR") + RECORD
    informat = _NAMESTR.unpack(data[namestr : namestr + _NAMESTR.size])[11:14]
    return informat[0] == b"COMMA   ", informat[1] == 10, informat[2] == 2


# ---- the cells --------------------------------------------------------------------------


def _number_cells(array: pa.Array, length: int) -> np.ndarray:
    values = pc.fill_null(array.cast(pa.float64(), safe=False), float("nan")).to_numpy(zero_copy_only=False)
    return _ibm(values)


def _date_cells(array: pa.Array, length: int) -> np.ndarray:
    days = pc.add(array.cast(pa.int32()).cast(pa.float64()), float(_EPOCH_DAYS))
    return _ibm(pc.fill_null(days, float("nan")).to_numpy(zero_copy_only=False))


def _time_cells(array: pa.Array, length: int) -> np.ndarray:
    """timedelta.total_seconds() of each time since 1960: exact microseconds over 10**6."""
    micros = array.cast(pa.timestamp("us")).cast(pa.int64())
    micros = pc.add(micros, _EPOCH_DAYS * 86_400 * 10**6).cast(pa.float64())
    return _ibm(pc.fill_null(pc.divide(micros, 1e6), float("nan")).to_numpy(zero_copy_only=False))


def _ibm(values: np.ndarray) -> np.ndarray:
    """IBM 370 doubles (big-endian, 8 bytes each, one row per value) of IEEE doubles, as
    ReadStat's cnxptiee converts them: the fraction shifted, never rounded; below 16**-65
    zero, above 16**62 the largest number; NaN missing ("." and zeros)."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    sign = bits >> np.uint64(63)
    exponent = ((bits >> np.uint64(52)) & np.uint64(0x7FF)).astype(np.int64) - 1023
    fraction = (bits & np.uint64((1 << 52) - 1)) | np.uint64(1 << 52)
    shift = (exponent & 3).astype(np.uint64)
    head = (((exponent >> 2) + 65) & 0x7F).astype(np.uint64) | (sign << np.uint64(7))
    out = (head << np.uint64(56)) | (fraction << shift)
    out = np.where(exponent < -260, np.uint64(0), out)
    out = np.where(
        exponent > 248,
        ((np.uint64(0x7F) | (sign << np.uint64(7))) << np.uint64(56)) | np.uint64((1 << 56) - 1),
        out,
    )
    out = np.where(np.isnan(values), np.uint64(0x2E << 56), out)
    return out.astype(">u8").view(np.uint8).reshape(-1, 8)


def _text_cells(array: pa.Array, length: int) -> np.ndarray:
    """Each text's UTF-8 bytes, padded with blanks to `length` (a missing text: blanks)."""
    text = pc.fill_null(array.cast(pa.string()), "")
    n = len(text)
    cells = np.full((n, length), 0x20, np.uint8)
    offsets = np.frombuffer(text.buffers()[1], np.int32)[text.offset : text.offset + n + 1].astype(np.int64)
    if n == 0 or offsets[-1] == offsets[0]:
        return cells
    data = np.frombuffer(text.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
    starts = np.arange(n, dtype=np.int64) * length - (offsets[:-1] - offsets[0])
    cells.reshape(-1)[np.repeat(starts, np.diff(offsets)) + np.arange(len(data), dtype=np.int64)] = data
    return cells


# ---- the records ------------------------------------------------------------------------


def _headers(table_name: str, file_label: str, stamp: bytes, count: int) -> bytes:
    zeros = "0" * 30
    return b"".join(
        [
            _record("HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!" + zeros),
            _record(b"SAS     SAS     SASLIB  6.06    bsd4.2  " + b" " * 24 + stamp),
            _record(stamp),
            _record("HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!" + "0" * 15 + "00160" + "00000" + "00140"),
            _record("HEADER RECORD*******DSCRPTR HEADER RECORD!!!!!!!" + zeros),
            _record(b"SAS     " + _pad(table_name.encode("ascii"), 8) + b"SASDATA 6.06    bsd4.2  " + b" " * 24 + stamp),
            _record(stamp + b" " * 16 + _pad(file_label.encode("utf-8"), 40) + b" " * 8),
            _record(f"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!00000{count:05d}" + "0" * 20),
        ]
    )  # fmt: skip


def _timestamp() -> bytes:
    """The time written, in local time, as ReadStat writes it: 07DEC26:05:44:13."""
    t = time.localtime()
    return f"{t.tm_mday:02d}{_MONTHS[t.tm_mon - 1]}{t.tm_year % 100:02d}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}".encode()


def _record(text: str | bytes) -> bytes:
    """`text` padded with blanks to whole 80-byte records."""
    data = text.encode("ascii") if isinstance(text, str) else text
    return data + b" " * (-len(data) % RECORD)


def _pad(data: bytes, size: int) -> bytes:
    """ReadStat's copypad: cut to `size` bytes, padded with blanks."""
    return data[:size].ljust(size, b" ")
