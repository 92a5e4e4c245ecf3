"""Value endpoints (issue 14): the reference reading of docs/semantics.md section 11.

Written from the semantics, as plainly as possible: the series' samples of one subject,
then the one number the endpoint asks for. `holds` is the interpreter's reading of a row
condition (passed in, so that this module imports only the model and data).
"""

from __future__ import annotations

import itertools
import math

from ...check import model as m
from ...data.records import Derivation, Record
from ...data.values import Subject
from .common import read_cell
from .dates import read_date


def derive(ep: m.EndpointSpec, subject: Subject, holds, occurrences=None) -> Derivation:
    """`occurrences(event, findings)`: the interpreter's occurrences of an event (for the
    origin of a series timed by dates)."""
    spec = ep.value
    s = spec.series
    findings: list[str] = []

    def result(record=None, excluded=None):
        return Derivation(subject.id, ep.paramcd, record, excluded, tuple(findings))

    origin = None
    if s.origin is not None:  # a time axis of dates: days from the subject's origin date
        dates = [o["date"] for o in occurrences(s.origin, findings)]
        if not dates:
            return result(excluded=f"no origin date: {s.origin} has no usable date")
        origin = min(dates)

    # 11.1: the rows of the series, each with its time and whether it is below the LLOQ
    rows = []
    for row in subject.rows(s.table):
        if s.where is not None and holds(s.where, row) is not True:
            continue
        if origin is None:
            time = read_cell(row.get(s.time), "number")
        else:
            day = read_date(row.get(s.time), None)[0]
            time = None
            if day is not None:
                diff = (day - origin).days
                time = float(diff + 1 if s.origin_day == 1 and diff >= 0 else diff)
        if time is None:
            findings.append(f"{s.name}: {s.table} row {row.number} has no usable {s.time}; not used")
            continue
        if s.negative_at_zero and time < 0:
            time = 0.0
        blq = holds(s.blq, row) is True
        value = None
        if not blq:
            value = read_cell(row.get(s.column), "number")
            if value is None:
                findings.append(f"{s.name}: {s.table} row {row.number} has no usable {s.column}; not used")
                continue
        rows.append({"row": row, "t": time, "blq": blq, "v": value})
    quantified = [r["t"] for r in rows if not r["blq"]]
    first = min(quantified) if quantified else None
    samples = []
    for r in rows:
        if r["blq"]:
            before = first is None or r["t"] < first
            rule = s.blq_before if before else s.blq_after
            if rule == "missing":
                continue
            if rule == "zero":
                r["v"] = 0.0
            else:
                lloq = s.lloq_value
                if lloq is None:
                    lloq = read_cell(r["row"].get(s.lloq_column), "number")
                if lloq is None:
                    findings.append(
                        f"{s.name}: {s.table} row {r['row'].number} has no usable {s.lloq_column}; not used"
                    )
                    continue
                r["v"] = lloq / 2
        samples.append(r)

    # 11.2: the window, then duplicate times, then the units
    if spec.start is not None:
        samples = [r for r in samples if spec.start <= r["t"] <= spec.stop]
    if spec.at is not None:
        samples_near = [r for r in samples if abs(r["t"] - spec.at) <= spec.within]
    if not samples or (spec.at is not None and not samples_near):
        if spec.at is not None:
            return result(excluded=f"{s.name}: no usable sample within {spec.near}")
        return result(excluded=f"{s.name}: no usable sample" + (f" over {spec.over}" if spec.over else ""))
    by_time: dict[float, list] = {}
    for r in samples:
        by_time.setdefault(r["t"], []).append(r)
    times = sorted(by_time)
    if s.duplicates == "refuse":
        for t in times:
            if len(by_time[t]) > 1:
                numbers = ", ".join(str(n) for n in sorted(r["row"].number for r in by_time[t]))
                return result(
                    excluded=f"{s.name}: {s.table} rows {numbers} have the same {s.time}; "
                    "duplicate times are refused"
                )
    unit = s.unit_text
    if s.unit_column is not None:
        units = sorted(
            {u for r in samples if (u := read_cell(r["row"].get(s.unit_column), "text")) is not None}
        )
        if len(units) > 1 and spec.stat not in ("time of last", "detectable"):  # Tmax compares values
            return result(excluded=f"{s.name}: samples in several units ({', '.join(units)})")
        unit = units[0] if len(units) == 1 else None

    # one sample per time: (t, v, quantifiable, SRCSEQ)
    points = []
    for t in times:
        group = by_time[t]
        if len(group) == 1:
            v = group[0]["v"]
            seq = read_cell(group[0]["row"].get(s.sequence), "number") if s.sequence else None
        else:  # duplicate times: mean (of the values in increasing order)
            total = 0.0
            for x in sorted(r["v"] for r in group):
                total += x
            v = total / len(group)
            seq = None
        measured = any(not r["blq"] for r in group)
        points.append((t, v, measured and v > 0, seq))

    stat = spec.stat
    picked = None
    aval = None
    avalc = None
    if stat in ("max", "time of max"):
        picked = points[0]
        for p in points:
            if p[1] > picked[1]:
                picked = p
    elif stat in ("min", "time of min"):
        picked = points[0]
        for p in points:
            if p[1] < picked[1]:
                picked = p
    elif stat in ("last", "time of last", "auc to last"):
        quantifiable = [p for p in points if p[2]]
        if not quantifiable:
            return result(
                excluded=f"{s.name}: no quantifiable sample" + (f" over {spec.over}" if spec.over else "")
            )
        picked = quantifiable[-1]
    elif stat in ("at", "detectable"):
        near = [p for p in points if abs(p[0] - spec.at) <= spec.within]
        picked = near[0]
        for p in near:
            if abs(p[0] - spec.at) < abs(picked[0] - spec.at):
                picked = p
    if stat in ("auc", "auc to last"):
        used = points if stat == "auc" else [p for p in points if p[0] <= picked[0]]
        aval = 0.0
        for (t1, c1, _, _), (t2, c2, _, _) in itertools.pairwise(used):
            if s.origin is not None and s.origin_day == 1:  # day -1 is the day before day 1
                t1, t2 = (t1 - 1 if t1 > 0 else t1), (t2 - 1 if t2 > 0 else t2)
            if spec.rule == "linear up log down" and c2 < c1 and c2 > 0:
                aval += (t2 - t1) * (c1 - c2) / math.log(c1 / c2)
            else:
                aval += (t2 - t1) * (c1 + c2) / 2
        picked = None
    elif stat == "change from min":
        aval = points[-1][1] - min(p[1] for p in points)
    elif stat.startswith("time of"):
        aval = picked[0]
    elif stat == "detectable":
        aval = 1.0 if picked[2] else 0.0
        avalc = "Y" if picked[2] else "N"
    else:
        aval = picked[1]
    record = Record(
        subject.id, ep.paramcd, ep.param, None, None, float(aval), m.value_avalu(spec, unit), None, None, None,
        s.domain, s.time if stat.startswith("time of") else s.column, picked[3] if picked else None,
        AVALC=avalc,
    )  # fmt: skip
    return result(record=record)
