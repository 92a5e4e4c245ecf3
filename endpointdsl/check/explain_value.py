"""explain (issue 14): a value endpoint (docs/semantics.md 11): its series, its statistic and
its exclusions.
"""

from __future__ import annotations

from . import model as m
from .explain_response import RESPONSE_COLUMNS
from .explain_words import Explanation, Row, condition, excluded, name, number

# ---- value endpoints (issue 14; docs/semantics.md 11) ---------------------------------------

_STAT_WORDS = {
    "max": "the maximum value (Cmax); a tie: the first time",
    "min": "the minimum value (the nadir); a tie: the first time",
    "last": "the last quantifiable value (Clast)",
    "time of max": "the time of the maximum (Tmax); a tie: the first time",
    "time of min": "the time of the minimum; a tie: the first time",
    "time of last": "the time of the last quantifiable value (Tlast)",
    "auc": "the area under the curve over the samples",
    "auc to last": "the area under the curve up to the last quantifiable value (AUClast)",
    "change from min": "the change of the last value from the minimum",
    "at": "the value of the sample nearest the nominal time (a tie: the earlier)",
    "detectable": "Y when the sample nearest the nominal time is quantifiable, else N",
}


def value(model: m.Model, ep: m.EndpointSpec) -> Explanation:
    v = ep.value
    s = v.series
    unit = m.VALUE_TIME_UNITS[s.time_unit]
    axis = (
        f"{s.table}.{s.time} (dates), in days from {name(model, s.origin)} (origin is day {s.origin_day})"
        if s.origin is not None
        else f"{s.table}.{s.time}, a number of {s.time_unit}"
    )
    series = [
        f"Series {s.name}: the numbers in {s.table}.{s.column}"
        + (f" of the rows where {condition(s.where)}" if s.where is not None else "")
        + f", at the time in {axis}.",
        f"Below the limit of quantification when {condition(s.blq)}: {s.blq_before} before the first "
        f"quantifiable sample, {s.blq_after} after it"
        + (
            f" (LLOQ: {s.lloq_column or number(s.lloq_value)})"
            if s.lloq_column or s.lloq_value is not None
            else ""
        )
        + ". A quantifiable sample is one that is not below the LLOQ and is above 0.",
        "Samples at one time: " + ("the subject is excluded." if s.duplicates == "refuse" else "their mean."),
    ]
    if s.negative_at_zero:
        series.append("A sample before time 0 (pre-dose) counts at time 0.")
    stat = [f"AVAL: {_STAT_WORDS[v.stat]}"]
    if v.over:
        stat.append(f"over {v.over}")
    if v.rule:
        stat.append(f"by the {v.rule} trapezoidal rule")
    if v.near:
        stat.append(f"within {v.near}")
    avalu = m.value_avalu(v, "U")
    source = s.unit_column or (repr(s.unit_text) if s.unit_text else None)
    units = ""
    if avalu:
        units = f" AVALU: {avalu}" + (
            f", U being the samples' unit ({source})." if "U" in avalu and source else "."
        )
    paras = [
        ("Population", (f"Population: every subject of {model.subject_table.name}.",)),
        ("Series", tuple(series)),
        ("Value", (", ".join(stat) + "." + units, f"Time unit of the series: {unit}.")),
    ]
    if v.stat == "detectable":
        rows = [
            Row("C:Y", "The sample nearest the nominal time is quantifiable", "", "Y", "1", ""),
            Row("C:N", "The sample nearest the nominal time is below the LLOQ", "", "N", "0", ""),
        ]
    else:
        rows = [Row("V", "The subject has the samples the statistic needs", "", "", _STAT_WORDS[v.stat], "")]
    if s.origin is not None:
        rows.append(excluded("X:origin", "No origin date", f"no origin date: {s.origin} has no usable date"))
    where = f" within {v.near}" if v.near else (f" over {v.over}" if v.over else "")
    rows.append(excluded("X:no-sample", f"No usable sample{where}", f"{s.name}: no usable sample{where}"))
    if s.duplicates == "refuse":
        rows.append(excluded("X:duplicates", "Two samples at one time", f"rows have the same {s.time}"))
    if s.unit_column is not None and v.stat not in (
        "time of last",
        "detectable",
    ):  # the others compare values
        rows.append(excluded("X:units", "Samples in several units", f"{s.name}: samples in several units"))
    if v.stat in ("last", "time of last", "auc to last"):
        rows.append(
            excluded(
                "X:no-quantifiable", "No quantifiable sample", f"{s.name}: no quantifiable sample{where}"
            )
        )
    return Explanation(ep.paramcd, ep.param, ep.kind, tuple(paras), tuple(rows), RESPONSE_COLUMNS)
