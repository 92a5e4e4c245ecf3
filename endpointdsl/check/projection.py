"""Projection (issue 16): the columns of each input table that a run of the file reads."""

from __future__ import annotations

from ..data.projection import Columns
from . import model as m
from .usage import table_usage


def run_columns(model: m.Model, by: str | None = None) -> dict[str, Columns]:
    """Per table: what the engines read (`table_usage`: the key, events, conditions, groups,
    series); for the subject table also the `keep` columns, and STUDYID and the `--by`
    column when the file has them (the ADaM completion and the Kaplan-Meier groups)."""
    out = {}
    for name, use in table_usage(model).items():
        needed, optional = set(use["columns"]), set()
        if name == model.subject_table.name:
            needed |= {c.column for c in model.adam.keep}
            optional |= {"STUDYID", *([by] if by else [])}
        out[name] = Columns(frozenset(needed), frozenset(optional - needed))
    return out
