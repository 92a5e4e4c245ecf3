"""Reference interpreter, groups (issue 13, item 3; docs/semantics.md section 10).

A grouped endpoint read straight from the model: the values are those of the grouped
event's table on the rows its condition selects; the derivation of one value is the
endpoint's, with the event's condition narrowed to the rows holding that value.
"""

from __future__ import annotations

import attrs

from ...check import model as m
from ...data.groups import Grouped
from ...data.values import Subject
from .common import read_cell
from .interpreter import derive, holds


def grouped(model: m.Model, ep: m.EndpointSpec) -> Grouped:
    g = ep.group
    src = model.event(g.event)

    def values(subject: Subject) -> set:
        return {
            tuple(read_cell(row.get(c), "text") for c in g.columns)
            for row in subject.rows(g.table)
            if src.where is None or holds(src.where, row, subject) is True
        }

    def one(subject: Subject, value: tuple):
        cond = src.where
        for column, v in zip(g.columns, value, strict=True):
            test = m.IsMissing(column, False) if v is None else m.Compare(column, "=", m.Literal("text", v))
            cond = test if cond is None else m.And(cond, test)
        narrowed = tuple(attrs.evolve(e, where=cond) if e.name == g.event else e for e in model.events)
        return derive(attrs.evolve(model, events=narrowed), ep, subject)

    line = ep.span.line if ep.span else 0
    return Grouped(ep.paramcd, ep.param, g.columns, g.event, g.table, f"{model.file}:{line}", values, one)
