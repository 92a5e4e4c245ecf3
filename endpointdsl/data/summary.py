"""Summary tables for binary (Y/N) and categorical per-subject parameters.

One row per parameter and category: n, the denominator N, the rate and its exact
(Clopper-Pearson) confidence interval, and how many subjects were excluded from N.
scipy is imported only when an interval is computed, so the CLI starts fast.
"""

from __future__ import annotations

import math
import operator

import pandas as pd
from attrs import field, frozen

SUMMARY_COLUMNS = ["PARAMCD", "PARAM", "CATEGORY", "n", "N", "RATE", "LOWER", "UPPER", "EXCLUDED"]
KINDS = ("flag", "category")
FLAG_VALUES = ("Y", "N")
_DTYPES = {  # fixed, so that an empty table has the same column types as any other
    "PARAMCD": "str",
    "PARAM": "str",
    "CATEGORY": "str",
    "n": "int64",
    "N": "int64",
    "RATE": "float64",
    "LOWER": "float64",
    "UPPER": "float64",
    "EXCLUDED": "int64",
}
# SAS transport: variable names ignore case, so n and N cannot both be names there. The XPT
# summary calls them COUNT and DENOM; the labels say which is which.
XPT_NAMES = {"n": "COUNT", "N": "DENOM"}
XPT_LABELS = {
    "PARAMCD": "Parameter Code",
    "PARAM": "Parameter",
    "CATEGORY": "Category of AVALC",
    "COUNT": "Subjects in Category (n)",
    "DENOM": "Subjects in Denominator (N)",
    "RATE": "Rate (n/N)",
    "LOWER": "Lower Exact (Clopper-Pearson) CI Limit",
    "UPPER": "Upper Exact (Clopper-Pearson) CI Limit",
    "EXCLUDED": "Subjects Excluded from N",
}


def _check_level(level: float) -> None:
    if not 0 < level < 1:  # also rejects NaN
        raise ValueError(f"confidence level must be strictly between 0 and 1, got {level!r}")


def clopper_pearson(n: int, N: int, level: float = 0.95) -> tuple[float, float]:
    """Exact two-sided binomial interval for n successes out of N, via beta quantiles.

    Equal tails of (1 - level) / 2, as R's binom.test and SAS PROC FREQ (EXACT BINOMIAL).
    N == 0 has no estimate: (nan, nan).
    """
    n, N = operator.index(n), operator.index(N)  # counts: reject floats such as 2.5
    if not 0 <= n <= N:
        raise ValueError(f"counts must satisfy 0 <= n <= N, got n={n}, N={N}")
    _check_level(level)
    if N == 0:
        return (math.nan, math.nan)
    from scipy.stats import beta  # lazy: scipy takes a while to import

    tail = (1 - level) / 2
    lower = 0.0 if n == 0 else float(beta.ppf(tail, n, N - n + 1))
    upper = 1.0 if n == N else float(beta.ppf(1 - tail, n + 1, N - n))
    return (lower, upper)


def _check_kind(_spec: SummarySpec, _attribute, kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")


def _as_categories(value) -> tuple[str, ...]:
    if isinstance(value, str):  # tuple("CR") would quietly give ("C", "R")
        raise ValueError(f"categories must be a sequence of strings, got the string {value!r}")
    return tuple(value)


def _check_categories(spec: SummarySpec, _attribute, value: tuple[str, ...]) -> None:
    if spec.kind == "flag" and value:
        raise ValueError(f"{spec.paramcd}: a flag counts 'Y' and takes no categories, got {value}")
    repeated = sorted({c for c in value if value.count(c) > 1})
    if repeated:
        raise ValueError(f"{spec.paramcd}: categories listed more than once: {', '.join(repeated)}")


@frozen
class SummarySpec:
    """What to summarise for one parameter.

    kind "flag": one row, the subjects with AVALC "Y". kind "category": one row per
    listed category, in the given order, then any other value found, sorted.
    """

    paramcd: str
    param: str
    kind: str = field(validator=_check_kind)
    categories: tuple[str, ...] = field(default=(), converter=_as_categories, validator=_check_categories)

    def rows(self, present: set[str]) -> list[str]:
        """The categories to report, given the values present in the data."""
        if self.kind == "flag":
            return ["Y"]
        return [*self.categories, *sorted(present - set(self.categories))]


def _require_columns(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} has no column {', '.join(missing)}")


def _listing(values) -> str:
    """A short, sorted list of values for an error message."""
    shown = sorted({str(v) for v in values})
    more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
    return ", ".join(shown[:5]) + more


def _clean_records(records: pd.DataFrame, specs: list[SummarySpec]) -> pd.DataFrame:
    """The records of the specified parameters with AVALC stripped; every data problem raises."""
    _require_columns(records, ["USUBJID", "PARAMCD", "AVALC"], "records")
    keys = records[["USUBJID", "PARAMCD"]]
    duplicated = keys[keys.duplicated(keep=False)]
    if len(duplicated):
        pairs = sorted({f"{s}/{p}" for s, p in duplicated.itertuples(index=False)})
        raise ValueError(
            f"records must have one row per subject and parameter; duplicated (USUBJID/PARAMCD): "
            f"{_listing(pairs)}"
        )
    used = records[records.PARAMCD.isin([s.paramcd for s in specs])]
    # SAS character values come padded with blanks; a blank value is a missing one.
    avalc = used.AVALC.map(lambda v: None if pd.isna(v) or not str(v).strip() else str(v).strip())
    used = used.assign(AVALC=avalc)
    problems = used[used.USUBJID.isna() | used.AVALC.isna()]
    if len(problems):
        raise ValueError(
            f"records with a missing USUBJID or AVALC cannot be counted; parameter(s) "
            f"{_listing(problems.PARAMCD)}, subject(s) {_listing(problems.USUBJID.dropna())}"
        )
    return used


def _check_flags(used: pd.DataFrame, spec: SummarySpec) -> None:
    # Anything but Y/N (e.g. "y", "1") would silently count as "not Y": refuse it instead.
    values = used.AVALC[used.PARAMCD == spec.paramcd]
    odd = sorted(set(values) - set(FLAG_VALUES))
    if odd:
        raise ValueError(f"{spec.paramcd} is a Y/N flag but AVALC has {', '.join(map(repr, odd))}")


def _excluded_counts(
    excluded: pd.DataFrame | None, used: pd.DataFrame, specs: list[SummarySpec]
) -> dict[str, int]:
    """Distinct excluded subjects per parameter; an excluded subject must not also be in N."""
    if excluded is None:
        return {}
    _require_columns(excluded, ["USUBJID", "PARAMCD"], "excluded")
    pairs = excluded[["USUBJID", "PARAMCD"]].drop_duplicates()
    pairs = pairs[pairs.PARAMCD.isin([s.paramcd for s in specs])]
    both = pairs.merge(used[["USUBJID", "PARAMCD"]], on=["USUBJID", "PARAMCD"])
    if len(both):
        raise ValueError(
            "subjects both excluded from a parameter and counted in it (pass only the exclusions, "
            f"e.g. RunResult.excluded): {_listing(f'{s}/{p}' for s, p in both.itertuples(index=False))}"
        )
    return pairs.groupby("PARAMCD").USUBJID.nunique().to_dict()


def _spec_rows(spec: SummarySpec, values: pd.Series, excluded: int, level: float) -> list[tuple]:
    counts = values.value_counts().to_dict()
    N = len(values)
    rows = []
    for category in spec.rows(set(counts)):
        n = int(counts.get(category, 0))
        rate = n / N if N else math.nan
        rows.append((spec.paramcd, spec.param, category, n, N, rate, *clopper_pearson(n, N, level), excluded))
    return rows


def summarise(
    records: pd.DataFrame,
    specs: list[SummarySpec],
    excluded: pd.DataFrame | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """The summary table: one row per spec and category, in spec then category order.

    records: one row per subject and parameter (USUBJID, PARAMCD, AVALC); parameters
    without a spec are ignored. excluded: USUBJID, PARAMCD of the subjects left out of
    a parameter's denominator (several reasons per subject count once).
    """
    _check_level(level)
    codes = [s.paramcd for s in specs]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise ValueError(f"more than one spec for {', '.join(repeated)}")
    used = _clean_records(records, specs)
    for spec in specs:
        if spec.kind == "flag":
            _check_flags(used, spec)
    n_excluded = _excluded_counts(excluded, used, specs)
    rows = []
    for spec in specs:
        values = used.AVALC[used.PARAMCD == spec.paramcd]
        rows += _spec_rows(spec, values, int(n_excluded.get(spec.paramcd, 0)), level)
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    return table.astype(_DTYPES)


def _percent(x: float) -> str:
    return f"{100 * x:.1f}%"


def _level_label(level: float) -> str:
    return f"{100 * level:.10g}%"  # 0.95 -> "95%", 0.975 -> "97.5%"


def _text_cells(table: pd.DataFrame) -> list[list[str]]:
    cells = []
    for r in table.itertuples(index=False):
        empty = r.N == 0  # no denominator: no rate, no interval
        rate = "-" if empty else _percent(r.RATE)
        ci = "-" if empty else f"{_percent(r.LOWER):>6} - {_percent(r.UPPER):>6}"  # "100.0%" is widest
        cells.append([str(r.PARAMCD), str(r.PARAM), str(r.CATEGORY), str(r.n), str(r.N), rate, ci])
    return cells


def _line(cells: list[str], widths: list[int]) -> str:
    right = {3, 4, 5}  # n, N and RATE line up on the right
    padded = [
        c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    ]
    return "  ".join(padded).rstrip()


def format_summary(table: pd.DataFrame, level: float = 0.95) -> str:
    """The table of `summarise` as fixed-width text, with a footnote per parameter with exclusions.

    `level` only labels the interval column: pass the level given to `summarise`.
    """
    _check_level(level)
    header = ["PARAMCD", "PARAM", "CATEGORY", "n", "N", "RATE", f"{_level_label(level)} CI (Clopper-Pearson)"]
    rows = [header, *_text_cells(table)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [_line(row, widths) for row in rows]
    per_param = table.drop_duplicates("PARAMCD")
    for code, count in zip(per_param.PARAMCD, per_param.EXCLUDED, strict=True):
        if count:
            subjects = "subject" if count == 1 else "subjects"
            lines.append(f"{code}: {count} {subjects} excluded from N (see the report)")
    return "\n".join(lines)
