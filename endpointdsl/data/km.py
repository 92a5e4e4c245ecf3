"""Kaplan-Meier results of an ADTTE: counts, quartiles with Brookmeyer-Crowley intervals,
survival at stated times; cumulative incidence (Aalen-Johansen) where events compete.

lifelines (an optional extra, `endpointdsl[km]`) fits the Kaplan-Meier curve: its event
table (numbers at risk, events) and its survival function. From them this module takes
Greenwood's variance, the pointwise intervals of the transformation asked for (`log-log`,
SAS PROC LIFETEST's default; `log`, R survival's default; `plain`), and the quantiles and
their intervals as R survival's `quantile.survfit` and SAS define them (docs/km.md). The
cumulative incidence is the Aalen-Johansen estimate with the delta-method variance of
lifelines' AalenJohansenFitter, computed here on the tied times as they are (lifelines
jitters tied times of different causes at random, which would make a report change from
run to run). Everything is imported lazily: the CLI starts fast without lifelines.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from attrs import frozen

from .errors import DataError
from .value_summary import with_dtypes

CONF_TYPES = ("log-log", "log", "plain")
# Days in a unit of AVAL (AVALU), as check.model.UNIT_DAYS and TIME_UNIT_SECONDS say
# (tests/test_km.py holds them equal); data/ does not import check/.
AVALU_DAYS = {
    "DAYS": 1.0, "WEEKS": 7.0, "MONTHS": 30.4375, "YEARS": 365.25, "HOURS": 1 / 24, "MINUTES": 1 / 1440,
}  # fmt: skip
UNIT_NAMES = {
    "day": "DAYS", "days": "DAYS", "week": "WEEKS", "weeks": "WEEKS", "month": "MONTHS",
    "months": "MONTHS", "year": "YEARS", "years": "YEARS", "hour": "HOURS", "hours": "HOURS",
    "minute": "MINUTES", "minutes": "MINUTES",
}  # fmt: skip
QUARTILES = (("Q1", 0.25), ("MEDIAN", 0.5), ("Q3", 0.75))
COLUMNS = [
    "PARAMCD", "PARAM", "STAT", "CNSR", "EVNTDESC", "CNSDTDSC", "TIME", "TIMEU", "COUNT",
    "ESTIMATE", "LOWER", "UPPER", "METHOD",
]  # fmt: skip
_DTYPES = {
    "PARAMCD": "str", "PARAM": "str", "STAT": "str", "CNSR": "Int64", "EVNTDESC": "str", "CNSDTDSC": "str",
    "TIME": "float64", "TIMEU": "str", "COUNT": "Int64", "ESTIMATE": "float64", "LOWER": "float64",
    "UPPER": "float64", "METHOD": "str",
}  # fmt: skip
XPT_LABELS = {
    "PARAMCD": "Parameter Code", "PARAM": "Parameter", "STAT": "Statistic", "CNSR": "Censor",
    "EVNTDESC": "Event or Censoring Description", "CNSDTDSC": "Censor Date Description",
    "TIME": "Time of the Estimate", "TIMEU": "Unit of TIME", "COUNT": "Subjects (or at Risk at TIME)",
    "ESTIMATE": "Estimate", "LOWER": "Lower Confidence Limit", "UPPER": "Upper Confidence Limit",
    "METHOD": "Method",
}  # fmt: skip
MISSING_GROUP = "(missing)"
_TOLERANCE = math.sqrt(np.finfo(float).eps)  # as R survival's quantile: S(t) equal to 1 - p
INSTALL_HINT = 'install the extra: pip install "endpointdsl[km]" (lifelines and matplotlib)'


# A record's own derived columns: grouping a survival curve by its outcome (CNSR, ADT, AVAL)
# conditions on the outcome, and the Kaplan-Meier table has its own PARAMCD, CNSR... columns
# (a --by of one of them was an internal error, or a km.csv that could not be written).
OUTCOME_COLUMNS = frozenset(
    {*COLUMNS, "AVAL", "AVALU", "ADT", "ADTF", "STARTDT", "STARTDTF", "SRCDOM", "SRCVAR", "SRCSEQ", "PARAMN"}
)


def refuse_outcome_by(by: str) -> None:
    if not by.strip():  # `--by "$GROUP"` with GROUP unset: run printed the table ungrouped
        raise DataError("--by needs a column name, as in --by TRT01P")
    if by in OUTCOME_COLUMNS:
        raise DataError(
            f"--by {by}: {by} is a column of the derived records or of the Kaplan-Meier table, not "
            "a grouping of subjects; group by a subject-level column, as in --by TRT01P"
        )


class KmUnavailable(DataError):
    """lifelines (or matplotlib, for the plot) is not installed."""


def require(module: str) -> None:
    """Import `module` (lifelines, matplotlib) now, or say how to install it."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise KmUnavailable(
            f"the Kaplan-Meier summary needs {module}, which is not installed; {INSTALL_HINT}"
        ) from None


# ---- one curve ----------------------------------------------------------------------------


@frozen
class Curve:
    """A Kaplan-Meier curve at its event times (any cause), with Greenwood's sum."""

    times: np.ndarray  # distinct times with at least one event (of any cause), ascending
    at_risk: np.ndarray
    events: np.ndarray  # events of interest at each time
    surv: np.ndarray  # S(t), all causes, right-continuous (after the events at t)
    greenwood: np.ndarray  # sum of d / (n (n - d)) up to t (inf once S is 0)
    last: float  # the largest time observed (event or censored)


def fit_curve(time: np.ndarray, event: np.ndarray, cause: np.ndarray | None = None) -> Curve:
    """`event`: any event ends the curve (with competing events: either kind); `cause`:
    the events of interest among them (default: all)."""
    from lifelines import KaplanMeierFitter

    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    cause = event if cause is None else np.asarray(cause, dtype=bool)
    kmf = KaplanMeierFitter().fit(time, event_observed=event)
    table = kmf.event_table
    table = table[table.observed > 0]
    times = table.index.to_numpy(dtype=float)
    n = table.at_risk.to_numpy(dtype=float)
    d = table.observed.to_numpy(dtype=float)
    surv = kmf.survival_function_.iloc[:, 0].reindex(times).to_numpy(dtype=float)
    with np.errstate(divide="ignore"):
        greenwood = np.cumsum(np.where(n > d, d / (n * np.maximum(n - d, 1)), np.inf))
    interest = pd.Series(time[cause]).value_counts().reindex(times, fill_value=0).to_numpy(dtype=float)
    return Curve(times, n, interest, surv, greenwood, float(time.max()) if len(time) else math.nan)


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(1 - (1 - level) / 2))


def survival_limits(surv: np.ndarray, greenwood: np.ndarray, conf_type: str, z: float):
    """Pointwise limits of S(t), as R survival's survfit computes them for each conf.type.
    S = 1: (1, 1); S = 0: missing (R: NA), for every type."""
    surv = np.asarray(surv, dtype=float)
    se = np.sqrt(greenwood)  # of log S (Greenwood)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            lower, upper = np.clip(surv - z * se * surv, 0, 1), np.clip(surv + z * se * surv, 0, 1)
            lower, upper = np.where(surv == 0, np.nan, lower), np.where(surv == 0, np.nan, upper)
        elif conf_type == "log":
            lower, upper = surv * np.exp(-z * se), np.minimum(surv * np.exp(z * se), 1.0)
            lower, upper = np.where(surv == 0, np.nan, lower), np.where(surv == 0, np.nan, upper)
        elif conf_type == "log-log":
            shift = z * se / np.abs(np.log(surv))
            lower, upper = surv ** np.exp(shift), surv ** np.exp(-shift)
            lower, upper = np.where(surv == 0, np.nan, lower), np.where(surv == 0, np.nan, upper)
        else:
            raise ValueError(f"conf_type must be one of {', '.join(CONF_TYPES)}, got {conf_type!r}")
    lower, upper = np.where(surv == 1, 1.0, lower), np.where(surv == 1, 1.0, upper)
    return lower, upper


def quantile_time(times: np.ndarray, curve: np.ndarray, target: float) -> float:
    """The first time the curve is at or below `target`; when it equals `target` there,
    the midpoint between that time and the next time it drops (R survival, SAS)."""
    ok = ~np.isnan(curve)
    below = np.flatnonzero(ok & (curve <= target + _TOLERANCE))
    if not len(below):
        return math.nan
    i = below[0]
    if abs(curve[i] - target) < _TOLERANCE:
        later = np.flatnonzero(ok & (curve < curve[i] - _TOLERANCE))
        later = later[later > i]
        if len(later):
            return float((times[i] + times[later[0]]) / 2)
    return float(times[i])


def _ended(curve: Curve) -> bool:
    """Every subject had an event (of any cause) at or before the last time: the estimate stays
    what it is there for all later times (S 0; the cumulative incidences final)."""
    return len(curve.surv) > 0 and curve.surv[-1] == 0


def value_at(times: np.ndarray, values: np.ndarray, t: float, start: float) -> float:
    """A right-continuous step function at t (`start` before the first time)."""
    i = np.searchsorted(times, t, side="right")
    return float(start if i == 0 else values[i - 1])


# ---- cumulative incidence (Aalen-Johansen) ----------------------------------------------------


def cumulative_incidence(curve: Curve, conf_type: str, z: float):
    """F(t) of the events of interest at the curve's times, with its delta-method variance
    (as lifelines' AalenJohansenFitter, after Collett 2015 and SAS PROC LIFETEST) and limits."""
    n, d, d_k = curve.at_risk, curve.events_all, curve.events
    lag = np.concatenate([[1.0], curve.surv[:-1]])
    cif = np.cumsum(d_k / n * lag)
    var = np.empty_like(cif)
    for j in range(len(cif)):  # a few hundred times at most: a plain loop is clear enough
        fj, f = cif[j], cif[: j + 1]
        nn, dd, kk, ss = n[: j + 1], d[: j + 1], d_k[: j + 1], lag[: j + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            first = np.where(nn > dd, (fj - f) ** 2 * dd / (nn * (nn - dd)), 0.0).sum()
        second = (ss**2 * kk * (nn - kk) / nn**3).sum()
        third = ((fj - f) * ss * kk / nn**2).sum()
        var[j] = first + second - 2 * third
    se = np.sqrt(np.maximum(var, 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            lower, upper = np.clip(cif - z * se, 0, 1), np.clip(cif + z * se, 0, 1)
        elif conf_type == "log":
            lower, upper = cif * np.exp(-z * se / cif), np.minimum(cif * np.exp(z * se / cif), 1.0)
        else:
            shift = z * se / (cif * np.abs(np.log(cif)))
            lower, upper = cif ** np.exp(shift), cif ** np.exp(-shift)
    zero = cif == 0
    return cif, np.where(zero, 0.0, lower), np.where(zero, 0.0, upper)


# ---- the summary ----------------------------------------------------------------------------


def _codes(value) -> set[int]:
    return {int(c) for c in value}


def tte_parameters(adtte: pd.DataFrame) -> list[str]:
    """The time-to-event parameters of an ADTTE, in order of appearance: those whose
    records all have a CNSR (response and incidence rows have none)."""
    cnsr = pd.to_numeric(adtte["CNSR"], errors="coerce")
    has = cnsr.notna().groupby(adtte["PARAMCD"], sort=False).all()
    return [str(code) for code, ok in has.items() if ok]


def _require(adtte: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in adtte.columns]
    if missing:
        raise DataError(f"{what} has no column {', '.join(missing)}: is it an ADTTE written by endpointdsl?")


def _text(value) -> str:
    return (
        ""
        if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)
        else str(value).strip()
    )


def at_times(at: Sequence[float], unit: str | None, avalu: str) -> list[tuple[float, float]]:
    """(time as given, the same time in AVAL's unit) of each stated time."""
    given = UNIT_NAMES.get(unit.lower(), unit.upper()) if unit else avalu
    if given not in AVALU_DAYS:
        raise DataError(f"unknown unit '{unit}': use days, weeks, months, years, hours or minutes")
    if avalu not in AVALU_DAYS:
        raise DataError(f"AVALU '{avalu}' is not a unit of time that --at can be converted to")
    return [(float(t), float(t) * AVALU_DAYS[given] / AVALU_DAYS[avalu]) for t in at]


def summarise_km(
    adtte: pd.DataFrame,
    by: str | None = None,
    at: Sequence[float] = (),
    unit: str | None = None,
    conf_type: str = "log-log",
    level: float = 0.95,
    competing: Mapping[str, Iterable[int]] | None = None,
    params: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The Kaplan-Meier summary of every time-to-event parameter (and group) of an ADTTE.

    One row per statistic (STAT): SUBJECTS, EVENTS, CENSORED (COMPETING), one row per
    CNSR/EVNTDESC/CNSDTDSC found (BY CNSR), Q1, MEDIAN, Q3 (ESTIMATE with LOWER and UPPER
    in AVAL's unit), SURVIVAL at each stated time (or CIF, with competing events; COUNT is
    the number at risk). `at`: times in `unit` (default: AVAL's unit, AVALU). `competing`:
    PARAMCD -> the CNSR codes that are competing events (docs/km.md).
    """
    if conf_type not in CONF_TYPES:
        raise DataError(f"unknown confidence interval type '{conf_type}': use {', '.join(CONF_TYPES)}")
    if not 0 < level < 1:
        raise DataError(f"confidence level must be strictly between 0 and 1, got {level!r}")
    _require(adtte, ["USUBJID", "PARAMCD", "AVAL", "CNSR"], "the ADTTE")
    if by is not None:
        refuse_outcome_by(by)
        _require(adtte, [by], "the ADTTE")
    require("lifelines")
    competing = {k: _codes(v) for k, v in (competing or {}).items()}
    codes = tte_parameters(adtte)
    if params:
        unknown = [p for p in params if p not in set(adtte.PARAMCD.astype(str))]
        if unknown:
            raise DataError(
                f"no parameter {', '.join(unknown)} in the ADTTE (it has {', '.join(codes) or 'none'})"
            )
        not_tte = [p for p in params if p not in codes]
        if not_tte:
            raise DataError(f"{', '.join(not_tte)}: not a time-to-event parameter (records without CNSR)")
        codes = [c for c in codes if c in params]
    unknown = sorted(set(competing) - set(codes))
    if unknown:
        raise DataError(f"--competing names {', '.join(unknown)}, not a time-to-event parameter of the ADTTE")
    z = _z(level)
    rows: list[dict] = []
    for code in codes:
        records = adtte[adtte.PARAMCD.astype(str) == code]
        if records.AVAL.isna().any():
            who = ", ".join(sorted(records.USUBJID[records.AVAL.isna()].astype(str))[:5])
            raise DataError(f"{code}: records without AVAL cannot be counted (subjects {who})")
        aval = pd.to_numeric(records.AVAL, errors="coerce")
        cnsr = pd.to_numeric(records.CNSR, errors="coerce")
        bad = ~(np.isfinite(aval) & (aval >= 0))
        if bad.any():
            who = ", ".join(sorted(records.USUBJID[bad].astype(str))[:5])
            raise DataError(f"{code}: AVAL must be a number of at least 0 (subjects {who})")
        bad = ~(cnsr >= 0) | (cnsr != cnsr.round())
        if bad.any():
            who = ", ".join(sorted(records.USUBJID[bad].astype(str))[:5])
            raise DataError(f"{code}: CNSR must be a whole number of at least 0 (subjects {who})")
        records = records.assign(AVAL=aval.astype(float), CNSR=cnsr.astype(int))
        avalu = _avalu(records)
        groups = [(None, records)]
        if by is not None:
            groups = by_groups(records, by)
        for group, part in groups:
            rows += _group_rows(
                code, part, by, group, avalu, at, unit, conf_type, z, competing.get(code, set())
            )
    columns = COLUMNS if by is None else [*COLUMNS[:2], by, *COLUMNS[2:]]
    table = pd.DataFrame(rows, columns=columns)
    dtypes = dict(_DTYPES) if by is None else {**_DTYPES, by: "str"}
    return with_dtypes(table, dtypes)


def group_label(value) -> str:
    """A --by value as the data say it: a whole number read as a float (a numeric column with a
    missing cell, e.g. TRT01PN from CSV) is `1`, not `1.0`; a missing value is MISSING_GROUP."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    text = _text(value)
    if text == MISSING_GROUP:  # a value written "(missing)" joined the missing values' group
        return f'"{text}"'
    return text or MISSING_GROUP


def by_groups(records: pd.DataFrame, by: str) -> list[tuple[str, pd.DataFrame]]:
    """(label, records) per value of `by`: in numeric order when every label is a number (2
    before 10, whether the column was read as numbers or as text), else in text order; the
    missing group last."""
    labels = pd.Series([group_label(v) for v in records[by].tolist()], index=records.index, dtype=object)
    present = sorted(set(labels) - {MISSING_GROUP})
    numbers = {g: _as_number(g) for g in present}
    if any(n is None for n in numbers.values()):
        numbers = dict.fromkeys(present, 0.0)
    order = [
        *sorted(present, key=lambda g: (numbers[g], g)),
        *([MISSING_GROUP] if MISSING_GROUP in set(labels) else []),
    ]
    return [(g, records[labels == g]) for g in order]


def _as_number(label: str) -> float | None:
    try:
        number = float(label)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _avalu(records: pd.DataFrame) -> str:
    if "AVALU" not in records.columns:
        return "DAYS"
    units = {_text(u).upper() for u in records.AVALU} - {""}
    if len(units) > 1:
        raise DataError(f"{records.PARAMCD.iloc[0]}: AVALU has several units ({', '.join(sorted(units))})")
    return units.pop() if units else "DAYS"


def _group_rows(code, part, by, group, avalu, at, unit, conf_type, z, competing_codes) -> list[dict]:
    param = _text(part.PARAM.iloc[0]) if "PARAM" in part.columns and len(part) else ""
    base = {"PARAMCD": code, "PARAM": param, **({by: group} if by is not None else {})}
    cnsr = part.CNSR.astype(int).to_numpy()
    time = part.AVAL.astype(float).to_numpy()
    is_event, is_competing = cnsr == 0, np.isin(cnsr, list(competing_codes))
    method_n = "count"
    rows = [
        {**base, "STAT": "SUBJECTS", "COUNT": len(part), "METHOD": method_n},
        {**base, "STAT": "EVENTS", "COUNT": int(is_event.sum()), "METHOD": method_n},
    ]
    if competing_codes:
        rows.append({**base, "STAT": "COMPETING", "COUNT": int(is_competing.sum()), "METHOD": method_n})
    rows.append(
        {**base, "STAT": "CENSORED", "COUNT": int((~is_event & ~is_competing).sum()), "METHOD": method_n}
    )
    desc = pd.DataFrame({
        "CNSR": cnsr,
        "EVNTDESC": [_text(v) for v in part.get("EVNTDESC", pd.Series([""] * len(part)))],
        "CNSDTDSC": [_text(v) for v in part.get("CNSDTDSC", pd.Series([""] * len(part)))],
    })  # fmt: skip
    for (c, e, d), n in desc.value_counts(sort=False).sort_index().items():
        rows.append({**base, "STAT": "BY CNSR", "CNSR": int(c), "EVNTDESC": e, "CNSDTDSC": d, "COUNT": int(n),
                     "METHOD": method_n})  # fmt: skip
    if not len(part):
        return rows
    level = f"{100 * (1 - 2 * (1 - _norm_cdf(z))):.10g}%"
    if competing_codes:
        curve = fit_curve(time, is_event | is_competing, is_event)
        curve_all = _with_all(curve, time, is_event | is_competing)
        cif, lower, upper = cumulative_incidence(curve_all, conf_type, z)
        method = f"Aalen-Johansen; {level} CI delta method, {conf_type}"
        for given, t in at_times(at, unit, avalu):
            beyond = t > curve.last and not _ended(curve)
            est = math.nan if beyond else value_at(curve.times, cif, t, 0.0)
            lo = math.nan if beyond else value_at(curve.times, lower, t, 0.0)
            hi = math.nan if beyond else value_at(curve.times, upper, t, 0.0)
            rows.append({**base, "STAT": "CIF", "TIME": given, "TIMEU": _unit_name(unit, avalu),
                         "COUNT": int((time >= t).sum()), "ESTIMATE": est, "LOWER": lo, "UPPER": hi,
                         "METHOD": method})  # fmt: skip
        return rows
    curve = fit_curve(time, is_event)
    lower, upper = survival_limits(curve.surv, curve.greenwood, conf_type, z)
    for name, p in QUARTILES:
        rows.append({**base, "STAT": name, "TIMEU": avalu,
                     "ESTIMATE": quantile_time(curve.times, curve.surv, 1 - p),
                     "LOWER": quantile_time(curve.times, lower, 1 - p),
                     "UPPER": quantile_time(curve.times, upper, 1 - p),
                     "METHOD": f"Kaplan-Meier; {level} CI Brookmeyer-Crowley, {conf_type}"})  # fmt: skip
    for given, t in at_times(at, unit, avalu):
        beyond = t > curve.last and not _ended(curve)
        est = math.nan if beyond else value_at(curve.times, curve.surv, t, 1.0)
        lo = math.nan if beyond else value_at(curve.times, lower, t, 1.0)
        hi = math.nan if beyond else value_at(curve.times, upper, t, 1.0)
        rows.append({**base, "STAT": "SURVIVAL", "TIME": given, "TIMEU": _unit_name(unit, avalu),
                     "COUNT": int((time >= t).sum()), "ESTIMATE": est, "LOWER": lo, "UPPER": hi,
                     "METHOD": f"Kaplan-Meier; {level} CI Greenwood, {conf_type}"})  # fmt: skip
    return rows


def _with_all(curve: Curve, time: np.ndarray, any_event: np.ndarray):
    """The curve with the number of events of any cause at each time (events_all)."""
    counts = (
        pd.Series(time[any_event]).value_counts().reindex(curve.times, fill_value=0).to_numpy(dtype=float)
    )
    return _AllCauses(curve.times, curve.at_risk, curve.events, counts, curve.surv)


@frozen
class _AllCauses:
    times: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    events_all: np.ndarray
    surv: np.ndarray


def _norm_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def _unit_name(unit: str | None, avalu: str) -> str:
    return UNIT_NAMES.get(unit.lower(), unit.upper()) if unit else avalu


# ---- text -----------------------------------------------------------------------------------


def _number(x: float) -> str:
    return (
        "NE"
        if x is None or (isinstance(x, float) and math.isnan(x))
        else f"{x:.10g}"
        if x == int(x)
        else f"{x:.1f}"
    )


def _prob(x: float) -> str:
    return "NE" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"


def format_km(table: pd.DataFrame, by: str | None = None) -> str:
    """The summary as text: per parameter (and group), the counts, the quartiles with their
    intervals, the estimates at the stated times. NE: not estimable (the curve does not
    reach the level, or the time is after the last observation)."""
    lines: list[str] = []
    keys = ["PARAMCD"] + ([by] if by else [])
    for key, part in table.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        head = f"{key[0]} {part.PARAM.iloc[0]}" + (f", {by} = {key[1]}" if by else "")
        count = {s: int(part.COUNT[part.STAT == s].iloc[0]) for s in ("SUBJECTS", "EVENTS", "CENSORED", "COMPETING")
                 if (part.STAT == s).any()}  # fmt: skip
        words = f"N {count['SUBJECTS']}, events {count['EVENTS']}"
        if "COMPETING" in count:
            words += f", competing events {count['COMPETING']}"
        lines.append(f"{head}: {words}, censored {count['CENSORED']}")
        for r in part[part.STAT == "BY CNSR"].itertuples(index=False):
            text = " / ".join(t for t in (r.EVNTDESC, r.CNSDTDSC) if t) or "-"
            lines.append(f"  CNSR {r.CNSR}  {r.COUNT:>5}  {text}")
        quart = part[part.STAT.isin(["Q1", "MEDIAN", "Q3"])]
        if len(quart):
            unit = quart.TIMEU.iloc[0]
            lines.append(f"  {quart.METHOD.iloc[0]} (times in {unit})")
            for r in quart.itertuples(index=False):
                lines.append(
                    f"  {r.STAT:<7}{_number(r.ESTIMATE):>9}  ({_number(r.LOWER)}, {_number(r.UPPER)})"
                )
        for r in part[part.STAT.isin(["SURVIVAL", "CIF"])].itertuples(index=False):
            what = "S(t)" if r.STAT == "SURVIVAL" else "CIF(t)"
            lines.append(f"  {what} at {_number(r.TIME)} {r.TIMEU.lower()}: {_prob(r.ESTIMATE)} "
                         f"({_prob(r.LOWER)}, {_prob(r.UPPER)}), {r.COUNT} at risk [{r.METHOD}]")  # fmt: skip
    return "\n".join(lines)
