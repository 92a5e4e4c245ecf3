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

ENCODING_HINT = "; if the file is in another encoding, name it with --encoding (e.g. --encoding latin-1)"


def read_csv(path: Path, encoding: str | None, arrow: bool = False) -> pd.DataFrame:
    """Every cell as text (missing: empty), under the header's names. `arrow`: the columns
    stay Arrow arrays (pandas ArrowDtype, no copy), as the SQL engine reads them."""
    data = path.read_bytes()
    if codecs.lookup(encoding or "utf-8").name == "utf-8":
        data = data.removeprefix(codecs.BOM_UTF8)  # not part of the first column's name
        if not data.isascii():  # checked here, where an error can name its line (ASCII: in 2 ms)
            _decode(path, data, encoding)
    else:  # Arrow reads UTF-8: decode here, where an error can name its line
        data = _decode(path, data, encoding).encode("utf-8")
    table = _parse(path, data)
    if table.num_rows == 0:
        raise DataError(f"{path}: empty file (no header)")
    names = [table.column(i)[0].as_py() or "" for i in range(table.num_columns)]
    check_names(path, names)
    if data.count(b'"') % 2:  # maybe a quote that is never closed: it would swallow the rest
        _check_quotes(path, data.decode("utf-8"))
    table = table.slice(1).rename_columns(names)
    del data  # the file's bytes: not held while the table is converted
    return table.to_pandas(types_mapper=pd.ArrowDtype) if arrow else table.to_pandas()


def _decode(path: Path, data: bytes, encoding: str | None) -> str:
    try:
        return data.decode(encoding or "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{path}: not {encoding or 'UTF-8'} text at byte offset {exc.start} (line {line}: {exc.reason})"
            f"{ENCODING_HINT if encoding is None else ''}"
        ) from None


def _parse(path: Path, data: bytes) -> pa.Table:
    """The rows, header first, as text columns f0, f1, ... (Arrow names them)."""
    invalid: list = []

    def refuse(row) -> str:  # a row whose field count is not the header's
        invalid.append(row)
        return "error"

    end = data.find(b"\n")
    width = data[: end if end >= 0 else len(data)].count(b",") + 1  # a guess, checked below
    block = 1 << 20
    while True:
        try:
            table = pacsv.read_csv(
                pa.py_buffer(data),
                read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=block),
                parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=refuse),
                convert_options=pacsv.ConvertOptions(
                    column_types={f"f{i}": pa.string() for i in range(width)},
                    null_values=[""],
                    strings_can_be_null=True,
                ),
            )
        except pa.ArrowInvalid as exc:
            if invalid:
                raise _ragged(path, data, invalid[0]) from None
            if "Empty CSV" in str(exc):  # nothing but empty lines
                raise DataError(f"{path}: empty file (no header)") from None
            if "straddl" in str(exc) and block < len(data):  # one value longer than a block
                block = min(2 * max(block, len(data)), 2**31 - 1)
                continue
            raise
        if all(pa.types.is_string(t) for t in table.schema.types):
            return table
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
