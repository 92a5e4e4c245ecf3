"""Code generator of value endpoints (issue 14): one `series_<NAME>(subject, notes)` per
series, its samples (runtime_value.samples), and one `derive_<PARAMCD>` per endpoint."""

from __future__ import annotations

from ...check import model as m
from .emit import Writer, call, condition, ident, lit


def write_series(w: Writer, s: m.SeriesSpec) -> None:
    where = "None"
    for name, cond in (("_where_series_", s.where), ("_blq_series_", s.blq)):
        if cond is None:
            continue
        w.line("")
        w.line("")
        w.line(f"def {ident(name, s.name)}(row):")
        w.indent()
        w.line(f"return {condition(cond)}", s.span)
        w.dedent()
        if name == "_where_series_":
            where = ident(name, s.name)
    w.line("")
    w.line("")
    w.line(f"def {ident('series_', s.name)}(subject, notes):")
    w.indent()
    w.line(f'"""The samples of series {s.name}: {s.table}.{s.column} at {s.time} ({s.time_unit})."""')
    named = {
        "series": lit(s.name), "table": lit(s.table), "where": where, "blq": ident("_blq_series_", s.name),
        "column": lit(s.column), "time": lit(s.time), "blq_before": lit(s.blq_before),
        "blq_after": lit(s.blq_after), "negative_at_zero": lit(s.negative_at_zero),
        "lloq_column": lit(s.lloq_column), "lloq_value": lit(s.lloq_value),
        "unit_column": lit(s.unit_column), "sequence": lit(s.sequence),
    }  # fmt: skip
    if s.origin is not None:  # a time axis of dates: days from the subject's origin date
        origin = call("rt.pick", f"{ident('event_', s.origin)}(subject, notes)", which=lit("first"))
        w.line(f"origin = {origin}", s.span)
        named |= {"dated": lit(True), "origin": "None if origin is None else origin.date",
                  "origin_day": lit(s.origin_day)}  # fmt: skip
    w.line(f"return {call('rv.samples', f'subject.rows({s.table!r})', notes='notes', **named)}", s.span)
    w.dedent()


def write_value(w: Writer, ep: m.EndpointSpec) -> None:
    v, s = ep.value, ep.value.series
    w.line("")
    w.line("")
    w.line(f"def {ident('derive_', ep.paramcd)}(subject):", ep.span)
    w.indent()
    w.line(f'"""{ep.paramcd}: the value of one subject, or the reason there is none."""')
    w.line(f"notes = {call('rt.Notes', subject='subject.id', paramcd=lit(ep.paramcd), messages='[]')}")
    w.line(f"found = {ident('series_', s.name)}(subject, notes)")
    named = {
        "param": lit(ep.param), "series": lit(s.name), "table": lit(s.table), "column": lit(s.column),
        "time": lit(s.time), "time_unit": lit(s.time_unit), "stat": lit(v.stat), "duplicates": lit(s.duplicates),
        "unit": lit(s.unit_text), "unit_column": lit(s.unit_column is not None),
        "start": lit(v.start), "stop": lit(v.stop), "over": lit(v.over), "rule": lit(v.rule),
        "at": lit(v.at), "within": lit(v.within), "near": lit(v.near),
    }  # fmt: skip
    if s.origin is not None:
        named["origin"] = lit(s.origin)
        if s.origin_day == 1 and v.stat.startswith("auc"):  # day 1 follows day -1: one day apart
            named["no_day_zero"] = lit(True)
    w.line(f"return {call('rv.value', 'found', notes='notes', **named)}", ep.lines.get("value"))
    w.dedent()
