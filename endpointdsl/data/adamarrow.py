"""adam in Arrow (issue 16): `adam.complete` for records kept as an Arrow table (arrowrecords).

The same columns, order, values and attrs as `adam.complete` gives, as Arrow columns the
writers write as they write the frame's (arrowwrite): STUDYID taken from the subject table
by the records' subject rows, PARAMN looked up per PARAMCD, a `keep` column made by adam's
own `_column` (cell by cell, as before: `keep` is a handful of columns) and converted as the
Parquet writer converts it. The pandas frame, when asked for, is `adam.complete`'s.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .adam import _BLANKS, _FORMAT, _column, _keys, complete
from .arrowrecords import Records


def complete_records(
    records: Records,
    subject: pd.DataFrame,
    key: str,
    keep: list[tuple[str, str, int]],
    paramn: dict[str, int],
    dataset: str = "ADTTE",
    label: str | None = None,
    file: str = "",
) -> Records:
    """adam.complete of Arrow records (its arguments and meaning), as Arrow records."""
    table = records.table
    rows: list = []

    def at() -> pa.Array:
        """Each record's subject row (the first with its key), found when a column is carried."""
        if not rows:
            keys = _keys(subject[key]) if key in subject.columns else pa.nulls(0, pa.string())
            rows.append(pc.index_in(table["USUBJID"], value_set=keys))
        return rows[0]

    front: dict[str, pa.ChunkedArray | pa.Array] = {}
    labels: dict[str, str] = {}
    if "STUDYID" in subject.columns:
        front["STUDYID"] = _studyid(subject["STUDYID"], at, file)
        labels["STUDYID"] = "Study Identifier"
    front["USUBJID"] = table["USUBJID"]
    source_labels = subject.attrs.get("labels", {})
    source_formats = subject.attrs.get("formats", {})
    formats: dict[str, str] = {}
    for column, name, line in keep:
        values = _column(subject[column], at().to_pylist(), name, file, line)
        front[name] = _arrow(values, dates=name.upper().endswith("DT"))
        if source_labels.get(column):
            labels[name] = source_labels[column]
        fmt = source_formats.get(column)
        if fmt and _FORMAT.match(fmt) and not name.upper().endswith(("DT", "DTM")):  # the writer dates *DT
            formats[name] = fmt
    codes = sorted(paramn)
    numbers = pa.array([paramn[c] for c in codes], pa.int64())
    found = pc.index_in(table["PARAMCD"], value_set=pa.array(codes, pa.string()))
    number = pc.fill_null(pc.take(numbers, found), 0)  # a code without a number (or missing): 0
    names = table.column_names
    params = ["PARAMCD", "PARAM", *(c for c in ("PARCAT1", "PARCAT2") if c in names)]
    columns = {
        **front,
        **{c: table[c] for c in params},
        "PARAMN": number,
        **{c: table[c] for c in names if c not in {*front, *params, "PARAMN"}},
    }
    attrs = {"labels": labels, "formats": formats, "dataset": dataset}
    if label is not None:
        attrs["dataset_label"] = label
    out = pa.table(list(columns.values()), names=list(columns))

    # a partial of module functions, not a closure: a RunResult holding Records stays picklable;
    # it holds only the subject columns `complete` reads, not the whole table, for as long as
    # the result lives (issue 16, mem)
    held = _read_by_complete(subject, key, keep)
    convert = partial(_completed, records.convert, held, key, keep, paramn, dataset, label, file)
    return Records(out, convert, attrs)


def _read_by_complete(subject: pd.DataFrame, key: str, keep: list[tuple[str, str, int]]) -> pd.DataFrame:
    """The subject table's columns that adam.complete reads (the key, STUDYID, the `keep`
    columns), with its attrs (the carried labels and formats); the table itself when that is all."""
    wanted = {key, "STUDYID", *(column for column, _, _ in keep)}
    columns = [c for c in subject.columns if c in wanted]
    if len(columns) == len(subject.columns):
        return subject
    narrow = subject[columns]
    narrow.attrs = dict(subject.attrs)
    return narrow


def _completed(convert, *args) -> pd.DataFrame:
    """adam.complete of the records' pandas frame (what `Records.frame` gives for completed records)."""
    return complete(convert(), *args)


def _studyid(source: pd.Series, at, file: str) -> pa.Array:
    """adam._column(text=True) of STUDYID: a text column taken by the subject rows in Arrow
    (values.normalise's trailing blanks dropped, an empty text missing); any other cell by cell."""
    text = _text_array(source)
    if text is None:
        return pa.array(_column(source, at().to_pylist(), "STUDYID", file, 0, text=True), pa.string())
    taken = pc.utf8_rtrim(pc.take(text, at()), characters=_BLANKS)
    return pc.if_else(pc.equal(pc.binary_length(taken), 0), pa.scalar(None, pa.string()), taken)


def _text_array(source: pd.Series) -> pa.Array | None:
    """A column of texts (and missing cells) as an Arrow string array, else None."""
    kind = pd.api.types.infer_dtype(source, skipna=True)
    if kind != "string" or isinstance(source.dtype, pd.CategoricalDtype):
        return None
    try:
        array = pa.array(source, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_large_string(array.type):
        array = array.cast(pa.string())
    return array if pa.types.is_string(array.type) else None


def _arrow(values: pd.Series, dates: bool) -> pa.Array:
    """A carried column as the Parquet writer converts it (write._dates, write._arrow)."""
    from .write import _arrow as arrow
    from .write import _dates

    return _dates(values) if dates else arrow(values)
