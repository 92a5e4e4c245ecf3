"""The summary table of value endpoints (issue 14): the usual PK table, per parameter.

N, mean, standard deviation (N - 1 in the denominator), median, minimum, maximum, geometric
mean and geometric CV% of AVAL over the subjects with a record. The geometric statistics
are over the positive values only (a logarithm needs them): NGEO says how many; a zero
(e.g. Cmax of a subject whose samples are all below the LLOQ, counted as 0) or a negative
value is left out of them and the printed table says how many were. GEOCV% is
100 x sqrt(exp(s^2) - 1), s the standard deviation of the logarithms; it needs two values
(NGEO < 2: missing), as the SD needs two (N < 2: missing).
"""

from __future__ import annotations

import math
import statistics

import pandas as pd

VALUE_SUMMARY_COLUMNS = [
    "PARAMCD", "PARAM", "AVALU", "N", "MEAN", "SD", "MEDIAN", "MIN", "MAX", "GEOMEAN", "GEOCV", "NGEO",
    "EXCLUDED",
]  # fmt: skip
_DTYPES = {
    "PARAMCD": "str", "PARAM": "str", "AVALU": "str", "N": "int64", "MEAN": "float64", "SD": "float64",
    "MEDIAN": "float64", "MIN": "float64", "MAX": "float64", "GEOMEAN": "float64", "GEOCV": "float64",
    "NGEO": "int64", "EXCLUDED": "int64",
}  # fmt: skip
LABELS = {
    "AVALU": "Analysis Value Unit", "N": "Subjects with a Value", "MEAN": "Arithmetic Mean",
    "SD": "Standard Deviation", "MEDIAN": "Median", "MIN": "Minimum", "MAX": "Maximum",
    "GEOMEAN": "Geometric Mean (positive values)", "GEOCV": "Geometric CV% (positive values)",
    "NGEO": "Positive Values (geometric statistics)", "EXCLUDED": "Subjects Excluded",
}  # fmt: skip


def with_dtypes(table: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    """`table.astype(dtypes)`, a missing text kept missing: pandas before 3 turns None and NaN
    into the texts "None" and "nan" when it casts to "str" (the km extra runs on pandas 2)."""
    typed = table.astype(dtypes)
    for column, dtype in dtypes.items():
        if dtype == "str" and typed[column].dtype == object:
            typed[column] = typed[column].where(table[column].notna(), None)
    return typed


def summarise_values(
    records: pd.DataFrame, parameters: list[tuple[str, str]], excluded: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per (PARAMCD, PARAM) of `parameters`, in their order, from the records'
    AVAL; `excluded` (USUBJID, PARAMCD): the subjects without a value, counted per parameter."""
    rows = []
    for code, param in parameters:
        mine = records[records.PARAMCD == code]
        values = [float(v) for v in mine.AVAL if not pd.isna(v)]
        units = sorted({str(u) for u in mine.AVALU if not pd.isna(u)}) if "AVALU" in mine else []
        n = len(values)
        logs = [math.log(v) for v in values if v > 0]
        # the statistics module sums exactly: equal values have an SD of exactly 0
        gsd = statistics.stdev(logs) if len(logs) > 1 else math.nan
        out = 0
        if excluded is not None and len(excluded):
            out = excluded[excluded.PARAMCD == code].USUBJID.nunique()
        rows.append((
            code, param, ", ".join(units) or None, n,
            statistics.fmean(values) if n else math.nan, statistics.stdev(values) if n > 1 else math.nan,
            statistics.median(values) if n else math.nan, min(values, default=math.nan),
            max(values, default=math.nan), math.exp(statistics.fmean(logs)) if logs else math.nan,
            100 * math.sqrt(math.expm1(gsd**2)) if not math.isnan(gsd) else math.nan, len(logs), out,
        ))  # fmt: skip
    return with_dtypes(pd.DataFrame(rows, columns=VALUE_SUMMARY_COLUMNS), _DTYPES)


def _number(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.4g}"


def format_value_summary(table: pd.DataFrame) -> str:
    """The table as fixed-width text, with a note per parameter whose geometric statistics
    leave out values that are not positive."""
    header = ["PARAMCD", "AVALU", "N", "MEAN", "SD", "MEDIAN", "MIN", "MAX", "GEOMEAN", "GEOCV%"]
    rows = [header]
    for r in table.itertuples(index=False):
        numbers = [r.MEAN, r.SD, r.MEDIAN, r.MIN, r.MAX, r.GEOMEAN]
        unit = "" if pd.isna(r.AVALU) else str(r.AVALU)
        rows.append([str(r.PARAMCD), unit, str(r.N), *map(_number, numbers), _number(r.GEOCV)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in rows]  # fmt: skip
    for r in table.itertuples(index=False):
        if r.NGEO < r.N:
            left = r.N - r.NGEO
            lines.append(
                f"{r.PARAMCD}: geometric statistics over {r.NGEO} positive values ({left} zero or negative left out)"
            )
        if r.EXCLUDED:
            subjects = "subject" if r.EXCLUDED == 1 else "subjects"
            lines.append(f"{r.PARAMCD}: {r.EXCLUDED} {subjects} without a value (see the report)")
    return "\n".join(lines)
