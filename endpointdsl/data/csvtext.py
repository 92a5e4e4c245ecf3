"""Datasets: a CSV file read as a table of text cells, every row with the header's number of fields.

pandas would take a surplus first field as the row index (a trailing comma then shifts
every column by one), pad a short row with missing cells and rename a repeated column
(RANDDT.1); each turns a bad file into a wrong result. Arrow's reader refuses any row
whose field count differs from the header's, is several times faster, and keeps quoted
commas and line breaks in values; `check_names` refuses repeated and empty names.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .errors import DataError
from .projection import Columns

ENCODING_HINT = "; if the file is in another encoding, name it with --encoding (e.g. --encoding latin-1)"


def read_csv(
    path: Path, encoding: str | None, arrow: bool = False, columns: Columns | None = None
) -> pd.DataFrame:
    """Every cell as text (missing: empty), under the header's names. `arrow`: the columns
    stay Arrow arrays (pandas ArrowDtype, no copy), as the SQL engine reads them; `columns`:
    only those a run reads (data.projection).

    UTF-8 files (issue 16, bounded memory) are streamed: one pass in blocks checks the text
    and counts the double quotes, then Arrow's reader parses the file itself, so the file's
    bytes are never held beside the table. Any doubt (not UTF-8, an odd number of quotes, a
    ragged row, another encoding) re-reads the file whole, which says what is wrong and where.
    """
    table = None
    if codecs.lookup(encoding or "utf-8").name == "utf-8" and _streamable(path):
        with contextlib.suppress(_Doubt):
            table = _parse_file(path, columns)
    if table is None:
        table = _read_whole(path, encoding, columns)
    return table.to_pandas(types_mapper=pd.ArrowDtype) if arrow else table.to_pandas()


class _Doubt(Exception):
    """The streamed read cannot vouch for the file: it is read whole, for the exact message."""


_BLOCK = 1 << 24  # bytes read at a time by the streamed checks


def _streamable(path: Path) -> bool:
    """The file is UTF-8 text with an even number of double quotes (what the whole read
    checks on the bytes), checked block by block."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    quotes = 0
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            quotes += block.count(b'"')
            if not block.isascii() or decoder.getstate()[0]:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    return False
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return quotes % 2 == 0


def _parse_file(path: Path, columns: Columns | None) -> pa.Table:
    """The streamed read: the header's names, then the rows of the chosen columns."""
    with path.open("rb") as handle:
        first = handle.readline(1 << 20)
    width = first.count(b",") + 1  # a guess, checked by _parse
    names = _header(path, width)
    try:
        check_names(path, names)
    except DataError:  # the whole read says it, after what it checks first (a ragged row)
        raise _Doubt from None
    chosen = columns.of(names) if columns is not None else None
    keep = list(range(len(names))) if chosen is None else [names.index(c) for c in chosen]
    table = _parse(path, str(path), width, path.stat().st_size, [f"f{i}" for i in keep], doubt=True)
    if table.num_rows == 0:
        raise _Doubt
    return table.slice(1).rename_columns([names[i] for i in keep])


def _header(path: Path, width: int) -> list[str]:
    """The header's names, from the file's first block (Arrow's parse, as the rows')."""
    reader = None
    try:
        reader = pacsv.open_csv(
            str(path),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=lambda _: "skip"),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(width)},
                null_values=[""],
                strings_can_be_null=True,
            ),
        )
        batch = reader.read_next_batch()
    except (pa.ArrowException, StopIteration, OSError):
        raise _Doubt from None
    finally:
        if reader is not None:
            reader.close()
    if batch.num_rows == 0 or not all(pa.types.is_string(t) for t in batch.schema.types):
        raise _Doubt  # the first line is not the whole header (a quoted line break): read whole
    return [batch.column(i)[0].as_py() or "" for i in range(batch.num_columns)]


def _read_whole(path: Path, encoding: str | None, columns: Columns | None) -> pa.Table:
    """The file's bytes read and checked whole, where every error can name its line."""
    data = path.read_bytes()
    if codecs.lookup(encoding or "utf-8").name == "utf-8":
        data = data.removeprefix(codecs.BOM_UTF8)  # not part of the first column's name
        if not data.isascii():  # checked here, where an error can name its line (ASCII: in 2 ms)
            _decode(path, data, encoding)
    else:  # Arrow reads UTF-8: decode here, where an error can name its line
        data = _decode(path, data, encoding).encode("utf-8")
    end = data.find(b"\n")
    width = data[: end if end >= 0 else len(data)].count(b",") + 1  # a guess, checked by _parse
    try:
        table = _parse(pa.py_buffer(data), path, width, len(data))
    except _Ragged as exc:
        raise _ragged(path, data, exc.row) from None
    if table.num_rows == 0:
        raise DataError(f"{path}: empty file (no header)")
    names = [table.column(i)[0].as_py() or "" for i in range(table.num_columns)]
    check_names(path, names)
    if data.count(b'"') % 2:  # maybe a quote that is never closed: it would swallow the rest
        _check_quotes(path, data.decode("utf-8"))
    del data  # the file's bytes: not held while the table is converted
    table = table.slice(1).rename_columns(names)
    chosen = columns.of(names) if columns is not None else None
    return table if chosen is None else table.select(chosen)


def _decode(path: Path, data: bytes, encoding: str | None) -> str:
    try:
        return data.decode(encoding or "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{path}: not {encoding or 'UTF-8'} text at byte offset {exc.start} (line {line}: {exc.reason})"
            f"{ENCODING_HINT if encoding is None else ''}"
        ) from None


class _Ragged(Exception):
    """A row whose field count is not the header's (Arrow's InvalidRow)."""

    def __init__(self, row):
        super().__init__()
        self.row = row


def _parse(source, path: Path, width: int, size: int, include=None, doubt: bool = False) -> pa.Table:
    """The rows, header first, as text columns f0, f1, ... (Arrow names them); `include`:
    only those. `doubt`: any failure is a _Doubt (the streamed read gives up)."""
    invalid: list = []

    def refuse(row) -> str:  # a row whose field count is not the header's
        invalid.append(row)
        return "error"

    block = 1 << 20
    while True:
        try:
            table = pacsv.read_csv(
                source,
                read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=block),
                parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=refuse),
                convert_options=pacsv.ConvertOptions(
                    column_types={f"f{i}": pa.string() for i in range(width)},
                    null_values=[""],
                    strings_can_be_null=True,
                    include_columns=include,
                ),
            )
        except pa.ArrowInvalid as exc:
            if doubt:
                raise _Doubt from None
            if invalid:
                raise _Ragged(invalid[0]) from None
            if "Empty CSV" in str(exc):  # nothing but empty lines
                raise DataError(f"{path}: empty file (no header)") from None
            if "straddl" in str(exc) and block < size:  # one value longer than a block
                block = min(2 * max(block, size), 2**31 - 1)
                continue
            raise
        except (pa.ArrowException, OSError):
            if doubt:
                raise _Doubt from None
            raise
        if all(pa.types.is_string(t) for t in table.schema.types):
            return table
        if doubt:
            raise _Doubt
        width = table.num_columns  # the first line was not the whole header (a quoted line break)


def _ragged(path: Path, data: bytes, row) -> DataError:
    """The first row whose field count differs from the header's, named by its line."""
    text = data.decode("utf-8", errors="replace")
    if data.count(b'"') % 2:
        _check_quotes(path, text)  # an unclosed quote makes the rest of the file one ragged row
    found = _first_ragged(text)
    if found is None:  # Python's csv module reads the file otherwise: name the row by its text
        line, got, want = None, row.actual_columns, row.expected_columns
    else:
        line, got, want = found
    hint = (
        "a comma at the end of the line, or a comma in a value without double quotes?"
        if got > want
        else "a missing value still needs its comma"
    )
    where = f"line {line}" if line is not None else f"the row {row.text[:60]!r}"
    return DataError(
        f"{path}, {where}: {got} fields, but the header has {want} ({hint}); correct the file, "
        "no column is guessed"
    )


def _first_ragged(text: str) -> tuple[int, int, int] | None:
    """(line, fields, header fields) of the first record with another count than the header."""
    reader = csv.reader(io.StringIO(text, newline=""))
    want, end = None, 0
    with _no_field_limit(text):
        try:
            for record in reader:
                start, end = end + 1, reader.line_num
                if not record:  # an empty line: skipped, as Arrow skips it
                    continue
                if want is None:
                    want = len(record)
                elif len(record) != want:
                    return start, len(record), want
        except csv.Error:
            return None
    return None


def _check_quotes(path: Path, text: str) -> None:
    """A value opened by a double quote that is never closed runs to the end of the file."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    try:
        with _no_field_limit(text):
            for _ in reader:
                end = reader.line_num
    except csv.Error as exc:
        if "end of data" in str(exc):
            raise DataError(
                f"{path}, line {end + 1}: a value opens a double quote that is never closed; "
                'correct the file (a quote inside a value is written twice: "")'
            ) from None


@contextlib.contextmanager
def _no_field_limit(text: str):
    """Python's csv module refuses values over 128 KiB: here a value may be the file's rest."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def check_names(path: Path, names: list) -> None:
    """Every column named, no name twice (names that differ only in case are distinct)."""
    for i, name in enumerate(names):
        if name is None or not str(name).strip():
            last = " (a comma at the end of the header line?)" if i == len(names) - 1 else ""
            raise DataError(f"{path}: column {i + 1} of {len(names)} has no name{last}; name it or delete it")
    seen: dict[str, int] = {}
    for i, name in enumerate(map(str, names)):
        if name in seen:
            raise DataError(
                f"{path}: two columns are named {name} (columns {seen[name] + 1} and {i + 1}); "
                "rename or delete one, so that no value is read from the wrong one"
            )
        seen[name] = i
