"""Input validation, date columns: a column whose values are mostly not dates stops the run.

Called by `tables.validate`, so before any engine derives anything. A few unusable
dates stay per-subject findings; a column in which more than half of the non-empty
values (and at least MIN_UNUSABLE) are not usable under the event's format is one
error that says what the values look like and what to write instead (a `format`, an
`impute` rule, or a date format in SAS), instead of one finding per row.
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa

from .dates import FORMATS, ISO, SAS_DAYS, impute, parse_date
from .errors import DataError
from .values import normalise

MIN_UNUSABLE = 5  # fewer unusable values are findings, whatever the share
EXAMPLES = 3
_NUMERIC_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?")
_PARTIAL_ISO = re.compile(r"[0-9]{4}(?:-[0-9]{2})?")
_YEAR = re.compile(r"[0-9]{4}")
SAS_FILES = (".xpt", ".sas7bdat")


def check_date_columns(tables_meta: dict, tables: dict[str, pd.DataFrame], file: str) -> None:
    """Raise DataError naming every date column that is mostly unusable (one line each)."""
    problems = []
    for name, meta in tables_meta.items():
        readings: dict[str, dict[tuple, list]] = {}  # column -> (format, imputes) -> [(event, line)]
        for column, fmt, rule, event, line in meta.get("dates", ()):
            imputes = False if rule is None else ("day" if rule.endswith(" day") else True)
            readings.setdefault(column, {}).setdefault((fmt, imputes), []).append((event, line))
        for column, by_reading in readings.items():
            problem = column_problem(name, tables[name], column, by_reading, file)
            if problem:
                problems.append(problem)
    if problems:
        raise DataError("\n".join(problems))


def usable(value: object, fmt: str | None, imputes: bool | str) -> bool:
    """The engines' reading: a date in the format, or (with `impute`) a partial ISO date
    (imputes "day": `impute first day`, a year without its month is not one)."""
    if imputes:
        return impute(value, "first", day_only=imputes == "day")[0] is not None
    return parse_date(value, fmt)[0] is not None


def column_problem(
    table: str, frame: pd.DataFrame, column: str, by_reading: dict, file: str, values: list | None = None
) -> str | None:
    """One line for a column that some events read as mostly unusable, else None. Events that
    read it alike share a line; those that read it another way (`impute`) join it if they
    fail too, and the first failing reading supplies the counts. `values`: the column's
    `distinct_values` when counted elsewhere (issue 16: by Spark's executors)."""
    series = frame[column]
    if not isinstance(series, pd.Series):  # two columns of one name: not this check's to judge
        return None
    if _all_dates(series):  # every reading takes a date object as it is: nothing is unusable
        return None
    values = distinct_values(series) if values is None else values
    filled = sum(count for _, count in values)
    failing = []
    for (fmt, imputes), events in by_reading.items():
        bad = [(value, count) for value, count in values if not usable(value, fmt, imputes)]
        unusable = sum(count for _, count in bad)
        if unusable >= MIN_UNUSABLE and 2 * unusable > filled:
            failing.append((fmt, imputes, events, bad, unusable))
    if not failing:
        return None
    fmt, imputes, _, bad, unusable = failing[0]
    events = [event for failure in failing for event in failure[2]]
    path = frame.attrs.get("path")
    where = f"{path}: column {column}" if path else f"table '{table}': column {column}"
    readers = ", ".join(f"{event} ({file}:{line})" for event, line in events)
    what = {None: f"{ISO} (ISO 8601) dates", SAS_DAYS: SAS_DAYS}.get(fmt, f"{fmt} dates")
    examples = ", ".join(_shown(value) for value, _ in bad[:EXAMPLES])
    head = (
        f"{where}, read as a date by event{'s' if len(events) > 1 else ''} {readers}: {unusable} of its "
        f"{filled} non-empty values are not {what}, e.g. {examples}"
    )
    return f"{head}; {_advice(values, bad, fmt, imputes, table, column, path)}"


def distinct_values(series: pd.Series) -> list[tuple[object, int]]:
    """(normalised value, count) of the non-missing cells, in order of first appearance."""
    if (
        pd.api.types.is_object_dtype(series.dtype)
        and pd.api.types.infer_dtype(series, skipna=True) != "string"
    ):
        counts: dict = {}
        for cell in series.to_numpy(dtype=object):  # mixed kinds: 1, 1.0 and True read differently
            value = normalise(cell)
            if value is not None:
                key = _key(value)
                first, count = counts.get(key, (value, 0))
                counts[key] = (first, count + 1)
        return list(counts.values())
    if isinstance(series.dtype, pd.ArrowDtype) and counted_by_arrow(series.dtype.pyarrow_dtype):
        # Arrow's own count (first-appearance order): pandas' factorize of an Arrow column
        # took seconds at 9M rows; the values are the Python scalars pandas would give
        import pyarrow.compute as pc

        counted = pc.value_counts(pa.array(series)).flatten()
        return merged_counts(zip(counted[0].to_pylist(), counted[1].to_pylist(), strict=True))
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    tally = pd.Series(codes[codes >= 0]).value_counts(sort=False).to_dict()
    merged: dict = {}
    for index, unique in enumerate(uniques):
        value = normalise(unique.item() if hasattr(unique, "item") else unique)
        if value is not None:  # a blank text is missing too
            key = (type(value), value)
            merged[key] = merged.get(key, 0) + tally.get(index, 0)
    return [(value, count) for (_, value), count in merged.items()]


def merged_counts(pairs) -> list[tuple[object, int]]:
    """(normalised value, count) of (raw value, count) pairs in order of first appearance:
    raw values that normalise alike counted together, missing ones (a blank text) left out."""
    merged: dict = {}
    for unique, count in pairs:
        value = normalise(unique)
        if value is not None:
            merged[(type(value), value)] = merged.get((type(value), value), 0) + count
    return [(value, count) for (_, value), count in merged.items()]


def _all_dates(series: pd.Series) -> bool:
    """An Arrow date column (as Parquet dates are read): each value is a date object, which
    parse_date and impute return as it is in every format, and a missing one is not counted,
    so no value can be unusable; counting its distinct values (0.09 s at 9M rows) is skipped."""
    return isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_date(series.dtype.pyarrow_dtype)


def counted_by_arrow(kind) -> bool:
    """Arrow types whose to_pylist gives the scalars pandas gives (timestamps: Timestamp, not)."""
    return any(test(kind) for test in (pa.types.is_string, pa.types.is_large_string, pa.types.is_date32,
                                       pa.types.is_integer, pa.types.is_boolean))  # fmt: skip


def _key(value: object) -> tuple:
    """A dict key for a cell: its type and value (its repr when it cannot be hashed)."""
    try:
        hash(value)
    except TypeError:
        return (type(value), repr(value))
    return (type(value), value)


def _shown(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _numeric(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float)) or (
        isinstance(value, str) and bool(_NUMERIC_TEXT.fullmatch(value.strip()))
    )


def _advice(values, bad, fmt, imputes, table, column, path) -> str:
    """What to write: the format the values fit, an imputation rule, or what to do in SAS."""
    unusable = sum(count for _, count in bad)
    if imputes == "day":
        years = sum(
            count for value, count in bad if isinstance(value, str) and _YEAR.fullmatch(value.strip())
        )
        if 2 * years > unusable:
            return "most have only a year: `impute RULE day` imputes only the day; write `impute RULE` (without `day`) to impute month and day too"
    share = sum(count for value, count in bad if _numeric(value))
    clause = f"after {table}.{column} in the event"
    verb = "add" if fmt is None else "write"
    fits = _fits(values, fmt)
    if 2 * share > unusable and fits != ["YYYYMMDD"] and fmt != SAS_DAYS:
        sas = path is not None and path.lower().endswith(SAS_FILES)
        origin = (
            "a SAS date variable without a date format arrives so"
            if sas
            else "SAS date values or Excel serial days?"
        )
        return (
            f"the values are numbers ({origin}): give the variable a date format in SAS "
            f"(`format {column} date9.;`) before writing the file, or, for days since 1960-01-01, "
            f'{verb} `format "{SAS_DAYS}"` {clause}'
            + ("" if sas else "; Excel serial days are not read: format the column as yyyy-mm-dd in Excel")
        )
    if fmt is None and not imputes:
        partial = sum(
            count for value, count in bad if isinstance(value, str) and _PARTIAL_ISO.fullmatch(value.strip())
        )
        if 2 * partial > unusable:
            return "most are partial dates (2021-03, 2021): declare how to complete them with `impute first|mid|last`"
    if len(fits) == 1:
        return f'they read as {fits[0]}: {verb} `format "{fits[0]}"` {clause}'
    if fits:
        choices = " or ".join(f'`format "{f}"`' for f in fits)
        return f"they read as {' or as '.join(fits)}, which the values cannot tell apart: {verb} {choices} {clause}"
    return "no known date format reads most of them; known formats: " + ", ".join(f'"{f}"' for f in FORMATS)


def _fits(values, fmt) -> list[str]:
    """The other formats that read the most values, if they read more than half of them."""
    filled = sum(count for _, count in values)
    scores = {}
    for other in FORMATS:
        if (None if other == ISO else other) != fmt:
            scores[other] = sum(count for value, count in values if parse_date(value, other)[0] is not None)
    best = max(scores.values(), default=0)
    return [f for f, score in scores.items() if score == best] if 2 * best > filled else []
