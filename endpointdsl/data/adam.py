"""adam: the records every engine derived, made ADaM-complete in one place (issue 13, part 4).

STUDYID (when the subject table has it), the carried subject-level columns of `keep`
(joined on the subject key), PARAMN, and ADaM's column order: STUDYID, USUBJID, the
carried columns in `keep` order, PARAMCD, PARAM, PARAMN, then the analysis columns as the
engines give them. The engines never see these columns, so the three agree on them by
construction. Labels travel in `frame.attrs["labels"]` and the dataset's name and label in
`frame.attrs["dataset"]` / `frame.attrs["dataset_label"]`, for the writers.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import TYPE_CHECKING

from .errors import DataError
from .groups import is_parameter_of
from .values import normalise, subject_key

if TYPE_CHECKING:  # pandas is imported where it is used: the checker imports RESERVED (fast --help)
    import pandas as pd
    import pyarrow as pa

_FORMAT = re.compile(
    r"^\$?[A-Za-z_]*[0-9]*\.[0-9]*$"
)  # a SAS format as pyreadstat writes it: $20., BEST12., 8.2
DATASET_LABEL_MAX = 40  # SAS transport v5 and ADaM: a dataset label holds at most 40 bytes
# The columns the output writes itself: a carried column may not take one of these names.
RESERVED = frozenset(
    {
        "STUDYID", "USUBJID", "PARAMCD", "PARAM", "PARAMN", "PARCAT1", "PARCAT1N", "PARCAT2", "STARTDT", "STARTDTF",
        "STARTDTM", "ADT", "ADTF", "ADTM", "AVAL", "AVALC", "AVALU", "CNSR", "EVNTDESC", "CNSDTDSC",
        "SRCDOM", "SRCVAR", "SRCSEQ",
    }
)  # fmt: skip


def check_kept(
    keep: list[tuple[str, str, int]], table: str, frame: pd.DataFrame, file: str, key: str | None = None
) -> None:
    """Every kept column is in the subject table and readable, and a *DT / *DTM one holds dates
    (every row, so `check --data` on a sample and `run` before deriving say it alike, with the
    first subject whose cell is not one); else one DataError naming each with its `keep` line
    (exit 2, as any other missing or unusable column)."""
    present = [str(c) for c in frame.columns]
    where = f" ({frame.attrs['path']})" if "path" in frame.attrs else ""
    unusable = frame.attrs.get("unusable", {})  # set by read: a Parquet list, struct... reads as missing
    problems = []
    for column, _name, line in keep:
        if column in unusable:
            problems.append(
                f"table '{table}'{where}: column {column}, kept by `keep` at {file}:{line}, holds "
                f"{unusable[column]}, not text, numbers or dates"
            )
        if column in present:
            if column not in unusable:
                problems += _not_dates(frame, column, _name, key, f"table '{table}'{where}", file, line)
            continue
        close = [p for p in present if p.casefold() == column.casefold()]
        close = close or difflib.get_close_matches(column, present, n=1, cutoff=0.7)
        hint = f" (did you mean {close[0]}?)" if close else ""
        problems.append(
            f"table '{table}'{where} has no column {column}, kept by `keep` at {file}:{line}{hint}"
        )
    if problems:
        raise DataError("\n".join(problems))


def number_parameters(
    endpoints: list[tuple[str, bool]],
    numbers: dict[str, int],
    stated: frozenset[str],
    present: list[str],
    where: dict[str, str] | None = None,
) -> dict[str, int]:
    """PARAMN of every PARAMCD in `present` (docs/semantics.md section 9): parameters are
    numbered consecutively in file order. `endpoints` is (code, grouped) in file order;
    `numbers` each endpoint's PARAMN as the checker gave it (stated, or its position).
    Without a grouped endpoint that is the answer. A grouped endpoint's parameters
    (`for each`: the code and a zero-padded number, 8 characters) take consecutive numbers
    in PARAMCD order from its stated `paramn` or from its position counting every earlier
    parameter; a later endpoint's position counts them too. Two parameters with one number
    (a stated `paramn` inside another endpoint's run of numbers) stop the run, naming the
    file and line of the endpoint (`where`: code -> "file:line")."""
    if not any(grouped for _, grouped in endpoints):
        return dict(numbers)
    codes = sorted(set(present))
    out: dict[str, int] = {}
    owner: dict[str, str] = {}  # PARAMCD -> its endpoint's code
    position = 1
    for code, grouped in endpoints:
        params = [c for c in codes if is_parameter_of(code, c)] if grouped else [code]
        first = numbers[code] if code in stated else position
        out.update({p: first + i for i, p in enumerate(params)})
        owner.update(dict.fromkeys(params, code))
        position += len(params)
    taken: dict[int, str] = {}
    for code, number in sorted(out.items(), key=lambda kv: (kv[1], kv[0])):
        if number in taken:
            at = (where or {}).get(owner[code])
            raise DataError(
                (f"{at}: " if at else "")
                + f"PARAMN {number} would be both {taken[number]}'s and {code}'s: a grouped endpoint's "
                "parameters take consecutive numbers from its own; state `paramn N` so that the runs "
                "of numbers do not meet"
            )
        taken[number] = code
    return out


def _not_dates(frame, column: str, name: str, key: str | None, where: str, file: str, line: int) -> list[str]:
    """The first cell of a kept *DT / *DTM column that is not a date (date and time)."""
    upper = name.upper()
    if not upper.endswith(("DT", "DTM")):
        return []
    convert = _datetime if upper.endswith("DTM") else _date
    keys = frame[key].tolist() if key in frame.columns else [None] * len(frame)
    for sid, value in zip(keys, frame[column].tolist(), strict=True):
        try:
            convert(normalise(value), name, file, line)
        except DataError as exc:
            subject = subject_key(sid)
            return [f"{where}{f', subject {subject}' if subject else ''}: {exc}"]
    return []


def complete(
    adtte: pd.DataFrame,
    subject: pd.DataFrame,
    key: str,
    keep: list[tuple[str, str, int]],
    paramn: dict[str, int],
    dataset: str = "ADTTE",
    label: str | None = None,
    file: str = "",
) -> pd.DataFrame:
    """The ADaM-complete frame: `adtte` (one engine's records) with STUDYID, the `keep`
    columns ((column, output name, line) each) of `subject` (the subject table, keyed by
    `key`) and PARAMN, in ADaM's order. A subject of the records always has its subject
    row (the engines derive only the subjects of that table); a subject with two rows has
    no record (excluded as a duplicate), so the join is one to one."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    rows: list = []

    def at() -> list[int | None]:
        """Each record's subject row (the first with its key), found when a column is carried."""
        if not rows:
            keys = _keys(subject[key]) if key in subject.columns else pa.nulls(0, pa.string())
            sids = pa.array(adtte["USUBJID"], type=pa.string(), from_pandas=True)
            rows.append(pc.index_in(sids, value_set=keys).to_pylist())  # the first match, as setdefault
        return rows[0]

    out = adtte.copy()
    labels: dict[str, str] = {}
    front: list[str] = []
    if "STUDYID" in subject.columns:
        out["STUDYID"] = _column(subject["STUDYID"], at(), "STUDYID", file, 0, text=True).set_axis(out.index)
        front.append("STUDYID")
        labels["STUDYID"] = "Study Identifier"
    front.append("USUBJID")
    source_labels = subject.attrs.get("labels", {})
    source_formats = subject.attrs.get("formats", {})
    formats: dict[str, str] = {}
    for column, name, line in keep:
        out[name] = _column(subject[column], at(), name, file, line).set_axis(out.index)
        front.append(name)
        if source_labels.get(column):
            labels[name] = source_labels[column]
        fmt = source_formats.get(column)
        if fmt and _FORMAT.match(fmt) and not name.upper().endswith(("DT", "DTM")):  # the writer dates *DT
            formats[name] = fmt
    codes, uniques = pd.factorize(out["PARAMCD"])
    numbers = np.array([paramn.get(c, 0) for c in uniques] + [0], dtype="int64")
    out["PARAMN"] = pd.Series(numbers[codes], dtype="int64", index=out.index)  # code -1 (missing): 0
    params = ["PARAMCD", "PARAM", *(c for c in ("PARCAT1", "PARCAT2") if c in out.columns), "PARAMN"]
    rest = [c for c in adtte.columns if c not in {*front, *params}]
    out = out[[*front, *params, *rest]]
    out.attrs = {"labels": labels, "formats": formats, "dataset": dataset}
    if label is not None:
        out.attrs["dataset_label"] = label
    return out


# what str.strip() strips (every chr(i).isspace() is below U+3001)
_BLANKS = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())


def _keys(column: pd.Series) -> pa.Array:
    """values.subject_key of each cell: for a column of texts, Arrow's trim of the same blanks
    (a million keys in a few hundredths of a second, not seconds), else cell by cell."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = pd.api.types.infer_dtype(column, skipna=True)
    if kind in ("string", "empty") and not isinstance(column.dtype, pd.CategoricalDtype):
        try:
            text = pa.array(column, type=pa.string(), from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            text = None
        if text is not None:
            trimmed = pc.utf8_trim(text, characters=_BLANKS)
            keys = pc.if_else(pc.equal(pc.binary_length(trimmed), 0), pa.scalar(None, pa.string()), trimmed)
            return keys
    return pa.array([subject_key(normalise(v)) for v in column.tolist()], type=pa.string())


def _column(source: pd.Series, at: list[int | None], name: str, file: str, line: int, text: bool = False):
    """The carried values of one column, one per record, the same whatever reader gave the
    table (Arrow-backed or not): text stays text, whole numbers are Int64, other numbers
    float64; a name ending in DT holds dates and one ending in DTM dates and times (as
    ADaM names them, and as the writers write them)."""
    import pandas as pd

    values = source.tolist()
    cells = [None if i is None else normalise(values[i]) for i in at]
    upper = name.upper()
    if text:
        return pd.Series([_text(v) for v in cells], dtype=object)
    if upper.endswith("DTM"):
        return pd.Series([_datetime(v, name, file, line) for v in cells], dtype="datetime64[ns]")
    if upper.endswith("DT"):
        return pd.Series([_date(v, name, file, line) for v in cells], dtype=object)
    present = [v for v in cells if v is not None]
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.Series(cells, dtype="Int64")
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pd.Series([float("nan") if v is None else float(v) for v in cells], dtype="float64")
    return pd.Series([_text(v) for v in cells], dtype=object)


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _date(value: object, name: str, file: str, line: int) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and (len(value) == 10 or value[10:11] in ("T", " ")):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise DataError(
        f"kept column {name} ({file}:{line}) holds {value!r}, not a date: a name ending in DT is written as a "
        "date (YYYY-MM-DD); rename it with `as`, or keep a date column"
    )


def _datetime(value: object, name: str, file: str, line: int) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
        return value.replace(tzinfo=None)  # the clock time in its own zone (semantics.md 7)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        try:  # an offset (+01:00, Z) is dropped: the clock time as written
            return dt.datetime.fromisoformat(value).replace(tzinfo=None)
        except ValueError:
            pass
    raise DataError(
        f"kept column {name} ({file}:{line}) holds {value!r}, not a date and time: a name ending in DTM is "
        "written as one (YYYY-MM-DDTHH:MM:SS); rename it with `as`, or keep a date-time column"
    )
